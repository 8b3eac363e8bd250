/* test-silence.c: quietening a spinning back-end thread (fz-silence.h)
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * What the watchdog does to a stalled PortAudio stream's thread, on a
 * thread of the test's own that spins writing a line to stderr per turn,
 * as PortAudio 19.6's ALSA thread does once its PipeWire daemon is gone
 * (tests/engine/test-watchdog-pipewire.c has the real one, where
 * pipewire-alsa is installed).  The process's stderr is a file here,
 * measured.  Nothing sleeps: the main thread waits for counters.
 */
#define _GNU_SOURCE 1  /* SCHED_IDLE */
#include "config.h"

#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "fz-silence.h"
#include "flitzis-test.h"

#define LINE "Expression 'self->capture.ready || self->playback.ready' failed\n"
#define MARKER "test-silence: the application's own stderr\n"

typedef struct {
  gint turns;                   /* atomic: lines written */
  gint stop;                    /* atomic */
  gboolean block_signals;       /* the thread blocks every signal, */
  gint unblock;                 /* atomic: until this is set */
  pthread_t thread;             /* set before its first turn */
} Spinner;

static gpointer
spin (gpointer data)
{
  Spinner *spinner = data;

  spinner->thread = pthread_self ();
  if (spinner->block_signals)
    {
      sigset_t all;

      sigfillset (&all);
      pthread_sigmask (SIG_BLOCK, &all, NULL);
    }
  while (!g_atomic_int_get (&spinner->stop))
    {
      if (write (STDERR_FILENO, LINE, strlen (LINE)) < 0)
        break;
      g_atomic_int_inc (&spinner->turns);
      if (spinner->block_signals && g_atomic_int_get (&spinner->unblock))
        {
          /* Unblocked once the silencing has given up: a signal still
           * pending would be delivered now. */
          sigset_t all;

          sigfillset (&all);
          pthread_sigmask (SIG_UNBLOCK, &all, NULL);
          spinner->block_signals = FALSE;
        }
    }
  return NULL;
}

typedef struct {
  Spinner *spinner;
  gint target;
} TurnsWanted;

static gboolean
turns_reached (gpointer data)
{
  TurnsWanted *wanted = data;

  return g_atomic_int_get (&wanted->spinner->turns) >= wanted->target;
}

static void
wait_turns (Spinner *spinner, gint more)
{
  TurnsWanted wanted = { spinner, g_atomic_int_get (&spinner->turns) + more };

  g_assert_true (flitzis_test_wait_until (NULL, turns_reached, &wanted, 20000));
}

/* stderr into a file of @dir, for the time of a test. */
typedef struct {
  int saved;
  char *path;
} Capture;

static void
capture_begin (Capture *capture, const char *dir)
{
  int fd;

  capture->path = g_build_filename (dir, "stderr", NULL);
  fd = g_open (capture->path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND, 0600);
  g_assert_cmpint (fd, >=, 0);
  capture->saved = dup (STDERR_FILENO);
  g_assert_cmpint (dup2 (fd, STDERR_FILENO), ==, STDERR_FILENO);
  close (fd);
}

static gsize
capture_size (Capture *capture)
{
  GStatBuf st;

  g_assert_cmpint (g_stat (capture->path, &st), ==, 0);
  return (gsize) st.st_size;
}

static void
capture_end (Capture *capture)
{
  g_assert_cmpint (dup2 (capture->saved, STDERR_FILENO), ==, STDERR_FILENO);
  close (capture->saved);
  g_free (capture->path);
}

static gint app_signals;        /* atomic: the application's own handler ran */

static void
on_app_signal (int signum)
{
  (void) signum;
  g_atomic_int_inc (&app_signals);
}

/* The spinner silenced: it goes on turning, but its stderr writes go
 * nowhere (at most the line in flight lands); it runs at SCHED_IDLE; the
 * application's stderr still reaches the file; the application's own
 * handler for the signal is back, and gets that signal again. */
static void
test_spinner_silenced (void)
{
  g_autofree char *dir = flitzis_test_make_tmpdir ();
  int signum = SIGRTMIN + 10;
  struct sigaction app = { 0 }, now = { 0 };
  Spinner spinner = { 0 };
  Capture capture;
  GThread *thread;
  pthread_t spinner_thread;
  struct sched_param param;
  int policy;
  gsize at_silence, later;
  g_autofree char *text = NULL;

  app.sa_handler = on_app_signal;
  sigemptyset (&app.sa_mask);
  g_assert_cmpint (sigaction (signum, &app, NULL), ==, 0);
  capture_begin (&capture, dir);
  thread = g_thread_new ("spinner", spin, &spinner);
  wait_turns (&spinner, 100);
  spinner_thread = spinner.thread;

  g_assert_true (fz_silence_thread (spinner_thread, 1000));
  at_silence = capture_size (&capture);
  /* A thousand lines' worth (66 kB) would have been written.  At
   * SCHED_IDLE the spinner gets only what the machine leaves: with other
   * builds keeping both cores busy, some thousand turns a second. */
  wait_turns (&spinner, 1000);
  later = capture_size (&capture);
  g_assert_cmpuint (later - at_silence, <=, strlen (LINE));
  g_assert_cmpint (pthread_getschedparam (spinner_thread, &policy, &param), ==, 0);
  g_assert_cmpint (policy, ==, SCHED_IDLE);

  g_printerr ("%s", MARKER);
  g_assert_cmpuint (capture_size (&capture), ==, later + strlen (MARKER));
  g_atomic_int_set (&spinner.stop, TRUE);
  g_thread_join (thread);
  g_assert_true (g_file_get_contents (capture.path, &text, NULL, NULL));
  g_assert_true (g_str_has_suffix (text, MARKER));
  capture_end (&capture);
  g_test_message ("%d turns, %zu bytes written before the silencing, none after",
                  g_atomic_int_get (&spinner.turns), at_silence);

  g_assert_cmpint (sigaction (signum, NULL, &now), ==, 0);
  g_assert_true (now.sa_handler == on_app_signal);
  g_assert_cmpint (pthread_kill (pthread_self (), signum), ==, 0);
  g_assert_cmpint (g_atomic_int_get (&app_signals), ==, 1);
  app.sa_handler = SIG_DFL;
  sigaction (signum, &app, NULL);
  flitzis_test_remove_tree (dir);
}

/* A thread that blocks the signal does not answer: FALSE within the
 * wait, nothing changed, and the signal does not stay pending (its
 * default action would end the process once the thread unblocks it). */
static void
test_blocked_thread (void)
{
  g_autofree char *dir = flitzis_test_make_tmpdir ();
  Spinner spinner = { .block_signals = TRUE };
  Capture capture;
  GThread *thread;
  pthread_t spinner_thread;
  struct sched_param param;
  int policy;
  gsize before;

  capture_begin (&capture, dir);
  thread = g_thread_new ("spinner", spin, &spinner);
  wait_turns (&spinner, 100);
  spinner_thread = spinner.thread;

  g_assert_false (fz_silence_thread (spinner_thread, 50));
  g_assert_cmpint (pthread_getschedparam (spinner_thread, &policy, &param), ==, 0);
  g_assert_cmpint (policy, ==, SCHED_OTHER);
  /* The spinner unblocks every signal and goes on. */
  g_atomic_int_set (&spinner.unblock, TRUE);
  wait_turns (&spinner, 2000);
  before = capture_size (&capture);
  wait_turns (&spinner, 100);
  g_assert_cmpuint (capture_size (&capture), >, before);
  g_atomic_int_set (&spinner.stop, TRUE);
  g_thread_join (thread);
  capture_end (&capture);
  flitzis_test_remove_tree (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/engine/silence/spinner-silenced", test_spinner_silenced);
  g_test_add_func ("/engine/silence/blocked-thread", test_blocked_thread);
  return g_test_run ();
}
