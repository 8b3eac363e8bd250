/* flitzis-render.c: "flitzis render", a pattern bounced to a sound file
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Renders with an offline engine (flitzis_audio_engine_new_offline()), so
 * the file holds exactly what a device engine would play, as fast as the
 * machine allows.  Each hit is queued with play_sample_at() just before
 * the block that holds its frame, so the engine's 256 waiting triggers are
 * never exceeded by a long pattern.  The file's format is its extension's
 * (flitzis-output.c).  On a terminal a status line shows how far it got;
 * Ctrl-C stops it with a complete, playable file of what was rendered.
 * Main thread.
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include <glib/gi18n.h>
#include <sndfile.h>

#include "flitzis-output.h"
#include "flitzis-pattern.h"
#include "flitzis-tool.h"

#define BLOCK_FRAMES 1024
#define MAX_TAIL_SECONDS 600

typedef struct {
  char *output;
  int rate;
  int channels;
  char *format;
  gboolean no_tail;
  ToolOutput kind;               /* chosen from the name and --format */
} RenderOptions;

typedef struct {
  FlitzisAudioEngine *engine;
  const Pattern *pattern;
  GArray *events;                /* of PatternEvent, one repetition */
  guint64 length;                /* of one repetition, in frames */
  guint64 end;                   /* of all repetitions */
  guint next_event;              /* in events, of repetition next_repeat */
  guint next_repeat;
  guint active;                  /* voices started and not finished */
  guint64 last_end;              /* the frame after the last voice ended */
  guint64 dropped, late;
  gboolean interrupted;          /* by Ctrl-C: the file ends where it was */
  guint64 written;               /* frames in the file (sf_seek() cannot tell, for FLAC) */
} Render;

static gboolean
all_queued (Render *render)
{
  return render->next_repeat == render->pattern->repeat;
}

/* Queues every hit whose frame lies before @until. */
static gboolean
queue_hits (Render *render, guint64 until, GError **error)
{
  while (!all_queued (render))
    {
      PatternEvent *event = &g_array_index (render->events, PatternEvent, render->next_event);
      guint64 frame = render->next_repeat * render->length + event->frame;

      if (frame >= until)
        return TRUE;
      if (!flitzis_audio_engine_play_sample_at (render->engine, event->slot, event->velocity,
                                                frame, error))
        return FALSE;
      if (++render->next_event == render->events->len)
        {
          render->next_event = 0;
          render->next_repeat++;
        }
    }
  return TRUE;
}

static void
count_events (Render *render)
{
  FlitzisMessage *message;

  while ((message = flitzis_audio_engine_receive_msg (render->engine)) != NULL)
    {
      switch (flitzis_message_get_kind (message))
        {
        case FLITZIS_MESSAGE_KIND_SAMPLE_STARTED:
          render->active++;
          break;
        case FLITZIS_MESSAGE_KIND_SAMPLE_FINISHED:
          render->active--;
          render->last_end = MAX (render->last_end, flitzis_message_get_frame (message));
          break;
        case FLITZIS_MESSAGE_KIND_VOICE_DROPPED:
          render->dropped++;
          break;
        case FLITZIS_MESSAGE_KIND_TRIGGER_LATE:
          render->late++;
          break;
        case FLITZIS_MESSAGE_KIND_PONG:
        case FLITZIS_MESSAGE_KIND_XRUN:
        case FLITZIS_MESSAGE_KIND_STREAM_ERROR:
        case FLITZIS_MESSAGE_KIND_BEAT:
        case FLITZIS_MESSAGE_KIND_RECONNECTED:
        case FLITZIS_MESSAGE_KIND_UNDERRUN:
        case FLITZIS_MESSAGE_KIND_MIDI_EVENT:
        default:
          break;
        }
      flitzis_message_unref (message);
    }
}

/* How many frames of the block that starts at @frame belong in the file:
 * all of them until the pattern has ended and, unless @no_tail, its last
 * voice has rung out; then up to that end, exactly. */
static guint64
frames_to_keep (Render *render, guint64 frame, guint64 frames, gboolean no_tail)
{
  guint64 end = render->end;

  if (!no_tail)
    {
      if (!all_queued (render) || render->active > 0)
        return frames;
      end = MAX (end, render->last_end);
    }
  return end > frame ? MIN (frames, end - frame) : 0;
}

static gboolean
write_block (SNDFILE *file, const char *path, const float *block, gsize frames, GError **error)
{
  if (sf_writef_float (file, block, (sf_count_t) frames) == (sf_count_t) frames)
    return TRUE;
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, _("Cannot write “%s”: %s"), path,
               sf_strerror (file));
  return FALSE;
}

/* "Rendering 3.2 / 8.0 s, 48000 Hz, 2 channels → demo.flac (Ctrl-C to stop)";
 * past the pattern's end, its last sounds ring out. */
static void
show_status (ToolStatus *status, const Render *render, const RenderOptions *options,
             guint64 frame, gboolean force)
{
  double position = (double) frame / options->rate, length = (double) render->end / options->rate;

  if (frame <= render->end)
    tool_status_show (status, force,
                      g_dngettext (GETTEXT_PACKAGE,
                                   "Rendering %.1f / %.1f s, %d Hz, %d channel → %s "
                                   "(Ctrl-C to stop)",
                                   "Rendering %.1f / %.1f s, %d Hz, %d channels → %s "
                                   "(Ctrl-C to stop)", TOOL_PLURAL (options->channels)),
                      position, length, options->rate, options->channels, options->output);
  else
    tool_status_show (status, force,
                      g_dngettext (GETTEXT_PACKAGE,
                                   "Rendering %.1f / %.1f s and the last sounds’ tail, "
                                   "%d Hz, %d channel → %s (Ctrl-C to stop)",
                                   "Rendering %.1f / %.1f s and the last sounds’ tail, "
                                   "%d Hz, %d channels → %s (Ctrl-C to stop)",
                                   TOOL_PLURAL (options->channels)),
                      position, length, options->rate, options->channels, options->output);
}

static gboolean
render_to (Render *render, SNDFILE *file, const RenderOptions *options, GError **error)
{
  g_autofree float *block = g_new (float, (gsize) BLOCK_FRAMES * options->channels);
  guint64 frame = 0;
  guint64 keep = BLOCK_FRAMES, tail_limit;
  gboolean ok = TRUE;
  ToolStatus status;

  /* A tail that never ends cannot happen (patterns do not loop), but is
   * cut rather than filling the disk. */
  tail_limit = render->end + (guint64) MAX_TAIL_SECONDS * options->rate;
  tool_status_init (&status);
  show_status (&status, render, options, frame, TRUE);
  tool_interrupt_catch ();
  while (ok && keep == BLOCK_FRAMES && frame < tail_limit)
    {
      if (tool_interrupted ())
        {
          render->interrupted = TRUE;
          break;
        }
      ok = queue_hits (render, frame + BLOCK_FRAMES, error) &&
           flitzis_audio_engine_render (render->engine, block, BLOCK_FRAMES, error);
      if (!ok)
        break;
      count_events (render);
      keep = frames_to_keep (render, frame, BLOCK_FRAMES, options->no_tail);
      ok = write_block (file, options->output, block, keep, error);
      frame += keep;
      render->written = frame;
      show_status (&status, render, options, frame, FALSE);
    }
  tool_interrupt_release ();
  tool_status_end (&status);
  return ok;
}

static gboolean
load_pattern_samples (FlitzisAudioEngine *engine, const Pattern *pattern, GError **error)
{
  g_autofree const char **paths = g_new (const char *, pattern->samples->len + 1);

  for (guint i = 0; i < pattern->samples->len; i++)
    paths[i] = ((PatternSample *) g_ptr_array_index (pattern->samples, i))->path;
  return tool_load_samples (engine, paths, pattern->samples->len, error);
}

static void
report (const Render *render, const RenderOptions *options, sf_count_t frames, gint64 took)
{
  double seconds = (double) frames / options->rate;

  if (render->interrupted)
    g_printerr (_("flitzis render: stopped by Ctrl-C; %s holds the first %.2f s\n"),
                options->output, seconds);
  g_print (g_dngettext (GETTEXT_PACKAGE,
                        "Wrote %s (%s): %.2f s, %d Hz, %d channel, in %.2f s (%.0f× real time)\n",
                        "Wrote %s (%s): %.2f s, %d Hz, %d channels, in %.2f s (%.0f× real time)\n",
                        TOOL_PLURAL (options->channels)),
           options->output, options->kind.type, seconds, options->rate, options->channels,
           took / (double) G_USEC_PER_SEC,
           took > 0 ? seconds * G_USEC_PER_SEC / took : 0.0);
  /* Nothing is lost silently. */
  if (render->dropped > 0)
    g_printerr (g_dngettext (GETTEXT_PACKAGE,
                             "flitzis render: %llu hit was dropped: more than %u voices would "
                             "have played at once\n",
                             "flitzis render: %llu hits were dropped: more than %u voices would "
                             "have played at once\n", TOOL_PLURAL (render->dropped)),
                (unsigned long long) render->dropped, FLITZIS_MAX_VOICES);
  if (render->late > 0)
    g_printerr (g_dngettext (GETTEXT_PACKAGE, "flitzis render: %llu hit started late\n",
                             "flitzis render: %llu hits started late\n",
                             TOOL_PLURAL (render->late)),
                (unsigned long long) render->late);
}

static int
render_pattern (const Pattern *pattern, const RenderOptions *options)
{
  g_autoptr (FlitzisAudioEngine) engine = NULL;
  g_autoptr (GArray) events = pattern_events (pattern, options->rate);
  g_autoptr (GError) error = NULL;
  Render render = { 0 };
  SNDFILE *file;
  gint64 started = g_get_monotonic_time ();
  sf_count_t frames;
  gboolean ok;

  engine = flitzis_audio_engine_new_offline (options->rate, options->channels);
  /* Set before run(), the volume holds from the first frame: no ramp. */
  if (!flitzis_audio_engine_set_volume (engine, pattern->volume, &error) ||
      !pattern_set_clock (pattern, engine, &error) ||
      !flitzis_audio_engine_run (engine, &error) ||
      !load_pattern_samples (engine, pattern, &error))
    return tool_error (error);
  file = tool_output_open (options->output, &options->kind, options->rate, options->channels,
                           &error);
  if (file == NULL)
    return tool_error (error);
  render = (Render) { engine, pattern, events, pattern_length_frames (pattern, options->rate),
                      0, 0, 0, 0, 0, 0 };
  render.end = render.length * pattern->repeat;
  if (events->len == 0)
    render.next_repeat = pattern->repeat;
  ok = render_to (&render, file, options, &error);
  frames = (sf_count_t) render.written;
  sf_close (file);
  if (!ok)
    return tool_error (error);
  report (&render, options, frames, g_get_monotonic_time () - started);
  return render.interrupted ? TOOL_EXIT_INTERRUPTED : TOOL_EXIT_OK;
}

int
tool_render (int argc, char **argv)
{
  RenderOptions options = { NULL, 48000, 2, NULL, FALSE, { NULL } };
  const GOptionEntry entries[] = {
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &options.output,
      N_("Write the file OUT (required): .wav, .flac, .ogg, .opus, .aiff or .rf64"),
      N_("OUT") },
    { "rate", 'r', 0, G_OPTION_ARG_INT, &options.rate,
      N_("Sample rate in Hz (default 48000)"), N_("RATE") },
    { "channels", 'c', 0, G_OPTION_ARG_INT, &options.channels,
      N_("Number of channels (default 2)"), N_("N") },
    { "format", 'f', 0, G_OPTION_ARG_STRING, &options.format,
      N_("File type (wav, flac, ogg, opus, aiff, rf64: default the extension’s) and/or "
         "sample encoding (float, s16, s24), e.g. flac,s16"), N_("FORMAT") },
    { "no-tail", 0, 0, G_OPTION_ARG_NONE, &options.no_tail,
      N_("End the file at the pattern’s end, for a seamless loop, instead of letting the "
         "last sounds ring out"), NULL },
    G_OPTION_ENTRY_NULL
  };
  g_autoptr (GOptionContext) context = g_option_context_new (N_("PATTERN"));
  g_autoptr (Pattern) pattern = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GError) format_error = NULL;
  int status;

  g_option_context_set_summary (context, _("Renders a pattern to a sound file, faster than real "
                                           "time. Pattern files are described in flitzis(1)."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!tool_parse_options (context, &argc, &argv))
    return TOOL_EXIT_USAGE;
  if (argc != 2)
    status = tool_usage_error (argv[0], _("give one pattern file"));
  else if (options.output == NULL)
    status = tool_usage_error (argv[0], _("give the file to write with -o OUT.wav"));
  else if (options.rate < 1 || options.rate > FLITZIS_MAX_OFFLINE_RATE)
    status = tool_usage_error (argv[0], _("the rate must be from 1 to %d Hz"),
                               FLITZIS_MAX_OFFLINE_RATE);
  else if (options.channels < 1 || options.channels > FLITZIS_MAX_OFFLINE_CHANNELS)
    status = tool_usage_error (argv[0], _("the number of channels must be from 1 to %d"),
                               FLITZIS_MAX_OFFLINE_CHANNELS);
  else if (!tool_output_choose (options.output, options.format, options.rate, options.channels,
                                &options.kind, &format_error))
    status = tool_usage_error (argv[0], "%s", format_error->message);
  else if ((pattern = pattern_load (argv[1], &error)) == NULL)
    status = tool_error (error);
  else
    status = render_pattern (pattern, &options);
  g_free (options.output);
  g_free (options.format);
  return status;
}
