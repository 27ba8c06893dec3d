/* The raw pipelined ceiling of a daemon: WRITE requests encoded once, sent
   a window at a time on one socket, answers only counted and checked.  No
   client can pipeline toggles faster than this against the same daemon.

   Usage: pipelined HOST PORT GPIO COUNT; prints one JSON object (the fields
   of toggle_loop.c).  At most WINDOW requests are unanswered; one send and
   one wake-up per half window. */

#define _GNU_SOURCE
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "loop_timer.h"

#define WINDOW 4096
#define WRITE 4

static int connect_to(const char *host, const char *port)
{
   struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *res, *rp;
   int fd = -1, one = 1;

   if (getaddrinfo(host, port, &hints, &res)) return -1;
   for (rp = res; rp; rp = rp->ai_next)
   {
      fd = socket(rp->ai_family, rp->ai_socktype, rp->ai_protocol);
      if (fd >= 0 && connect(fd, rp->ai_addr, rp->ai_addrlen) == 0) break;
      if (fd >= 0) close(fd);
      fd = -1;
   }
   freeaddrinfo(res);
   if (fd >= 0) setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
   return fd;
}

/* Send count requests of `requests` (a window of them, toggling) and read
   their answers: a window first, then each time half a window is answered
   (read with MSG_WAITALL: one wake-up per half window), the next half
   window.  0, or -1 with a message. */
static int pipeline(int fd, const uint32_t *requests, long count)
{
   static uint32_t answers[WINDOW / 2 * 4];
   long sent = 0, answered = 0;

   while (answered < count)
   {
      long room = WINDOW - (sent - answered), n = count - sent < room ? count - sent : room;
      if (n > 0)
      {
         if (send(fd, requests + 4 * (sent % 2), (size_t)n * 16, MSG_NOSIGNAL) != n * 16)
         {
            perror("send");
            return -1;
         }
         sent += n;
      }
      long wait = sent - answered < WINDOW / 2 ? sent - answered : WINDOW / 2;
      if (recv(fd, answers, (size_t)wait * 16, MSG_WAITALL) != wait * 16)
      {
         fprintf(stderr, "recv: the daemon closed the connection\n");
         return -1;
      }
      for (long i = 0; i < wait; i++)
      {
         if ((int32_t)answers[4 * i + 3] < 0)
         {
            fprintf(stderr, "write: %d\n", (int32_t)answers[4 * i + 3]);
            return -1;
         }
      }
      answered += wait;
   }
   return 0;
}

int main(int argc, char *argv[])
{
   static uint32_t requests[(WINDOW + 1) * 4];  /* from 0 or 1: whole toggles */
   loop_timer_t timer;
   long count;
   int fd, gpio;

   if (argc != 5) { fprintf(stderr, "usage: %s HOST PORT GPIO COUNT\n", argv[0]); return 2; }
   gpio = atoi(argv[3]);
   count = atol(argv[4]);
   for (int i = 0; i <= WINDOW; i++)
   {
      uint32_t request[4] = {WRITE, (uint32_t)gpio, (uint32_t)(i & 1), 0};
      memcpy(&requests[4 * i], request, sizeof(request));
   }
   fd = connect_to(argv[1], argv[2]);
   if (fd < 0) { fprintf(stderr, "cannot connect to %s:%s\n", argv[1], argv[2]); return 1; }

   timer_start(&timer);
   if (pipeline(fd, requests, count)) return 1;
   timer_stop(&timer);
   close(fd);
   timer_report(&timer, count);
   return 0;
}
