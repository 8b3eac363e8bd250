/* flitzis.c: the flitzis command-line tool
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * "flitzis COMMAND [OPTION…]": lists devices, plays files and patterns,
 * renders patterns to WAV files and measures latency, with libflitzis's
 * public API only.  The commands live in flitzis-COMMAND.c; this file
 * dispatches, and holds what they share: option parsing, error reports
 * and progress lines.  Everything runs on the main thread.
 */
#include "config.h"

#include <locale.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <glib/gi18n.h>

#include "flitzis-tool.h"

typedef struct {
  const char *name;
  ToolCommand run;
  const char *summary;
} Command;

static const Command commands[] = {
  { "devices", tool_devices, N_("List the output devices") },
  { "play", tool_play, N_("Play sample files or a pattern on an output device") },
  { "render", tool_render, N_("Render a pattern to a sound file, faster than real time") },
  { "latency", tool_latency, N_("Measure ping → pong and trigger → output times") },
};

static void
print_usage (FILE *out)
{
  fprintf (out, "%s\n  flitzis %s\n\n%s\n", _("Usage:"), _("COMMAND [OPTION…]"), _("Commands:"));
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    fprintf (out, "  %-9s %s\n", commands[i].name, _(commands[i].summary));
  fprintf (out, "\n%s\n",
           _("Run “flitzis COMMAND --help” for a command’s options, “man flitzis” for more."));
}

static void
print_version (void)
{
  printf ("flitzis %s (libflitzis %u.%u.%u)\n", PACKAGE_VERSION, flitzis_get_major_version (),
          flitzis_get_minor_version (), flitzis_get_micro_version ());
}

gboolean
tool_parse_options (GOptionContext *context, int *argc, char ***argv)
{
  g_autoptr (GError) error = NULL;

  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  if (g_option_context_parse (context, argc, argv, &error))
    return TRUE;
  tool_usage_error ((*argv)[0], "%s", error->message);
  return FALSE;
}

int
tool_usage_error (const char *command, const char *format, ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  /* TRANSLATORS: the first %s is a subcommand such as "flitzis play" */
  g_printerr (_("%s: %s\nRun “%s --help” to see the options.\n"), command, message, command);
  return TOOL_EXIT_USAGE;
}

int
tool_error (const GError *error)
{
  g_printerr ("%s: %s\n", g_get_prgname (), error->message);
  return TOOL_EXIT_FAILED;
}

/* No device is its own exit status, so that scripts (and the quick start)
 * can fall back to rendering. */
int
tool_engine_error (const GError *error)
{
  tool_error (error);
  if (g_error_matches (error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_NO_DEVICE))
    return TOOL_EXIT_NO_DEVICE;
  return TOOL_EXIT_FAILED;
}

void
tool_progress_start (ToolProgress *progress, const char *what)
{
  progress->what = what;
  progress->started = g_get_monotonic_time ();
  progress->shown = FALSE;
}

void
tool_progress_update (ToolProgress *progress, const char *format, ...)
{
  g_autofree char *state = NULL;
  va_list args;

  if (!isatty (STDERR_FILENO) ||
      g_get_monotonic_time () - progress->started < G_USEC_PER_SEC)
    return;
  va_start (args, format);
  state = g_strdup_vprintf (format, args);
  va_end (args);
  /* "\033[K" clears what a longer line left behind */
  fprintf (stderr, "\r%s %s\033[K", progress->what, state);
  progress->shown = TRUE;
}

void
tool_progress_end (ToolProgress *progress)
{
  if (progress->shown)
    fputc ('\n', stderr);
  progress->shown = FALSE;
}

/* A file short of what its header promises loads what it holds: say so. */
static void
warn_if_short (FlitzisAudioEngine *engine, guint slot, const char *path)
{
  g_autoptr (FlitzisSampleInfo) info = flitzis_audio_engine_dup_sample_info (engine, slot, NULL);
  guint64 promised, delivered;

  if (info == NULL)
    return;
  promised = flitzis_sample_info_get_frames_promised (info);
  delivered = flitzis_sample_info_get_frames_delivered (info);
  if (delivered < promised)
    g_printerr (g_dngettext (GETTEXT_PACKAGE,
                             "flitzis: warning: “%s” holds %llu of the %llu frame its header "
                             "promises (cut short?); playing what it holds\n",
                             "flitzis: warning: “%s” holds %llu of the %llu frames its header "
                             "promises (cut short?); playing what it holds\n",
                             TOOL_PLURAL (promised)),
                path, (unsigned long long) delivered, (unsigned long long) promised);
}

/* Loads @paths into slots 0, 1, … with a progress line for slow loads;
 * the error names the file. */
gboolean
tool_load_samples (FlitzisAudioEngine *engine, const char * const *paths, guint n_paths,
                   GError **error)
{
  ToolProgress progress;

  g_return_val_if_fail (n_paths <= FLITZIS_MAX_SAMPLE_SLOTS, FALSE);
  tool_progress_start (&progress, _("Loading"));
  for (guint i = 0; i < n_paths; i++)
    {
      tool_progress_update (&progress, "%u/%u %s", i + 1, n_paths, paths[i]);
      if (!flitzis_audio_engine_load_sample (engine, i, paths[i], error))
        {
          tool_progress_end (&progress);
          return FALSE;
        }
    }
  tool_progress_end (&progress);
  for (guint i = 0; i < n_paths; i++)
    warn_if_short (engine, i, paths[i]);
  return TRUE;
}

static const Command *
find_command (const char *name)
{
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    if (strcmp (commands[i].name, name) == 0)
      return &commands[i];
  return NULL;
}

int
main (int argc, char **argv)
{
  const Command *command;
  g_autofree char *full_name = NULL;

  setlocale (LC_ALL, "");
  /* FLITZIS_LOCALEDIR: catalogues of a build tree, for the tests.  The
   * library binds the domain it shares with the tool to the installed
   * catalogues once, when the engine's class is made: made first, so that
   * the tool's binding below stays (else its messages after an engine was
   * made, its reports and plurals, would not be the build tree's). */
  if (g_getenv ("FLITZIS_LOCALEDIR") != NULL)
    g_type_class_unref (g_type_class_ref (FLITZIS_TYPE_AUDIO_ENGINE));
  bindtextdomain (GETTEXT_PACKAGE, g_getenv ("FLITZIS_LOCALEDIR") != NULL
                                   ? g_getenv ("FLITZIS_LOCALEDIR") : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
  g_set_prgname ("flitzis");

  if (argc < 2)
    {
      print_usage (stderr);
      return TOOL_EXIT_USAGE;
    }
  if (strcmp (argv[1], "--help") == 0 || strcmp (argv[1], "-h") == 0 ||
      strcmp (argv[1], "help") == 0)
    {
      print_usage (stdout);
      return TOOL_EXIT_OK;
    }
  if (strcmp (argv[1], "--version") == 0)
    {
      print_version ();
      return TOOL_EXIT_OK;
    }
  command = find_command (argv[1]);
  if (command == NULL)
    {
      g_printerr (_("flitzis: “%s” is not a command.\n\n"), argv[1]);
      print_usage (stderr);
      return TOOL_EXIT_USAGE;
    }
  /* The command sees "flitzis play" as its argv[0] and program name, for
   * its --help and its messages. */
  full_name = g_strdup_printf ("flitzis %s", command->name);
  g_set_prgname (full_name);
  argv[1] = full_name;
  return command->run (argc - 1, argv + 1);
}
