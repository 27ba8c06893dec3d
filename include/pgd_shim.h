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
#define PGD_ERR_CLOSED    -2103   /* the token's connection is closed */
#define PGD_ERR_BROKEN    -2104   /* an earlier exchange failed: not used again */

/* The notification handle the library is told it owns: never valid on a
   daemon (handles are 0-31), so the NC pigpio_stop() sends is harmless. */
#define PGD_DECOY_HANDLE  999999

/* Connect to host:port (NULL or "" = pigpio's defaults) within timeout_ms.
   Returns the connection's token (> 0), which every guarded call takes
   instead of the library's pi number, or a negative error code. */
int pgd_connect(const char *host, const char *port, int timeout_ms);

/* Close token's connection: new calls are refused, the call in flight ends
   (PGD_ERR_CLOSED), then the library's slot is freed.  Idempotent. */
void pgd_disconnect(int token);

/* Time-out of every later command, in ms (0 = none): 0 or an error. */
int pgd_set_timeout(int token, int timeout_ms);

/* One command without extension, sent as it is (commands the library gets
   wrong or lacks), through the guard: the daemon's result or an error. */
int pgd_raw_command(int token, unsigned cmd, unsigned p1, unsigned p2);

/* Look at an idle connection without sending anything: 0 while it seems
   up (or a call is in flight), else a negative code (closed by the peer,
   failed, or unasked-for bytes arrived: it is then broken). */
int pgd_check(int token);

/* How many calls the connection has admitted (wraps): idle while it stays. */
unsigned pgd_calls(int token);

#endif
