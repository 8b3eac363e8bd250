/* flitzis.h: libflitzis, a real-time sample-playback engine
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#define __FLITZIS_H_INSIDE__

#include <flitzis/flitzis-version.h>
#include <flitzis/flitzis-backend.h>
#include <flitzis/flitzis-engine-error.h>
#include <flitzis/flitzis-engine-stats.h>
#include <flitzis/flitzis-levels.h>
#include <flitzis/flitzis-message.h>
#include <flitzis/flitzis-device.h>
#include <flitzis/flitzis-sample-info.h>
#include <flitzis/flitzis-audio-engine.h>
#include <flitzis/flitzis-enum-types.h>

#undef __FLITZIS_H_INSIDE__
