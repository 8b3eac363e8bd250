/* fz-core.c: the engine's real-time core, see fz-core.h
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <stdlib.h>

#include <string.h>

#include "fz-core.h"
#include "fz-counter.h"

FzCore *
fz_core_new (uint32_t sample_rate, uint32_t channels)
{
  FzCore *core = calloc (1, sizeof (FzCore));

  if (core == NULL)
    return NULL;
  core->commands = fz_ring_new ();
  core->replies = fz_ring_new ();
  if (core->commands == NULL || core->replies == NULL)
    {
      fz_core_free (core);
      return NULL;
    }
  fz_mixer_init (&core->mixer, channels);
  core->sample_rate = sample_rate;
  atomic_init (&core->frame_time, 0);
  atomic_init (&core->replies_dropped, 0);
  return core;
}

static void
release_ring (FzRing *ring)
{
  FzMsg msg;

  while (fz_ring_pop (ring, &msg))
    fz_sample_unref (msg.sample);
}

void
fz_core_free (FzCore *core)
{
  if (core == NULL)
    return;
  if (core->commands != NULL)
    release_ring (core->commands);
  if (core->replies != NULL)
    release_ring (core->replies);
  for (uint32_t i = 0; i < FZ_MAX_SLOTS; i++)
    fz_sample_unref (core->mixer.slots[i]);
  for (uint32_t i = 0; i < core->n_retiring; i++)
    fz_sample_unref (core->retiring[i]);
  fz_ring_free (core->commands);
  fz_ring_free (core->replies);
  free (core);
}

bool
fz_core_send (FzCore *core, const FzMsg *command)
{
  return fz_ring_push (core->commands, command);
}

bool
fz_core_receive (FzCore *core, FzMsg *reply)
{
  return fz_ring_pop (core->replies, reply);
}

/* ---- audio thread from here on ---- */

static void
reply_pong (FzCore *core, const FzMsg *ping, uint64_t frame)
{
  FzMsg pong = { .type = FZ_REPLY_PONG, .seq = ping->seq, .frame = frame };

  if (!fz_ring_push (core->replies, &pong))
    fz_counter_increment (&core->replies_dropped);
}

/* Sends @sample's reference back to the control side; false when the
 * reply ring is full. */
static bool
hand_back (FzCore *core, FzSample *sample)
{
  FzMsg reply = { .type = FZ_REPLY_RETIRE, .sample = sample };

  return fz_ring_push (core->replies, &reply);
}

/* Hands @sample back at once when no voice plays it and the reply ring has
 * room; otherwise it waits in the retiring list.  Returns false, doing
 * nothing, when it can do neither. */
static bool
retire (FzCore *core, FzSample *sample)
{
  if (!fz_mixer_is_playing (&core->mixer, sample) && hand_back (core, sample))
    return true;
  if (core->n_retiring == FZ_RETIRE_CAPACITY)
    return false;
  core->retiring[core->n_retiring++] = sample;
  return true;
}

/* Returns false when the sample it replaces can be neither handed back nor
 * kept waiting: the command then stays queued until there is room. */
static bool
publish_sample (FzCore *core, const FzMsg *load)
{
  bool in_range = load->slot < FZ_MAX_SLOTS;
  /* A slot out of range is a caller's bug: the sample goes straight back
   * instead of being written out of bounds. */
  FzSample *old = in_range ? core->mixer.slots[load->slot] : load->sample;

  if (old != NULL && !retire (core, old))
    return false;
  if (in_range)
    core->mixer.slots[load->slot] = load->sample;
  return true;
}

static bool
apply_command (FzCore *core, const FzMsg *command, uint64_t frame)
{
  switch ((FzMsgType) command->type)
    {
    case FZ_CMD_PING:
      reply_pong (core, command, frame);
      return true;
    case FZ_CMD_LOAD:
      return publish_sample (core, command);
    case FZ_CMD_PLAY:
      fz_mixer_trigger (&core->mixer, command->slot, command->velocity);
      return true;
    case FZ_CMD_PAUSE:
      core->paused = true;
      return true;
    case FZ_CMD_RESUME:
      core->paused = false;
      return true;
    case FZ_REPLY_PONG:
    case FZ_REPLY_RETIRE:
    default:
      return true;  /* not a command: consumed and ignored */
    }
}

static void
process_commands (FzCore *core, uint64_t frame)
{
  const FzMsg *command;

  while ((command = fz_ring_peek (core->commands)) != NULL)
    {
      if (!apply_command (core, command, frame))
        break;
      fz_ring_advance (core->commands);
    }
}

/* Hands back every retiring sample that no voice plays any more, for as long
 * as the reply ring has room. */
static void
flush_retiring (FzCore *core)
{
  uint32_t i = 0;

  while (i < core->n_retiring)
    {
      if (fz_mixer_is_playing (&core->mixer, core->retiring[i]))
        {
          i++;
          continue;
        }
      if (!hand_back (core, core->retiring[i]))
        return;
      core->retiring[i] = core->retiring[--core->n_retiring];
    }
}

void
fz_core_process (FzCore *core, float *out, size_t frames)
{
  uint64_t frame = atomic_load_explicit (&core->frame_time, memory_order_relaxed);

  /* Handing back first makes room for replacements waiting in the command
   * ring; handing back after rendering returns what just stopped playing. */
  flush_retiring (core);
  process_commands (core, frame);
  /* Paused, the voices do not advance: resume() goes on where they were. */
  if (core->paused)
    memset (out, 0, frames * core->mixer.channels * sizeof (float));
  else
    fz_mixer_render (&core->mixer, out, frames);
  flush_retiring (core);
  atomic_store_explicit (&core->frame_time, frame + frames, memory_order_relaxed);
}

uint64_t
fz_core_get_frame_time (FzCore *core)
{
  return atomic_load_explicit (&core->frame_time, memory_order_relaxed);
}

uint64_t
fz_core_get_replies_dropped (FzCore *core)
{
  return fz_counter_get (&core->replies_dropped);
}

uint64_t
fz_core_get_voices_dropped (FzCore *core)
{
  return fz_mixer_get_voices_dropped (&core->mixer);
}
