/* test-ring.c: the lock-free SPSC ring
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <stdint.h>
#include <glib.h>

#include "core/fz-ring.h"

typedef struct {
  FzRing *ring;
} RingFixture;

static void
ring_setup (RingFixture *fixture, gconstpointer data)
{
  (void) data;
  fixture->ring = fz_ring_new ();
  g_assert_nonnull (fixture->ring);
}

static void
ring_teardown (RingFixture *fixture, gconstpointer data)
{
  (void) data;
  fz_ring_free (fixture->ring);
}

static FzMsg
msg_with_seq (uint64_t seq)
{
  FzMsg msg = { .type = FZ_CMD_PING, .slot = (uint32_t) (seq % 32), .seq = seq,
                .frame = ~seq, .gain = (float) (seq % 100) / 100.0f };
  return msg;
}

static void
assert_msg_seq (const FzMsg *msg, uint64_t seq)
{
  FzMsg expected = msg_with_seq (seq);

  g_assert_cmpuint (msg->type, ==, expected.type);
  g_assert_cmpuint (msg->seq, ==, seq);
  g_assert_cmpuint (msg->slot, ==, expected.slot);
  g_assert_cmpuint (msg->frame, ==, expected.frame);
  g_assert_cmpfloat (msg->gain, ==, expected.gain);
}

static void
test_layout (void)
{
  g_assert_cmpuint (FZ_RING_CAPACITY, ==, 1024);
  g_assert_cmpuint (FZ_RING_CAPACITY & (FZ_RING_CAPACITY - 1), ==, 0);
  g_assert_cmpuint (sizeof (FzMsg), <=, 64);
  /* Producer and consumer indices on lines of their own. */
  g_assert_cmpuint (G_STRUCT_OFFSET (FzRing, head) % 128, ==, 0);
  g_assert_cmpuint (G_STRUCT_OFFSET (FzRing, tail) % 128, ==, 0);
  g_assert_cmpuint (G_STRUCT_OFFSET (FzRing, tail) - G_STRUCT_OFFSET (FzRing, head), >=, 128);
  g_assert_cmpuint (G_STRUCT_OFFSET (FzRing, slots) - G_STRUCT_OFFSET (FzRing, tail), >=, 128);
}

static void
test_single_message (RingFixture *fixture, gconstpointer data)
{
  FzMsg in = msg_with_seq (42), out = { 0 };

  (void) data;
  g_assert_false (fz_ring_has_data (fixture->ring));
  g_assert_true (fz_ring_push (fixture->ring, &in));
  g_assert_true (fz_ring_has_data (fixture->ring));
  g_assert_true (fz_ring_pop (fixture->ring, &out));
  assert_msg_seq (&out, 42);
  g_assert_false (fz_ring_pop (fixture->ring, &out));
}

static void
test_empty_read (RingFixture *fixture, gconstpointer data)
{
  FzMsg out = msg_with_seq (7);

  (void) data;
  g_assert_false (fz_ring_pop (fixture->ring, &out));
  g_assert_null (fz_ring_peek (fixture->ring));
  /* A failed pop leaves the destination alone. */
  assert_msg_seq (&out, 7);
}

static void
fill_and_drain (FzRing *ring, uint64_t first)
{
  FzMsg msg;

  for (uint64_t i = 0; i < FZ_RING_CAPACITY; i++)
    {
      msg = msg_with_seq (first + i);
      g_assert_true (fz_ring_push (ring, &msg));
    }
  g_assert_cmpuint (fz_ring_free_space (ring), ==, 0);
  msg = msg_with_seq (UINT64_MAX);
  g_assert_false (fz_ring_push (ring, &msg));
  for (uint64_t i = 0; i < FZ_RING_CAPACITY; i++)
    {
      g_assert_true (fz_ring_pop (ring, &msg));
      assert_msg_seq (&msg, first + i);
    }
  g_assert_false (fz_ring_pop (ring, &msg));
  g_assert_cmpuint (fz_ring_free_space (ring), ==, FZ_RING_CAPACITY);
}

static void
test_fill_and_drain (RingFixture *fixture, gconstpointer data)
{
  (void) data;
  fill_and_drain (fixture->ring, 0);
  fill_and_drain (fixture->ring, 5000);
}

static void
test_overflow_refused (RingFixture *fixture, gconstpointer data)
{
  FzMsg msg;

  (void) data;
  for (uint64_t i = 0; i < FZ_RING_CAPACITY; i++)
    {
      msg = msg_with_seq (i);
      g_assert_true (fz_ring_push (fixture->ring, &msg));
    }
  for (int attempt = 0; attempt < 3; attempt++)
    {
      msg = msg_with_seq (9999);
      g_assert_false (fz_ring_push (fixture->ring, &msg));
    }
  /* The refused pushes overwrote nothing: one pop frees one place. */
  g_assert_true (fz_ring_pop (fixture->ring, &msg));
  assert_msg_seq (&msg, 0);
  msg = msg_with_seq (FZ_RING_CAPACITY);
  g_assert_true (fz_ring_push (fixture->ring, &msg));
  g_assert_false (fz_ring_push (fixture->ring, &msg));
  for (uint64_t i = 1; i <= FZ_RING_CAPACITY; i++)
    {
      g_assert_true (fz_ring_pop (fixture->ring, &msg));
      assert_msg_seq (&msg, i);
    }
}

static void
test_peek_advance (RingFixture *fixture, gconstpointer data)
{
  FzMsg msg = msg_with_seq (3);
  const FzMsg *head;

  (void) data;
  g_assert_true (fz_ring_push (fixture->ring, &msg));
  head = fz_ring_peek (fixture->ring);
  g_assert_nonnull (head);
  assert_msg_seq (head, 3);
  /* Peeking again sees the same message: nothing was consumed. */
  g_assert_true (fz_ring_peek (fixture->ring) == head);
  fz_ring_advance (fixture->ring);
  g_assert_null (fz_ring_peek (fixture->ring));
}

static void
test_wrap_around (RingFixture *fixture, gconstpointer data)
{
  FzMsg msg;
  uint64_t seq = 0, expected = 0;

  (void) data;
  /* Indices start 300 below SIZE_MAX and run well past the wrap. */
  fz_ring_reset_at (fixture->ring, SIZE_MAX - 300);
  for (int round = 0; round < 10; round++)
    {
      for (int i = 0; i < 500; i++)
        {
          msg = msg_with_seq (seq++);
          g_assert_true (fz_ring_push (fixture->ring, &msg));
        }
      for (int i = 0; i < 450; i++)
        {
          g_assert_true (fz_ring_pop (fixture->ring, &msg));
          assert_msg_seq (&msg, expected++);
        }
    }
  /* Fill level is right across the wrap: 500 left, room for 524. */
  g_assert_cmpuint (fz_ring_free_space (fixture->ring), ==, FZ_RING_CAPACITY - 500);
  while (fz_ring_pop (fixture->ring, &msg))
    assert_msg_seq (&msg, expected++);
  g_assert_cmpuint (expected, ==, seq);
  fill_and_drain (fixture->ring, 0);
}

/* Under valgrind (which runs one thread at a time, slowly, so that each
 * side spins through its whole time slice) a hundredth of it. */
#define STRESS_MESSAGES_FULL 10000000u
static guint stress_messages = STRESS_MESSAGES_FULL;
#define STRESS_MESSAGES stress_messages

static gpointer
stress_producer (gpointer data)
{
  FzRing *ring = data;
  uint64_t refused = 0;

  for (uint64_t seq = 0; seq < STRESS_MESSAGES; seq++)
    {
      FzMsg msg = msg_with_seq (seq);
      while (!fz_ring_push (ring, &msg))
        refused++;
    }
  return GSIZE_TO_POINTER ((gsize) refused);
}

static void
test_two_thread_stress (RingFixture *fixture, gconstpointer data)
{
  GThread *producer;
  uint64_t expected = 0, empty = 0;
  FzMsg msg;

  (void) data;
  if (g_strcmp0 (g_getenv ("FLITZIS_TEST_VALGRIND"), "1") == 0)
    stress_messages = STRESS_MESSAGES_FULL / 100;
  fz_ring_reset_at (fixture->ring, SIZE_MAX - 100000);
  producer = g_thread_new ("producer", stress_producer, fixture->ring);
  while (expected < STRESS_MESSAGES)
    {
      if (!fz_ring_pop (fixture->ring, &msg))
        {
          empty++;
          continue;
        }
      if (msg.seq != expected)
        g_error ("message %" G_GUINT64_FORMAT " arrived as %" G_GUINT64_FORMAT,
                 expected, (guint64) msg.seq);
      assert_msg_seq (&msg, expected);
      expected++;
    }
  g_test_message ("%u messages; producer found the ring full %" G_GSIZE_FORMAT
                  " times, consumer found it empty %" G_GUINT64_FORMAT " times",
                  STRESS_MESSAGES, GPOINTER_TO_SIZE (g_thread_join (producer)), (guint64) empty);
  g_assert_false (fz_ring_pop (fixture->ring, &msg));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/core/ring/layout", test_layout);
#define ADD(path, func) g_test_add (path, RingFixture, NULL, ring_setup, func, ring_teardown)
  ADD ("/core/ring/single-message", test_single_message);
  ADD ("/core/ring/empty-read", test_empty_read);
  ADD ("/core/ring/fill-and-drain", test_fill_and_drain);
  ADD ("/core/ring/overflow-refused", test_overflow_refused);
  ADD ("/core/ring/peek-advance", test_peek_advance);
  ADD ("/core/ring/wrap-around", test_wrap_around);
  ADD ("/core/ring/two-thread-stress", test_two_thread_stress);
#undef ADD
  return g_test_run ();
}
