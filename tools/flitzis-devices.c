/* flitzis-devices.c: "flitzis devices", the output devices
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * One line per output device: name, host API, channels, default rate and
 * latency, with a "*" before the one an engine would open: the device
 * FLITZIS_DEVICE names, else the default; then the back-end they play
 * through.  --json prints the same as one JSON object, for scripts.
 * Main thread.
 */
#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "flitzis-tool.h"

static gboolean
would_pick (FlitzisDevice *device)
{
  const char *chosen = g_getenv ("FLITZIS_DEVICE");

  if (chosen != NULL && *chosen != '\0')
    return strcmp (chosen, flitzis_device_get_name (device)) == 0;
  return flitzis_device_get_is_default (device);
}

/* What play and latency play through: FLITZIS_BACKEND's choice, else
 * what the engine's AUTO takes now. */
static const char *
backend_name (void)
{
  const char *chosen = g_getenv ("FLITZIS_BACKEND");
  static const char *const names[] = { "auto", "PipeWire", "JACK", "PortAudio" };

  if (chosen != NULL && *chosen != '\0' && g_ascii_strcasecmp (chosen, "auto") != 0)
    return chosen;
  return names[flitzis_audio_engine_detect_backend ()];
}

static void
print_device (FlitzisDevice *device)
{
  g_print ("%s %-32s %-28s %8u %8.0f %8.1f\n", would_pick (device) ? "*" : " ",
           flitzis_device_get_name (device), flitzis_device_get_host_api (device),
           flitzis_device_get_max_output_channels (device),
           flitzis_device_get_default_sample_rate (device),
           1000 * flitzis_device_get_default_low_latency (device));
}

/* {"backend": "JACK", "devices": [{"name": …, "host_api": …,
 * "max_output_channels": 2, "default_sample_rate": 48000,
 * "default_low_latency_ms": 5.3, "is_default": true, "chosen": true}]}:
 * "chosen" is the "*" of the table. */
static void
print_json (GListModel *devices)
{
  g_autoptr (GString) out = g_string_new ("{\"backend\": ");
  guint n = g_list_model_get_n_items (devices);

  tool_json_string (out, backend_name ());
  g_string_append (out, ", \"devices\": [");
  for (guint i = 0; i < n; i++)
    {
      g_autoptr (FlitzisDevice) device = g_list_model_get_item (devices, i);

      g_string_append (out, i > 0 ? ", {\"name\": " : "{\"name\": ");
      tool_json_string (out, flitzis_device_get_name (device));
      g_string_append (out, ", \"host_api\": ");
      tool_json_string (out, flitzis_device_get_host_api (device));
      g_string_append_printf (out, ", \"max_output_channels\": %u, \"default_sample_rate\": ",
                              flitzis_device_get_max_output_channels (device));
      tool_json_double (out, flitzis_device_get_default_sample_rate (device));
      g_string_append (out, ", \"default_low_latency_ms\": ");
      tool_json_double (out, 1000 * flitzis_device_get_default_low_latency (device));
      g_string_append_printf (out, ", \"is_default\": %s, \"chosen\": %s}",
                              flitzis_device_get_is_default (device) ? "true" : "false",
                              would_pick (device) ? "true" : "false");
    }
  g_print ("%s]}\n", out->str);
}

int
tool_devices (int argc, char **argv)
{
  gboolean json = FALSE;
  const GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json,
      N_("Print the devices as one JSON object, for scripts"), NULL },
    G_OPTION_ENTRY_NULL
  };
  g_autoptr (GOptionContext) context = g_option_context_new (NULL);
  g_autoptr (GListModel) devices = NULL;
  g_autoptr (GError) error = NULL;
  guint n;

  g_option_context_set_summary (context,
                                _("Lists the output devices. “*” marks the one that play and "
                                  "latency use: the device FLITZIS_DEVICE names, else the "
                                  "default."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!tool_parse_options (context, &argc, &argv))
    return TOOL_EXIT_USAGE;
  if (argc > 1)
    return tool_usage_error (argv[0], _("“%s” is not an option: devices takes none but --json"),
                             argv[1]);

  devices = flitzis_audio_engine_list_output_devices (&error);
  if (devices == NULL)
    return tool_error (error);
  n = g_list_model_get_n_items (devices);
  if (json)
    {
      print_json (devices);
      return n > 0 ? TOOL_EXIT_OK : TOOL_EXIT_NO_DEVICE;
    }
  if (n == 0)
    {
      g_print ("%s\n", _("No output device."));
      return TOOL_EXIT_NO_DEVICE;
    }
  /* TRANSLATORS: column heads; keep the widths (name 32, host API 28, then 8 each) */
  g_print ("  %-32s %-28s %8s %8s %8s\n", _("NAME"), _("HOST API"), _("CHANNELS"), _("RATE"),
           _("LATENCY"));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr (FlitzisDevice) device = g_list_model_get_item (devices, i);

      print_device (device);
    }
  g_print ("%s\n", _("(rate in Hz, default low latency in ms)"));
  /* TRANSLATORS: %s is PipeWire, JACK or PortAudio */
  g_print (_("Back-end: %s (FLITZIS_BACKEND chooses another)\n"), backend_name ());
  return TOOL_EXIT_OK;
}
