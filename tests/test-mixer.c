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

typedef struct {
  FzMixer mixer;
  FzSample *samples[FZ_MAX_SLOTS];
} MixerFixture;

static void
mixer_setup (MixerFixture *fixture, gconstpointer data)
{
  (void) data;
  memset (fixture, 0, sizeof (*fixture));
  fz_mixer_init (&fixture->mixer, 2);
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
  fixture->mixer.slots[slot] = sample;
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
  g_assert_cmpint (fz_mixer_trigger (&fixture->mixer, 3, 0.5f), ==, FZ_TRIGGER_STARTED);
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
  fz_mixer_trigger (&fixture->mixer, 0, 1.0f);
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
  fz_mixer_trigger (&fixture->mixer, 0, 0.5f);
  fz_mixer_trigger (&fixture->mixer, 1, 1.0f);
  fz_mixer_render (&fixture->mixer, out, 4);
  assert_block (out, expected, 8);
}

static void
test_empty_slot (MixerFixture *fixture, gconstpointer data)
{
  const float silence[8] = { 0 };
  float out[8];

  (void) data;
  g_assert_cmpint (fz_mixer_trigger (&fixture->mixer, 5, 1.0f), ==, FZ_TRIGGER_EMPTY_SLOT);
  g_assert_cmpint (fz_mixer_trigger (&fixture->mixer, FZ_MAX_SLOTS, 1.0f), ==, FZ_TRIGGER_EMPTY_SLOT);
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
    g_assert_cmpint (fz_mixer_trigger (&fixture->mixer, 0, 1.0f), ==, FZ_TRIGGER_STARTED);
  /* The 33rd trigger is the one dropped, whatever its slot or velocity. */
  g_assert_cmpint (fz_mixer_trigger (&fixture->mixer, 1, 1.0f), ==, FZ_TRIGGER_DROPPED);
  g_assert_cmpint (fz_mixer_trigger (&fixture->mixer, 0, 0.5f), ==, FZ_TRIGGER_DROPPED);
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
  fz_mixer_trigger (&fixture->mixer, 1, 1.0f);
  fz_mixer_trigger (&fixture->mixer, 0, 1.0f);
  fz_mixer_trigger (&fixture->mixer, 1, 0.5f);
  fz_mixer_render (&fixture->mixer, out, 1);
  g_assert_cmpfloat (out[0], ==, 0.25f + 0.5f + 0.125f);
  /* The ended voice left a gap; the others stay in trigger order. */
  g_assert_cmpuint (fixture->mixer.n_voices, ==, 2);
  g_assert_cmpfloat (fixture->mixer.voices[0].gain, ==, 1.0f);
  g_assert_cmpfloat (fixture->mixer.voices[1].gain, ==, 0.5f);
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
    fz_mixer_trigger (&fixture->mixer, 0, 1.0f);
  fz_mixer_render (&fixture->mixer, out, 16);
  for (guint i = 0; i < G_N_ELEMENTS (out); i++)
    {
      g_assert_true (isfinite (out[i]));
      g_assert_cmpfloat (fabsf (out[i]), ==, 256.0f);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) g_test_add (path, MixerFixture, NULL, mixer_setup, func, mixer_teardown)
  ADD ("/mixer/half-velocity", test_half_velocity);
  ADD ("/mixer/voice-spans-periods", test_voice_spans_periods);
  ADD ("/mixer/voices-sum", test_voices_sum);
  ADD ("/mixer/empty-slot", test_empty_slot);
  ADD ("/mixer/polyphony-limit", test_polyphony_limit);
  ADD ("/mixer/voice-order-kept", test_voice_order_kept);
  ADD ("/mixer/output-finite", test_output_finite);
#undef ADD
  return g_test_run ();
}
