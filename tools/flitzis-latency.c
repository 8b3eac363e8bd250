/* flitzis-latency.c: "flitzis latency", round trips on a device
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Measures, on the output device, N times each:
 * - ping → pong: from flitzis_audio_engine_ping() to the "pong" handler in
 *   this main loop (the control thread → audio thread → main loop path);
 * - trigger → start: from the stream's frame time when play_sample() is
 *   called to the voice's first frame ("sample-started"), in frames: 0
 *   means the voice starts in the very period that follows the call;
 * - trigger → output: that, plus the stream's output latency (the time
 *   the device takes to play a rendered frame), in milliseconds.  The wait
 *   for the next period to begin (up to one period, half on average) is
 *   not in it: the public API counts the stream's time in periods.
 * Measurements are spaced by a few milliseconds that are not a multiple of
 * the period, so they fall on every phase of it.  On a terminal a status
 * line shows how many are done; Ctrl-C stops early and prints what was
 * measured.  --json prints the results as one JSON object.  Main thread.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <unistd.h>

#include <signal.h>

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <glib-unix.h>
#include <sndfile.h>

#include "flitzis-tool.h"

#define SPACING_MS 7
#define DEADLINE_MS 10000         /* for the whole measurement */
#define CLICK_FRAMES 16
#define LABEL_WIDTH 18

typedef struct {
  FlitzisAudioEngine *engine;
  GMainLoop *main_loop;
  guint count;
  GArray *ping_ms;              /* of double */
  GArray *start_frames;         /* of double */
  gint64 ping_sent;
  guint64 trigger_frame;
  gboolean waiting;
  gboolean timed_out;
  gboolean interrupted;
  gboolean json;
  GError *error;
  ToolStatus status;
  char *device;                 /* as the status line names it */
} Latency;

static gboolean measure_next (gpointer data);

static void
fail (Latency *latency, GError *error)
{
  if (latency->error == NULL)
    latency->error = error;
  else
    g_error_free (error);
  g_main_loop_quit (latency->main_loop);
}

/* "Measuring 37/100 on default device (JACK), 48000 Hz, 0 underruns
 * (Ctrl-C to stop)" */
static void
show_status (Latency *latency, gboolean force)
{
  guint64 underruns = tool_underruns (latency->engine);

  tool_status_show (&latency->status, force,
                    g_dngettext (GETTEXT_PACKAGE,
                                 "Measuring %u/%u on %s, %u Hz, %llu underrun (Ctrl-C to stop)",
                                 "Measuring %u/%u on %s, %u Hz, %llu underruns (Ctrl-C to stop)",
                                 underruns),
                    latency->start_frames->len, latency->count, latency->device,
                    flitzis_audio_engine_get_sample_rate (latency->engine),
                    (unsigned long long) underruns);
}

static void
schedule_next (Latency *latency)
{
  latency->waiting = FALSE;
  show_status (latency, FALSE);
  if (latency->start_frames->len == latency->count)
    g_main_loop_quit (latency->main_loop);
  else
    g_timeout_add (SPACING_MS, measure_next, latency);
}

static void
on_pong (FlitzisAudioEngine *engine, guint64 frame, Latency *latency)
{
  double ms = (g_get_monotonic_time () - latency->ping_sent) / 1000.0;
  GError *error = NULL;

  g_array_append_val (latency->ping_ms, ms);
  latency->trigger_frame = flitzis_audio_engine_get_frame_time (engine);
  if (!flitzis_audio_engine_play_sample (engine, 0, 1.0f, &error))
    fail (latency, error);
}

static void
on_sample_started (FlitzisAudioEngine *engine, guint slot, guint64 frame, Latency *latency)
{
  double frames = frame >= latency->trigger_frame ? (double) (frame - latency->trigger_frame) : 0;

  g_array_append_val (latency->start_frames, frames);
}

static void
on_sample_finished (FlitzisAudioEngine *engine, guint slot, guint64 frame, Latency *latency)
{
  schedule_next (latency);
}

static void
on_stream_error (FlitzisAudioEngine *engine, const GError *error, guint64 frame,
                 Latency *latency)
{
  fail (latency, g_error_copy (error));
}

/* One measurement: a ping; its pong triggers the click. */
static gboolean
measure_next (gpointer data)
{
  Latency *latency = data;
  GError *error = NULL;

  latency->waiting = TRUE;
  latency->ping_sent = g_get_monotonic_time ();
  if (!flitzis_audio_engine_ping (latency->engine, &error))
    fail (latency, error);
  return G_SOURCE_REMOVE;
}

static gboolean
on_interrupt (gpointer data)
{
  Latency *latency = data;

  latency->interrupted = TRUE;
  g_main_loop_quit (latency->main_loop);
  return G_SOURCE_CONTINUE;
}

static gboolean
on_deadline (gpointer data)
{
  Latency *latency = data;

  latency->timed_out = TRUE;
  g_main_loop_quit (latency->main_loop);
  return G_SOURCE_REMOVE;
}

/* A short click in a temporary file, loaded into slot 0 and removed. */
static gboolean
load_click (FlitzisAudioEngine *engine, GError **error)
{
  g_autofree char *path = NULL;
  float click[CLICK_FRAMES] = { 0.5f };
  SF_INFO info = { .samplerate = 48000, .channels = 1, .format = SF_FORMAT_WAV | SF_FORMAT_FLOAT };
  SNDFILE *file;
  int fd = g_file_open_tmp ("flitzis-latency-XXXXXX.wav", &path, error);
  gboolean ok;

  if (fd < 0)
    return FALSE;
  file = sf_open_fd (fd, SFM_WRITE, &info, SF_TRUE);
  if (file == NULL)
    close (fd);
  ok = file != NULL && sf_writef_float (file, click, CLICK_FRAMES) == CLICK_FRAMES;
  if (!ok)
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, _("Cannot write “%s”: %s"), path,
                 sf_strerror (file));
  if (file != NULL)
    sf_close (file);
  ok = ok && flitzis_audio_engine_load_sample (engine, 0, path, error);
  g_unlink (path);
  return ok;
}

static double
percentile (GArray *values, double p)
{
  guint index = (guint) ceil (p * values->len);

  return g_array_index (values, double, index > 0 ? index - 1 : 0);
}

static int
compare_doubles (gconstpointer a, gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

/* printf() pads by bytes; labels such as "ping → pong" need characters. */
static void
print_label (const char *label)
{
  glong pad = LABEL_WIDTH - g_utf8_strlen (label, -1);

  g_print ("%s%*s", label, (int) MAX (pad, 0), "");
}

static void
print_row (const char *what, GArray *values, double scale, double offset, const char *unit)
{
  g_array_sort (values, compare_doubles);
  print_label (what);
  g_print (" %8.2f %8.2f %8.2f  %s\n", percentile (values, 0) * scale + offset,
           percentile (values, 0.5) * scale + offset, percentile (values, 0.99) * scale + offset,
           unit);
}

static void
json_row (GString *out, const char *name, GArray *values, double scale, double offset)
{
  g_array_sort (values, compare_doubles);
  g_string_append_printf (out, ", \"%s\": {\"min\": ", name);
  tool_json_double (out, percentile (values, 0) * scale + offset);
  g_string_append (out, ", \"median\": ");
  tool_json_double (out, percentile (values, 0.5) * scale + offset);
  g_string_append (out, ", \"p99\": ");
  tool_json_double (out, percentile (values, 0.99) * scale + offset);
  g_string_append (out, "}");
}

/* One object, on one line: the same figures as the table, in the units
 * their names end with. */
static void
print_json (Latency *latency)
{
  double rate = flitzis_audio_engine_get_sample_rate (latency->engine);
  double output_ms = 1000 * flitzis_audio_engine_get_latency (latency->engine);
  g_autofree char *device = flitzis_audio_engine_dup_device (latency->engine);
  g_autoptr (GString) out = g_string_new ("{\"device\": ");

  tool_json_string (out, device);
  g_string_append (out, ", \"sample_rate\": ");
  tool_json_double (out, rate);
  g_string_append (out, ", \"output_latency_ms\": ");
  tool_json_double (out, output_ms);
  g_string_append_printf (out, ", \"measurements\": %u, \"underruns\": %llu",
                          latency->start_frames->len,
                          (unsigned long long) tool_underruns (latency->engine));
  json_row (out, "ping_pong_ms", latency->ping_ms, 1, 0);
  json_row (out, "trigger_start_frames", latency->start_frames, 1, 0);
  json_row (out, "trigger_output_ms", latency->start_frames, 1000 / rate, output_ms);
  g_print ("%s}\n", out->str);
}

static void
print_results (Latency *latency)
{
  double rate = flitzis_audio_engine_get_sample_rate (latency->engine);
  double output_ms = 1000 * flitzis_audio_engine_get_latency (latency->engine);
  g_autofree char *device = flitzis_audio_engine_dup_device (latency->engine);

  g_print (g_dngettext (GETTEXT_PACKAGE,
                        "Device: %s, %.0f Hz, output latency %.2f ms, %u measurement\n",
                        "Device: %s, %.0f Hz, output latency %.2f ms, %u measurements\n",
                        latency->start_frames->len),
           device != NULL ? device : _("(the default)"), rate, output_ms,
           latency->start_frames->len);
  print_label ("");
  g_print (" %8s %8s %8s\n", _("min"), _("median"), _("p99"));
  print_row (_("ping → pong"), latency->ping_ms, 1, 0, "ms");
  print_row (_("trigger → start"), latency->start_frames, 1, 0, _("frames"));
  print_row (_("trigger → output"), latency->start_frames, 1000 / rate, output_ms, "ms");
}

static int
measure (Latency *latency)
{
  g_autoptr (GError) error = NULL;
  guint deadline, interrupt, terminate;

  if (!flitzis_audio_engine_run (latency->engine, &error))
    return tool_engine_error (error);
  if (!load_click (latency->engine, &error))
    return tool_error (error);
  g_signal_connect (latency->engine, "pong", G_CALLBACK (on_pong), latency);
  g_signal_connect (latency->engine, "sample-started", G_CALLBACK (on_sample_started), latency);
  g_signal_connect (latency->engine, "sample-finished", G_CALLBACK (on_sample_finished), latency);
  g_signal_connect (latency->engine, "stream-error", G_CALLBACK (on_stream_error), latency);

  latency->device = tool_device_label (latency->engine);
  tool_status_init (&latency->status);
  show_status (latency, TRUE);
  deadline = g_timeout_add (DEADLINE_MS + latency->count * 50, on_deadline, latency);
  interrupt = g_unix_signal_add (SIGINT, on_interrupt, latency);
  terminate = g_unix_signal_add (SIGTERM, on_interrupt, latency);
  measure_next (latency);
  g_main_loop_run (latency->main_loop);
  g_source_remove (interrupt);
  g_source_remove (terminate);
  tool_status_end (&latency->status);
  g_clear_pointer (&latency->device, g_free);
  if (!latency->timed_out)
    g_source_remove (deadline);
  if (latency->error != NULL)
    return tool_error (latency->error);
  if (latency->interrupted)
    {
      g_printerr (g_dngettext (GETTEXT_PACKAGE,
                               "flitzis latency: stopped by Ctrl-C after %u of %u measurement\n",
                               "flitzis latency: stopped by Ctrl-C after %u of %u measurements\n",
                               latency->count),
                  latency->start_frames->len, latency->count);
      if (latency->start_frames->len == 0)
        return TOOL_EXIT_INTERRUPTED;
      latency->json ? print_json (latency) : print_results (latency);
      return TOOL_EXIT_INTERRUPTED;
    }
  if (latency->timed_out)
    {
      g_printerr (g_dngettext (GETTEXT_PACKAGE,
                               "flitzis latency: only %u of %u measurement finished in time; "
                               "is the device playing?\n",
                               "flitzis latency: only %u of %u measurements finished in time; "
                               "is the device playing?\n", latency->count),
                  latency->start_frames->len, latency->count);
      return TOOL_EXIT_FAILED;
    }
  latency->json ? print_json (latency) : print_results (latency);
  return TOOL_EXIT_OK;
}

int
tool_latency (int argc, char **argv)
{
  int count = 100, period = 0;
  gboolean json = FALSE;
  g_autofree char *device = NULL;
  const GOptionEntry entries[] = {
    { "count", 'n', 0, G_OPTION_ARG_INT, &count,
      N_("Measure N times (default 100)"), N_("N") },
    { "device", 'd', 0, G_OPTION_ARG_STRING, &device,
      N_("Measure the output device NAME (see “flitzis devices”)"), N_("NAME") },
    { "period", 0, 0, G_OPTION_ARG_INT, &period,
      N_("Audio period in frames (default: the device’s choice)"), N_("FRAMES") },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json,
      N_("Print the results as one JSON object, for scripts"), NULL },
    G_OPTION_ENTRY_NULL
  };
  g_autoptr (GOptionContext) context = g_option_context_new (NULL);
  g_autoptr (FlitzisAudioEngine) engine = flitzis_audio_engine_new ();
  g_autoptr (GMainLoop) main_loop = g_main_loop_new (NULL, FALSE);
  g_autoptr (GArray) ping_ms = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr (GArray) start_frames = g_array_new (FALSE, FALSE, sizeof (double));
  Latency latency = { engine, main_loop, 0, ping_ms, start_frames };
  int status;

  g_option_context_set_summary (context, _("Measures ping → pong round trips and trigger → "
                                           "output times on the output device, and prints "
                                           "their minimum, median and 99th percentile."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!tool_parse_options (context, &argc, &argv))
    return TOOL_EXIT_USAGE;
  if (argc > 1)
    return tool_usage_error (argv[0], _("“%s” is not an option"), argv[1]);
  if (count < 1 || count > 100000)
    return tool_usage_error (argv[0], _("the count must be from 1 to 100000"));
  if (period < 0 || period > 8192)
    return tool_usage_error (argv[0], _("the period must be from 1 to %d frames, or 0 for the "
                                        "device’s choice"), 8192);
  latency.count = (guint) count;
  latency.json = json;
  flitzis_audio_engine_set_device (engine, device);
  flitzis_audio_engine_set_period_frames (engine, (guint) period);
  status = measure (&latency);
  g_clear_error (&latency.error);
  flitzis_audio_engine_shut_down (engine);
  return status;
}
