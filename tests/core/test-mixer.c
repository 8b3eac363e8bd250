/* test-mixer.c: slots, voices and block mixing
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <math.h>
#include <string.h>
#include <glib.h>

#include "core/fz-mixer.h"
#include "flitzis-test.h"

typedef struct {
  FzMixer mixer;
  FzSample *samples[FZ_MAX_SLOTS];
} MixerFixture;

static void
mixer_setup (MixerFixture *fixture, gconstpointer data)
{
  (void) data;
  memset (fixture, 0, sizeof (*fixture));
  fz_mixer_init (&fixture->mixer, 2, 48000);
}

static void
mixer_teardown (MixerFixture *fixture, gconstpointer data)
{
  (void) data;
  for (guint i = 0; i < FZ_MAX_SLOTS; i++)
    fz_sample_unref (fixture->samples[i]);
  g_assert_cmpuint (fz_sample_live_count (), ==, 0);
}

/* Puts a stereo sample of @frames frames into @slot. */
static FzSample *
load (MixerFixture *fixture, guint slot, const float *data, gsize frames)
{
  FzSample *sample = fz_sample_new (frames, 2, 48000);

  g_assert_nonnull (sample);
  memcpy (sample->data, data, frames * 2 * sizeof (float));
  fixture->samples[slot] = sample;
  fixture->mixer.slots[slot].sample = sample;
  return sample;
}

static void
assert_block (const float *got, const float *expected, gsize n)
{
  for (gsize i = 0; i < n; i++)
    if (got[i] != expected[i])
      g_error ("value %" G_GSIZE_FORMAT ": got %.9g, expected %.9g", i,
               (double) got[i], (double) expected[i]);
}

static void
test_half_velocity (MixerFixture *fixture, gconstpointer data)
{
  const float sample[8] = { 0.5f, -0.5f, 0.25f, -0.25f, 1.0f, -1.0f, 0.125f, 0.75f };
  const float half[8] = { 0.25f, -0.25f, 0.125f, -0.125f, 0.5f, -0.5f, 0.0625f, 0.375f };
  const float silence[8] = { 0 };
  float out[8];

  (void) data;
  load (fixture, 3, sample, 4);
  g_assert_cmpint (fz_mixer_trigger (&fixture->mixer, 3, 0.5f, 0), ==, FZ_TRIGGER_STARTED);
  fz_mixer_render (&fixture->mixer, out, 4);
  assert_block (out, half, 8);
  g_assert_cmpuint (fixture->mixer.n_voices, ==, 0);
  memset (out, 0x7f, sizeof (out));
  fz_mixer_render (&fixture->mixer, out, 4);
  assert_block (out, silence, 8);
}

static void
test_voice_spans_periods (MixerFixture *fixture, gconstpointer data)
{
  float sample[20], out[8], expected[8];

  (void) data;
  for (guint i = 0; i < 20; i++)
    sample[i] = (float) (i + 1) / 32.0f;
  load (fixture, 0, sample, 10);
  fz_mixer_trigger (&fixture->mixer, 0, 1.0f, 0);
  /* Periods of 4 frames: 4 + 4 + 2 frames of sound, then silence. */
  for (guint period = 0; period < 3; period++)
    {
      fz_mixer_render (&fixture->mixer, out, 4);
      for (guint i = 0; i < 8; i++)
        expected[i] = period * 8 + i < 20 ? sample[period * 8 + i] : 0.0f;
      assert_block (out, expected, 8);
      g_assert_cmpuint (fixture->mixer.n_voices, ==, period < 2 ? 1 : 0);
    }
}

static void
test_voices_sum (MixerFixture *fixture, gconstpointer data)
{
  const float a[4] = { 0.5f, 0.25f, -0.5f, 0.125f };
  const float b[8] = { 0.25f, 0.25f, 0.25f, 0.25f, 0.25f, 0.25f, 0.25f, 0.25f };
  const float expected[8] = { 0.5f * 0.5f + 0.25f, 0.25f * 0.5f + 0.25f,
                              -0.5f * 0.5f + 0.25f, 0.125f * 0.5f + 0.25f,
                              0.25f, 0.25f, 0.25f, 0.25f };
  float out[8];

  (void) data;
  load (fixture, 0, a, 2);
  load (fixture, 1, b, 4);
  fz_mixer_trigger (&fixture->mixer, 0, 0.5f, 0);
  fz_mixer_trigger (&fixture->mixer, 1, 1.0f, 0);
  fz_mixer_render (&fixture->mixer, out, 4);
  assert_block (out, expected, 8);
}

static void
test_empty_slot (MixerFixture *fixture, gconstpointer data)
{
  const float silence[8] = { 0 };
  float out[8];

  (void) data;
  g_assert_cmpint (fz_mixer_trigger (&fixture->mixer, 5, 1.0f, 0), ==, FZ_TRIGGER_EMPTY_SLOT);
  g_assert_cmpint (fz_mixer_trigger (&fixture->mixer, FZ_MAX_SLOTS, 1.0f, 0), ==, FZ_TRIGGER_EMPTY_SLOT);
  g_assert_cmpuint (fixture->mixer.n_voices, ==, 0);
  memset (out, 0x7f, sizeof (out));
  fz_mixer_render (&fixture->mixer, out, 4);
  assert_block (out, silence, 8);
  g_assert_cmpuint (fz_mixer_get_voices_dropped (&fixture->mixer), ==, 0);
}

static void
test_polyphony_limit (MixerFixture *fixture, gconstpointer data)
{
  float sample[2 * 64];
  float out[2];

  (void) data;
  for (guint i = 0; i < G_N_ELEMENTS (sample); i++)
    sample[i] = 1.0f / 64.0f;
  load (fixture, 0, sample, 64);
  load (fixture, 1, sample, 64);
  for (guint i = 0; i < FZ_MAX_VOICES; i++)
    g_assert_cmpint (fz_mixer_trigger (&fixture->mixer, 0, 1.0f, 0), ==, FZ_TRIGGER_STARTED);
  /* The 33rd trigger is the one dropped, whatever its slot or velocity. */
  g_assert_cmpint (fz_mixer_trigger (&fixture->mixer, 1, 1.0f, 0), ==, FZ_TRIGGER_DROPPED);
  g_assert_cmpint (fz_mixer_trigger (&fixture->mixer, 0, 0.5f, 0), ==, FZ_TRIGGER_DROPPED);
  g_assert_cmpuint (fz_mixer_get_voices_dropped (&fixture->mixer), ==, 2);
  g_assert_cmpuint (fixture->mixer.n_voices, ==, FZ_MAX_VOICES);
  for (guint i = 0; i < FZ_MAX_VOICES; i++)
    g_assert_true (fixture->mixer.voices[i].sample == fixture->samples[0]);
  /* 32 voices of 1/64 each: exactly 0.5. */
  fz_mixer_render (&fixture->mixer, out, 1);
  g_assert_cmpfloat (out[0], ==, 0.5f);
  g_assert_cmpfloat (out[1], ==, 0.5f);
  g_assert_true (fz_mixer_is_playing (&fixture->mixer, fixture->samples[0]));
  g_assert_false (fz_mixer_is_playing (&fixture->mixer, fixture->samples[1]));
}

static void
test_voice_order_kept (MixerFixture *fixture, gconstpointer data)
{
  float short_one[2] = { 0.5f, 0.5f }, long_one[2 * 8];
  float out[2];

  (void) data;
  for (guint i = 0; i < G_N_ELEMENTS (long_one); i++)
    long_one[i] = 0.25f;
  load (fixture, 0, short_one, 1);
  load (fixture, 1, long_one, 8);
  fz_mixer_trigger (&fixture->mixer, 1, 1.0f, 0);
  fz_mixer_trigger (&fixture->mixer, 0, 1.0f, 0);
  fz_mixer_trigger (&fixture->mixer, 1, 0.5f, 0);
  fz_mixer_render (&fixture->mixer, out, 1);
  g_assert_cmpfloat (out[0], ==, 0.25f + 0.5f + 0.125f);
  /* The ended voice left a gap; the others stay in trigger order. */
  g_assert_cmpuint (fixture->mixer.n_voices, ==, 2);
  g_assert_cmpfloat (fixture->mixer.voices[0].velocity, ==, 1.0f);
  g_assert_cmpfloat (fixture->mixer.voices[1].velocity, ==, 0.5f);
}

static void
test_output_finite (MixerFixture *fixture, gconstpointer data)
{
  float sample[2 * 16];
  float out[2 * 16];

  (void) data;
  /* The loader bounds values to +-8; 32 full voices of that stay finite. */
  for (guint i = 0; i < G_N_ELEMENTS (sample); i++)
    sample[i] = (i % 2) ? 8.0f : -8.0f;
  load (fixture, 0, sample, 16);
  for (guint i = 0; i < FZ_MAX_VOICES; i++)
    fz_mixer_trigger (&fixture->mixer, 0, 1.0f, 0);
  fz_mixer_render (&fixture->mixer, out, 16);
  for (guint i = 0; i < G_N_ELEMENTS (out); i++)
    {
      g_assert_true (isfinite (out[i]));
      g_assert_cmpfloat (fabsf (out[i]), ==, 256.0f);
    }
}

/* ---- loops, fades, gain ramps, offsets ---- */

#define RAMP 240u   /* FZ_RAMP_MS at 48 kHz */

typedef struct {
  guint count;
  guint32 slot;
  guint32 offset;
} Ended;

static void
on_ended (void *data, uint32_t slot, uint32_t offset)
{
  Ended *ended = data;

  ended->count++;
  ended->slot = slot;
  ended->offset = offset;
}

/* A stereo sample whose frame f holds f on both channels. */
static void
load_counting (MixerFixture *fixture, guint slot, gsize frames)
{
  g_autofree float *data = g_new (float, frames * 2);

  for (gsize f = 0; f < frames; f++)
    data[2 * f] = data[2 * f + 1] = (float) f;
  load (fixture, slot, data, frames);
}

static void
load_constant (MixerFixture *fixture, guint slot, gsize frames, float value)
{
  g_autofree float *data = g_new (float, frames * 2);

  for (gsize i = 0; i < frames * 2; i++)
    data[i] = value;
  load (fixture, slot, data, frames);
}

/* Renders @frames frames in periods of @period into @out (left channel). */
static void
render_left (MixerFixture *fixture, float *out, gsize frames, gsize period)
{
  g_autofree float *block = g_new (float, period * 2);

  for (gsize done = 0; done < frames; done += period)
    {
      gsize n = MIN (period, frames - done);

      fz_mixer_render (&fixture->mixer, block, n);
      for (gsize f = 0; f < n; f++)
        out[done + f] = block[2 * f];
    }
}

static void
test_loop_seam_exact (MixerFixture *fixture, gconstpointer data)
{
  float out[100];

  (void) data;
  load_counting (fixture, 0, 50);
  fz_mixer_set_loop (&fixture->mixer, 0, true, 10, 20);
  fz_mixer_trigger (&fixture->mixer, 0, 1.0f, 0);
  /* Periods of 7 frames: seams fall anywhere in a period. */
  render_left (fixture, out, G_N_ELEMENTS (out), 7);
  for (guint f = 0; f < G_N_ELEMENTS (out); f++)
    {
      float expected = f < 20 ? (float) f : (float) (10 + (f - 20) % 10);

      if (out[f] != expected)
        g_error ("frame %u: got %g, expected %g", f, (double) out[f], (double) expected);
    }
}

static void
test_loop_end_zero_is_sample_end (MixerFixture *fixture, gconstpointer data)
{
  float out[40];

  (void) data;
  load_counting (fixture, 0, 16);
  fz_mixer_set_loop (&fixture->mixer, 0, true, 12, 0);
  fz_mixer_trigger (&fixture->mixer, 0, 1.0f, 0);
  render_left (fixture, out, G_N_ELEMENTS (out), 16);
  for (guint f = 0; f < G_N_ELEMENTS (out); f++)
    g_assert_cmpfloat (out[f], ==, f < 16 ? (float) f : (float) (12 + (f - 16) % 4));
}

static void
test_loop_off_plays_to_end (MixerFixture *fixture, gconstpointer data)
{
  Ended ended = { 0 };
  float out[32];

  (void) data;
  fixture->mixer.voice_ended = on_ended;
  fixture->mixer.voice_ended_data = &ended;
  load_counting (fixture, 3, 20);
  fz_mixer_set_loop (&fixture->mixer, 3, true, 0, 10);
  fz_mixer_trigger (&fixture->mixer, 3, 1.0f, 0);
  render_left (fixture, out, 16, 16);          /* 0..9, 0..5 */
  g_assert_cmpfloat (out[15], ==, 5.0f);
  fz_mixer_set_loop (&fixture->mixer, 3, false, 0, 0);
  render_left (fixture, out, 16, 16);          /* 6..19, then silence */
  g_assert_cmpfloat (out[0], ==, 6.0f);
  g_assert_cmpfloat (out[13], ==, 19.0f);
  g_assert_cmpfloat (out[14], ==, 0.0f);
  g_assert_cmpuint (ended.count, ==, 1);
  g_assert_cmpuint (ended.slot, ==, 3);
  g_assert_cmpuint (ended.offset, ==, 14);
  g_assert_cmpuint (fixture->mixer.n_voices, ==, 0);
}

static void
test_stop_fades (MixerFixture *fixture, gconstpointer data)
{
  Ended ended = { 0 };
  float out[64 + 320];
  gsize last_sound = 0;

  (void) data;
  fixture->mixer.voice_ended = on_ended;
  fixture->mixer.voice_ended_data = &ended;
  load_constant (fixture, 0, 4800, 0.5f);
  fz_mixer_trigger (&fixture->mixer, 0, 1.0f, 0);
  render_left (fixture, out, 64, 64);
  fz_mixer_stop (&fixture->mixer, 0);
  render_left (fixture, out + 64, 320, 64);
  for (gsize i = 0; i < G_N_ELEMENTS (out); i++)
    if (out[i] != 0.0f)
      last_sound = i;
  /* Without a fade, the step would be the whole 0.5. */
  g_test_message ("largest step %g, fade %" G_GSIZE_FORMAT " frames",
                  (double) flitzis_test_largest_step (out, G_N_ELEMENTS (out)), last_sound + 1 - 64);
  g_assert_cmpfloat (flitzis_test_largest_step (out, G_N_ELEMENTS (out)), <=, 0.5f / RAMP * 1.001f);
  /* The fade's last frame is (within rounding) silent, and nothing after. */
  g_assert_cmpuint (last_sound + 1 - 64, <=, RAMP);
  g_assert_cmpfloat (fabsf (out[64 + RAMP - 1]), <=, 1e-6f);
  g_assert_cmpuint (ended.count, ==, 1);
  g_assert_cmpuint (64 + 64 * 3 + ended.offset, ==, 64 + RAMP);
  g_assert_cmpuint (fixture->mixer.n_voices, ==, 0);
}

static void
test_stop_one_slot (MixerFixture *fixture, gconstpointer data)
{
  float out[2 * 512];

  (void) data;
  load_constant (fixture, 0, 4800, 0.25f);
  load_constant (fixture, 1, 4800, 0.5f);
  fz_mixer_trigger (&fixture->mixer, 0, 1.0f, 0);
  fz_mixer_trigger (&fixture->mixer, 1, 1.0f, 0);
  fz_mixer_stop (&fixture->mixer, 1);
  fz_mixer_render (&fixture->mixer, out, 512);
  g_assert_cmpuint (fixture->mixer.n_voices, ==, 1);
  g_assert_cmpfloat (out[2 * 511], ==, 0.25f);
  fz_mixer_stop (&fixture->mixer, FZ_ALL_SLOTS);
  fz_mixer_render (&fixture->mixer, out, 512);
  g_assert_cmpuint (fixture->mixer.n_voices, ==, 0);
}

static void
test_gain_ramps (MixerFixture *fixture, gconstpointer data)
{
  float out[64 + 512];

  (void) data;
  load_constant (fixture, 0, 4800, 1.0f);
  fz_mixer_trigger (&fixture->mixer, 0, 1.0f, 0);
  render_left (fixture, out, 64, 64);
  fz_mixer_set_gain (&fixture->mixer, FZ_MASTER, 0.25f);
  render_left (fixture, out + 64, 512, 64);
  g_test_message ("largest step %g", (double) flitzis_test_largest_step (out, G_N_ELEMENTS (out)));
  g_assert_cmpfloat (flitzis_test_largest_step (out, G_N_ELEMENTS (out)), <=, 0.75f / RAMP * 1.01f);
  g_assert_cmpfloat (out[63], ==, 1.0f);
  /* Settled at the end of the period in which the ramp ends (gains are
   * interpolated per period): exactly the target. */
  for (gsize i = 64 + RAMP + 64; i < G_N_ELEMENTS (out); i++)
    g_assert_cmpfloat (out[i], ==, 0.25f);

  /* A slot's gain multiplies the master's, with its own ramp. */
  fz_mixer_set_gain (&fixture->mixer, 0, 2.0f);
  render_left (fixture, out, 512, 64);
  g_assert_cmpfloat (flitzis_test_largest_step (out, 512), <=, 0.25f / RAMP * 1.01f);
  g_assert_cmpfloat (out[511], ==, 0.5f);
}

static void
test_unity_bit_transparent (MixerFixture *fixture, gconstpointer data)
{
  float sample[2 * 1024], out[2 * 256];
  guint32 seed = 12345;

  (void) data;
  for (guint i = 0; i < G_N_ELEMENTS (sample); i++)
    {
      seed = seed * 1664525u + 1013904223u;
      sample[i] = ((float) (seed >> 8) / (float) (1u << 24)) * 2.0f - 1.0f;
    }
  load (fixture, 0, sample, 1024);
  /* A round trip through a ramp ends at exactly 1.0 again. */
  fz_mixer_set_gain (&fixture->mixer, FZ_MASTER, 0.5f);
  fz_mixer_render (&fixture->mixer, out, 256);
  fz_mixer_set_gain (&fixture->mixer, FZ_MASTER, 1.0f);
  fz_mixer_render (&fixture->mixer, out, 256);
  fz_mixer_trigger (&fixture->mixer, 0, 1.0f, 0);
  for (guint p = 0; p < 4; p++)
    {
      fz_mixer_render (&fixture->mixer, out, 256);
      g_assert_cmpmem (out, sizeof out, sample + p * 2 * 256, sizeof out);
    }
}

static void
test_delay_starts_mid_period (MixerFixture *fixture, gconstpointer data)
{
  Ended ended = { 0 };
  float out[2 * 16];

  (void) data;
  fixture->mixer.voice_ended = on_ended;
  fixture->mixer.voice_ended_data = &ended;
  load_counting (fixture, 2, 6);
  fz_mixer_trigger (&fixture->mixer, 2, 1.0f, 5);
  fz_mixer_render (&fixture->mixer, out, 16);
  for (guint f = 0; f < 16; f++)
    g_assert_cmpfloat (out[2 * f], ==, f < 5 || f >= 11 ? 0.0f : (float) (f - 5));
  g_assert_cmpuint (ended.count, ==, 1);
  g_assert_cmpuint (ended.offset, ==, 11);
}

/* ---- the kernels: every path gives the scalar path's bits ---- */

static const FzMixPath vector_paths[] = { FZ_MIX_PATH_VEC128, FZ_MIX_PATH_AVX2 };

/* Deterministic values over a wide range of magnitudes and both signs,
 * all normal floats. */
static float
test_value (guint32 *state)
{
  *state = *state * 1664525u + 1013904223u;
  return ((float) (*state >> 8) / 16777216.0f - 0.5f)
         * (float) (1u << (*state & 7u)) * 0.37f;
}

/* A script of triggers with delays, loops, slot and master gain ramps and a
 * stop, rendered in periods of uneven sizes, with @channels channels on
 * @path's kernels; returns the output (@n_values floats). */
static float *
render_script (FzMixPath path, uint32_t channels, gsize *n_values)
{
  static const gsize sizes[] = { 256, 1, 37, 100, 512, 3, 64, 255, 17, 256, 129, 2, 500 };
  FzMixer mixer;
  FzSample *samples[3];
  GArray *out = g_array_new (FALSE, TRUE, sizeof (float));
  guint32 state = 12345;
  gsize done = 0;

  fz_mixer_init (&mixer, channels, 48000);
  g_assert_true (fz_mixer_set_path (&mixer, path));
  for (guint i = 0; i < 3; i++)
    {
      gsize frames = 301 + 997 * i;

      samples[i] = fz_sample_new (frames, channels, 48000);
      for (gsize v = 0; v < frames * channels; v++)
        samples[i]->data[v] = test_value (&state);
      mixer.slots[i].sample = samples[i];
    }
  fz_mixer_set_loop (&mixer, 1, true, 13, 777);
  for (guint p = 0; p < G_N_ELEMENTS (sizes); p++)
    {
      switch (p)
        {
        case 0:
          fz_mixer_trigger (&mixer, 0, 1.0f, 0);
          fz_mixer_trigger (&mixer, 1, 0.7f, 5);
          break;
        case 2:
          fz_mixer_set_gain (&mixer, 1, 0.25f);
          fz_mixer_trigger (&mixer, 2, 1.3f, 11);
          break;
        case 4:
          fz_mixer_set_gain (&mixer, FZ_MASTER, 2.5f);
          fz_mixer_trigger (&mixer, 0, 0.5f, 100);
          break;
        case 7:
          fz_mixer_stop (&mixer, 2);
          fz_mixer_set_gain (&mixer, 1, 1.0f);
          break;
        case 9:
          fz_mixer_set_gain (&mixer, FZ_MASTER, 1.0f);
          fz_mixer_trigger (&mixer, 2, 1.0f, 0);
          break;
        default:
          break;
        }
      g_array_set_size (out, (done + sizes[p]) * channels);
      fz_mixer_render (&mixer, &g_array_index (out, float, done * channels), sizes[p]);
      done += sizes[p];
    }
  for (guint i = 0; i < 3; i++)
    fz_sample_unref (samples[i]);
  *n_values = out->len;
  return (float *) g_array_free (out, FALSE);
}

static void
test_paths_same_bits (void)
{
  for (uint32_t channels = 1; channels <= 8; channels++)
    {
      gsize n_ref, n;
      g_autofree float *ref = render_script (FZ_MIX_PATH_SCALAR, channels, &n_ref);

      for (guint i = 0; i < G_N_ELEMENTS (vector_paths); i++)
        {
          FzMixer probe;
          g_autofree float *got = NULL;

          fz_mixer_init (&probe, channels, 48000);
          if (!fz_mixer_set_path (&probe, vector_paths[i]))
            {
              g_test_message ("path %u not available on this CPU", vector_paths[i]);
              continue;
            }
          got = render_script (vector_paths[i], channels, &n);
          g_assert_cmpuint (n, ==, n_ref);
          g_assert_cmpmem (got, n * sizeof (float), ref, n_ref * sizeof (float));
        }
    }
}

/* Exact unity gain leaves every sample's bits unchanged, on every path. */
static void
test_paths_unity_bit_exact (void)
{
  static const FzMixPath paths[] = { FZ_MIX_PATH_SCALAR, FZ_MIX_PATH_VEC128, FZ_MIX_PATH_AVX2 };
  const gsize frames = 1001;
  guint32 state = 99;
  FzSample *sample = fz_sample_new (frames, 2, 48000);

  for (gsize v = 0; v < frames * 2; v++)
    sample->data[v] = test_value (&state);
  for (guint i = 0; i < G_N_ELEMENTS (paths); i++)
    {
      FzMixer mixer;
      float out[2 * 1100];

      fz_mixer_init (&mixer, 2, 48000);
      if (!fz_mixer_set_path (&mixer, paths[i]))
        continue;
      mixer.slots[0].sample = sample;
      fz_mixer_trigger (&mixer, 0, 1.0f, 3);
      fz_mixer_render (&mixer, out, 500);
      fz_mixer_render (&mixer, out + 2 * 500, 600);
      g_assert_cmpmem (out + 2 * 3, frames * 2 * sizeof (float), sample->data,
                       frames * 2 * sizeof (float));
    }
  fz_sample_unref (sample);
}

/* The automatic choice is the widest path the CPU runs. */
static void
test_paths_auto (void)
{
  FzMixer mixer;
  gboolean avx2;

  fz_mixer_init (&mixer, 2, 48000);
  avx2 = fz_mixer_set_path (&mixer, FZ_MIX_PATH_AVX2);
  fz_mixer_init (&mixer, 2, 48000);
  g_assert_cmpstr (fz_mixer_get_path_name (&mixer), ==, avx2 ? "avx2" : "vec128");
  g_assert_true (fz_mixer_set_path (&mixer, FZ_MIX_PATH_SCALAR));
  g_assert_cmpstr (fz_mixer_get_path_name (&mixer), ==, "scalar");
  g_assert_false (fz_mixer_set_path (&mixer, (FzMixPath) 99));
  g_assert_cmpstr (fz_mixer_get_path_name (&mixer), ==, "scalar");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) g_test_add (path, MixerFixture, NULL, mixer_setup, func, mixer_teardown)
  ADD ("/core/mixer/half-velocity", test_half_velocity);
  ADD ("/core/mixer/voice-spans-periods", test_voice_spans_periods);
  ADD ("/core/mixer/voices-sum", test_voices_sum);
  ADD ("/core/mixer/empty-slot", test_empty_slot);
  ADD ("/core/mixer/polyphony-limit", test_polyphony_limit);
  ADD ("/core/mixer/voice-order-kept", test_voice_order_kept);
  ADD ("/core/mixer/output-finite", test_output_finite);
  ADD ("/core/mixer/loop/seam-exact", test_loop_seam_exact);
  ADD ("/core/mixer/loop/end-zero-is-sample-end", test_loop_end_zero_is_sample_end);
  ADD ("/core/mixer/loop/off-plays-to-end", test_loop_off_plays_to_end);
  ADD ("/core/mixer/stop/fades", test_stop_fades);
  ADD ("/core/mixer/stop/one-slot", test_stop_one_slot);
  ADD ("/core/mixer/gain/ramps", test_gain_ramps);
  ADD ("/core/mixer/gain/unity-bit-transparent", test_unity_bit_transparent);
  ADD ("/core/mixer/delay-starts-mid-period", test_delay_starts_mid_period);
#undef ADD
  g_test_add_func ("/core/mixer/paths/same-bits", test_paths_same_bits);
  g_test_add_func ("/core/mixer/paths/unity-bit-exact", test_paths_unity_bit_exact);
  g_test_add_func ("/core/mixer/paths/auto", test_paths_auto);
  return g_test_run ();
}
