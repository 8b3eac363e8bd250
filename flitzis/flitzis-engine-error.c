/* flitzis-engine-error.c: the engine's error domain
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "flitzis-engine-error.h"

/**
 * flitzis_engine_error_quark:
 *
 * Gets the error domain of [class@Flitzis.AudioEngine], `FLITZIS_ENGINE_ERROR`:
 * its codes are [error@Flitzis.EngineError].
 *
 * Returns: the error domain of [class@Flitzis.AudioEngine] errors
 *
 * Since: 0.1
 */
G_DEFINE_QUARK (flitzis-engine-error-quark, flitzis_engine_error)
