/* test-stress.c: the real-time core under two threads at once: ten million
 * sequenced messages through both rings, and slot 0 replaced a hundred
 * thousand times while 32 voices play it
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Each test runs a "control" side (the test's main thread: sends commands,
 * takes replies, allocates and frees samples) against an "audio" thread
 * that calls fz_core_process() as fast as it can.  make check-tsan runs it
 * under ThreadSanitizer, which then checks every hand-over between the two.
 */
#include "config.h"

#include <stdatomic.h>
#include <string.h>
#include <glib.h>

#include "core/fz-core.h"

#define PERIOD 64
#define CHANNELS 2
/* 32 periods: a voice outlives many replacements of its sample, and the
 * triggers that come with the replacements keep every voice busy. */
#define SAMPLE_FRAMES (PERIOD * 32)

/* The counts.  Under valgrind (one thread at a time, slowly) a
 * hundredth of them. */
#define PINGS_FULL 10000000u
#define RELOADS_FULL 100000u

typedef struct {
  FzCore *core;
  GThread *audio;
  gint stop;                   /* set by the control side */
  gint paced;                  /* likewise: render only when commands wait */
  /* Written by the audio thread, read once it has been joined. */
  float out[PERIOD * CHANNELS];
  guint64 periods;
  guint64 periods_all_voices;  /* periods that ended with every voice playing */
  guint32 most_retiring;       /* replaced samples waiting for their voices */
} StressFixture;

static guint
scaled (guint full)
{
  if (g_strcmp0 (g_getenv ("FLITZIS_TEST_VALGRIND"), "1") == 0)
    return full / 100;
  return full;
}

/* ---- the audio thread ---- */

static _Thread_local gboolean on_audio_thread;

/* Renders period after period until told to stop; counts what it saw of
 * its own core (the audio thread's data, read on the audio thread). */
static gpointer
audio_thread (gpointer data)
{
  StressFixture *fixture = data;
  FzCore *core = fixture->core;

  on_audio_thread = TRUE;
  while (!g_atomic_int_get (&fixture->stop))
    {
      if (g_atomic_int_get (&fixture->paced) && !fz_ring_has_data (core->commands))
        continue;
      fz_core_process (core, fixture->out, PERIOD, 0);
      fixture->periods++;
      if (core->mixer.n_voices == FZ_MAX_VOICES)
        fixture->periods_all_voices++;
      fixture->most_retiring = MAX (fixture->most_retiring, core->n_retiring);
    }
  return NULL;
}

static void
start_audio (StressFixture *fixture)
{
  fixture->audio = g_thread_new ("audio", audio_thread, fixture);
}

static void
stop_audio (StressFixture *fixture)
{
  g_atomic_int_set (&fixture->stop, TRUE);
  g_thread_join (g_steal_pointer (&fixture->audio));
}

/* ---- frees, counted per buffer ---- */

/* Each sample carries its number in its first float (exact below 2^24);
 * the free hook counts the frees of each number, and those made on the
 * audio thread. */
static atomic_uint *frees;
static guint n_samples;
static atomic_uint frees_on_audio_thread;
static atomic_uint frees_unknown;

static void
count_free (const FzSample *sample)
{
  float tag = sample->data[0];

  if (on_audio_thread)
    atomic_fetch_add (&frees_on_audio_thread, 1);
  if (tag >= 0.0f && tag < (float) n_samples && tag == (float) (guint) tag)
    atomic_fetch_add (&frees[(guint) tag], 1);
  else
    atomic_fetch_add (&frees_unknown, 1);
}

static FzSample *
tagged_sample (guint number)
{
  FzSample *sample = fz_sample_new (SAMPLE_FRAMES, CHANNELS, 48000);

  g_assert_nonnull (sample);
  memset (sample->data, 0, SAMPLE_FRAMES * CHANNELS * sizeof (float));
  sample->data[0] = (float) number;
  return sample;
}

static void
stress_setup (StressFixture *fixture, gconstpointer data)
{
  (void) data;
  fixture->core = fz_core_new (48000, CHANNELS);
  g_assert_nonnull (fixture->core);
  fz_sample_set_free_hook (count_free);
}

static void
stress_teardown (StressFixture *fixture, gconstpointer data)
{
  (void) data;
  g_assert_null (fixture->audio);
  fz_core_free (fixture->core);
  fz_sample_set_free_hook (NULL);
  g_assert_cmpuint (fz_sample_live_count (), ==, 0);
}

/* ---- ten million pings and pongs ---- */

/* The control side sends PINGs numbered 0, 1, 2, ... through the command
 * ring while the audio thread answers each with a PONG through the reply
 * ring: both rings carry a sequence at once, each with its producer and
 * consumer on different threads.  At most a ring's worth is in flight, so
 * that no pong can find the reply ring full: none may be lost, repeated or
 * reordered. */
static void
test_ping_pong (StressFixture *fixture, gconstpointer data)
{
  guint n = scaled (PINGS_FULL);
  guint64 sent = 0, received = 0, last_frame = 0, full = 0;
  gint64 start = g_get_monotonic_time ();
  FzMsg reply;

  (void) data;
  start_audio (fixture);
  while (received < n)
    {
      while (sent < n && sent - received < FZ_RING_CAPACITY)
        {
          FzMsg ping = { .type = FZ_CMD_PING, .seq = sent };

          if (!fz_core_send (fixture->core, &ping))
            {
              full++;
              break;
            }
          sent++;
        }
      while (fz_core_receive (fixture->core, &reply))
        {
          if (reply.type != FZ_REPLY_PONG || reply.seq != received || reply.frame < last_frame)
            g_error ("reply %" G_GUINT64_FORMAT ": type %u, seq %" G_GUINT64_FORMAT
                     ", frame %" G_GUINT64_FORMAT " after %" G_GUINT64_FORMAT,
                     received, reply.type, (guint64) reply.seq, (guint64) reply.frame,
                     last_frame);
          last_frame = reply.frame;
          received++;
        }
    }
  stop_audio (fixture);
  g_assert_false (fz_core_receive (fixture->core, &reply));
  g_assert_cmpuint (fz_core_get_pongs_dropped (fixture->core), ==, 0);
  g_test_message ("%u pings and %u pongs in %.2f s over %" G_GUINT64_FORMAT
                  " periods; command ring found full %" G_GUINT64_FORMAT " times",
                  n, n, (g_get_monotonic_time () - start) / 1e6, fixture->periods, full);
}

/* ---- a hundred thousand replacements of a playing sample ---- */

/* Takes every reply; releases each retired sample (the last reference:
 * the free is counted by the hook, on this thread). */
static guint
take_replies (StressFixture *fixture)
{
  FzMsg reply;
  guint retired = 0;

  while (fz_core_receive (fixture->core, &reply))
    if (reply.type == FZ_REPLY_RETIRE)
      {
        fz_sample_unref (reply.sample);
        retired++;
      }
  return retired;
}

/* The control side replaces slot 0 with a new sample, each LOAD followed
 * by two PLAYs of slot 0, while the audio thread renders.  Unpaced, the
 * audio thread would render dozens of periods while the control side makes
 * one sample, and most voices would end before the next trigger; paced, it
 * renders a period only when commands wait (as a device would clock it,
 * only faster), so that every voice is soon busy with one of slot 0's
 * samples (the triggers beyond 32 are dropped), so most replacements retire a sample that voices still play,
 * which must wait in the core's retiring list until its last voice ends
 * and come back through the reply ring.  Each sample's only reference
 * travels in its LOAD, so each is freed by the control side's unref of its
 * RETIRE, or, for the last one, by fz_core_free(). */
static void
test_reload_race (StressFixture *fixture, gconstpointer data)
{
  guint n = scaled (RELOADS_FULL), loaded = 0, retired = 0;
  guint64 full = 0;
  gint64 start = g_get_monotonic_time (), deadline;

  (void) data;
  n_samples = n;
  frees = g_new0 (atomic_uint, n);
  atomic_store (&frees_on_audio_thread, 0);
  atomic_store (&frees_unknown, 0);
  fixture->paced = TRUE;
  start_audio (fixture);
  while (loaded < n)
    {
      /* Room for all three, so that each replacement comes with its
       * triggers. */
      if (fz_ring_free_space (fixture->core->commands) >= 3)
        {
          FzMsg load = { .type = FZ_CMD_LOAD, .slot = 0, .sample = tagged_sample (loaded) };
          FzMsg play = { .type = FZ_CMD_PLAY, .slot = 0, .gain = 0.5f };

          g_assert_true (fz_core_send (fixture->core, &load));
          g_assert_true (fz_core_send (fixture->core, &play));
          g_assert_true (fz_core_send (fixture->core, &play));
          loaded++;
        }
      else
        full++;
      retired += take_replies (fixture);
    }
  /* All but the last come back once their voices have ended. */
  g_atomic_int_set (&fixture->paced, FALSE);
  deadline = g_get_monotonic_time () + 60 * G_TIME_SPAN_SECOND;
  while (retired < n - 1)
    {
      if (g_get_monotonic_time () > deadline)
        g_error ("%u of %u replaced samples came back", retired, n - 1);
      retired += take_replies (fixture);
    }
  stop_audio (fixture);
  retired += take_replies (fixture);
  g_assert_cmpuint (retired, ==, n - 1);

  /* The last sample is still in slot 0: fz_core_free() releases it. */
  fz_core_free (g_steal_pointer (&fixture->core));
  fixture->core = fz_core_new (48000, CHANNELS);
  for (guint i = 0; i < n; i++)
    if (atomic_load (&frees[i]) != 1)
      g_error ("sample %u freed %u times", i, atomic_load (&frees[i]));
  g_assert_cmpuint (atomic_load (&frees_unknown), ==, 0);
  g_assert_cmpuint (atomic_load (&frees_on_audio_thread), ==, 0);
  g_assert_cmpuint (fz_sample_live_count (), ==, 0);

  /* The race took place: all 32 voices played, and replaced samples
   * waited for them. */
  g_assert_cmpuint (fixture->periods_all_voices, >, 0);
  g_assert_cmpuint (fixture->most_retiring, >, 0);
  g_test_message ("%u replacements in %.2f s over %" G_GUINT64_FORMAT " periods, %"
                  G_GUINT64_FORMAT " of them with all %u voices playing; up to %u samples"
                  " waiting to retire; command ring found full %" G_GUINT64_FORMAT " times",
                  n, (g_get_monotonic_time () - start) / 1e6, fixture->periods,
                  fixture->periods_all_voices, FZ_MAX_VOICES, fixture->most_retiring, full);
  g_clear_pointer (&frees, g_free);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, StressFixture, NULL, stress_setup, func, stress_teardown)
  ADD ("/hardening/stress/ping-pong", test_ping_pong);
  ADD ("/hardening/stress/reload-race", test_reload_race);
#undef ADD
  return g_test_run ();
}
