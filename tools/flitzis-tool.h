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
  TOOL_EXIT_INTERRUPTED = 130,   /* Ctrl-C stopped a play that had an end, a render, latency */
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

/* The status line of play, render and latency (flitzis-status.c): on a
 * terminal, one line on stderr redrawn in place at most every
 * TOOL_STATUS_INTERVAL_MS and cleared at the end, so that only the final
 * lines stay; elsewhere (a pipe, a file, a log) nothing at all. */
#define TOOL_STATUS_INTERVAL_MS 100

typedef struct {
  gboolean on_terminal;
  gint64 last;                   /* monotonic µs of the last redraw */
  gboolean shown;
} ToolStatus;

void  tool_status_init   (ToolStatus  *status);
void  tool_status_show   (ToolStatus  *status,
                          gboolean     force,
                          const char  *format,
                          ...) G_GNUC_PRINTF (3, 4);
void  tool_status_end    (ToolStatus  *status);
char *tool_device_label  (FlitzisAudioEngine *engine);
guint64 tool_underruns   (FlitzisAudioEngine *engine);

/* The count that chooses a plural form (g_dngettext() takes a gulong): a
 * count past G_MAXULONG (32-bit) is plural in every language the way its
 * last six digits are, as the gettext manual advises. */
#define TOOL_PLURAL(n) ((gulong) ((guint64) (n) <= G_MAXULONG ? (guint64) (n) \
                                  : (guint64) (n) % 1000000 + 1000000))

/* Ctrl-C for loops that run without a main loop (render): a flag set by
 * a SIGINT/SIGTERM handler. */
void     tool_interrupt_catch  (void);
gboolean tool_interrupted      (void);
void     tool_interrupt_release (void);

/* JSON output for scripts (flitzis-json.c): strings escaped, numbers in
 * the C locale whatever LC_NUMERIC says. */
void tool_json_string (GString    *out,
                       const char *text);
void tool_json_double (GString    *out,
                       double      value);

gboolean tool_load_samples (FlitzisAudioEngine  *engine,
                            const char * const  *paths,
                            guint                n_paths,
                            GError             **error);

G_END_DECLS
