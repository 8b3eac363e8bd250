/* bench-floor.c: the mixer against the memory-read floor
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The mix cannot be faster than reading its samples from memory once: 32
 * voices of distinct 10 s stereo 48 kHz samples are 123 MB, far more than
 * any cache, so every period streams 32 × 2 KiB from RAM.  This program
 * times fz_core_process() over that work against kernels that only read
 * the same bytes (vector loads folded with OR, no output) in two orders,
 * voice after voice and in the mixer's batches, in alternating runs in one
 * process, and prints the spread of the mixer's time over the faster
 * floor's: the floor is measured in the same run, on the same machine
 * state, never taken from another day's figure.
 *
 * - `bench-floor time VOICES SECONDS REPS unity|ramp`: REPS alternations of
 *   one whole pass over the samples each (mixer, both floors; which goes
 *   first rotating), pinned to one CPU; the per-rep ratios' median,
 *   quartiles and range.  Each period's audio-thread part is timed on
 *   its own (bench_region()); with ramp, the gains set before each period
 *   (the control thread's part) are timed apart and printed beside it.
 * - `bench-floor ir mix|floor|floor-batched|none VOICES SECONDS PERIODS FRAMES unity|ramp`:
 *   PERIODS periods of FRAMES frames, each in a call of bench_region(),
 *   for callgrind (--toggle-collect=bench_region); "none" renders with no
 *   voice.
 * - `bench-floor -k --tap` (make check): both once, small; asserts
 *   nothing about time.
 */
#define _GNU_SOURCE 1  /* sched_setaffinity(), sched_getcpu() */
#include "config.h"

#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "core/fz-core.h"
#include "core/fz-sample.h"
#include "flitzis-test.h"
#include "bench-common.h"

#define RATE 48000
#define CHANNELS 2
#define MAX_FRAMES 1024

typedef enum {
  RUN_MIX,
  RUN_FLOOR,            /* voice after voice, each voice's period in one go */
  RUN_FLOOR_BATCHED,    /* FLOOR_BATCH voices side by side, FLOOR_STEP frames at a time */
  RUN_NONE,
} RunKind;

/* The mixer's voice-blocked kernels take 8 voices a call and walk the
 * period in blocks of four vectors (fz-mixer-settled.c, fz-mixer-path.c):
 * the batched floor reads in that order, 16 stereo frames (128 bytes) of
 * each voice of a batch in turn, which keeps more reads from RAM in
 * flight than one voice's 2 KiB after another's.  The floor is the faster
 * of the two orders, taken anew in each alternation. */
#define FLOOR_BATCH 8u
#define FLOOR_STEP 16u

typedef struct {
  FzCore *core;
  guint voices;
  gboolean ramp;
  guint ramps;                 /* ramps set so far: each to another value */
  const FzSample **samples;    /* the voices' samples, for the floor */
  size_t *positions;           /* the floor's place in each */
  float *out;
} Rig;

/* Whether the floors take their AVX2 kernels: found in rig_new(), outside
 * what callgrind counts. */
static int floor_avx2;

/* @voices looping voices at unity gain (velocity, slot and master 1.0),
 * each of its own sample of @seconds seconds. */
static Rig *
rig_new (guint voices, guint seconds, gboolean ramp)
{
  Rig *rig = g_new0 (Rig, 1);
  size_t frames = (size_t) seconds * RATE;
  float out[MAX_FRAMES * CHANNELS];

  floor_avx2 = __builtin_cpu_supports ("avx2");
  rig->voices = voices;
  rig->ramp = ramp;
  rig->core = fz_core_new (RATE, CHANNELS);
  rig->samples = g_new0 (const FzSample *, MAX (voices, 1));
  rig->positions = g_new0 (size_t, MAX (voices, 1));
  rig->out = aligned_alloc (64, MAX_FRAMES * CHANNELS * sizeof (float));
  g_assert_cmpuint (voices, <=, FZ_MAX_VOICES);
  for (guint v = 0; v < voices; v++)
    {
      FzSample *sample = bench_signal_sample (frames, v + 1);

      rig->samples[v] = sample;
      bench_send (rig->core, (FzMsg) { .type = FZ_CMD_LOAD, .slot = v, .sample = sample });
      /* The loop through its parameter cell, as the engine sets it: a
       * cell's gain taken later takes its loop region too. */
      fz_params_set_loop (&rig->core->params, v, true, 0, 0);
      bench_send (rig->core, (FzMsg) { .type = FZ_CMD_PLAY, .slot = v, .gain = 1.0f });
    }
  fz_core_process (rig->core, out, 1, 0);
  bench_drain_replies (rig->core);
  g_assert_cmpuint (rig->core->mixer.n_voices, ==, voices);
  /* The floor reads from where the voices are. */
  for (guint v = 0; v < voices; v++)
    rig->positions[v] = rig->core->mixer.voices[v].position;
  return rig;
}

static void
rig_free (Rig *rig)
{
  fz_core_free (rig->core);
  free (rig->out);
  g_free (rig->samples);
  g_free (rig->positions);
  g_free (rig);
}

typedef int FloorVec __attribute__ ((vector_size (32)));

/* Reads @n floats at @in (whole vectors: a period is a multiple of 8
 * floats) into @acc; nothing is written. */
static inline __attribute__ ((always_inline)) void
read_span (const float *in, size_t n, FloorVec *acc)
{
  FloorVec a = acc[0], b = acc[1];

  for (size_t i = 0; i + 16 <= n; i += 16)
    {
      FloorVec x, y;

      memcpy (&x, in + i, sizeof x);
      memcpy (&y, in + i + 8, sizeof y);
      a |= x;
      b |= y;
    }
  acc[0] = a;
  acc[1] = b;
}

/* One period of the floor: each voice's @frames frames read from where
 * it is, looping at the sample's end as the voice does.  The kernel is
 * built for AVX2 where the CPU has it (32-byte loads, as the mixer's
 * kernels use), else for the baseline. */
#define FLOOR_PERIOD_BODY                                                    \
  FloorVec acc[2] = { { 0 }, { 0 } };                                        \
  for (guint v = 0; v < rig->voices; v++)                                    \
    {                                                                        \
      const FzSample *sample = rig->samples[v];                              \
      size_t position = rig->positions[v], left = frames;                    \
      while (left > 0)                                                       \
        {                                                                    \
          size_t span = MIN (left, sample->frames - position);               \
          read_span (sample->data + position * CHANNELS, span * CHANNELS, acc); \
          position += span;                                                  \
          left -= span;                                                      \
          if (position == sample->frames)                                    \
            position = 0;                                                    \
        }                                                                    \
      rig->positions[v] = position;                                          \
    }                                                                        \
  return (acc[0][0] | acc[1][1]) != 0x12345678;

__attribute__ ((target ("avx2"), noinline)) static int
floor_period_avx2 (Rig *rig, size_t frames)
{
  FLOOR_PERIOD_BODY
}

__attribute__ ((noinline)) static int
floor_period_base (Rig *rig, size_t frames)
{
  FLOOR_PERIOD_BODY
}

/* The batched order: up to FLOOR_BATCH voices at a time, FLOOR_STEP
 * frames of each in turn, looping at a sample's end as the voice does. */
#define FLOOR_BATCHED_BODY                                                   \
  FloorVec acc[2] = { { 0 }, { 0 } };                                        \
  for (guint first = 0; first < rig->voices; first += FLOOR_BATCH)          \
    {                                                                        \
      guint last = MIN (rig->voices, first + FLOOR_BATCH);                   \
      for (size_t done = 0; done < frames; done += FLOOR_STEP)               \
        for (guint v = first; v < last; v++)                                 \
          {                                                                  \
            const FzSample *sample = rig->samples[v];                        \
            size_t left = MIN (FLOOR_STEP, frames - done);                   \
            while (left > 0)                                                 \
              {                                                              \
                size_t position = rig->positions[v];                         \
                size_t span = MIN (left, sample->frames - position);         \
                read_span (sample->data + position * CHANNELS, span * CHANNELS, acc); \
                position += span;                                            \
                left -= span;                                                \
                rig->positions[v] = position == sample->frames ? 0 : position; \
              }                                                              \
          }                                                                  \
    }                                                                        \
  return (acc[0][0] | acc[1][1]) != 0x12345678;

__attribute__ ((target ("avx2"), noinline)) static int
floor_batched_avx2 (Rig *rig, size_t frames)
{
  FLOOR_BATCHED_BODY
}

__attribute__ ((noinline)) static int
floor_batched_base (Rig *rig, size_t frames)
{
  FLOOR_BATCHED_BODY
}

static volatile int floor_sink;

/* The control thread's part of a ramping period: every slot's gain to a
 * new target.  On an engine it runs on another thread, so it is outside
 * what callgrind counts and the clock times (bench-core's param gain
 * counts it). */
static void
set_every_gain (Rig *rig)
{
  for (guint v = 0; v < rig->voices; v++)
    fz_params_set_gain (&rig->core->params, v, rig->ramps % 2 ? 1.0f : 0.5f);
  rig->ramps++;
}

int bench_region (Rig *rig, RunKind kind, size_t frames);

/* One period of the audio thread's work: what callgrind counts
 * (--toggle-collect=bench_region) and the clock times. */
__attribute__ ((noinline)) int
bench_region (Rig *rig, RunKind kind, size_t frames)
{
  if (kind == RUN_FLOOR)
    return floor_avx2 ? floor_period_avx2 (rig, frames) : floor_period_base (rig, frames);
  if (kind == RUN_FLOOR_BATCHED)
    return floor_avx2 ? floor_batched_avx2 (rig, frames) : floor_batched_base (rig, frames);
  fz_core_process (rig->core, rig->out, frames, 0);
  return 0;
}

/* @periods periods of @kind; with @timed, the seconds that the audio
 * thread's part of them took (each period timed alone, the same for the
 * mixer and the floors), else 0.  @control, if not NULL, gets the
 * seconds of the control thread's part (set_every_gain()), timed alone
 * too. */
static double
run_periods (Rig *rig, RunKind kind, guint periods, size_t frames, gboolean timed,
             double *control)
{
  double busy = 0.0, setting = 0.0;
  int sink = 0;

  for (guint p = 0; p < periods; p++)
    {
      double start = 0.0;

      if (kind == RUN_MIX && rig->ramp)
        {
          if (timed)
            start = bench_now_s ();
          set_every_gain (rig);
          if (timed)
            setting += bench_now_s () - start;
        }
      if (timed)
        start = bench_now_s ();
      sink += bench_region (rig, kind, frames);
      if (timed)
        busy += bench_now_s () - start;
    }
  floor_sink = sink;
  if (control != NULL)
    *control = setting;
  return busy;
}

static void
pin_to_this_cpu (void)
{
  cpu_set_t set;
  int cpu = sched_getcpu ();

  CPU_ZERO (&set);
  CPU_SET (cpu < 0 ? 0 : cpu, &set);
  if (sched_setaffinity (0, sizeof set, &set) != 0)
    g_warning ("sched_setaffinity: %s", g_strerror (errno));
}

/* time VOICES SECONDS REPS MODE: one whole pass over the samples per run
 * (seconds × 48000 / 256 periods): the mixer's and the two floors' in
 * turn, which goes first rotating from rep to rep. */
static void
scenario_time (guint voices, guint seconds, guint reps, gboolean ramp)
{
  static const RunKind kinds[] = { RUN_MIX, RUN_FLOOR, RUN_FLOOR_BATCHED };
  Rig *rig = rig_new (voices, seconds, ramp);
  guint periods = seconds * RATE / 256;
  g_autofree double *times = g_new (double, 3 * reps);
  g_autofree double *floor_s = g_new (double, reps);
  g_autofree double *ratio = g_new (double, reps);
  g_autofree double *control_ms = g_new (double, reps);
  g_autofree double *with_control = g_new (double, reps);
  double control;
  double *mix = times, *voice_major = times + reps, *batched = times + 2 * reps;

  pin_to_this_cpu ();
  bench_print_loadavg ("floor-loadavg-start");
  /* Warm-up: one pass of each (code, page tables; the data are too big
   * to stay in any cache). */
  for (guint k = 0; k < 3; k++)
    run_periods (rig, kinds[k], periods, 256, FALSE, NULL);
  for (guint r = 0; r < reps; r++)
    {
      for (guint turn = 0; turn < 3; turn++)
        {
          guint k = (turn + r) % 3;

          times[k * reps + r] = run_periods (rig, kinds[k], periods, 256, TRUE, &control) * 1e3;
          if (kinds[k] == RUN_MIX)
            control_ms[r] = control * 1e3;
        }
      floor_s[r] = MIN (voice_major[r], batched[r]);
      ratio[r] = mix[r] / floor_s[r];
      with_control[r] = (mix[r] + control_ms[r]) / floor_s[r];
    }
  bench_drain_replies (rig->core);
  /* Every voice still loops: the runs did the same work throughout. */
  g_assert_cmpuint (rig->core->mixer.n_voices, ==, voices);
  flitzis_test_result ("floor-bytes", "%" G_GUINT64_FORMAT,
                       (guint64) voices * seconds * RATE * CHANNELS * sizeof (float));
  flitzis_test_result ("floor-periods", "%u", periods);
  flitzis_test_result ("floor-path", "%s", fz_mixer_get_path_name (&rig->core->mixer));
  flitzis_test_spread ("floor-ratio", "%.3f", ratio, reps);
  flitzis_test_spread ("floor-mix-ms", "%.2f", mix, reps);
  /* The gains set for every period (ramp): on an engine, another thread's
   * time; here, what the mixer's time would be with it. */
  if (ramp)
    {
      flitzis_test_spread ("floor-control-ms", "%.2f", control_ms, reps);
      flitzis_test_spread ("floor-ratio-with-control", "%.3f", with_control, reps);
    }
  flitzis_test_spread ("floor-read-ms", "%.2f", floor_s, reps);
  flitzis_test_spread ("floor-voice-major-ms", "%.2f", voice_major, reps);
  flitzis_test_spread ("floor-batched-ms", "%.2f", batched, reps);
  bench_print_loadavg ("floor-loadavg-end");
  rig_free (rig);
}

/* ir KIND VOICES SECONDS PERIODS FRAMES MODE: for callgrind. */
static void
scenario_ir (RunKind kind, guint voices, guint seconds, guint periods, size_t frames,
             gboolean ramp)
{
  Rig *rig = rig_new (kind == RUN_NONE ? 0 : voices, seconds, ramp);

  g_assert_cmpuint (frames, <=, MAX_FRAMES);
  g_assert_cmpuint (frames % 8, ==, 0);
  /* Warm-up: the voices' first periods, as in bench-core. */
  for (guint p = 0; p < 4; p++)
    fz_core_process (rig->core, rig->out, frames, 0);
  run_periods (rig, kind, periods, frames, FALSE, NULL);
  bench_drain_replies (rig->core);
  flitzis_test_result ("floor-path", "%s", fz_mixer_get_path_name (&rig->core->mixer));
  rig_free (rig);
}

static RunKind
parse_kind (const char *name)
{
  if (g_str_equal (name, "mix"))
    return RUN_MIX;
  if (g_str_equal (name, "floor"))
    return RUN_FLOOR;
  if (g_str_equal (name, "floor-batched"))
    return RUN_FLOOR_BATCHED;
  if (g_str_equal (name, "none"))
    return RUN_NONE;
  g_error ("unknown kind %s", name);
}

static void
test_time (void)
{
  scenario_time (32, 1, 3, FALSE);
  scenario_time (4, 1, 2, TRUE);
}

static void
test_ir (void)
{
  static const size_t sizes[] = { 32, 64, 256, 1024 };

  for (guint i = 0; i < G_N_ELEMENTS (sizes); i++)
    {
      scenario_ir (RUN_MIX, 32, 1, 4, sizes[i], FALSE);
      scenario_ir (RUN_FLOOR, 32, 1, 4, sizes[i], FALSE);
      scenario_ir (RUN_FLOOR_BATCHED, 32, 1, 4, sizes[i], FALSE);
      scenario_ir (RUN_NONE, 32, 1, 4, sizes[i], TRUE);
    }
}

/* Both floors read what the voices play: after the same periods (past
 * the samples' ends, at 37 frames a period too), each is at the same
 * place in its sample. */
static void
test_same_bytes (void)
{
  static const RunKind floors[] = { RUN_FLOOR, RUN_FLOOR_BATCHED };
  static const size_t sizes[] = { 256, 37 };

  for (guint s = 0; s < G_N_ELEMENTS (sizes); s++)
    for (guint f = 0; f < G_N_ELEMENTS (floors); f++)
      {
        Rig *rig = rig_new (32, 1, FALSE);
        guint periods = 2 * RATE / sizes[s];

        run_periods (rig, RUN_MIX, periods, sizes[s], FALSE, NULL);
        run_periods (rig, floors[f], periods, sizes[s], FALSE, NULL);
        for (guint v = 0; v < 32; v++)
          g_assert_cmpuint (rig->positions[v], ==, rig->core->mixer.voices[v].position);
        bench_drain_replies (rig->core);
        rig_free (rig);
      }
}

int
main (int argc, char **argv)
{
  const char *scenario = bench_init (&argc, &argv);

  if (scenario == NULL)
    {
      g_test_add_func ("/bench/floor/time", test_time);
      g_test_add_func ("/bench/floor/ir", test_ir);
      g_test_add_func ("/bench/floor/same-bytes", test_same_bytes);
      return g_test_run ();
    }
  if (g_str_equal (scenario, "time") && argc == 6)
    scenario_time ((guint) atoi (argv[2]), (guint) atoi (argv[3]), (guint) atoi (argv[4]),
                   g_str_equal (argv[5], "ramp"));
  else if (g_str_equal (scenario, "ir") && argc == 8)
    scenario_ir (parse_kind (argv[2]), (guint) atoi (argv[3]), (guint) atoi (argv[4]),
                 (guint) atoi (argv[5]), (size_t) atoi (argv[6]), g_str_equal (argv[7], "ramp"));
  else
    {
      fprintf (stderr, "usage: %s time VOICES SECONDS REPS unity|ramp"
               " | ir mix|floor|floor-batched|none VOICES SECONDS PERIODS FRAMES unity|ramp\n"
               "       %s -k --tap  (every scenario once, small)\n", argv[0], argv[0]);
      return 2;
    }
  return 0;
}
