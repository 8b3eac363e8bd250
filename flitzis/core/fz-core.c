/* fz-core.c: the engine's real-time core, see fz-core.h
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <stdlib.h>

#include <string.h>
#include <threads.h>
#if defined(__x86_64__) || defined(__i386__)
#include <xmmintrin.h>
#endif

#include "fz-core.h"
#include "fz-counter.h"
#include "fz-keylock.h"

static void on_voice_ended (void *data, uint32_t slot, uint32_t offset);

static _Atomic (FzCoreTestHook) test_hook;

void
fz_core_set_test_hook (FzCoreTestHook hook)
{
  atomic_store (&test_hook, hook);
}

FzCore *
fz_core_new (uint32_t sample_rate, uint32_t channels)
{
  return fz_core_new_sized (sample_rate, channels, FZ_MAX_SLOTS, FZ_MAX_VOICES);
}

/* The default sizes use the tables inside the mixer; others get their own
 * (freed by fz_core_free()). */
FzCore *
fz_core_new_sized (uint32_t sample_rate, uint32_t channels, uint32_t n_slots, uint32_t n_voices)
{
  FzCore *core;
  FzSlot *slots;
  FzVoice *voices;

  if (n_slots == 0 || n_slots > FZ_SLOTS_LIMIT || n_voices == 0 || n_voices > FZ_VOICES_LIMIT)
    return NULL;
  core = calloc (1, sizeof (FzCore));
  if (core == NULL)
    return NULL;
  slots = n_slots == FZ_MAX_SLOTS ? core->mixer.default_slots : calloc (n_slots, sizeof (FzSlot));
  voices = n_voices == FZ_MAX_VOICES ? core->mixer.default_voices
                                     : calloc (n_voices, sizeof (FzVoice));
  core->mixer.slots = slots;
  core->mixer.voices = voices;
  core->commands = fz_ring_new ();
  core->replies = fz_ring_new ();
  /* The meters' per-slot arrays, sized by the slots: here, never on the
   * audio thread. */
  if (slots == NULL || voices == NULL || core->commands == NULL || core->replies == NULL ||
      !fz_meter_init (&core->meter, sample_rate, channels, n_slots) ||
      !fz_params_init (&core->params, n_slots, 1.0f) ||
      !fz_eq_init (&core->eq, sample_rate, channels, n_slots))
    {
      fz_core_free (core);
      return NULL;
    }
  fz_mixer_init_tables (&core->mixer, channels, sample_rate, slots, n_slots, voices, n_voices);
  core->mixer.eq = &core->eq;
  core->mixer.voice_ended = on_voice_ended;
  core->mixer.voice_ended_data = core;
  core->sample_rate = sample_rate;
  atomic_init (&core->frame_time, 0);
  atomic_init (&core->pongs_dropped, 0);
  atomic_init (&core->events_dropped, 0);
  atomic_init (&core->xruns, 0);
  atomic_init (&core->underruns, 0);
  atomic_init (&core->audio_thread, 0);
  atomic_init (&core->busy, 0);
  fz_midi_parser_init (&core->midi.port);
  fz_midi_parser_init (&core->midi.injected);
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
  for (uint32_t i = 0; core->mixer.slots != NULL && i < core->mixer.n_slots; i++)
    fz_sample_unref (core->mixer.slots[i].sample);
  for (uint32_t i = 0; i < core->n_retiring; i++)
    fz_sample_unref (core->retiring[i]);
  free (core->clicks[0].data);
  free (core->clicks[1].data);
  if (core->mixer.slots != core->mixer.default_slots)
    free (core->mixer.slots);
  if (core->mixer.voices != core->mixer.default_voices)
    free (core->mixer.voices);
  fz_ring_free (core->commands);
  fz_ring_free (core->replies);
  fz_meter_clear (&core->meter);
  fz_params_clear (&core->params);
  fz_eq_clear (&core->eq);
  fz_midi_in_clear (core);
  free (core);
}

/* Whether a command queued to a core that stopped still means something
 * to the core that takes its slots over: what it sets does, while
 * triggers, stops, seeks and pings were for the old stream's voices and
 * clock, and the engine's pause starts afresh with the new stream. */
static bool
carries_over (const FzMsg *command)
{
  switch ((FzCmdType) command->type)
    {
    case FZ_CMD_LOAD:
    case FZ_CMD_SET_LOOP:
    case FZ_CMD_SET_GAIN:
    case FZ_CMD_SET_RETRIGGER:
    case FZ_CMD_SET_GROUP:
    case FZ_CMD_PAUSE_SLOT:
    case FZ_CMD_SET_SLOT_TEMPO:
    case FZ_CMD_SET_SLOT_DOWNBEAT:
    case FZ_CMD_SET_KEY_LOCK:
    case FZ_CMD_SET_PITCH:
    case FZ_CMD_SET_KEY_LOCK_DEFAULT:
    case FZ_CMD_SET_STRETCH_POOL:
      return true;
    case FZ_CMD_PING:
    case FZ_CMD_PLAY:
    case FZ_CMD_PLAY_AT:
    case FZ_CMD_PAUSE:
    case FZ_CMD_RESUME:
    case FZ_CMD_STOP:
    case FZ_CMD_SEEK:
    case FZ_CMD_SYNC:
    case FZ_CMD_MIDI:
      return false;
    /* The meters' and the clock's settings: the new core starts from the
     * engine's properties, which these only followed. */
    case FZ_CMD_SET_METER:
    case FZ_CMD_SET_TEMPO:
    case FZ_CMD_SET_BEATS_PER_BAR:
    case FZ_CMD_SET_DOWNBEAT:
    case FZ_CMD_SET_METRONOME:
    case FZ_CMD_REPORT_BEATS:
    default:
      return false;
  }
}

/* Control thread, both cores stopped (see fz-core.h). */
uint32_t
fz_core_adopt (FzCore *core, FzCore *old)
{
  uint32_t n = core->mixer.n_slots < old->mixer.n_slots ? core->mixer.n_slots
                                                         : old->mixer.n_slots;
  uint32_t dropped = 0;
  FzMsg command;

  /* Parameters set for @old but not yet taken by its last period are taken
   * now, by this thread: its audio thread is gone. */
  fz_params_apply (&old->params, &old->mixer);
  for (uint32_t i = 0; i < n; i++)
    {
      FzSlot *from = &old->mixer.slots[i], *to = &core->mixer.slots[i];

      /* The reference moves: @old no longer releases it. */
      to->sample = from->sample;
      from->sample = NULL;
      fz_mixer_preset_gain (&core->mixer, i, from->gain.target);
      to->loop = from->loop;
      to->loop_start = from->loop_start;
      to->loop_end = from->loop_end;
      to->paused = from->paused;
      to->retrigger = from->retrigger;
      to->group = from->group;
      to->tempo = from->tempo;
      to->downbeat = from->downbeat;
      to->key_lock = from->key_lock;
      to->pitch = from->pitch;
      fz_mixer_set_speed (&core->mixer, i, from->speed);
      fz_params_copy_cell (&core->params, &old->params, i);
    }
  core->mixer.key_lock = old->mixer.key_lock;
  core->mixer.stretch = old->mixer.stretch;
  fz_stretch_pool_release_all (core->mixer.stretch);
  /* @old's consumer side is this thread now: its audio thread is gone.
   * @core's ring is empty and as large, so every command fits. */
  while (fz_ring_pop (old->commands, &command))
    {
      if (carries_over (&command) && fz_ring_push (core->commands, &command))
        continue;
      if (command.type == FZ_CMD_PLAY || command.type == FZ_CMD_PLAY_AT)
        dropped++;
      fz_sample_unref (command.sample);
    }
  return dropped;
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

/* Queues a reply; a full reply ring drops it, counted. */
static void
reply (FzCore *core, FzReplyType type, uint32_t slot, uint64_t frame, uint64_t seq)
{
  FzMsg message = { .type = type, .slot = slot, .frame = frame, .seq = seq };

  if (!fz_ring_push (core->replies, &message))
    fz_counter_increment (type == FZ_REPLY_PONG ? &core->pongs_dropped : &core->events_dropped);
}

void
fz_core_reply (FzCore *core, FzReplyType type, uint32_t slot, uint64_t frame, uint64_t seq)
{
  reply (core, type, slot, frame, seq);
}

static void
on_voice_ended (void *data, uint32_t slot, uint32_t offset)
{
  FzCore *core = data;

  reply (core, FZ_REPLY_FINISHED, slot, core->period_start + offset, 0);
}

/* Sends @sample's reference back to the control side; false when the
 * reply ring is full. */
static bool
hand_back (FzCore *core, FzSample *sample)
{
  FzMsg message = { .type = FZ_REPLY_RETIRE, .sample = sample };

  return fz_ring_push (core->replies, &message);
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

static void stop (FzCore *core, uint32_t slot);

/* Puts @load's sample (NULL: none) in its slot.  Voices of a replaced
 * sample play on; those of an unloaded one fade out, and its waiting
 * triggers are cancelled.  Returns false when the
 * sample it replaces can be neither handed back nor kept waiting: the
 * command then stays queued until there is room. */
static bool
publish_sample (FzCore *core, const FzMsg *load)
{
  bool in_range = load->slot < core->mixer.n_slots;
  /* A slot out of range is a caller's bug: the sample goes straight back
   * instead of being written out of bounds. */
  FzSample *old = in_range ? core->mixer.slots[load->slot].sample : load->sample;

  if (old != NULL && !retire (core, old))
    return false;
  if (!in_range)
    return true;
  if (load->sample == NULL)
    stop (core, load->slot);
  /* The slot's loop region, gain and policies stay: its voices clamp the
   * region to the new sample as they play. */
  core->mixer.slots[load->slot].sample = load->sample;
  fz_keylock_forget (&core->mixer, load->slot);
  return true;
}

/* Starts a voice @delay frames into this period, as the slot's policies
 * say, and says so.  A toggle that stops the slot says nothing now: its
 * voices report their end when their fade is over. */
static void
start_voice (FzCore *core, uint32_t slot, float gain, uint32_t delay, bool exclusive)
{
  uint64_t frame = core->period_start + delay;

  switch (fz_mixer_play (&core->mixer, slot, gain, delay, exclusive))
    {
    case FZ_TRIGGER_STARTED:
      reply (core, FZ_REPLY_STARTED, slot, frame, 0);
      break;
    case FZ_TRIGGER_DROPPED:
      reply (core, FZ_REPLY_DROPPED, slot, frame, 0);
      break;
    case FZ_TRIGGER_EMPTY_SLOT:
    case FZ_TRIGGER_TOGGLED_OFF:
    default:
      break;
    }
}

/* A trigger for a full schedule is dropped like one that finds every voice
 * busy: waiting in the command ring instead could hold up a stop behind it
 * until the frames of the waiting triggers come. */
static void
schedule (FzCore *core, const FzMsg *play, uint64_t frame)
{
  if (core->n_scheduled == FZ_SCHEDULE_CAPACITY)
    {
      fz_counter_increment (&core->mixer.voices_dropped);
      reply (core, FZ_REPLY_DROPPED, play->slot, frame, 0);
      return;
    }
  core->scheduled[core->n_scheduled++] = (FzScheduled) {
    .frame = frame, .slot = play->slot, .gain = play->gain, .exclusive = play->flag != 0,
    .kind = FZ_SCHEDULED_PLAY,
  };
}

/* Cancels the waiting triggers of @slot (FZ_ALL_SLOTS: all), keeping the
 * others in order. */
static void
unschedule (FzCore *core, uint32_t slot)
{
  uint32_t kept = 0;

  for (uint32_t i = 0; i < core->n_scheduled; i++)
    if (slot != FZ_ALL_SLOTS && core->scheduled[i].slot != slot)
      core->scheduled[kept++] = core->scheduled[i];
  core->n_scheduled = kept;
}

static void
stop (FzCore *core, uint32_t slot)
{
  unschedule (core, slot);
  fz_mixer_stop (&core->mixer, slot);
}

/* ---- the clock ---- */

/* The first frame of the command's grid from this period's first on. */
static uint64_t
grid_frame (FzCore *core, const FzMsg *command)
{
  FzGrid grid = command->start <= FZ_GRID_LAST ? (FzGrid) command->start : FZ_GRID_NONE;

  return fz_clock_grid_frame (&core->tempo, grid, core->period_start);
}

/* play_sample() under a quantize setting: a trigger waiting for its grid
 * frame, started by start_due_triggers() in this period or a later one. */
static void
play (FzCore *core, const FzMsg *command)
{
  if (command->start == FZ_GRID_NONE)
    start_voice (core, command->slot, command->gain, 0, command->flag != 0);
  else
    schedule (core, command, grid_frame (core, command));
}

/* A stop at frame G (a quantized one's, or a MIDI gate's): the triggers
 * of the slot waiting for G or later are cancelled now, and at G its
 * voices that have started by then fade out (start_due_triggers()).  On
 * the period's first frame (or before), or with the schedule full, it
 * stops at once: a stop is never lost. */
void
fz_core_stop_from (FzCore *core, uint32_t slot, uint64_t frame)
{
  uint32_t kept = 0;

  if (frame <= core->period_start)
    {
      stop (core, slot);
      return;
    }
  for (uint32_t i = 0; i < core->n_scheduled; i++)
    if (core->scheduled[i].frame < frame ||
        (slot != FZ_ALL_SLOTS && core->scheduled[i].slot != slot))
      core->scheduled[kept++] = core->scheduled[i];
  core->n_scheduled = kept;
  if (kept == FZ_SCHEDULE_CAPACITY)
    {
      stop (core, slot);
      return;
    }
  core->scheduled[core->n_scheduled++] = (FzScheduled) {
    .frame = frame, .slot = slot, .kind = FZ_SCHEDULED_STOP,
  };
}

static void
quantized_stop (FzCore *core, const FzMsg *command)
{
  fz_core_stop_from (core, command->slot, grid_frame (core, command));
}

/* A MIDI trigger: waits in the schedule for its frame like play_at(). */
void
fz_core_schedule_play (FzCore *core, uint32_t slot, float gain, uint64_t frame)
{
  FzMsg play = { .type = FZ_CMD_PLAY_AT, .slot = slot, .gain = gain, .frame = frame };

  schedule (core, &play, frame);
}

static void
reply_pong (FzCore *core, const FzMsg *ping)
{
  reply (core, FZ_REPLY_PONG, 0, core->period_start, ping->seq);
}

static bool
apply_command (FzCore *core, const FzMsg *command)
{
  switch ((FzCmdType) command->type)
    {
    case FZ_CMD_PING:
      reply_pong (core, command);
      return true;
    case FZ_CMD_LOAD:
      return publish_sample (core, command);
    case FZ_CMD_PLAY:
      play (core, command);
      return true;
    case FZ_CMD_PLAY_AT:
      schedule (core, command, command->frame);
      return true;
    case FZ_CMD_PAUSE:
      core->paused = true;
      return true;
    case FZ_CMD_RESUME:
      core->paused = false;
      return true;
    case FZ_CMD_STOP:
      if (command->start == FZ_GRID_NONE)
        stop (core, command->slot);
      else
        quantized_stop (core, command);
      return true;
    case FZ_CMD_SET_LOOP:
      fz_mixer_set_loop (&core->mixer, command->slot, command->flag != 0,
                         (size_t) command->start, (size_t) command->end);
      return true;
    case FZ_CMD_SET_GAIN:
      fz_mixer_set_gain (&core->mixer, command->slot, command->gain);
      return true;
    case FZ_CMD_SET_RETRIGGER:
      fz_mixer_set_retrigger (&core->mixer, command->slot, (FzRetrigger) command->flag);
      return true;
    case FZ_CMD_SET_GROUP:
      fz_mixer_set_group (&core->mixer, command->slot, command->flag);
      return true;
    case FZ_CMD_PAUSE_SLOT:
      fz_mixer_pause_slot (&core->mixer, command->slot, command->flag != 0);
      return true;
    case FZ_CMD_SEEK:
      fz_mixer_seek (&core->mixer, command->slot, (size_t) command->start);
      return true;
    case FZ_CMD_SET_METER:
      fz_meter_set_rate (&core->meter, &core->mixer, (uint32_t) command->start,
                         core->period_start);
      return true;
    case FZ_CMD_SET_TEMPO:
    case FZ_CMD_SET_BEATS_PER_BAR:
    case FZ_CMD_SET_DOWNBEAT:
    case FZ_CMD_SET_METRONOME:
    case FZ_CMD_REPORT_BEATS:
    case FZ_CMD_SET_SLOT_TEMPO:
    case FZ_CMD_SET_SLOT_DOWNBEAT:
    case FZ_CMD_SYNC:
      return fz_transport_apply (core, command);
    case FZ_CMD_MIDI:
      fz_midi_in_inject (core, command);
      return true;
    case FZ_CMD_SET_KEY_LOCK:
    case FZ_CMD_SET_PITCH:
    case FZ_CMD_SET_KEY_LOCK_DEFAULT:
    case FZ_CMD_SET_STRETCH_POOL:
      fz_keylock_apply (&core->mixer, command);
      return true;
    default:
      return true;  /* not a command: consumed and ignored */
    }
}

static void
process_commands (FzCore *core)
{
  const FzMsg *command;

  while ((command = fz_ring_peek (core->commands)) != NULL)
    {
      /* Whatever it changes, no voice's settled state outlives it
       * (fz-mixer-settled.c). */
      fz_mixer_touch (&core->mixer);
      if (!apply_command (core, command))
        break;
      fz_ring_advance (core->commands);
    }
}

/* Carries out, in the order they were queued, the waiting entries of
 * @kind whose frame is before @until (plays) or at it (stops), and keeps
 * the others in order.  A trigger whose frame has passed starts at the
 * period's first frame and is reported late. */
static void
run_due (FzCore *core, FzScheduledKind kind, uint64_t until)
{
  uint64_t start = core->period_start;
  uint32_t kept = 0;

  for (uint32_t i = 0; i < core->n_scheduled; i++)
    {
      const FzScheduled trigger = core->scheduled[i];
      bool due = trigger.kind == kind &&
                 (kind == FZ_SCHEDULED_PLAY ? trigger.frame < until : trigger.frame == until);

      if (!due)
        core->scheduled[kept++] = trigger;
      else if (kind == FZ_SCHEDULED_STOP)
        fz_mixer_stop_at (&core->mixer, trigger.slot, (uint32_t) (trigger.frame - start));
      else
        {
          if (trigger.frame < start)
            reply (core, FZ_REPLY_LATE, trigger.slot, start, start - trigger.frame);
          start_voice (core, trigger.slot, trigger.gain,
                       trigger.frame < start ? 0 : (uint32_t) (trigger.frame - start),
                       trigger.exclusive);
        }
    }
  core->n_scheduled = kept;
}

/* The earliest frame before @end of a waiting stop; @end when none. */
static uint64_t
next_stop (const FzCore *core, uint64_t end)
{
  for (uint32_t i = 0; i < core->n_scheduled; i++)
    if (core->scheduled[i].kind == FZ_SCHEDULED_STOP && core->scheduled[i].frame < end)
      end = core->scheduled[i].frame;
  return end;
}

/* Starts the waiting triggers whose frame falls in this period of @frames
 * frames.  Quantized stops cut the period: the triggers before a stop's
 * frame start first, so that it fades them out, and those at its frame
 * or later (queued after it: it cancelled the others) start after it. */
static void
start_due_triggers (FzCore *core, size_t frames)
{
  uint64_t end = core->period_start + frames;

  for (;;)
    {
      uint64_t cut = next_stop (core, end);

      run_due (core, FZ_SCHEDULED_PLAY, cut);
      if (cut == end)
        return;
      run_due (core, FZ_SCHEDULED_STOP, cut);
    }
}

/* Triggers due within this many periods have their stretchers primed
 * ahead (fz-keylock.h), one a period: 16, a full pool, in half of them. */
#define PREPARE_PERIODS 32u

/* After the period's voices: frees the stretchers primed for triggers that
 * did not take them, and primes one for the earliest waiting trigger due
 * in the next PREPARE_PERIODS periods that needs one.  Costs a test of the
 * pool alone in an engine without key lock. */
static void
prepare_triggers (FzCore *core, size_t frames)
{
  uint64_t end = core->period_start + frames, horizon = end + PREPARE_PERIODS * (uint64_t) frames;
  const FzScheduled *earliest = NULL;

  if (core->mixer.stretch == NULL)
    return;
  fz_keylock_expire (&core->mixer, end);
  for (uint32_t i = 0; i < core->n_scheduled; i++)
    {
      const FzScheduled *trigger = &core->scheduled[i];

      if (trigger->kind == FZ_SCHEDULED_PLAY && trigger->frame >= end &&
          trigger->frame < horizon && (earliest == NULL || trigger->frame < earliest->frame) &&
          fz_keylock_can_prepare (&core->mixer, trigger->slot))
        earliest = trigger;
    }
  if (earliest != NULL)
    fz_keylock_prepare (&core->mixer, earliest->slot, earliest->frame);
}

/* Hands back every retiring sample that no voice plays any more, for as long
 * as the reply ring has room. */
static inline void
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

static void
count_underrun (FzCore *core)
{
  fz_counter_increment (&core->xruns);
  reply (core, FZ_REPLY_XRUN, 0, core->period_start, fz_counter_get (&core->xruns));
}

static void
count_own_underrun (FzCore *core)
{
  fz_counter_increment (&core->underruns);
  reply (core, FZ_REPLY_UNDERRUN, 0, core->period_start, fz_counter_get (&core->underruns));
}

/* Flush-to-zero and denormals-are-zero (MXCSR bits 15 and 6) while the
 * callback runs: a tail decaying towards 1e-38 would otherwise send every
 * multiply and add through the CPU's slow subnormal path.  Subnormal
 * samples (below 1.2e-38, some 750 dB under full scale) mix as zero.  The
 * caller's mode comes back on return: offline, the caller's thread is the
 * application's own.  Two instructions each way, no system call. */
#if defined(__x86_64__) || defined(__i386__)
#define FZ_MXCSR_FTZ_DAZ 0x8040u
typedef unsigned int FzFpMode;
static inline FzFpMode
fp_mode_enter (void)
{
  FzFpMode mode = _mm_getcsr ();

  _mm_setcsr (mode | FZ_MXCSR_FTZ_DAZ);
  return mode;
}
static inline void
fp_mode_leave (FzFpMode mode)
{
  _mm_setcsr (mode);
}
#else
typedef int FzFpMode;
static inline FzFpMode fp_mode_enter (void) { return 0; }
static inline void fp_mode_leave (FzFpMode mode) { (void) mode; }
#endif

void
fz_core_process (FzCore *core, float *out, size_t frames, unsigned flags)
{
  FzFpMode fp_mode = fp_mode_enter ();
  FzCoreTestHook hook = atomic_load_explicit (&test_hook, memory_order_relaxed);

  if (hook != NULL)
    hook (core, frames);
  /* Reading the calling thread's handle is no system call (glibc keeps it
   * in the thread pointer); a back-end may change threads (a restart). */
  atomic_store_explicit (&core->audio_thread, (uintptr_t) thrd_current (), memory_order_relaxed);
  core->period_start = atomic_load_explicit (&core->frame_time, memory_order_relaxed);
  if (flags & FZ_PROCESS_UNDERRUN)
    count_underrun (core);
  if (flags & FZ_PROCESS_OWN_UNDERRUN)
    count_own_underrun (core);
  /* Handing back first makes room for replacements waiting in the command
   * ring; handing back after rendering returns what just stopped playing. */
  flush_retiring (core);
  /* Parameters first: a trigger in this period plays with them. */
  fz_params_apply (&core->params, &core->mixer);
  process_commands (core);
  /* MIDI after the commands, so that a map set before this period maps
   * its events, and before the schedule runs, which starts their
   * triggers at their frames.  Tested here: a period without MIDI and
   * without a new map costs two loads, not a call (25 Ir a period). */
  if (core->midi.n_inbox > 0 ||
      atomic_load_explicit (&core->midi.pending, memory_order_relaxed) != NULL)
    fz_midi_in_run (core, frames);
  start_due_triggers (core, frames);
  /* Paused, the voices do not advance: resume() goes on where they were. */
  if (core->paused)
    memset (out, 0, frames * core->mixer.channels * sizeof (float));
  else
    {
      /* Tempo-locked voices follow the transport's step (fz-varispeed.h). */
      core->mixer.tempo_step = core->tempo.step;
      fz_mixer_render (&core->mixer, out, frames);
    }
  prepare_triggers (core, frames);
  fz_transport_run (core, out, frames);
  if (core->mixer.meter != NULL)
    fz_meter_end_period (&core->meter, &core->mixer, out, frames, core->period_start + frames);
  flush_retiring (core);
  atomic_store_explicit (&core->busy, core->mixer.n_voices + core->n_scheduled,
                         memory_order_relaxed);
  atomic_store_explicit (&core->frame_time, core->period_start + frames, memory_order_relaxed);
  fp_mode_leave (fp_mode);
}

uint64_t
fz_core_get_frame_time (FzCore *core)
{
  return atomic_load_explicit (&core->frame_time, memory_order_relaxed);
}

uint64_t
fz_core_get_events_dropped (FzCore *core)
{
  return fz_counter_get (&core->events_dropped);
}

uint64_t
fz_core_get_pongs_dropped (FzCore *core)
{
  return fz_counter_get (&core->pongs_dropped);
}

uint64_t
fz_core_get_voices_dropped (FzCore *core)
{
  return fz_mixer_get_voices_dropped (&core->mixer);
}

uint64_t
fz_core_get_xruns (FzCore *core)
{
  return fz_counter_get (&core->xruns);
}

uint64_t
fz_core_get_levels_dropped (FzCore *core)
{
  return fz_meter_get_dropped (&core->meter);
}

uint64_t
fz_core_get_underruns (FzCore *core)
{
  return fz_counter_get (&core->underruns);
}

uintptr_t
fz_core_get_audio_thread (FzCore *core)
{
  return atomic_load_explicit (&core->audio_thread, memory_order_relaxed);
}

bool
fz_core_is_busy (FzCore *core)
{
  return atomic_load_explicit (&core->busy, memory_order_relaxed) > 0;
}
