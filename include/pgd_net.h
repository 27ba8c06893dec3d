/* pigpiod-py: the socket helpers the shim's C files share (not part of the
   binding's API). */

#ifndef PGD_NET_H
#define PGD_NET_H

#include <stdint.h>

/* Resolve host:port and connect (TCP_NODELAY, close-on-exec) within
   timeout_ms (<= 0: no limit).  Returns the socket or a negative code:
   pigif_bad_getaddrinfo, pigif_bad_connect or PGD_ERR_TIMEOUT. */
int pgd_net_connect(const char *host, const char *port, int timeout_ms);

/* Bound every send() and recv() on fd by timeout_ms (0: no limit). */
void pgd_net_set_timeouts(int fd, int timeout_ms);

/* One request without extension and its 16-byte answer on fd, within
   timeout_ms.  Returns 0 and the result in *res, or a negative code. */
int pgd_net_command(int fd, uint32_t cmd, uint32_t p1, uint32_t p2, int timeout_ms, int32_t *res);

/* Milliseconds on the monotonic clock. */
int64_t pgd_net_now_ms(void);

/* Wait until fd has `events` (poll flags) or the deadline passes:
   0, PGD_ERR_TIMEOUT or PGD_ERR_SYSTEM. */
int pgd_net_wait(int fd, short events, int64_t deadline);

#endif
