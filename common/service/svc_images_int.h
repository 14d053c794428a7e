/* SPDX-License-Identifier: Apache-2.0 */
/* Shared by the image files (svc_images.c: registering, describing,
 * deregistering; svc_image_attrs.c: an image's attributes): the image an
 * Action may act on, or its refusal. */
#ifndef DP_SVC_IMAGES_INT_H
#define DP_SVC_IMAGES_INT_H
#include "service/svc.h"

/* An image the caller may see, or a refusal naming what is wrong with the
 * id (InvalidAMIID.Malformed, InvalidAMIID.NotFound). */
int svc_visible_image(struct svc *x, const char *id, struct svc_image *im);
/* The caller's own image: one it may only see (shared with it, or public)
 * is refused with AuthFailure ("You must own image ID WHY"), one it may not
 * see does not exist. */
int svc_own_image(struct svc *x, const char *id, struct svc_image *im, const char *why);
/* twelve digits: an account id as EC2 writes it */
int svc_is_account_id(const char *s);

#endif
