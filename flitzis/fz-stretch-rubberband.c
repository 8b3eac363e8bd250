/* fz-stretch-rubberband.c: the core's stretchers, made with Rubber Band's C API
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Control thread: the pool is made here before the audio thread sees it,
 * and freed here once no core uses it.  The FzStretchOps functions run on
 * the audio thread.
 *
 * The options, measured with Rubber Band 3.1.2 (docs/performance.md):
 * real-time mode, the R3 ("finer") engine with its short window, no
 * threads of its own.  The R3 engine changes its time ratio without
 * allocating, and its short window costs 1.2 to 1.9 million instructions
 * for a 256-frame stereo period (the standard window, 6 to 8 million),
 * about the R2 ("faster") engine's cost, which reallocates its output
 * buffers whenever a time ratio above 1 changes.  The stretcher's pitch
 * scale stays 1: its resampler, which allocates whenever its ratio changes,
 * never runs; the core shifts pitch by reading the sample faster or slower
 * (core/fz-stretch.h).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "fz-stretch-rubberband.h"

#ifdef HAVE_RUBBERBAND

#include <rubberband/rubberband-c.h>

#define OPTIONS (RubberBandOptionProcessRealTime | RubberBandOptionEngineFiner | \
                 RubberBandOptionWindowShort | RubberBandOptionThreadingNever)

static RubberBandState
state (FzStretcher *stretcher)
{
  return (RubberBandState) stretcher;
}

static void
rb_reset (FzStretcher *s)
{
  rubberband_reset (state (s));
}

static void
rb_set_time_ratio (FzStretcher *s, double ratio)
{
  rubberband_set_time_ratio (state (s), ratio);
}

static uint32_t
rb_start_pad (FzStretcher *s)
{
  return rubberband_get_preferred_start_pad (state (s));
}

static uint32_t
rb_start_delay (FzStretcher *s)
{
  return rubberband_get_start_delay (state (s));
}

static uint32_t
rb_samples_required (FzStretcher *s)
{
  return rubberband_get_samples_required (state (s));
}

static void
rb_process (FzStretcher *s, const float *const *in, uint32_t frames, bool final)
{
  rubberband_process (state (s), in, frames, final);
}

static int
rb_available (FzStretcher *s)
{
  return rubberband_available (state (s));
}

static uint32_t
rb_retrieve (FzStretcher *s, float *const *out, uint32_t frames)
{
  return rubberband_retrieve (state (s), out, frames);
}

static void
rb_destroy (FzStretcher *s)
{
  rubberband_delete (state (s));
}

static const FzStretchOps rubberband_ops = {
  .reset = rb_reset,
  .set_time_ratio = rb_set_time_ratio,
  .start_pad = rb_start_pad,
  .start_delay = rb_start_delay,
  .samples_required = rb_samples_required,
  .process = rb_process,
  .available = rb_available,
  .retrieve = rb_retrieve,
  .destroy = rb_destroy,
};

bool
fz_stretch_supported (void)
{
  return true;
}

/* One stretcher, run once on silence here so that whatever it sets up on
 * first use is set up on this thread, not the audio thread's. */
static bool
init_voice (FzVoiceStretch *vs, unsigned sample_rate, unsigned channels)
{
  float *block = calloc ((size_t) FZ_STRETCH_CHUNK * (2 * channels + channels) +
                         (size_t) FZ_STRETCH_AHEAD * channels, sizeof (float));
  RubberBandState rb;

  if (block == NULL)
    return false;
  rubberband_set_default_debug_level (-1);
  rb = rubberband_new (sample_rate, channels, OPTIONS, 1.0, 1.0);
  rubberband_set_max_process_size (rb, FZ_STRETCH_CHUNK);
  vs->stretcher = (FzStretcher *) rb;
  for (unsigned c = 0; c < channels; c++)
    {
      vs->in[c] = block + (size_t) c * FZ_STRETCH_CHUNK;
      vs->out[c] = block + (size_t) (channels + c) * FZ_STRETCH_CHUNK;
    }
  vs->mix = block + (size_t) 2 * channels * FZ_STRETCH_CHUNK;
  vs->ahead = vs->mix + (size_t) channels * FZ_STRETCH_CHUNK;
  for (int i = 0; i < 8; i++)
    {
      rubberband_process (rb, (const float *const *) vs->in, FZ_STRETCH_CHUNK, false);
      while (rubberband_available (rb) > 0)
        rubberband_retrieve (rb, vs->out, FZ_STRETCH_CHUNK);
    }
  rubberband_reset (rb);
  return true;
}

FzStretchPool *
fz_stretch_pool_new (unsigned sample_rate, unsigned channels)
{
  FzStretchPool *pool;

  if (channels == 0 || channels > 8)
    return NULL;
  pool = calloc (1, sizeof *pool);
  if (pool == NULL)
    return NULL;
  pool->ops = &rubberband_ops;
  pool->channels = channels;
  for (; pool->n < FZ_STRETCH_VOICES; pool->n++)
    if (!init_voice (&pool->voices[pool->n], sample_rate, channels))
      {
        fz_stretch_pool_free (pool);
        return NULL;
      }
  return pool;
}

#else /* !HAVE_RUBBERBAND */

bool
fz_stretch_supported (void)
{
  return false;
}

FzStretchPool *
fz_stretch_pool_new (unsigned sample_rate, unsigned channels)
{
  (void) sample_rate;
  (void) channels;
  return NULL;
}

#endif

void
fz_stretch_pool_free (FzStretchPool *pool)
{
  if (pool == NULL)
    return;
  for (uint32_t i = 0; i < pool->n; i++)
    {
      pool->ops->destroy (pool->voices[i].stretcher);
      free (pool->voices[i].in[0]);
    }
  free (pool);
}
