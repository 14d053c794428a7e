/* SPDX-License-Identifier: Apache-2.0 */
/* The ceiling for an HTTP server on this machine: libmicrohttpd answering
 * every request with one fixed small XML body (the same server set-up as
 * devpayd: a pool of 2 threads, epoll). Usage: mhd-static PORT */
#include <microhttpd.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char body[] =
    "<DescribeInstancesResponse xmlns=\"http://ec2.amazonaws.com/doc/2016-11-15/\">"
    "<requestId>00000000-0000-0000-0000-000000000000</requestId><reservationSet/>"
    "</DescribeInstancesResponse>";

static enum MHD_Result answer(void *cls, struct MHD_Connection *c, const char *url,
                              const char *method, const char *version,
                              const char *data, size_t *size, void **state)
{
    (void)cls; (void)url; (void)method; (void)version; (void)data;
    if (*state == NULL) { *state = c; return MHD_YES; }   /* first call: headers only */
    if (*size) { *size = 0; return MHD_YES; }             /* swallow the body */
    struct MHD_Response *r = MHD_create_response_from_buffer(strlen(body), (void *)body,
                                                             MHD_RESPMEM_PERSISTENT);
    MHD_add_response_header(r, "Content-Type", "text/xml");
    enum MHD_Result ret = MHD_queue_response(c, MHD_HTTP_OK, r);
    MHD_destroy_response(r);
    return ret;
}

int main(int argc, char **argv)
{
    int port = argc > 1 ? atoi(argv[1]) : 8080;
    struct MHD_Daemon *d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL,
                                            (uint16_t)port, NULL, NULL, answer, NULL,
                                            MHD_OPTION_THREAD_POOL_SIZE, 2, MHD_OPTION_END);
    if (!d) return 1;
    pause();
    MHD_stop_daemon(d);
    return 0;
}
