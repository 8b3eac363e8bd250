/* fz-stretch.h: key-locked and pitch-shifted voices, through a time-stretcher the core calls
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The core is plain C and links nothing; the time-stretcher (Rubber Band,
 * C++) is reached through FzStretchOps, a table of functions that the
 * control side fills (flitzis/fz-stretch-rubberband.c) with the stretchers
 * themselves, all created on a control thread before the audio thread
 * sees them: an FzStretchPool of FZ_STRETCH_VOICES stretchers with their
 * buffers, sized once.
 *
 * A stretched voice reads its sample at @rate frames per frame (the pitch
 * factor, times its speed when it is not key-locked), 4-point cubic
 * interpolation between frames (exact copies at a rate of 1), and feeds
 * that to its stretcher at a time ratio of rate / speed: its pitch is the
 * sample's times the pitch factor, its length the sample's over its speed.
 * The stretcher's own pitch scale stays 1, so that its resampler never
 * runs: Rubber Band 3.1.2's allocates each time its ratio changes, while
 * its R3 engine changes time ratios without allocating (measured by
 * tests/hardening/test-rtsan.c and test-realtime.c).
 *
 * Latency: when a stretched voice starts (and when it is moved by a seek),
 * its stretcher is reset, fed the stretcher's preferred start pad of
 * silence, and the first start-delay frames it returns are thrown away:
 * its first output frame is the sample's first frame, on the voice's
 * trigger frame.  That first period costs more (pad, delay and the
 * stretcher's look-ahead are processed in it; docs/keylock.md says how
 * much), unless the trigger waited for its frame: then a period before
 * it did that work (fz_keylock_prepare()).
 *
 * Everything below but the pool's set-up runs on the audio thread.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* At most this many voices are stretched at once; a trigger that needs a
 * stretcher when all are busy is dropped like one that finds every voice
 * busy (counted, and the dropped event says so). */
#define FZ_STRETCH_VOICES 16u
/* Input and output move through a stretcher at most this many frames a
 * call (its maximum process size). */
#define FZ_STRETCH_CHUNK 512u
/* A stretcher takes up to this many output frames ahead of its voice
 * (fz-keylock.c: its lead). */
#define FZ_STRETCH_AHEAD 512u

typedef struct FzStretcher FzStretcher;   /* the implementation's */

/* What the core asks of a stretcher; each call is real-time safe for a
 * time ratio that changes and a pitch scale that stays 1. */
typedef struct {
  void     (*reset) (FzStretcher *stretcher);
  void     (*set_time_ratio) (FzStretcher *stretcher, double ratio);
  uint32_t (*start_pad) (FzStretcher *stretcher);
  uint32_t (*start_delay) (FzStretcher *stretcher);
  uint32_t (*samples_required) (FzStretcher *stretcher);
  /* @in: one pointer per channel, @frames at most FZ_STRETCH_CHUNK. */
  void     (*process) (FzStretcher *stretcher, const float *const *in, uint32_t frames,
                       bool final);
  /* Frames ready, or -1 once everything after a final input is out. */
  int      (*available) (FzStretcher *stretcher);
  uint32_t (*retrieve) (FzStretcher *stretcher, float *const *out, uint32_t frames);
  /* Control thread, once no core uses it any more. */
  void     (*destroy) (FzStretcher *stretcher);
} FzStretchOps;

typedef struct FzVoiceStretch FzVoiceStretch;

/* One stretcher and what a voice keeps beside it. */
struct FzVoiceStretch {
  FzStretcher *stretcher;
  float *in[8];             /* planar, FZ_STRETCH_CHUNK frames each */
  float *out[8];
  float *mix;               /* interleaved, FZ_STRETCH_CHUNK frames */
  float *ahead;             /* interleaved, FZ_STRETCH_AHEAD frames: taken
                             * out of the stretcher ahead of the voice */
  uint32_t n_ahead;         /* frames in it, from its start */
  bool busy;
  bool primed;              /* reset, padded, and its delay counted */
  bool final;               /* the sample's last frame went in */
  bool drained;             /* and everything after it came out */
  uint32_t discard;         /* output frames still to throw away */
  uint32_t tail;            /* silent frames still to feed after the sample's end */
  double read;              /* the next source frame (fractional) */
  double heard;             /* the source frame its output has reached: its
                             * output frames times the speed, for the
                             * transport's sync (read runs ahead of it by
                             * the stretcher's delay) */
  size_t expected;          /* the voice's position as this left it */
  double ratio;             /* the time ratio set */
  /* Primed ahead for a trigger still to come (fz_keylock_prepare()), and
   * busy until that trigger's voice claims it or its frame has passed. */
  bool prepared;
  uint32_t prepared_slot;
  double prepared_rate;         /* the source frames a frame it was fed at */
  uint64_t prepared_frame;      /* the trigger's */
};

typedef struct FzStretchPool FzStretchPool;

struct FzStretchPool {
  const FzStretchOps *ops;
  uint32_t channels;        /* at most 8 */
  uint32_t n;
  FzVoiceStretch voices[FZ_STRETCH_VOICES];
};

/* Control thread: a pool's stretchers are all free again (a new core). */
void     fz_stretch_pool_release_all (FzStretchPool *pool);
