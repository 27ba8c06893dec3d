/* Exercise the shim's C under sanitizers (see tests/test_c_sanitizers.py):
   a fake pigpiod in a thread answers the hand-shakes and streams reports;
   the checks are exact counts, order, and clean shutdown.  First the ring
   is allocated at every 16-byte offset of the heap (UBSan checks that its
   alignment holds wherever malloc would have put it).

   usage: shim_check REPORTS CAPACITY CONSUMER_DELAY_US */

#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "pigpiod_if2.h"
#include "pgd_events.h"
#include "pgd_shim.h"

#define GPIO 4
#define FAIL(...) do { fprintf(stderr, __VA_ARGS__); fputc('\n', stderr); exit(1); } while (0)

static int listener;
static int go[2];          /* the fake daemon streams once a byte arrives */
static long reports;

static void reply(int fd, uint32_t cmd, int32_t res)
{
   uint32_t msg[4] = {cmd, 0, 0, (uint32_t)res};
   if (send(fd, msg, sizeof(msg), MSG_NOSIGNAL) != sizeof(msg)) FAIL("reply failed");
}

/* Serve one connection: answer commands until NOIB, then stream reports. */
static void *connection(void *arg)
{
   int fd = (int)(intptr_t)arg;
   uint32_t req[4];

   while (recv(fd, req, sizeof(req), MSG_WAITALL) == sizeof(req))
   {
      if (req[0] != PI_CMD_NOIB) { reply(fd, req[0], req[0] == PI_CMD_READ ? 1 : 0); continue; }
      reply(fd, req[0], 7);
      char c;
      if (read(go[0], &c, 1) != 1) FAIL("go pipe");
      unsigned char *buf = calloc((size_t)reports, 12);
      for (long i = 0; i < reports; i++)
      {
         unsigned char *r = buf + 12 * i;
         uint32_t tick = (uint32_t)(0xFFFFFF00u + 10u * (uint32_t)i);  /* wraps */
         uint32_t level = (i & 1) ? 0 : (1u << GPIO);
         r[0] = (unsigned char)i; r[1] = (unsigned char)(i >> 8);
         memcpy(r + 4, &tick, 4);
         memcpy(r + 8, &level, 4);
      }
      if (send(fd, buf, (size_t)reports * 12, MSG_NOSIGNAL) != reports * 12) FAIL("stream");
      free(buf);
      break;
   }
   close(fd);
   return NULL;
}

static void *fake_daemon(void *unused)
{
   (void)unused;
   for (;;)
   {
      pthread_t t;
      int fd = accept(listener, NULL, NULL);
      if (fd < 0) return NULL;
      pthread_create(&t, NULL, connection, (void *)(intptr_t)fd);
      pthread_detach(t);
   }
}

/* pgd_events_open() against a port nothing listens on allocates the ring,
   sets it up and fails at connect; a pad before it moves the heap by 16
   bytes each time, so the ring meets every alignment malloc may give. */
static void open_at_every_heap_offset(void)
{
   struct sockaddr_in addr = {.sin_family = AF_INET};
   socklen_t len = sizeof(addr);
   void *pads[4];
   char port[16];
   int refusing = socket(AF_INET, SOCK_STREAM, 0);

   addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
   if (bind(refusing, (void *)&addr, sizeof(addr)) || getsockname(refusing, (void *)&addr, &len))
      FAIL("setup of the refusing port");
   snprintf(port, sizeof(port), "%u", ntohs(addr.sin_port));
   for (int k = 0; k < 4; k++)
   {
      int err = 0;
      pads[k] = malloc(24 + 16 * (size_t)k);
      if (pgd_events_open("127.0.0.1", port, 2000, 16, &err) || err != pigif_bad_connect)
         FAIL("pgd_events_open on a refusing port: %d", err);
   }
   for (int k = 0; k < 4; k++) free(pads[k]);
   close(refusing);
}

int main(int argc, char *argv[])
{
   struct sockaddr_in addr = {.sin_family = AF_INET};
   socklen_t len = sizeof(addr);
   pthread_t daemon;
   char port[16];
   int err = 0, pi;

   if (argc != 4) FAIL("usage: %s REPORTS CAPACITY DELAY_US", argv[0]);
   reports = atol(argv[1]);
   unsigned capacity = (unsigned)atoi(argv[2]);
   int delay = atoi(argv[3]);

   open_at_every_heap_offset();

   addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
   listener = socket(AF_INET, SOCK_STREAM, 0);
   if (bind(listener, (void *)&addr, sizeof(addr)) || listen(listener, 8) ||
       getsockname(listener, (void *)&addr, &len) || pipe(go)) FAIL("setup");
   snprintf(port, sizeof(port), "%u", ntohs(addr.sin_port));
   pthread_create(&daemon, NULL, fake_daemon, NULL);

   /* The connection shim: hand-shake, swapped command socket, a command. */
   pi = pgd_connect("127.0.0.1", port, 2000);
   if (pi < 0) FAIL("pgd_connect: %d", pi);
   if (gpio_read(pi, GPIO) != 1) FAIL("gpio_read through the swapped socket");
   if (pgd_peer_closed(pi)) FAIL("peer reported closed");

   /* The event path. */
   pgd_events_t *ev = pgd_events_open("127.0.0.1", port, 2000, capacity, &err);
   if (!ev) FAIL("pgd_events_open: %d", err);
   if (pgd_events_handle(ev) != 7) FAIL("handle");
   pgd_events_select(ev, 1u << GPIO, 1u << GPIO, 1u << GPIO, 0);
   if (write(go[1], "g", 1) != 1) FAIL("go");

   pgd_record_t recs[256];
   long received = 0, disconnects = 0;
   uint32_t last_tick = 0;
   int expect_level = -1;
   while (!disconnects)
   {
      struct pollfd p = {pgd_events_fd(ev), POLLIN, 0};
      if (poll(&p, 1, 30000) != 1) FAIL("no wake-up after %ld records", received);
      if (delay) usleep((useconds_t)delay);
      int n;
      while ((n = pgd_events_take(ev, recs, 256)) > 0)
         for (int i = 0; i < n; i++)
         {
            if (recs[i].kind == PGD_DISCONNECT) { disconnects++; continue; }
            if (recs[i].kind != PGD_EDGE || recs[i].id != GPIO) FAIL("record kind/id");
            /* Order: ticks only move forward (mod 2^32). */
            if (received && (uint32_t)(recs[i].tick - last_tick) == 0) FAIL("tick order");
            if (received && (uint32_t)(recs[i].tick - last_tick) > 0x7FFFFFFF) FAIL("tick back");
            if (!delay && expect_level >= 0 && recs[i].level != expect_level) FAIL("levels");
            expect_level = !recs[i].level;
            last_tick = recs[i].tick;
            received++;
         }
   }
   pgd_stats_t s;
   pgd_events_stats(ev, &s);
   /* BR1 answered 0 and every report flips the gpio: one edge record per
      report, each either delivered or counted as dropped. */
   if ((long)(s.produced + s.dropped) != reports) FAIL("produced %lu + dropped %lu != %ld",
      (unsigned long)s.produced, (unsigned long)s.dropped, reports);
   if ((long)s.consumed != received) FAIL("consumed");
   if ((long)s.reports != reports) FAIL("reports");
   if (s.high_water > (capacity < 16 ? 16 : capacity)) FAIL("high water");
   printf("received %ld dropped %lu high_water %lu\n", received,
          (unsigned long)s.dropped, (unsigned long)s.high_water);

   pgd_events_close(ev);
   pgd_disconnect(pi);
   pgd_disconnect(pi);  /* idempotent */
   shutdown(listener, SHUT_RDWR);
   close(listener);
   pthread_join(daemon, NULL);
   return 0;
}
