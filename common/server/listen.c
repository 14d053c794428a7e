/* SPDX-License-Identifier: Apache-2.0 */
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include "server/listen.h"

int listen_parse(const char *spec, struct addrinfo **out, struct buf *err)
{
	*out = NULL;
	char *s = xstrdup(spec);
	char *colon = strrchr(s, ':');
	int r = -1;
	if (!colon || !colon[1]) {
		buf_addf(err, "invalid --listen '%s': expected ADDR:PORT", spec);
		goto done;
	}
	*colon = '\0';
	char *host = s;
	if (*host == '[' && host[strlen(host) - 1] == ']') {
		host++;
		host[strlen(host) - 1] = '\0';
	}
	char *end;
	long port = strtol(colon + 1, &end, 10);
	if (*end || port < 0 || port > 65535) {
		buf_addf(err, "invalid --listen '%s': the port must be a number from 0 to 65535", spec);
		goto done;
	}
	struct addrinfo hints = { .ai_flags = AI_PASSIVE | AI_NUMERICSERV, .ai_socktype = SOCK_STREAM };
	int rc = getaddrinfo(*host ? host : NULL, colon + 1, &hints, out);
	if (rc) {
		buf_addf(err, "invalid --listen '%s': %s", spec, gai_strerror(rc));
		goto done;
	}
	r = 0;
done:
	free(s);
	return r;
}
