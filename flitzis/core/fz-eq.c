/* fz-eq.c: the 3-band isolator of each slot, see fz-eq.h
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * One pair of channels, x0 and x1, goes through four biquad sections of
 * eight lanes.  The crossover at 4 kHz works on what the one at 250 Hz
 * gives, and a recursive filter cannot run ahead in time; so the two run
 * side by side a frame apart: in the loop's step for frame n, lanes 4-7
 * (the front) split frame n at 250 Hz while lanes 0-3 (the back) take
 * frame n - 1's split on through 4 kHz:
 *
 *   front, [x0, x1, x0, x1]: lanes 4-5 the Butterworth low-pass of the 4th
 *     order (sections a and b) twice, lanes 6-7 the high-pass: the
 *     Linkwitz-Riley split [low, rest] of frame n;
 *   back, [rest, rest] of frame n - 1: s0, s1 give lanes 0-1 the allpass
 *     that the 4 kHz crossover adds up to (all), lanes 2-3 its first
 *     low-pass (lp); then lanes 0-1 take frame n - 1's low instead, and
 *     s2, s3 give lanes 0-1 the same allpass of it (low'), lanes 2-3 the
 *     second low-pass of lp (mid);
 *
 * and high = all - mid (the crossover's two halves add up to its allpass),
 * so the output  gl low' + gm mid + gh high  is  a . v3 + b . v1  with
 * a = [gl, gm - gh], b = [gh, 0] (per pair, on the back's lanes): two
 * multiplications more than the sections, and d . u for the dry part
 * while it crossfades.  A block starts with a step of the front alone and
 * ends with one of the back alone, so its output is the frames' own, with
 * no delay: the arithmetic of each lane is what it would be one section
 * after the other, bit for bit.  Eight lanes are one AVX register: the
 * eight sections of an 8th-order isolator cost what the four of the 4th
 * order cost in four lanes.  Without AVX, run_pair_narrow() takes each
 * frame through the front's sections and then the back's, in registers of
 * four lanes: the same bits, at twice the cost.
 */

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fz-eq.h"

/* The eight-lane helpers below are all inlined: no vector of 32 bytes
 * crosses a call, so the ABI warnings about them (SSE2 and AVX pass them
 * differently) do not apply. */
#pragma GCC diagnostic ignored "-Wpsabi"

typedef float FzEqHalf __attribute__ ((vector_size (8)));
typedef double FzEqVecD __attribute__ ((vector_size (32), aligned (16)));

/* ---- design: control thread ---- */

typedef struct {
  double b0, b1, b2, a1, a2;
} Coefficients;

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

/* The Q of the Butterworth filter of the 4th order's two sections:
 * 1 / (2 cos (π/8)) and 1 / (2 cos (3π/8)). */
static const double butterworth4_q[2] = { 0.54119610014619698, 1.30656296487637653 };

/* The bilinear transform of a 2nd-order section of Q @q at @hz: kind 0
 * low-pass, 1 high-pass, 2 the allpass whose numerator is its denominator
 * reversed (the low-pass of the 4th order squared and the high-pass
 * squared add up to the two sections' allpasses in a row). */
static Coefficients
design (double hz, uint32_t sample_rate, int kind, double q)
{
  double f = hz / sample_rate < FZ_EQ_MAX_FRACTION ? hz / sample_rate : FZ_EQ_MAX_FRACTION;
  double k = tan_pi (f);
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

/* Lanes 0-1, 2-3, 4-5 and 6-7 from @c[0] to @c[3]. */
static FzEqSection
lanes (const Coefficients c[4])
{
#define LANES(field)                                                                \
  (FzEqVec) { (float) c[0].field, (float) c[0].field, (float) c[1].field,          \
              (float) c[1].field, (float) c[2].field, (float) c[2].field,          \
              (float) c[3].field, (float) c[3].field }
  return (FzEqSection) { LANES (b0), LANES (b1), LANES (b2), LANES (a1), LANES (a2) };
#undef LANES
}

static FzEqMix
mix_for (float low, float mid, float high)
{
  float a = mid - high;

  return (FzEqMix) {
    .a = { low, low, a, a },
    .b = { high, high, 0.0f, 0.0f },
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
  memset (bank, 0, sizeof *bank);
  /* Sections a, b, a, b of each lane's filter (fz-eq.c's top). */
  for (uint32_t s = 0; s < FZ_EQ_SECTIONS; s++)
    {
      double q = butterworth4_q[s % 2];
      Coefficients c[4] = {
        design (FZ_EQ_HIGH_HZ, sample_rate, 2, q),
        design (FZ_EQ_HIGH_HZ, sample_rate, 0, q),
        design (FZ_EQ_LOW_HZ, sample_rate, 0, q),
        design (FZ_EQ_LOW_HZ, sample_rate, 1, q),
      };

      bank->section[s] = lanes (c);
    }
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

/* The frame at @bus as [x0, x1] four times (@second: whether the pair
 * has its second channel).  A pair's two floats are loaded as one double
 * and broadcast: one instruction (vbroadcastsd); a vector of the two
 * floats, shuffled, took eight. */
static inline __attribute__ ((always_inline)) FzEqVec
load_pair (const float *bus, bool second)
{
  FzEqHalf x = { bus[0], 0.0f };
  double both;

  if (!second)
    return __builtin_shufflevector (x, x, 0, 1, 0, 1, 0, 1, 0, 1);
  memcpy (&both, bus, sizeof both);
  return (FzEqVec) (FzEqVecD) { both, both, both, both };
}

/* The back half (lanes 0-3) or the front half (4-7) of @v. */
#define BACK_OF(v) __builtin_shufflevector (v, v, 0, 1, 2, 3)
#define FRONT_OF(v) __builtin_shufflevector (v, v, 4, 5, 6, 7)

/* The half @front (false: the back, true: the front) of the vector at @v,
 * read or written in memory (memcpy: one 16-byte load or store). */
static inline __attribute__ ((always_inline)) FzEqVec4
get_half (const FzEqVec *v, bool front)
{
  FzEqVec4 h;

  memcpy (&h, (const char *) v + (front ? sizeof h : 0), sizeof h);
  return h;
}

static inline __attribute__ ((always_inline)) void
set_half (FzEqVec *v, bool front, FzEqVec4 h)
{
  memcpy ((char *) v + (front ? sizeof h : 0), &h, sizeof h);
}

/* One section on one half of the lanes, in its memory @m (the other
 * half's left as it was): the operations of section(), on four lanes,
 * so the same bits.  A block's first and last steps (run_pair()). */
static inline __attribute__ ((always_inline)) FzEqVec4
half_section (const FzEqSection *s, FzEqMemory *m, FzEqVec4 x, bool front)
{
  FzEqVec4 y = get_half (&s->b0, front) * x + get_half (&m->z1, front);

  set_half (&m->z1, front,
            get_half (&s->b1, front) * x - get_half (&s->a1, front) * y + get_half (&m->z2, front));
  set_half (&m->z2, front, get_half (&s->b2, front) * x - get_half (&s->a2, front) * y);
  return y;
}

/* One step through the four sections of the memories @z: @in's back half
 * [rest, rest] of the frame before, its front half the frame's [x, x];
 * @front, the front's last output twice, gives the back its low band
 * after s1.  Returns the output of s3, and that of s1 in @all. */
static inline __attribute__ ((always_inline)) FzEqVec
step (const FzEqSection *restrict s, FzEqVec z[8], FzEqVec in, FzEqVec front, FzEqVec *all)
{
  FzEqVec v = section (&s[0], &z[0], &z[1], in);

  v = section (&s[1], &z[2], &z[3], v);
  *all = v;
  v = __builtin_shufflevector (v, front, 8, 9, 2, 3, 4, 5, 6, 7);
  v = section (&s[2], &z[4], &z[5], v);
  return section (&s[3], &z[6], &z[7], v);
}

/* The output of the frame whose back half @v (after s3) and @all (after
 * s1) hold, @u its input, into @bus, with the mix at @mix, moved on by
 * @step first while GLIDING. */
static inline __attribute__ ((always_inline)) void
put_frame (float *bus, bool second, FzEqVec4 v, FzEqVec4 all, FzEqVec4 u, FzEqMix *mix,
           const FzEqMix *step_by, Mode mode)
{
  FzEqVec4 acc;

  if (mode == GLIDING)
    {
      mix->a += step_by->a;
      mix->b += step_by->b;
      mix->d += step_by->d;
    }
  acc = mix->a * v + mix->b * all;
  if (mode != WET)
    acc += mix->d * u;
  acc += __builtin_shufflevector (acc, acc, 2, 3, 0, 1);
  bus[0] = acc[0];
  if (second)
    bus[1] = acc[1];
}

/* The front's output [low, rest] (lanes 4-7 of @v) twice over. */
#define FRONT_TWICE(v) __builtin_shufflevector (v, v, 4, 5, 6, 7, 4, 5, 6, 7)
/* The back's input: [rest, rest] of @front (FRONT_TWICE), and @x. */
#define BACK_AND(front, x) __builtin_shufflevector (front, x, 2, 3, 2, 3, 12, 13, 14, 15)

/* @frames (at least 1) frames of the pair of channels at @bus (@stride
 * floats a frame; @second: whether the pair has its second channel), with
 * the mix at @mix, moving by @step_by each frame while GLIDING.  Inlined
 * into one copy for each case, so that a settled mix costs no additions
 * for its glide and the steady state no multiplication for a dry part of
 * 0. */
static inline __attribute__ ((always_inline)) void
run_pair (const FzEqSection *restrict s, FzEqMemory *restrict memory, float *restrict bus,
          size_t frames, uint32_t stride, bool second, FzEqMix *mix, const FzEqMix *step_by,
          Mode mode)
{
  FzEqMix m = *mix;
  FzEqVec u = load_pair (bus, second), all, v, front;
  FzEqVec4 w = FRONT_OF (u), low, w_all;
  FzEqVec z[8];

  /* Frame 0 through the front alone: the back has no frame before it. */
  w = half_section (&s[0], &memory[0], w, true);
  w = half_section (&s[1], &memory[1], w, true);
  w = half_section (&s[2], &memory[2], w, true);
  w = half_section (&s[3], &memory[3], w, true);
  front = __builtin_shufflevector (w, w, 0, 1, 2, 3, 0, 1, 2, 3);
  /* Written out, not a loop: so the memories stay in registers. */
  z[0] = memory[0].z1, z[1] = memory[0].z2, z[2] = memory[1].z1, z[3] = memory[1].z2;
  z[4] = memory[2].z1, z[5] = memory[2].z2, z[6] = memory[3].z1, z[7] = memory[3].z2;
  for (const float *last = bus + (frames - 1) * stride; bus != last; bus += stride)
    {
      FzEqVec x = load_pair (bus + stride, second);

      v = step (s, z, BACK_AND (front, x), front, &all);
      front = FRONT_TWICE (v);
      put_frame (bus, second, BACK_OF (v), BACK_OF (all), BACK_OF (u), &m, step_by, mode);
      u = x;
    }
  memory[0] = (FzEqMemory) { z[0], z[1] }, memory[1] = (FzEqMemory) { z[2], z[3] };
  memory[2] = (FzEqMemory) { z[4], z[5] }, memory[3] = (FzEqMemory) { z[6], z[7] };
  /* The last frame through the back alone. */
  low = BACK_OF (front);
  w = __builtin_shufflevector (low, low, 2, 3, 2, 3);
  w = half_section (&s[0], &memory[0], w, false);
  w_all = half_section (&s[1], &memory[1], w, false);
  w = __builtin_shufflevector (w_all, low, 4, 5, 2, 3);
  w = half_section (&s[2], &memory[2], w, false);
  w = half_section (&s[3], &memory[3], w, false);
  put_frame (bus, second, w, w_all, BACK_OF (u), &m, step_by, mode);
  *mix = m;
}

/* One section on four lanes of memories @z1, @z2 held apart, the half
 * @front of @s's coefficients: the operations of section(), so the same
 * bits. */
static inline __attribute__ ((always_inline)) FzEqVec4
narrow_section (const FzEqSection *s, bool front, FzEqVec4 *z1, FzEqVec4 *z2, FzEqVec4 x)
{
  FzEqVec4 y = get_half (&s->b0, front) * x + *z1;

  *z1 = get_half (&s->b1, front) * x - get_half (&s->a1, front) * y + *z2;
  *z2 = get_half (&s->b2, front) * x - get_half (&s->a2, front) * y;
  return y;
}

/* What run_pair() does, for registers of four lanes (SSE2, the x86-64
 * baseline; NEON): a frame goes through the front's four sections, then
 * the back's, on the halves of the same coefficients and memories.  Each
 * lane does the operations it does in run_pair(), so the output is the
 * same to the bit; it costs twice the sections' instructions.  (run_pair()
 * built for SSE2 splits every eight-lane operation in two and its
 * shuffles through memory: 104 Ir per output sample in the isolator's
 * benchmark.) */
static inline __attribute__ ((always_inline)) void
run_pair_narrow (const FzEqSection *restrict s, FzEqMemory *restrict memory,
                 float *restrict bus, size_t frames, uint32_t stride, bool second, FzEqMix *mix,
                 const FzEqMix *step_by, Mode mode)
{
  FzEqMix m = *mix;
  FzEqVec4 f[8], b[8];

  for (int i = 0; i < 4; i++)
    {
      f[2 * i] = get_half (&memory[i].z1, true), f[2 * i + 1] = get_half (&memory[i].z2, true);
      b[2 * i] = get_half (&memory[i].z1, false), b[2 * i + 1] = get_half (&memory[i].z2, false);
    }
  for (size_t n = 0; n < frames; n++, bus += stride)
    {
      FzEqHalf x = { bus[0], second ? bus[1] : 0.0f };
      FzEqVec4 u = __builtin_shufflevector (x, x, 0, 1, 0, 1), split, w, all;

      split = narrow_section (&s[0], true, &f[0], &f[1], u);
      split = narrow_section (&s[1], true, &f[2], &f[3], split);
      split = narrow_section (&s[2], true, &f[4], &f[5], split);
      split = narrow_section (&s[3], true, &f[6], &f[7], split);
      w = __builtin_shufflevector (split, split, 2, 3, 2, 3);
      w = narrow_section (&s[0], false, &b[0], &b[1], w);
      all = narrow_section (&s[1], false, &b[2], &b[3], w);
      w = __builtin_shufflevector (all, split, 4, 5, 2, 3);
      w = narrow_section (&s[2], false, &b[4], &b[5], w);
      w = narrow_section (&s[3], false, &b[6], &b[7], w);
      put_frame (bus, second, w, all, u, &m, step_by, mode);
    }
  for (int i = 0; i < 4; i++)
    {
      set_half (&memory[i].z1, true, f[2 * i]), set_half (&memory[i].z2, true, f[2 * i + 1]);
      set_half (&memory[i].z1, false, b[2 * i]), set_half (&memory[i].z2, false, b[2 * i + 1]);
    }
  *mix = m;
}

/* Every pair through @frames frames at the mix @eq has now, moving by its
 * step while GLIDING, with @run_pair; the mix they end at.  Built twice:
 * for SSE2 (the x86-64 baseline) with run_pair_narrow(), and, where the
 * CPU has it, for AVX's eight lanes with run_pair() (51 instructions a
 * stereo frame in its loop). */
#define RUN_FRAMES(name, target, run_pair)                                                \
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

RUN_FRAMES (run_frames_sse2, , run_pair_narrow)
#if defined(__x86_64__) || defined(__i386__)
RUN_FRAMES (run_frames_avx, __attribute__ ((target ("avx"))), run_pair)
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
