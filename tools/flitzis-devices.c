/* flitzis-devices.c: "flitzis devices", the output devices
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * One line per output device: name, host API, channels, default rate and
 * latency, with a "*" before the one an engine would open: the device
 * FLITZIS_DEVICE names, else the default; then the back-end they play
 * through.  Main thread.
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

int
tool_devices (int argc, char **argv)
{
  g_autoptr (GOptionContext) context = g_option_context_new (NULL);
  g_autoptr (GListModel) devices = NULL;
  g_autoptr (GError) error = NULL;
  guint n;

  g_option_context_set_summary (context,
                                _("Lists the output devices. “*” marks the one that play and "
                                  "latency use: the device FLITZIS_DEVICE names, else the "
                                  "default."));
  if (!tool_parse_options (context, &argc, &argv))
    return TOOL_EXIT_USAGE;
  if (argc > 1)
    return tool_usage_error (argv[0], _("“%s” is not an option: devices takes none"), argv[1]);

  devices = flitzis_audio_engine_list_output_devices (&error);
  if (devices == NULL)
    return tool_error (error);
  n = g_list_model_get_n_items (devices);
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
