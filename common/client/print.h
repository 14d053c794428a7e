/* SPDX-License-Identifier: Apache-2.0 */
/* Printing answers as records, for the answers several commands share. */
#ifndef DP_PRINT_H
#define DP_PRINT_H
#include "client/client.h"

/* PRODUCT, PRICE and PENDING records of a <productSet>. */
void print_products(const struct dp_config *cfg, const xmlNode *set);
/* A SUBSCRIPTION record of a <subscription> element. */
void print_subscription(const struct dp_config *cfg, const xmlNode *sub);
/* A RESERVATION record and an INSTANCE record per instance of a reservation
 * (a RunInstancesResponse or a reservationSet item). */
void print_reservation(const struct dp_config *cfg, const xmlNode *res);
/* A TAG record per item of a <tagSet> of one resource (NULL: none). */
void print_tag_set(const struct dp_config *cfg, const char *type, const char *id,
		   const xmlNode *set);
/* The resource type of an id, as EC2 names it, by its prefix ("" unknown). */
const char *print_resource_type(const char *id);

#endif
