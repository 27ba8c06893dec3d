/* pigpiod-py command guard and connection slots (see pgd_guard.h). */

#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "pigpiod_if2.h"
#include "pgd_guard.h"
#include "pgd_net.h"
#include "pgd_shim.h"

#define MAX_PI 32
#define PI_BITS 5
/* SO_RCVTIMEO counts in kernel ticks: a recv that timed out may have waited
   up to one tick (10 ms at HZ=100) less than asked. */
#define TICK_SLACK_MS 10

enum { SLOT_FREE, SLOT_OPEN, SLOT_BROKEN, SLOT_CLOSING };

typedef struct
{
   pthread_mutex_t lock;      /* held by the call in flight */
   atomic_int state;          /* SLOT_*: CLOSING is set without the lock */
   atomic_uint generation;    /* changes (under the lock) at each release */
   atomic_uint calls;         /* calls admitted, for the liveness check */
   int command_fd;
   int decoy_fd;
   int timeout_ms;
} slot_t;

static slot_t slots[MAX_PI] = {
   [0 ... MAX_PI - 1] = {PTHREAD_MUTEX_INITIALIZER, SLOT_FREE, 1, 0, -1, -1, 0}};

/* ---- signals ---------------------------------------------------------------- */

void pgd_block_signals(sigset_t *saved)
{
   sigset_t all;

   sigfillset(&all);
   pthread_sigmask(SIG_BLOCK, &all, saved);
}

/* Restore the caller's mask; first, if `may_pipe`, consume a SIGPIPE raised
   meanwhile: a send() on a dead socket raised it for this thread while it
   was blocked here; the caller did not block it, so it is ours to consume
   (its default action would kill the process). */
static void restore_signals(const sigset_t *saved, int may_pipe)
{
   sigset_t pending;

   if (may_pipe && !sigismember(saved, SIGPIPE) && sigpending(&pending) == 0 &&
       sigismember(&pending, SIGPIPE))
   {
      sigset_t pipe_only;
      struct timespec now = {0, 0};
      sigemptyset(&pipe_only);
      sigaddset(&pipe_only, SIGPIPE);
      sigtimedwait(&pipe_only, NULL, &now);
   }
   pthread_sigmask(SIG_SETMASK, saved, NULL);
}

void pgd_restore_signals(const sigset_t *saved)
{
   restore_signals(saved, 1);
}

/* ---- the guard ----------------------------------------------------------------- */

static slot_t *slot_of(int token)
{
   return token >= (1 << PI_BITS) ? &slots[token & (MAX_PI - 1)] : NULL;
}

int pgd_guard_enter(int token, pgd_call_t *call, int checks_data)
{
   slot_t *s = slot_of(token);
   int state;

   if (!s) return PGD_ERR_CLOSED;
   pthread_mutex_lock(&s->lock);
   state = atomic_load_explicit(&s->state, memory_order_relaxed);
   if (atomic_load_explicit(&s->generation, memory_order_relaxed) != (unsigned)token >> PI_BITS ||
       state != SLOT_OPEN)
   {
      pthread_mutex_unlock(&s->lock);
      return state == SLOT_BROKEN ? PGD_ERR_BROKEN : PGD_ERR_CLOSED;
   }
   atomic_fetch_add_explicit(&s->calls, 1, memory_order_relaxed);
   pgd_block_signals(&call->saved);
   call->pi = token & (MAX_PI - 1);
   call->checks_data = checks_data;
   errno = 0;  /* what the library's send()/recv() leave here tells what failed */
   call->start_ms = pgd_net_now_ms();
   return 0;
}

/* poll() flags of the command socket now, without waiting. */
static short socket_state(int fd)
{
   struct pollfd p = {fd, POLLIN | POLLRDHUP, 0};
   return poll(&p, 1, 0) > 0 ? p.revents : 0;
}

/* Whether a call that returned success may still have lost part of its
   reply: the library does not check the count of its extension recv(). */
static int reply_incomplete(const slot_t *s, const pgd_call_t *call)
{
   int64_t elapsed;

   if (errno) return 1;                       /* a recv() failed (the library ignores it) */
   if (socket_state(s->command_fd)) return 1; /* ended early, or bytes left over */
   elapsed = pgd_net_now_ms() - call->start_ms;
   return s->timeout_ms > 0 && elapsed + TICK_SLACK_MS >= s->timeout_ms;  /* timed out half-way */
}

/* The exchange failed: the connection is never used again.  What to report. */
static int broken(slot_t *s, int result)
{
   int was = SLOT_OPEN;
   short now = socket_state(s->command_fd);

   if (!atomic_compare_exchange_strong(&s->state, &was, SLOT_BROKEN) && was == SLOT_CLOSING)
      return PGD_ERR_CLOSED;   /* close() shut the socket down under us */
   if (now & (POLLRDHUP | POLLHUP | POLLERR)) return result == pigif_bad_send ? result : pigif_bad_recv;
   if (now & POLLIN) return pigif_bad_recv;  /* a reply longer than announced */
   return PGD_ERR_TIMEOUT;                   /* the daemon is there but did not answer */
}

/* Receive all of buf within what is left of the call's time-out: 0, or -1
   (EOF, a time-out or a failure). */
static int recv_rest(int fd, void *buf, size_t len, const pgd_call_t *call, int timeout_ms)
{
   size_t done = 0;

   while (done < len)
   {
      ssize_t n = recv(fd, (char *)buf + done, len - done, 0);
      if (n > 0) { done += (size_t)n; continue; }
      if (n == 0 || errno != EINTR) return -1;
      if (timeout_ms > 0 && pgd_net_now_ms() - call->start_ms >= timeout_ms) return -1;
   }
   return 0;
}

/* The library's recv() of a reply header failed with EINTR before reading
   anything: signals are blocked here, so only a stop and continue of the
   process (SIGSTOP/SIGCONT, Ctrl-Z then fg, a debugger) does that, with a
   time-out on the socket.  For a call without data the reply is just the
   header, still waiting in the socket: read it, and the exchange succeeded.
   Returns 1 and the result in *result, or 0 (the connection is broken). */
static int recover_interrupted(const slot_t *s, const pgd_call_t *call, int32_t *result)
{
   uint32_t reply[4];

   if (call->checks_data || errno != EINTR) return 0;
   if (recv_rest(s->command_fd, reply, sizeof(reply), call, s->timeout_ms)) return 0;
   *result = (int32_t)reply[3];
   return 1;
}

static int finish(pgd_call_t *call, int failed, int result)
{
   slot_t *s = &slots[call->pi];
   /* The kernel raises SIGPIPE only with a send() that fails with EPIPE (and
      the library returns at once after a failed send): on any other outcome
      there is no SIGPIPE of ours to look for, and sigpending() is saved. */
   int may_pipe = failed || errno == EPIPE;

   int32_t recovered;

   if (failed && result == pigif_bad_recv && recover_interrupted(s, call, &recovered))
   {
      failed = 0;
      result = recovered;
   }
   if (!failed && call->checks_data) failed = reply_incomplete(s, call);
   if (failed) result = broken(s, result);
   restore_signals(&call->saved, may_pipe);
   pthread_mutex_unlock(&s->lock);
   return result;
}

static int is_exchange_failure(int result)
{
   return result == pigif_bad_send || result == pigif_bad_recv || result == PGD_ERR_TIMEOUT;
}

int pgd_guard_leave(pgd_call_t *call, int result)
{
   return finish(call, is_exchange_failure(result), result);
}

int64_t pgd_guard_leave_u32(pgd_call_t *call, uint32_t value)
{
   /* A failure comes back as one of these codes cast to uint32_t, which is
      also a value the daemon can send: only a failed exchange tells. */
   int failed = 0, code = (int)value;
   int32_t recovered;

   if (code == pigif_bad_recv && recover_interrupted(&slots[call->pi], call, &recovered))
   {
      finish(call, 0, 0);
      return (int64_t)(uint32_t)recovered;
   }
   if (is_exchange_failure(code)) failed = reply_incomplete(&slots[call->pi], call);
   if (failed) return finish(call, 1, code);
   finish(call, 0, 0);
   return (int64_t)value;
}

/* ---- slots ------------------------------------------------------------------------ */

int pgd_slot_attach(int pi, int command_fd, int decoy_fd, int timeout_ms)
{
   slot_t *s = &slots[pi];
   int token;

   pthread_mutex_lock(&s->lock);
   s->command_fd = command_fd;
   s->decoy_fd = decoy_fd;
   s->timeout_ms = timeout_ms;
   atomic_store(&s->calls, 0);
   atomic_store(&s->state, SLOT_OPEN);
   token = (int)(atomic_load(&s->generation) << PI_BITS) | pi;
   pthread_mutex_unlock(&s->lock);
   return token;
}

int pgd_slot_close(int token)
{
   slot_t *s = slot_of(token);
   int state;

   if (!s || atomic_load(&s->generation) != (unsigned)token >> PI_BITS) return -1;
   state = atomic_load(&s->state);
   if (state != SLOT_OPEN && state != SLOT_BROKEN) return -1;
   /* Refuse new calls, and end the one in flight now rather than after the
      daemon's answer or the time-out: seeing the state, it reports
      PGD_ERR_CLOSED.  The fd stays open until pgd_slot_release. */
   atomic_store(&s->state, SLOT_CLOSING);
   shutdown(s->command_fd, SHUT_RDWR);
   pthread_mutex_lock(&s->lock);   /* the call in flight has left */
   pthread_mutex_unlock(&s->lock);
   return token & (MAX_PI - 1);
}

void pgd_slot_release(int pi)
{
   slot_t *s = &slots[pi];
   unsigned next = (atomic_load(&s->generation) + 1) & ((1u << (31 - PI_BITS)) - 1);

   pthread_mutex_lock(&s->lock);
   if (s->decoy_fd >= 0) close(s->decoy_fd);
   s->command_fd = s->decoy_fd = -1;
   atomic_store(&s->generation, next ? next : 1);
   atomic_store(&s->state, SLOT_FREE);
   pthread_mutex_unlock(&s->lock);
}

/* ---- what Python asks of a connection ------------------------------------------ */

int pgd_set_timeout(int token, int timeout_ms)
{
   pgd_call_t call;
   int refused = pgd_guard_enter(token, &call, 0);
   slot_t *s = slot_of(token);

   if (refused) return refused;
   s->timeout_ms = timeout_ms > 0 ? timeout_ms : 0;
   pgd_net_set_timeouts(s->command_fd, s->timeout_ms);
   return pgd_guard_leave(&call, 0);
}

int pgd_raw_command(int token, unsigned cmd, unsigned p1, unsigned p2)
{
   pgd_call_t call;
   int32_t res = 0;
   int refused = pgd_guard_enter(token, &call, 0), err;
   slot_t *s = slot_of(token);

   if (refused) return refused;
   err = pgd_net_command(s->command_fd, cmd, p1, p2, s->timeout_ms, &res);
   return pgd_guard_leave(&call, err ? err : res);
}

int pgd_check(int token)
{
   slot_t *s = slot_of(token);
   short now;
   int state;

   if (!s) return PGD_ERR_CLOSED;
   if (pthread_mutex_trylock(&s->lock)) return 0;  /* a call in flight: it will tell */
   state = atomic_load(&s->state);
   if (atomic_load(&s->generation) != (unsigned)token >> PI_BITS || state != SLOT_OPEN)
   {
      pthread_mutex_unlock(&s->lock);
      return state == SLOT_BROKEN ? PGD_ERR_BROKEN : PGD_ERR_CLOSED;
   }
   now = socket_state(s->command_fd);
   if (now) atomic_store(&s->state, SLOT_BROKEN);  /* closed, failed, or unasked-for bytes */
   pthread_mutex_unlock(&s->lock);
   return now ? pigif_bad_recv : 0;
}

unsigned pgd_calls(int token)
{
   slot_t *s = slot_of(token);
   return s ? atomic_load_explicit(&s->calls, memory_order_relaxed) : 0;
}
