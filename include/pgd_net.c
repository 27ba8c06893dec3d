/* pigpiod-py: socket helpers shared by the shim's C files. */

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "pigpiod_if2.h"
#include "pgd_net.h"
#include "pgd_shim.h"

int64_t pgd_net_now_ms(void)
{
   struct timespec ts;
   clock_gettime(CLOCK_MONOTONIC, &ts);
   return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int pgd_net_wait(int fd, short events, int64_t deadline)
{
   struct pollfd p = {fd, events, 0};
   for (;;)
   {
      int left = (int)(deadline - pgd_net_now_ms());
      if (left < 0) left = 0;
      int r = poll(&p, 1, left);
      if (r > 0) return 0;
      if (r == 0) return PGD_ERR_TIMEOUT;
      if (errno != EINTR) return PGD_ERR_SYSTEM;
   }
}

void pgd_net_set_timeouts(int fd, int timeout_ms)
{
   struct timeval tv = {timeout_ms / 1000, (timeout_ms % 1000) * 1000};
   setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
   setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

int pgd_net_connect(const char *host, const char *port, int timeout_ms)
{
   struct addrinfo hints, *res, *rp;
   int64_t deadline = pgd_net_now_ms() + (timeout_ms > 0 ? timeout_ms : 3600000);
   int err = pigif_bad_connect;
   int one = 1;

   memset(&hints, 0, sizeof(hints));
   hints.ai_family = AF_UNSPEC;
   hints.ai_socktype = SOCK_STREAM;
   if (getaddrinfo(host, port, &hints, &res)) return pigif_bad_getaddrinfo;

   for (rp = res; rp; rp = rp->ai_next)
   {
      int fd = socket(rp->ai_family, rp->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
                      rp->ai_protocol);
      if (fd < 0) continue;
      setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
      int rc = connect(fd, rp->ai_addr, rp->ai_addrlen);
      if (rc < 0 && errno != EINPROGRESS) { close(fd); continue; }
      if (rc < 0)
      {
         int soerr = 0;
         socklen_t len = sizeof(soerr);
         int r = pgd_net_wait(fd, POLLOUT, deadline);
         if (r) err = r;
         else if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len)) soerr = errno;
         if (r || soerr) { close(fd); continue; }
      }
      fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
      freeaddrinfo(res);
      return fd;
   }
   freeaddrinfo(res);
   return err;
}

int pgd_net_command(int fd, uint32_t cmd, uint32_t p1, uint32_t p2, int timeout_ms, int32_t *res)
{
   uint32_t msg[4] = {cmd, p1, p2, 0};
   int64_t deadline = pgd_net_now_ms() + (timeout_ms > 0 ? timeout_ms : 3600000);
   size_t got = 0;

   if (send(fd, msg, sizeof(msg), MSG_NOSIGNAL) != sizeof(msg)) return pigif_bad_send;
   while (got < sizeof(msg))
   {
      int r = pgd_net_wait(fd, POLLIN, deadline);
      ssize_t n;
      if (r) return r;
      n = recv(fd, (char *)msg + got, sizeof(msg) - got, 0);
      if (n <= 0)
      {
         if (n < 0 && errno == EINTR) continue;
         return pigif_bad_recv;
      }
      got += (size_t)n;
   }
   *res = (int32_t)msg[3];
   return 0;
}
