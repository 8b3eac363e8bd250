/* fz-params.h: parameters, control → audio, latest value wins
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The master volume and each slot's gain, loop region, retrigger policy,
 * choke group and isolator gains (fz-eq.h) do not travel on the command ring: a slider dragged at
 * 1 kHz would fill it, and every trigger queued behind the slider's
 * values would wait for them.  Each parameter has a cell instead, which
 * the control thread overwrites (a newer value replaces an older one not
 * yet taken), and a dirty mark in a two-level bitmap: a bit per slot in
 * words of 64, and a summary word with a bit per dirty word and one for
 * the master.  The cell says which of its values were set (FzParamField).
 *
 * At the start of every period, before the commands, the audio thread
 * takes the summary (one load when nothing changed, whatever the number of
 * slots), then each dirty word it names, and applies to the mixer the
 * values set in the cells they mark, and only those: a value the audio
 * thread moved itself (a MIDI controller's, fz-midi-in.c) stays until the
 * API sets that one.  So a parameter set between two periods is in effect from
 * the first frame of the next one (a gain starts its 5 ms ramp there), and
 * a trigger carried out in that period plays with it, whether it was
 * queued before or after the parameter.
 *
 * The writers (the fz_params_set_*() calls) are one control thread at a
 * time: callers serialise them (the engine holds its lock), except for a
 * slot's gain, one atomic store and three atomic marks, which any number of
 * threads may write at once (set_sample_gain() does, without the lock;
 * the latest store wins).  A gain or a policy is one atomic store.  A loop region is three values: they are
 * written under a sequence count (odd while the writer is between them),
 * and a region the audio thread finds half written is left marked, to be
 * taken in the next period, never applied torn.  Only a write that runs at
 * the very moment a period starts can see that; it takes effect in that
 * period or the next one.  No allocation, no lock and no system call
 * here, on either side.
 */
#pragma once

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fz-mixer.h"

#define FZ_PARAMS_WORD_BITS 64u
/* The summary's bit for the master volume, past the bits of the words,
 * and the one for the engine's speed and tempo lock (fz-varispeed.h). */
#define FZ_PARAMS_MASTER_BIT (UINT64_C (1) << 63)
#define FZ_PARAMS_SPEED_BIT (UINT64_C (1) << 62)

_Static_assert ((FZ_SLOTS_LIMIT + FZ_PARAMS_WORD_BITS - 1) / FZ_PARAMS_WORD_BITS < 62,
                "the summary has a bit for every dirty word, the master and the speed");

/* What of a slot's cell was set since the audio thread last took it:
 * the audio thread applies those values only (a gain set 32 times a
 * period cost 147 instructions each when every value was read again). */
typedef enum {
  FZ_PARAM_GAIN = 1u << 0,
  FZ_PARAM_SPEED = 1u << 1,
  FZ_PARAM_POLICY = 1u << 2,
  FZ_PARAM_EQ = 1u << 3,
  FZ_PARAM_LOOP = 1u << 4,
} FzParamField;

/* One slot's parameters, as last set (64 bytes). */
typedef struct {
  atomic_uint changed;               /* FzParamField bits, taken by the audio thread */
  atomic_uint gain;                  /* the float's bits */
  atomic_uint policy;                /* FzRetrigger | choke group << 8 */
  atomic_uint loop_seq;              /* odd while the region is written */
  atomic_uint loop_on;
  atomic_uint_fast64_t loop_start;
  atomic_uint_fast64_t loop_end;
  /* The isolator's three linear gains, the floats' bits, written under a
   * sequence count as the loop region is (never taken half written). */
  atomic_uint eq_seq;
  atomic_uint eq[3];                 /* low, mid, high */
  atomic_uint_fast64_t speed;        /* the double's bits (fz-varispeed.h) */
} FzParamCell;

typedef struct {
  FzParamCell *cells;                /* n_slots of them */
  atomic_uint_fast64_t *dirty;       /* a bit per slot */
  uint32_t n_slots;
  atomic_uint master;                /* the float's bits */
  atomic_uint_fast64_t speed;        /* the engine's, the double's bits */
  atomic_uint tempo_lock;
  atomic_uint_fast64_t summary;      /* a bit per dirty word, FZ_PARAMS_MASTER_BIT */
} FzParams;

/* Control thread: cells for @n_slots slots, at the mixer's defaults (gain
 * 1.0, no loop, FZ_RETRIGGER_LAYER, no group) and the master at
 * @master.  False when memory is short. */
bool fz_params_init (FzParams *params, uint32_t n_slots, float master);
/* Control thread, once the audio thread has stopped for good. */
void fz_params_clear (FzParams *params);
/* Control thread, neither audio thread running: @to's cell of @slot holds
 * what @from's does, unmarked (the slot itself is copied apart: the
 * reconnect's fz_core_adopt()), so that a later partial write, such as a
 * retrigger policy beside a choke group, starts from the adopted value.
 * A slot whose isolator is not flat is marked, for @to's first period to
 * set it (the slot's other parameters, set again, change nothing). */
void fz_params_copy_cell (FzParams *to, const FzParams *from, uint32_t slot);

/* Audio thread: what fz_params_apply() does once something is marked. */
void fz_params_apply_marked (FzParams *params, FzMixer *mixer);

/* Audio thread, at the start of a period: applies every parameter set
 * since the last call to @mixer.  Its cost grows with the dirty words, not
 * with the slots; with nothing set it is one load, inline (a call that
 * returns at once cost 19 instructions a period). */
static inline void
fz_params_apply (FzParams *params, FzMixer *mixer)
{
  if (atomic_load_explicit (&params->summary, memory_order_relaxed) != 0)
    fz_params_apply_marked (params, mixer);
}

/* ---- the writers: one control thread at a time ---- */

static inline unsigned int
fz_params_float_bits (float value)
{
  union { float f; unsigned int u; } bits = { .f = value };

  return bits.u;
}

static inline float
fz_params_bits_float (unsigned int value)
{
  union { unsigned int u; float f; } bits = { .u = value };

  return bits.f;
}

/* The release on the three marks: whoever takes a mark sees the cell's value
 * written before it. */
static inline void
fz_params_mark (FzParams *params, uint32_t slot, FzParamField field)
{
  atomic_fetch_or_explicit (&params->cells[slot].changed, (unsigned int) field,
                            memory_order_release);
  atomic_fetch_or_explicit (&params->dirty[slot / FZ_PARAMS_WORD_BITS],
                            UINT64_C (1) << (slot % FZ_PARAMS_WORD_BITS),
                            memory_order_release);
  atomic_fetch_or_explicit (&params->summary, UINT64_C (1) << (slot / FZ_PARAMS_WORD_BITS),
                            memory_order_release);
}

/* @slot below n_slots, or FZ_MASTER. */
static inline void
fz_params_set_gain (FzParams *params, uint32_t slot, float gain)
{
  if (slot == FZ_MASTER)
    {
      atomic_store_explicit (&params->master, fz_params_float_bits (gain), memory_order_relaxed);
      atomic_fetch_or_explicit (&params->summary, FZ_PARAMS_MASTER_BIT, memory_order_release);
      return;
    }
  if (slot >= params->n_slots)
    return;
  atomic_store_explicit (&params->cells[slot].gain, fz_params_float_bits (gain),
                         memory_order_relaxed);
  fz_params_mark (params, slot, FZ_PARAM_GAIN);
}

/* Only the writer stores the policy word: a plain read and write of it. */
static inline void
fz_params_set_policy (FzParams *params, uint32_t slot, unsigned int mask, unsigned int value)
{
  atomic_uint *policy;

  if (slot >= params->n_slots)
    return;
  policy = &params->cells[slot].policy;
  atomic_store_explicit (policy,
                         (atomic_load_explicit (policy, memory_order_relaxed) & ~mask) | value,
                         memory_order_relaxed);
  fz_params_mark (params, slot, FZ_PARAM_POLICY);
}

static inline void
fz_params_set_retrigger (FzParams *params, uint32_t slot, FzRetrigger policy)
{
  fz_params_set_policy (params, slot, 0xffu, (unsigned int) policy & 0xffu);
}

static inline void
fz_params_set_group (FzParams *params, uint32_t slot, uint32_t group)
{
  fz_params_set_policy (params, slot, 0xff00u, (group & 0xffu) << 8);
}

/* Odd while the three values are being written: the release fence after
 * the odd count orders it before them, the release store of the even
 * count after them. */
static inline void
fz_params_set_loop (FzParams *params, uint32_t slot, bool on, uint64_t start, uint64_t end)
{
  FzParamCell *cell;
  unsigned int seq;

  if (slot >= params->n_slots)
    return;
  cell = &params->cells[slot];
  seq = atomic_load_explicit (&cell->loop_seq, memory_order_relaxed);
  atomic_store_explicit (&cell->loop_seq, seq + 1, memory_order_relaxed);
  atomic_thread_fence (memory_order_release);
  atomic_store_explicit (&cell->loop_on, on ? 1u : 0u, memory_order_relaxed);
  atomic_store_explicit (&cell->loop_start, start, memory_order_relaxed);
  atomic_store_explicit (&cell->loop_end, end, memory_order_relaxed);
  atomic_store_explicit (&cell->loop_seq, seq + 2, memory_order_release);
  fz_params_mark (params, slot, FZ_PARAM_LOOP);
}

/* The isolator's linear gains (1.0: a flat band, 0.0: a killed one),
 * under the cell's sequence count as the loop region. */
static inline void
fz_params_set_eq (FzParams *params, uint32_t slot, float low, float mid, float high)
{
  FzParamCell *cell;
  unsigned int seq;

  if (slot >= params->n_slots)
    return;
  cell = &params->cells[slot];
  seq = atomic_load_explicit (&cell->eq_seq, memory_order_relaxed);
  atomic_store_explicit (&cell->eq_seq, seq + 1, memory_order_relaxed);
  atomic_thread_fence (memory_order_release);
  atomic_store_explicit (&cell->eq[0], fz_params_float_bits (low), memory_order_relaxed);
  atomic_store_explicit (&cell->eq[1], fz_params_float_bits (mid), memory_order_relaxed);
  atomic_store_explicit (&cell->eq[2], fz_params_float_bits (high), memory_order_relaxed);
  atomic_store_explicit (&cell->eq_seq, seq + 2, memory_order_release);
  fz_params_mark (params, slot, FZ_PARAM_EQ);
}

static inline uint64_t
fz_params_double_bits (double value)
{
  union { double d; uint64_t u; } bits = { .d = value };

  return bits.u;
}

static inline double
fz_params_bits_double (uint64_t value)
{
  union { uint64_t u; double d; } bits = { .u = value };

  return bits.d;
}

/* A slot's speed, or (@slot FZ_MASTER) the engine's: one store each. */
static inline void
fz_params_set_speed (FzParams *params, uint32_t slot, double speed)
{
  if (slot == FZ_MASTER)
    {
      atomic_store_explicit (&params->speed, fz_params_double_bits (speed), memory_order_relaxed);
      atomic_fetch_or_explicit (&params->summary, FZ_PARAMS_SPEED_BIT, memory_order_release);
      return;
    }
  if (slot >= params->n_slots)
    return;
  atomic_store_explicit (&params->cells[slot].speed, fz_params_double_bits (speed),
                         memory_order_relaxed);
  fz_params_mark (params, slot, FZ_PARAM_SPEED);
}

static inline void
fz_params_set_tempo_lock (FzParams *params, bool on)
{
  atomic_store_explicit (&params->tempo_lock, on ? 1u : 0u, memory_order_relaxed);
  atomic_fetch_or_explicit (&params->summary, FZ_PARAMS_SPEED_BIT, memory_order_release);
}
