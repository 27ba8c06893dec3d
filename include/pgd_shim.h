/* pigpiod-py shim: the C the binding adds around libpigpiod_if2.

   Connections.  pigpio_start() has three faults we must not inherit: a failed
   start keeps its slot for ever, commands have no time-out, and its
   notification thread prints to stderr and idles for ever when the daemon
   goes away.  pgd_connect() therefore connects to the daemon itself (with a
   time-out), lets pigpio_start() connect to a private loopback endpoint that
   answers its hand-shake, and then puts the daemon connection in place of the
   library's command socket.  The library's own notification socket stays
   connected to that private endpoint, which never sends anything, so its
   thread never wakes; events travel through the shim's own notification
   path instead. */

#ifndef PGD_SHIM_H
#define PGD_SHIM_H

/* Errors of the shim, outside the -2000..-2099 range of pigpiod_if2. */
#define PGD_ERR_TIMEOUT   -2100   /* no answer within the time-out */
#define PGD_ERR_HANDSHAKE -2101   /* the private hand-shake failed */
#define PGD_ERR_SYSTEM    -2102   /* socket or thread creation failed */

/* The notification handle the library is told it owns: never valid on a
   daemon (handles are 0-31), so the NC pigpio_stop() sends is harmless. */
#define PGD_DECOY_HANDLE  999999

/* Connect to host:port (NULL or "" = pigpio's defaults) within timeout_ms.
   Returns the pigpiod_if2 pi number (>= 0) or a negative error code. */
int pgd_connect(const char *host, const char *port, int timeout_ms);

/* Time-out of every later command of pi, in ms (0 = none). 0 or -1. */
int pgd_set_timeout(int pi, int timeout_ms);

/* The socket carrying pi's commands, or -1. */
int pgd_command_fd(int pi);

/* 1 when pi's daemon connection is closed or broken, 0 while it is up
   (an unanswered command then means a time-out, not a lost daemon). */
int pgd_peer_closed(int pi);

/* Release everything pgd_connect() made for pi (idempotent). */
void pgd_disconnect(int pi);

/* The same for a connection known to be broken (timed out, reset): the
   socket is shut down first, so nothing waits for the daemon. */
void pgd_abort(int pi);

#endif
