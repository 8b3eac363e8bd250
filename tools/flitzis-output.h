/* flitzis-output.h: the sound files "flitzis render" writes
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Kept apart from flitzis-render.c so that tests/tools/test-output.c can
 * open the same format through libsndfile's virtual I/O, and check what
 * the tool writes beyond 4 GiB without writing 4 GiB.  Main thread.
 */
#pragma once

#include <glib.h>
#include <sndfile.h>

G_BEGIN_DECLS

typedef struct {
  const char *type;              /* "wav", "flac", …: as --format names it */
  int format;                    /* SF_FORMAT_* major | subtype */
  gboolean downgrade;            /* RF64 written as plain WAV below 4 GiB */
} ToolOutput;

gboolean tool_output_choose  (const char  *path,
                              const char  *format,
                              int          rate,
                              int          channels,
                              ToolOutput  *output,
                              GError     **error);
gboolean tool_output_prepare (SNDFILE          *file,
                              const ToolOutput *output,
                              GError          **error);
SNDFILE *tool_output_open    (const char       *path,
                              const ToolOutput *output,
                              int               rate,
                              int               channels,
                              GError          **error);

G_END_DECLS
