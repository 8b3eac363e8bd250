/* fz-core.h: the engine's real-time core: two rings, a mixer, a schedule, retirement
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * fz_core_process() is the whole audio callback: it runs on the audio thread
 * (or, offline, on whichever single thread renders) and does no allocation,
 * no free, no locking and no system call.  Everything else here runs on a
 * control thread: the command ring's producer and the reply ring's consumer
 * must each be one thread at a time (callers serialise them).
 */
#pragma once

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fz-meter.h"
#include "fz-midi-in.h"
#include "fz-clock.h"
#include "fz-eq.h"
#include "fz-mixer.h"
#include "fz-params.h"
#include "fz-ring.h"

/* Replaced samples that may still be playing wait here until no voice uses
 * them and the reply ring has room to hand them back.  A replacement that
 * would overflow this list waits in the command ring instead (admission
 * control): commands are delayed, never dropped. */
#define FZ_RETIRE_CAPACITY 64u
/* Triggers waiting for their frame (FZ_CMD_PLAY_AT, and quantized plays
 * and stops); one more trigger is dropped, counted with the voices
 * dropped, and one more stop takes effect at once. */
#define FZ_SCHEDULE_CAPACITY 1024u

/* The audio callback's render path is nonblocking: clang's RealtimeSanitizer
 * (-fsanitize=realtime, `make check-realtime`) then aborts on any
 * allocation, free, lock, system call or I/O made while it runs.  Other
 * compilers ignore the annotation. */
#if defined(__has_feature)
# if __has_feature(realtime_sanitizer)
#  define FZ_NONBLOCKING __attribute__((nonblocking))
# endif
#endif
#ifndef FZ_NONBLOCKING
# define FZ_NONBLOCKING
#endif

/* fz_core_process() flags. */
#define FZ_PROCESS_UNDERRUN 1u   /* the device or server reported an xrun before this period */
#define FZ_PROCESS_OWN_UNDERRUN 2u  /* the engine's own stream underran: its period came late */

typedef enum {
  FZ_SCHEDULED_PLAY,
  FZ_SCHEDULED_STOP,            /* a quantized stop */
} FzScheduledKind;

typedef struct {
  uint64_t frame;
  uint32_t slot;
  float gain;
  bool exclusive;
  uint8_t kind;                 /* FzScheduledKind */
} FzScheduled;

/* The metronome's two sounds, made by the control side before the stream
 * starts (fz_core_alloc_clicks()): interleaved at the stream's channels. */
typedef struct {
  float *data;
  size_t frames;
} FzClick;

/* The clock's segment as the audio thread last published it, for readers
 * on other threads: a sequence lock whose writer never waits (the count is
 * odd while it writes; a reader that saw it change reads again). */
typedef struct {
  atomic_uint sequence;
  atomic_uint_fast64_t anchor_frame;
  atomic_uint_fast64_t anchor_beats;
  atomic_uint_fast64_t anchor_frac;
  atomic_uint_fast64_t step;
  atomic_uint beats_per_bar;
} FzTempoCell;

typedef struct {
  FzRing *commands;                /* control → audio */
  FzRing *replies;                 /* audio → control */
  FzMixer mixer;
  FzMeter meter;                   /* levels and playheads, and their ring */
  FzParams params;                 /* control → audio, latest value wins (fz-params.h) */
  FzEqBank eq;                     /* the slots' isolators (fz-eq.h) */
  FzSample *retiring[FZ_RETIRE_CAPACITY];
  uint32_t n_retiring;
  FzScheduled scheduled[FZ_SCHEDULE_CAPACITY];   /* in the order queued */
  uint32_t n_scheduled;
  uint32_t sample_rate;
  bool paused;                     /* audio thread only */
  uint64_t period_start;           /* audio thread only: frame time of this period */
  /* The musical clock (audio thread only once the stream runs). */
  FzTempo tempo;
  bool metronome;
  bool report_beats;
  /* The first beat not yet reached, and its frame: found once per beat,
   * not once per period (fz_clock_frame_of() divides); false once the
   * segment changes. */
  bool next_beat_known;
  int64_t next_beat;
  uint64_t next_beat_frame;
  float metronome_gain;
  FzClick clicks[2];               /* [0]: a bar's first beat, [1]: the others */
  const FzClick *click;            /* sounding into the next period, or NULL */
  size_t click_position;
  FzTempoCell published;
  FzMidiIn midi;                   /* MIDI input and its map (fz-midi-in.h) */
  /* Written by the audio thread only (relaxed single-writer stores). */
  atomic_uint_fast64_t frame_time;       /* frames rendered so far */
  atomic_uint_fast64_t pongs_dropped;    /* pongs lost to a full reply ring */
  atomic_uint_fast64_t events_dropped;   /* voice events and xruns lost likewise */
  atomic_uint_fast64_t xruns;            /* xruns the device or server reported */
  atomic_uint_fast64_t underruns;        /* of these, the engine's own stream's */
  atomic_uint busy;                      /* voices playing + triggers waiting */
  /* The thread that ran the last period (thrd_current(), 0 before the
   * first): the control side asks the kernel for its scheduling policy. */
  atomic_uintptr_t audio_thread;
} FzCore;

/* Control thread: FZ_MAX_SLOTS slots and FZ_MAX_VOICES voices. */
FzCore  *fz_core_new (uint32_t sample_rate, uint32_t channels);
/* Control thread: @slots (1 to FZ_SLOTS_LIMIT) and @voices (1 to
 * FZ_VOICES_LIMIT); the tables are allocated here, never on the audio
 * thread.  NULL when memory is short or a size is out of range. */
FzCore  *fz_core_new_sized (uint32_t sample_rate, uint32_t channels, uint32_t slots,
                            uint32_t voices);
/* Control thread, once the audio thread has stopped for good: releases every
 * reference still held by the core or travelling in either ring. */
void     fz_core_free (FzCore *core);
/* Control thread, before the stream starts: the clock's first segment, and
 * room for the metronome's clicks of @frames frames each (zeroed, for the
 * caller to fill; false when memory is short). */
void     fz_core_init_clock (FzCore *core, const FzTempo *tempo);
bool     fz_core_alloc_clicks (FzCore *core, size_t frames);
/* Control thread, before @core runs and once @old has stopped for good:
 * @core takes over @old's slots, as when a lost device stream is opened
 * again (reconnect).  Each slot's sample reference moves to @core with the
 * slot's settings (its gain, settled at the value it was ramping to; loop
 * and region; retrigger policy; choke group; pause; tempo and downbeat),
 * parameters set for @old and not yet taken included.  The commands still
 * queued to @old that set something (loads, loops, gains, policies,
 * groups, pad pauses) move to @core's ring, in order, to be carried out in
 * its first period; triggers, stops, seeks, pings and the engine's pause
 * were meant for @old's voices and clock and are released.  Returns the
 * triggers (FZ_CMD_PLAY, FZ_CMD_PLAY_AT) released so, for the caller to
 * count.  Slots beyond the smaller table stay as they are. */
uint32_t fz_core_adopt (FzCore *core, FzCore *old);
/* Control thread: false at once when the command ring is full. */
bool     fz_core_send (FzCore *core, const FzMsg *command);
/* Control thread: false when no reply is pending. */
bool     fz_core_receive (FzCore *core, FzMsg *reply);

/* Audio thread: carry out pending commands, start the triggers due in this
 * period, render @frames frames of interleaved float32 into @out, then hand
 * back retired samples.  @flags: FZ_PROCESS_*. */
void     fz_core_process (FzCore *core, float *out, size_t frames, unsigned flags) FZ_NONBLOCKING;

/* Inside the core (fz-transport.c, for fz-core.c): the clock's commands
 * (true: consumed), and its part of a period, after the mix (beats,
 * metronome).  And a reply from the audio thread; a full ring drops it,
 * counted. */
bool     fz_transport_apply (FzCore *core, const FzMsg *command) FZ_NONBLOCKING;
void     fz_transport_run (FzCore *core, float *out, size_t frames) FZ_NONBLOCKING;
void     fz_core_reply (FzCore *core, FzReplyType type, uint32_t slot, uint64_t frame,
                        uint64_t seq) FZ_NONBLOCKING;

/* ---- MIDI (fz-midi-in.c) ---- */

/* Control thread: @map (taken; NULL: none) replaces the map the audio
 * thread uses, from its next period on; the map that one replaced, once
 * the audio thread has let it go, is freed here.  Never waits. */
void     fz_core_set_midi_map (FzCore *core, FzMidiMap *map);
/* Any thread: the grid (FzGrid) that note triggers and gates snap to. */
void     fz_core_set_midi_grid (FzCore *core, uint32_t grid);
/* The audio thread, in a back-end's callback before fz_core_process():
 * @length bytes of MIDI that sound at stream frame @frame (the frame time
 * of the period about to be rendered plus the event's offset in it). */
void     fz_core_midi_input (FzCore *core, const uint8_t *bytes, size_t length,
                             uint64_t frame) FZ_NONBLOCKING;
uint64_t fz_core_get_midi_errors (FzCore *core);
uint64_t fz_core_get_midi_dropped (FzCore *core);
/* Inside the core: FZ_CMD_MIDI; the inbox's events due in this period
 * (after the commands); a trigger at @frame (the schedule's; true unless
 * the schedule was full); the slot's voices stopped at @frame. */
void     fz_midi_in_inject (FzCore *core, const FzMsg *command) FZ_NONBLOCKING;
void     fz_midi_in_run (FzCore *core, size_t frames) FZ_NONBLOCKING;
void     fz_core_schedule_play (FzCore *core, uint32_t slot, float gain,
                                uint64_t frame) FZ_NONBLOCKING;
void     fz_core_stop_from (FzCore *core, uint32_t slot, uint64_t frame) FZ_NONBLOCKING;
void     fz_midi_in_clear (FzCore *core);

/* Tests only; the library never sets it.  When set, the audio thread calls
 * it at the start of every fz_core_process(), inside the real-time path:
 * tests use it to stall a period (an xrun, on demand) and, as the
 * sanitizer's negative control, to make the callback allocate. */
typedef void (*FzCoreTestHook) (FzCore *core, size_t frames);
void     fz_core_set_test_hook (FzCoreTestHook hook);

/* Any thread. */
uint64_t fz_core_get_frame_time (FzCore *core);
uint64_t fz_core_get_pongs_dropped (FzCore *core);
uint64_t fz_core_get_events_dropped (FzCore *core);
uint64_t fz_core_get_voices_dropped (FzCore *core);
uint64_t fz_core_get_xruns (FzCore *core);
uint64_t fz_core_get_levels_dropped (FzCore *core);
/* The clock's segment as last published by the audio thread. */
void     fz_core_read_tempo (FzCore *core, FzTempo *tempo);
uint64_t fz_core_get_underruns (FzCore *core);
/* The thread that ran the last period, as a thrd_t (pthread_t), or 0. */
uintptr_t fz_core_get_audio_thread (FzCore *core);
/* Whether voices play or triggers wait: replies may come without a command. */
bool     fz_core_is_busy (FzCore *core);
