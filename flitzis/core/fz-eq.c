/* fz-eq.c: the 3-band isolator of each slot, see fz-eq.h
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * One pair of channels, x0 and x1, goes through four biquad sections of
 * four lanes, one frame at a time (a recursive filter cannot run ahead in
 * time, so the lanes hold the pair twice, not four frames):
 *
 *   u  = [x0, x1, x0, x1]
 *   s0, s1 (lanes 0-1: Butterworth low-pass at 250 Hz, twice; lanes 2-3:
 *     high-pass) give [low, rest]: the Linkwitz-Riley split of the input;
 *   s2 on [rest, rest] (lanes 0-1: low-pass at 4 kHz; lanes 2-3: the
 *     allpass that the 4 kHz crossover adds up to) gives [lp, all];
 *   s3 on [lp, low] (lanes 0-1: the second low-pass; lanes 2-3: the same
 *     allpass) gives [mid, low'];
 *
 * and high = all - mid (the crossover's two halves add up to its allpass),
 * so the output  gl low' + gm mid + gh high  is  a . v4 + b . v3  with
 * a = [gm - gh, gl], b = [0, gh] (per half): two multiplications more than
 * the sections, and d . u for the dry part while it crossfades.  Sixteen
 * vector operations of the sections' 36 are the price of the four lanes.
 */

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fz-eq.h"

typedef float FzEqHalf __attribute__ ((vector_size (8)));

/* ---- design: control thread ---- */

typedef struct {
  double b0, b1, b2, a1, a2;
} Coefficients;

/* The bilinear transform of a 2nd-order Butterworth section (Q = 1/√2)
 * at @hz: kind 0 low-pass, 1 high-pass, 2 the allpass whose numerator is
 * its denominator reversed (what the low-pass squared and the high-pass
 * squared add up to). */
/* tan (π @f) for 0 ≤ @f ≤ FZ_EQ_MAX_FRACTION, without libm, which the
 * core never calls (tests/layout/test-core-symbols.sh): the half-angle
 * formula over the series of sin and cos at x = π f / 2 ≤ 0.71, whose
 * twelfth terms are below a double's precision. */
static double
tan_pi (double f)
{
  double x = M_PI * f / 2.0, x2 = x * x;
  double sin_x = x, cos_x = 1.0, term_sin = x, term_cos = 1.0, t;

  for (int n = 1; n < 12; n++)
    {
      term_sin *= -x2 / ((2.0 * n) * (2.0 * n + 1.0));
      term_cos *= -x2 / ((2.0 * n - 1.0) * (2.0 * n));
      sin_x += term_sin;
      cos_x += term_cos;
    }
  t = sin_x / cos_x;
  return 2.0 * t / (1.0 - t * t);
}

static Coefficients
design (double hz, uint32_t sample_rate, int kind)
{
  double f = hz / sample_rate < FZ_EQ_MAX_FRACTION ? hz / sample_rate : FZ_EQ_MAX_FRACTION;
  double k = tan_pi (f), q = M_SQRT1_2;
  double norm = 1.0 / (1.0 + k / q + k * k);
  Coefficients c = {
    .a1 = 2.0 * (k * k - 1.0) * norm,
    .a2 = (1.0 - k / q + k * k) * norm,
  };

  if (kind == 0)
    {
      c.b0 = k * k * norm;
      c.b1 = 2.0 * c.b0;
      c.b2 = c.b0;
    }
  else if (kind == 1)
    {
      c.b0 = norm;
      c.b1 = -2.0 * norm;
      c.b2 = norm;
    }
  else
    {
      c.b0 = c.a2;
      c.b1 = c.a1;
      c.b2 = 1.0;
    }
  return c;
}

/* Lanes 0-1 from @lo, lanes 2-3 from @hi. */
static FzEqSection
lanes (Coefficients lo, Coefficients hi)
{
#define PAIR(field) (FzEqVec) { (float) lo.field, (float) lo.field, (float) hi.field, (float) hi.field }
  return (FzEqSection) { PAIR (b0), PAIR (b1), PAIR (b2), PAIR (a1), PAIR (a2) };
#undef PAIR
}

static FzEqMix
mix_for (float low, float mid, float high)
{
  float a = mid - high;

  return (FzEqMix) {
    .a = { a, a, low, low },
    .b = { 0.0f, 0.0f, high, high },
    .d = { 0.0f, 0.0f, 0.0f, 0.0f },
  };
}

static const FzEqMix dry = { .d = { 1.0f, 1.0f, 0.0f, 0.0f } };

static bool
is_flat (const FzEqSlot *eq)
{
  return eq->low == 1.0f && eq->mid == 1.0f && eq->high == 1.0f;
}

/* What @eq's mix glides to (kept as its gains, not as a third mix: 48
 * bytes a slot less). */
static FzEqMix
target_of (const FzEqSlot *eq)
{
  return is_flat (eq) ? dry : mix_for (eq->low, eq->mid, eq->high);
}

bool
fz_eq_init (FzEqBank *bank, uint32_t sample_rate, uint32_t channels, uint32_t n_slots)
{
  Coefficients lp_low = design (FZ_EQ_LOW_HZ, sample_rate, 0);
  Coefficients hp_low = design (FZ_EQ_LOW_HZ, sample_rate, 1);
  Coefficients lp_high = design (FZ_EQ_HIGH_HZ, sample_rate, 0);
  Coefficients ap_high = design (FZ_EQ_HIGH_HZ, sample_rate, 2);

  memset (bank, 0, sizeof *bank);
  bank->section[0] = lanes (lp_low, hp_low);
  bank->section[1] = lanes (lp_low, hp_low);
  bank->section[2] = lanes (lp_high, ap_high);
  bank->section[3] = lanes (lp_high, ap_high);
  bank->channels = channels;
  bank->pairs = (channels + 1) / 2;
  bank->n_slots = n_slots;
#if defined(__x86_64__) || defined(__i386__)
  __builtin_cpu_init ();
  bank->avx = __builtin_cpu_supports ("avx");
#endif
  /* calloc: 16-byte aligned, as the vectors want, on every 64-bit libc. */
  bank->slots = calloc (n_slots, sizeof (FzEqSlot));
  bank->memory = calloc ((size_t) n_slots * bank->pairs * FZ_EQ_SECTIONS, sizeof (FzEqMemory));
  bank->live = calloc (n_slots, sizeof (uint32_t));
  bank->bus = calloc ((size_t) FZ_EQ_BLOCK * channels, sizeof (float));
  if (bank->slots == NULL || bank->memory == NULL || bank->live == NULL || bank->bus == NULL)
    {
      fz_eq_clear (bank);
      return false;
    }
  for (uint32_t i = 0; i < n_slots; i++)
    bank->slots[i] = (FzEqSlot) {
      .now = dry, .low = 1.0f, .mid = 1.0f, .high = 1.0f,
      .memory = bank->memory + (size_t) i * bank->pairs * FZ_EQ_SECTIONS,
    };
  return true;
}

void
fz_eq_clear (FzEqBank *bank)
{
  free (bank->slots);
  free (bank->memory);
  free (bank->live);
  free (bank->bus);
  memset (bank, 0, sizeof *bank);
}

/* ---- audio thread from here on ---- */

static void
go_live (FzMixer *mixer, uint32_t slot)
{
  FzEqBank *bank = mixer->eq;
  FzEqSlot *eq = &bank->slots[slot];

  memset (eq->memory, 0, (size_t) bank->pairs * FZ_EQ_SECTIONS * sizeof (FzEqMemory));
  eq->now = dry;
  eq->live = true;
  bank->live[bank->n_live++] = slot;
  mixer->slots[slot].eq = eq;
}

static void
glide (FzEqSlot *eq, FzEqMix target, uint32_t frames)
{
  float n = (float) frames;

  eq->left = frames;
  eq->step = (FzEqMix) {
    (target.a - eq->now.a) / n, (target.b - eq->now.b) / n, (target.d - eq->now.d) / n,
  };
}

void
fz_eq_set (FzMixer *mixer, uint32_t slot, float low, float mid, float high)
{
  FzEqSlot *eq;

  if (mixer->eq == NULL || slot >= mixer->eq->n_slots)
    return;
  eq = &mixer->eq->slots[slot];
  if (low == eq->low && mid == eq->mid && high == eq->high)
    return;
  eq->low = low;
  eq->mid = mid;
  eq->high = high;
  if (!eq->live)
    {
      if (is_flat (eq))
        return;
      go_live (mixer, slot);
    }
  glide (eq, target_of (eq), mixer->ramp_frames);
}

void
fz_eq_force (FzMixer *mixer, uint32_t slot, float low, float mid, float high)
{
  FzEqSlot *eq = &mixer->eq->slots[slot];

  if (!eq->live)
    go_live (mixer, slot);
  eq->low = low;
  eq->mid = mid;
  eq->high = high;
  eq->now = mix_for (low, mid, high);
  eq->left = 0;
}

/* Transposed direct form II, four lanes at once. */
static inline __attribute__ ((always_inline)) FzEqVec
section (const FzEqSection *s, FzEqVec *z1, FzEqVec *z2, FzEqVec x)
{
  FzEqVec y = s->b0 * x + *z1;

  *z1 = s->b1 * x - s->a1 * y + *z2;
  *z2 = s->b2 * x - s->a2 * y;
  return y;
}

/* How a pair's frames are mixed: the glide moving, settled, or settled
 * without the dry part (the isolator's steady state). */
typedef enum { GLIDING, SETTLED, WET } Mode;

/* @frames frames of the pair of channels at @bus (@stride floats a frame;
 * @second: whether the pair has its second channel), with the mix at
 * @mix, moving by @step each frame while GLIDING.  Inlined into one copy
 * for each case, so that a settled mix costs no additions for its glide
 * and the steady state no multiplication for a dry part of 0. */
static inline __attribute__ ((always_inline)) void
run_pair (const FzEqSection *restrict s, FzEqMemory *restrict memory, float *restrict bus,
          size_t frames, uint32_t stride, bool second, FzEqMix *mix, const FzEqMix *step,
          Mode mode)
{
  FzEqVec z1a = memory[0].z1, z2a = memory[0].z2, z1b = memory[1].z1, z2b = memory[1].z2;
  FzEqVec z1c = memory[2].z1, z2c = memory[2].z2, z1d = memory[3].z1, z2d = memory[3].z2;
  FzEqVec a = mix->a, b = mix->b, d = mix->d;

  for (size_t f = 0; f < frames; f++, bus += stride)
    {
      FzEqHalf x = { bus[0], second ? bus[1] : 0.0f };
      FzEqVec u = __builtin_shufflevector (x, x, 0, 1, 0, 1);
      FzEqVec v = section (&s[0], &z1a, &z2a, u);
      FzEqVec v3, v4, acc;

      v = section (&s[1], &z1b, &z2b, v);
      v3 = section (&s[2], &z1c, &z2c, __builtin_shufflevector (v, v, 2, 3, 2, 3));
      v4 = section (&s[3], &z1d, &z2d, __builtin_shufflevector (v3, v, 0, 1, 4, 5));
      if (mode == GLIDING)
        {
          a += step->a;
          b += step->b;
          d += step->d;
        }
      acc = a * v4 + b * v3;
      if (mode != WET)
        acc += d * u;
      acc += __builtin_shufflevector (acc, acc, 2, 3, 0, 1);
      bus[0] = acc[0];
      if (second)
        bus[1] = acc[1];
    }
  memory[0] = (FzEqMemory) { z1a, z2a };
  memory[1] = (FzEqMemory) { z1b, z2b };
  memory[2] = (FzEqMemory) { z1c, z2c };
  memory[3] = (FzEqMemory) { z1d, z2d };
  *mix = (FzEqMix) { a, b, d };
}

/* Every pair through @frames frames at the mix @eq has now, moving by its
 * step while GLIDING; the mix they end at.  Built twice: for SSE2 (the
 * x86-64 baseline, two-operand instructions) and, where the CPU has it,
 * for AVX's three operands, which spare the copies of the coefficients
 * that SSE2 needs (78 instructions a stereo frame, against 52). */
#define RUN_FRAMES(name, target)                                                          \
  target static FzEqMix                                                                   \
  name (const FzEqBank *bank, FzEqSlot *eq, float *bus, size_t frames, Mode mode)        \
  {                                                                                       \
    FzEqMix end = eq->now;                                                                \
                                                                                          \
    for (uint32_t p = 0; p < bank->pairs; p++)                                            \
      {                                                                                   \
        FzEqMix mix = eq->now;                                                            \
        FzEqMemory *memory = eq->memory + (size_t) p * FZ_EQ_SECTIONS;                    \
        float *first = bus + 2 * p;                                                       \
        uint32_t stride = bank->channels;                                                 \
                                                                                          \
        if (2 * p + 1 >= bank->channels)                                                  \
          run_pair (bank->section, memory, first, frames, stride, false, &mix, &eq->step, \
                    GLIDING);                                                             \
        else if (mode == GLIDING)                                                         \
          run_pair (bank->section, memory, first, frames, stride, true, &mix, &eq->step,  \
                    GLIDING);                                                             \
        else if (mode == SETTLED)                                                         \
          run_pair (bank->section, memory, first, frames, stride, true, &mix, &eq->step,  \
                    SETTLED);                                                             \
        else                                                                              \
          run_pair (bank->section, memory, first, frames, stride, true, &mix, &eq->step,  \
                    WET);                                                                 \
        end = mix;                                                                        \
      }                                                                                   \
    return end;                                                                           \
  }

RUN_FRAMES (run_frames_sse2, )
#if defined(__x86_64__) || defined(__i386__)
RUN_FRAMES (run_frames_avx, __attribute__ ((target ("avx"))))
#endif

/* The odd channel's pair runs GLIDING whatever the mode: its step is 0
 * once settled, and a mono stream is rare. */
static FzEqMix
run_frames (const FzEqBank *bank, FzEqSlot *eq, float *bus, size_t frames, Mode mode)
{
#if defined(__x86_64__) || defined(__i386__)
  if (bank->avx)
    return run_frames_avx (bank, eq, bus, frames, mode);
#endif
  return run_frames_sse2 (bank, eq, bus, frames, mode);
}

void
fz_eq_run (FzEqBank *bank, FzEqSlot *eq, float *bus, size_t frames)
{
  size_t glided = eq->left < frames ? eq->left : frames;

  if (glided > 0)
    {
      eq->now = run_frames (bank, eq, bus, glided, GLIDING);
      eq->left -= (uint32_t) glided;
      /* The glide ends on its target exactly, whatever the roundings. */
      if (eq->left == 0)
        eq->now = target_of (eq);
    }
  if (frames > glided)
    run_frames (bank, eq, bus + glided * bank->channels, frames - glided,
                eq->now.d[0] == 0.0f && eq->now.d[1] == 0.0f ? WET : SETTLED);
}

/* Below this, a filter's memory is taken for rest (some 300 dB under
 * full scale): a tail decaying that far is zeroed, not computed. */
#define AT_REST 1e-15f

bool
fz_eq_skip (FzEqSlot *eq, uint32_t pairs, size_t frames)
{
  const float *m = (const float *) eq->memory;
  size_t n = (size_t) pairs * FZ_EQ_SECTIONS * sizeof (FzEqMemory) / sizeof (float);

  for (size_t i = 0; i < n; i++)
    if (m[i] > AT_REST || m[i] < -AT_REST)
      return false;
  memset (eq->memory, 0, n * sizeof (float));
  if (eq->left > frames)
    {
      float k = (float) frames;

      eq->now = (FzEqMix) { eq->now.a + eq->step.a * k, eq->now.b + eq->step.b * k,
                            eq->now.d + eq->step.d * k };
      eq->left -= (uint32_t) frames;
    }
  else
    {
      eq->now = target_of (eq);
      eq->left = 0;
    }
  return true;
}

void
fz_eq_retire (FzMixer *mixer)
{
  FzEqBank *bank = mixer->eq;

  for (uint32_t i = 0; i < bank->n_live;)
    {
      uint32_t slot = bank->live[i];
      FzEqSlot *eq = &bank->slots[slot];
      if (!is_flat (eq) || eq->left > 0)
        {
          i++;
          continue;
        }
      eq->live = false;
      mixer->slots[slot].eq = NULL;
      bank->live[i] = bank->live[--bank->n_live];
    }
}
