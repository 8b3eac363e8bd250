/* fz-counter.h: statistics counters written by one thread, read by any
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <stdatomic.h>
#include <stdint.h>

/* Single writer (the audio thread): a relaxed load and store, so no locked
 * read-modify-write instruction on the real-time path. */
static inline void
fz_counter_increment (atomic_uint_fast64_t *counter)
{
  atomic_store_explicit (counter,
                         atomic_load_explicit (counter, memory_order_relaxed) + 1,
                         memory_order_relaxed);
}

static inline uint64_t
fz_counter_get (atomic_uint_fast64_t *counter)
{
  return atomic_load_explicit (counter, memory_order_relaxed);
}
