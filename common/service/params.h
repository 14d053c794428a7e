/* SPDX-License-Identifier: Apache-2.0 */
/* What service.c takes from params.c besides svc.h's parameter readers. */
#ifndef DP_PARAMS_H
#define DP_PARAMS_H
#include "service/svc.h"

/* The request against the Action's allow-list (params); *dry set when DryRun=true. */
int svc_check_params(struct svc *x, const char *const *params, int *dry);

#endif
