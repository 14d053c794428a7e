/* SPDX-License-Identifier: Apache-2.0 */
/* Printing Reserved Instances answers: OFFERING and RESERVEDINSTANCES. */
#ifndef DP_PRINT_RESERVED_H
#define DP_PRINT_RESERVED_H
#include "client/client.h"

/* OFFERING records of a <reservedInstancesOfferingsSet>. */
void print_offerings(const struct dp_config *cfg, const xmlNode *set);
/* RESERVEDINSTANCES records of a <reservedInstancesSet>. */
void print_reserved(const struct dp_config *cfg, const xmlNode *set);

#endif
