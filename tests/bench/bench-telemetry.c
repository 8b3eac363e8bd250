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
 * - eq VOICES PERIODS MODE: the same with the meters off and each voice's
 *   slot's isolator never set (MODE 0), set flat (1: bypassed), or set to
 *   -6/+3/-12 dB (2: live, each voice on a bus of its own, the worst case
 *   per voice), or MODE 3: VOICES voices on one slot's live bus.
 * - waveform: a 1,000-bucket overview of a 10-minute stereo sample
 *   (median and spread of 21 calls), and the pyramid's size.
 * - progress-ir SOURCE ON: one load of 60 s of 48 kHz stereo (SOURCE
 *   "file": a 16-bit WAV; "pcm": float32 from memory) with load-progress's
 *   reports (ON 1) or without (0), under callgrind; progress: the same
 *   loads timed, alternating, medians of 7.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include <glib.h>
#include <sndfile.h>

#include "flitzis.h"
#include "core/fz-core.h"
#include "core/fz-sample.h"
#include "flitzis-audio-engine-private.h"
#include "flitzis-test.h"
#include "bench-common.h"
#include "fz-loader.h"
#include "fz-waveform.h"

#define RATE 48000
#define CHANNELS 2
#define PERIOD 256

static gboolean quick;

/* The replies, and the meters' snapshots. */
static void
drain_replies (FzCore *core)
{
  bench_drain_replies (core);
  while (fz_meter_peek (&core->meter) != NULL)
    fz_meter_advance (&core->meter);
}

/* A stereo test signal with its peak pyramid, as the loader makes it. */
static FzSample *
make_sample (size_t frames, guint32 seed)
{
  FzSample *sample = bench_signal_sample (frames, seed);

  g_assert_true (fz_sample_build_peaks (sample));
  return sample;
}

typedef struct {
  FzCore *core;
  float *out;
} Rig;

static Rig *
rig_new_eq (guint voices, guint meter_rate, guint eq_mode);

static Rig *
rig_new (guint voices, guint meter_rate)
{
  return rig_new_eq (voices, meter_rate, 0);
}

/* The isolator's gains for rig_new_eq()'s modes: -6, +3, -12 dB. */
static void
set_eq (Rig *rig, guint slot, guint eq_mode)
{
  if (eq_mode == 1)
    fz_params_set_eq (&rig->core->params, slot, 1.0f, 1.0f, 1.0f);
  else if (eq_mode >= 2)
    fz_params_set_eq (&rig->core->params, slot, 0.501187f, 1.412538f, 0.251189f);
}

static Rig *
rig_new_eq (guint voices, guint meter_rate, guint eq_mode)
{
  Rig *rig = g_new0 (Rig, 1);
  size_t frames = quick ? 4 * PERIOD : RATE;

  rig->core = fz_core_new (RATE, CHANNELS);
  rig->out = aligned_alloc (64, PERIOD * CHANNELS * sizeof (float));
  bench_send (rig->core, (FzMsg) { .type = FZ_CMD_SET_METER, .start = meter_rate });
  for (guint v = 0; v < voices; v++)
    {
      bench_send (rig->core, (FzMsg) { .type = FZ_CMD_LOAD, .slot = v,
                                 .sample = make_sample (frames, v + 1) });
      bench_send (rig->core, (FzMsg) { .type = FZ_CMD_SET_LOOP, .slot = v, .flag = 1 });
      bench_send (rig->core, (FzMsg) { .type = FZ_CMD_PLAY, .slot = eq_mode == 3 ? 0 : v,
                                 .gain = 0.8f });
      if (eq_mode != 3 || v == 0)
        set_eq (rig, v, eq_mode);
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

typedef void (*BenchFunc) (gpointer data);
void bench_region (BenchFunc func, gpointer data);

/* Everything that callgrind counts (--toggle-collect=bench_region). */
__attribute__ ((noinline)) void
bench_region (BenchFunc func, gpointer data)
{
  func (data);
}

typedef struct {
  Rig *rig;
  guint periods;
} Periods;

static void
process_periods (gpointer data)
{
  Periods *run = data;

  for (guint p = 0; p < run->periods; p++)
    fz_core_process (run->rig->core, run->rig->out, PERIOD, 0);
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
      Periods run = { rig, MIN (periods - done, 32u) };
      guint n = run.periods;

      bench_region (process_periods, &run);
      drain_replies (rig->core);
      done += n;
    }
  flitzis_test_result ("meter-dropped", "%" G_GUINT64_FORMAT, fz_core_get_levels_dropped (rig->core));
  flitzis_test_result ("mix-path", "%s", fz_mixer_get_path_name (&rig->core->mixer));
  rig_free (rig);
}

/* eq VOICES PERIODS MODE. */
static void
scenario_eq (guint voices, guint periods, guint eq_mode)
{
  Rig *rig = rig_new_eq (voices, 0, eq_mode);
  Periods run = { rig, periods };

  bench_region (process_periods, &run);
  flitzis_test_result ("eq-live-slots", "%u", rig->core->eq.n_live);
  flitzis_test_result ("eq-avx", "%d", rig->core->eq.avx);
  rig_free (rig);
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
  start = bench_now_s ();
  g_assert_true (fz_sample_build_peaks (sample));
  flitzis_test_result ("waveform-build-s", "%.4f", bench_now_s () - start);
  for (guint i = 0; i < G_N_ELEMENTS (times); i++)
    {
      GBytes *bytes;

      start = bench_now_s ();
      bytes = fz_waveform_new (sample, 0, frames, 1000);
      times[i] = bench_now_s () - start;
      g_bytes_unref (bytes);
    }
  qsort (times, G_N_ELEMENTS (times), sizeof (double), flitzis_test_compare_doubles);
  flitzis_test_result ("waveform-median-ms", "%.4f", times[10] * 1e3);
  flitzis_test_result ("waveform-min-ms", "%.4f", times[0] * 1e3);
  flitzis_test_result ("waveform-max-ms", "%.4f", times[20] * 1e3);
  flitzis_test_result ("waveform-sample-bytes", "%zu", frames * CHANNELS * sizeof (float));
  flitzis_test_result ("waveform-pyramid-bytes", "%zu", sample->peaks->bytes);
  flitzis_test_result ("waveform-pyramid-ratio", "%.5f",
                       (double) sample->peaks->bytes / (double) (frames * CHANNELS * sizeof (float)));
  fz_sample_unref (sample);
}

/* ---- what load-progress costs a load ---- */

typedef struct {
  const char *path;           /* a file, or NULL */
  GBytes *pcm;                /* or PCM */
  FzProgress *progress;       /* NULL: no reports */
  FzSample *sample;
} Load;

static void
load_once (gpointer data)
{
  Load *load = data;
  FzLoadProgressFunc report = load->progress != NULL ? _flitzis_audio_engine_progress_report
                                                     : NULL;
  g_autoptr (GError) error = NULL;

  load->sample = load->pcm != NULL
                 ? fz_load_pcm (load->pcm, RATE, CHANNELS, "PCM", RATE, CHANNELS, NULL, NULL,
                                report, load->progress, &error)
                 : fz_load_sample_progress (load->path, RATE, CHANNELS, NULL, NULL, report,
                                            load->progress, NULL, NULL, &error);
  g_assert_no_error (error);
}

typedef struct {
  char *dir;
  char *path;
  GBytes *pcm;
  FlitzisAudioEngine *engine;
  FzProgress *progress;       /* never looked at: no main loop runs */
} LoadRig;

static void
load_rig_init (LoadRig *rig)
{
  gsize frames = (gsize) RATE * (quick ? 1 : 60);
  g_autofree float *signal = flitzis_test_signal (frames * CHANNELS, 3);
  g_autoptr (GError) error = NULL;

  rig->dir = flitzis_test_make_tmpdir ();
  rig->path = flitzis_test_write_audio (rig->dir, "long.wav", SF_FORMAT_WAV | SF_FORMAT_PCM_16,
                                        RATE, CHANNELS, signal, frames);
  rig->pcm = g_bytes_new (signal, frames * CHANNELS * sizeof (float));
  rig->engine = flitzis_audio_engine_new_offline (RATE, CHANNELS);
  g_assert_true (flitzis_audio_engine_run (rig->engine, &error));
  rig->progress = _flitzis_audio_engine_progress_new (rig->engine, 0);
}

static void
load_rig_clear (LoadRig *rig)
{
  GTask *task = g_task_new (rig->engine, NULL, NULL, NULL);

  _flitzis_audio_engine_progress_complete (rig->progress, task,
                                           g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                                                "done"));
  g_object_unref (task);
  flitzis_audio_engine_shut_down (rig->engine);
  g_object_unref (rig->engine);
  g_bytes_unref (rig->pcm);
  flitzis_test_remove_tree (rig->dir);
  g_free (rig->path);
  g_free (rig->dir);
}

static double
timed_load (Load *load)
{
  double start = bench_now_s ();

  load_once (load);
  start = bench_now_s () - start;
  fz_sample_unref (load->sample);
  return start;
}

/* progress-ir SOURCE ON. */
static void
scenario_progress_ir (gboolean from_pcm, gboolean with_progress)
{
  LoadRig rig;
  Load load;

  load_rig_init (&rig);
  load = (Load) { .path = from_pcm ? NULL : rig.path, .pcm = from_pcm ? rig.pcm : NULL,
                  .progress = with_progress ? rig.progress : NULL };
  /* Warm the page cache and the code. */
  timed_load (&load);
  bench_region (load_once, &load);
  flitzis_test_result ("progress-frames", "%zu", load.sample->frames);
  fz_sample_unref (load.sample);
  load_rig_clear (&rig);
}

/* progress: wall time, with and without, alternating. */
static void
scenario_progress (void)
{
  guint reps = quick ? 1 : 7;
  double with[2][7], without[2][7];
  LoadRig rig;

  load_rig_init (&rig);
  for (int pcm = 0; pcm < 2; pcm++)
    {
      Load on = { pcm ? NULL : rig.path, pcm ? rig.pcm : NULL, rig.progress, NULL };
      Load off = { pcm ? NULL : rig.path, pcm ? rig.pcm : NULL, NULL, NULL };

      double ratio[7];

      timed_load (&off);
      for (guint r = 0; r < reps; r++)
        {
          without[pcm][r] = timed_load (&off);
          with[pcm][r] = timed_load (&on);
          ratio[r] = with[pcm][r] / without[pcm][r];
        }
      /* The spread of the ratio: each alternation's pair on its own. */
      flitzis_test_spread (pcm ? "progress-pcm-pair-ratio" : "progress-file-pair-ratio",
                           "%.4f", ratio, reps);
      qsort (with[pcm], reps, sizeof (double), flitzis_test_compare_doubles);
      qsort (without[pcm], reps, sizeof (double), flitzis_test_compare_doubles);
      flitzis_test_result (pcm ? "progress-pcm-ratio" : "progress-file-ratio", "%.4f",
                           with[pcm][reps / 2] / without[pcm][reps / 2]);
      flitzis_test_result (pcm ? "progress-pcm-seconds" : "progress-file-seconds", "%.4f %.4f",
                           without[pcm][reps / 2], with[pcm][reps / 2]);
      flitzis_test_result (pcm ? "progress-pcm-spread" : "progress-file-spread", "%.4f-%.4f %.4f-%.4f",
                           without[pcm][0], without[pcm][reps - 1], with[pcm][0], with[pcm][reps - 1]);
    }
  load_rig_clear (&rig);
}

static void
test_progress (void)
{
  scenario_progress_ir (FALSE, TRUE);
  scenario_progress_ir (TRUE, FALSE);
  scenario_progress ();
}

static void
test_eq (void)
{
  for (guint mode = 0; mode <= 3; mode++)
    scenario_eq (32, 8, mode);
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
  const char *scenario = bench_init (&argc, &argv);

  if (scenario == NULL)
    {
      quick = TRUE;
      g_test_add_func ("/bench/telemetry/meter", test_meter);
      g_test_add_func ("/bench/telemetry/waveform", scenario_waveform);
      g_test_add_func ("/bench/telemetry/eq", test_eq);
      g_test_add_func ("/bench/telemetry/progress", test_progress);
      return g_test_run ();
    }
  if (g_str_equal (scenario, "meter") && argc == 5)
    scenario_meter ((guint) atoi (argv[2]), (guint) atoi (argv[3]), (guint) atoi (argv[4]));
  else if (g_str_equal (scenario, "waveform"))
    scenario_waveform ();
  else if (g_str_equal (scenario, "eq") && argc == 5)
    scenario_eq ((guint) atoi (argv[2]), (guint) atoi (argv[3]), (guint) atoi (argv[4]));
  else if (g_str_equal (scenario, "progress-ir") && argc == 4)
    scenario_progress_ir (g_str_equal (argv[2], "pcm"), atoi (argv[3]) != 0);
  else if (g_str_equal (scenario, "progress"))
    scenario_progress ();
  else
    {
      fprintf (stderr, "usage: %s [meter VOICES PERIODS RATE | eq VOICES PERIODS MODE | waveform | "
               "progress-ir file|pcm 0|1 | progress]\n"
               "       %s -k --tap  (every scenario once, small)\n", argv[0], argv[0]);
      return 2;
    }
  return 0;
}
