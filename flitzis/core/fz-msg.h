/* fz-msg.h: the fixed-size messages that cross between control and audio threads
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <stdalign.h>
#include <stdint.h>

typedef struct FzSample FzSample;

/* The slot value of commands that address every slot or the master bus. */
#define FZ_ALL_SLOTS UINT32_MAX
#define FZ_MASTER UINT32_MAX

/* Commands, control → audio (command ring).  Only the core reads them.
 * The engine sets gains, loops, policies and groups through the parameter
 * cells (fz-params.h), latest value wins; the ordered FZ_CMD_SET_* forms
 * stay for the core's direct callers (tests, benchmarks). */
typedef enum {
  FZ_CMD_PING = 1,     /* seq */
  FZ_CMD_LOAD,         /* slot, sample (NULL: unload): one reference moves to the audio thread */
  FZ_CMD_PLAY,         /* slot, gain, flag (exclusive), start (FzGrid): starts at the period's
                        * first frame, or at the first grid frame from there on */
  FZ_CMD_PLAY_AT,      /* slot, gain, frame, flag (exclusive): starts at that frame of the stream */
  FZ_CMD_PAUSE,        /* silence from now on; voices stay where they are */
  FZ_CMD_RESUME,       /* voices go on from where they paused */
  FZ_CMD_STOP,         /* slot or FZ_ALL_SLOTS, start (FzGrid): voices fade out, pending
                        * triggers are cancelled (at the first grid frame from the period's
                        * first on: those waiting for it or later) */
  FZ_CMD_SET_LOOP,     /* slot, flag (on), start, end (0: sample end) */
  FZ_CMD_SET_GAIN,     /* slot or FZ_MASTER, gain: reached after a short ramp */
  FZ_CMD_SET_RETRIGGER, /* slot, flag (FzRetrigger) */
  FZ_CMD_SET_GROUP,    /* slot, flag (choke group, 0: none) */
  FZ_CMD_PAUSE_SLOT,   /* slot, flag (1: pause, 0: resume) */
  FZ_CMD_SEEK,         /* slot, start (the frame to go on from) */
  FZ_CMD_SET_METER,    /* start: the meters' rate in Hz, 0: off (fz-meter.h) */
  FZ_CMD_SET_TEMPO,    /* start (the step, fz-clock.h): from the period's first frame on */
  FZ_CMD_SET_BEATS_PER_BAR, /* flag */
  FZ_CMD_SET_DOWNBEAT, /* frame: position 0 (bar 1 beat 1) */
  FZ_CMD_SET_METRONOME, /* flag (on), gain (its volume) */
  FZ_CMD_REPORT_BEATS, /* flag (on) */
  FZ_CMD_SET_SLOT_TEMPO, /* slot, start (the bits of a double: BPM, 0 for unknown) */
  FZ_CMD_SET_SLOT_DOWNBEAT, /* slot, start (the sample frame of its first downbeat) */
  FZ_CMD_SYNC,         /* slot, seq (echoed in FZ_REPLY_SYNCED): the clock follows its voice */
  FZ_CMD_MIDI,         /* flag (bytes, 1 to 16) in seq then start, little end first; frame (when
                        * they sound; one that has passed: the period's first) */
  FZ_CMD_SET_KEY_LOCK, /* slot, flag (FZ_KEY_LOCK_*): fz-keylock.h */
  FZ_CMD_SET_PITCH,    /* slot, start (the bits of a double: the pitch factor, 1: none) */
  FZ_CMD_SET_KEY_LOCK_DEFAULT, /* flag: the key-lock property, for slots not set */
  FZ_CMD_SET_STRETCH_POOL, /* start (an FzStretchPool *, borrowed): the stretchers (fz-stretch.h) */
} FzCmdType;

/* Replies, audio → control (reply ring); frame is when it happened.
 *
 * Every reply but FZ_REPLY_RETIRE is an event that the control side hands
 * on as a FlitzisMessage, unchanged: each event's value is its
 * FlitzisMessageKind's (checked where they meet, in
 * flitzis-audio-engine-replies.c), so a new event kind is a new value here,
 * its producer in fz-core.c, the public kind and its row in the replies
 * file's signal table, and nothing else. */
typedef enum {
  FZ_REPLY_PONG = 1,   /* seq, frame */
  FZ_REPLY_STARTED,    /* slot, frame: a voice's first frame */
  FZ_REPLY_FINISHED,   /* slot, frame: the frame after a voice's last one */
  FZ_REPLY_DROPPED,    /* slot, frame: a trigger found every voice busy */
  FZ_REPLY_LATE,       /* slot, frame (when it started), seq (frames late) */
  FZ_REPLY_XRUN,       /* seq (xruns so far), frame */
  /* 7 is FLITZIS_MESSAGE_KIND_STREAM_ERROR, which the control side makes. */
  FZ_REPLY_BEAT = 8,   /* frame (of the beat), seq (bar, from 1), slot (beat in the bar, from 1) */
  /* 9 is the control side's reconnected (FLITZIS_MESSAGE_KIND_RECONNECTED). */
  FZ_REPLY_UNDERRUN = 10, /* seq (the engine's own underruns so far), frame */
  FZ_REPLY_MIDI = 11,  /* slot (channel, 1 to 16), frame, seq (type << 24 | number << 16 | value) */
  /* Not events: control-side bookkeeping, kept apart from the kinds. */
  FZ_REPLY_RETIRE = 64, /* sample: the reference comes back, to be released */
  FZ_REPLY_SYNCED,     /* frame (the downbeat frame), start (the bits of the tempo set, a
                        * double; 0 when it stayed), seq (FZ_CMD_SYNC's) */
} FzReplyType;

/* One message, under a cache line.  Plain data: copying it by value is
 * the only way it crosses threads. */
typedef struct {
  /* 16-byte aligned and padded to 64: a copy is four 16-byte moves, not
   * seven 8-byte ones, and each ring slot is one cache line. */
  alignas (16) uint32_t type;       /* FzCmdType or FzReplyType */
  uint32_t slot;
  uint64_t seq;
  uint64_t frame;      /* replies: when it happened; FZ_CMD_PLAY_AT: when to start */
  FzSample *sample;
  float gain;          /* a trigger's velocity, or a gain to ramp to */
  uint32_t flag;
  uint64_t start;
  uint64_t end;
  /* Owned by the ring (fz-ring.h), never copied with the message: the
   * position the message was pushed at, plus one, written after the rest
   * of it.  Meaningless outside a ring slot. */
  uint64_t ring_stamp;
} FzMsg;
