/* SPDX-License-Identifier: Apache-2.0 */
#ifndef DP_VERSION_H
#define DP_VERSION_H
#define DEVPAY_VERSION "0.1.0"
#define EC2_API_VERSION "2016-11-15"
#define DEVPAY_API_VERSION "2007-12-01"
#endif
