/* pigpiod-py command guard: what every libpigpiod_if2 call goes through.

   build_ffi.py generates one wrapper per library function from the header;
   each wrapper takes a session token instead of the library's pi number:

      int pgd_set_mode(int token, unsigned gpio, unsigned mode)
      {
         pgd_call_t call;
         int refused = pgd_guard_enter(token, &call, 0);
         if (refused) return refused;
         return pgd_guard_leave(&call, set_mode(call.pi, gpio, mode));
      }

   For the duration of the call the guard
   * holds the slot's call lock, so the call is "in flight": close() waits
     for it, and a token of a closed session (or of an earlier connection in
     the same library slot) is refused instead of reaching another daemon;
   * blocks every signal in the calling thread, so the library's recv() never
     fails with EINTR (a Python signal handler, SIGCHLD from subprocess...),
     and consumes a SIGPIPE the library's send() raised on a dead socket;
     only a stop and continue of the process still interrupts a recv(), and
     for a call without data the guard then reads the reply itself;
   * checks the outcome: a failed send/recv, or for calls that carry data a
     reply that timed out half-way, ended early or left bytes behind, marks
     the connection broken.  A broken connection is never used again, so a
     late reply can never be taken for a later command's.

   Not part of the binding's API: the cdef only sees the wrappers. */

#ifndef PGD_GUARD_H
#define PGD_GUARD_H

#include <signal.h>
#include <stdint.h>

typedef struct
{
   int pi;            /* the library's pi number, for the wrapped call */
   int checks_data;   /* the call carries data: check the whole reply */
   int64_t start_ms;  /* when the exchange started */
   sigset_t saved;    /* the caller's signal mask */
} pgd_call_t;

/* Admit a call on token's connection: 0, or PGD_ERR_CLOSED /
   PGD_ERR_BROKEN (nothing was sent; call pgd_guard_leave only after 0). */
int pgd_guard_enter(int token, pgd_call_t *call, int checks_data);

/* Finish a call: the result, or PGD_ERR_TIMEOUT / pigif_bad_recv /
   pigif_bad_send / PGD_ERR_CLOSED when the exchange failed. */
int pgd_guard_leave(pgd_call_t *call, int result);

/* The same for the library's uint32_t functions, whose failures look like
   large values: the value (0..2^32-1) or a negative error. */
int64_t pgd_guard_leave_u32(pgd_call_t *call, uint32_t value);

/* ---- slots (used by the connection code in pgd_shim.c) ------------------- */

/* Make pi's slot live for a new connection; returns its token (> 0). */
int pgd_slot_attach(int pi, int command_fd, int decoy_fd, int timeout_ms);

/* Close token's connection: refuse new calls, end the one in flight (the
   socket is shut down) and wait for it to leave.  Returns the library's pi,
   to stop the library and then pgd_slot_release it, or -1 when the token is
   not live (closed already).  The caller holds the lock that serialises
   connects and disconnects. */
int pgd_slot_close(int token);

/* Forget the slot's connection (the library was stopped); tokens of this
   connection are refused from now on. */
void pgd_slot_release(int pi);

/* Block every signal in this thread; the old mask goes to *saved. */
void pgd_block_signals(sigset_t *saved);

/* Undo pgd_block_signals, first consuming a SIGPIPE raised meanwhile. */
void pgd_restore_signals(const sigset_t *saved);

#endif
