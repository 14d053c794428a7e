/* SPDX-License-Identifier: Apache-2.0 */
/* Shared by the instance files (svc_instances.c: launching, terminating,
 * confirming; svc_describe_instances.c: DescribeInstances): an instance's
 * state, its answer and the columns it is written from. */
#ifndef DP_SVC_INSTANCES_INT_H
#define DP_SVC_INSTANCES_INT_H
#include "service/svc.h"

enum istate { ST_PENDING, ST_RUNNING, ST_SHUTTING_DOWN, ST_TERMINATED };
struct inst_state { int code; const char *name; };
extern const struct inst_state inst_states[];

/* terminated <= 0: not asked to terminate. */
enum istate inst_state_at(int64_t launched, int64_t terminated, int64_t now);
/* A private address in 10/8 derived from the instance id. */
void inst_private_ip(const char *id, int ip[3]);

#define INSTANCE_COLS \
	"i.id, i.reservation, i.owner, i.image, i.type, i.zone, i.platform," \
	" ifnull(i.product_code, ''), i.launch_index, i.launched, ifnull(i.terminated, 0)," \
	" ifnull(r.client_token, ''), ifnull(m.root_device, 'instance-store')," \
	" coalesce(r.key_name, ''), " SVC_TAGS_COL("i.owner", "i.id")
/* the column of SVC_TAGS_COL */
#define COL_TAGS 14
/* DescribeInstances' column after them: SVC_GROUPS_COL */
#define COL_GROUPS 15
#define INSTANCE_FROM \
	" FROM instances i JOIN reservations r ON r.id = i.reservation" \
	" LEFT JOIN images m ON m.id = i.image"

/* What an <item> of instancesSet is written from: a row of INSTANCE_COLS,
 * or a launch's own values. */
struct inst_row {
	const char *id, *image, *type, *zone, *code, *client_token, *root, *key;
	const char *tags; /* packed as SVC_TAGS_COL packs them */
	int platform, launch_index;
	int64_t launched, terminated;
};
/* One <item> of instancesSet; g the groups of its reservation. */
void inst_write_row(struct svc *x, const struct inst_row *r, const struct svc_groups *g);
/* The same from a row of INSTANCE_COLS. */
void inst_write(struct svc *x, struct store_rows *s, const struct svc_groups *g);
void inst_write_reservation_head(struct svc *x, const char *id, const char *owner,
				 const struct svc_groups *g);
/* InstanceId.N as a JSON array (0, or -1 refused), and the refusal of the
 * first id that is not one of the caller's instances in its region. */
int inst_id_list(struct svc *x, struct buf *json, int *count);
int inst_all_mine(struct svc *x, const char *json);

#endif
