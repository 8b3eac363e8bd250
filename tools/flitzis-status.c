/* flitzis-status.c: the status line of play, render and latency
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A person at a terminal sees what is happening (where the play is, on
 * which device and rate, how to stop it, whether the device ran dry); a
 * script that reads the output sees only the final lines, exactly as
 * before.  So the line is drawn on stderr only when stderr is a terminal,
 * redrawn in place ("\r" and "\033[K"), and erased when the work ends.
 * Everything here runs on the main thread; the signal handler only sets a
 * flag.
 */
#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <glib/gi18n.h>

#include "flitzis-tool.h"

void
tool_status_init (ToolStatus *status)
{
  status->on_terminal = isatty (STDERR_FILENO);
  status->last = 0;
  status->shown = FALSE;
}

/* A line longer than the terminal is wide would wrap, and "\r" would then
 * redraw only its last row: it is cut to the width, by characters. */
static void
fit_to_terminal (char *line)
{
  struct winsize size;
  glong length = g_utf8_strlen (line, -1);

  if (ioctl (STDERR_FILENO, TIOCGWINSZ, &size) != 0 || size.ws_col < 2 ||
      length < size.ws_col)
    return;
  *g_utf8_offset_to_pointer (line, size.ws_col - 1) = '\0';
}

/* Redraws the line, unless it was drawn less than an interval ago and
 * @force is not set (the first and the last state are always drawn). */
void
tool_status_show (ToolStatus *status, gboolean force, const char *format, ...)
{
  g_autofree char *line = NULL;
  gint64 now = g_get_monotonic_time ();
  va_list args;

  if (!status->on_terminal)
    return;
  if (!force && status->shown && now - status->last < TOOL_STATUS_INTERVAL_MS * 1000)
    return;
  va_start (args, format);
  line = g_strdup_vprintf (format, args);
  va_end (args);
  fit_to_terminal (line);
  /* "\033[K" clears what a longer line left behind */
  fprintf (stderr, "\r%s\033[K", line);
  fflush (stderr);
  status->last = now;
  status->shown = TRUE;
}

/* Erases the line: the final lines that follow are what stays. */
void
tool_status_end (ToolStatus *status)
{
  if (status->shown)
    {
      fputs ("\r\033[K", stderr);
      fflush (stderr);
    }
  status->shown = FALSE;
}

/* "NAME (JACK)", or "default device (JACK)": what the engine plays on. */
char *
tool_device_label (FlitzisAudioEngine *engine)
{
  static const char *const backends[] = { "auto", "PipeWire", "JACK", "PortAudio" };
  g_autofree char *device = flitzis_audio_engine_dup_device (engine);
  FlitzisBackend backend = flitzis_audio_engine_get_active_backend (engine);
  const char *backend_name = (guint) backend < G_N_ELEMENTS (backends) ? backends[backend] : "?";

  /* TRANSLATORS: the device in the status line, e.g. "default device (JACK)" */
  return g_strdup_printf (_("%s (%s)"), device != NULL ? device : _("default device"),
                          backend_name);
}

guint64
tool_underruns (FlitzisAudioEngine *engine)
{
  g_autoptr (FlitzisEngineStats) stats = flitzis_audio_engine_get_stats (engine);

  /* The engine's own, not the xruns the server reports for the whole
   * graph (the final report names both). */
  return flitzis_engine_stats_get_underruns (stats);
}

static volatile sig_atomic_t interrupted;
static struct sigaction previous_int, previous_term;

static void
on_signal (int number)
{
  interrupted = 1;
}

void
tool_interrupt_catch (void)
{
  struct sigaction action = { .sa_handler = on_signal };

  interrupted = 0;
  sigemptyset (&action.sa_mask);
  sigaction (SIGINT, &action, &previous_int);
  sigaction (SIGTERM, &action, &previous_term);
}

gboolean
tool_interrupted (void)
{
  return interrupted != 0;
}

void
tool_interrupt_release (void)
{
  sigaction (SIGINT, &previous_int, NULL);
  sigaction (SIGTERM, &previous_term, NULL);
}
