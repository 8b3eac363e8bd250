/* fz-eq.h: the 3-band isolator of each slot, on the slot's bus
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A DJ isolator: the slot's sound is split at FZ_EQ_LOW_HZ and
 * FZ_EQ_HIGH_HZ by Linkwitz-Riley crossovers of the 8th order (a
 * Butterworth filter of the 4th order twice: four biquad sections a side,
 * made by the bilinear transform; 48 dB an octave), and each band has its
 * own gain.  The low band also passes the allpass that the high crossover
 * makes of the rest, so that the three bands at 0 dB add up to an
 * allpass: the magnitude of the input, at any frequency.
 *
 * Why the 8th order, not the 4th: a killed band must take its tones
 * (100 Hz, 1 kHz, 10 kHz) down by 50 dB, and what is left of them is the
 * other bands' skirts.  At the 4th order (24 dB an octave) they leave
 * 32.1, 42.6 and 36.7 dB, whatever the implementation; at the 8th, 63.7,
 * 91.1 and 73.1 dB (48 kHz).
 *
 * Per slot, not per voice: while a slot's isolator is live, its voices are
 * summed into a bus (without the master volume), the bus goes through the
 * isolator once, is measured by the meters, and is mixed into the output
 * at the master's gain (fz-mixer.c's render_buses(), in blocks of
 * FZ_EQ_BLOCK frames).  A slot whose isolator is flat and settled has no
 * bus: its voices mix straight into the output as if there were no
 * isolator, bit for bit, and it costs nothing per sample.  So FzSlot.eq
 * is NULL unless the slot's isolator is live.
 *
 * A change glides over the mixer's ramp (FZ_RAMP_MS): the isolator's
 * three mix vectors move linearly, frame by frame, to their new values.
 * Going from flat to anything else, the filters start from rest and the
 * output crossfades from the dry bus to the filtered one over the same
 * ramp; going back to flat, it crossfades back to the dry bus, and only
 * then is the slot's bus given up (the filtered sound is the dry one
 * shifted in phase: a sudden switch between them would click).
 *
 * The filters' coefficients depend only on the sample rate: fz_eq_init()
 * designs them on the control thread.  The gains come through the
 * parameter cells (fz-params.h) as linear factors; everything that runs on
 * the audio thread is additions and multiplications of floats, on vectors
 * of eight (AVX) or four (SSE2, the x86-64 baseline; GCC's and clang's
 * vector extensions), and allocates nothing.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fz-mixer.h"

#define FZ_EQ_LOW_HZ 250.0
#define FZ_EQ_HIGH_HZ 4000.0
/* A crossover is never put above this fraction of the sample rate (at
 * very low rates, offline: the bilinear transform needs it below half). */
#define FZ_EQ_MAX_FRACTION 0.45
/* The frames of a slot's bus: a period longer than this is filtered in
 * blocks of it. */
#define FZ_EQ_BLOCK 256u

/* Eight lanes: a pair of channels four times over, the two crossovers
 * side by side (see fz-eq.c).  Aligned as four lanes are: calloc()'s
 * 16 bytes suffice (AVX loads need no alignment, SSE2 ones 16). */
typedef float FzEqVec __attribute__ ((vector_size (32), aligned (16)));
/* Four lanes: the mix's. */
typedef float FzEqVec4 __attribute__ ((vector_size (16)));

/* One biquad section per lane, transposed direct form II. */
typedef struct {
  FzEqVec b0, b1, b2, a1, a2;
} FzEqSection;

/* A section's memory, for one pair of channels. */
typedef struct {
  FzEqVec z1, z2;
} FzEqMemory;

#define FZ_EQ_SECTIONS 4u

/* What the output is made of (fz-eq.c): y = a . v3 + b . v1 + d . u,
 * lane 0 + lane 2 for a pair's first channel, lane 1 + lane 3 for its
 * second. */
typedef struct {
  FzEqVec4 a, b, d;
} FzEqMix;

/* One slot's isolator (128 bytes, and 256 for each pair of channels'
 * memories).  The gains are the last ones the audio thread took from the
 * parameter cells; the mix glides to what they make. */
struct FzEqSlot {
  FzEqMix now;
  FzEqMix step;
  uint32_t left;                   /* frames of the glide still to go */
  bool live;                       /* its slot's bus runs (FzSlot.eq set) */
  float low, mid, high;            /* linear gains, 1.0: flat */
  FzEqMemory *memory;              /* its pairs' memories, in FzEqBank.memory */
};

struct FzEqBank {
  FzEqSection section[FZ_EQ_SECTIONS];
  uint32_t channels;
  uint32_t pairs;                  /* (channels + 1) / 2 */
  uint32_t n_slots;
  bool avx;                        /* the filters' AVX build runs (fz-eq.c) */
  FzEqSlot *slots;                 /* n_slots */
  FzEqMemory *memory;              /* n_slots * pairs * FZ_EQ_SECTIONS */
  uint32_t *live;                  /* the live slots, n_live of them, any order */
  uint32_t n_live;
  float *bus;                      /* FZ_EQ_BLOCK * channels floats */
};

/* Control thread, before the audio thread runs: the filters for
 * @sample_rate, and every slot's state (flat) and the bus; false when
 * memory is short (nothing is left to free).  The coefficients are the
 * only place the core uses libm. */
bool  fz_eq_init (FzEqBank *bank, uint32_t sample_rate, uint32_t channels, uint32_t n_slots);
void  fz_eq_clear (FzEqBank *bank);

/* Audio thread (from the parameter cells): slot @slot's isolator glides
 * to the linear gains @low, @mid, @high over @mixer's ramp.  The same
 * gains again change nothing. */
void  fz_eq_set (FzMixer *mixer, uint32_t slot, float low, float mid, float high);

/* Audio thread: filters @frames (up to FZ_EQ_BLOCK) frames of @eq's bus
 * in place. */
void  fz_eq_run (FzEqBank *bank, FzEqSlot *eq, float *bus, size_t frames);
/* Audio thread: @frames frames in which the slot's bus held silence and
 * its filters were at rest: the glide goes on, nothing is computed.
 * False when the filters were not at rest (fz_eq_run() must run). */
bool  fz_eq_skip (FzEqSlot *eq, uint32_t pairs, size_t frames);
/* Audio thread, after a period: the slots whose isolator glided back to
 * flat give up their bus. */
void  fz_eq_retire (FzMixer *mixer);

/* Tests only: slot @slot's isolator runs at @low, @mid, @high, flat or
 * not, and at once (no glide): the filters from rest. */
void  fz_eq_force (FzMixer *mixer, uint32_t slot, float low, float mid, float high);
