/* bench-clock.c: what the musical clock and the quantizer cost
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Run like bench-core (tests/bench/run-bench.py): `bench-clock SCENARIO
 * ARGS...` prints "key value" lines, and every scenario counts
 * instructions under callgrind with --toggle-collect=bench_region (only
 * what bench_region() runs is counted: no set-up, no warm-up);
 * `bench-clock -k --tap` (make check) runs each once, small, and asserts
 * nothing about time.  The inputs are fixed: the same instructions on
 * every run.
 *
 * - period MODE BPM PERIODS: fz_core_process() with no voice, 256-frame
 *   stereo periods at 48 kHz, at BPM, with MODE "off" (no beat reports,
 *   no metronome: the clock's cheapest), "beats" (every beat reported, as
 *   an engine does by default) or "metronome" (beats and clicks); the
 *   difference to "off" is the clock's cost per period.
 * - op NAME CALLS BPM: CALLS calls of the clock's arithmetic at BPM:
 *   "grid" fz_clock_grid_frame() (what a quantized trigger or stop costs
 *   the audio thread), over the six grids in turn and frames spread over
 *   an hour; "position" fz_clock_position() with the bar and the beat
 *   (what get_position() computes); "none" the bare loop, to subtract.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "core/fz-core.h"
#include "flitzis-test.h"
#include "bench-common.h"

#define RATE 48000
#define CHANNELS 2
#define PERIOD 256

typedef enum {
  MODE_OFF,
  MODE_BEATS,
  MODE_METRONOME,
  OP_NONE,
  OP_GRID,
  OP_POSITION,
} Mode;

typedef struct {
  Mode mode;
  FzCore *core;
  float *out;
  FzTempo tempo;
  uint64_t sink;
} Rig;

void bench_region (Rig *rig, guint count);

/* Everything that callgrind counts (--toggle-collect=bench_region). */
__attribute__ ((noinline)) void
bench_region (Rig *rig, guint count)
{
  switch (rig->mode)
    {
    case MODE_OFF:
    case MODE_BEATS:
    case MODE_METRONOME:
      for (guint p = 0; p < count; p++)
        fz_core_process (rig->core, rig->out, PERIOD, 0);
      break;
    case OP_GRID:
      for (guint i = 0; i < count; i++)
        rig->sink += fz_clock_grid_frame (&rig->tempo, (FzGrid) (FZ_GRID_BAR + i % 6),
                                          (uint64_t) i * 172799u % (3600u * RATE));
      break;
    case OP_POSITION:
      for (guint i = 0; i < count; i++)
        {
          FzBeatPos position = fz_clock_position (&rig->tempo,
                                                  (uint64_t) i * 172799u % (3600u * RATE));

          rig->sink += (uint64_t) fz_clock_bar (&rig->tempo, position) +
                       fz_clock_beat_in_bar (&rig->tempo, position);
        }
      break;
    case OP_NONE:
      for (guint i = 0; i < count; i++)
        __asm__ volatile ("" : : "r" (rig) : "memory");
      break;
    default:
      g_assert_not_reached ();
    }
}

static uint64_t
step_of (double bpm)
{
  uint64_t step = fz_clock_step (bpm, RATE);

  g_assert_cmpuint (step, !=, 0);
  return step;
}

static guint
drain_beats (FzCore *core)
{
  FzMsg reply;
  guint beats = 0;

  while (fz_core_receive (core, &reply))
    beats += reply.type == FZ_REPLY_BEAT;
  return beats;
}

/* period MODE BPM PERIODS */
static void
scenario_period (Mode mode, double bpm, guint periods)
{
  Rig rig = { .mode = mode, .core = fz_core_new (RATE, CHANNELS) };
  FzTempo tempo = fz_clock_from_downbeat (0, step_of (bpm), 4);

  g_assert_nonnull (rig.core);
  rig.out = aligned_alloc (64, PERIOD * CHANNELS * sizeof (float));
  fz_core_init_clock (rig.core, &tempo);
  rig.core->report_beats = mode != MODE_OFF;
  rig.core->metronome = mode == MODE_METRONOME;
  rig.core->metronome_gain = 0.5f;
  if (mode == MODE_METRONOME)
    {
      /* The engine's 30 ms clicks; their content costs nothing to count. */
      g_assert_true (fz_core_alloc_clicks (rig.core, RATE * 30 / 1000));
      for (guint i = 0; i < 2; i++)
        for (size_t s = 0; s < rig.core->clicks[i].frames * CHANNELS; s++)
          rig.core->clicks[i].data[s] = 0.25f;
    }
  for (guint p = 0; p < 4; p++)
    fz_core_process (rig.core, rig.out, PERIOD, 0);
  drain_beats (rig.core);
  /* The reply ring holds 1024: never full here (1,000 periods at 400 BPM
   * are 36 beats). */
  g_assert_cmpuint ((guint64) periods * PERIOD / (60.0 * RATE / bpm), <, 1000);
  bench_region (&rig, periods);
  flitzis_test_result ("clock-beats", "%u", drain_beats (rig.core));
  fz_core_free (rig.core);
  free (rig.out);
}

/* op NAME CALLS BPM */
static void
scenario_op (Mode op, guint calls, double bpm)
{
  Rig rig = { .mode = op, .tempo = fz_clock_from_downbeat (0, step_of (bpm), 4) };

  bench_region (&rig, calls);
  flitzis_test_result ("clock-sink", "%" G_GUINT64_FORMAT, rig.sink);
}

static Mode
parse_mode (const char *name)
{
  static const char *const names[] = { "off", "beats", "metronome", "none", "grid", "position" };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    if (g_str_equal (name, names[i]))
      return (Mode) i;
  g_error ("unknown clock scenario %s", name);
}

static void
test_period (void)
{
  scenario_period (MODE_OFF, 120.0, 100);
  scenario_period (MODE_BEATS, 120.0, 100);
  scenario_period (MODE_METRONOME, 400.0, 100);
}

static void
test_op (void)
{
  scenario_op (OP_NONE, 1000, 93.7);
  scenario_op (OP_GRID, 1000, 93.7);
  scenario_op (OP_POSITION, 1000, 93.7);
}

int
main (int argc, char **argv)
{
  const char *scenario = bench_init (&argc, &argv);

  if (scenario == NULL)
    {
      g_test_add_func ("/bench/clock/period", test_period);
      g_test_add_func ("/bench/clock/op", test_op);
      return g_test_run ();
    }
  if (g_str_equal (scenario, "period") && argc == 5)
    scenario_period (parse_mode (argv[2]), g_ascii_strtod (argv[3], NULL), (guint) atoi (argv[4]));
  else if (g_str_equal (scenario, "op") && argc == 5)
    scenario_op (parse_mode (argv[2]), (guint) atoi (argv[3]), g_ascii_strtod (argv[4], NULL));
  else
    {
      fprintf (stderr, "usage: %s [period off|beats|metronome BPM PERIODS"
               " | op none|grid|position CALLS BPM]\n"
               "       %s -k --tap  (every scenario once, small)\n", argv[0], argv[0]);
      return 2;
    }
  return 0;
}
