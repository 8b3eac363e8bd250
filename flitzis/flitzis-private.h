/* flitzis-private.h: library-internal declarations
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib/gi18n-lib.h>

#include "flitzis-device.h"
#include "flitzis-message.h"
#include "flitzis-sample-info.h"
#include "core/fz-sample.h"

G_BEGIN_DECLS

FlitzisMessage *flitzis_message_new (FlitzisMessageKind kind, guint64 frame,
                                     guint slot, guint64 count);
/* Takes @error. */
FlitzisMessage *flitzis_message_new_error (guint64 frame, GError *error);
FlitzisSampleInfo *flitzis_sample_info_new (const char *path, const FzSampleFormat *decoded,
                                            const FzSampleFormat *original, gsize memory_size);
FlitzisDevice  *flitzis_device_new (const char *name, const char *host_api, guint max_output_channels,
                                    double default_sample_rate, double default_low_latency,
                                    gboolean is_default);
/* Binds the translation domain, once per process. */
void            flitzis_init_i18n (void);

G_END_DECLS
