/* mix-test.c: what the mixer's same-bits tests share (see mix-test.h)
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "mix-test.h"

const FzMixPath mix_test_paths[3] = { FZ_MIX_PATH_SCALAR, FZ_MIX_PATH_VEC128, FZ_MIX_PATH_AVX2 };
const gsize mix_test_period_sizes[5] = { 32, 64, 256, 1024, 37 };

void
mix_test_on_ended (void *data, uint32_t slot, uint32_t offset)
{
  MixTestEnds *ends = data;
  guint64 entry = ((guint64) ends->period << 32) | ((guint64) slot << 16) | offset;

  g_array_append_val (ends->ends, entry);
}

guint32
mix_test_random (guint32 *state)
{
  *state = *state * 1664525u + 1013904223u;
  return *state;
}

FzSample *
mix_test_noise_sample (gsize frames, guint channels, guint32 *state)
{
  FzSample *sample = fz_sample_new (frames, channels, 48000);

  for (gsize v = 0; v < frames * channels; v++)
    sample->data[v] = ((float) (mix_test_random (state) >> 8) / 16777216.0f - 0.5f)
                      * (float) (1u << (*state & 7u));
  return sample;
}

gboolean
mix_test_path_available (FzMixer *probe, FzMixPath path)
{
  fz_mixer_init (probe, 2, 48000);
  if (fz_mixer_set_path (probe, path))
    return TRUE;
  g_test_message ("path %u not available on this CPU", path);
  return FALSE;
}
