/* test-stretch.c: the core's stretched voices with a counting stretcher
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The core drives its stretchers through FzStretchOps (fz-stretch.h); here
 * they are a stand-in that counts what is asked of it, so that where the
 * work of priming falls is exact, with or without Rubber Band.  Paths
 * /core/stretch/...: key-locked triggers waiting for a frame have their
 * stretchers primed in the periods before it, one a period, and start
 * with them primed; a trigger due in the next period primes in its own;
 * a stretcher primed for a trigger that was cancelled is free again once
 * the trigger's frame has passed, one whose slot took a new sample or
 * loop is freed at once, and one primed for a trigger still to
 * come is taken by a trigger that finds every other stretcher busy.
 * (That the output is the same either way is tests/engine/test-keylock.c's
 * /engine/keylock/primed-ahead, with Rubber Band.)
 */
#include "config.h"

#include <string.h>
#include <glib.h>

#include "core/fz-core.h"
#include "core/fz-keylock.h"

#define PERIOD 256u
#define CHANNELS 2u
#define PAD 300u                /* the stand-in's start pad */
#define DELAY 700u              /* and its start delay, in output frames */

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FzSample, fz_sample_unref)

/* A stretcher that stretches nothing: what goes in comes out, as 0.5. */
typedef struct {
  guint resets;
  guint64 fed;
  guint queued;
  gboolean final;
} Counting;

static guint total_resets;

static Counting *
counting (FzStretcher *s)
{
  return (Counting *) s;
}

static void
c_reset (FzStretcher *s)
{
  *counting (s) = (Counting) { .resets = counting (s)->resets + 1 };
  total_resets++;
}

static void
c_set_time_ratio (FzStretcher *s, double ratio)
{
  (void) s;
  (void) ratio;
}

static uint32_t
c_start_pad (FzStretcher *s)
{
  (void) s;
  return PAD;
}

static uint32_t
c_start_delay (FzStretcher *s)
{
  (void) s;
  return DELAY;
}

static uint32_t
c_samples_required (FzStretcher *s)
{
  return counting (s)->queued >= FZ_STRETCH_CHUNK ? 0 : 128;
}

static void
c_process (FzStretcher *s, const float *const *in, uint32_t frames, bool final)
{
  (void) in;
  counting (s)->fed += frames;
  counting (s)->queued += frames;
  counting (s)->final = counting (s)->final || final;
}

static int
c_available (FzStretcher *s)
{
  if (counting (s)->final && counting (s)->queued == 0)
    return -1;
  return (int) counting (s)->queued;
}

static uint32_t
c_retrieve (FzStretcher *s, float *const *out, uint32_t frames)
{
  uint32_t n = MIN (frames, counting (s)->queued);

  for (uint32_t c = 0; c < CHANNELS; c++)
    for (uint32_t f = 0; f < n; f++)
      out[c][f] = 0.5f;
  counting (s)->queued -= n;
  return n;
}

static void
c_destroy (FzStretcher *s)
{
  (void) s;
}

static const FzStretchOps counting_ops = {
  .reset = c_reset,
  .set_time_ratio = c_set_time_ratio,
  .start_pad = c_start_pad,
  .start_delay = c_start_delay,
  .samples_required = c_samples_required,
  .process = c_process,
  .available = c_available,
  .retrieve = c_retrieve,
  .destroy = c_destroy,
};

typedef struct {
  FzCore *core;
  FzStretchPool pool;
  Counting stretchers[FZ_STRETCH_VOICES];
  float buffers[FZ_STRETCH_VOICES][3 * CHANNELS * FZ_STRETCH_CHUNK + CHANNELS * FZ_STRETCH_AHEAD];
  float out[PERIOD * CHANNELS];
  guint started;
} StretchFixture;

static void
send_ok (StretchFixture *fixture, FzMsg msg)
{
  g_assert_true (fz_core_send (fixture->core, &msg));
}

static void
stretch_setup (StretchFixture *fixture, gconstpointer data)
{
  (void) data;
  total_resets = 0;
  fixture->core = fz_core_new (48000, CHANNELS);
  g_assert_nonnull (fixture->core);
  fixture->pool = (FzStretchPool) { .ops = &counting_ops, .channels = CHANNELS,
                                    .n = FZ_STRETCH_VOICES };
  for (guint i = 0; i < FZ_STRETCH_VOICES; i++)
    {
      FzVoiceStretch *vs = &fixture->pool.voices[i];

      vs->stretcher = (FzStretcher *) &fixture->stretchers[i];
      for (guint c = 0; c < CHANNELS; c++)
        {
          vs->in[c] = fixture->buffers[i] + c * FZ_STRETCH_CHUNK;
          vs->out[c] = fixture->buffers[i] + (CHANNELS + c) * FZ_STRETCH_CHUNK;
        }
      vs->mix = fixture->buffers[i] + 2 * CHANNELS * FZ_STRETCH_CHUNK;
      vs->ahead = vs->mix + CHANNELS * FZ_STRETCH_CHUNK;
    }
  send_ok (fixture, (FzMsg) { .type = FZ_CMD_SET_STRETCH_POOL,
                              .start = (uint64_t) (uintptr_t) &fixture->pool });
}

static void
stretch_teardown (StretchFixture *fixture, gconstpointer data)
{
  (void) data;
  fz_core_free (fixture->core);
  g_assert_cmpuint (fz_sample_live_count (), ==, 0);
}

/* One period; returns how many stretchers were reset (primed) in it, and
 * counts the voices that started. */
static guint
process (StretchFixture *fixture)
{
  guint before = total_resets;
  FzMsg reply;

  fz_core_process (fixture->core, fixture->out, PERIOD, 0);
  while (fz_core_receive (fixture->core, &reply))
    if (reply.type == FZ_REPLY_RETIRE)
      fz_sample_unref (reply.sample);
    else if (reply.type == FZ_REPLY_STARTED)
      fixture->started++;
  return total_resets - before;
}

/* A long sample, key-locked, in @slot. */
static void
load_locked (StretchFixture *fixture, guint slot)
{
  FzSample *sample = fz_sample_new (48000, CHANNELS, 48000);

  memset (sample->data, 0, 48000 * CHANNELS * sizeof (float));
  send_ok (fixture, (FzMsg) { .type = FZ_CMD_LOAD, .slot = slot, .sample = sample });
  send_ok (fixture, (FzMsg) { .type = FZ_CMD_SET_KEY_LOCK, .slot = slot, .flag = FZ_KEY_LOCK_ON });
}

static void
play_at (StretchFixture *fixture, guint slot, guint64 frame)
{
  send_ok (fixture, (FzMsg) { .type = FZ_CMD_PLAY_AT, .slot = slot, .gain = 1.0f, .frame = frame });
}

static guint
prepared_count (const StretchFixture *fixture)
{
  guint n = 0;

  for (guint i = 0; i < FZ_STRETCH_VOICES; i++)
    n += fixture->pool.voices[i].prepared;
  return n;
}

/* Eight key-locked loops launched on one downbeat, 20 periods ahead: one
 * stretcher primed a period in the eight periods after they were queued,
 * none in the downbeat's period, and every voice started with its own
 * primed stretcher (eight resets in all). */
static void
test_primed_ahead (StretchFixture *fixture, gconstpointer data)
{
  const guint64 downbeat = 20 * PERIOD + 17;
  guint resets[21] = { 0 };

  (void) data;
  for (guint slot = 0; slot < 8; slot++)
    {
      load_locked (fixture, slot);
      play_at (fixture, slot, downbeat);
    }
  for (guint p = 0; p <= 20; p++)
    resets[p] = process (fixture);
  for (guint p = 0; p < 8; p++)
    g_assert_cmpuint (resets[p], ==, 1);
  for (guint p = 8; p <= 20; p++)
    g_assert_cmpuint (resets[p], ==, 0);
  g_assert_cmpuint (fixture->started, ==, 8);
  g_assert_cmpuint (prepared_count (fixture), ==, 0);
  /* Each stretcher was primed once, and the voices play it. */
  for (guint i = 0; i < 8; i++)
    {
      g_assert_cmpuint (fixture->stretchers[i].resets, ==, 1);
      g_assert_true (fixture->pool.voices[i].busy);
    }
  for (guint p = 0; p < 10; p++)
    g_assert_cmpuint (process (fixture), ==, 0);
  g_assert_cmpfloat (fixture->out[0], ==, 8 * 0.5f);
}

/* A trigger due in the next period primes in that period, as before. */
static void
test_due_next_period (StretchFixture *fixture, gconstpointer data)
{
  (void) data;
  load_locked (fixture, 0);
  g_assert_cmpuint (process (fixture), ==, 0);
  play_at (fixture, 0, PERIOD + 40);
  g_assert_cmpuint (process (fixture), ==, 1);
  g_assert_cmpuint (fixture->started, ==, 1);
  g_assert_cmpuint (prepared_count (fixture), ==, 0);
  g_assert_cmpuint (fixture->stretchers[0].resets, ==, 1);
}

/* A trigger cancelled after its stretcher was primed: the stretcher stays
 * primed for it until its frame has passed, then is free again. */
static void
test_cancelled (StretchFixture *fixture, gconstpointer data)
{
  const guint64 frame = 10 * PERIOD;

  (void) data;
  load_locked (fixture, 3);
  play_at (fixture, 3, frame);
  g_assert_cmpuint (process (fixture), ==, 1);
  g_assert_cmpuint (prepared_count (fixture), ==, 1);
  send_ok (fixture, (FzMsg) { .type = FZ_CMD_STOP, .slot = 3 });
  for (guint p = 1; p < 10; p++)
    g_assert_cmpuint (process (fixture), ==, 0);
  g_assert_cmpuint (prepared_count (fixture), ==, 1);
  g_assert_cmpuint (process (fixture), ==, 0);     /* the period of its frame */
  g_assert_cmpuint (prepared_count (fixture), ==, 0);
  g_assert_cmpuint (fixture->started, ==, 0);
  for (guint i = 0; i < FZ_STRETCH_VOICES; i++)
    g_assert_false (fixture->pool.voices[i].busy);
}

/* A new sample, or a new loop, in the slot of a waiting trigger: what its
 * stretcher was fed is not the slot's any more, so it is freed, and the
 * trigger primes again (ahead, or in its own period). */
static void
test_forgotten (StretchFixture *fixture, gconstpointer data)
{
  const guint64 frame = 3 * PERIOD;

  (void) data;
  load_locked (fixture, 5);
  play_at (fixture, 5, frame);
  g_assert_cmpuint (process (fixture), ==, 1);
  g_assert_cmpuint (prepared_count (fixture), ==, 1);
  send_ok (fixture, (FzMsg) { .type = FZ_CMD_SET_LOOP, .slot = 5, .flag = 1, .start = 10 });
  g_assert_cmpuint (process (fixture), ==, 1);     /* forgotten, primed again */
  g_assert_cmpuint (prepared_count (fixture), ==, 1);
  load_locked (fixture, 5);
  g_assert_cmpuint (process (fixture), ==, 1);     /* forgotten, primed again */
  g_assert_cmpuint (prepared_count (fixture), ==, 1);
  g_assert_cmpuint (process (fixture), ==, 0);     /* the trigger's period */
  g_assert_cmpuint (fixture->started, ==, 1);
  g_assert_cmpuint (prepared_count (fixture), ==, 0);
}

/* With every other stretcher playing, a trigger now takes the one primed
 * for a trigger still to come, which then primes in its own period. */
static void
test_taken (StretchFixture *fixture, gconstpointer data)
{
  const guint64 later = 30 * PERIOD;

  (void) data;
  for (guint slot = 0; slot <= FZ_STRETCH_VOICES; slot++)
    load_locked (fixture, slot);
  for (guint slot = 0; slot < FZ_STRETCH_VOICES - 1; slot++)
    send_ok (fixture, (FzMsg) { .type = FZ_CMD_PLAY, .slot = slot, .gain = 1.0f });
  play_at (fixture, FZ_STRETCH_VOICES, later);
  g_assert_cmpuint (process (fixture), ==, FZ_STRETCH_VOICES);
  g_assert_cmpuint (prepared_count (fixture), ==, 1);
  send_ok (fixture, (FzMsg) { .type = FZ_CMD_PLAY, .slot = FZ_STRETCH_VOICES - 1, .gain = 1.0f });
  g_assert_cmpuint (process (fixture), ==, 1);
  g_assert_cmpuint (fixture->started, ==, FZ_STRETCH_VOICES);
  g_assert_cmpuint (prepared_count (fixture), ==, 0);
  while (fz_core_get_frame_time (fixture->core) + PERIOD <= later)
    g_assert_cmpuint (process (fixture), ==, 0);
  /* Every stretcher plays: the later trigger finds none, and is dropped. */
  g_assert_cmpuint (process (fixture), ==, 0);
  g_assert_cmpuint (fixture->started, ==, FZ_STRETCH_VOICES);
  g_assert_cmpuint (fz_core_get_voices_dropped (fixture->core), ==, 1);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/core/stretch/primed-ahead", StretchFixture, NULL, stretch_setup,
              test_primed_ahead, stretch_teardown);
  g_test_add ("/core/stretch/due-next-period", StretchFixture, NULL, stretch_setup,
              test_due_next_period, stretch_teardown);
  g_test_add ("/core/stretch/cancelled", StretchFixture, NULL, stretch_setup,
              test_cancelled, stretch_teardown);
  g_test_add ("/core/stretch/forgotten", StretchFixture, NULL, stretch_setup,
              test_forgotten, stretch_teardown);
  g_test_add ("/core/stretch/taken", StretchFixture, NULL, stretch_setup,
              test_taken, stretch_teardown);
  return g_test_run ();
}
