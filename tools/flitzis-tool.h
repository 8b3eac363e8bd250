/* flitzis-tool.h: what the subcommands of the flitzis tool share
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The tool uses libflitzis's public API only.  Everything here runs on the
 * main thread.
 */
#pragma once

#include <glib.h>
#include <flitzis/flitzis.h>

G_BEGIN_DECLS

/* Exit statuses, documented in flitzis(1). */
typedef enum {
  TOOL_EXIT_OK = 0,
  TOOL_EXIT_FAILED = 1,          /* a file, a device or the engine failed */
  TOOL_EXIT_USAGE = 2,           /* the command line was wrong */
  TOOL_EXIT_NO_DEVICE = 3,       /* there is no output device to play on */
  TOOL_EXIT_INTERRUPTED = 130,   /* Ctrl-C stopped a play that had an end */
} ToolExit;

typedef int (*ToolCommand) (int argc, char **argv);

int tool_devices (int argc, char **argv);
int tool_play    (int argc, char **argv);
int tool_render  (int argc, char **argv);
int tool_latency (int argc, char **argv);

gboolean tool_parse_options  (GOptionContext  *context,
                              int             *argc,
                              char          ***argv);
int      tool_usage_error    (const char      *command,
                              const char      *format,
                              ...) G_GNUC_PRINTF (2, 3);
int      tool_error          (const GError    *error);
int      tool_engine_error   (const GError    *error);

/* A progress line on stderr, for work that takes longer than a second:
 * shown only on a terminal, and only once a second has passed. */
typedef struct {
  const char *what;
  gint64 started;
  gboolean shown;
} ToolProgress;

void tool_progress_start  (ToolProgress *progress,
                           const char   *what);
void tool_progress_update (ToolProgress *progress,
                           const char   *format,
                           ...) G_GNUC_PRINTF (2, 3);
void tool_progress_end    (ToolProgress *progress);

gboolean tool_load_samples (FlitzisAudioEngine  *engine,
                            const char * const  *paths,
                            guint                n_paths,
                            GError             **error);

G_END_DECLS
