/* fz-varispeed.h: voices at another speed (varispeed, tempo lock)
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A voice plays at the engine's speed times its slot's speed times, with
 * tempo lock on and a slot tempo known, the transport's tempo over the
 * slot's.  While that product is exactly 1 and the voice sits on a whole
 * frame, the mixer plays it on its direct path, bit for bit
 * (fz-mixer.c); otherwise fz_varispeed_play() resamples it here, the one
 * dispatch point in the voice's render.
 *
 * ## Position
 *
 * A voice's position is its integer frame (FzVoice.position) and a 32-bit
 * fraction (FzVoiceSpeed.frac): 32.32 fixed point, advanced by an integer
 * increment per output frame.  No floating-point accumulation: the
 * position after n frames at increment i is exactly p + n * i, so a
 * tempo-locked loop stays on the transport's grid (the increment's
 * rounding is below 2^-32 frame a frame: 10^-4 frame an hour at 48 kHz).
 *
 * ## Glide
 *
 * A change of speed glides over FZ_VS_GLIDE_MS: the increment ramps to a
 * peak half as far beyond the new value in the first half, and back to the
 * new value in the second, so that the position at the glide's end is
 * where an instant change would have put it (within half the change of a
 * frame).  Locked loops therefore keep the grid through a tempo change.
 *
 * ## Interpolation
 *
 * A windowed sinc (FZ_VS_TAPS taps, Kaiser window, beta 7) in
 * FZ_VS_PHASES phases, the nearest taken (a time error below 1/2048
 * frame: some -75 dB at 5 kHz, measured; linear interpolation between
 * the phases measured some 5 dB better and cost 6 instructions more a
 * frame).  At speeds up to 1 its
 * cutoff is the source's Nyquist frequency (so that phase 0 is exactly a
 * unit impulse: a voice passes from the direct path to this one without a
 * step); above 1 it is 0.45 of the output's Nyquist frequency over the
 * speed, from a bank of tables for speeds up to 1.25, 1.6, 2, 2.5, 3.2, 4
 * and 8 (anti-aliasing): each block takes the table of the first speed at
 * or above its own.  Measured in tests/engine/test-speed.c and
 * docs/performance.md.
 *
 * Audio thread, but fz_varispeed_init() (control thread).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FZ_VS_TAPS 16u
#define FZ_VS_PHASES 1024u
#define FZ_VS_GLIDE_MS 10u
/* The output frames resampled in one go; as many as their taps need
 * copied into the scratch (across a loop's end, or past the sample's
 * edges), and the channels a voice can be resampled at (more play at
 * their own speed). */
#define FZ_VS_BLOCK 256u
#define FZ_VS_SCRATCH_BLOCK 64u
#define FZ_VS_MAX_CHANNELS 32u
/* The product of the speeds is held within these (tempo lock alone may
 * ask for 20 times). */
#define FZ_VS_MIN_RATIO 0.0625
#define FZ_VS_MAX_RATIO 8.0
/* The source frames a block copied into the scratch may read: its
 * increments at the highest ratio, the taps on either side, and a frame
 * of rounding. */
#define FZ_VS_SCRATCH_FRAMES (FZ_VS_SCRATCH_BLOCK * 8u + FZ_VS_TAPS + 2u)

/* One voice's speed state (in FzVoice; zero: a voice never resampled). */
typedef struct {
  uint64_t inc;             /* source frames per output frame, 32.32; 0: unity, unset */
  uint64_t target;          /* where the glide goes */
  uint64_t peak;            /* the glide's turning point */
  int64_t dinc;             /* per output frame, during the glide */
  uint32_t frac;            /* the position's fraction, 2^-32 frame */
  uint32_t left;            /* output frames left in the glide's half */
  uint8_t half;             /* 0: settled, 1: towards the peak, 2: towards the target */
  bool active;              /* resampled: not on the direct path */
  bool started;             /* it has rendered a period: a change glides */
} FzVoiceSpeed;

/* Control thread: builds the tables, once per process. */
void   fz_varispeed_init (void);
/* The ratio as the 32.32 increment, rounded to nearest. */
uint64_t fz_varispeed_increment (double ratio);

/* The kernels: @n frames of @channels interleaved into @out, frame f at
 * gain + step * (f + 1), from @src whose frame 0 is the first frame the
 * first output's taps read (the output frame's position is
 * FZ_VS_TAPS / 2 - 1 frames in, plus @acc's fraction); *@acc and *@inc
 * advance by the frames' increments (@dinc each, during a glide).  The
 * scalar one is the reference; the vector ones (mono and stereo) must
 * come within float rounding of it (tests/core/test-varispeed.c). */
typedef void (*FzVsKernel) (float *out, const float *src, uint32_t channels, size_t n,
                            uint64_t *acc, uint64_t *inc, int64_t dinc, uint32_t band,
                            float gain, float step);
typedef enum {
  FZ_VS_PATH_SCALAR,
  FZ_VS_PATH_VEC128,
  FZ_VS_PATH_AVX2,
} FzVsPath;
/* NULL when this CPU or build lacks it. */
FzVsKernel fz_varispeed_kernel (FzVsPath path);
/* The table band for a block whose largest increment is @inc. */
uint32_t fz_varispeed_band (uint64_t inc);
