/* flitzis-device-private.h: describing an output device
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "flitzis-device.h"

G_BEGIN_DECLS

/* Any control thread: the back-end describes a device it found. */
FlitzisDevice *_flitzis_device_new (const char *name,
                                    const char *host_api,
                                    guint       max_output_channels,
                                    double      default_sample_rate,
                                    double      default_low_latency,
                                    gboolean    is_default);

G_END_DECLS
