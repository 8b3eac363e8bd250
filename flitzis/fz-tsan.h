/* fz-tsan.h: the library's own locks and hand-offs, made visible to ThreadSanitizer
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * GLib's GMutex is futex-based on Linux and lives in libglib, which is not
 * instrumented: ThreadSanitizer (`make check-tsan`) sees neither the lock
 * nor the order it imposes between threads, and reports every field that
 * a mutex protects as a race.  The same holds for the hand-offs that go
 * through GLib's own queues (a GTask to its worker thread, an idle
 * callback to its main context).  These wrappers tell it what happens:
 * acquire on the mutex's (or the object's) address after locking (or on
 * receiving), release before unlocking (or handing off).  Without
 * -fsanitize=thread they are the GLib calls alone.
 *
 * The mutex wrappers run on control threads only: the audio thread takes
 * no lock.  The audio thread calls fz_tsan_acquire() and fz_tsan_release()
 * on JACK's port buffers, whose hand-over from client to client JACK
 * orders (in libjack, which is not instrumented either); in a build
 * without ThreadSanitizer they are nothing.
 */
#pragma once

#include <stdint.h>
#include <glib.h>

#if defined(__SANITIZE_THREAD__)
# define FZ_TSAN 1
#elif defined(__has_feature)
# if __has_feature(thread_sanitizer)
#  define FZ_TSAN 1
# endif
#endif

#ifdef FZ_TSAN
# include <sanitizer/tsan_interface.h>
/* What was written before fz_tsan_release (@address) on one thread is seen
 * by another after its fz_tsan_acquire (@address). */
# define fz_tsan_acquire(address) __tsan_acquire ((void *) (uintptr_t) (address))
# define fz_tsan_release(address) __tsan_release ((void *) (uintptr_t) (address))
/* The calling thread's own accesses, to memory and to file descriptors,
 * from fz_tsan_ignore_begin() to fz_tsan_ignore_end() are not checked: for
 * the pieces of code whose order ThreadSanitizer cannot model at all:
 * fz-silence.c's signal handler, which leaves the process's file table
 * (ThreadSanitizer keeps one table for all threads), and the tests' JACK
 * capture's copy of the engine's port buffer when the capture is late
 * (tests/flitzis-test-jack.c). */
void __tsan_ignore_thread_begin (void);
void __tsan_ignore_thread_end (void);
# define fz_tsan_ignore_begin() __tsan_ignore_thread_begin ()
# define fz_tsan_ignore_end() __tsan_ignore_thread_end ()
#else
# define fz_tsan_acquire(address) ((void) (address))
# define fz_tsan_release(address) ((void) (address))
# define fz_tsan_ignore_begin() ((void) 0)
# define fz_tsan_ignore_end() ((void) 0)
#endif

static inline void
fz_mutex_lock (GMutex *mutex)
{
  g_mutex_lock (mutex);
  fz_tsan_acquire (mutex);
}

static inline gboolean
fz_mutex_trylock (GMutex *mutex)
{
  if (!g_mutex_trylock (mutex))
    return FALSE;
  fz_tsan_acquire (mutex);
  return TRUE;
}

static inline void
fz_mutex_unlock (GMutex *mutex)
{
  fz_tsan_release (mutex);
  g_mutex_unlock (mutex);
}

/* g_cond_wait_until() with @mutex held by fz_mutex_lock(): the wait
 * unlocks and locks again unseen by ThreadSanitizer (GLib's mutex is
 * futex-based), annotated as fz_mutex_unlock() and fz_mutex_lock() are. */
static inline gboolean
fz_cond_wait_until (GCond *cond, GMutex *mutex, gint64 end_time)
{
  gboolean signalled;

  fz_tsan_release (mutex);
  signalled = g_cond_wait_until (cond, mutex, end_time);
  fz_tsan_acquire (mutex);
  return signalled;
}
