/* flitzis-levels-private.h: making a levels snapshot from a meter frame
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "flitzis-levels.h"
#include "core/fz-meter.h"

G_BEGIN_DECLS

/* Any control thread: a snapshot of @frame (copied). */
FlitzisLevels *_flitzis_levels_new (const FzMeterFrame *frame);

G_END_DECLS
