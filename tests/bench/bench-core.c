/* bench-core.c: benchmarks of the real-time core, the ring and the loader
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Two ways to run it:
 *
 * - `bench-core SCENARIO ARGS...` runs one scenario and prints its results
 *   as "key value" lines.  tests/bench/run-bench.py runs the scenarios that
 *   count instructions under `valgrind --tool=callgrind
 *   --toggle-collect=bench_region`: only what bench_region() runs is
 *   counted, so set-up and warm-up are not.  The others time themselves
 *   against a reference run in the same process (ratios).
 * - `bench-core -k --tap` (make check) runs every scenario once, small,
 *   and checks only that it works: timings are never asserted.
 */
#define _GNU_SOURCE 1  /* pthread_setaffinity_np(), CPU_SET() */
#include "config.h"

#include <malloc.h>
#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xmmintrin.h>

#include <glib.h>
#include <glib/gstdio.h>
#include <jack/ringbuffer.h>
#include <sndfile.h>

#include "flitzis.h"
#include "core/fz-core.h"
#include "core/fz-sample.h"
#include "flitzis-test.h"
#include "bench-common.h"

#define RATE 48000
#define CHANNELS 2
#define PERIOD 256

static gboolean quick;

/* ---- helpers ---- */

/* @frames of stereo test signal, times @scale, with an exponential decay
 * to @decay of the first value by the end (1: none). */
static FzSample *
make_sample (size_t frames, guint32 seed, float scale, double decay)
{
  FzSample *sample = bench_signal_sample (frames, seed);

  for (size_t i = 0; i < frames * CHANNELS; i++)
    sample->data[i] = sample->data[i] * scale
                      * (float) pow (decay, (double) (i / CHANNELS) / (double) frames);
  return sample;
}

/* ---- mixing: the core with @voices looping voices ---- */

typedef enum {
  KIND_CORE,          /* fz_core_process(): the engine's audio callback */
  KIND_NAIVE_FRAME,   /* the seed's structure: frame by frame, voice by voice */
  KIND_NAIVE_SCALAR,  /* a plain scalar loop per voice and period */
  KIND_RING,          /* push + pop on the command ring */
  KIND_RING_EMPTY,    /* the ring's loop, without the ring */
  KIND_JACK_RING,     /* the same on a jack_ringbuffer: space, write, space, read */
  KIND_SET_GAIN,      /* set_sample_gain() on a running engine */
  KIND_SET_VOLUME,    /* set_volume() likewise */
  KIND_SET_NONE,      /* the same loop without the calls */
  KIND_SET_STORE,     /* the same calls to a function that stores one value */
} Kind;

typedef struct {
  Kind kind;
  FzCore *core;
  float *out;
  guint voices;
  gboolean ramp;
  FzRing *ring;
  jack_ringbuffer_t *rb;
  FlitzisAudioEngine *engine;
  guint calls;        /* parameter calls so far: each sets another value */
} Rig;

/* The core's slot table: the default, or mix's optional SLOTS argument
 * (1024: the cost of many empty slots). */
static guint bench_slots = FZ_MAX_SLOTS;

static Rig *
rig_new (Kind kind, guint voices, gboolean ramp, float scale, double decay)
{
  Rig *rig = g_new0 (Rig, 1);
  size_t frames = quick ? 4 * PERIOD : RATE;

  rig->kind = kind;
  rig->voices = voices;
  rig->ramp = ramp;
  rig->core = fz_core_new_sized (RATE, CHANNELS, bench_slots, FZ_MAX_VOICES);
  /* FLITZIS_MIX_PATH=scalar|vec128|avx2: another path than the CPU's best. */
  if (g_getenv ("FLITZIS_MIX_PATH") != NULL)
    {
      static const char *const names[] = { "scalar", "vec128", "avx2" };

      for (guint i = 0; i < G_N_ELEMENTS (names); i++)
        if (g_str_equal (g_getenv ("FLITZIS_MIX_PATH"), names[i]))
          g_assert_true (fz_mixer_set_path (&rig->core->mixer, (FzMixPath) i));
    }
  /* FLITZIS_BENCH_SPEED=RATIO: every voice at that speed (resampled,
   * fz-varispeed.h) from its first frame on. */
  if (g_getenv ("FLITZIS_BENCH_SPEED") != NULL)
    fz_mixer_set_speed (&rig->core->mixer, FZ_MASTER,
                        g_ascii_strtod (g_getenv ("FLITZIS_BENCH_SPEED"), NULL));
  rig->out = aligned_alloc (64, PERIOD * CHANNELS * sizeof (float));
  for (guint v = 0; v < voices; v++)
    {
      FzSample *sample = make_sample (frames, v + 1, scale, decay);

      bench_send (rig->core, (FzMsg) { .type = FZ_CMD_LOAD, .slot = v, .sample = sample });
      bench_send (rig->core, (FzMsg) { .type = FZ_CMD_SET_LOOP, .slot = v, .flag = 1 });
      bench_send (rig->core, (FzMsg) { .type = FZ_CMD_PLAY, .slot = v, .gain = 0.8f });
    }
  /* Warm-up: the commands are carried out, the voices start. */
  for (guint p = 0; p < 4; p++)
    {
      fz_core_process (rig->core, rig->out, PERIOD, 0);
      bench_drain_replies (rig->core);
    }
  g_assert_cmpuint (rig->core->mixer.n_voices, ==, voices);
  return rig;
}

static void
rig_free (Rig *rig)
{
  fz_core_free (rig->core);
  free (rig->out);
  g_free (rig);
}

/* The seed's mixer structure: for each frame, for each voice, check the
 * voice's end and loop, compute its gain, and add its channels. */
static void
naive_frame_render (FzMixer *mixer, float *out, size_t frames)
{
  memset (out, 0, frames * mixer->channels * sizeof (float));
  for (size_t f = 0; f < frames; f++)
    for (uint32_t v = 0; v < mixer->n_voices; v++)
      {
        FzVoice *voice = &mixer->voices[v];
        const FzSlot *slot = &mixer->slots[voice->slot];
        const FzRamp *ramps[2] = { &slot->gain, &mixer->master };
        float gain = voice->velocity;

        if (voice->position >= voice->sample->frames)
          {
            if (!slot->loop)
              continue;
            voice->position = slot->loop_start;
          }
        for (guint r = 0; r < 2; r++)
          {
            const FzRamp *ramp = ramps[r];
            uint64_t t = mixer->now + f;

            gain *= t >= ramp->end
                        ? ramp->target
                        : t <= ramp->start
                            ? ramp->from
                            : ramp->from + (ramp->target - ramp->from)
                                               * ((float) (t - ramp->start)
                                                  / (float) (ramp->end - ramp->start));
          }
        for (uint32_t c = 0; c < mixer->channels; c++)
          out[f * mixer->channels + c] += voice->sample->data[voice->position * mixer->channels + c] * gain;
        voice->position++;
      }
}

/* A plain scalar loop: one multiply-add per sample, voice by voice (loop
 * seams and ramps left out, so this is the cheapest a scalar loop gets). */
__attribute__ ((optimize ("no-tree-vectorize"))) static void
naive_scalar_render (FzMixer *mixer, float *out, size_t frames)
{
  size_t n = frames * mixer->channels;

  memset (out, 0, n * sizeof (float));
  for (uint32_t v = 0; v < mixer->n_voices; v++)
    {
      FzVoice *voice = &mixer->voices[v];
      const float *in;
      float gain = voice->velocity;

      if (voice->position + frames > voice->sample->frames)
        voice->position = 0;
      in = voice->sample->data + voice->position * mixer->channels;
      for (size_t i = 0; i < n; i++)
        out[i] += in[i] * gain;
      voice->position += frames;
    }
}

void bench_region (Rig *rig, guint periods);

/* The floor of a parameter change: a call with set_sample_gain()'s
 * arguments that only stores the value, as one float's bits, into a
 * cell of its slot. */
static atomic_uint store_cells[64];

__attribute__ ((noinline)) static gboolean
store_one_value (FlitzisAudioEngine *engine, guint id, double gain, GError **error)
{
  union { float f; unsigned int u; } bits = { .f = (float) gain };

  (void) engine;
  (void) error;
  atomic_store_explicit (&store_cells[id % 64], bits.u, memory_order_relaxed);
  return TRUE;
}

/* Everything that callgrind counts (--toggle-collect=bench_region). */
__attribute__ ((noinline)) void
bench_region (Rig *rig, guint periods)
{
  FzMsg message = { .type = FZ_CMD_PLAY, .slot = 3, .gain = 0.5f };

  switch (rig->kind)
    {
    case KIND_CORE:
      for (guint p = 0; p < periods; p++)
        {
          /* A new ramp every period: 5 ms of every 5.3. */
          if (rig->ramp)
            fz_params_set_gain (&rig->core->params, FZ_MASTER, p % 2 ? 1.0f : 0.5f);
          fz_core_process (rig->core, rig->out, PERIOD, 0);
        }
      break;
    case KIND_NAIVE_FRAME:
      for (guint p = 0; p < periods; p++)
        naive_frame_render (&rig->core->mixer, rig->out, PERIOD);
      break;
    case KIND_NAIVE_SCALAR:
      for (guint p = 0; p < periods; p++)
        naive_scalar_render (&rig->core->mixer, rig->out, PERIOD);
      break;
    case KIND_RING:
      for (guint p = 0; p < periods; p++)
        {
          fz_ring_push (rig->ring, &message);
          fz_ring_pop (rig->ring, &message);
        }
      break;
    case KIND_JACK_RING:
      /* What the two-thread run below does on JACK's ring: the space
       * checks that fz_ring_push() and fz_ring_pop() make inside. */
      for (guint p = 0; p < periods; p++)
        {
          if (jack_ringbuffer_write_space (rig->rb) >= sizeof message)
            jack_ringbuffer_write (rig->rb, (const char *) &message, sizeof message);
          if (jack_ringbuffer_read_space (rig->rb) >= sizeof message)
            jack_ringbuffer_read (rig->rb, (char *) &message, sizeof message);
        }
      break;
    case KIND_RING_EMPTY:
      /* The same loop without the calls, to subtract. */
      for (guint p = 0; p < periods; p++)
        __asm__ volatile ("" : : "r" (&message) : "memory");
      break;
    case KIND_SET_GAIN:
      for (guint p = 0; p < periods; p++, rig->calls++)
        flitzis_audio_engine_set_sample_gain (rig->engine, rig->calls % 8,
                                              rig->calls % 2 ? 0.5 : 0.25, NULL);
      break;
    case KIND_SET_VOLUME:
      for (guint p = 0; p < periods; p++, rig->calls++)
        flitzis_audio_engine_set_volume (rig->engine, rig->calls % 2 ? 0.5 : 0.25, NULL);
      break;
    case KIND_SET_STORE:
      for (guint p = 0; p < periods; p++, rig->calls++)
        store_one_value (rig->engine, rig->calls % 8, rig->calls % 2 ? 0.5 : 0.25, NULL);
      break;
    case KIND_SET_NONE:
      for (guint p = 0; p < periods; p++, rig->calls++)
        __asm__ volatile ("" : : "r" (rig) : "memory");
      break;
    default:
      g_assert_not_reached ();
    }
}

static Kind
parse_kind (const char *name)
{
  if (g_str_equal (name, "core"))
    return KIND_CORE;
  if (g_str_equal (name, "naive-frame"))
    return KIND_NAIVE_FRAME;
  if (g_str_equal (name, "naive-scalar"))
    return KIND_NAIVE_SCALAR;
  g_error ("unknown mixer kind %s", name);
}

/* mix KIND VOICES PERIODS RAMP: the periods are counted by callgrind; the
 * time is only informational. */
static void
scenario_mix (Kind kind, guint voices, guint periods, gboolean ramp)
{
  Rig *rig = rig_new (kind, voices, ramp, 1.0f, 1.0);
  double start;

  start = bench_now_s ();
  bench_region (rig, periods);
  flitzis_test_result ("seconds-per-period", "%.9f", (bench_now_s () - start) / periods);
  flitzis_test_result ("mix-path", "%s", fz_mixer_get_path_name (&rig->core->mixer));
  bench_drain_replies (rig->core);
  rig_free (rig);
}

/* ring PAIRS EMPTY: push + pop pairs on the command ring, for callgrind;
 * EMPTY 1: the loop alone; 2: the same pairs on a jack_ringbuffer of the
 * same capacity. */
static void
scenario_ring_ir (guint pairs, guint empty)
{
  Rig rig = { .kind = empty == 2 ? KIND_JACK_RING : empty ? KIND_RING_EMPTY : KIND_RING,
              .ring = fz_ring_new (),
              .rb = jack_ringbuffer_create (FZ_RING_CAPACITY * sizeof (FzMsg)) };

  bench_region (&rig, pairs);
  fz_ring_free (rig.ring);
  jack_ringbuffer_free (rig.rb);
}

/* ---- parameters: the control thread's cost per call ---- */

/* param gain|volume|store|none CALLS: set_sample_gain() (or set_volume(),
 * or a call that stores one value, or the bare loop, to subtract) on a running offline engine, CALLS times,
 * each to another value than the last, as a slider moves.  In rounds of
 * 100 calls with a period rendered between rounds (not counted), so that
 * a queue of commands would never fill. */
static void
scenario_param (const char *what, guint calls)
{
  g_autoptr (GError) error = NULL;
  float out[PERIOD * CHANNELS];
  Rig rig = { .kind = g_str_equal (what, "gain") ? KIND_SET_GAIN
                      : g_str_equal (what, "volume") ? KIND_SET_VOLUME
                      : g_str_equal (what, "store") ? KIND_SET_STORE : KIND_SET_NONE,
              .engine = flitzis_audio_engine_new_offline (RATE, CHANNELS) };

  g_assert_true (flitzis_audio_engine_run (rig.engine, &error));
  for (guint done = 0; done < calls; done += 100)
    {
      bench_region (&rig, MIN (100, calls - done));
      g_assert_true (flitzis_audio_engine_render (rig.engine, out, PERIOD, &error));
    }
  g_assert_true (flitzis_audio_engine_render (rig.engine, out, PERIOD, &error));
  flitzis_test_result ("param-calls", "%u", rig.calls);
  flitzis_audio_engine_shut_down (rig.engine);
  g_object_unref (rig.engine);
}

/* ---- the ring between two threads, against jack_ringbuffer ---- */

/* A full or empty ring: spin briefly (the other thread, on the other core,
 * is about to move), and only then give the core away.  sched_yield()
 * at once made both rings' figures depend on the scheduler more than on
 * the rings (0.7× to 3.6× between runs). */
static void
wait_a_little (void)
{
  static _Thread_local guint spins;

  if (++spins % 64 != 0)
    _mm_pause ();
  else
    sched_yield ();
}

typedef struct {
  gboolean jack;
  FzRing *ring;
  jack_ringbuffer_t *rb;
  guint64 messages;
  guint64 checksum;
} RingRun;

/* Pins the calling thread to @cpu (modulo the CPUs there are): the two
 * ends of a ring on two cores, the same two in every run, so that the
 * scheduler's placement is not part of the figure. */
static void
pin_thread (guint cpu)
{
  cpu_set_t set;
  int n = (int) g_get_num_processors ();

  CPU_ZERO (&set);
  CPU_SET ((int) cpu % MAX (n, 1), &set);
  if (pthread_setaffinity_np (pthread_self (), sizeof set, &set) != 0)
    g_warning ("pthread_setaffinity_np failed: the ring's threads are not pinned");
}

static gpointer
ring_producer (gpointer data)
{
  RingRun *run = data;

  pin_thread (1);
  for (guint64 i = 0; i < run->messages; i++)
    {
      FzMsg message = { .type = FZ_CMD_PLAY, .seq = i };

      if (run->jack)
        {
          while (jack_ringbuffer_write_space (run->rb) < sizeof message)
            wait_a_little ();
          jack_ringbuffer_write (run->rb, (const char *) &message, sizeof message);
        }
      else
        while (!fz_ring_push (run->ring, &message))
          wait_a_little ();
    }
  return NULL;
}

static double
ring_run (gboolean jack, guint64 messages)
{
  RingRun run = { .jack = jack, .messages = messages };
  GThread *producer;
  double start;
  FzMsg message;

  if (jack)
    run.rb = jack_ringbuffer_create (FZ_RING_CAPACITY * sizeof (FzMsg));
  else
    run.ring = fz_ring_new ();
  start = bench_now_s ();
  producer = g_thread_new ("producer", ring_producer, &run);
  for (guint64 i = 0; i < messages; i++)
    {
      if (jack)
        {
          while (jack_ringbuffer_read_space (run.rb) < sizeof message)
            wait_a_little ();
          jack_ringbuffer_read (run.rb, (char *) &message, sizeof message);
        }
      else
        while (!fz_ring_pop (run.ring, &message))
          wait_a_little ();
      g_assert_cmpuint (message.seq, ==, i);
    }
  g_thread_join (producer);
  if (jack)
    jack_ringbuffer_free (run.rb);
  else
    fz_ring_free (run.ring);
  return (double) messages / (bench_now_s () - start);
}

/* ring-threads: messages per second through each ring, in many
 * alternating runs (which goes first swapped every other one), the
 * consumer pinned to CPU 0 and the producer to CPU 1; the ratio of each
 * alternation's pair, and the spread of all three. */
#define RING_REPS 41
static void
scenario_ring_threads (void)
{
  guint reps = quick ? 1 : RING_REPS;
  guint64 messages = quick ? 10000 : 500000;
  double fz[RING_REPS], jack[RING_REPS], ratio[RING_REPS];

  pin_thread (0);
  for (guint r = 0; r < reps; r++)
    {
      if (r % 2 == 0)
        {
          fz[r] = ring_run (FALSE, messages);
          jack[r] = ring_run (TRUE, messages);
        }
      else
        {
          jack[r] = ring_run (TRUE, messages);
          fz[r] = ring_run (FALSE, messages);
        }
      ratio[r] = fz[r] / jack[r];
    }
  flitzis_test_spread ("ring-fz-msgs-per-s", "%.0f", fz, reps);
  flitzis_test_spread ("ring-jack-msgs-per-s", "%.0f", jack, reps);
  flitzis_test_spread ("ring-ratio", "%.2f", ratio, reps);
  bench_print_loadavg ("ring-loadavg");
}

/* ---- denormals ---- */

/* Seconds for @periods periods of 32 voices; through the core (which sets
 * FTZ/DAZ) or, @bare, through the mixer alone with them cleared. */
static double
denormal_run (Rig *rig, guint periods, gboolean bare)
{
  unsigned int csr = _mm_getcsr ();
  double start;

  if (bare)
    _mm_setcsr (csr & ~0x8040u);
  start = bench_now_s ();
  for (guint p = 0; p < periods; p++)
    if (bare)
      fz_mixer_render (&rig->core->mixer, rig->out, PERIOD);
    else
      fz_core_process (rig->core, rig->out, PERIOD, 0);
  _mm_setcsr (csr);
  return bench_now_s () - start;
}

/* denormal: a tail decaying from 1e-36 to 1e-40 (mostly subnormal, and
 * subnormal again after the 0.8 velocity) against the normal test signal,
 * alternating runs; the spread of each alternation's ratio, with FTZ/DAZ
 * (the engine's callback) and without (the bare mixer, for comparison). */
static void
scenario_denormal (void)
{
  guint reps = quick ? 1 : 9, periods = quick ? 4 : 400;
  Rig *normal = rig_new (KIND_CORE, 32, FALSE, 1.0f, 1.0);
  Rig *tail = rig_new (KIND_CORE, 32, FALSE, 1e-36f, 1e-4);
  double ftz[9], bare[9];

  for (guint r = 0; r < reps; r++)
    {
      double tn = denormal_run (normal, periods, FALSE);
      double tt = denormal_run (tail, periods, FALSE);
      double bn = denormal_run (normal, periods, TRUE);
      double bt = denormal_run (tail, periods, TRUE);

      ftz[r] = tt / tn;
      bare[r] = bt / bn;
    }
  flitzis_test_spread ("denormal-ratio-ftz", "%.3f", ftz, reps);
  flitzis_test_spread ("denormal-ratio-bare", "%.3f", bare, reps);
  rig_free (normal);
  rig_free (tail);
}

/* ---- trigger → output, offline ---- */

static gsize
first_nonzero (const float *out, gsize frames)
{
  for (gsize f = 0; f < frames; f++)
    if (out[f * CHANNELS] != 0.0f || out[f * CHANNELS + 1] != 0.0f)
      return f;
  return G_MAXSIZE;
}

static void
scenario_trigger_offline (void)
{
  g_autoptr (FlitzisAudioEngine) engine = flitzis_audio_engine_new_offline (RATE, CHANNELS);
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = flitzis_test_make_tmpdir ();
  g_autofree char *path = flitzis_test_write_constant (dir, "click.wav", 2000, 0.5f);
  float out[8 * PERIOD * CHANNELS];
  guint64 start, at;
  gsize first;

  g_assert_true (flitzis_audio_engine_run (engine, &error));
  g_assert_true (flitzis_audio_engine_load_sample (engine, 0, path, &error));
  g_assert_true (flitzis_audio_engine_render (engine, out, PERIOD, &error));

  /* play_sample() between two periods: the next period's first frame. */
  start = flitzis_audio_engine_get_frame_time (engine);
  g_assert_true (flitzis_audio_engine_play_sample (engine, 0, 1.0f, &error));
  g_assert_true (flitzis_audio_engine_render (engine, out, 2 * PERIOD, &error));
  first = first_nonzero (out, 2 * PERIOD);
  flitzis_test_result ("trigger-offline-extra-frames", "%" G_GSIZE_FORMAT, first);
  g_assert_true (flitzis_audio_engine_stop_all (engine, &error));
  for (guint p = 0; p < 4; p++)
    g_assert_true (flitzis_audio_engine_render (engine, out, PERIOD, &error));

  /* play_sample_at(): that frame exactly, mid-period. */
  at = flitzis_audio_engine_get_frame_time (engine) + 3 * PERIOD + 77;
  start = flitzis_audio_engine_get_frame_time (engine);
  g_assert_true (flitzis_audio_engine_play_sample_at (engine, 0, 1.0f, at, &error));
  g_assert_true (flitzis_audio_engine_render (engine, out, 8 * PERIOD, &error));
  first = first_nonzero (out, 8 * PERIOD);
  flitzis_test_result ("trigger-offline-at-error-frames", "%" G_GINT64_FORMAT, (gint64) (start + first) - (gint64) at);
  flitzis_audio_engine_shut_down (engine);
  flitzis_test_remove_tree (dir);
}

/* ---- loading ---- */

/* Writes @seconds of 16-bit stereo at @rate, a second at a time. */
static char *
write_long_file (const char *dir, guint rate, guint seconds)
{
  g_autofree char *name = g_strdup_printf ("long-%u.wav", rate);
  char *path = g_build_filename (dir, name, NULL);
  SF_INFO info = { .samplerate = (int) rate, .channels = 2,
                   .format = SF_FORMAT_WAV | SF_FORMAT_PCM_16 };
  g_autofree short *second = g_new (short, rate * 2);
  SNDFILE *file = sf_open (path, SFM_WRITE, &info);

  g_assert_nonnull (file);
  for (guint i = 0; i < rate * 2; i++)
    second[i] = (short) ((int) ((i * 7919u) % 20000u) - 10000);
  for (guint s = 0; s < seconds; s++)
    g_assert_cmpint (sf_writef_short (file, second, rate), ==, rate);
  sf_close (file);
  return path;
}

/* load: load_sample() of a 16-bit stereo file against a bare libsndfile
 * read of it, alternating runs, at the stream's rate and at 44.1 kHz
 * (resampled to 48 kHz).  Every big allocation is a fresh mmap() here
 * (a fixed M_MMAP_THRESHOLD of 64 KiB, which also stops glibc from
 * raising it as big blocks are freed), so that each load and each bare
 * read faults in fresh pages: with the default, whether a load found its
 * 23 MB already faulted in the heap depended on what was freed before it,
 * and the ratio ranged 0.95–2.16× from one run to the next. */
#define LOAD_REPS 21
static void
scenario_load (void)
{
  guint seconds = quick ? 1 : 60, reps = quick ? 1 : LOAD_REPS;
  g_autofree char *dir = flitzis_test_make_tmpdir ();
  g_autofree char *same = write_long_file (dir, RATE, seconds);
  g_autofree char *other = write_long_file (dir, 44100, seconds);
  g_autoptr (FlitzisAudioEngine) engine = flitzis_audio_engine_new_offline (RATE, CHANNELS);
  g_autoptr (GError) error = NULL;
  double load[LOAD_REPS], bare[LOAD_REPS], rload[LOAD_REPS], rbare[LOAD_REPS];
  double ratio[LOAD_REPS], rratio[LOAD_REPS];

  g_assert_cmpint (mallopt (M_MMAP_THRESHOLD, 64 * 1024), ==, 1);
  g_assert_true (flitzis_audio_engine_run (engine, &error));
  /* Warm the page cache, and the loader's code. */
  bench_bare_read (same);
  bench_bare_read (other);
  bench_engine_load (engine, same);
  for (guint r = 0; r < reps; r++)
    {
      bare[r] = bench_bare_read (same);
      load[r] = bench_engine_load (engine, same);
      rbare[r] = bench_bare_read (other);
      rload[r] = bench_engine_load (engine, other);
      ratio[r] = load[r] / bare[r];
      rratio[r] = rload[r] / rbare[r];
    }
  flitzis_test_spread ("load-seconds", "%.4f", load, reps);
  flitzis_test_spread ("load-bare-seconds", "%.4f", bare, reps);
  flitzis_test_spread ("load-ratio", "%.3f", ratio, reps);
  flitzis_test_spread ("load-resampled-seconds", "%.4f", rload, reps);
  flitzis_test_spread ("load-resampled-ratio", "%.3f", rratio, reps);
  flitzis_audio_engine_shut_down (engine);
  flitzis_test_remove_tree (dir);
}

/* loadmem RATE: the peak RSS growth during one load, against the decoded
 * sample's size.  Run in a process of its own. */
static void
scenario_loadmem (guint rate)
{
  g_autofree char *dir = flitzis_test_make_tmpdir ();
  g_autofree char *path = write_long_file (dir, rate, quick ? 1 : 60);
  g_autoptr (FlitzisAudioEngine) engine = flitzis_audio_engine_new_offline (RATE, CHANNELS);
  g_autoptr (GError) error = NULL;
  g_autoptr (FlitzisSampleInfo) info = NULL;
  gsize before, peak, size;

  g_assert_true (flitzis_audio_engine_run (engine, &error));
  flitzis_test_reset_peak_rss ();
  before = flitzis_test_proc_status_bytes ("VmRSS");
  g_assert_true (flitzis_audio_engine_load_sample (engine, 0, path, &error));
  peak = flitzis_test_proc_status_bytes ("VmHWM");
  info = flitzis_audio_engine_dup_sample_info (engine, 0, &error);
  g_assert_nonnull (info);
  size = flitzis_sample_info_get_memory_size (info);
  flitzis_test_result ("loadmem-decoded-bytes", "%" G_GSIZE_FORMAT, size);
  flitzis_test_result ("loadmem-peak-growth-bytes", "%" G_GSIZE_FORMAT, peak - before);
  flitzis_test_result ("loadmem-ratio", "%.3f", (double) (peak - before) / (double) size);
  flitzis_audio_engine_shut_down (engine);
  flitzis_test_remove_tree (dir);
}

/* ---- make check: every scenario once, small ---- */

static void
test_mix (void)
{
  scenario_mix (KIND_CORE, 32, 8, FALSE);
  scenario_mix (KIND_CORE, 32, 8, TRUE);
  scenario_mix (KIND_CORE, 0, 8, FALSE);
  scenario_mix (KIND_NAIVE_FRAME, 32, 8, FALSE);
  scenario_mix (KIND_NAIVE_SCALAR, 32, 8, FALSE);
}

static void
test_ring (void)
{
  scenario_ring_ir (1000, FALSE);
  scenario_ring_ir (1000, TRUE);
  scenario_ring_ir (1000, 2);
  scenario_ring_threads ();
}

static void
test_param (void)
{
  scenario_param ("gain", 1000);
  scenario_param ("volume", 1000);
  scenario_param ("none", 1000);
  scenario_param ("store", 1000);
}

static void
test_loadmem (void)
{
  if (!g_test_subprocess ())
    {
      g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_INHERIT_STDERR);
      g_test_trap_assert_passed ();
      return;
    }
  scenario_loadmem (44100);
}

int
main (int argc, char **argv)
{
  const char *scenario = bench_init (&argc, &argv);

  if (scenario == NULL)
    {
      quick = TRUE;
      g_test_add_func ("/bench/core/mix", test_mix);
      g_test_add_func ("/bench/core/ring", test_ring);
      g_test_add_func ("/bench/core/param", test_param);
      g_test_add_func ("/bench/core/denormal", scenario_denormal);
      g_test_add_func ("/bench/core/trigger-offline", scenario_trigger_offline);
      g_test_add_func ("/bench/core/load", scenario_load);
      g_test_add_func ("/bench/core/load-memory", test_loadmem);
      return g_test_run ();
    }
  if (g_str_equal (scenario, "mix") && (argc == 6 || argc == 7))
    {
      if (argc == 7)
        bench_slots = (guint) atoi (argv[6]);
      scenario_mix (parse_kind (argv[2]), (guint) atoi (argv[3]), (guint) atoi (argv[4]),
                  atoi (argv[5]) != 0);
    }
  else if (g_str_equal (scenario, "ring") && argc == 4)
    scenario_ring_ir ((guint) atoi (argv[2]), (guint) atoi (argv[3]));
  else if (g_str_equal (scenario, "param") && argc == 4)
    scenario_param (argv[2], (guint) atoi (argv[3]));
  else if (g_str_equal (scenario, "ring-threads"))
    scenario_ring_threads ();
  else if (g_str_equal (scenario, "denormal"))
    scenario_denormal ();
  else if (g_str_equal (scenario, "trigger-offline"))
    scenario_trigger_offline ();
  else if (g_str_equal (scenario, "load"))
    scenario_load ();
  else if (g_str_equal (scenario, "loadmem") && argc == 3)
    scenario_loadmem ((guint) atoi (argv[2]));
  else
    {
      fprintf (stderr, "usage: %s [mix core|naive-frame|naive-scalar VOICES PERIODS RAMP [SLOTS]"
               " | ring PAIRS EMPTY | param gain|volume|store|none CALLS | ring-threads | denormal"
               " | trigger-offline | load"
               " | loadmem RATE]\n       %s -k --tap  (every scenario once, small)\n",
               argv[0], argv[0]);
      return 2;
    }
  return 0;
}
