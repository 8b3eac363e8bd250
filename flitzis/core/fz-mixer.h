/* fz-mixer.h: sample slots and voices, mixed in blocks
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Everything here runs on the audio thread (or on whichever single thread
 * drives an engine core), except fz_mixer_init().  No allocation, no locks,
 * no system calls.
 */
#pragma once

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fz-sample.h"
#include "fz-varispeed.h"

/* The default table sizes (an engine's slots and voices properties choose
 * others, up to the limits). */
#define FZ_MAX_SLOTS 32u
#define FZ_MAX_VOICES 32u
#define FZ_SLOTS_LIMIT 1024u
#define FZ_VOICES_LIMIT 256u
/* Choke groups are 1 .. FZ_MAX_GROUP; 0 is none. */
#define FZ_MAX_GROUP 16u
/* Gain changes, fades and crossfades take this long, so that they never
 * click: FZ_RAMP_MS of the sample rate, rounded down to a whole frame. */
#define FZ_RAMP_MS 5u

/* A value moving linearly from @from to @target between two frames of the
 * mixer's clock (FzMixer.now): @from up to @start, @target from @end on.
 * Settled ramps have start == end == 0.  Absolute frames, not a position
 * advanced each period: a ramp ends exactly @end - @start frames after it
 * starts, mid-period if need be, and settled ramps cost nothing per period
 * whatever the number of slots. */
typedef struct {
  float from;
  float target;
  uint64_t start;
  uint64_t end;
} FzRamp;

/* What a trigger on a slot that is already sounding does (FlitzisRetrigger). */
typedef enum {
  FZ_RETRIGGER_LAYER,       /* a new voice, beside the others */
  FZ_RETRIGGER_RESTART,     /* the slot's voices crossfade into a new one */
  FZ_RETRIGGER_TOGGLE,      /* the slot's voices fade out; nothing starts */
  FZ_RETRIGGER_LAST = FZ_RETRIGGER_TOGGLE,
} FzRetrigger;

/* A slot's isolator and every slot's (fz-eq.h). */
typedef struct FzEqSlot FzEqSlot;
typedef struct FzEqBank FzEqBank;
/* A voice's time-stretcher and the pool of them (fz-stretch.h). */
typedef struct FzVoiceStretch FzVoiceStretch;
typedef struct FzStretchPool FzStretchPool;

/* One slot of the slot table; the engine's per-slot state lives here.
 * sizeof (FzSlot) is 96 bytes on 64-bit systems. */
typedef struct {
  FzSample *sample;         /* the audio thread's reference, or NULL */
  FzRamp gain;
  size_t loop_start;        /* as set; clamped to each sample as it plays */
  size_t loop_end;          /* 0: the sample's end */
  bool loop;
  bool paused;              /* pause_sample(): its voices fade out and hold */
  uint8_t retrigger;        /* FzRetrigger */
  uint8_t group;            /* choke group, 0: none */
  uint8_t key_lock;         /* FZ_KEY_LOCK_* (fz-keylock.h) */
  /* The musical clock's view of the slot (fz-core.c's sync). */
  double tempo;             /* the sample's beats per minute, 0: unknown */
  uint64_t downbeat;        /* the sample frame of its first downbeat */
  /* Its isolator while live: its voices go through its bus (fz-eq.h);
   * NULL while flat, and then they mix straight into the output. */
  FzEqSlot *eq;
  double pitch;             /* the pitch factor, 0 or 1: none (fz-keylock.h) */
  double speed;             /* set_sample_speed(), 1.0 by default (fz-varispeed.h) */
} FzSlot;

/* What a voice played since the meters last measured it (fz-meter.c):
 * source frames [start, end) at a gain of at most gain (velocity, slot
 * gain and its fade; not the master's). */
typedef struct {
  size_t start;
  size_t end;
  float gain;
  float next_gain;          /* this period's, set before its spans are played */
} FzMeterRun;

typedef struct {
  const FzSample *sample;   /* borrowed from a slot's (or a retiring) reference */
  uint32_t slot;
  uint32_t delay;           /* silent frames before its first one, next period only */
  size_t position;          /* next frame to play */
  float velocity;
  bool stopping;            /* its fade ends it */
  bool pausing;             /* its fade holds it (held once silent) */
  bool held;                /* silent and in place until its slot resumes */
  bool quiet;               /* the old half of a crossfade: ends without a voice-ended call */
  bool fade_pending;        /* stopping from fade_at on; until then the fade goes on as it was */
  bool bused;               /* played through its slot's bus this period (fz-eq.h) */
  bool bus_ended;           /* and ended there */
  uint64_t fade_at;
  FzRamp fade;              /* 1.0 unless fading in or out */
  FzMeterRun meter;         /* what the meters have yet to measure (fz-meter.h) */
  FzVoiceStretch *stretch;  /* key-locked or pitch-shifted: its stretcher, else NULL */
  FzVoiceSpeed speed;       /* its speed and the position's fraction (fz-varispeed.h) */
  /* The settled fast path (fz-mixer-settled.c): while settled equals the
   * mixer's epoch, the voice plays at scale (velocity times its slot's
   * gain) times the master's times its fade, from the span below. */
  uint64_t settled;
  const float *span_data;
  size_t span_end;          /* the loop end, or the sample's end */
  size_t span_loop_start;
  bool span_loops;
  float scale;
} FzVoice;

/* The mixing kernels: the same bits from each, at different speeds. */
typedef enum {
  FZ_MIX_PATH_SCALAR,       /* plain C, one sample at a time: the reference */
  FZ_MIX_PATH_VEC128,       /* 128-bit vectors (SSE2 on x86-64, the baseline) */
  FZ_MIX_PATH_AVX2,         /* 256-bit AVX2, where the CPU has it */
  FZ_MIX_PATH_AUTO,         /* the fastest this CPU runs (fz_mixer_init()'s choice) */
} FzMixPath;

typedef struct FzMixKernels FzMixKernels;
typedef struct FzMeter FzMeter;

typedef enum {
  FZ_TRIGGER_STARTED,
  FZ_TRIGGER_EMPTY_SLOT,    /* nothing loaded: ignored */
  FZ_TRIGGER_DROPPED,       /* all voices busy: the new trigger is dropped */
  FZ_TRIGGER_TOGGLED_OFF,   /* a toggle slot was sounding: its voices fade out instead */
} FzTriggerResult;

/* Called during fz_mixer_render() when a voice has ended; @offset is the
 * frame of the period just after its last one. */
typedef void (*FzVoiceEndedFunc) (void *data, uint32_t slot, uint32_t offset);

typedef struct {
  uint32_t channels;
  uint32_t ramp_frames;
  const FzMixKernels *kernels;
  uint64_t now;             /* frames rendered so far: the clock of every ramp */
  FzSlot *slots;            /* n_slots of them */
  uint32_t n_slots;
  FzRamp master;
  /* Active voices are kept packed in voices[0 .. n_voices-1], oldest first,
   * so that the mix order (and so every rounding) is deterministic. */
  FzVoice *voices;          /* room for max_voices */
  uint32_t max_voices;
  uint32_t n_voices;
  FzMeter *meter;                 /* NULL while the meters are off (fz-meter.h) */
  FzEqBank *eq;                   /* the slots' isolators, or NULL: none (fz-eq.h) */
  /* The stretchers of key-locked and pitch-shifted voices (fz-stretch.h),
   * borrowed from the control side, or NULL; the key-lock property (the
   * default of slots that were not set). */
  FzStretchPool *stretch;
  bool key_lock;
  FzVoiceEndedFunc voice_ended;   /* may be NULL */
  void *voice_ended_data;
  /* Written by the audio thread only, read by anyone. */
  atomic_uint_fast64_t voices_dropped;
  /* Speed (fz-varispeed.h): the engine's, tempo lock and the transport's
   * step (set by the core each period), and whether any voice may be off
   * unity (the engine's or a slot's speed, or tempo lock). */
  double speed;
  bool tempo_lock;
  bool speed_any;
  uint32_t sample_rate;
  uint64_t tempo_step;
  /* Moved on by every command that may change how a voice plays: a
   * voice settled at another epoch takes the full path (fz-mixer-settled.c). */
  uint64_t epoch;
  /* Tests only: every voice takes the full path (fz-mixer.c), the batched
   * paths' reference (tests/core/test-ramped.c). */
  bool unbatched;
  const FzMixKernels *vs_for;     /* the mixer kernels vs_kernel was chosen for */
  FzVsKernel vs_kernel;
  /* The tables of fz_mixer_init(), at the default sizes; a mixer of other
   * sizes is given its tables (fz_mixer_init_tables()). */
  FzSlot default_slots[FZ_MAX_SLOTS];
  FzVoice default_voices[FZ_MAX_VOICES];
  /* A block's source frames where they wrap or leave the sample. */
  float vs_scratch[FZ_VS_SCRATCH_FRAMES * FZ_VS_MAX_CHANNELS];
} FzMixer;

/* Every cached settled state is stale from now on: called by whatever
 * changes a voice's or a slot's state (commands, parameters). */
static inline void
fz_mixer_touch (FzMixer *mixer)
{
  mixer->epoch++;
}

/* The settled voices from voices[@i] on, as far as they go, at the
 * master's settled gain @master: mixed into @out, the ended ones said
 * (frames from @origin) and the rest packed at voices[*@kept]; returns the
 * index of the first voice that is not settled (fz-mixer-settled.c). */
uint32_t        fz_mixer_render_settled (FzMixer *mixer, float *out, size_t frames, float master,
                                         uint64_t origin, uint32_t i, uint32_t *kept);

/* A period's cuts where the master's ramp starts or ends, with the
 * master's gain at each: cut[0] the period's start, cut[n_cuts - 1] its
 * end (fz-mixer.c works them out once a period). */
typedef struct {
  uint64_t cut[4];
  float master[4];
  uint32_t n_cuts;
} FzPeriodCuts;

/* The voices from voices[@i] on whose gain moves (if at all) only by the
 * master's or their slot's ramp, as far as they go (with @skip_settled,
 * stopping at a settled one too): mixed into @out in batches, the rest
 * packed at voices[*@kept]; returns the index of the first voice not
 * taken (fz-mixer-ramped.c). */
uint32_t        fz_mixer_render_ramped (FzMixer *mixer, float *out, size_t frames,
                                        const FzPeriodCuts *period, bool skip_settled,
                                        uint32_t i, uint32_t *kept);

/* Control thread: FZ_MAX_SLOTS slots and FZ_MAX_VOICES voices, in the
 * mixer itself (a mixer that is copied must be initialised again). */
void            fz_mixer_init (FzMixer *mixer, uint32_t channels, uint32_t sample_rate);
/* Control thread: the same with the caller's tables, zeroed, which must
 * outlive the mixer (the core allocates them, fz-core.c). */
void            fz_mixer_init_tables (FzMixer *mixer, uint32_t channels, uint32_t sample_rate,
                                      FzSlot *slots, uint32_t n_slots,
                                      FzVoice *voices, uint32_t max_voices);
/* Starts slot @slot from its first frame, @delay frames into the next
 * rendered period: a voice beside any others, whatever the slot's policy. */
FzTriggerResult fz_mixer_trigger (FzMixer *mixer, uint32_t slot, float velocity, uint32_t delay);
/* A pad's trigger, @delay frames into the next period: the slot's
 * retrigger policy and choke group apply, a looping slot starts at its
 * loop start, and with @exclusive every other voice fades out from that
 * frame on. */
FzTriggerResult fz_mixer_play (FzMixer *mixer, uint32_t slot, float velocity, uint32_t delay,
                               bool exclusive);
/* Fades out the voices of @slot (FZ_ALL_SLOTS: every voice). */
void            fz_mixer_stop (FzMixer *mixer, uint32_t slot);
/* The same from @offset frames into the next period on, for the voices
 * that have started by then. */
void            fz_mixer_stop_at (FzMixer *mixer, uint32_t slot, uint32_t offset);
void            fz_mixer_set_retrigger (FzMixer *mixer, uint32_t slot, FzRetrigger policy);
void            fz_mixer_set_group (FzMixer *mixer, uint32_t slot, uint32_t group);
/* Fades the voices of @slot out and holds them where they fell silent, or
 * fades them back in from there. */
void            fz_mixer_pause_slot (FzMixer *mixer, uint32_t slot, bool paused);
/* Crossfades the voices of @slot to @frame of their sample. */
void            fz_mixer_seek (FzMixer *mixer, uint32_t slot, size_t frame);
/* Ramps the gain of @slot (FZ_MASTER: the master's) to @gain. */
void            fz_mixer_set_gain (FzMixer *mixer, uint32_t slot, float gain);
/* Before the mixer runs: sets a gain at once, without a ramp. */
void            fz_mixer_preset_gain (FzMixer *mixer, uint32_t slot, float gain);
/* Voices of the slot's sample outside the new region crossfade to its
 * start. */
void            fz_mixer_set_loop (FzMixer *mixer, uint32_t slot, bool loop,
                                   size_t start, size_t end);
/* Where a voice of @slot's sample starts: its loop start when it loops. */
size_t          fz_mixer_start_frame (const FzMixer *mixer, uint32_t slot);
/* Adds @n floats of @in times @gain to @out with the mixer's kernel: the
 * metronome's click (fz-core.c) is mixed like a voice. */
void            fz_mixer_mix_into (const FzMixer *mixer, float *out, const float *in, size_t n,
                                   float gain);
/* The master's gain at frame @t of the mixer's clock. */
float           fz_mixer_master_at (const FzMixer *mixer, uint64_t t);
/* Overwrites @out with @frames interleaved frames of the mix. */
void            fz_mixer_render (FzMixer *mixer, float *out, size_t frames);
bool            fz_mixer_is_playing (const FzMixer *mixer, const FzSample *sample);
uint64_t        fz_mixer_get_voices_dropped (FzMixer *mixer);
/* Control thread: chooses the kernels (tests and benchmarks compare them);
 * false, changing nothing, when this CPU or build lacks them. */
bool            fz_mixer_set_path (FzMixer *mixer, FzMixPath path);
/* "scalar", "vec128" or "avx2". */
const char     *fz_mixer_get_path_name (const FzMixer *mixer);

/* Speed (fz-varispeed.c).  The engine's speed (@slot FZ_MASTER) or a
 * slot's, and tempo lock: from the next period on, each voice gliding to
 * its new ratio. */
void            fz_mixer_set_speed (FzMixer *mixer, uint32_t slot, double speed);
void            fz_mixer_set_tempo_lock (FzMixer *mixer, bool on);
/* The ratio a voice of @slot plays at (source frames an output frame)
 * under a transport whose clock step (fz-clock.h) is @tempo_step: the
 * engine's speed, the slot's, and with tempo lock the step times the
 * slot's frames per beat; held within FZ_VS_MIN_RATIO to FZ_VS_MAX_RATIO.
 * Resampled and stretched voices alike take it. */
double          fz_mixer_slot_ratio (const FzMixer *mixer, uint32_t slot, uint64_t tempo_step);
/* The one dispatch point of a voice's render (fz-mixer.c): once a period,
 * before its pieces, the voice's ratio and glide (true: it is resampled;
 * called while speed_any is set); then, for each piece of
 * a voice that is resampled, up to @frames frames of it into @out at
 * frame f's gain + step * (f + 1), wrapping from @end to @loop_start when
 * it @loops.  Returns the frames played: fewer when the sample ended. */
bool            fz_varispeed_update (FzMixer *mixer, FzVoice *voice);
size_t          fz_varispeed_play (FzMixer *mixer, FzVoice *voice, const float *data,
                                   size_t end, size_t loop_start, bool loops, float *out,
                                   size_t frames, float gain, float step);
