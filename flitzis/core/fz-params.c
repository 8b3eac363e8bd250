/* fz-params.c: parameters, control → audio, latest value wins; see fz-params.h
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <stdlib.h>

#include "fz-eq.h"
#include "fz-params.h"

static uint32_t
n_words (uint32_t n_slots)
{
  return (n_slots + FZ_PARAMS_WORD_BITS - 1) / FZ_PARAMS_WORD_BITS;
}

bool
fz_params_init (FzParams *params, uint32_t n_slots, float master)
{
  params->n_slots = n_slots;
  params->cells = calloc (n_slots, sizeof (FzParamCell));
  params->dirty = calloc (n_words (n_slots), sizeof (atomic_uint_fast64_t));
  atomic_init (&params->master, fz_params_float_bits (master));
  atomic_init (&params->speed, fz_params_double_bits (1.0));
  atomic_init (&params->tempo_lock, 0);
  atomic_init (&params->summary, 0);
  if (params->cells == NULL || params->dirty == NULL)
    {
      fz_params_clear (params);
      return false;
    }
  for (uint32_t i = 0; i < n_words (n_slots); i++)
    atomic_init (&params->dirty[i], 0);
  for (uint32_t i = 0; i < n_slots; i++)
    {
      FzParamCell *cell = &params->cells[i];

      atomic_init (&cell->changed, 0);
      atomic_init (&cell->gain, fz_params_float_bits (1.0f));
      atomic_init (&cell->policy, (unsigned int) FZ_RETRIGGER_LAYER);
      atomic_init (&cell->loop_seq, 0);
      atomic_init (&cell->loop_on, 0);
      atomic_init (&cell->loop_start, 0);
      atomic_init (&cell->loop_end, 0);
      atomic_init (&cell->eq_seq, 0);
      for (int band = 0; band < 3; band++)
        atomic_init (&cell->eq[band], fz_params_float_bits (1.0f));
      atomic_init (&cell->speed, fz_params_double_bits (1.0));
    }
  return true;
}

void
fz_params_clear (FzParams *params)
{
  free (params->cells);
  free (params->dirty);
  params->cells = NULL;
  params->dirty = NULL;
  params->n_slots = 0;
}

void
fz_params_copy_cell (FzParams *to, const FzParams *from, uint32_t slot)
{
  const FzParamCell *source = &from->cells[slot];
  FzParamCell *cell = &to->cells[slot];

  if (slot >= to->n_slots || slot >= from->n_slots)
    return;
  atomic_store (&cell->gain, atomic_load (&source->gain));
  atomic_store (&cell->policy, atomic_load (&source->policy));
  atomic_store (&cell->loop_on, atomic_load (&source->loop_on));
  atomic_store (&cell->loop_start, atomic_load (&source->loop_start));
  atomic_store (&cell->loop_end, atomic_load (&source->loop_end));
  atomic_store (&cell->speed, atomic_load (&source->speed));
  for (int band = 0; band < 3; band++)
    {
      atomic_store (&cell->eq[band], atomic_load (&source->eq[band]));
      /* The new core's slots start flat: its first period glides an
       * isolator that was set to its gains. */
      if (atomic_load (&cell->eq[band]) != fz_params_float_bits (1.0f))
        fz_params_mark (to, slot, FZ_PARAM_EQ);
    }
}

/* ---- audio thread from here on ---- */

/* Reads @cell's region; false when a write was under way (see fz-params.h). */
static bool
read_loop (const FzParamCell *cell, bool *on, size_t *start, size_t *end)
{
  unsigned int seq = atomic_load_explicit (&cell->loop_seq, memory_order_acquire);

  *on = atomic_load_explicit (&cell->loop_on, memory_order_relaxed) != 0;
  *start = (size_t) atomic_load_explicit (&cell->loop_start, memory_order_relaxed);
  *end = (size_t) atomic_load_explicit (&cell->loop_end, memory_order_relaxed);
  atomic_thread_fence (memory_order_acquire);
  return (seq & 1u) == 0 && seq == atomic_load_explicit (&cell->loop_seq, memory_order_relaxed);
}

/* Reads @cell's isolator gains; false when a write was under way. */
static bool
read_eq (const FzParamCell *cell, float gains[3])
{
  unsigned int seq = atomic_load_explicit (&cell->eq_seq, memory_order_acquire);

  for (int band = 0; band < 3; band++)
    gains[band] = fz_params_bits_float (atomic_load_explicit (&cell->eq[band],
                                                              memory_order_relaxed));
  atomic_thread_fence (memory_order_acquire);
  return (seq & 1u) == 0 && seq == atomic_load_explicit (&cell->eq_seq, memory_order_relaxed);
}

/* The mixer takes each of the values set since the last period that
 * differs from its own: a value set again (or set and set back before the
 * period) changes nothing, and a gain ramp under way to it goes on as it
 * was. */
static void
apply_slot (FzParams *params, FzMixer *mixer, uint32_t slot)
{
  FzParamCell *cell = &params->cells[slot];
  const FzSlot *s = &mixer->slots[slot];
  unsigned int changed = atomic_exchange_explicit (&cell->changed, 0, memory_order_acquire);

  if (changed & FZ_PARAM_GAIN)
    {
      float gain = fz_params_bits_float (atomic_load_explicit (&cell->gain, memory_order_relaxed));

      if (gain != s->gain.target)
        fz_mixer_set_gain (mixer, slot, gain);
    }
  if (changed & FZ_PARAM_SPEED)
    {
      double speed = fz_params_bits_double (atomic_load_explicit (&cell->speed,
                                                                 memory_order_relaxed));

      if (speed != s->speed)
        fz_mixer_set_speed (mixer, slot, speed);
    }
  if (changed & FZ_PARAM_POLICY)
    {
      unsigned int policy = atomic_load_explicit (&cell->policy, memory_order_relaxed);

      fz_mixer_set_retrigger (mixer, slot, (FzRetrigger) (policy & 0xffu));
      fz_mixer_set_group (mixer, slot, policy >> 8);
    }
  /* Half written (the two below): the writer marks the field again once
   * it is done, so the whole of it comes in a later period. */
  if (changed & FZ_PARAM_EQ)
    {
      float eq[3];

      /* The same gains again change nothing (fz_eq_set()). */
      if (read_eq (cell, eq))
        fz_eq_set (mixer, slot, eq[0], eq[1], eq[2]);
    }
  if (changed & FZ_PARAM_LOOP)
    {
      size_t start, end;
      bool on;

      if (read_loop (cell, &on, &start, &end) &&
          (on != s->loop || start != s->loop_start || end != s->loop_end))
        fz_mixer_set_loop (mixer, slot, on, start, end);
    }
}

static void
apply_word (FzParams *params, FzMixer *mixer, uint32_t word)
{
  uint64_t bits = atomic_exchange_explicit (&params->dirty[word], 0, memory_order_acquire);

  while (bits != 0)
    {
      uint32_t bit = (uint32_t) __builtin_ctzll (bits);

      bits &= bits - 1;
      apply_slot (params, mixer, word * FZ_PARAMS_WORD_BITS + bit);
    }
}

void
fz_params_apply_marked (FzParams *params, FzMixer *mixer)
{
  uint64_t summary = atomic_exchange_explicit (&params->summary, 0, memory_order_acquire);

  if (summary & FZ_PARAMS_MASTER_BIT)
    {
      float master = fz_params_bits_float (atomic_load_explicit (&params->master,
                                                                 memory_order_relaxed));

      if (master != mixer->master.target)
        fz_mixer_set_gain (mixer, FZ_MASTER, master);
      summary &= ~FZ_PARAMS_MASTER_BIT;
    }
  if (summary & FZ_PARAMS_SPEED_BIT)
    {
      double speed = fz_params_bits_double (atomic_load_explicit (&params->speed,
                                                                  memory_order_relaxed));
      bool lock = atomic_load_explicit (&params->tempo_lock, memory_order_relaxed) != 0;

      if (speed != mixer->speed)
        fz_mixer_set_speed (mixer, FZ_MASTER, speed);
      if (lock != mixer->tempo_lock)
        fz_mixer_set_tempo_lock (mixer, lock);
      summary &= ~FZ_PARAMS_SPEED_BIT;
    }
  while (summary != 0)
    {
      uint32_t word = (uint32_t) __builtin_ctzll (summary);

      summary &= summary - 1;
      apply_word (params, mixer, word);
    }
}
