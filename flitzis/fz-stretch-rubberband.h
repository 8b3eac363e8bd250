/* fz-stretch-rubberband.h: the core's stretchers (core/fz-stretch.h), made with Rubber Band
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Control thread.  Without Rubber Band at build time (configure
 * --without-rubberband) there is no pool: fz_stretch_pool_new() returns
 * NULL and the key-lock calls say it is not supported.
 */
#pragma once

#include <stdbool.h>

#include "core/fz-stretch.h"

/* Whether this build can stretch (it was built with Rubber Band). */
bool           fz_stretch_supported (void);
/* FZ_STRETCH_VOICES stretchers for @channels (1 to 8) at @sample_rate, with
 * their buffers; NULL without Rubber Band or when memory is short. */
FzStretchPool *fz_stretch_pool_new (unsigned sample_rate, unsigned channels);
/* Once no core uses it. */
void           fz_stretch_pool_free (FzStretchPool *pool);
