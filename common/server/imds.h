/* SPDX-License-Identifier: Apache-2.0 */
/* devpay-metadata's answers: the paths of the EC2 instance metadata service
 * (a table routes them), IMDSv2 tokens, the instance identity document. The
 * view itself is read by the command (through the client), on every
 * request. */
#ifndef DP_SERVER_IMDS_H
#define DP_SERVER_IMDS_H
#include "base/buf.h"
#include "server/front.h"

/* At most the user data EC2 takes, in bytes. */
#define IMDS_USER_DATA_MAX 16384

/* What the instance knows of itself, as DescribeInstances answers it. */
struct imds_view {
	char id[32], image[32], type[32], zone[32], region[32], reservation[32], owner[16];
	char pending[32], private_ip[32], private_dns[96], launch_index[16];
	char codes[8][16];
	int ncodes;
	/* the key pair launched with, and its public key (OpenSSH's line): ""
	 * when the instance has none, or its key pair is gone */
	char key_name[256], public_key[4096];
	/* the launch's user data, decoded (DescribeInstanceAttribute userData);
	 * user_data_len 0: none */
	char user_data[IMDS_USER_DATA_MAX];
	size_t user_data_len;
};

/* Reads the view afresh: 0 the view, 1 the instance is terminated, 2 the
 * caller sees no such instance, -1 the service could not be asked or
 * refused (msg says why). */
typedef int (*imds_read)(void *cls, struct imds_view *v, struct buf *msg);

struct imds_config {
	const char *prog;
	const char *instance;
	int tokens_required;    /* --http-tokens required */
	imds_read read;
	void *cls;
};

/* c is kept; then imds_handle is the front's handler (front_config.handle). */
void imds_init(const struct imds_config *c);
void imds_handle(void *cls, const struct front_request *rq, struct front_reply *rp);

/* The answer at a metadata path into out: 1, or 0 when there is none (404).
 * A leaf answers with or without a trailing slash, as a listing does; a
 * dated version ("/2009-04-04/meta-data/...") answers as "/latest/...". */
int imds_answer(const char *path, const struct imds_view *v, struct buf *out);

#endif
