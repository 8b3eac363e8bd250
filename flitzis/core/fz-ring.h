/* fz-ring.h: lock-free single-producer/single-consumer message ring
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Plain C11, no GLib: this is shared by the control threads and the audio
 * callback.  Exactly one thread pushes and exactly one thread pops at any
 * time; callers serialise their own side if several threads may use it.
 */
#pragma once

#include <stdbool.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <stddef.h>

#include "fz-msg.h"

/* Power of two, so that free-running indices wrap with a mask. */
#define FZ_RING_CAPACITY 1024u
#define FZ_RING_MASK (FZ_RING_CAPACITY - 1u)
/* Two cache lines: keeps adjacent-line prefetchers from pairing the
 * producer's and the consumer's lines. */
#define FZ_RING_LINE 128

typedef struct {
  /* First, so that a slot's address is the ring's plus index * 64: one
   * instruction fewer on each push and pop. */
  alignas (FZ_RING_LINE) FzMsg slots[FZ_RING_CAPACITY];
  /* Producer's line: written by the producer only. */
  alignas (FZ_RING_LINE) atomic_size_t head;
  size_t cached_tail;   /* producer's last view of tail */
  /* Consumer's line: written by the consumer only. */
  alignas (FZ_RING_LINE) atomic_size_t tail;
  size_t cached_head;   /* consumer's last view of head */
} FzRing;

FzRing *fz_ring_new (void);
void    fz_ring_free (FzRing *ring);
/* For tests: start both indices at @index (e.g. near SIZE_MAX). */
void    fz_ring_reset_at (FzRing *ring, size_t index);

/* Producer side: how many pushes would succeed now (a lower bound). */
size_t  fz_ring_free_space (FzRing *ring);

/* Look at the oldest message without consuming it; fz_ring_advance()
 * consumes it.  Used for admission control: a command that cannot be
 * carried out yet stays at the head of the ring. */
const FzMsg *fz_ring_peek (FzRing *ring);
void    fz_ring_advance (FzRing *ring);

/* Any thread: whether a message seemed pending at the time of the call.
 * Reads both indices without touching either side's cache. */
bool    fz_ring_has_data (FzRing *ring);

/* Push and pop are defined here, inline: each is some twenty instructions,
 * and a call and return around them would add a sixth. */

/* Producer side.  Returns false at once when the ring is full. */
static inline bool
fz_ring_push (FzRing *ring, const FzMsg *msg)
{
  size_t head = atomic_load_explicit (&ring->head, memory_order_relaxed);

  if (head - ring->cached_tail == FZ_RING_CAPACITY)
    {
      ring->cached_tail = atomic_load_explicit (&ring->tail, memory_order_acquire);
      if (head - ring->cached_tail == FZ_RING_CAPACITY)
        return false;
    }
  ring->slots[head & FZ_RING_MASK] = *msg;
  atomic_store_explicit (&ring->head, head + 1, memory_order_release);
  return true;
}

/* Consumer side.  Returns false at once when the ring is empty.
 * fz_ring_peek() and fz_ring_advance() in one, written out: tail is loaded
 * once, not twice. */
static inline bool
fz_ring_pop (FzRing *ring, FzMsg *msg)
{
  size_t tail = atomic_load_explicit (&ring->tail, memory_order_relaxed);

  if (tail == ring->cached_head)
    {
      ring->cached_head = atomic_load_explicit (&ring->head, memory_order_acquire);
      if (tail == ring->cached_head)
        return false;
    }
  *msg = ring->slots[tail & FZ_RING_MASK];
  atomic_store_explicit (&ring->tail, tail + 1, memory_order_release);
  return true;
}
