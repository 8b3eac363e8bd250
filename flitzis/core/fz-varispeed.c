/* fz-varispeed.c: voices at another speed, see fz-varispeed.h
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The tables are built once, on the control thread, by fz_varispeed_init()
 * (fz_mixer_init_tables() calls it), with the arithmetic below: the core
 * calls no libm function (tests/layout/test-core-symbols.sh).  Everything
 * after them runs on the audio thread: no allocation, no lock, no system
 * call.
 */

#include <stdint.h>
#include <string.h>
#include <threads.h>

#include "fz-meter.h"
#include "fz-mixer.h"
#include "fz-mixer-path.h"
#include "fz-varispeed.h"

#define HALF (FZ_VS_TAPS / 2u)
#define N_BANDS 8u
#define ONE (UINT64_C (1) << 32)
#define PHASE_SHIFT 22u                    /* 32 - log2 (FZ_VS_PHASES) */
#define KAISER_BETA 7.0

/* The speeds each table is made for: a block takes the first at or above
 * its own. */
static const double band_ratio[N_BANDS] = { 1.0, 1.25, 1.6, 2.0, 2.5, 3.2, 4.0, 8.0 };
static uint64_t band_limit[N_BANDS];

/* Tap k of phase p (p / FZ_VS_PHASES of a frame past the tap before the
 * centre; row FZ_VS_PHASES is the next frame's phase 0, for a fraction
 * that rounds up), and the same taps each twice for interleaved stereo.
 * 32-byte aligned for the vector kernels' loads.  1.5 MiB in all, built
 * once per process. */
static float tab_m[N_BANDS][FZ_VS_PHASES + 1][FZ_VS_TAPS] __attribute__ ((aligned (32)));
static float tab_s[N_BANDS][FZ_VS_PHASES + 1][2 * FZ_VS_TAPS] __attribute__ ((aligned (32)));

/* ---- the tables (control thread) ---- */

#define PI 3.14159265358979323846

/* sin (pi x), by its series on [-1/2, 1/2] after reduction. */
static double
sin_pi (double x)
{
  double z, z2, term, sum;

  x -= 2.0 * (double) (int64_t) (x / 2.0);      /* (-2, 2) */
  if (x > 1.0)
    x -= 2.0;
  else if (x < -1.0)
    x += 2.0;
  if (x > 0.5)
    x = 1.0 - x;
  else if (x < -0.5)
    x = -1.0 - x;
  z = PI * x;
  z2 = z * z;
  term = z;
  sum = z;
  for (int k = 1; k < 12; k++)
    {
      term *= -z2 / (double) ((2 * k) * (2 * k + 1));
      sum += term;
    }
  return sum;
}

/* Newton's method from max (u, 1), 60 steps, stopped once the steps
 * repeat themselves (a fixed point, or two neighbours in turn: then the
 * 60th step's is the one of the same parity): the same bits as all 60, in
 * some 7. */
static double
square_root (double u)
{
  double x = u > 1.0 ? u : 1.0, before = -1.0;

  if (u <= 0.0)
    return 0.0;
  for (int i = 0; i < 60; i++)
    {
      double next = 0.5 * (x + u / x);

      if (next == x)
        return x;
      if (next == before)
        return (61 - i) % 2 == 0 ? before : x;
      before = x;
      x = next;
    }
  return x;
}

/* The modified Bessel function of the first kind, order 0, by its series
 * to the 60th term: stopped once a term no longer moves the sum and the
 * terms shrink from there on (every later one moves it no more), the same
 * bits. */
static double
bessel_i0 (double x)
{
  double term = 1.0, sum = 1.0, h = x / 2.0;

  for (int k = 1; k < 60; k++)
    {
      term *= (h / (double) k) * (h / (double) k);
      if (sum + term == sum && (double) k > h)
        break;
      sum += term;
    }
  return sum;
}

/* The Kaiser window's Bessel function at @t frames from the centre, on a
 * support of +-HALF frames (0 outside it, where it is at least 1): the
 * same for every band, so worked out once a tap and phase (with the
 * window's scale once a process, it was nine tenths of 234 million
 * instructions when every band's every tap worked them out again). */
static double
window_at (double t)
{
  double u = t / (double) HALF;

  if (u <= -1.0 || u >= 1.0)
    return 0.0;
  return bessel_i0 (KAISER_BETA * square_root (1.0 - u * u));
}

/* The windowed sinc of cutoff @fc (cycles per source frame) at @t frames
 * from its centre, window_at() @window there, the window's scale
 * @i0_beta. */
static double
kernel_at (double t, double fc, double window, double i0_beta)
{
  double x = 2.0 * fc * t, sinc;

  if (window == 0.0)
    return 0.0;
  if (x == 0.0)
    sinc = 1.0;
  else if (x == (double) (int64_t) x)
    sinc = 0.0;                         /* exactly: phase 0 of band 0 is an impulse */
  else
    sinc = sin_pi (x) / (PI * x);
  return 2.0 * fc * sinc * window / i0_beta;
}

/* Phase @mu (0 to 1) of band @band, its taps summing to 1 (no gain that
 * moves with the phase), from the phase's window values @window. */
static void
make_row (double row[FZ_VS_TAPS], uint32_t band, double mu, const double window[FZ_VS_TAPS],
          double i0_beta)
{
  double fc = band == 0 ? 0.5 : 0.45 / band_ratio[band], sum = 0.0;

  for (uint32_t k = 0; k < FZ_VS_TAPS; k++)
    {
      row[k] = kernel_at ((double) k - (double) (HALF - 1) - mu, fc, window[k], i0_beta);
      sum += row[k];
    }
  for (uint32_t k = 0; k < FZ_VS_TAPS; k++)
    row[k] /= sum;
}

static void
build_tables (void)
{
  const double i0_beta = bessel_i0 (KAISER_BETA);

  for (uint32_t b = 0; b < N_BANDS; b++)
    band_limit[b] = (uint64_t) (band_ratio[b] * (double) ONE);
  for (uint32_t p = 0; p <= FZ_VS_PHASES; p++)
    {
      double mu = (double) p / FZ_VS_PHASES, window[FZ_VS_TAPS];

      for (uint32_t k = 0; k < FZ_VS_TAPS; k++)
        window[k] = window_at ((double) k - (double) (HALF - 1) - mu);
      for (uint32_t b = 0; b < N_BANDS; b++)
        {
          double row[FZ_VS_TAPS];

          make_row (row, b, mu, window, i0_beta);
          for (uint32_t k = 0; k < FZ_VS_TAPS; k++)
            tab_m[b][p][k] = tab_s[b][p][2 * k] = tab_s[b][p][2 * k + 1] = (float) row[k];
        }
    }
}

static once_flag tables_once = ONCE_FLAG_INIT;

void
fz_varispeed_init (void)
{
  call_once (&tables_once, build_tables);
}

uint64_t
fz_varispeed_increment (double ratio)
{
  return (uint64_t) (ratio * (double) ONE + 0.5);
}

uint32_t
fz_varispeed_band (uint64_t inc)
{
  uint32_t b = 0;

  while (b + 1 < N_BANDS && inc > band_limit[b])
    b++;
  return b;
}

/* ---- the kernels (audio thread) ---- */

/* The kernels round a position to the nearest phase by keeping it half
 * a phase on (ROUND) while they run: the phase is then the fraction's top
 * bits, and a fraction that rounds up to the next frame is that frame's
 * phase 0, which is the same taps. */
#define ROUND (UINT64_C (1) << (PHASE_SHIFT - 1))

/* A row's offset in bytes from the table's is the phase times the row's
 * size: the position (ROUND in) shifted right by ROW_SHIFT, masked with
 * ROW_BITS (the stereo kernels, fz-varispeed-kernels.h). */
#define ROW_SHIFT (PHASE_SHIFT - 7u)
#define ROW_BITS ((uint64_t) (FZ_VS_PHASES - 1u) << 7)
_Static_assert (sizeof tab_s[0][0] == 1u << 7, "a stereo row is 128 bytes");

static inline uint32_t
phase_of (uint64_t acc)
{
  return (uint32_t) acc >> PHASE_SHIFT;
}

/* The reference: plain C, any channel count. */
static void
kernel_scalar (float *out, const float *src, uint32_t channels, size_t n, uint64_t *acc_p,
               uint64_t *inc_p, int64_t dinc, uint32_t band, float gain, float step)
{
  uint64_t acc = *acc_p + ROUND, inc = *inc_p;

  for (size_t f = 0; f < n; f++)
    {
      const float *a = tab_m[band][phase_of (acc)];
      const float *s = src + (size_t) (acc >> 32) * channels;
      float g = gain + step * (float) (int64_t) (f + 1);

      for (uint32_t c = 0; c < channels; c++)
        {
          float y = 0.0f;

          for (uint32_t k = 0; k < FZ_VS_TAPS; k++)
            y += a[k] * s[k * channels + c];
          out[f * channels + c] += y * g;
        }
      inc += (uint64_t) dinc;
      acc += inc;
    }
  *acc_p = acc - ROUND;
  *inc_p = inc;
}

#define KERNEL(name) name##_vec128
#define KERNEL_TARGET
#include "fz-varispeed-kernels.h"
#undef KERNEL
#undef KERNEL_TARGET

#if defined(__x86_64__) || defined(__i386__)
#define HAVE_AVX2_VS 1
#define KERNEL(name) name##_avx2
#define KERNEL_TARGET __attribute__ ((target ("avx2")))
#include "fz-varispeed-kernels.h"
#undef KERNEL
#undef KERNEL_TARGET
#endif

FzVsKernel
fz_varispeed_kernel (FzVsPath path)
{
  switch (path)
    {
    case FZ_VS_PATH_SCALAR:
      return kernel_scalar;
    case FZ_VS_PATH_VEC128:
      return kernel_vec128;
    case FZ_VS_PATH_AVX2:
#ifdef HAVE_AVX2_VS
      __builtin_cpu_init ();
      if (__builtin_cpu_supports ("avx2"))
        return kernel_avx2;
#endif
      return NULL;
    default:
      return NULL;
    }
}

/* The kernel that goes with the mixer's (the same choice: scalar, vec128,
 * avx2), found again only when the mixer's changes. */
static FzVsKernel
kernel_for (FzMixer *mixer)
{
  const char *name;

  if (mixer->vs_for == mixer->kernels && mixer->vs_kernel != NULL)
    return mixer->vs_kernel;
  name = fz_mixer_get_path_name (mixer);
  mixer->vs_kernel = strcmp (name, "scalar") == 0 ? kernel_scalar
                     : strcmp (name, "avx2") == 0 ? fz_varispeed_kernel (FZ_VS_PATH_AVX2)
                                                  : kernel_vec128;
  if (mixer->vs_kernel == NULL)
    mixer->vs_kernel = kernel_vec128;
  mixer->vs_for = mixer->kernels;
  return mixer->vs_kernel;
}

/* ---- the speeds ---- */

/* Whether any voice may be off unity (fz-mixer.h's speed_any).  When that becomes so, the voices
 * playing have played at 1 so far: they glide to their speed, while a
 * voice triggered from now on starts at its own (FzVoiceSpeed.started;
 * marked here, not each period by every voice). */
static void
count_speed_any (FzMixer *mixer)
{
  bool any = mixer->speed != 1.0 || mixer->tempo_lock;

  for (uint32_t i = 0; !any && i < mixer->n_slots; i++)
    any = mixer->slots[i].speed != 1.0;
  if (any && !mixer->speed_any)
    for (uint32_t i = 0; i < mixer->n_voices; i++)
      mixer->voices[i].speed.started = true;
  mixer->speed_any = any;
}

void
fz_mixer_set_speed (FzMixer *mixer, uint32_t slot, double speed)
{
  fz_mixer_touch (mixer);
  if (slot == FZ_MASTER)
    mixer->speed = speed;
  else if (slot < mixer->n_slots)
    mixer->slots[slot].speed = speed;
  count_speed_any (mixer);
}

void
fz_mixer_set_tempo_lock (FzMixer *mixer, bool on)
{
  fz_mixer_touch (mixer);
  mixer->tempo_lock = on;
  count_speed_any (mixer);
}

double
fz_mixer_slot_ratio (const FzMixer *mixer, uint32_t slot, uint64_t tempo_step)
{
  const FzSlot *s = &mixer->slots[slot];
  double ratio = mixer->speed * s->speed;

  /* The transport's beats per frame (exactly the clock's step) times the
   * slot's frames per beat. */
  if (mixer->tempo_lock && s->tempo > 0.0 && tempo_step != 0)
    ratio *= (double) tempo_step * (1.0 / 18446744073709551616.0) *
             (60.0 * (double) mixer->sample_rate / s->tempo);
  return ratio < FZ_VS_MIN_RATIO ? FZ_VS_MIN_RATIO
         : ratio > FZ_VS_MAX_RATIO ? FZ_VS_MAX_RATIO : ratio;
}

/* The ratio @voice plays at now (1 beyond the resampler's channels). */
static double
voice_ratio (const FzMixer *mixer, const FzVoice *voice)
{
  if (mixer->channels > FZ_VS_MAX_CHANNELS)
    return 1.0;
  return fz_mixer_slot_ratio (mixer, voice->slot, mixer->tempo_step);
}

static uint64_t
clamp_inc (int64_t inc)
{
  int64_t lo = (int64_t) (FZ_VS_MIN_RATIO * (double) ONE);
  int64_t hi = (int64_t) (FZ_VS_MAX_RATIO * (double) ONE);

  return (uint64_t) (inc < lo ? lo : inc > hi ? hi : inc);
}

/* From the increment now to @target, through the peak (fz-varispeed.h). */
static void
start_glide (const FzMixer *mixer, FzVoiceSpeed *vs, uint64_t target)
{
  uint32_t half = mixer->sample_rate * FZ_VS_GLIDE_MS / 2000u;
  int64_t from = (int64_t) vs->inc, to = (int64_t) target;

  vs->target = target;
  if (half == 0)
    {
      vs->inc = target;
      vs->half = 0;
      return;
    }
  vs->peak = clamp_inc (to + (to - from) / 2);
  vs->dinc = ((int64_t) vs->peak - from) / (int64_t) half;
  vs->left = half;
  vs->half = 1;
}

bool
fz_varispeed_update (FzMixer *mixer, FzVoice *voice)
{
  FzVoiceSpeed *vs = &voice->speed;
  double ratio = voice_ratio (mixer, voice);
  uint64_t target = ratio == 1.0 ? ONE : fz_varispeed_increment (ratio);

  if (!vs->started)
    {
      /* Its first period: it starts at its speed. */
      vs->started = true;
      if (vs->inc == 0)
        vs->inc = vs->target = target;
    }
  else if (vs->inc == 0)
    vs->inc = vs->target = ONE;       /* on unity so far: it glides from there */
  if (target != vs->target)
    start_glide (mixer, vs, target);
  vs->active = !(vs->half == 0 && vs->inc == ONE && vs->frac == 0);
  return vs->active;
}

/* ---- playing ---- */

/* Source frame @j for a block's taps: wrapped into the loop, or silence
 * outside the sample. */
static const float *
source_frame (const float *data, int64_t j, size_t end, size_t loop_start, bool loops,
              uint32_t channels, const float *zeros)
{
  if (loops)
    {
      int64_t length = (int64_t) (end - loop_start), k = (j - (int64_t) loop_start) % length;

      return data + (size_t) ((int64_t) loop_start + (k < 0 ? k + length : k)) * channels;
    }
  if (j < 0 || j >= (int64_t) end)
    return zeros;
  return data + (size_t) j * channels;
}

/* How far n frames move the position from its fraction: each frame's
 * increment, @dinc more than the one before. */
static uint64_t
advance (uint64_t inc, int64_t dinc, size_t n)
{
  return (uint64_t) n * inc + (uint64_t) (dinc * (int64_t) (n * (n + 1) / 2));
}

/* The source frames @n output frames from @acc read, from their first
 * frame's first tap to their last frame's last (one frame on if its phase
 * rounds up). */
static size_t
reach_of (uint64_t acc, uint64_t inc, int64_t dinc, size_t n)
{
  return (size_t) ((acc + advance (inc, dinc, n - 1)) >> 32) + FZ_VS_TAPS;
}

/* Whether those frames, from source frame @first, all lie in [@lo, @end):
 * then the kernel reads the sample itself, else a copy in the scratch. */
static bool
reads_inside (int64_t first, uint64_t acc, uint64_t inc, int64_t dinc, size_t n, size_t lo,
              size_t end)
{
  return first >= (int64_t) lo && (size_t) first + reach_of (acc, inc, dinc, n) < end;
}

/* How many of the @n frames from @frac play before @limit frames on. */
static size_t
frames_before (uint64_t frac, uint64_t inc, int64_t dinc, size_t n, uint64_t limit)
{
  uint64_t acc = frac;
  size_t m = 0;

  while (m < n && (acc >> 32) < limit)
    {
      m++;
      inc += (uint64_t) dinc;
      acc += inc;
    }
  return m;
}

/* The glide's bookkeeping after @n frames of it. */
static void
glide_on (const FzMixer *mixer, FzVoiceSpeed *vs, size_t n)
{
  if (vs->half == 0)
    return;
  vs->left -= (uint32_t) n;
  if (vs->left > 0)
    return;
  if (vs->half == 1)
    {
      uint32_t half = mixer->sample_rate * FZ_VS_GLIDE_MS / 2000u;

      vs->inc = vs->peak;
      vs->dinc = ((int64_t) vs->target - (int64_t) vs->peak) / (int64_t) half;
      vs->left = half;
      vs->half = 2;
      return;
    }
  vs->inc = vs->target;
  vs->half = 0;
}

size_t
fz_varispeed_play (FzMixer *mixer, FzVoice *voice, const float *data, size_t end,
                   size_t loop_start, bool loops, float *out, size_t frames, float gain,
                   float step)
{
  static const float zeros[FZ_VS_MAX_CHANNELS];
  uint32_t channels = mixer->channels;
  FzVoiceSpeed *vs = &voice->speed;
  FzVsKernel kernel = kernel_for (mixer);
  size_t done = 0;

  while (done < frames)
    {
      size_t n = frames - done < FZ_VS_BLOCK ? frames - done : FZ_VS_BLOCK, reach;
      int64_t dinc = vs->half != 0 ? vs->dinc : 0, first;
      uint64_t acc = vs->frac, inc = vs->inc, last_inc, moved;
      const float *src;
      bool ending = false;

      if (vs->half != 0 && vs->left < n)
        n = vs->left;
      first = (int64_t) voice->position - (int64_t) (HALF - 1);
      if (!reads_inside (first, acc, inc, dinc, n, loops ? loop_start : 0, end))
        n = n < FZ_VS_SCRATCH_BLOCK ? n : FZ_VS_SCRATCH_BLOCK;
      if (!loops && voice->position + (size_t) ((acc + advance (inc, dinc, n)) >> 32) >= end)
        {
          /* The sample ends in this block: the frames before its end. */
          n = frames_before (acc, inc, dinc, n, end - voice->position);
          ending = true;
          if (n == 0)
            {
              voice->position = end;
              break;
            }
        }
      last_inc = inc + (uint64_t) (dinc * (int64_t) n);
      reach = reach_of (acc, inc, dinc, n);
      if (reads_inside (first, acc, inc, dinc, n, loops ? loop_start : 0, end))
        src = data + (size_t) first * channels;
      else
        {
          for (size_t j = 0; j <= reach; j++)
            memcpy (mixer->vs_scratch + j * channels,
                    source_frame (data, first + (int64_t) j, end, loop_start, loops, channels,
                                  zeros),
                    channels * sizeof (float));
          src = mixer->vs_scratch;
        }
      kernel (out + done * channels, src, channels, n, &acc, &inc, dinc,
              fz_varispeed_band (inc > last_inc ? inc : last_inc), gain + step * (float) (int64_t) done,
              step);
      moved = acc >> 32;
      if (mixer->meter != NULL)
        fz_meter_span (mixer->meter, voice, voice->position,
                       voice->position + moved < end ? (size_t) moved : end - voice->position);
      voice->position += (size_t) moved;
      vs->frac = (uint32_t) acc;
      vs->inc = inc;
      glide_on (mixer, vs, n);
      done += n;
      if (ending)
        {
          voice->position = end;
          break;
        }
      if (loops && voice->position >= end)
        voice->position = loop_start + (voice->position - end) % (end - loop_start);
    }
  return done;
}
