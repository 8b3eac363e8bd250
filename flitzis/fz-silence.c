/* fz-silence.c: quietening a back-end thread, see fz-silence.h
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * PortAudio 19.6's ALSA thread, once the PipeWire daemon behind
 * pipewire-alsa's PCM dies, loops for ever inside
 * PaAlsaStream_WaitForFrames() (its error label jumps to itself, with
 * cancellation disabled), writing "Expression 'self->capture.ready ||
 * self->playback.ready' failed" to stderr each turn: 100 MB/s and more.
 * No PortAudio call stops it, and Debian's libportaudio2 exports no hook
 * for its debug output (PaUtil_SetDebugPrintFunction is not in its
 * dynamic symbols).  Only that thread can change what its own fd 2 is, so
 * it is taken off real time (SCHED_OTHER: a SCHED_FIFO thread spinning
 * without ever blocking would starve its core), then sent a signal whose
 * handler, on that thread:
 * - unshare(CLONE_FILES): the thread gets a copy of the process's file
 *   descriptor table, of its own;
 * - opens /dev/null onto fd 2 in that copy: the thread's stderr writes go
 *   nowhere, the application's stderr is untouched.
 * Once it has answered, the thread is lowered to SCHED_IDLE.  Not before:
 * the handler runs at the thread's policy, and on a machine whose cores
 * other work keeps busy an idle thread may not run for seconds.
 * The handler makes system calls that are async-signal-safe and uses no
 * stdio: the thread may hold stderr's stdio lock when the signal comes,
 * and it returns into that fprintf().  pthread_self() is a read of the
 * thread pointer in glibc.
 *
 * What it costs, documented in FlitzisAudioEngine:stall-timeout:
 * - the copied table holds every file descriptor the process had open at
 *   that moment for as long as the thread lives: for a thread left behind,
 *   until the process exits.  A socket or pipe the application closes
 *   later stays open underneath (its peer sees no end of file); the ALSA
 *   and PipeWire descriptors of the dead stream are kept either way.
 *   Closing them in the copy would change what the thread's next poll()
 *   does; a thread that is later joined frees the copy as it ends.
 * - the signal: SIGRTMIN + 10 unless FLITZIS_SILENCE_SIGNAL names another
 *   (0: never silence).  Its action is installed only for the time of one
 *   silencing (at most @wait_ms) and the previous one put back; a signal
 *   of that number sent to another thread meanwhile goes to the previous
 *   handler, if it was a function, and is otherwise ignored.  If the thread
 *   does not answer in time (it blocks that signal), the pending signal is
 *   discarded (SIG_IGN) before the previous action is put back.
 * - an interrupted system call: write() restarts (SA_RESTART); poll()
 *   returns EINTR, which PortAudio's ALSA thread retries after 1 ms.
 */
#define _GNU_SOURCE 1  /* unshare(), pipe2() */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <unistd.h>

#include "fz-silence.h"
#include "fz-tsan.h"

#ifndef SCHED_IDLE
#define SCHED_IDLE 5
#endif
#ifndef CLONE_FILES
#define CLONE_FILES 0x00000400
#endif

/* One silencing at a time, process-wide. */
static GMutex silence_mutex;
/* What the handler reads, set before the signal is sent. */
static pthread_t target;
static int answer_fd = -1;               /* the pipe's write end */
static int answer_read_fd = -1;
static struct sigaction previous;
static _Atomic int silenced;             /* 1 done, -1 unshare() failed */

/* The signal's number, or 0 for none. */
static int
silence_signal (void)
{
  const char *from_env = g_getenv ("FLITZIS_SILENCE_SIGNAL");
  guint64 value;

  if (from_env != NULL && g_ascii_string_to_unsigned (from_env, 10, 0, SIGRTMAX, &value, NULL))
    return value == 0 || (int) value >= SIGRTMIN ? (int) value : SIGRTMIN + 10;
  return SIGRTMIN + 10;
}

/* On whichever thread the signal reaches; async-signal-safe only. */
static void
on_silence_signal (int signum, siginfo_t *info, void *context)
{
  int saved_errno = errno;
  char done = 1;
  int null_fd;

  if (!pthread_equal (pthread_self (), target))
    {
      /* Not ours: the previous handler's, if it was a function. */
      if (previous.sa_handler != SIG_DFL && previous.sa_handler != SIG_IGN)
        {
          if (previous.sa_flags & SA_SIGINFO)
            previous.sa_sigaction (signum, info, context);
          else
            previous.sa_handler (signum);
        }
      errno = saved_errno;
      return;
    }
  /* From here on this thread has a file table of its own, which
   * ThreadSanitizer cannot tell from the process's (fz-tsan.h). */
  fz_tsan_ignore_begin ();
  if (unshare (CLONE_FILES) == 0)
    {
      null_fd = open ("/dev/null", O_WRONLY | O_CLOEXEC);
      if (null_fd >= 0)
        {
          dup2 (null_fd, STDERR_FILENO);
          close (null_fd);
        }
      atomic_store (&silenced, 1);
    }
  else
    atomic_store (&silenced, -1);
  if (write (answer_fd, &done, 1) < 0)
    (void) 0;
  /* This table's copy of the answer pipe is not needed any more. */
  if (atomic_load (&silenced) == 1)
    {
      close (answer_fd);
      close (answer_read_fd);
    }
  fz_tsan_ignore_end ();
  errno = saved_errno;
}

static gboolean
wait_for_answer (int read_fd, guint wait_ms)
{
  struct pollfd pfd = { .fd = read_fd, .events = POLLIN };
  gint64 deadline = g_get_monotonic_time () + (gint64) wait_ms * G_TIME_SPAN_MILLISECOND;
  int left_ms, n;

  do
    {
      left_ms = (int) MAX (0, (deadline - g_get_monotonic_time ()) / G_TIME_SPAN_MILLISECOND);
      n = poll (&pfd, 1, left_ms);
    }
  while (n < 0 && errno == EINTR);
  return n > 0;
}

gboolean
fz_silence_thread (pthread_t thread, guint wait_ms)
{
  struct sigaction action = { 0 }, ignore = { 0 };
  struct sched_param was = { 0 }, normal = { 0 };
  int signum = silence_signal ();
  int fds[2], policy;
  gboolean lowered, sent, answered;

  if (signum == 0 || pipe2 (fds, O_CLOEXEC) != 0)
    return FALSE;
  g_mutex_lock (&silence_mutex);
  lowered = pthread_getschedparam (thread, &policy, &was) == 0 && policy != SCHED_OTHER &&
            pthread_setschedparam (thread, SCHED_OTHER, &normal) == 0;
  target = thread;
  answer_fd = fds[1];
  answer_read_fd = fds[0];
  atomic_store (&silenced, 0);
  action.sa_sigaction = on_silence_signal;
  action.sa_flags = SA_SIGINFO | SA_RESTART;
  sigemptyset (&action.sa_mask);
  /* The previous action is known before the handler can run. */
  sent = sigaction (signum, NULL, &previous) == 0 && sigaction (signum, &action, NULL) == 0 &&
         pthread_kill (thread, signum) == 0;
  answered = sent && wait_for_answer (fds[0], wait_ms);
  if (answered)
    pthread_setschedparam (thread, SCHED_IDLE, &normal);
  else
    {
      /* Discards the signal if it is still pending on the thread, and
       * gives it its policy back: nothing changed. */
      ignore.sa_handler = SIG_IGN;
      sigaction (signum, &ignore, NULL);
      if (lowered)
        pthread_setschedparam (thread, policy, &was);
    }
  sigaction (signum, &previous, NULL);
  g_mutex_unlock (&silence_mutex);
  close (fds[0]);
  /* Sent but unanswered, the handler may yet be running: its write end
   * stays open (one descriptor), so that it never writes to a number
   * reused. */
  if (answered || !sent)
    close (fds[1]);
  return answered && atomic_load (&silenced) == 1;
}
