/* flitzis-device.h: an audio output device
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#if !defined(__FLITZIS_H_INSIDE__) && !defined(FLITZIS_COMPILATION)
#error "Only <flitzis/flitzis.h> can be included directly."
#endif

#include <glib-object.h>
#include <flitzis/flitzis-version.h>

G_BEGIN_DECLS

#define FLITZIS_TYPE_DEVICE (flitzis_device_get_type ())

FLITZIS_AVAILABLE_IN_0_1
G_DECLARE_FINAL_TYPE (FlitzisDevice, flitzis_device, FLITZIS, DEVICE, GObject)

FLITZIS_AVAILABLE_IN_0_1
const char *flitzis_device_get_name                (FlitzisDevice *self);
FLITZIS_AVAILABLE_IN_0_1
const char *flitzis_device_get_host_api            (FlitzisDevice *self);
FLITZIS_AVAILABLE_IN_0_1
guint       flitzis_device_get_max_output_channels (FlitzisDevice *self);
FLITZIS_AVAILABLE_IN_0_1
double      flitzis_device_get_default_sample_rate (FlitzisDevice *self);
FLITZIS_AVAILABLE_IN_0_1
double      flitzis_device_get_default_low_latency (FlitzisDevice *self);
FLITZIS_AVAILABLE_IN_0_1
gboolean    flitzis_device_get_is_default          (FlitzisDevice *self);

G_END_DECLS
