/* bench-midi.c: MIDI-to-sound jitter, and what MIDI costs the audio thread
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Run like bench-core (tests/bench/run-bench.py): `bench-midi SCENARIO
 * ARGS...` prints "key value" lines; `bench-midi -k --tap` (make check)
 * runs each once, small, and asserts nothing about time.  The inputs are
 * fixed (a seeded generator): the same on every run.
 *
 * - jitter PERIOD EVENTS SEED: EVENTS note-ons at random frames of a
 *   stream of PERIOD-frame periods, through the real core, two ways:
 *   "in-cycle", the engine's MIDI input (fz_core_midi_input() with the
 *   event's frame, as the JACK back-end's callback does with each event's
 *   offset); and "queue", what an application builds today: its MIDI
 *   thread calls play_sample() when the event arrives (FZ_CMD_PLAY on the
 *   command ring), which starts at the next period's first frame.  For
 *   each, the latency of every note (the frame its voice started, from
 *   the core's sample-started reply, minus the event's frame) and its
 *   spread: the jitter.  A constant latency (the server's one period of
 *   MIDI buffering, the same for every event) is not jitter.
 * - cost WAY EVENTS PERIODS: fz_core_process() of PERIODS 256-frame
 *   stereo periods with EVENTS triggers a period (of short samples, at
 *   frames spread over the period), WAY "midi": mapped note-ons through
 *   fz_core_midi_input(), each parsed, reported and mapped; "command": the
 *   same triggers as play_sample_at() queues them (FZ_CMD_PLAY_AT); EVENTS
 *   0: neither.  Counted by callgrind (--toggle-collect=bench_region): the
 *   difference between the ways is what MIDI adds to a trigger.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "core/fz-core.h"
#include "flitzis-test.h"
#include "bench-common.h"

#define RATE 48000
#define CHANNELS 2
#define COST_PERIOD 256

typedef struct {
  FzCore *core;
  float *out;
  guint events;
  gboolean midi;
} Rig;

void bench_region (Rig *rig, guint periods);

static FzCore *
mapped_core (void)
{
  FzCore *core = fz_core_new (RATE, CHANNELS);
  FzMidiMap *map = fz_midi_map_new ();

  g_assert_nonnull (core);
  for (guint slot = 0; slot < 4; slot++)
    {
      FzSample *sample = fz_sample_new (64, CHANNELS, RATE);
      FzMsg load = { .type = FZ_CMD_LOAD, .slot = slot, .sample = sample };

      for (guint i = 0; i < 64 * CHANNELS; i++)
        sample->data[i] = 0.25f;
      g_assert_true (fz_core_send (core, &load));
      map->notes[map->n_notes++] = (FzMidiNoteMap) {
        .channel = FZ_MIDI_ANY_CHANNEL, .note = (uint8_t) (36 + slot), .slot = slot,
        .gate = true };
    }
  for (guint v = 0; v < 128; v++)
    map->curves[0][v] = v / 127.0f;
  map->n_curves = 1;
  fz_midi_map_index (map);
  fz_core_set_midi_map (core, map);
  return core;
}

static void
drain (FzCore *core, GArray *started)
{
  FzMsg reply;

  while (fz_core_receive (core, &reply))
    {
      if (reply.type == FZ_REPLY_STARTED && started != NULL)
        g_array_append_val (started, reply.frame);
      fz_sample_unref (reply.sample);
    }
}

/* What callgrind counts (--toggle-collect=bench_region). */
__attribute__ ((noinline)) void
bench_region (Rig *rig, guint periods)
{
  for (guint p = 0; p < periods; p++)
    {
      uint64_t start = fz_core_get_frame_time (rig->core);

      for (guint e = 0; e < rig->events; e++)
        {
          const uint8_t on[] = { 0x90, (uint8_t) (36 + e % 4), 127 };
          uint64_t frame = start + (e * 37u) % COST_PERIOD;
          FzMsg play = { .type = FZ_CMD_PLAY_AT, .slot = e % 4, .gain = 1.0f, .frame = frame };

          if (rig->midi)
            fz_core_midi_input (rig->core, on, sizeof on, frame);
          else
            fz_core_send (rig->core, &play);
        }
      fz_core_process (rig->core, rig->out, COST_PERIOD, 0);
      /* Replies taken every period, as the engine's source does. */
      drain (rig->core, NULL);
    }
}

/* cost WAY EVENTS PERIODS */
static void
scenario_cost (gboolean midi, guint events, guint periods)
{
  Rig rig = { .core = mapped_core (), .events = events, .midi = midi };

  rig.out = aligned_alloc (64, COST_PERIOD * CHANNELS * sizeof (float));
  for (guint p = 0; p < 4; p++)
    fz_core_process (rig.core, rig.out, COST_PERIOD, 0);
  drain (rig.core, NULL);
  bench_region (&rig, periods);
  flitzis_test_result ("midi-cost-events", "%u", events * periods);
  fz_core_free (rig.core);
  free (rig.out);
}

typedef struct {
  double mean, min, max, stddev;
} Spread;

static Spread
spread_of (const GArray *latencies)
{
  Spread s = { 0.0, INFINITY, -INFINITY, 0.0 };

  for (guint i = 0; i < latencies->len; i++)
    {
      double x = g_array_index (latencies, double, i);

      s.mean += x / latencies->len;
      s.min = MIN (s.min, x);
      s.max = MAX (s.max, x);
    }
  for (guint i = 0; i < latencies->len; i++)
    {
      double d = g_array_index (latencies, double, i) - s.mean;

      s.stddev += d * d / latencies->len;
    }
  s.stddev = sqrt (s.stddev);
  return s;
}

/* One note-on every few periods, at a random frame of its period; each
 * way's latency per note. */
static Spread
run_path (gboolean in_cycle, guint period, guint events, guint32 seed)
{
  FzCore *core = mapped_core ();
  float *out = g_new0 (float, (gsize) period * CHANNELS);
  g_autoptr (GRand) rand = g_rand_new_with_seed (seed);
  g_autoptr (GArray) started = g_array_new (FALSE, FALSE, sizeof (guint64));
  g_autoptr (GArray) latencies = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr (GArray) sent = g_array_new (FALSE, FALSE, sizeof (guint64));

  fz_core_process (core, out, period, 0);
  drain (core, NULL);
  for (guint e = 0; e < events; e++)
    {
      /* The event arrives while the server runs the cycle of the period
       * rendered last, [start - period, start): its frame is there; the
       * next callback renders [start, start + period). */
      uint64_t start = fz_core_get_frame_time (core);
      uint64_t frame = start - period + (uint64_t) g_rand_int_range (rand, 0, (gint32) period);
      const uint8_t on[] = { 0x90, (uint8_t) (36 + e % 4), 100 };
      FzMsg play = { .type = FZ_CMD_PLAY, .slot = e % 4, .gain = 100 / 127.0f };

      g_array_append_val (sent, frame);
      if (in_cycle)
        {
          /* The server hands this period's MIDI to the callback that
           * renders the next one, offsets kept: one period of constant
           * latency, exact to the frame. */
          fz_core_midi_input (core, on, sizeof on, frame + period);
        }
      else
        g_assert_true (fz_core_send (core, &play));
      fz_core_process (core, out, period, 0);
      drain (core, started);
      for (guint p = 0; p < 2; p++)
        {
          fz_core_process (core, out, period, 0);
          drain (core, started);
        }
    }
  g_assert_cmpuint (started->len, ==, events);
  for (guint e = 0; e < events; e++)
    {
      double latency = (double) g_array_index (started, guint64, e) -
                       (double) g_array_index (sent, guint64, e);

      g_array_append_val (latencies, latency);
    }
  fz_core_free (core);
  g_free (out);
  return spread_of (latencies);
}

static void
print_spread (const char *way, Spread s, guint period)
{
  flitzis_test_result (way, "min %.0f mean %.1f max %.0f stddev %.1f jitter %.0f "
                       "jitter-ms %.3f period %u", s.min, s.mean, s.max, s.stddev,
                       s.max - s.min, (s.max - s.min) * 1000.0 / RATE, period);
}

/* jitter PERIOD EVENTS SEED */
static void
scenario_jitter (guint period, guint events, guint32 seed)
{
  print_spread ("midi-in-cycle", run_path (TRUE, period, events, seed), period);
  print_spread ("midi-queue", run_path (FALSE, period, events, seed), period);
}

static void
test_jitter (void)
{
  Spread in_cycle = run_path (TRUE, 256, 50, 23);

  /* The bench's one check that cannot rot: every note lands one period
   * after its frame exactly. */
  g_assert_cmpfloat (in_cycle.min, ==, 256.0);
  g_assert_cmpfloat (in_cycle.max, ==, 256.0);
  scenario_jitter (256, 50, 23);
}

static void
test_cost (void)
{
  scenario_cost (TRUE, 0, 10);
  scenario_cost (TRUE, 4, 10);
  scenario_cost (FALSE, 4, 10);
}

int
main (int argc, char **argv)
{
  const char *scenario = bench_init (&argc, &argv);

  if (scenario == NULL)
    {
      g_test_add_func ("/bench/midi/jitter", test_jitter);
      g_test_add_func ("/bench/midi/cost", test_cost);
      return g_test_run ();
    }
  if (g_str_equal (scenario, "jitter") && argc == 5)
    scenario_jitter ((guint) atoi (argv[2]), (guint) atoi (argv[3]), (guint32) atoi (argv[4]));
  else if (g_str_equal (scenario, "cost") && argc == 5)
    scenario_cost (g_str_equal (argv[2], "midi"), (guint) atoi (argv[3]), (guint) atoi (argv[4]));
  else
    g_error ("usage: bench-midi jitter PERIOD EVENTS SEED | cost midi|command EVENTS PERIODS");
  return 0;
}
