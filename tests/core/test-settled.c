/* test-settled.c: the settled voices' fast path gives the full path's bits
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A settled voice (no ramp, no fade, no stop, unity speed, no key lock,
 * meters off) takes fz-mixer-settled.c's fast path until a command moves
 * the mixer's epoch on.  The reference is the same script rendered with
 * the epoch moved on before every period, so that every voice takes the
 * full path (fz-mixer.c) every period: the two outputs and the voices'
 * ends must be the same bits and frames, on every kernel path, at every
 * period size; with the meters on, their snapshots too.
 */
#include "config.h"

#include <string.h>
#include <glib.h>

#include "core/fz-meter.h"
#include "core/fz-mixer.h"
#include "core/fz-mixer-path.h"
#include "flitzis-test.h"
#include "mix-test.h"

#define CHANNELS 2
#define PERIODS 120
#define SLOTS 6

typedef struct {
  float *out;                /* PERIODS * frames * CHANNELS floats */
  GArray *ends;
  GArray *meters;            /* per snapshot: its frame, master and slot peaks, playheads */
  guint settled_periods;     /* periods that began with voice 0 settled */
  gboolean left;             /* slot 1's voice left the fast path after its gain change */
  gboolean back;             /* and came back to it once the ramp was over */
} Run;

/* Every snapshot the meters have taken, as doubles, onto @meters. */
static void
take_snapshots (FzMeter *meter, GArray *meters)
{
  const FzMeterFrame *frame;

  while ((frame = fz_meter_peek (meter)) != NULL)
    {
      double value = (double) frame->frame;

      g_array_append_val (meters, value);
      for (guint c = 0; c < CHANNELS; c++)
        {
          value = frame->master[c];
          g_array_append_val (meters, value);
        }
      for (guint s = 0; s < SLOTS; s++)
        {
          value = frame->slot_peak[s];
          g_array_append_val (meters, value);
          value = (double) frame->playhead[s];
          g_array_append_val (meters, value);
        }
      fz_meter_advance (meter);
    }
}

/* Slot 0 loops over a seam that falls inside periods, slot 1 is set to a
 * new gain half-way as it loops (it must leave the fast path for its ramp and come
 * back), slot 2 plays to its end, slot 3 is stopped, slot 4 is played
 * again late with a delay, slot 5 loops at half velocity; the master
 * moves once.  @reference: the epoch moves on before every period.
 * @metered: the meters on, at 120 Hz, from the start. */
static Run
render (FzMixPath path, gsize frames, gboolean reference, gboolean metered)
{
  FzMixer mixer;
  FzMeter meter = { 0 };
  FzSample *samples[SLOTS];
  MixTestEnds ends = { .ends = g_array_new (FALSE, FALSE, sizeof (guint64)) };
  Run run = { .out = g_new0 (float, PERIODS * frames * CHANNELS),
              .meters = g_array_new (FALSE, FALSE, sizeof (double)) };
  guint32 state = 777;

  fz_mixer_init (&mixer, CHANNELS, 48000);
  g_assert_true (fz_mixer_set_path (&mixer, path));
  /* The reference is the full path alone (not the ramping voices' batches
   * either, fz-mixer-ramped.c). */
  mixer.unbatched = reference;
  mixer.voice_ended = mix_test_on_ended;
  mixer.voice_ended_data = &ends;
  for (guint s = 0; s < SLOTS; s++)
    {
      /* Slot 2's sample ends mid-period, on the fast path. */
      gsize n = s == 2 ? frames * 20 + 13 : 3001 + 4999 * s;

      samples[s] = mix_test_noise_sample (n, CHANNELS, &state);
      mixer.slots[s].sample = samples[s];
    }
  fz_mixer_set_loop (&mixer, 0, true, 17, 2999);
  fz_mixer_set_loop (&mixer, 1, true, 0, 0);
  fz_mixer_set_loop (&mixer, 5, true, 0, 0);
  fz_mixer_preset_gain (&mixer, 1, 0.8f);
  if (metered)
    {
      g_assert_true (fz_meter_init (&meter, 48000, CHANNELS, mixer.n_slots));
      fz_meter_set_rate (&meter, &mixer, 120, 0);
    }
  for (guint s = 0; s < SLOTS; s++)
    fz_mixer_trigger (&mixer, s, s == 5 ? 0.5f : 1.0f, 0);
  for (guint p = 0; p < PERIODS; p++)
    {
      if (p == PERIODS / 2)
        fz_mixer_set_gain (&mixer, 1, 0.3f);
      if (p == 70)
        fz_mixer_stop (&mixer, 3);
      if (p == 80)
        fz_mixer_trigger (&mixer, 4, 0.9f, (uint32_t) (frames / 3));
      if (p == 90)
        fz_mixer_set_gain (&mixer, FZ_MASTER, 0.6f);
      if (reference)
        fz_mixer_touch (&mixer);
      if (mixer.n_voices > 0 && mixer.voices[0].settled == mixer.epoch)
        run.settled_periods++;
      /* Slot 1's voice is voices[1] until slot 3's stop: the gain change
       * leaves it unsettled, the ramp's end settles it again. */
      if (p > PERIODS / 2 && p < 70 && mixer.voices[1].slot == 1)
        {
          if (mixer.voices[1].settled != mixer.epoch && p == PERIODS / 2 + 1)
            run.left = TRUE;
          if (run.left && mixer.voices[1].settled == mixer.epoch)
            run.back = TRUE;
        }
      ends.period = p;
      fz_mixer_render (&mixer, run.out + p * frames * CHANNELS, frames);
      if (metered)
        {
          fz_meter_end_period (&meter, &mixer, run.out + p * frames * CHANNELS, frames,
                               (p + 1) * (guint64) frames);
          take_snapshots (&meter, run.meters);
        }
    }
  if (metered)
    fz_meter_clear (&meter);
  for (guint s = 0; s < SLOTS; s++)
    fz_sample_unref (samples[s]);
  run.ends = ends.ends;
  return run;
}

static void
test_same_bits (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (mix_test_paths); i++)
    {
      FzMixer probe;

      if (!mix_test_path_available (&probe, mix_test_paths[i]))
        continue;
      for (guint m = 0; m < 2 * G_N_ELEMENTS (mix_test_period_sizes); m++)
        {
          gsize frames = mix_test_period_sizes[m / 2];
          gboolean metered = m % 2 == 1;
          Run fast = render (mix_test_paths[i], frames, FALSE, metered);
          Run ref = render (mix_test_paths[i], frames, TRUE, metered);

          g_test_message ("path %s, %" G_GSIZE_FORMAT " frames%s: voice 0 settled in %u of %u "
                          "periods", fz_mixer_get_path_name (&probe), frames,
                          metered ? ", meters on" : "", fast.settled_periods, PERIODS);
          /* The fast path ran, and the reference never took it. */
          g_assert_cmpuint (fast.settled_periods, >=, PERIODS / 2);
          g_assert_cmpuint (ref.settled_periods, ==, 0);
          g_assert_cmpmem (fast.out, PERIODS * frames * CHANNELS * sizeof (float),
                           ref.out, PERIODS * frames * CHANNELS * sizeof (float));
          /* The voices that ended, ended at the same frames. */
          g_assert_cmpuint (fast.ends->len, >, 0);
          g_assert_cmpmem (fast.ends->data, fast.ends->len * sizeof (guint64),
                           ref.ends->data, ref.ends->len * sizeof (guint64));
          /* Slot 1's voice left the fast path for its gain's ramp and came
           * back (the ramp is 240 frames: within 8 periods of 32). */
          g_assert_true (fast.left);
          g_assert_true (fast.back);
          /* The meters saw the same: every snapshot, peak and playhead. */
          if (metered)
            g_assert_cmpuint (fast.meters->len, >=, 5 * (1 + CHANNELS + 2 * SLOTS));
          g_assert_cmpuint (fast.meters->len, ==, ref.meters->len);
          g_assert_cmpmem (fast.meters->data, fast.meters->len * sizeof (double),
                           ref.meters->data, ref.meters->len * sizeof (double));
          g_array_unref (fast.meters);
          g_array_unref (ref.meters);
          g_free (fast.out);
          g_free (ref.out);
          g_array_unref (fast.ends);
          g_array_unref (ref.ends);
        }
    }
  g_assert_cmpuint (fz_sample_live_count (), ==, 0);
}

/* A settled voice at unity gain is its sample's bits, period after period,
 * across its loop seam. */
static void
test_unity_is_sample (void)
{
  FzMixer mixer;
  FzSample *sample = fz_sample_new (1000, CHANNELS, 48000);
  float out[64 * CHANNELS];
  gsize position = 0;

  for (gsize v = 0; v < 1000 * CHANNELS; v++)
    sample->data[v] = (float) v * 0.001f - 0.7f;
  fz_mixer_init (&mixer, CHANNELS, 48000);
  mixer.slots[0].sample = sample;
  fz_mixer_set_loop (&mixer, 0, true, 0, 0);
  fz_mixer_trigger (&mixer, 0, 1.0f, 0);
  for (guint p = 0; p < 100; p++)
    {
      fz_mixer_render (&mixer, out, 64);
      if (p > 0)
        g_assert_cmpuint (mixer.voices[0].settled, ==, mixer.epoch);
      for (gsize f = 0; f < 64; f++, position = (position + 1) % 1000)
        for (guint c = 0; c < CHANNELS; c++)
          if (out[f * CHANNELS + c] != sample->data[position * CHANNELS + c])
            g_error ("period %u frame %" G_GSIZE_FORMAT ": got %.9g, expected %.9g", p, f,
                     (double) out[f * CHANNELS + c],
                     (double) sample->data[position * CHANNELS + c]);
    }
  fz_sample_unref (sample);
}

/* The voices kernel alone against its definition (the constant kernel
 * voice after voice): random gains, every count up to 32 (a full batch,
 * FZ_MIXER_BATCH, has a path of its own), every length up to 280 samples
 * (every vector kernel's blocks and tails), each path against the
 * scalar kernel. */
static void
test_kernel (void)
{
  FzMixer scalar, probe;
  guint32 state = 7;
  float *src = g_new (float, 32 * 300);

  fz_mixer_init (&scalar, CHANNELS, 48000);
  g_assert_true (fz_mixer_set_path (&scalar, FZ_MIX_PATH_SCALAR));
  for (gsize v = 0; v < 32 * 300; v++)
    src[v] = (float) (mix_test_random (&state) >> 8) / 16777216.0f - 0.5f;
  for (guint i = 1; i < G_N_ELEMENTS (mix_test_paths); i++)
    {
      if (!mix_test_path_available (&probe, mix_test_paths[i]))
        continue;
      for (guint count = 1; count <= 32; count++)
        for (gsize n = 0; n <= 280; n++)
          {
            const float *in[32];
            float gain[32], a[300], b[300];

            for (guint v = 0; v < count; v++)
              {
                in[v] = src + v * 300 + (mix_test_random (&state) >> 29);
                gain[v] = (float) (mix_test_random (&state) >> 8) / 8388608.0f;
              }
            for (gsize s = 0; s < G_N_ELEMENTS (a); s++)
              a[s] = b[s] = (float) s * 0.01f;
            scalar.kernels->voices (a, n, in, gain, count);
            probe.kernels->voices (b, n, in, gain, count);
            g_assert_cmpmem (a, sizeof a, b, sizeof b);
          }
    }
  g_free (src);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/core/settled/same-bits", test_same_bits);
  g_test_add_func ("/core/settled/unity-is-sample", test_unity_is_sample);
  g_test_add_func ("/core/settled/kernel", test_kernel);
  return g_test_run ();
}
