/* SPDX-License-Identifier: Apache-2.0 */
/* devpayd's --tls-cert and --tls-key, read and checked with libcrypto's PEM
 * functions (a server loads them once; libcrypto is linked into devpayd). */
#ifndef DP_SERVER_TLS_H
#define DP_SERVER_TLS_H

/* The certificate (chain) and key files read whole and checked (a PEM
 * certificate, a PEM key, the one the certificate's public key belongs to)
 * before anything is served, so a mistake is named instead of failing as
 * "cannot listen": 0 and the PEM texts (free them; cleanse the key), or -1
 * with dp_err_detail() naming the option and the file. */
int tls_load(const char *cert_file, const char *key_file, char **cert, char **key);

#endif
