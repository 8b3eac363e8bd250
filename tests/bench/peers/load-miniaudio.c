/* load-miniaudio.c: miniaudio's resampled load, measured as bench-bank
 * measures libflitzis's (docs/performance.md, "resampled load by quality")
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Not built by make: miniaudio is not packaged in Debian.  Built by hand
 * against miniaudio's single header (0.11.25 for the figures in
 * docs/performance.md):
 *
 *   cc -O2 -I MINIAUDIO_DIR tests/bench/peers/load-miniaudio.c \
 *      -o load-miniaudio -lsndfile -lm -lpthread -ldl
 *   ./load-miniaudio time 15     # wall time against a bare libsndfile read
 *   ./load-miniaudio quality     # the residuals of a 1 kHz and an 8 kHz sine
 *   valgrind --tool=callgrind --toggle-collect=load_region \
 *     ./load-miniaudio ir ORDER   # Ir of one 10 s load (ORDER -1: the bare read)
 *
 * The same work as bench-bank's: a 16-bit stereo 44.1 kHz WAV decoded to
 * 32-bit float and converted to 48 kHz in one buffer (ma_decoder, its
 * linear resampler with a low-pass filter of order 0, 4 (the default) and
 * 8 (the most it has)); every big block a fresh mmap() (M_MMAP_THRESHOLD
 * fixed at 64 KiB), so that each load faults in fresh pages; the ratio
 * per alternation against sf_readf_float() of the same file, with its
 * median, quartiles and range.  The residuals are against the exact sine
 * at 48 kHz, away from the ends, as bench-bank computes them, and against
 * the best-fitting sine (miniaudio's resampler delays its output).
 */
#define MINIAUDIO_IMPLEMENTATION
#define MA_NO_DEVICE_IO
#define MA_NO_ENGINE
#define MA_NO_NODE_GRAPH
#define MA_NO_THREADING
#include "miniaudio.h"

#include <malloc.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sndfile.h>

#define RATE 48000
#define MAX_REPS 41

static const int orders[] = { 0, 4, 8 };
#define N_ORDERS 3

static double
now_s (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (double) ts.tv_sec + (double) ts.tv_nsec * 1e-9;
}

static void
die (const char *what)
{
  fprintf (stderr, "load-miniaudio: %s\n", what);
  exit (1);
}

/* @seconds of a deterministic stereo signal (a 32-bit LCG), 16-bit. */
static void
write_wav (const char *path, int rate, int channels, double seconds, const float *mono)
{
  SF_INFO info = { .samplerate = rate, .channels = channels,
                   .format = SF_FORMAT_WAV | (mono != NULL ? SF_FORMAT_FLOAT : SF_FORMAT_PCM_16) };
  SNDFILE *file = sf_open (path, SFM_WRITE, &info);
  sf_count_t frames = (sf_count_t) (seconds * rate);
  float *data = malloc ((size_t) frames * (size_t) channels * sizeof (float));
  unsigned state = 7;

  if (file == NULL || data == NULL)
    die ("cannot write the test file");
  for (sf_count_t i = 0; i < frames * channels; i++)
    {
      state = state * 1664525u + 1013904223u;
      data[i] = mono != NULL ? mono[i] : ((float) (state >> 8) / 16777216.0f - 0.5f) * 0.5f;
    }
  if (sf_writef_float (file, data, frames) != frames)
    die ("short write");
  sf_close (file);
  free (data);
}

static double
bare_read (const char *path)
{
  SF_INFO info = { 0 };
  double start = now_s ();
  SNDFILE *file = sf_open (path, SFM_READ, &info);
  float *data;

  if (file == NULL)
    die ("sf_open");
  data = malloc ((size_t) info.frames * (size_t) info.channels * sizeof (float));
  if (data == NULL || sf_readf_float (file, data, info.frames) != info.frames)
    die ("sf_readf_float");
  sf_close (file);
  free (data);
  return now_s () - start;
}

/* The whole of @path at 48 kHz, @channels, through ma_decoder with a
 * low-pass filter of @order; the frames in *@frames. */
static float *
ma_load (const char *path, int channels, int order, ma_uint64 *frames)
{
  ma_decoder_config config = ma_decoder_config_init (ma_format_f32, (ma_uint32) channels, RATE);
  ma_decoder decoder;
  ma_uint64 length, done = 0, n;
  float *data;

  config.resampling.algorithm = ma_resample_algorithm_linear;
  config.resampling.linear.lpfOrder = (ma_uint32) order;
  if (ma_decoder_init_file (path, &config, &decoder) != MA_SUCCESS)
    die ("ma_decoder_init_file");
  if (ma_decoder_get_length_in_pcm_frames (&decoder, &length) != MA_SUCCESS)
    die ("ma_decoder_get_length_in_pcm_frames");
  data = malloc ((size_t) (length + 64) * (size_t) channels * sizeof (float));
  if (data == NULL)
    die ("malloc");
  while (ma_decoder_read_pcm_frames (&decoder, data + done * (ma_uint64) channels,
                                     length + 64 - done, &n) == MA_SUCCESS && n > 0)
    done += n;
  ma_decoder_uninit (&decoder);
  *frames = done;
  return data;
}

static double
ma_timed_load (const char *path, int order)
{
  double start = now_s ();
  ma_uint64 frames;
  float *data = ma_load (path, 2, order, &frames);
  double seconds = now_s () - start;

  free (data);
  return seconds;
}

static int
compare (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

static void
print_spread (const char *key, const double *values, int n)
{
  double sorted[MAX_REPS];

  memcpy (sorted, values, (size_t) n * sizeof *values);
  qsort (sorted, (size_t) n, sizeof *sorted, compare);
  printf ("%s: median %.4f (IQR %.4f-%.4f, range %.4f-%.4f, n = %d)\n", key, sorted[n / 2],
          sorted[n / 4], sorted[(3 * n) / 4], sorted[0], sorted[n - 1], n);
}

static void
scenario_time (int reps)
{
  const char *path = "load-miniaudio-60s-44100.wav";
  double bare[MAX_REPS], load[N_ORDERS][MAX_REPS], ratio[N_ORDERS][MAX_REPS];
  double load_avg[1];

  if (reps < 1 || reps > MAX_REPS)
    die ("1 to 41 repetitions");
  if (mallopt (M_MMAP_THRESHOLD, 64 * 1024) != 1)
    die ("mallopt");
  write_wav (path, 44100, 2, 60.0, NULL);
  if (getloadavg (load_avg, 1) == 1)
    printf ("load average at the start: %.2f\n", load_avg[0]);
  bare_read (path);
  ma_timed_load (path, 4);
  for (int r = 0; r < reps; r++)
    {
      bare[r] = bare_read (path);
      for (int o = 0; o < N_ORDERS; o++)
        {
          load[o][r] = ma_timed_load (path, orders[o]);
          ratio[o][r] = load[o][r] / bare[r];
        }
    }
  print_spread ("bare read, s", bare, reps);
  for (int o = 0; o < N_ORDERS; o++)
    {
      char key[64];

      snprintf (key, sizeof key, "lpf order %d, s", orders[o]);
      print_spread (key, load[o], reps);
      snprintf (key, sizeof key, "lpf order %d, ratio to the bare read", orders[o]);
      print_spread (key, ratio[o], reps);
    }
  if (getloadavg (load_avg, 1) == 1)
    printf ("load average at the end: %.2f\n", load_avg[0]);
  remove (path);
}

/* A 1 s mono sine of @hz at 44.1 kHz (32-bit float WAV) converted with a
 * filter of @order: its residual against the exact sine, in dB; with
 * @fitted, against the sine of the amplitude and phase that fit it best
 * (least squares), which forgives a delay and a gain and leaves the
 * distortion and the aliases. */
static double
sine_residual_db (double hz, int order, int fitted)
{
  const char *path = "load-miniaudio-sine.wav";
  float *sine = malloc (44100 * sizeof (float));
  double err = 0.0, power = 0.0, ss = 0.0, sc = 0.0, cc = 0.0, ys = 0.0, yc = 0.0;
  double a = 0.5, b = 0.0;
  ma_uint64 frames;
  float *data;

  for (int i = 0; i < 44100; i++)
    sine[i] = (float) (0.5 * sin (2.0 * M_PI * hz * i / 44100.0));
  write_wav (path, 44100, 1, 1.0, sine);
  data = ma_load (path, 1, order, &frames);
  if (frames < RATE - RATE / 20)
    die ("short sine");
  for (int i = RATE / 20; fitted && i < RATE - RATE / 20; i++)
    {
      double s_ = sin (2.0 * M_PI * hz * i / RATE), c_ = cos (2.0 * M_PI * hz * i / RATE);

      ss += s_ * s_;
      sc += s_ * c_;
      cc += c_ * c_;
      ys += data[i] * s_;
      yc += data[i] * c_;
    }
  if (fitted)
    {
      a = (ys * cc - yc * sc) / (ss * cc - sc * sc);
      b = (yc * ss - ys * sc) / (ss * cc - sc * sc);
    }
  for (int i = RATE / 20; i < RATE - RATE / 20; i++)
    {
      double exact = a * sin (2.0 * M_PI * hz * i / RATE) + b * cos (2.0 * M_PI * hz * i / RATE);
      double diff = (double) data[i] - exact;

      err += diff * diff;
      power += exact * exact;
    }
  free (data);
  free (sine);
  remove (path);
  return 10.0 * log10 ((err > 1e-30 ? err : 1e-30) / power);
}

static void
scenario_quality (void)
{
  for (int o = 0; o < N_ORDERS; o++)
    printf ("lpf order %d: 1 kHz residual %.1f dB, 8 kHz residual %.1f dB; after the best "
            "fit of amplitude and phase %.1f dB and %.1f dB\n", orders[o],
            sine_residual_db (1000.0, orders[o], 0), sine_residual_db (8000.0, orders[o], 0),
            sine_residual_db (1000.0, orders[o], 1), sine_residual_db (8000.0, orders[o], 1));
}

void load_region (const char *path, int order);

/* What callgrind counts (--toggle-collect=load_region): one load at
 * @order, or (-1) the bare read. */
__attribute__ ((noinline)) void
load_region (const char *path, int order)
{
  if (order < 0)
    bare_read (path);
  else
    ma_timed_load (path, order);
}

int
main (int argc, char **argv)
{
  if (argc == 3 && strcmp (argv[1], "time") == 0)
    scenario_time (atoi (argv[2]));
  else if (argc == 2 && strcmp (argv[1], "quality") == 0)
    scenario_quality ();
  else if (argc == 3 && strcmp (argv[1], "ir") == 0)
    {
      const char *path = "load-miniaudio-10s-44100.wav";

      write_wav (path, 44100, 2, 10.0, NULL);
      load_region (path, atoi (argv[2]));
      remove (path);
    }
  else
    {
      fprintf (stderr, "usage: %s time REPS | quality | ir ORDER\n", argv[0]);
      return 2;
    }
  return 0;
}
