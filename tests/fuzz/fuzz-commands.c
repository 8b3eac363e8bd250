/* fuzz-commands.c: libFuzzer target: arbitrary sequences of API calls to an
 * offline engine
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Every four bytes are one call: an operation and three arguments (slots,
 * velocities, gains, frames, loop points and period sizes, including
 * invalid ones); operations 232 to 255 drive the musical clock (tempo,
 * bars, downbeat, quantize, metronome, beat reports, slot tempo and sync,
 * reading the position), and a render op whose second byte is 224 to 239
 * sets an isolator (set_sample_eq()), 216 to 223 a speed (set_sample_speed(),
 * the speed and tempo-lock properties, with NaN, infinities and values
 * out of range now and then), 208 to 215 MIDI (a map set, bytes
 * injected, the map written and read back), 192 to 207 key lock and pitch
 * (set_sample_key_lock(), set_sample_pitch(), key-lock).  Calls may fail, with a GError; what is rendered must stay
 * finite and bounded (32 voices of samples within 1.0, at most gain 4 and
 * volume 4), and once the engine is gone every sample is freed.  Built by
 * `make fuzz`, and replayed over its corpus (tests/fuzz/commands/) by make
 * check through fuzz-replay.c.
 */
#include "config.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <sndfile.h>

#include "flitzis.h"
#include "core/fz-sample.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

#define RATE 48000
#define MAX_FRAMES 1024
/* 32 voices of |x| <= 0.9, slot gain <= 4, volume <= 4; and the
 * metronome's click (at most 0.6) at its volume <= 4, under the volume. */
#define BOUND ((FLITZIS_MAX_VOICES * 0.9 + 0.6) * FLITZIS_MAX_GAIN * FLITZIS_MAX_GAIN)
/* Once an isolator is set, the most its output can be over its input's
 * peak: the sum of |h| over its impulse response, 9.41 at +6 dB in every
 * band (4.71 flat: the allpass the bands add up to). */
#define EQ_PEAK 9.5
/* Whether this input has set an isolator: the bounds grow by EQ_PEAK. */
static gboolean eq_set;
/* A stretched voice (key lock, pitch) may overshoot its sample's peak: the
 * phase vocoder's overlap-add and the cubic reader.  The bounds grow by
 * this once a stretcher may have run. */
#define STRETCH_PEAK 4.0
static gboolean stretch_set;
/* Once a voice is resampled, the most the interpolator can put out over
 * its input's peak: the largest sum of |h| over a phase's taps, 1.990
 * (fz-varispeed.c's tables: phase 1/2 of the unity band). */
#define SPEED_PEAK 2.0
static gboolean speed_set;
#define PEAK_FACTOR ((eq_set ? EQ_PEAK : 1.0) * (speed_set ? SPEED_PEAK : 1.0) * \
                     (stretch_set ? STRETCH_PEAK : 1.0))

static char *dir;
static char *paths[4];

static void
remove_files (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (paths); i++)
    {
      g_unlink (paths[i]);
      g_free (paths[i]);
    }
  g_rmdir (dir);
  g_free (dir);
}

/* Four samples: 1, 37, 700 and 5000 frames, mono and stereo, 48 and
 * 44.1 kHz. */
static void
write_samples (void)
{
  static const struct { gsize frames; int channels; int rate; } shapes[4] = {
    { 1, 1, RATE }, { 37, 2, RATE }, { 700, 1, 44100 }, { 5000, 2, RATE },
  };

  dir = g_dir_make_tmp ("flitzis-fuzz-XXXXXX", NULL);
  if (dir == NULL)
    abort ();
  for (guint i = 0; i < 4; i++)
    {
      SF_INFO info = { .samplerate = shapes[i].rate, .channels = shapes[i].channels,
                       .format = SF_FORMAT_WAV | SF_FORMAT_FLOAT };
      gsize n = shapes[i].frames * (gsize) shapes[i].channels;
      g_autofree float *values = g_new (float, n);
      g_autofree char *name = g_strdup_printf ("s%u.wav", i);
      SNDFILE *file;

      paths[i] = g_build_filename (dir, name, NULL);
      for (gsize k = 0; k < n; k++)
        values[k] = 0.9f * sinf ((float) k * 0.37f + (float) i);
      values[0] = 0.9f;
      file = sf_open (paths[i], SFM_WRITE, &info);
      if (file == NULL || sf_writef_float (file, values, (sf_count_t) shapes[i].frames)
                          != (sf_count_t) shapes[i].frames)
        abort ();
      sf_close (file);
    }
  atexit (remove_files);
}

static void
render (FlitzisAudioEngine *engine, guint frames)
{
  static float out[MAX_FRAMES * 2];
  GError *error = NULL;

  if (!flitzis_audio_engine_render (engine, out, frames, &error))
    {
      g_error_free (error);
      return;
    }
  for (gsize i = 0; i < (gsize) frames * 2; i++)
    if (!isfinite (out[i]) || fabs (out[i]) > BOUND * PEAK_FACTOR)
      abort ();
}

/* What plays (issue 18): reached from the render op when its otherwise
 * unused byte is 240 or more, so that the corpus's older inputs still
 * render what they rendered. */
static void
check_levels (FlitzisAudioEngine *engine)
{
  FlitzisLevels *levels = flitzis_audio_engine_get_levels (engine);

  if (levels == NULL)
    return;
  for (guint c = 0; c < flitzis_levels_get_n_channels (levels); c++)
    if (!(flitzis_levels_get_master_peak (levels, c) <= BOUND * PEAK_FACTOR))
      abort ();
  for (guint slot = 0; slot < FLITZIS_MAX_SAMPLE_SLOTS; slot++)
    if (!(flitzis_levels_get_slot_peak (levels, slot) <=
          BOUND / FLITZIS_MAX_GAIN * PEAK_FACTOR) ||
        flitzis_levels_get_slot_playhead (levels, slot) > 5000)
      abort ();
  flitzis_levels_unref (levels);
}

/* PCM from memory: sizes that are whole frames or not, rates and channel
 * counts in range or not, values within the corpus samples' +-0.9. */
static void
load_pcm (FlitzisAudioEngine *engine, guint b, guint c, GError **error)
{
  static const guint rates[] = { 0, 999, 22050, 44100, 48000, 768001 };
  static float pcm[4000];
  GBytes *bytes;

  for (guint i = 0; i < G_N_ELEMENTS (pcm); i++)
    pcm[i] = (float) ((i * 7919u + b) % 1801u) / 1000.0f - 0.9f;
  bytes = g_bytes_new_static (pcm, MIN (sizeof (pcm), (gsize) b * 61 + c));
  flitzis_audio_engine_load_sample_from_bytes (engine, c % 36, bytes, rates[c % 6], b % 5, error);
  g_bytes_unref (bytes);
}

static void
what_plays (FlitzisAudioEngine *engine, guint op, guint b, guint c, GError **error)
{
  GBytes *waveform;

  /* 15 (a == 255) was a meter rate before PCM loads were added. */
  if (op == 15)
    {
      load_pcm (engine, b, c, error);
      return;
    }
  switch (op % 3)
    {
    case 0:
      flitzis_audio_engine_set_meter_rate (engine, (b << 8 | c) % 130, error);
      break;
    case 1:
      /* Ranges in and out of every sample, bucket counts 0 to 256. */
      waveform = flitzis_audio_engine_dup_waveform (engine, b % 34, (guint64) (c % 16) * 300,
                                                    (guint64) (b % 16) * 400 + 1, c, error);
      if (waveform != NULL)
        {
          gsize size;
          const float *values = g_bytes_get_data (waveform, &size);

          for (gsize i = 0; i < size / sizeof (float); i++)
            if (!(fabsf (values[i]) <= 1.0f))
              abort ();
          g_bytes_unref (waveform);
        }
      break;
    default:
      check_levels (engine);
      break;
    }
}

/* The isolator (issue 18): bands in range, out of it (-70 to +15 dB) and
 * NaN, slots valid and not; a call succeeds exactly when all three bands
 * are in -60 to +6 dB, the slot exists and the engine runs (the input may
 * have shut it down). */
static void
isolate (FlitzisAudioEngine *engine, guint a, guint b, guint c, GError **error)
{
  double low = c == 255 ? (double) NAN : c / 3.0 - 70.0;
  double mid = (a - 224.0) * 5.0 - 65.0;
  double high = (double) ((b ^ c) % 80) - 66.0;
  guint slot = b % 36;
  gboolean valid = flitzis_audio_engine_get_running (engine) &&
                   slot < flitzis_audio_engine_get_slots (engine) &&
                   low >= -60.0 && low <= 6.0 && mid >= -60.0 && mid <= 6.0 &&
                   high >= -60.0 && high <= 6.0;

  if (flitzis_audio_engine_set_sample_eq (engine, slot, low, mid, high, error) != valid)
    abort ();
  eq_set = eq_set || valid;
}

/* A render op whose second byte is 208 to 215: MIDI.  The maps drive
 * every target, the isolator's bands up to +6 dB and a slot's speed among
 * them (the bounds then grow as for set_sample_eq() and a speed); the
 * bytes are anything. */
static const char *const midi_maps[] = {
  "flitzis-midi-map 1\nbank-size 8\nnote 36 slot 0 gate\nnote 37 slot 1 velocity curve 3\n"
  "note 38 channel 10 slot 2 velocity fixed 1\nnote 39 slot 31\ncc 7 volume range 0 4\n"
  "cc 8 gain 1 range 0 4\ncc 9 eq-low 0 range -60 6\ncc 10 eq-mid 1 range -60 6\n"
  "cc 11 eq-high 2 range -60 6\ncc 12 tempo range 20 400\ncc 13 speed 0\n"
  "program 1 bank 3\n",
  "flitzis-midi-map 1\nnote 36 slot 0\nnote 36 slot 1 gate\nnote 36 slot 2\n",
  "flitzis-midi-map 1\n",
};

static void
midi_call (FlitzisAudioEngine *engine, uint8_t a, uint8_t b, uint8_t c, GError **error)
{
  guint64 now = flitzis_audio_engine_get_frame_time (engine);
  const guint8 message[] = { (guint8) (0x80 | b), (guint8) (c & 0x7f), (guint8) (b ^ c) };
  g_autofree char *text = NULL;

  eq_set = TRUE;
  speed_set = TRUE;
  switch ((a - 208) % 4)
    {
    case 0:
      if (!flitzis_audio_engine_set_midi_map_from_string (engine,
                                                         midi_maps[b % G_N_ELEMENTS (midi_maps)],
                                                         error))
        abort ();
      break;
    case 1:
      flitzis_audio_engine_inject_midi (engine, message, sizeof message, now + (guint64) c * 3,
                                        error);
      break;
    case 2:
      flitzis_audio_engine_inject_midi (engine, &b, 1, 0, error);
      break;
    default:
      /* What is written reads back as the same map. */
      text = flitzis_audio_engine_dup_midi_map_string (engine);
      if (!flitzis_audio_engine_set_midi_map_from_string (engine, text, NULL))
        abort ();
      break;
    }
}

/* A render op whose second byte is 192 to 207: key lock and pitch (issue
 * 17) on slot @b % 40 (now and then invalid), pitches from -16 to +15.9
 * semitones and NaN (out of range now and then), the key-lock property.
 * Without Rubber Band each fails with NOT_SUPPORTED. */
static void
key_lock (FlitzisAudioEngine *engine, uint8_t a, uint8_t b, uint8_t c, GError **error)
{
  gboolean ok;

  if (a < 200)
    ok = flitzis_audio_engine_set_sample_key_lock (engine, b % 40, c & 1, error);
  else if (a < 204)
    ok = flitzis_audio_engine_set_sample_pitch (engine, b % 40,
                                                c == 255 ? (double) NAN : c / 8.0 - 16.0, error);
  else
    ok = flitzis_audio_engine_set_key_lock (engine, c & 1, error);
  if (!ok && *error != NULL &&
      !g_error_matches (*error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_INVALID_SLOT) &&
      !g_error_matches (*error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_INVALID_ARGUMENT) &&
      !g_error_matches (*error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_NOT_SUPPORTED) &&
      !g_error_matches (*error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_QUEUE_FULL) &&
      !g_error_matches (*error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_NOT_RUNNING))
    abort ();
  stretch_set = stretch_set || ok;
}

/* A render op's second byte 216 to 223: a slot's speed, the engine's, or
 * tempo lock; @c 255 is NaN, 254 infinity, else c / 50 (0 to 5.06: out of
 * range below 0.25 and above 4). */
static void
speed_call (FlitzisAudioEngine *engine, guint which, uint8_t b, uint8_t c, GError **error)
{
  double ratio = c == 255 ? (double) NAN : c == 254 ? (double) INFINITY : c / 50.0;
  gboolean valid = isfinite (ratio) && ratio >= FLITZIS_MIN_SPEED && ratio <= FLITZIS_MAX_SPEED;

  switch (which % 3)
    {
    case 0:
      if (flitzis_audio_engine_set_sample_speed (engine, b % 40, ratio, error) && !valid)
        abort ();
      break;
    case 1:
      if (flitzis_audio_engine_set_speed (engine, ratio, error) != valid)
        abort ();
      break;
    default:
      flitzis_audio_engine_set_tempo_lock (engine, b & 1);
      break;
    }
  speed_set = TRUE;
}

/* Operations 232 to 255: the clock, with values out of range now and
 * then (tempo below 20 or above 400 or NaN, 0 or 33+ beats per bar, a
 * downbeat far in the past or future). */
static void
clock_call (FlitzisAudioEngine *engine, uint8_t op, guint slot, uint8_t b, uint8_t c,
            GError **error)
{
  double bpm = b == 255 ? (double) NAN : b * 2.0 - 20.0 + c / 100.0;
  guint64 now = flitzis_audio_engine_get_frame_time (engine);
  gint64 bar;
  guint beat;
  double fraction;

  switch ((op - 232) % 11)
    {
    case 0:
      flitzis_audio_engine_set_tempo (engine, bpm, error);
      break;
    case 1:
      flitzis_audio_engine_set_beats_per_bar (engine, b % 40, error);
      break;
    case 2:
      flitzis_audio_engine_set_downbeat_frame (engine, now + (guint64) c * 100 - 5000, error);
      break;
    case 3:
      flitzis_audio_engine_set_quantize (engine, (FlitzisQuantize) (b % 7));
      break;
    case 4:
      flitzis_audio_engine_set_metronome (engine, b & 1, error);
      break;
    case 5:
      flitzis_audio_engine_set_metronome_volume (engine, c == 255 ? (double) NAN : c / 50.0, error);
      break;
    case 6:
      flitzis_audio_engine_set_report_beats (engine, b & 1, error);
      break;
    case 7:
      flitzis_audio_engine_set_sample_tempo (engine, slot, c & 1 ? 0.0 : bpm, error);
      break;
    case 8:
      flitzis_audio_engine_set_sample_downbeat (engine, slot, (guint64) b * 97 + c, error);
      break;
    case 9:
      flitzis_audio_engine_sync_transport_to_sample (engine, slot, error);
      break;
    default:
      flitzis_audio_engine_get_position (engine, now + (guint64) b * 1000 - 100000, &bar, &beat,
                                         &fraction);
      if (beat < 1 || beat > FLITZIS_MAX_BEATS_PER_BAR || !(fraction >= 0.0 && fraction < 1.0))
        abort ();
      if (flitzis_audio_engine_get_grid_frame (engine, (FlitzisQuantize) (c % 7), now) < now)
        abort ();
      break;
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  FlitzisAudioEngine *engine;
  FlitzisMessage *message;
  FlitzisSampleInfo *info = NULL;

  if (dir == NULL)
    write_samples ();
  engine = flitzis_audio_engine_new_offline (RATE, 2);
  eq_set = FALSE;
  stretch_set = FALSE;
  speed_set = FALSE;
  if (!flitzis_audio_engine_run (engine, NULL))
    abort ();
  for (size_t at = 0; at + 4 <= size; at += 4)
    {
      uint8_t op = data[at], a = data[at + 1], b = data[at + 2], c = data[at + 3];
      /* Slots mostly valid, now and then not. */
      guint slot = a % 40;
      float velocity = b == 255 ? (float) NAN : b / 200.0f;
      double gain = c == 255 ? (double) INFINITY : c / 50.0;
      GError *error = NULL;

      if (op >= 232)
        {
          clock_call (engine, op, slot, b, c, &error);
          g_clear_error (&error);
          continue;
        }
      switch (op % 25)
        {
        case 0:
          flitzis_audio_engine_load_sample (engine, slot, paths[b % 4], &error);
          break;
        case 1:
          flitzis_audio_engine_play_sample (engine, slot, velocity, &error);
          break;
        case 2:
          flitzis_audio_engine_play_sample_at (engine, slot, velocity,
                                               flitzis_audio_engine_get_frame_time (engine)
                                               + (guint64) c * 7 - 300, &error);
          break;
        case 3:
          flitzis_audio_engine_stop_sample (engine, slot, &error);
          break;
        case 4:
          flitzis_audio_engine_stop_all (engine, &error);
          break;
        case 5:
          flitzis_audio_engine_set_sample_loop (engine, slot, b & 1, (guint64) b * 13,
                                                (guint64) c * 29, &error);
          break;
        case 6:
          flitzis_audio_engine_set_sample_gain (engine, slot, gain, &error);
          break;
        case 7:
          flitzis_audio_engine_set_volume (engine, gain, &error);
          break;
        case 8:
          flitzis_audio_engine_pause (engine, &error);
          break;
        case 9:
          flitzis_audio_engine_resume (engine, &error);
          break;
        case 10:
          flitzis_audio_engine_ping (engine, &error);
          break;
        case 11:
          if ((message = flitzis_audio_engine_receive_msg (engine)) != NULL)
            flitzis_message_unref (message);
          break;
        case 12:
          flitzis_audio_engine_unload_sample (engine, slot, &error);
          break;
        case 13:
          g_clear_pointer (&info, flitzis_sample_info_unref);
          info = flitzis_audio_engine_dup_sample_info (engine, slot, &error);
          break;
        case 14:
          flitzis_audio_engine_shut_down (engine);
          break;
        case 15:
          flitzis_audio_engine_run (engine, &error);
          break;
        case 16:
          /* A burst: fills the command ring. */
          for (guint i = 0; i < (guint) b * 8 && error == NULL; i++)
            flitzis_audio_engine_play_sample (engine, slot, velocity, &error);
          break;
        case 17:
          /* Policies out of range now and then. */
          flitzis_audio_engine_set_sample_retrigger (engine, slot, (FlitzisRetrigger) (b % 4),
                                                     &error);
          break;
        case 18:
          flitzis_audio_engine_set_sample_choke_group (engine, slot, b % 18, &error);
          break;
        case 19:
          flitzis_audio_engine_play_sample_exclusive (engine, slot, velocity, &error);
          break;
        case 20:
          flitzis_audio_engine_pause_sample (engine, slot, &error);
          break;
        case 21:
          flitzis_audio_engine_resume_sample (engine, slot, &error);
          break;
        case 22:
          flitzis_audio_engine_seek_sample (engine, slot, (guint64) b * 97 + c, &error);
          break;
        case 23:
          /* A live loop edit, exactly at a voice's place or not. */
          flitzis_audio_engine_set_sample_loop (engine, slot, TRUE, (guint64) c * 3,
                                                (guint64) c * 3 + b, &error);
          break;
        default:
          if (a >= 240)
            what_plays (engine, a - 240u, b, c, &error);
          else if (a >= 224)
            isolate (engine, a, b, c, &error);
          else if (a >= 216)
            speed_call (engine, a - 216u, b, c, &error);
          else if (a >= 208)
            midi_call (engine, a, b, c, &error);
          else if (a >= 192)
            key_lock (engine, a, b, c, &error);
          g_clear_error (&error);
          render (engine, 1 + (((guint) b << 8 | c) % MAX_FRAMES));
          break;
        }
      g_clear_error (&error);
    }
  render (engine, 256);
  check_levels (engine);
  g_clear_pointer (&info, flitzis_sample_info_unref);
  g_object_unref (engine);
  if (fz_sample_live_count () != 0)
    abort ();
  return 0;
}
