/* bench-telemetry.c: what seeing and shaping what plays costs
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Run like bench-core (tests/bench/run-bench.py): `bench-telemetry
 * SCENARIO ARGS...` prints "key value" lines, and the scenarios that count
 * instructions run under callgrind with --toggle-collect=bench_region;
 * `bench-telemetry -k --tap` (make check) runs each once, small, and
 * asserts nothing about time.
 *
 * - meter VOICES PERIODS RATE: the core with VOICES looping voices and the
 *   meters at RATE Hz (0: off); the difference is the meters' cost.
 * - waveform: a 1,000-bucket overview of a 10-minute stereo sample
 *   (median and spread of 21 calls), and the pyramid's size.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "flitzis.h"
#include "core/fz-core.h"
#include "core/fz-sample.h"
#include "flitzis-test.h"
#include "fz-waveform.h"

#define RATE 48000
#define CHANNELS 2
#define PERIOD 256

static gboolean quick;

static void
result (const char *key, const char *format, ...) G_GNUC_PRINTF (2, 3);

static void
result (const char *key, const char *format, ...)
{
  va_list args;
  g_autofree char *value = NULL;

  va_start (args, format);
  value = g_strdup_vprintf (format, args);
  va_end (args);
  if (quick)
    g_test_message ("%s %s", key, value);
  else
    printf ("%s %s\n", key, value);
}

static void
send (FzCore *core, FzMsg message)
{
  g_assert_true (fz_core_send (core, &message));
}

static void
drain_replies (FzCore *core)
{
  FzMsg reply;

  while (fz_core_receive (core, &reply))
    fz_sample_unref (reply.sample);
  while (fz_meter_peek (&core->meter) != NULL)
    fz_meter_advance (&core->meter);
}

/* A stereo test signal with its peak pyramid, as the loader makes it. */
static FzSample *
make_sample (size_t frames, guint32 seed)
{
  FzSample *sample = fz_sample_new (frames, CHANNELS, RATE);
  g_autofree float *signal = flitzis_test_signal (frames * CHANNELS, seed);

  memcpy (sample->data, signal, frames * CHANNELS * sizeof (float));
  g_assert_true (fz_sample_build_peaks (sample));
  return sample;
}

typedef struct {
  FzCore *core;
  float *out;
} Rig;

static Rig *
rig_new (guint voices, guint meter_rate)
{
  Rig *rig = g_new0 (Rig, 1);
  size_t frames = quick ? 4 * PERIOD : RATE;

  rig->core = fz_core_new (RATE, CHANNELS);
  rig->out = aligned_alloc (64, PERIOD * CHANNELS * sizeof (float));
  send (rig->core, (FzMsg) { .type = FZ_CMD_SET_METER, .start = meter_rate });
  for (guint v = 0; v < voices; v++)
    {
      send (rig->core, (FzMsg) { .type = FZ_CMD_LOAD, .slot = v,
                                 .sample = make_sample (frames, v + 1) });
      send (rig->core, (FzMsg) { .type = FZ_CMD_SET_LOOP, .slot = v, .flag = 1 });
      send (rig->core, (FzMsg) { .type = FZ_CMD_PLAY, .slot = v, .gain = 0.8f });
    }
  for (guint p = 0; p < 4; p++)
    {
      fz_core_process (rig->core, rig->out, PERIOD, 0);
      drain_replies (rig->core);
    }
  g_assert_cmpuint (rig->core->mixer.n_voices, ==, voices);
  return rig;
}

static void
rig_free (Rig *rig)
{
  drain_replies (rig->core);
  fz_core_free (rig->core);
  free (rig->out);
  g_free (rig);
}

void bench_region (Rig *rig, guint periods);

/* Everything that callgrind counts (--toggle-collect=bench_region). */
__attribute__ ((noinline)) void
bench_region (Rig *rig, guint periods)
{
  for (guint p = 0; p < periods; p++)
    fz_core_process (rig->core, rig->out, PERIOD, 0);
}

/* meter VOICES PERIODS RATE. */
static void
scenario_meter (guint voices, guint periods, guint meter_rate)
{
  Rig *rig = rig_new (voices, meter_rate);
  guint done = 0;

  /* In chunks that the meter ring holds (16 snapshots at 120 Hz is 62
   * periods), emptied between them, outside the counted region. */
  while (done < periods)
    {
      guint n = MIN (periods - done, 32u);

      bench_region (rig, n);
      drain_replies (rig->core);
      done += n;
    }
  result ("meter-dropped", "%" G_GUINT64_FORMAT, fz_core_get_levels_dropped (rig->core));
  result ("mix-path", "%s", fz_mixer_get_path_name (&rig->core->mixer));
  rig_free (rig);
}

static double
now_s (void)
{
  return (double) g_get_monotonic_time () * 1e-6;
}

static int
compare_doubles (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y ? 1 : 0;
}

/* waveform: 10 minutes (a second in make check). */
static void
scenario_waveform (void)
{
  size_t frames = quick ? RATE : (size_t) RATE * 600;
  FzSample *sample = fz_sample_new (frames, CHANNELS, RATE);
  double times[21], start;
  guint32 state = 1;

  /* A cheap deterministic signal (flitzis_test_signal() would hold a
   * second copy of 230 MB). */
  for (size_t i = 0; i < frames * CHANNELS; i++)
    {
      state = state * 1664525u + 1013904223u;
      sample->data[i] = (float) (int32_t) state * (1.0f / 2147483648.0f);
    }
  start = now_s ();
  g_assert_true (fz_sample_build_peaks (sample));
  result ("waveform-build-s", "%.4f", now_s () - start);
  for (guint i = 0; i < G_N_ELEMENTS (times); i++)
    {
      GBytes *bytes;

      start = now_s ();
      bytes = fz_waveform_new (sample, 0, frames, 1000);
      times[i] = now_s () - start;
      g_bytes_unref (bytes);
    }
  qsort (times, G_N_ELEMENTS (times), sizeof (double), compare_doubles);
  result ("waveform-median-ms", "%.4f", times[10] * 1e3);
  result ("waveform-min-ms", "%.4f", times[0] * 1e3);
  result ("waveform-max-ms", "%.4f", times[20] * 1e3);
  result ("waveform-sample-bytes", "%zu", frames * CHANNELS * sizeof (float));
  result ("waveform-pyramid-bytes", "%zu", sample->peaks->bytes);
  result ("waveform-pyramid-ratio", "%.5f",
          (double) sample->peaks->bytes / (double) (frames * CHANNELS * sizeof (float)));
  fz_sample_unref (sample);
}

static void
test_meter (void)
{
  scenario_meter (32, 8, 0);
  scenario_meter (32, 8, 30);
  scenario_meter (0, 8, 30);
}

int
main (int argc, char **argv)
{
  const char *scenario = argc > 1 ? argv[1] : "";

  if (scenario[0] == '-' || scenario[0] == '\0')
    {
      quick = TRUE;
      g_test_init (&argc, &argv, NULL);
      g_test_add_func ("/bench/telemetry/meter", test_meter);
      g_test_add_func ("/bench/telemetry/waveform", scenario_waveform);
      return g_test_run ();
    }
  setvbuf (stdout, NULL, _IOLBF, 0);
  if (g_str_equal (scenario, "meter") && argc == 5)
    scenario_meter ((guint) atoi (argv[2]), (guint) atoi (argv[3]), (guint) atoi (argv[4]));
  else if (g_str_equal (scenario, "waveform"))
    scenario_waveform ();
  else
    {
      fprintf (stderr, "usage: %s [meter VOICES PERIODS RATE | waveform]\n"
               "       %s -k --tap  (every scenario once, small)\n", argv[0], argv[0]);
      return 2;
    }
  return 0;
}
