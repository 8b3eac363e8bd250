/* test-core.c: the real-time core driven without a device: commands,
 * replies, retirement and admission control
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <string.h>
#include <glib.h>

#include "core/fz-core.h"
#include "flitzis-test.h"

#define PERIOD 64

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FzSample, fz_sample_unref)

typedef struct {
  FzCore *core;
  float out[PERIOD * 2];
} CoreFixture;

static void
core_setup (CoreFixture *fixture, gconstpointer data)
{
  (void) data;
  fixture->core = fz_core_new (48000, 2);
  g_assert_nonnull (fixture->core);
}

static void
core_teardown (CoreFixture *fixture, gconstpointer data)
{
  (void) data;
  fz_core_free (fixture->core);
  /* Whatever was in slots, retiring or in flight was released once. */
  g_assert_cmpuint (fz_sample_live_count (), ==, 0);
}

static void
process (CoreFixture *fixture)
{
  fz_core_process (fixture->core, fixture->out, PERIOD, 0);
}

static FzSample *
constant_sample (gsize frames, float value)
{
  FzSample *sample = fz_sample_new (frames, 2, 48000);

  for (gsize i = 0; i < frames * 2; i++)
    sample->data[i] = value;
  return sample;
}

/* Sends a LOAD carrying a new reference to @sample. */
static gboolean
send_load (CoreFixture *fixture, guint slot, FzSample *sample)
{
  FzMsg load = { .type = FZ_CMD_LOAD, .slot = slot, .sample = fz_sample_ref (sample) };

  if (fz_core_send (fixture->core, &load))
    return TRUE;
  fz_sample_unref (sample);
  return FALSE;
}

static void
send_ok (CoreFixture *fixture, FzMsg msg)
{
  g_assert_true (fz_core_send (fixture->core, &msg));
}

/* Takes every reply; returns how many pongs, and releases retired samples
 * (counted into @retired when given). */
static guint
receive_all (CoreFixture *fixture, guint *retired)
{
  FzMsg reply;
  guint pongs = 0;

  while (fz_core_receive (fixture->core, &reply))
    {
      if (reply.type == FZ_REPLY_PONG)
        pongs++;
      else if (reply.type != FZ_REPLY_RETIRE)
        /* Voice events: tested on their own. */
        g_assert_cmpuint (reply.type, >=, FZ_REPLY_STARTED);
      else
        {
          fz_sample_unref (reply.sample);
          if (retired != NULL)
            (*retired)++;
        }
    }
  return pongs;
}

static void
test_ping_pong (CoreFixture *fixture, gconstpointer data)
{
  FzMsg reply;

  (void) data;
  process (fixture);
  send_ok (fixture, (FzMsg) { .type = FZ_CMD_PING, .seq = 7 });
  send_ok (fixture, (FzMsg) { .type = FZ_CMD_PING, .seq = 8 });
  g_assert_false (fz_core_receive (fixture->core, &reply));
  process (fixture);
  for (guint64 seq = 7; seq <= 8; seq++)
    {
      g_assert_true (fz_core_receive (fixture->core, &reply));
      g_assert_cmpuint (reply.type, ==, FZ_REPLY_PONG);
      g_assert_cmpuint (reply.seq, ==, seq);
      /* Answered in the second period, which starts at frame PERIOD. */
      g_assert_cmpuint (reply.frame, ==, PERIOD);
    }
  g_assert_false (fz_core_receive (fixture->core, &reply));
  g_assert_cmpuint (fz_core_get_frame_time (fixture->core), ==, 2 * PERIOD);
}

static void
test_load_and_play (CoreFixture *fixture, gconstpointer data)
{
  FzSample *sample = constant_sample (PERIOD / 2, 0.5f);

  (void) data;
  g_assert_true (send_load (fixture, 4, sample));
  send_ok (fixture, (FzMsg) { .type = FZ_CMD_PLAY, .slot = 4, .gain = 0.5f });
  process (fixture);
  /* Commands take effect at the start of the period they are taken in. */
  for (guint i = 0; i < PERIOD * 2; i++)
    g_assert_cmpfloat (fixture->out[i], ==, i < PERIOD ? 0.25f : 0.0f);
  fz_sample_unref (sample);
}

static void
test_play_empty_slot (CoreFixture *fixture, gconstpointer data)
{
  (void) data;
  send_ok (fixture, (FzMsg) { .type = FZ_CMD_PLAY, .slot = 9, .gain = 1.0f });
  process (fixture);
  for (guint i = 0; i < PERIOD * 2; i++)
    g_assert_cmpfloat (fixture->out[i], ==, 0.0f);
  g_assert_cmpuint (fz_core_get_voices_dropped (fixture->core), ==, 0);
}

static void
test_retire_after_voice_ends (CoreFixture *fixture, gconstpointer data)
{
  /* 2.5 periods long, so the voice outlives its slot by two periods. */
  FzSample *first = constant_sample (PERIOD * 5 / 2, 0.5f);
  FzSample *second = constant_sample (PERIOD, 0.25f);
  guint retired = 0;

  (void) data;
  g_assert_true (send_load (fixture, 0, first));
  send_ok (fixture, (FzMsg) { .type = FZ_CMD_PLAY, .slot = 0, .gain = 1.0f });
  process (fixture);
  g_assert_true (send_load (fixture, 0, second));
  send_ok (fixture, (FzMsg) { .type = FZ_CMD_PLAY, .slot = 0, .gain = 1.0f });
  process (fixture);
  /* Both voices sound: the replaced sample plays on. */
  g_assert_cmpfloat (fixture->out[0], ==, 0.75f);
  receive_all (fixture, &retired);
  g_assert_cmpuint (retired, ==, 0);
  g_assert_cmpuint (g_atomic_int_get ((gint *) &first->ref_count), ==, 2);
  process (fixture);
  /* The first voice ended in this period: now it is handed back. */
  g_assert_cmpfloat (fixture->out[0], ==, 0.5f);
  g_assert_cmpfloat (fixture->out[PERIOD], ==, 0.0f);
  receive_all (fixture, &retired);
  g_assert_cmpuint (retired, ==, 1);
  g_assert_cmpuint (g_atomic_int_get ((gint *) &first->ref_count), ==, 1);
  fz_sample_unref (first);
  fz_sample_unref (second);
}

static void
test_retire_unplayed_at_once (CoreFixture *fixture, gconstpointer data)
{
  FzSample *first = constant_sample (4, 0.5f);
  FzSample *second = constant_sample (4, 0.5f);
  guint retired = 0;

  (void) data;
  g_assert_true (send_load (fixture, 1, first));
  g_assert_true (send_load (fixture, 1, second));
  process (fixture);
  receive_all (fixture, &retired);
  g_assert_cmpuint (retired, ==, 1);
  fz_sample_unref (first);
  fz_sample_unref (second);
}

static void
test_command_ring_full (CoreFixture *fixture, gconstpointer data)
{
  FzMsg ping = { .type = FZ_CMD_PING };

  (void) data;
  for (guint i = 0; i < FZ_RING_CAPACITY; i++)
    send_ok (fixture, ping);
  /* The 1025th is refused at once, and again. */
  g_assert_false (fz_core_send (fixture->core, &ping));
  g_assert_false (fz_core_send (fixture->core, &ping));
  process (fixture);
  g_assert_cmpuint (receive_all (fixture, NULL), ==, FZ_RING_CAPACITY);
  send_ok (fixture, ping);
}

static void
test_reply_ring_full (CoreFixture *fixture, gconstpointer data)
{
  FzMsg ping = { .type = FZ_CMD_PING };
  guint pongs;

  (void) data;
  for (guint i = 0; i < FZ_RING_CAPACITY; i++)
    send_ok (fixture, ping);
  process (fixture);
  for (guint i = 0; i < 10; i++)
    send_ok (fixture, ping);
  /* Nobody took the replies: the audio thread goes on, and counts. */
  process (fixture);
  g_assert_cmpuint (fz_core_get_pongs_dropped (fixture->core), ==, 10);
  pongs = receive_all (fixture, NULL);
  g_assert_cmpuint (pongs + fz_core_get_pongs_dropped (fixture->core), ==, FZ_RING_CAPACITY + 10);
}

static void
test_admission_control (CoreFixture *fixture, gconstpointer data)
{
  FzSample *samples[FZ_RETIRE_CAPACITY + 2];
  FzMsg ping = { .type = FZ_CMD_PING };
  guint retired = 0;

  (void) data;
  /* Fill the reply ring, so that nothing can be handed back. */
  for (guint i = 0; i < FZ_RING_CAPACITY; i++)
    send_ok (fixture, ping);
  process (fixture);
  /* 66 loads into one slot: 65 replacements, 64 of which can wait. */
  for (guint i = 0; i < G_N_ELEMENTS (samples); i++)
    {
      samples[i] = constant_sample (4, (float) i);
      g_assert_true (send_load (fixture, 0, samples[i]));
    }
  process (fixture);
  g_assert_cmpuint (fixture->core->n_retiring, ==, FZ_RETIRE_CAPACITY);
  g_assert_true (fixture->core->mixer.slots[0].sample == samples[FZ_RETIRE_CAPACITY]);
  /* The last load was not dropped: it waits in the command ring. */
  g_assert_true (fz_ring_has_data (fixture->core->commands));
  /* Later periods change nothing while the replies are not taken. */
  process (fixture);
  g_assert_true (fixture->core->mixer.slots[0].sample == samples[FZ_RETIRE_CAPACITY]);

  g_assert_cmpuint (receive_all (fixture, &retired), ==, FZ_RING_CAPACITY);
  process (fixture);
  g_assert_true (fixture->core->mixer.slots[0].sample == samples[FZ_RETIRE_CAPACITY + 1]);
  g_assert_false (fz_ring_has_data (fixture->core->commands));
  process (fixture);
  receive_all (fixture, &retired);
  g_assert_cmpuint (retired, ==, FZ_RETIRE_CAPACITY + 1);
  g_assert_cmpuint (fixture->core->n_retiring, ==, 0);
  for (guint i = 0; i < G_N_ELEMENTS (samples); i++)
    fz_sample_unref (samples[i]);
  /* Only the sample in the slot is still alive, held by the core. */
  g_assert_cmpuint (fz_sample_live_count (), ==, 1);
}

static void
test_free_with_messages_in_flight (CoreFixture *fixture, gconstpointer data)
{
  FzSample *playing = constant_sample (PERIOD * 10, 0.5f);

  (void) data;
  g_assert_true (send_load (fixture, 0, playing));
  send_ok (fixture, (FzMsg) { .type = FZ_CMD_PLAY, .slot = 0, .gain = 1.0f });
  process (fixture);
  /* A replaced sample still playing, loads still queued, replies unread. */
  for (guint i = 0; i < 3; i++)
    {
      FzSample *next = constant_sample (PERIOD, 0.1f);
      g_assert_true (send_load (fixture, 0, next));
      fz_sample_unref (next);
      if (i == 0)
        process (fixture);
    }
  send_ok (fixture, (FzMsg) { .type = FZ_CMD_PING });
  fz_sample_unref (playing);
  /* The teardown frees the core and checks that nothing is left. */
}

static void
test_polyphony_counted (CoreFixture *fixture, gconstpointer data)
{
  FzSample *sample = constant_sample (PERIOD * 4, 0.01f);

  (void) data;
  g_assert_true (send_load (fixture, 0, sample));
  for (guint i = 0; i < FZ_MAX_VOICES + 1; i++)
    send_ok (fixture, (FzMsg) { .type = FZ_CMD_PLAY, .slot = 0, .gain = 1.0f });
  process (fixture);
  g_assert_cmpuint (fz_core_get_voices_dropped (fixture->core), ==, 1);
  g_assert_cmpuint (fixture->core->mixer.n_voices, ==, FZ_MAX_VOICES);
  fz_sample_unref (sample);
}

static void
test_slot_out_of_range (CoreFixture *fixture, gconstpointer data)
{
  FzSample *sample = constant_sample (4, 0.5f);
  guint retired = 0;

  (void) data;
  /* The engine never sends this; the core must still not write out of
   * bounds, and hands the sample straight back. */
  g_assert_true (send_load (fixture, FZ_MAX_SLOTS, sample));
  send_ok (fixture, (FzMsg) { .type = FZ_CMD_PLAY, .slot = FZ_MAX_SLOTS + 7, .gain = 1.0f });
  process (fixture);
  receive_all (fixture, &retired);
  g_assert_cmpuint (retired, ==, 1);
  for (guint i = 0; i < FZ_MAX_SLOTS; i++)
    g_assert_null (fixture->core->mixer.slots[i].sample);
  fz_sample_unref (sample);
}

/* ---- scheduling and events ---- */

/* Takes every reply; keeps the events (not pongs or retirements, whose
 * samples it releases) in @events, in order. */
static guint
take_events (CoreFixture *fixture, FzMsg *events, guint max)
{
  FzMsg reply;
  guint n = 0;

  while (fz_core_receive (fixture->core, &reply))
    {
      if (reply.type == FZ_REPLY_RETIRE)
        fz_sample_unref (reply.sample);
      else if (reply.type != FZ_REPLY_PONG)
        {
          g_assert_cmpuint (n, <, max);
          events[n++] = reply;
        }
    }
  return n;
}

static void
test_play_at_mid_period (CoreFixture *fixture, gconstpointer data)
{
  g_autoptr (FzSample) sample = NULL;
  FzMsg events[4];

  (void) data;
  sample = constant_sample (1000, 0.5f);
  g_assert_true (send_load (fixture, 0, sample));
  send_ok (fixture, (FzMsg) { .type = FZ_CMD_PLAY_AT, .slot = 0, .gain = 1.0f, .frame = 100 });
  process (fixture);                                   /* frames 0..63 */
  g_assert_cmpint (flitzis_test_first_sound (fixture->out, PERIOD, 2), ==, -1);
  process (fixture);                                   /* frames 64..127 */
  g_assert_cmpint (flitzis_test_first_sound (fixture->out, PERIOD, 2), ==, 100 - PERIOD);
  g_assert_cmpuint (take_events (fixture, events, 4), ==, 1);
  g_assert_cmpuint (events[0].type, ==, FZ_REPLY_STARTED);
  g_assert_cmpuint (events[0].frame, ==, 100);
}

static void
test_play_at_late (CoreFixture *fixture, gconstpointer data)
{
  g_autoptr (FzSample) sample = NULL;
  FzMsg events[4];

  (void) data;
  sample = constant_sample (1000, 0.5f);
  g_assert_true (send_load (fixture, 2, sample));
  process (fixture);
  process (fixture);
  send_ok (fixture, (FzMsg) { .type = FZ_CMD_PLAY_AT, .slot = 2, .gain = 1.0f, .frame = 10 });
  process (fixture);                                   /* frames 128..191 */
  g_assert_cmpint (flitzis_test_first_sound (fixture->out, PERIOD, 2), ==, 0);
  g_assert_cmpuint (take_events (fixture, events, 4), ==, 2);
  g_assert_cmpuint (events[0].type, ==, FZ_REPLY_LATE);
  g_assert_cmpuint (events[0].slot, ==, 2);
  g_assert_cmpuint (events[0].frame, ==, 128);
  g_assert_cmpuint (events[0].seq, ==, 118);
  g_assert_cmpuint (events[1].type, ==, FZ_REPLY_STARTED);
  g_assert_cmpuint (events[1].frame, ==, 128);
}

static void
test_stop_cancels_waiting (CoreFixture *fixture, gconstpointer data)
{
  g_autoptr (FzSample) sample = NULL;
  FzMsg events[4];

  (void) data;
  sample = constant_sample (1000, 0.5f);
  g_assert_true (send_load (fixture, 1, sample));
  send_ok (fixture, (FzMsg) { .type = FZ_CMD_PLAY_AT, .slot = 1, .gain = 1.0f, .frame = 200 });
  send_ok (fixture, (FzMsg) { .type = FZ_CMD_PLAY_AT, .slot = 1, .gain = 1.0f, .frame = 300 });
  process (fixture);
  g_assert_cmpuint (fixture->core->n_scheduled, ==, 2);
  g_assert_true (fz_core_is_busy (fixture->core));
  send_ok (fixture, (FzMsg) { .type = FZ_CMD_STOP, .slot = 1 });
  for (guint i = 0; i < 6; i++)
    {
      process (fixture);
      g_assert_cmpint (flitzis_test_first_sound (fixture->out, PERIOD, 2), ==, -1);
    }
  g_assert_cmpuint (take_events (fixture, events, 4), ==, 0);
  g_assert_false (fz_core_is_busy (fixture->core));
}

static void
test_schedule_full_drops (CoreFixture *fixture, gconstpointer data)
{
  FzMsg events[2];

  (void) data;
  for (guint i = 0; i <= FZ_SCHEDULE_CAPACITY; i++)
    {
      send_ok (fixture, (FzMsg) { .type = FZ_CMD_PLAY_AT, .slot = 0, .gain = 1.0f,
                                  .frame = 1000000 + i });
      /* More triggers wait than the command ring holds. */
      if (i == FZ_RING_CAPACITY / 2)
        process (fixture);
    }
  send_ok (fixture, (FzMsg) { .type = FZ_CMD_STOP, .slot = FZ_ALL_SLOTS });
  process (fixture);
  /* The one trigger too many was dropped and said so, and nothing held up
   * the stop behind it. */
  g_assert_cmpuint (fz_core_get_voices_dropped (fixture->core), ==, 1);
  g_assert_cmpuint (take_events (fixture, events, 2), ==, 1);
  g_assert_cmpuint (events[0].type, ==, FZ_REPLY_DROPPED);
  g_assert_cmpuint (events[0].frame, ==, 1000000 + FZ_SCHEDULE_CAPACITY);
  g_assert_cmpuint (fixture->core->n_scheduled, ==, 0);
  g_assert_cmpuint (fz_ring_free_space (fixture->core->commands), ==, FZ_RING_CAPACITY);
}

static void
test_events_in_order (CoreFixture *fixture, gconstpointer data)
{
  g_autoptr (FzSample) sample = NULL;
  FzMsg events[8];

  (void) data;
  sample = constant_sample (10, 0.5f);
  g_assert_true (send_load (fixture, 4, sample));
  process (fixture);
  send_ok (fixture, (FzMsg) { .type = FZ_CMD_PLAY, .slot = 4, .gain = 1.0f });
  process (fixture);                                   /* frames 64..127 */
  g_assert_cmpuint (take_events (fixture, events, 8), ==, 2);
  g_assert_cmpuint (events[0].type, ==, FZ_REPLY_STARTED);
  g_assert_cmpuint (events[0].slot, ==, 4);
  g_assert_cmpuint (events[0].frame, ==, 64);
  g_assert_cmpuint (events[1].type, ==, FZ_REPLY_FINISHED);
  g_assert_cmpuint (events[1].slot, ==, 4);
  g_assert_cmpuint (events[1].frame, ==, 74);
}

static void
test_dropped_event (CoreFixture *fixture, gconstpointer data)
{
  g_autoptr (FzSample) sample = NULL;
  FzMsg events[FZ_MAX_VOICES + 2];

  (void) data;
  sample = constant_sample (1000, 0.01f);
  g_assert_true (send_load (fixture, 5, sample));
  for (guint i = 0; i <= FZ_MAX_VOICES; i++)
    send_ok (fixture, (FzMsg) { .type = FZ_CMD_PLAY, .slot = 5, .gain = 1.0f });
  process (fixture);
  g_assert_cmpuint (take_events (fixture, events, G_N_ELEMENTS (events)), ==, FZ_MAX_VOICES + 1);
  g_assert_cmpuint (events[FZ_MAX_VOICES].type, ==, FZ_REPLY_DROPPED);
  g_assert_cmpuint (events[FZ_MAX_VOICES].slot, ==, 5);
  g_assert_cmpuint (fz_core_get_voices_dropped (fixture->core), ==, 1);
}

static void
test_unload_fades_and_retires (CoreFixture *fixture, gconstpointer data)
{
  FzSample *sample = constant_sample (48000, 0.5f);
  FzMsg reply;
  gboolean retired = FALSE, finished = FALSE;

  (void) data;
  g_assert_true (send_load (fixture, 0, sample));
  fz_sample_unref (sample);
  send_ok (fixture, (FzMsg) { .type = FZ_CMD_PLAY, .slot = 0, .gain = 1.0f });
  send_ok (fixture, (FzMsg) { .type = FZ_CMD_PLAY_AT, .slot = 0, .gain = 1.0f, .frame = 9999 });
  process (fixture);
  send_ok (fixture, (FzMsg) { .type = FZ_CMD_LOAD, .slot = 0, .sample = NULL });
  /* 5 ms at 48 kHz is 240 frames: the fade is over within 4 periods. */
  for (guint i = 0; i < 5; i++)
    process (fixture);
  g_assert_cmpint (flitzis_test_first_sound (fixture->out, PERIOD, 2), ==, -1);
  g_assert_null (fixture->core->mixer.slots[0].sample);
  g_assert_cmpuint (fixture->core->n_scheduled, ==, 0);
  while (fz_core_receive (fixture->core, &reply))
    {
      if (reply.type == FZ_REPLY_RETIRE)
        {
          g_assert_true (reply.sample == sample);
          fz_sample_unref (reply.sample);
          retired = TRUE;
        }
      finished |= reply.type == FZ_REPLY_FINISHED;
    }
  g_assert_true (finished);
  g_assert_true (retired);
}

static void
test_xrun_reported (CoreFixture *fixture, gconstpointer data)
{
  FzMsg events[4];

  (void) data;
  process (fixture);
  fz_core_process (fixture->core, fixture->out, PERIOD, FZ_PROCESS_UNDERRUN);
  fz_core_process (fixture->core, fixture->out, PERIOD, FZ_PROCESS_UNDERRUN);
  g_assert_cmpuint (fz_core_get_xruns (fixture->core), ==, 2);
  g_assert_cmpuint (take_events (fixture, events, 4), ==, 2);
  g_assert_cmpuint (events[0].type, ==, FZ_REPLY_XRUN);
  g_assert_cmpuint (events[0].seq, ==, 1);
  g_assert_cmpuint (events[0].frame, ==, PERIOD);
  g_assert_cmpuint (events[1].seq, ==, 2);
  g_assert_cmpuint (events[1].frame, ==, 2 * PERIOD);
}

static void
test_events_dropped_counted_apart (CoreFixture *fixture, gconstpointer data)
{
  FzMsg ping = { .type = FZ_CMD_PING };

  (void) data;
  /* Fill the reply ring with pongs, then lose one pong and one xrun. */
  for (guint i = 0; i < FZ_RING_CAPACITY; i++)
    send_ok (fixture, ping);
  process (fixture);
  send_ok (fixture, ping);
  fz_core_process (fixture->core, fixture->out, PERIOD, FZ_PROCESS_UNDERRUN);
  g_assert_cmpuint (fz_core_get_pongs_dropped (fixture->core), ==, 1);
  g_assert_cmpuint (fz_core_get_events_dropped (fixture->core), ==, 1);
  receive_all (fixture, NULL);
}

/* The audio thread's counters must be lock-free where this is built:
 * otherwise libatomic would take a lock on the real-time path. */
/* A lost stream's core hands its slots to the next one (fz_core_adopt(),
 * the reconnect property): parameters set for the old core that its last
 * period never took (its isolator among them) and a slot's tempo still
 * queued are not lost, and the new core's parameter cells start from the
 * adopted values, so that a choke group set later keeps the adopted
 * retrigger policy. */
static void
test_adopt_takes_pending_parameters (CoreFixture *fixture, gconstpointer data)
{
  g_autoptr (FzSample) sample = constant_sample (PERIOD * 4, 0.25f);
  union { double d; uint64_t u; } bpm = { .d = 93.7 };
  FzCore *next = fz_core_new (48000, 2);
  FzSlot *slot;

  (void) data;
  g_assert_true (send_load (fixture, 2, sample));
  process (fixture);
  /* Set after the last period: taken by no period of this core. */
  fz_params_set_gain (&fixture->core->params, 2, 0.5f);
  fz_params_set_retrigger (&fixture->core->params, 2, FZ_RETRIGGER_RESTART);
  fz_params_set_loop (&fixture->core->params, 2, true, 10, 20);
  fz_params_set_eq (&fixture->core->params, 2, 0.5f, 1.0f, 1.0f);
  send_ok (fixture, (FzMsg) { .type = FZ_CMD_SET_SLOT_TEMPO, .slot = 2, .start = bpm.u });

  g_assert_cmpuint (fz_core_adopt (next, fixture->core), ==, 0);
  slot = &next->mixer.slots[2];
  g_assert_true (slot->sample == sample);
  g_assert_null (fixture->core->mixer.slots[2].sample);
  g_assert_cmpfloat (slot->gain.target, ==, 0.5f);
  g_assert_cmpuint (slot->retrigger, ==, FZ_RETRIGGER_RESTART);
  g_assert_true (slot->loop);
  g_assert_cmpuint (slot->loop_start, ==, 10);
  g_assert_cmpuint (slot->loop_end, ==, 20);

  /* The isolator set on the old core plays on the new one, and the tempo
   * queued to it is taken, in the new core's first period. */
  fz_core_process (next, fixture->out, PERIOD, 0);
  g_assert_nonnull (slot->eq);
  g_assert_cmpfloat (slot->tempo, ==, 93.7);

  fz_params_set_group (&next->params, 2, 3);
  fz_core_process (next, fixture->out, PERIOD, 0);
  g_assert_cmpuint (slot->group, ==, 3);
  g_assert_cmpuint (slot->retrigger, ==, FZ_RETRIGGER_RESTART);
  fz_core_free (next);
}

static void
test_counters_lock_free (CoreFixture *fixture, gconstpointer data)
{
  (void) data;
  g_assert_true (atomic_is_lock_free (&fixture->core->frame_time));
  g_assert_true (atomic_is_lock_free (&fixture->core->pongs_dropped));
  g_assert_true (atomic_is_lock_free (&fixture->core->mixer.voices_dropped));
  g_assert_true (atomic_is_lock_free (&fixture->core->commands->head));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) g_test_add (path, CoreFixture, NULL, core_setup, func, core_teardown)
  ADD ("/core/core/ping-pong", test_ping_pong);
  ADD ("/core/core/load-and-play", test_load_and_play);
  ADD ("/core/core/play-empty-slot", test_play_empty_slot);
  ADD ("/core/core/retire/after-voice-ends", test_retire_after_voice_ends);
  ADD ("/core/core/retire/unplayed-at-once", test_retire_unplayed_at_once);
  ADD ("/core/core/retire/admission-control", test_admission_control);
  ADD ("/core/core/command-ring-full", test_command_ring_full);
  ADD ("/core/core/reply-ring-full", test_reply_ring_full);
  ADD ("/core/core/free-with-messages-in-flight", test_free_with_messages_in_flight);
  ADD ("/core/core/polyphony-counted", test_polyphony_counted);
  ADD ("/core/core/slot-out-of-range", test_slot_out_of_range);
  ADD ("/core/core/counters-lock-free", test_counters_lock_free);
  ADD ("/core/core/play-at/mid-period", test_play_at_mid_period);
  ADD ("/core/core/play-at/late", test_play_at_late);
  ADD ("/core/core/play-at/stop-cancels", test_stop_cancels_waiting);
  ADD ("/core/core/play-at/schedule-full-drops", test_schedule_full_drops);
  ADD ("/core/core/events/in-order", test_events_in_order);
  ADD ("/core/core/events/voice-dropped", test_dropped_event);
  ADD ("/core/core/events/xrun", test_xrun_reported);
  ADD ("/core/core/events/dropped-counted-apart", test_events_dropped_counted_apart);
  ADD ("/core/core/unload-fades-and-retires", test_unload_fades_and_retires);
  ADD ("/core/core/adopt/pending-parameters", test_adopt_takes_pending_parameters);
#undef ADD
  return g_test_run ();
}
