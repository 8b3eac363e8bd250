/* mix-test.h: what the mixer's same-bits tests share
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * core/test-settled and core/test-ramped render one script twice, on a
 * fast path and on the full path, and compare the bits and the voices'
 * ends: the paths and period sizes they try, the ends' record, the
 * deterministic noise their samples are made of.  Test thread only.
 */
#pragma once

#include <glib.h>

#include "core/fz-mixer.h"
#include "core/fz-sample.h"

G_BEGIN_DECLS

/* The kernel paths tried (each where the CPU has it), and the period
 * sizes (37: a period no vector width divides). */
extern const FzMixPath mix_test_paths[3];
extern const gsize mix_test_period_sizes[5];

/* The voices' ends, as the mixer reports them: set .period before each
 * period's render. */
typedef struct {
  GArray *ends;              /* (period << 32 | slot << 16 | offset) per ended voice */
  guint period;
} MixTestEnds;

/* An FzMixer.voice_ended callback, @data a MixTestEnds. */
void      mix_test_on_ended (void *data, uint32_t slot, uint32_t offset);

/* The next value of a linear congruential generator at @state. */
guint32   mix_test_random (guint32 *state);

/* A sample of @frames frames of @channels channels at 48 kHz, of noise
 * from @state at random levels (up to 64 times full scale: the sums must
 * round alike on every path, not only at small values). */
FzSample *mix_test_noise_sample (gsize frames, guint channels, guint32 *state);

/* Whether @path runs on this CPU (a message where not), with @probe
 * initialised (2 channels) and set to it to name it. */
gboolean  mix_test_path_available (FzMixer *probe, FzMixPath path);

G_END_DECLS
