/* pigpiod-py shim: connections (see pgd_shim.h for the reasons). */

#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "pigpiod_if2.h"
#include "pgd_guard.h"
#include "pgd_net.h"
#include "pgd_shim.h"

#define HANDSHAKE_MS 5000

static pthread_mutex_t connect_lock = PTHREAD_MUTEX_INITIALIZER;

/* The private endpoint pigpio_start() talks to during its hand-shake. */
typedef struct
{
   int listen_fd;
   int noib_fd;                    /* accepted: the library's notify socket */
   int command_fd;                 /* accepted: the library's command socket */
   struct sockaddr_storage noib_peer, command_peer;
   struct sockaddr_storage endpoint;  /* the listening address itself */
   int result;
} handshake_t;

static int answer(int fd, uint32_t cmd, int32_t res)
{
   uint32_t reply[4] = {cmd, 0, 0, (uint32_t)res};
   return send(fd, reply, sizeof(reply), MSG_NOSIGNAL) == sizeof(reply) ? 0 : -1;
}

/* Accept the library's two connections and answer NOIB (on the notification
   socket) and BR1 (on the command socket); pigpio_start() sends nothing
   else before it returns. */
static void *handshake_thread(void *arg)
{
   handshake_t *h = arg;
   int64_t deadline = pgd_net_now_ms() + HANDSHAKE_MS;
   int pending[2] = {-1, -1};
   struct sockaddr_storage peers[2];
   int n = 0;

   h->result = PGD_ERR_HANDSHAKE;
   while (n < 2)
   {
      socklen_t len = sizeof(peers[n]);
      if (pgd_net_wait(h->listen_fd, POLLIN, deadline)) goto done;
      pending[n] = accept4(h->listen_fd, (struct sockaddr *)&peers[n], &len, SOCK_CLOEXEC);
      if (pending[n] < 0) goto done;
      n++;
   }
   /* Requests may come in either order; serve whichever is ready. */
   for (int served = 0; served < 2; )
   {
      struct pollfd p[2] = {{pending[0], POLLIN, 0}, {pending[1], POLLIN, 0}};
      int left = (int)(deadline - pgd_net_now_ms());
      if (left <= 0 || poll(p, 2, left) <= 0) goto done;
      for (int i = 0; i < 2; i++)
      {
         uint32_t req[4];
         if (!(p[i].revents & POLLIN) || pending[i] < 0) continue;
         if (recv(pending[i], req, sizeof(req), MSG_WAITALL) != sizeof(req)) goto done;
         if (req[0] == PI_CMD_NOIB && h->noib_fd < 0)
         {
            if (answer(pending[i], req[0], PGD_DECOY_HANDLE)) goto done;
            h->noib_fd = pending[i];
            h->noib_peer = peers[i];
         }
         else if (req[0] == PI_CMD_BR1 && h->command_fd < 0)
         {
            if (answer(pending[i], req[0], 0)) goto done;
            h->command_fd = pending[i];
            h->command_peer = peers[i];
         }
         else goto done;
         pending[i] = -1;
         served++;
      }
   }
   h->result = 0;
done:
   for (int i = 0; i < 2; i++) if (pending[i] >= 0) close(pending[i]);
   return NULL;
}

static int same_address(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
   const struct sockaddr_in *x = (const void *)a, *y = (const void *)b;
   return a->ss_family == AF_INET && b->ss_family == AF_INET &&
          x->sin_port == y->sin_port && x->sin_addr.s_addr == y->sin_addr.s_addr;
}

/* The descriptor in this process connected from `local` to `remote`.  Both
   must match: the kernel may give the same local port to sockets connected
   to different peers (our daemon connection among them). */
static int find_own_socket(const struct sockaddr_storage *local,
                           const struct sockaddr_storage *remote)
{
   DIR *dir = opendir("/proc/self/fd");
   struct dirent *e;
   int found = -1;

   if (!dir) return -1;
   while ((e = readdir(dir)) && found < 0)
   {
      struct sockaddr_storage mine, peer;
      socklen_t len = sizeof(mine), plen = sizeof(peer);
      struct stat st;
      int fd = atoi(e->d_name);
      if (e->d_name[0] == '.' || fd == dirfd(dir)) continue;
      if (fstat(fd, &st) || !S_ISSOCK(st.st_mode)) continue;
      if (getsockname(fd, (struct sockaddr *)&mine, &len)) continue;
      if (getpeername(fd, (struct sockaddr *)&peer, &plen)) continue;
      if (same_address(&mine, local) && same_address(&peer, remote)) found = fd;
   }
   closedir(dir);
   return found;
}

/* Undo a pigpio_start() whose hand-shake we cannot complete: close our ends
   first, so the NC that pigpio_stop() sends meets a closed socket instead of
   waiting for an answer that would never come. */
static void abandon_library(int pi, handshake_t *h)
{
   if (h->command_fd >= 0) { close(h->command_fd); h->command_fd = -1; }
   if (h->noib_fd >= 0) { close(h->noib_fd); h->noib_fd = -1; }
   pigpio_stop(pi);
}

/* Start the library against the private endpoint; returns pi or an error. */
static int start_library(handshake_t *h)
{
   struct sockaddr_in addr = {.sin_family = AF_INET};
   socklen_t len = sizeof(addr);
   pthread_t thread;
   char port[16];
   int pi;

   addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
   h->listen_fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
   if (h->listen_fd < 0) return PGD_ERR_SYSTEM;
   if (bind(h->listen_fd, (struct sockaddr *)&addr, sizeof(addr)) ||
       listen(h->listen_fd, 4) ||
       getsockname(h->listen_fd, (struct sockaddr *)&addr, &len) ||
       pthread_create(&thread, NULL, handshake_thread, h))
   {
      close(h->listen_fd);
      return PGD_ERR_SYSTEM;
   }
   memcpy(&h->endpoint, &addr, sizeof(addr));
   snprintf(port, sizeof(port), "%u", ntohs(addr.sin_port));
   pi = pigpio_start("127.0.0.1", port);
   if (pi < 0) shutdown(h->listen_fd, SHUT_RDWR);  /* wake the thread early */
   pthread_join(thread, NULL);
   close(h->listen_fd);
   if (pi >= 0 && h->result) { abandon_library(pi, h); pi = h->result; }
   return pi;
}

int pgd_connect(const char *host, const char *port, int timeout_ms)
{
   handshake_t h = {.noib_fd = -1, .command_fd = -1};
   int daemon_fd, pi, lib_command;
   sigset_t saved;

   if (!host || !*host) host = getenv("PIGPIO_ADDR");
   if (!host || !*host) host = "localhost";
   if (!port || !*port) port = getenv("PIGPIO_PORT");
   if (!port || !*port) port = "8888";

   daemon_fd = pgd_net_connect(host, port, timeout_ms);
   if (daemon_fd < 0) return daemon_fd;

   /* The library's connect() and recv() do not retry after a signal, and the
      threads started here inherit this mask: signals go to other threads. */
   pgd_block_signals(&saved);
   pthread_mutex_lock(&connect_lock);
   pi = start_library(&h);
   if (pi >= 0)
   {
      /* The library's command socket is the one connected from the address
         we accepted BR1 from: swap the daemon connection in its place. */
      lib_command = find_own_socket(&h.command_peer, &h.endpoint);
      if (lib_command < 0 || dup3(daemon_fd, lib_command, O_CLOEXEC) < 0)
      {
         abandon_library(pi, &h);
         pi = PGD_ERR_HANDSHAKE;
      }
      else
      {
         pgd_net_set_timeouts(lib_command, timeout_ms);
         pi = pgd_slot_attach(pi, lib_command, h.noib_fd, timeout_ms);
         h.noib_fd = -1;
      }
   }
   pthread_mutex_unlock(&connect_lock);
   pgd_restore_signals(&saved);

   close(daemon_fd);
   if (h.command_fd >= 0) close(h.command_fd);
   if (h.noib_fd >= 0) close(h.noib_fd);
   return pi;
}

void pgd_disconnect(int token)
{
   sigset_t saved;
   int pi;

   /* Under the connect lock: one closer at a time, and a new connection
      cannot take the library's slot before ours is forgotten.  The NC that
      pigpio_stop() sends for the decoy handle meets the shut-down socket
      and fails at once (its SIGPIPE is consumed). */
   pgd_block_signals(&saved);
   pthread_mutex_lock(&connect_lock);
   pi = pgd_slot_close(token);
   if (pi >= 0)
   {
      pigpio_stop(pi);
      pgd_slot_release(pi);
   }
   pthread_mutex_unlock(&connect_lock);
   pgd_restore_signals(&saved);
}
