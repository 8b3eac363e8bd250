/* rubberband-onsets.c: where Rubber Band's modes put a stretched sound's onset
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Build and run from the top of the source tree:
 *   gcc -O2 -o rubberband-onsets tools/rubberband-onsets.c $(pkg-config --cflags --libs rubberband) -lm
 *   ./rubberband-onsets > table.md
 *
 * The key lock (docs/keylock.md) uses Rubber Band's real-time R3 engine
 * with its short window, and its onsets are off the grid on a slowdown.
 * This tool asks whether another of Rubber Band's modes would put them
 * on it: the real-time R3 engine with its standard window, the R3 engine
 * offline (which studies the whole input first), and the R2 engine with
 * crisp transients, real-time and offline.  Each stretches the signals of
 * tests/engine/test-keylock.c (`/engine/keylock/onset`: 12 sounds 12,345
 * frames apart, hits or 440 Hz tones, the same generator and seed) at the
 * same speeds, and measures each onset (the first frame above half the
 * sounds' amplitude) against where it belongs: its source frame over the
 * speed, plus the sound's own rise.  A real-time stretcher is started as
 * the engine starts one (its preferred start pad of silence in, its start
 * delay out), an offline one is given the whole input to study.  Mono,
 * one thread; the signals are synthesised, so every run prints the same.
 *
 * Results (Markdown, the mean and the worst error in frames at 48 kHz,
 * negative early) go to stdout.
 */

#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <rubberband/rubberband-c.h>

#define RATE 48000
#define LEAD 4800      /* frames before the first onset */
#define SPACING 12345  /* between onsets: no multiple of a hop */
#define LENGTH 4000    /* each sound */
#define SOUNDS 12
#define SEARCH 1500    /* frames either side of where an onset belongs */
#define CHUNK 4096

static const double speeds[] = { 0.5, 0.67, 0.8, 0.92, 1.0, 1.08, 1.25, 1.5, 2.0 };

static const struct {
  const char *name;
  RubberBandOptions options;
} modes[] = {
  { "R3, real-time, short window (the engine's)",
    RubberBandOptionProcessRealTime | RubberBandOptionEngineFiner | RubberBandOptionWindowShort },
  { "R3, real-time, standard window",
    RubberBandOptionProcessRealTime | RubberBandOptionEngineFiner },
  { "R3, offline, short window",
    RubberBandOptionProcessOffline | RubberBandOptionEngineFiner | RubberBandOptionWindowShort },
  { "R3, offline, standard window",
    RubberBandOptionProcessOffline | RubberBandOptionEngineFiner },
  { "R2, real-time, crisp transients",
    RubberBandOptionProcessRealTime | RubberBandOptionEngineFaster | RubberBandOptionTransientsCrisp },
  { "R2, offline, crisp transients",
    RubberBandOptionProcessOffline | RubberBandOptionEngineFaster | RubberBandOptionTransientsCrisp },
};

static void *
xcalloc (size_t n, size_t size)
{
  void *p = calloc (n, size);

  if (p == NULL)
    {
      fputs ("rubberband-onsets: out of memory\n", stderr);
      exit (1);
    }
  return p;
}

/* The test's signal: hits (a click, then noise decaying over 50 ms) or
 * 440 Hz tones, at half full scale. */
static float *
make_signal (bool tones, size_t *frames)
{
  uint32_t seed = 1;
  float *x;

  *frames = LEAD + (size_t) SOUNDS * SPACING;
  x = xcalloc (*frames, sizeof *x);
  for (size_t j = 0; j < SOUNDS; j++)
    for (size_t t = 0; t < LENGTH; t++)
      {
        float *y = &x[LEAD + j * SPACING + t];

        seed = seed * 1664525u + 1013904223u;
        if (tones)
          *y = 0.5f * (float) sin (2.0 * M_PI * 440.0 * (double) t / RATE);
        else
          *y = t == 0 ? 0.5f : 0.5f * expf (-(float) t / 2400.0f) * ((float) (seed >> 8) / 8388608.0f - 1.0f);
      }
  return x;
}

/* The first frame of @x in [@from, @to) above 0.25, -1 when none is. */
static long
onset_in (const float *x, long from, long to)
{
  for (long i = from < 0 ? 0 : from; i < to; i++)
    if (fabsf (x[i]) > 0.25f)
      return i;
  return -1;
}

typedef struct {
  float *frames;
  size_t n, capacity;
  long skip; /* frames still to throw away: a real-time stretcher's delay */
} Output;

static void
drain (RubberBandState rb, Output *out)
{
  float chunk[CHUNK];
  float *channels[1] = { chunk };
  int available;

  while ((available = rubberband_available (rb)) > 0)
    {
      unsigned got = rubberband_retrieve (rb, channels, available > CHUNK ? CHUNK : (unsigned) available);

      for (unsigned i = 0; i < got; i++)
        if (out->skip > 0)
          out->skip--;
        else if (out->n < out->capacity)
          out->frames[out->n++] = chunk[i];
    }
}

/* As the engine runs its stretchers: a start pad of silence, the start
 * delay thrown away, then as much input at a time as it asks for, until
 * the output reaches past the input's stretched end. */
static void
stretch_real_time (RubberBandState rb, const float *x, size_t frames, Output *out)
{
  unsigned pad = rubberband_get_preferred_start_pad (rb);
  float *silence = xcalloc (pad + 1, sizeof *silence);
  const float *in[1] = { silence };
  float chunk[CHUNK];

  out->skip = rubberband_get_start_delay (rb);
  if (pad > 0)
    rubberband_process (rb, in, pad, false);
  for (size_t at = 0; out->n < out->capacity && at < frames + 4 * (size_t) RATE;)
    {
      unsigned want = rubberband_get_samples_required (rb);

      want = want == 0 ? 256 : want > CHUNK ? CHUNK : want;
      for (unsigned i = 0; i < want; i++)
        chunk[i] = at + i < frames ? x[at + i] : 0.0f;
      in[0] = chunk;
      rubberband_process (rb, in, want, false);
      at += want;
      drain (rb, out);
    }
  free (silence);
}

static void
stretch_offline (RubberBandState rb, const float *x, size_t frames, Output *out)
{
  const float *in[1] = { x };

  rubberband_set_expected_input_duration (rb, frames);
  rubberband_study (rb, in, frames, true);
  for (size_t at = 0; at < frames; at += CHUNK)
    {
      size_t n = frames - at < CHUNK ? frames - at : CHUNK;

      in[0] = x + at;
      rubberband_process (rb, in, (unsigned) n, at + n >= frames);
      drain (rb, out);
    }
  drain (rb, out);
}

/* The mean and worst error of @x's onsets stretched by @options at @speed. */
static void
measure (RubberBandOptions options, const float *x, size_t frames, double speed, double *mean,
         double *worst)
{
  RubberBandState rb = rubberband_new (RATE, 1, options | RubberBandOptionThreadingNever,
                                       1.0 / speed, 1.0);
  Output out = { 0 };

  out.capacity = (size_t) ((double) frames / speed) + RATE;
  out.frames = xcalloc (out.capacity, sizeof (float));
  if (options & RubberBandOptionProcessRealTime)
    stretch_real_time (rb, x, frames, &out);
  else
    stretch_offline (rb, x, frames, &out);
  rubberband_delete (rb);
  *mean = *worst = 0.0;
  for (size_t j = 0; j < SOUNDS; j++)
    {
      long at = LEAD + (long) (j * SPACING);
      double want = (double) at / speed + (double) (onset_in (x, at, (long) frames) - at);
      long got = onset_in (out.frames, (long) want - SEARCH, (long) want + SEARCH);
      double late = (double) got - want;

      if (got < 0)
        {
          *mean = *worst = NAN; /* printed as nan: an onset not found */
          break;
        }
      *mean += late / SOUNDS;
      if (fabs (late) > fabs (*worst))
        *worst = late;
    }
  free (out.frames);
}

int
main (void)
{
  rubberband_set_default_debug_level (-1);
  for (int tones = 0; tones <= 1; tones++)
    {
      size_t frames;
      float *x = make_signal (tones, &frames);

      printf ("\n%s: mean and worst onset error, frames\n\n| mode |", tones ? "440 Hz tones" : "Hits");
      for (size_t s = 0; s < sizeof speeds / sizeof *speeds; s++)
        printf (" %.2f |", speeds[s]);
      printf ("\n|---|");
      for (size_t s = 0; s < sizeof speeds / sizeof *speeds; s++)
        printf ("---|");
      printf ("\n");
      for (size_t m = 0; m < sizeof modes / sizeof *modes; m++)
        {
          printf ("| %s |", modes[m].name);
          for (size_t s = 0; s < sizeof speeds / sizeof *speeds; s++)
            {
              double mean, worst;

              measure (modes[m].options, x, frames, speeds[s], &mean, &worst);
              printf (" %.0f, %.0f |", mean, worst);
            }
          printf ("\n");
          fflush (stdout);
        }
      free (x);
    }
  return 0;
}
