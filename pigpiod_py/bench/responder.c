/* The reference daemon of the toggle benchmark: a minimal responder to the
   pigpiod socket protocol that answers every request at once, so that a
   benchmark against it measures the clients, not the daemon.

   Usage: responder [PORT]   (none or 0: a free port on 127.0.0.1)
   Prints the port it listens on, then serves until its stdin closes.

   Each connection is served as pigpiod serves it: by its own thread, one
   recv() of the 16-byte header (and one of the extension, if any), then one
   send() of the answer, request after request.  Its pipelined ceiling is
   therefore that of pigpiod's socket loop without the GPIO work behind it.
   It keeps the levels and modes of gpio 0-53 and answers MODES, MODEG, PUD,
   READ, WRITE, the bank commands, TICK, HWVER and PIGPV as pigpiod does
   (with its gpio, mode and level checks); every other command gets 0 and no
   data.  An extension is read and ignored. */
#define _GNU_SOURCE
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* Protocol facts (command numbers, error codes) of pigpiod version 79. */
enum { MODES = 0, MODEG = 1, PUD = 2, READ = 3, WRITE = 4, BR1 = 10, BR2 = 11, BC1 = 12,
       BC2 = 13, BS1 = 14, BS2 = 15, TICK = 16, HWVER = 17, PIGPV = 26 };
enum { BAD_GPIO = -3, BAD_MODE = -4, BAD_LEVEL = -5, BAD_PUD = -6 };
#define MAX_GPIO 53
#define MAX_EXTENSION 65535
#define REVISION 0xC03111  /* a Pi 4B, as the built-in simulator */
#define VERSION 79

static pthread_mutex_t state_lock = PTHREAD_MUTEX_INITIALIZER;
static uint64_t levels;
static unsigned char modes[MAX_GPIO + 1];

static uint32_t tick_us(void)
{
   struct timespec ts;
   clock_gettime(CLOCK_MONOTONIC, &ts);
   return (uint32_t)(ts.tv_sec * 1000000ull + ts.tv_nsec / 1000);
}

/* The result of one command (called with state_lock held). */
static int32_t answer(uint32_t cmd, uint32_t p1, uint32_t p2)
{
   int gpio_command = cmd == MODES || cmd == MODEG || cmd == PUD || cmd == READ || cmd == WRITE;

   if (gpio_command && p1 > MAX_GPIO) return BAD_GPIO;
   switch (cmd)
   {
   case MODES:
      if (p2 > 7) return BAD_MODE;
      modes[p1] = (unsigned char)p2;
      return 0;
   case MODEG: return modes[p1];
   case PUD: return p2 > 2 ? BAD_PUD : 0;
   case READ: return (int32_t)((levels >> p1) & 1);
   case WRITE:
      if (p2 > 1) return BAD_LEVEL;
      modes[p1] = 1;
      levels = p2 ? levels | (1ull << p1) : levels & ~(1ull << p1);
      return 0;
   case BR1: return (int32_t)(uint32_t)levels;
   case BR2: return (int32_t)((levels >> 32) & 0x3FFFFF);
   case BC1: levels &= ~(uint64_t)p1; return 0;
   case BC2: levels &= ~((uint64_t)(p1 & 0x3FFFFF) << 32); return 0;
   case BS1: levels |= p1; return 0;
   case BS2: levels |= (uint64_t)(p1 & 0x3FFFFF) << 32; return 0;
   case TICK: return (int32_t)tick_us();
   case HWVER: return REVISION;
   case PIGPV: return VERSION;
   default: return 0;
   }
}

/* One connection, until it closes or sends an oversized extension. */
static void *serve(void *arg)
{
   char extension[MAX_EXTENSION];
   int fd = (int)(intptr_t)arg;
   uint32_t msg[4];

   while (recv(fd, msg, sizeof(msg), MSG_WAITALL) == sizeof(msg))
   {
      if (msg[3] > MAX_EXTENSION) break;  /* as pigpiod: the socket is closed */
      if (msg[3] && recv(fd, extension, msg[3], MSG_WAITALL) != (ssize_t)msg[3]) break;
      pthread_mutex_lock(&state_lock);
      msg[3] = (uint32_t)answer(msg[0], msg[1], msg[2]);
      pthread_mutex_unlock(&state_lock);
      if (send(fd, msg, sizeof(msg), MSG_NOSIGNAL) != sizeof(msg)) break;
   }
   close(fd);
   return NULL;
}

static int listen_on(int port)
{
   struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
   socklen_t len = sizeof(addr);
   int one = 1, fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

   addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
   if (fd < 0) return -1;
   setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
   if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) || listen(fd, 64) ||
       getsockname(fd, (struct sockaddr *)&addr, &len))
   {
      close(fd);
      return -1;
   }
   printf("%u\n", ntohs(addr.sin_port));
   fflush(stdout);
   return fd;
}

static void accept_one(int listen_fd)
{
   int one = 1, fd = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC);
   pthread_attr_t attr;
   pthread_t thread;

   if (fd < 0) return;
   setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
   pthread_attr_init(&attr);
   pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
   if (pthread_create(&thread, &attr, serve, (void *)(intptr_t)fd)) close(fd);
   pthread_attr_destroy(&attr);
}

int main(int argc, char *argv[])
{
   int listen_fd = listen_on(argc > 1 ? atoi(argv[1]) : 0);

   if (listen_fd < 0) { perror("responder"); return 1; }
   for (;;)
   {
      struct pollfd ready[2] = {{listen_fd, POLLIN, 0}, {0, POLLIN, 0}};
      char byte;
      if (poll(ready, 2, -1) < 0) continue;
      if (ready[1].revents && read(0, &byte, 1) <= 0) return 0;  /* stdin closed: done */
      if (ready[0].revents & POLLIN) accept_one(listen_fd);
   }
}
