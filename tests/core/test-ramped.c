/* test-ramped.c: the ramping voices' batched path gives the full path's bits
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A voice whose gain moves only by the master's ramp or its slot's is
 * mixed in batches by fz-mixer-ramped.c (the voices_ramp kernel).  The
 * reference is the same script on the scalar kernels with every voice on
 * the full path (mixer.unbatched): the outputs and the voices' ends must
 * be the same bits and frames on every kernel path, at every period size,
 * with 1, 2 and 3 channels (3: the vector kernels' scalar fallback).  The
 * script has master ramps and slot ramps that overlap, end mid-period and
 * start mid-period, loops that wrap mid-period, voices that end
 * mid-period, a stop, a pause, a delayed start and more voices than a
 * batch.  A counting voices_ramp kernel proves the batched path ran.
 */
#include "config.h"

#include <string.h>
#include <glib.h>

#include "core/fz-mixer.h"
#include "core/fz-mixer-path.h"
#include "flitzis-test.h"
#include "mix-test.h"

#define PERIODS 160
#define SLOTS 8
#define VOICES 44

static const guint channel_counts[] = { 2, 1, 3 };

/* The kernels of the path under test, with voices_ramp counting the
 * voices it mixes (voice-stretches) before it mixes them. */
static const FzMixKernels *real_kernels;
static FzMixKernels counting_kernels;
static guint64 ramped_voices, ramped_offset_calls;

static void
counting_voices_ramp (float *restrict out, size_t frames, uint32_t channels,
                      const float *const *in, const float *gain, const float *step,
                      const float *offset, uint32_t count)
{
  ramped_voices += count;
  ramped_offset_calls += offset != NULL;
  real_kernels->voices_ramp (out, frames, channels, in, gain, step, offset, count);
}

typedef struct {
  float *out;
  GArray *ends;
} Run;

/* A ramp of @slot's gain (FZ_MASTER: the master's) set straight into the
 * mixer, from @from to @target over [now + @at, now + @at + @length):
 * ramps that start mid-period and end anywhere, which the commands (every
 * ramp from the period's start, 5 ms long) never give. */
static void
set_ramp (FzMixer *mixer, uint32_t slot, float from, float target, uint64_t at, uint64_t length)
{
  FzRamp ramp = { .from = from, .target = target, .start = mixer->now + at,
                  .end = mixer->now + at + length };

  if (slot == FZ_MASTER)
    mixer->master = ramp;
  else
    mixer->slots[slot].gain = ramp;
  fz_mixer_touch (mixer);
}

static Run
render (FzMixPath path, gsize frames, guint channels, gboolean reference)
{
  FzMixer mixer;
  FzSlot *slots = g_new0 (FzSlot, SLOTS);
  FzVoice *voices = g_new0 (FzVoice, VOICES + 8);
  FzSample *samples[SLOTS];
  MixTestEnds ends = { .ends = g_array_new (FALSE, FALSE, sizeof (guint64)) };
  Run run = { .out = g_new0 (float, PERIODS * frames * channels) };
  guint32 state = 4242;

  fz_mixer_init_tables (&mixer, channels, 48000, slots, SLOTS, voices, VOICES + 8);
  g_assert_true (fz_mixer_set_path (&mixer, reference ? FZ_MIX_PATH_SCALAR : path));
  mixer.unbatched = reference;
  real_kernels = mixer.kernels;
  counting_kernels = *mixer.kernels;
  counting_kernels.voices_ramp = counting_voices_ramp;
  mixer.kernels = &counting_kernels;
  mixer.voice_ended = mix_test_on_ended;
  mixer.voice_ended_data = &ends;
  for (guint s = 0; s < SLOTS; s++)
    {
      /* Slots 2 and 4 end mid-period (4 is played again later); the
       * others are long, most of them loop. */
      gsize n = s == 2 ? frames * 20 + 13 : s == 4 ? frames * 9 + 5 : 3001 + 4999 * s;

      samples[s] = mix_test_noise_sample (n, channels, &state);
      mixer.slots[s].sample = samples[s];
    }
  fz_mixer_set_loop (&mixer, 0, true, 17, 2999);
  fz_mixer_set_loop (&mixer, 1, true, 0, 0);
  fz_mixer_set_loop (&mixer, 5, true, 100, 0);
  fz_mixer_set_loop (&mixer, 6, true, 0, 4000);
  fz_mixer_set_loop (&mixer, 7, true, 0, 0);
  for (guint s = 0; s < SLOTS; s++)
    fz_mixer_preset_gain (&mixer, s, 0.5f + 0.0625f * (float) s);
  for (guint v = 0; v < VOICES; v++)
    fz_mixer_trigger (&mixer, v % SLOTS, 0.25f + 0.015625f * (float) v, 0);
  for (guint p = 0; p < PERIODS; p++)
    {
      /* Master ramps (5 ms, from the period's start) now and then,
       * overlapping the slots' ramps. */
      if (p % 9 == 4)
        fz_mixer_set_gain (&mixer, FZ_MASTER, p % 2 ? 0.75f : 1.25f);
      /* A slot's gain every few periods, two at once sometimes. */
      if (p % 5 == 1)
        fz_mixer_set_gain (&mixer, p % SLOTS, 0.25f + 0.03125f * (float) (p % 17));
      if (p % 15 == 2)
        fz_mixer_set_gain (&mixer, (p + 3) % SLOTS, 1.5f);
      /* Ramps that start and end mid-period, some over many periods. */
      if (p % 11 == 6)
        set_ramp (&mixer, (p / 11) % SLOTS, 0.3f, 0.9f, (p * 7) % frames, 13 + (p * 31) % 700);
      if (p == 100)
        set_ramp (&mixer, FZ_MASTER, 1.0f, 0.5f, frames / 3, 5 + frames);
      if (p == 25)
        for (guint s = 0; s < SLOTS; s++)
          fz_mixer_set_gain (&mixer, s, 0.125f * (float) (s + 1));
      if (p == 70)
        fz_mixer_stop (&mixer, 3);
      if (p == 80)
        fz_mixer_trigger (&mixer, 4, 0.9f, (uint32_t) (frames / 3));
      if (p == 85)
        fz_mixer_trigger (&mixer, 2, 0.7f, 0);
      if (p == 120)
        fz_mixer_pause_slot (&mixer, 6, true);
      if (p == 130)
        fz_mixer_pause_slot (&mixer, 6, false);
      ends.period = p;
      fz_mixer_render (&mixer, run.out + p * frames * channels, frames);
    }
  for (guint s = 0; s < SLOTS; s++)
    fz_sample_unref (samples[s]);
  g_free (slots);
  g_free (voices);
  run.ends = ends.ends;
  return run;
}

static void
test_same_bits (void)
{
  guint tried = 0;

  for (guint i = 0; i < G_N_ELEMENTS (mix_test_paths); i++)
    {
      FzMixer probe;

      if (!mix_test_path_available (&probe, mix_test_paths[i]))
        continue;
      tried++;
      for (guint c = 0; c < G_N_ELEMENTS (channel_counts); c++)
        for (guint f = 0; f < G_N_ELEMENTS (mix_test_period_sizes); f++)
          {
            gsize frames = mix_test_period_sizes[f], n = PERIODS * frames * channel_counts[c];
            Run ref, batched;
            guint64 voices, offset_calls;

            ramped_voices = ramped_offset_calls = 0;
            ref = render (mix_test_paths[i], frames, channel_counts[c], TRUE);
            /* The reference never takes the batched path. */
            g_assert_cmpuint (ramped_voices, ==, 0);
            batched = render (mix_test_paths[i], frames, channel_counts[c], FALSE);
            voices = ramped_voices;
            offset_calls = ramped_offset_calls;
            g_test_message ("path %s, %u channels, %" G_GSIZE_FORMAT " frames: %" G_GUINT64_FORMAT
                            " voice-stretches batched, %" G_GUINT64_FORMAT " stretches with "
                            "offsets", fz_mixer_get_path_name (&probe), channel_counts[c],
                            frames, voices, offset_calls);
            /* It ran, with moving gains (stretches where none moves take
             * the voices kernel, uncounted), for many voices of many
             * periods, and with pieces that began before a stretch. */
            g_assert_cmpuint (voices, >=, (guint64) VOICES * PERIODS / 8);
            g_assert_cmpuint (offset_calls, >, 0);
            for (gsize s = 0; s < n; s++)
              if (memcmp (&batched.out[s], &ref.out[s], sizeof (float)) != 0)
                g_error ("path %s, %u channels, %" G_GSIZE_FORMAT " frames: period %"
                         G_GSIZE_FORMAT " frame %" G_GSIZE_FORMAT ": %.9g, the full path %.9g",
                         fz_mixer_get_path_name (&probe), channel_counts[c], frames,
                         s / (frames * channel_counts[c]), s / channel_counts[c] % frames,
                         (double) batched.out[s], (double) ref.out[s]);
            /* The voices that ended, ended at the same frames. */
            g_assert_cmpuint (batched.ends->len, >, 2);
            g_assert_cmpmem (batched.ends->data, batched.ends->len * sizeof (guint64),
                             ref.ends->data, ref.ends->len * sizeof (guint64));
            g_free (batched.out);
            g_free (ref.out);
            g_array_unref (batched.ends);
            g_array_unref (ref.ends);
          }
    }
  g_assert_cmpuint (tried, >=, 2);
  g_assert_cmpuint (fz_sample_live_count (), ==, 0);
}

/* The kernel alone against its definition: random gains, steps and
 * offsets, every count up to 32 (a full batch, FZ_MIXER_BATCH, has a
 * path of its own without offsets), with and without offsets, every
 * length up to 70 frames (all the vector kernels' tails), each path
 * against the scalar kernel. */
static void
test_kernel (void)
{
  FzMixer scalar, probe;
  guint32 state = 99;
  float *src = g_new (float, 32 * 80 * 4);

  fz_mixer_init (&scalar, 2, 48000);
  g_assert_true (fz_mixer_set_path (&scalar, FZ_MIX_PATH_SCALAR));
  for (gsize v = 0; v < 32 * 80 * 4; v++)
    src[v] = (float) (mix_test_random (&state) >> 8) / 16777216.0f - 0.5f;
  for (guint i = 1; i < G_N_ELEMENTS (mix_test_paths); i++)
    {
      if (!mix_test_path_available (&probe, mix_test_paths[i]))
        continue;
      for (guint channels = 1; channels <= 4; channels++)
        for (guint count = 1; count <= 32; count++)
          for (gsize frames = 0; frames <= 70; frames++)
            {
              /* Half of the lengths with offsets, half without. */
              gboolean offsets = (count + frames) % 2 == 1;
              const float *in[32];
              float gain[32], step[32], offset[32], a[80 * 4], b[80 * 4];

              for (guint v = 0; v < count; v++)
                {
                  in[v] = src + v * 80 * 4 + (mix_test_random (&state) >> 28);
                  gain[v] = (float) (mix_test_random (&state) >> 8) / 16777216.0f;
                  step[v] = v % 4 == 0 ? 0.0f
                                       : ((float) (mix_test_random (&state) >> 8) / 16777216.0f - 0.5f)
                                           / 256.0f;
                  offset[v] = (float) (mix_test_random (&state) >> 24);
                }
              for (gsize s = 0; s < 80 * 4; s++)
                a[s] = b[s] = (float) s * 0.01f;
              scalar.kernels->voices_ramp (a, frames, channels, in, gain, step,
                                           offsets ? offset : NULL, count);
              probe.kernels->voices_ramp (b, frames, channels, in, gain, step,
                                          offsets ? offset : NULL, count);
              g_assert_cmpmem (a, sizeof a, b, sizeof b);
            }
    }
  g_free (src);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/core/ramped/same-bits", test_same_bits);
  g_test_add_func ("/core/ramped/kernel", test_kernel);
  return g_test_run ();
}
