/* flitzis-play.c: "flitzis play", files or a pattern on an output device
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Files are loaded into slots 0, 1, … and started together, at one frame
 * of the stream (play_sample_at()).  A pattern's hits are queued a quarter
 * of a second ahead of the stream from a main-loop timeout, each at its
 * exact frame, so timing does not depend on when the main loop wakes up.
 * The tool exits when every voice it started has finished; --loop plays
 * until Ctrl-C.  Ctrl-C stops every voice with the engine's fade and
 * shuts the engine down cleanly.  Everything here runs on the main
 * thread; the engine's signals arrive there too.  On a terminal a status
 * line shows the position, the device, the rate and the underruns so far.
 * With --midi PORT the files wait for MIDI instead: the engine's own MIDI
 * input port (JACK's, or FLITZIS_BACKEND's) is connected to PORT, and the
 * notes of a MIDI map (--midi-map FILE, or notes 36, 37, … for slots 0,
 * 1, …) start them,
 * each at its frame of the audio period, until Ctrl-C.
 */
#include "config.h"

#include <signal.h>

#include <glib/gi18n.h>
#include <glib-unix.h>

#include "flitzis-pattern.h"
#include "flitzis-tool.h"

#define TICK_MS 25
#define LEAD_SECONDS 0.05        /* from now to the first frame played */
#define AHEAD_SECONDS 0.25       /* how far ahead pattern hits are queued */
#define STOP_DEADLINE_MS 2000    /* for the fades after Ctrl-C */
#define MAX_PERIOD 8192

typedef struct {
  char *device;
  gboolean loop;
  double volume;                 /* < 0: the pattern's, or 1 */
  int period;
  char *pattern;
  char *midi;                    /* a JACK MIDI output port, or NULL */
  char *midi_map;                /* a MIDI map file, or NULL */
  char **files;
} PlayOptions;

typedef struct {
  FlitzisAudioEngine *engine;
  GMainLoop *main_loop;
  int status;
  gboolean loop;
  guint rate;
  guint64 origin;                /* the stream frame at which playing starts */
  guint64 duration;              /* frames of one pass; 0 when unknown */
  /* What was queued, and what came of it. */
  guint64 queued, started, finished, dropped, late;
  gboolean all_queued;
  gboolean stopping;
  /* A pattern, queued ahead of the stream. */
  const Pattern *pattern;
  GArray *events;
  guint next_event;
  guint64 next_repeat;
  ToolStatus status_line;
  char *device;                  /* as the status line names it */
} Player;

static void
check_finished (Player *player)
{
  gboolean done;

  if (player->stopping)
    done = player->finished >= player->started;
  else
    done = player->all_queued && player->finished + player->dropped >= player->queued;
  if (done)
    g_main_loop_quit (player->main_loop);
}

static void
on_sample_started (FlitzisAudioEngine *engine, guint slot, guint64 frame, Player *player)
{
  player->started++;
}

static void
on_sample_finished (FlitzisAudioEngine *engine, guint slot, guint64 frame, Player *player)
{
  player->finished++;
  check_finished (player);
}

static void
on_voice_dropped (FlitzisAudioEngine *engine, guint slot, guint64 frame, Player *player)
{
  player->dropped++;
  check_finished (player);
}

static void
on_trigger_late (FlitzisAudioEngine *engine, guint slot, guint64 frame, guint64 late,
                 Player *player)
{
  player->late++;
}

static void
on_stream_error (FlitzisAudioEngine *engine, const GError *error, guint64 frame,
                 Player *player)
{
  tool_error (error);
  player->status = TOOL_EXIT_FAILED;
  g_main_loop_quit (player->main_loop);
}

static gboolean
queue_at (Player *player, guint slot, float velocity, guint64 frame)
{
  g_autoptr (GError) error = NULL;

  if (!flitzis_audio_engine_play_sample_at (player->engine, slot, velocity, frame, &error))
    {
      tool_error (error);
      player->status = TOOL_EXIT_FAILED;
      g_main_loop_quit (player->main_loop);
      return FALSE;
    }
  player->queued++;
  return TRUE;
}

/* Queues the pattern's hits that fall before @until. */
static void
queue_pattern (Player *player, guint64 until)
{
  guint64 length = pattern_length_frames (player->pattern, player->rate);

  while (!player->all_queued)
    {
      PatternEvent *event = &g_array_index (player->events, PatternEvent, player->next_event);
      guint64 frame = player->origin + player->next_repeat * length + event->frame;

      if (frame >= until || !queue_at (player, event->slot, event->velocity, frame))
        return;
      if (++player->next_event == player->events->len)
        {
          player->next_event = 0;
          player->next_repeat++;
          player->all_queued = !player->loop && player->next_repeat == player->pattern->repeat;
        }
    }
}

/* "Playing 1.2 / 3.0 s on default device (JACK), 48000 Hz, 0 underruns
 * (Ctrl-C to stop)". */
static void
show_status (Player *player, guint64 now, gboolean force)
{
  double position = now > player->origin ? (double) (now - player->origin) / player->rate : 0;
  double duration = (double) player->duration / player->rate;
  guint64 underruns = tool_underruns (player->engine);
  g_autofree char *where = NULL;

  if (player->loop)
    where = g_strdup_printf (_("%.1f s, looping,"), position);
  else if (player->duration > 0)
    where = g_strdup_printf ("%.1f / %.1f s", MIN (position, duration), duration);
  else
    where = g_strdup_printf ("%.1f s", position);
  tool_status_show (&player->status_line, force,
                    g_dngettext (GETTEXT_PACKAGE, "Playing %s on %s, %u Hz, %llu underrun (%s)",
                                 "Playing %s on %s, %u Hz, %llu underruns (%s)", underruns),
                    where, player->device, player->rate, (unsigned long long) underruns,
                    player->stopping ? _("fading out") : _("Ctrl-C to stop"));
}

static gboolean
on_tick (gpointer data)
{
  Player *player = data;
  guint64 now = flitzis_audio_engine_get_frame_time (player->engine);

  if (player->pattern != NULL && !player->stopping)
    queue_pattern (player, now + (guint64) (AHEAD_SECONDS * player->rate));
  show_status (player, now, FALSE);
  return G_SOURCE_CONTINUE;
}

static gboolean
on_stop_deadline (gpointer data)
{
  Player *player = data;

  g_main_loop_quit (player->main_loop);
  return G_SOURCE_REMOVE;
}

/* Ctrl-C (or SIGTERM): every voice fades out, then the tool exits; a
 * second Ctrl-C does not wait for the fades. */
static gboolean
on_interrupt (gpointer data)
{
  Player *player = data;
  g_autoptr (GError) error = NULL;

  if (player->stopping || !flitzis_audio_engine_stop_all (player->engine, &error))
    {
      g_main_loop_quit (player->main_loop);
      return G_SOURCE_CONTINUE;
    }
  player->stopping = TRUE;
  player->status = player->loop ? TOOL_EXIT_OK : TOOL_EXIT_INTERRUPTED;
  g_timeout_add (STOP_DEADLINE_MS, on_stop_deadline, player);
  check_finished (player);
  return G_SOURCE_CONTINUE;
}

static guint64
longest_sample (FlitzisAudioEngine *engine, guint n)
{
  guint64 longest = 0;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr (FlitzisSampleInfo) info = flitzis_audio_engine_dup_sample_info (engine, i, NULL);

      if (info != NULL)
        longest = MAX (longest, flitzis_sample_info_get_frames (info));
    }
  return longest;
}

static gboolean
start_files (Player *player, guint n_files, GError **error)
{
  for (guint i = 0; i < n_files; i++)
    {
      if (player->loop &&
          !flitzis_audio_engine_set_sample_loop (player->engine, i, TRUE, 0, 0, error))
        return FALSE;
      if (!queue_at (player, i, 1.0f, player->origin))
        return FALSE;
    }
  player->all_queued = TRUE;
  player->duration = player->loop ? 0 : longest_sample (player->engine, n_files);
  return TRUE;
}

static void
start_pattern (Player *player)
{
  player->events = pattern_events (player->pattern, player->rate);
  player->duration = pattern_length_frames (player->pattern, player->rate) *
                     player->pattern->repeat;
  player->all_queued = player->events->len == 0;
  queue_pattern (player, player->origin + (guint64) (AHEAD_SECONDS * player->rate));
}

static void
connect_signals (Player *player)
{
  g_signal_connect (player->engine, "sample-started", G_CALLBACK (on_sample_started), player);
  g_signal_connect (player->engine, "sample-finished", G_CALLBACK (on_sample_finished), player);
  g_signal_connect (player->engine, "voice-dropped", G_CALLBACK (on_voice_dropped), player);
  g_signal_connect (player->engine, "trigger-late", G_CALLBACK (on_trigger_late), player);
  g_signal_connect (player->engine, "stream-error", G_CALLBACK (on_stream_error), player);
}

/* Nothing is lost silently: whatever did not play as asked is told. */
static void
report_losses (Player *player)
{
  g_autoptr (FlitzisEngineStats) stats = flitzis_audio_engine_get_stats (player->engine);
  guint64 underruns = flitzis_engine_stats_get_underruns (stats);
  guint64 xruns = flitzis_engine_stats_get_xruns (stats);
  /* The server reports the engine's own late periods as xruns too. */
  guint64 elsewhere = xruns > underruns ? xruns - underruns : 0;
  guint64 lost = flitzis_engine_stats_get_dropped_events (stats);

  if (player->dropped > 0)
    g_printerr (g_dngettext (GETTEXT_PACKAGE,
                             "flitzis play: %llu sound was dropped: more than %u voices would "
                             "have played at once\n",
                             "flitzis play: %llu sounds were dropped: more than %u voices would "
                             "have played at once\n", TOOL_PLURAL (player->dropped)),
                (unsigned long long) player->dropped, FLITZIS_MAX_VOICES);
  if (player->late > 0)
    g_printerr (g_dngettext (GETTEXT_PACKAGE, "flitzis play: %llu sound started late\n",
                             "flitzis play: %llu sounds started late\n",
                             TOOL_PLURAL (player->late)),
                (unsigned long long) player->late);
  if (underruns > 0)
    g_printerr (g_dngettext (GETTEXT_PACKAGE,
                             "flitzis play: the engine's own stream ran out of audio %llu time "
                             "(its underrun: a period came too late)\n",
                             "flitzis play: the engine's own stream ran out of audio %llu times "
                             "(its underruns: a period came too late)\n",
                             TOOL_PLURAL (underruns)),
                (unsigned long long) underruns);
  if (elsewhere > 0)
    g_printerr (g_dngettext (GETTEXT_PACKAGE,
                             "flitzis play: the sound server reported %llu xrun caused elsewhere "
                             "(by another client or the server itself, not by this engine)\n",
                             "flitzis play: the sound server reported %llu xruns caused elsewhere "
                             "(by another client or the server itself, not by this engine)\n",
                             TOOL_PLURAL (elsewhere)),
                (unsigned long long) elsewhere);
  if (lost > 0)
    g_printerr (g_dngettext (GETTEXT_PACKAGE, "flitzis play: %llu engine event was lost\n",
                             "flitzis play: %llu engine events were lost\n", TOOL_PLURAL (lost)),
                (unsigned long long) lost);
}

/* The files wait for MIDI: note 36 + i plays slot i, unless a map says
 * otherwise (set before run()). */
static gboolean
start_midi (Player *player, const PlayOptions *options, guint n_files, GError **error)
{
  if (options->midi_map == NULL)
    {
      g_autoptr (GString) map = g_string_new ("flitzis-midi-map 1\n");

      for (guint i = 0; i < n_files && 36 + i <= 127; i++)
        g_string_append_printf (map, "note %u slot %u\n", 36 + i, i);
      if (!flitzis_audio_engine_set_midi_map_from_string (player->engine, map->str, error))
        return FALSE;
    }
  if (!flitzis_audio_engine_connect_midi_input (player->engine, options->midi, error))
    return FALSE;
  player->loop = TRUE;
  player->all_queued = FALSE;
  if (options->midi_map == NULL)
    g_print (_("flitzis play: notes %u to %u of “%s” play the files; Ctrl-C stops\n"), 36u,
             MIN (36u + n_files - 1, 127u), options->midi);
  else
    g_print (_("flitzis play: “%s” plays the files through the MIDI map; Ctrl-C stops\n"),
             options->midi);
  return TRUE;
}

static int
play (Player *player, const PlayOptions *options)
{
  g_autoptr (GError) error = NULL;
  guint n_files = options->files != NULL ? g_strv_length (options->files) : 0;
  guint ticker, interrupt, terminate;

  if (!flitzis_audio_engine_run (player->engine, &error))
    return tool_engine_error (error);
  if (player->pattern != NULL)
    {
      const char **paths = g_new (const char *, player->pattern->samples->len + 1);

      for (guint i = 0; i < player->pattern->samples->len; i++)
        paths[i] = ((PatternSample *) g_ptr_array_index (player->pattern->samples, i))->path;
      tool_load_samples (player->engine, paths, player->pattern->samples->len, &error);
      g_free (paths);
    }
  else
    tool_load_samples (player->engine, (const char * const *) options->files, n_files, &error);
  if (error != NULL)
    return tool_error (error);

  connect_signals (player);
  player->rate = flitzis_audio_engine_get_sample_rate (player->engine);
  player->origin = flitzis_audio_engine_get_frame_time (player->engine) +
                   (guint64) (LEAD_SECONDS * player->rate);
  if (options->midi != NULL)
    {
      if (!start_midi (player, options, n_files, &error))
        return tool_error (error);
    }
  else if (player->pattern != NULL)
    start_pattern (player);
  else if (!start_files (player, n_files, &error))
    return tool_error (error);

  player->device = tool_device_label (player->engine);
  tool_status_init (&player->status_line);
  show_status (player, flitzis_audio_engine_get_frame_time (player->engine), TRUE);
  ticker = g_timeout_add (TICK_MS, on_tick, player);
  interrupt = g_unix_signal_add (SIGINT, on_interrupt, player);
  terminate = g_unix_signal_add (SIGTERM, on_interrupt, player);
  check_finished (player);
  g_main_loop_run (player->main_loop);
  g_source_remove (ticker);
  g_source_remove (interrupt);
  g_source_remove (terminate);
  tool_status_end (&player->status_line);
  g_clear_pointer (&player->device, g_free);
  report_losses (player);
  flitzis_audio_engine_shut_down (player->engine);
  return player->status;
}

static int
check_options (const char *command, PlayOptions *options)
{
  guint n_files = options->files != NULL ? g_strv_length (options->files) : 0;

  if (options->pattern != NULL && n_files > 0)
    return tool_usage_error (command, _("give sample files or --pattern, not both"));
  if (options->midi != NULL && options->pattern != NULL)
    return tool_usage_error (command, _("give sample files with --midi, not a pattern"));
  if (options->midi == NULL && options->midi_map != NULL)
    return tool_usage_error (command, _("--midi-map needs --midi PORT"));
  if (options->pattern == NULL && n_files == 0)
    return tool_usage_error (command, _("give the sample files to play, or --pattern FILE"));
  if (n_files > FLITZIS_MAX_SAMPLE_SLOTS)
    return tool_usage_error (command, g_dngettext (GETTEXT_PACKAGE,
                                                   "%u file given: at most %u play at once",
                                                   "%u files given: at most %u play at once",
                                                   n_files),
                             n_files, FLITZIS_MAX_SAMPLE_SLOTS);
  if (options->period < 0 || options->period > MAX_PERIOD)
    return tool_usage_error (command, _("the period must be from 1 to %d frames, or 0 for the "
                                        "device’s choice"), MAX_PERIOD);
  return TOOL_EXIT_OK;
}

static int
play_with_options (const char *command, PlayOptions *options)
{
  g_autoptr (FlitzisAudioEngine) engine = flitzis_audio_engine_new ();
  g_autoptr (GMainLoop) main_loop = g_main_loop_new (NULL, FALSE);
  g_autoptr (Pattern) pattern = NULL;
  g_autoptr (GError) error = NULL;
  Player player = { engine, main_loop, TOOL_EXIT_OK, options->loop };
  double volume = options->volume;
  int status;

  if (options->pattern != NULL && (pattern = pattern_load (options->pattern, &error)) == NULL)
    return tool_error (error);
  if (volume < 0)
    volume = pattern != NULL ? pattern->volume : 1.0;
  if (!flitzis_audio_engine_set_volume (engine, volume, &error))
    return tool_usage_error (command, "%s", error->message);
  if (pattern != NULL && !pattern_set_clock (pattern, engine, &error))
    return tool_error (error);
  flitzis_audio_engine_set_device (engine, options->device);
  flitzis_audio_engine_set_period_frames (engine, (guint) options->period);
  if (options->midi != NULL)
    {
      /* The MIDI port is the JACK back-end's, or with FLITZIS_BACKEND set
       * (pipewire: the native node's, PORT then a "node:port" name) that
       * back-end's. */
      flitzis_audio_engine_set_midi_input (engine, TRUE);
      if (g_getenv ("FLITZIS_BACKEND") == NULL || *g_getenv ("FLITZIS_BACKEND") == '\0')
        flitzis_audio_engine_set_backend (engine, FLITZIS_BACKEND_JACK);
      if (options->midi_map != NULL && !flitzis_audio_engine_load_midi_map (engine, options->midi_map,
                                                                             &error))
        return tool_error (error);
    }
  player.pattern = pattern;
  status = play (&player, options);
  g_clear_pointer (&player.events, g_array_unref);
  return status;
}

int
tool_play (int argc, char **argv)
{
  PlayOptions options = { NULL, FALSE, -1, 0, NULL, NULL, NULL, NULL };
  const GOptionEntry entries[] = {
    { "device", 'd', 0, G_OPTION_ARG_STRING, &options.device,
      N_("Play on the output device NAME (see “flitzis devices”)"), N_("NAME") },
    { "loop", 'l', 0, G_OPTION_ARG_NONE, &options.loop,
      N_("Loop until Ctrl-C"), NULL },
    { "volume", 'v', 0, G_OPTION_ARG_DOUBLE, &options.volume,
      N_("Master volume, 0 to 4 (default 1, or the pattern’s)"), N_("V") },
    { "period", 0, 0, G_OPTION_ARG_INT, &options.period,
      N_("Audio period in frames (default: the device’s choice)"), N_("FRAMES") },
    { "pattern", 'p', 0, G_OPTION_ARG_FILENAME, &options.pattern,
      N_("Play the pattern FILE instead of sample files"), N_("FILE") },
    { "midi", 0, 0, G_OPTION_ARG_STRING, &options.midi,
      N_("Play the files from the JACK MIDI output PORT (notes 36, 37, … for the files, "
         "on JACK), until Ctrl-C"), N_("PORT") },
    { "midi-map", 0, 0, G_OPTION_ARG_FILENAME, &options.midi_map,
      N_("With --midi: map MIDI by the MIDI map FILE (see flitzis(1))"), N_("FILE") },
    /* No arg_description: GOption would print it after the parameter
     * string, and the usage line would name the files twice. */
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &options.files, NULL, NULL },
    G_OPTION_ENTRY_NULL
  };
  g_autoptr (GOptionContext) context = g_option_context_new (N_("FILE… | --pattern FILE"));
  int status;

  g_option_context_set_summary (context,
                                _("Plays sample files, all at once, or a pattern, on an output "
                                  "device, and exits when they have finished."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!tool_parse_options (context, &argc, &argv))
    return TOOL_EXIT_USAGE;
  status = check_options (argv[0], &options);
  if (status == TOOL_EXIT_OK)
    status = play_with_options (argv[0], &options);
  g_free (options.device);
  g_free (options.pattern);
  g_free (options.midi);
  g_free (options.midi_map);
  g_strfreev (options.files);
  return status;
}
