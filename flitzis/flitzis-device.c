/* flitzis-device.c: an audio output device
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/**
 * FlitzisDevice:
 *
 * An audio output device, as [func@Flitzis.AudioEngine.list_output_devices]
 * found it: a snapshot, immutable, so it can be shown in a list (a
 * `GtkDropDown` takes the list model directly, with
 * [property@Flitzis.Device:name] as its expression) and its name given to
 * [property@Flitzis.AudioEngine:device].
 *
 * Since: 0.1
 */
#include "config.h"

#include "flitzis-device.h"
#include "flitzis-device-private.h"
#include "flitzis-i18n-private.h"

struct _FlitzisDevice {
  GObject parent_instance;

  char *name;
  char *host_api;
  guint max_output_channels;
  double default_sample_rate;
  double default_low_latency;
  gboolean is_default;
};

enum {
  PROP_0,
  PROP_NAME,
  PROP_HOST_API,
  PROP_MAX_OUTPUT_CHANNELS,
  PROP_DEFAULT_SAMPLE_RATE,
  PROP_DEFAULT_LOW_LATENCY,
  PROP_IS_DEFAULT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (FlitzisDevice, flitzis_device, G_TYPE_OBJECT)

FlitzisDevice *
_flitzis_device_new (const char *name, const char *host_api, guint max_output_channels,
                    double default_sample_rate, double default_low_latency, gboolean is_default)
{
  FlitzisDevice *self = g_object_new (FLITZIS_TYPE_DEVICE, NULL);

  self->name = g_strdup (name);
  self->host_api = g_strdup (host_api);
  self->max_output_channels = max_output_channels;
  self->default_sample_rate = default_sample_rate;
  self->default_low_latency = default_low_latency;
  self->is_default = is_default;
  return self;
}

/**
 * flitzis_device_get_name:
 * @self: a [class@Flitzis.Device]
 *
 * Gets [property@Flitzis.Device:name].
 *
 * Returns: (transfer none): the device's name, as
 *   [property@Flitzis.AudioEngine:device] takes it
 *
 * Since: 0.1
 */
const char *
flitzis_device_get_name (FlitzisDevice *self)
{
  g_return_val_if_fail (FLITZIS_IS_DEVICE (self), NULL);

  return self->name;
}

/**
 * flitzis_device_get_host_api:
 * @self: a [class@Flitzis.Device]
 *
 * Gets [property@Flitzis.Device:host-api].
 *
 * Returns: (transfer none): the name of the PortAudio host API that
 *   drives the device, such as “ALSA” or “JACK Audio Connection Kit”
 *
 * Since: 0.1
 */
const char *
flitzis_device_get_host_api (FlitzisDevice *self)
{
  g_return_val_if_fail (FLITZIS_IS_DEVICE (self), NULL);

  return self->host_api;
}

/**
 * flitzis_device_get_max_output_channels:
 * @self: a [class@Flitzis.Device]
 *
 * Gets [property@Flitzis.Device:max-output-channels].
 *
 * Returns: how many output channels the device has
 *
 * Since: 0.1
 */
guint
flitzis_device_get_max_output_channels (FlitzisDevice *self)
{
  g_return_val_if_fail (FLITZIS_IS_DEVICE (self), 0);

  return self->max_output_channels;
}

/**
 * flitzis_device_get_default_sample_rate:
 * @self: a [class@Flitzis.Device]
 *
 * Gets [property@Flitzis.Device:default-sample-rate].
 *
 * Returns: the rate, in Hz, a stream runs at when
 *   [property@Flitzis.AudioEngine:sample-rate] is 0
 *
 * Since: 0.1
 */
double
flitzis_device_get_default_sample_rate (FlitzisDevice *self)
{
  g_return_val_if_fail (FLITZIS_IS_DEVICE (self), 0.0);

  return self->default_sample_rate;
}

/**
 * flitzis_device_get_default_low_latency:
 * @self: a [class@Flitzis.Device]
 *
 * Gets [property@Flitzis.Device:default-low-latency].
 *
 * Returns: the output latency, in seconds, the device suggests for
 *   interactive use; the engine asks for it
 *
 * Since: 0.1
 */
double
flitzis_device_get_default_low_latency (FlitzisDevice *self)
{
  g_return_val_if_fail (FLITZIS_IS_DEVICE (self), 0.0);

  return self->default_low_latency;
}

/**
 * flitzis_device_get_is_default:
 * @self: a [class@Flitzis.Device]
 *
 * Gets [property@Flitzis.Device:is-default].
 *
 * Returns: whether [method@Flitzis.AudioEngine.run] opens this device when
 *   neither [property@Flitzis.AudioEngine:device] nor `FLITZIS_DEVICE` names one
 *
 * Since: 0.1
 */
gboolean
flitzis_device_get_is_default (FlitzisDevice *self)
{
  g_return_val_if_fail (FLITZIS_IS_DEVICE (self), FALSE);

  return self->is_default;
}

static void
flitzis_device_finalize (GObject *object)
{
  FlitzisDevice *self = FLITZIS_DEVICE (object);

  g_free (self->name);
  g_free (self->host_api);

  G_OBJECT_CLASS (flitzis_device_parent_class)->finalize (object);
}

static void
flitzis_device_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  FlitzisDevice *self = FLITZIS_DEVICE (object);

  switch (prop_id)
    {
    case PROP_NAME:
      g_value_set_string (value, self->name);
      break;
    case PROP_HOST_API:
      g_value_set_string (value, self->host_api);
      break;
    case PROP_MAX_OUTPUT_CHANNELS:
      g_value_set_uint (value, self->max_output_channels);
      break;
    case PROP_DEFAULT_SAMPLE_RATE:
      g_value_set_double (value, self->default_sample_rate);
      break;
    case PROP_DEFAULT_LOW_LATENCY:
      g_value_set_double (value, self->default_low_latency);
      break;
    case PROP_IS_DEFAULT:
      g_value_set_boolean (value, self->is_default);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
flitzis_device_class_init (FlitzisDeviceClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags flags = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS;

  _flitzis_init_i18n ();

  object_class->finalize = flitzis_device_finalize;
  object_class->get_property = flitzis_device_get_property;

  /**
   * FlitzisDevice:name: (getter get_name)
   *
   * The device's name, as [property@Flitzis.AudioEngine:device] takes it.
   *
   * Since: 0.1
   */
  properties[PROP_NAME] =
    g_param_spec_string ("name", _("Name"), _("The device’s name"), NULL, flags);

  /**
   * FlitzisDevice:host-api: (getter get_host_api)
   *
   * The PortAudio host API that drives the device.
   *
   * Since: 0.1
   */
  properties[PROP_HOST_API] =
    g_param_spec_string ("host-api", _("Host API"),
                         _("The audio system that drives the device"), NULL, flags);

  /**
   * FlitzisDevice:max-output-channels: (getter get_max_output_channels)
   *
   * How many output channels the device has.
   *
   * Since: 0.1
   */
  properties[PROP_MAX_OUTPUT_CHANNELS] =
    g_param_spec_uint ("max-output-channels", _("Output channels"),
                       _("How many output channels the device has"), 0, G_MAXUINT, 0, flags);

  /**
   * FlitzisDevice:default-sample-rate: (getter get_default_sample_rate)
   *
   * The device's default sample rate in Hz.
   *
   * Since: 0.1
   */
  properties[PROP_DEFAULT_SAMPLE_RATE] =
    g_param_spec_double ("default-sample-rate", _("Default sample rate"),
                         _("The device’s default sample rate in Hz"), 0.0, G_MAXDOUBLE, 0.0, flags);

  /**
   * FlitzisDevice:default-low-latency: (getter get_default_low_latency)
   *
   * The output latency, in seconds, the device suggests for interactive
   * use.
   *
   * Since: 0.1
   */
  properties[PROP_DEFAULT_LOW_LATENCY] =
    g_param_spec_double ("default-low-latency", _("Default low latency"),
                         _("The output latency in seconds the device suggests for interactive use"),
                         0.0, G_MAXDOUBLE, 0.0, flags);

  /**
   * FlitzisDevice:is-default: (getter get_is_default)
   *
   * Whether the engine opens this device when none is named.
   *
   * Since: 0.1
   */
  properties[PROP_IS_DEFAULT] =
    g_param_spec_boolean ("is-default", _("Default"),
                          _("Whether the engine opens this device when none is named"),
                          FALSE, flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
flitzis_device_init (FlitzisDevice *self)
{
  (void) self;
}
