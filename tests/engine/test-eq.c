/* test-eq.c: the 3-band isolator of each slot (issue 18), exact, offline
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * /engine/eq/filter/... drive the isolator itself (core/fz-eq.h) on sine
 * tones, at 48 kHz and at 44.1 kHz: the three bands at 0 dB, processed,
 * add up to the input's level within 0.1 dB from 20 Hz to 20 kHz; a killed
 * band takes its tones down by 50 dB or more (Linkwitz-Riley crossovers of
 * the 8th order), and all three killed give silence, exactly.
 * /engine/eq/... drive offline engines through set_sample_eq(): a flat
 * isolator is bit for bit no isolator; a change glides (no step larger
 * than the tone's own); the gains stay across a reload; a voice on a bus
 * ends at its frame and the filters ring on; the meters measure after the
 * isolator; bad values fail and change nothing.
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include "core/fz-core.h"
#include "flitzis.h"
#include "flitzis-test.h"

#define RATE 48000
#define PERIOD 256
#define CHANNELS 2

/* ---- the isolator alone ---- */

typedef struct {
  FzMixer mixer;
  FzEqBank bank;
} Filter;

static void
filter_init (Filter *filter, guint rate, float low, float mid, float high)
{
  fz_mixer_init (&filter->mixer, CHANNELS, rate);
  g_assert_true (fz_eq_init (&filter->bank, rate, CHANNELS, 1));
  filter->mixer.eq = &filter->bank;
  fz_eq_force (&filter->mixer, 0, low, mid, high);
}

/* The level in dB of a tone of @hz through the isolator at @low, @mid,
 * @high (linear), each channel (the second a quarter turn on): the RMS of
 * the last second of two against the input's over the same frames. */
static double
tone_db (guint rate, double hz, float low, float mid, float high)
{
  Filter filter;
  gsize frames = 2 * rate, block = FZ_EQ_BLOCK;
  g_autofree float *buf = g_new (float, frames * CHANNELS);
  double in[CHANNELS] = { 0 }, out[CHANNELS] = { 0 }, worst = 0.0;

  filter_init (&filter, rate, low, mid, high);
  for (gsize f = 0; f < frames; f++)
    for (guint c = 0; c < CHANNELS; c++)
      buf[f * CHANNELS + c] = (float) (0.5 * sin (2 * G_PI * hz * f / rate + c * G_PI / 2));
  for (gsize f = rate; f < frames; f++)
    for (guint c = 0; c < CHANNELS; c++)
      in[c] += (double) buf[f * CHANNELS + c] * (double) buf[f * CHANNELS + c];
  for (gsize f = 0; f < frames; f += block)
    fz_eq_run (&filter.bank, &filter.bank.slots[0], buf + f * CHANNELS, MIN (block, frames - f));
  for (gsize f = rate; f < frames; f++)
    for (guint c = 0; c < CHANNELS; c++)
      out[c] += (double) buf[f * CHANNELS + c] * (double) buf[f * CHANNELS + c];
  for (guint c = 0; c < CHANNELS; c++)
    {
      double db = 10.0 * log10 (out[c] / in[c]);

      /* The channels are filtered alike: report the one further from 0. */
      if (c == 0 || fabs (db) > fabs (worst))
        worst = db;
    }
  fz_eq_clear (&filter.bank);
  return worst;
}

static void
test_filter_flat_sum (gconstpointer data)
{
  guint rate = GPOINTER_TO_UINT (data);
  double worst = 0.0;

  /* Third octaves from 20 Hz to 20 kHz, and the crossovers themselves. */
  for (int i = 0; i <= 30; i++)
    {
      double hz = 20.0 * pow (2.0, i / 3.0);
      double db;

      if (hz > 20000.0)
        hz = 20000.0;
      db = tone_db (rate, hz, 1.0f, 1.0f, 1.0f);
      g_test_message ("%u Hz: %.1f Hz at 0/0/0 dB: %+.4f dB", rate, hz, db);
      g_assert_cmpfloat (fabs (db), <=, 0.1);
      worst = MAX (worst, fabs (db));
    }
  for (int i = 0; i < 2; i++)
    g_assert_cmpfloat (fabs (tone_db (rate, i == 0 ? 250.0 : 4000.0, 1.0f, 1.0f, 1.0f)), <=, 0.1);
  g_test_message ("%u Hz: the largest deviation %.4f dB", rate, worst);
}

/* A killed band takes its tones (100 Hz for low, 1 kHz for mid, 10 kHz for
 * high) down by 50 dB or more, and the tones an octave further inside it
 * (50 Hz, 16 kHz) too.  What is left is the other bands' slopes: the
 * crossovers of the 8th order (48 dB an octave) leave some 64, 91 and 73
 * dB; those of the 4th order left 32.1, 42.6 and 36.7 dB, which is why
 * they were given up. */
static void
test_filter_kill (gconstpointer data)
{
  guint rate = GPOINTER_TO_UINT (data);
  static const struct {
    const char *band;
    float gains[3];
    double hz;
    double at_least;           /* dB down */
  } cases[] = {
    { "low", { 0.0f, 1.0f, 1.0f }, 100.0, 50.0 },
    { "low", { 0.0f, 1.0f, 1.0f }, 50.0, 50.0 },
    { "mid", { 1.0f, 0.0f, 1.0f }, 1000.0, 50.0 },
    { "high", { 1.0f, 1.0f, 0.0f }, 10000.0, 50.0 },
    { "high", { 1.0f, 1.0f, 0.0f }, 16000.0, 50.0 },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      double db = tone_db (rate, cases[i].hz, cases[i].gains[0], cases[i].gains[1],
                           cases[i].gains[2]);

      g_test_message ("%u Hz: %s killed, %.0f Hz: %+.2f dB", rate, cases[i].band, cases[i].hz, db);
      g_assert_cmpfloat (db, <=, -cases[i].at_least);
    }
}

/* Both builds of the filters, AVX's eight lanes with the two crossovers
 * side by side and four lanes one section after the other (SSE2), give
 * the same bits: three channels (a pair and a lone one) of noise, the
 * isolator forced on, then gliding to new gains and on, then gliding to
 * flat (the dry part back), in blocks of 256, 1, 7 and 100 frames. */
static void
test_filter_builds_agree (void)
{
  enum { N = 3, FRAMES = 4000 };
  static const gsize blocks[] = { 256, 1, 7, 100 };
  g_autofree float *noise = flitzis_test_signal (FRAMES * N, 9);
  float *out[2] = { NULL };

  for (guint build = 0; build < 2; build++)
    {
      FzMixer mixer;
      FzEqBank bank;
      gsize done = 0;
      guint changes = 0;

      fz_mixer_init (&mixer, N, RATE);
      g_assert_true (fz_eq_init (&bank, RATE, N, 1));
      if (!bank.avx)
        {
          fz_eq_clear (&bank);
          g_test_skip ("no AVX on this CPU: one build of the filters to compare");
          return;
        }
      bank.avx = build == 0;
      mixer.eq = &bank;
      fz_eq_force (&mixer, 0, 0.5f, 1.4f, 0.0f);
      out[build] = g_memdup2 (noise, FRAMES * N * sizeof (float));
      for (guint i = 0; done < FRAMES; i++)
        {
          gsize n = MIN (blocks[i % G_N_ELEMENTS (blocks)], FRAMES - done);

          if (changes == 0 && done >= 1000)
            fz_eq_set (&mixer, 0, 1.2f, 0.0f, 0.7f), changes++;
          else if (changes == 1 && done >= 2500)
            fz_eq_set (&mixer, 0, 1.0f, 1.0f, 1.0f), changes++;
          fz_eq_run (&bank, &bank.slots[0], out[build] + done * N, n);
          done += n;
        }
      g_assert_cmpuint (changes, ==, 2);
      fz_eq_clear (&bank);
    }
  g_assert_true (memcmp (out[0], noise, FRAMES * N * sizeof (float)) != 0);
  g_assert_cmpmem (out[0], FRAMES * N * sizeof (float), out[1], FRAMES * N * sizeof (float));
  for (guint build = 0; build < 2; build++)
    g_free (out[build]);
}

/* ---- through the engine ---- */

/* An offline engine, running, with @frames frames of @channels-channel
 * PCM in slot @slot: a tone of @hz (0: the test signal, every value
 * non-zero) of amplitude 0.5, looping. */
static FlitzisAudioEngine *
new_engine (void)
{
  FlitzisAudioEngine *engine = flitzis_audio_engine_new_offline (RATE, CHANNELS);

  flitzis_test_run_ok (engine);
  return engine;
}

static void
load_tone (FlitzisAudioEngine *engine, guint slot, double hz, gsize frames, guint32 seed)
{
  g_autoptr (GError) error = NULL;
  g_autofree float *pcm = hz > 0 ? g_new (float, frames * CHANNELS)
                                 : flitzis_test_signal (frames * CHANNELS, seed);
  g_autoptr (GBytes) bytes = NULL;

  if (hz > 0)
    for (gsize f = 0; f < frames; f++)
      for (guint c = 0; c < CHANNELS; c++)
        pcm[f * CHANNELS + c] = (float) (0.5 * sin (2 * G_PI * hz * f / RATE));
  bytes = g_bytes_new (pcm, frames * CHANNELS * sizeof (float));
  g_assert_true (flitzis_audio_engine_load_sample_from_bytes (engine, slot, bytes, RATE, CHANNELS,
                                                              &error));
  g_assert_no_error (error);
  g_assert_true (flitzis_audio_engine_set_sample_loop (engine, slot, TRUE, 0, 0, &error));
  g_assert_no_error (error);
}

static void
eq_ok (FlitzisAudioEngine *engine, guint slot, double low, double mid, double high)
{
  g_autoptr (GError) error = NULL;

  g_assert_true (flitzis_audio_engine_set_sample_eq (engine, slot, low, mid, high, &error));
  g_assert_no_error (error);
}

/* Renders @periods periods of @period frames into @out (interleaved). */
static void
render_periods (FlitzisAudioEngine *engine, float *out, guint periods, gsize period)
{
  for (guint p = 0; p < periods; p++)
    flitzis_test_render_ok (engine, out + p * period * CHANNELS, period);
}

/* Two slots of noise; slot 0's isolator set flat, explicitly, before and
 * while they play, and once taken away from flat and back: with it flat
 * (and once it has glided back to flat) the output is, bit for bit, the
 * output of an engine whose isolator was never set. */
static void
test_flat_is_bypassed (void)
{
  enum { PERIODS = 40 };
  g_autoptr (FlitzisAudioEngine) plain = new_engine ();
  g_autoptr (FlitzisAudioEngine) flat = new_engine ();
  g_autoptr (FlitzisAudioEngine) back = new_engine ();
  FlitzisAudioEngine *engines[] = { plain, flat, back };
  float *out[3] = { NULL };       /* freed at the end: g_autofree frees out[0] alone */
  gsize n = PERIODS * PERIOD * CHANNELS;

  for (guint e = 0; e < 3; e++)
    {
      out[e] = g_new0 (float, n);
      load_tone (engines[e], 0, 0, 3000, 1);
      load_tone (engines[e], 1, 0, 2000, 2);
      flitzis_test_play_ok (engines[e], 0, 0.75f);
      flitzis_test_play_ok (engines[e], 1, 0.5f);
    }
  eq_ok (flat, 0, 0.0, 0.0, 0.0);
  eq_ok (back, 0, -12.0, 3.0, -60.0);
  for (guint e = 0; e < 3; e++)
    render_periods (engines[e], out[e], 10, PERIOD);
  eq_ok (flat, 0, 0.0, 0.0, 0.0);
  eq_ok (back, 0, 0.0, 0.0, 0.0);
  for (guint e = 0; e < 3; e++)
    render_periods (engines[e], out[e] + 10 * PERIOD * CHANNELS, PERIODS - 10, PERIOD);
  g_assert_cmpmem (out[0], n * sizeof (float), out[1], n * sizeof (float));
  /* Away from flat it differs; the glide back (5 ms, 240 frames) ends in
   * period 10, and from period 11 on the output is the plain one. */
  g_assert_true (memcmp (out[0], out[2], 10 * PERIOD * CHANNELS * sizeof (float)) != 0);
  g_assert_cmpmem (out[0] + 11 * PERIOD * CHANNELS, (n - 11 * PERIOD * CHANNELS) * sizeof (float),
                   out[2] + 11 * PERIOD * CHANNELS, (n - 11 * PERIOD * CHANNELS) * sizeof (float));
  for (guint e = 0; e < 3; e++)
    g_free (out[e]);
}

/* All three bands killed: once the 5 ms glide is over, silence, exactly;
 * and still after the slot's sample is replaced (the gains belong to the
 * slot) and the new one plays. */
static void
test_kill_all_across_reload (void)
{
  enum { PERIODS = 12 };
  g_autoptr (FlitzisAudioEngine) engine = new_engine ();
  g_autofree float *out = g_new0 (float, PERIODS * PERIOD * CHANNELS);
  gsize glide = RATE * 5 / 1000;

  /* Set on the empty slot, before anything is loaded. */
  eq_ok (engine, 0, -60.0, -60.0, -60.0);
  load_tone (engine, 0, 0, 3000, 3);
  flitzis_test_play_ok (engine, 0, 1.0f);
  render_periods (engine, out, PERIODS / 2, PERIOD);
  g_assert_cmpfloat (flitzis_test_largest_step (out, glide * CHANNELS), >, 0.0f);
  for (gsize i = glide * CHANNELS; i < PERIODS / 2 * PERIOD * CHANNELS; i++)
    g_assert_cmpfloat (out[i], ==, 0.0f);
  load_tone (engine, 0, 0, 2000, 4);
  flitzis_test_play_ok (engine, 0, 1.0f);
  render_periods (engine, out, PERIODS, PERIOD);
  for (gsize i = 0; i < PERIODS * PERIOD * CHANNELS; i++)
    g_assert_cmpfloat (out[i], ==, 0.0f);
  /* Back to flat, the new sample sounds: it was playing all along. */
  eq_ok (engine, 0, 0.0, 0.0, 0.0);
  render_periods (engine, out, 2, PERIOD);
  g_assert_cmpfloat (flitzis_test_largest_step (out + PERIOD * CHANNELS, PERIOD * CHANNELS), >,
                     0.0f);
}

/* The largest step between neighbouring frames of channel 0. */
static float
largest_step_left (const float *out, gsize frames)
{
  g_autofree float *left = g_new (float, frames);

  for (gsize f = 0; f < frames; f++)
    left[f] = out[f * CHANNELS];
  return flitzis_test_largest_step (left, frames);
}

/* A tone while a band is killed and brought back, and the isolator goes
 * from flat to not and back: no step between two frames is larger than
 * @bound times the tone's own largest step (a click would be a step of
 * up to its whole amplitude), and the killed tone falls as far as the
 * crossovers take it. */
static void
check_glide (double hz, double low, double mid, double high, float bound, double down_db)
{
  enum { PERIODS = 60 };
  g_autoptr (FlitzisAudioEngine) engine = new_engine ();
  g_autofree float *out = g_new0 (float, PERIODS * PERIOD * CHANNELS);
  gsize frames = PERIODS * PERIOD;
  double steady = 0.5 * 2.0 * sin (G_PI * hz / RATE);
  double killed = 0.0;
  double step;

  /* Whole cycles: the loop joins without a step of its own. */
  load_tone (engine, 0, hz, (gsize) (RATE / hz) * 20, 0);
  flitzis_test_play_ok (engine, 0, 1.0f);
  render_periods (engine, out, 10, PERIOD);
  eq_ok (engine, 0, low, mid, high);
  render_periods (engine, out + 10 * PERIOD * CHANNELS, 30, PERIOD);
  eq_ok (engine, 0, 0.0, 0.0, 0.0);
  render_periods (engine, out + 40 * PERIOD * CHANNELS, 20, PERIOD);
  step = largest_step_left (out, frames);
  g_test_message ("%.0f Hz: largest step %.5f, the tone's own %.5f (%.2f times)", hz, step,
                  steady, step / steady);
  g_assert_cmpfloat (step, <=, (double) bound * steady);
  for (gsize f = 30 * PERIOD; f < 40 * PERIOD; f++)
    killed = MAX (killed, fabs ((double) out[f * CHANNELS]));
  g_test_message ("%.0f Hz: at the gains set, the peak is %.1f dB under the tone's", hz,
                  20 * log10 (0.5 / killed));
  g_assert_cmpfloat (20 * log10 (0.5 / killed), >=, down_db);
}

static void
test_glide (void)
{
  check_glide (1000.0, 0.0, -60.0, 0.0, 1.1f, 50.0);
  check_glide (100.0, -60.0, 0.0, 0.0, 2.0f, 50.0);
  /* 5 frames a cycle: a loop of whole cycles (10 kHz has none short). */
  check_glide (9600.0, 0.0, 0.0, -60.0, 1.1f, 50.0);
  check_glide (1000.0, 6.0, 6.0, 6.0, 2.1f, -6.1);
}

/* Periods longer than the bus (FZ_EQ_BLOCK) and of odd lengths filter the
 * same, bit for bit, as 256-frame ones: the filters carry their memory
 * from block to block. */
static void
test_long_periods (void)
{
  enum { FRAMES = 6000 };
  static const gsize periods[] = { 256, 1000, 4096, 7 };
  g_autofree float *reference = NULL;

  for (gsize i = 0; i < G_N_ELEMENTS (periods); i++)
    {
      g_autoptr (FlitzisAudioEngine) engine = new_engine ();
      g_autofree float *out = g_new0 (float, FRAMES * CHANNELS);

      load_tone (engine, 0, 0, 3000, 5);
      eq_ok (engine, 0, -20.0, 4.0, -60.0);
      flitzis_test_play_ok (engine, 0, 0.9f);
      for (gsize done = 0; done < FRAMES; done += periods[i])
        flitzis_test_render_ok (engine, out + done * CHANNELS, MIN (periods[i], FRAMES - done));
      if (reference == NULL)
        reference = g_steal_pointer (&out);
      else
        g_assert_cmpmem (reference, FRAMES * CHANNELS * sizeof (float), out,
                         FRAMES * CHANNELS * sizeof (float));
    }
}

static void
on_finished (FlitzisAudioEngine *engine, guint slot, guint64 frame, gpointer data)
{
  GArray *frames = data;

  (void) engine;
  g_array_append_val (frames, frame);
  g_assert_cmpuint (slot, ==, 0);
}

/* A voice on its slot's bus ends at the same frame as without the
 * isolator, whatever block of its bus it ends in (its frame is counted
 * from the audio period's start, not the block's), and the isolator rings
 * on after it: the output is not silent at once. */
static void
test_end_frame_and_tail (void)
{
  static const gsize lengths[] = { 3000, 256 * 3, 1000 + 256 + 7 };
  enum { PERIODS = 20, LONG = 1000 };

  for (gsize i = 0; i < G_N_ELEMENTS (lengths); i++)
    {
      guint64 ends[2];

      for (guint e = 0; e < 2; e++)
        {
          g_autoptr (FlitzisAudioEngine) engine = new_engine ();
          g_autoptr (GArray) frames = g_array_new (FALSE, FALSE, sizeof (guint64));
          g_autoptr (GError) error = NULL;
          g_autofree float *out = g_new0 (float, PERIODS * LONG * CHANNELS);
          g_autofree float *pcm = flitzis_test_signal (lengths[i] * CHANNELS, 8);
          g_autoptr (GBytes) bytes = g_bytes_new (pcm, lengths[i] * CHANNELS * sizeof (float));

          g_signal_connect (engine, "sample-finished", G_CALLBACK (on_finished), frames);
          g_assert_true (flitzis_audio_engine_load_sample_from_bytes (engine, 0, bytes, RATE,
                                                                      CHANNELS, &error));
          g_assert_no_error (error);
          if (e == 1)
            eq_ok (engine, 0, -12.0, 0.0, 3.0);
          flitzis_test_play_ok (engine, 0, 1.0f);
          /* Periods of 1000 frames: the bus's blocks are 256, 256, 256, 232. */
          render_periods (engine, out, PERIODS, LONG);
          while (g_main_context_iteration (NULL, FALSE))
            ;
          g_assert_cmpuint (frames->len, ==, 1);
          ends[e] = g_array_index (frames, guint64, 0);
          if (e == 1)
            g_assert_cmpfloat (fabs ((double) out[lengths[i] * CHANNELS + 2]), >, 0.0);
          else
            g_assert_cmpfloat (out[lengths[i] * CHANNELS + 2], ==, 0.0f);
        }
      g_assert_cmpuint (ends[1], ==, ends[0]);
      g_assert_cmpuint (ends[0], ==, lengths[i]);
    }
}

static void
on_levels (FlitzisAudioEngine *engine, FlitzisLevels *levels, gpointer data)
{
  GPtrArray *all = data;

  (void) engine;
  g_ptr_array_add (all, flitzis_levels_ref (levels));
}

/* The meters measure a slot after its isolator: alone and at a volume of
 * 1.0, a slot's peak is exactly the output's; all bands killed, it is 0
 * while its playhead moves on. */
static void
test_meters_after_eq (void)
{
  enum { PERIODS = 40 };
  g_autoptr (FlitzisAudioEngine) engine = new_engine ();
  g_autoptr (GPtrArray) all = g_ptr_array_new_with_free_func ((GDestroyNotify) flitzis_levels_unref);
  g_autoptr (GError) error = NULL;
  g_autofree float *out = g_new0 (float, PERIODS * PERIOD * CHANNELS);
  guint checked = 0;

  g_signal_connect (engine, "levels", G_CALLBACK (on_levels), all);
  g_assert_true (flitzis_audio_engine_set_meter_rate (engine, 60, &error));
  g_assert_no_error (error);
  load_tone (engine, 0, 0, 3000, 6);
  eq_ok (engine, 0, -60.0, 6.0, -3.0);
  flitzis_test_play_ok (engine, 0, 0.8f);
  render_periods (engine, out, PERIODS, PERIOD);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_cmpuint (all->len, >=, 5);
  for (guint i = 0; i < all->len; i++)
    {
      FlitzisLevels *levels = all->pdata[i];
      double master = MAX (flitzis_levels_get_master_peak (levels, 0),
                           flitzis_levels_get_master_peak (levels, 1));

      g_assert_cmpfloat (flitzis_levels_get_slot_peak (levels, 0), ==, master);
      g_assert_cmpfloat (master, >, 0.0);
      checked++;
    }
  g_ptr_array_set_size (all, 0);
  eq_ok (engine, 0, -60.0, -60.0, -60.0);
  render_periods (engine, out, PERIODS, PERIOD);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_cmpuint (all->len, >=, 5);
  /* The first snapshot holds the glide. */
  for (guint i = 1; i < all->len; i++)
    {
      FlitzisLevels *levels = all->pdata[i];

      g_assert_cmpfloat (flitzis_levels_get_slot_peak (levels, 0), ==, 0.0);
      g_assert_cmpuint (flitzis_levels_get_slot_playhead (levels, 0), >, 0);
    }
  g_assert_cmpuint (checked, >=, 5);
}

/* Out-of-range bands, not numbers, bad slots and a stopped engine: FALSE
 * with a clear error, and nothing changed: the output stays, bit for bit,
 * that of an engine that never saw the calls. */
static void
test_bad_values (void)
{
  enum { PERIODS = 8 };
  static const double bad[] = { -60.001, 6.001, -1000.0, 1000.0 };
  g_autoptr (FlitzisAudioEngine) engine = new_engine ();
  g_autoptr (FlitzisAudioEngine) reference = new_engine ();
  g_autoptr (FlitzisAudioEngine) stopped = flitzis_audio_engine_new_offline (RATE, CHANNELS);
  g_autofree float *out = g_new0 (float, PERIODS * PERIOD * CHANNELS);
  g_autofree float *expected = g_new0 (float, PERIODS * PERIOD * CHANNELS);
  double values[G_N_ELEMENTS (bad) + 3];

  memcpy (values, bad, sizeof bad);
  values[G_N_ELEMENTS (bad)] = NAN;
  values[G_N_ELEMENTS (bad) + 1] = INFINITY;
  values[G_N_ELEMENTS (bad) + 2] = -INFINITY;
  for (guint e = 0; e < 2; e++)
    {
      FlitzisAudioEngine *which = e == 0 ? engine : reference;

      load_tone (which, 0, 0, 3000, 7);
      eq_ok (which, 0, -6.0, 2.0, -1.0);
      flitzis_test_play_ok (which, 0, 1.0f);
    }
  for (gsize i = 0; i < G_N_ELEMENTS (values); i++)
    for (guint band = 0; band < 3; band++)
      {
        g_autoptr (GError) error = NULL;
        double db[3] = { 0.0, 0.0, 0.0 };

        db[band] = values[i];
        g_assert_false (flitzis_audio_engine_set_sample_eq (engine, 0, db[0], db[1], db[2],
                                                            &error));
        g_assert_error (error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_INVALID_GAIN);
        g_assert_nonnull (strstr (error->message, band == 0 ? "low" : band == 1 ? "mid" : "high"));
        g_assert_nonnull (strstr (error->message, "-60"));
      }
  {
    g_autoptr (GError) error = NULL;

    g_assert_false (flitzis_audio_engine_set_sample_eq (engine, 1000, 0.0, 0.0, 0.0, &error));
    g_assert_error (error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_INVALID_SLOT);
  }
  {
    g_autoptr (GError) error = NULL;

    g_assert_false (flitzis_audio_engine_set_sample_eq (stopped, 0, -6.0, 0.0, 0.0, &error));
    g_assert_error (error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_NOT_RUNNING);
  }
  render_periods (engine, out, PERIODS, PERIOD);
  render_periods (reference, expected, PERIODS, PERIOD);
  g_assert_cmpmem (out, PERIODS * PERIOD * CHANNELS * sizeof (float), expected,
                   PERIODS * PERIOD * CHANNELS * sizeof (float));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_data_func ("/engine/eq/filter/flat-sum/48000", GUINT_TO_POINTER (48000),
                        test_filter_flat_sum);
  g_test_add_data_func ("/engine/eq/filter/flat-sum/44100", GUINT_TO_POINTER (44100),
                        test_filter_flat_sum);
  g_test_add_data_func ("/engine/eq/filter/kill/48000", GUINT_TO_POINTER (48000),
                        test_filter_kill);
  g_test_add_data_func ("/engine/eq/filter/kill/44100", GUINT_TO_POINTER (44100),
                        test_filter_kill);
  g_test_add_func ("/engine/eq/filter/builds-agree", test_filter_builds_agree);
  g_test_add_func ("/engine/eq/flat-is-bypassed", test_flat_is_bypassed);
  g_test_add_func ("/engine/eq/kill-all-across-reload", test_kill_all_across_reload);
  g_test_add_func ("/engine/eq/glide", test_glide);
  g_test_add_func ("/engine/eq/long-periods", test_long_periods);
  g_test_add_func ("/engine/eq/end-frame-and-tail", test_end_frame_and_tail);
  g_test_add_func ("/engine/eq/meters-after-eq", test_meters_after_eq);
  g_test_add_func ("/engine/eq/bad-values", test_bad_values);
  return g_test_run ();
}
