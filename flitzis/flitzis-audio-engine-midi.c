/* flitzis-audio-engine-midi.c: MIDI input, and what it is mapped to
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The audio thread reads MIDI in the same period as the audio it goes
 * with (core/fz-midi-in.h): from the JACK back-end's MIDI port
 * (midi-input), or injected through the command ring (inject_midi()).
 * This file is the control side: the midi-input property, the MIDI map
 * (read from and written to its text form, fz-midi-map-text.c, and
 * published to the running core by pointer, latest wins), injection, and
 * connecting the port.  Every function here runs on a control thread and
 * never waits for the audio thread.
 */
#include "config.h"

#include "flitzis-audio-engine-private.h"
#include "flitzis-engine-error.h"
#include "fz-midi-map-text.h"

/* ---- the property ---- */

void
_flitzis_audio_engine_class_init_midi (GParamSpec **properties)
{
  /**
   * FlitzisAudioEngine:midi-input: (getter get_midi_input) (setter set_midi_input)
   *
   * Whether [method@Flitzis.AudioEngine.run] gives the engine a MIDI input
   * port, read by the audio thread in the same cycle as the audio it
   * renders: a note-on at offset k of a cycle starts its pad at frame k
   * of that cycle (or at the grid frame from there on, with
   * [property@Flitzis.AudioEngine:quantize]), as the MIDI map says
   * ([method@Flitzis.AudioEngine.set_midi_map_from_string]).  Off by
   * default.  The JACK back-end (JACK, or PipeWire's JACK) has the port
   * as `midi_in` of the engine's client, the native PipeWire back-end as
   * `midi_in` of the engine's own node (then a filter that links its audio
   * ports to the sink itself); run() on PortAudio with this set fails with
   * [error@Flitzis.EngineError.DEVICE_FAILED].
   * Connect it with [method@Flitzis.AudioEngine.connect_midi_input].  Used
   * by the next run().
   *
   * Since: 0.1
   */
  properties[PROP_MIDI_INPUT] =
    g_param_spec_boolean ("midi-input", _("MIDI input"),
                          _("Whether the engine has a MIDI input port, read in the audio thread"),
                          FALSE,
                          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
}

/**
 * flitzis_audio_engine_get_midi_input:
 * @self: a [class@Flitzis.AudioEngine]
 *
 * Gets [property@Flitzis.AudioEngine:midi-input].
 *
 * Returns: whether the next run() opens a MIDI input port
 *
 * Since: 0.1
 */
gboolean
flitzis_audio_engine_get_midi_input (FlitzisAudioEngine *self)
{
  gboolean on;

  g_return_val_if_fail (FLITZIS_IS_AUDIO_ENGINE (self), FALSE);

  fz_mutex_lock (&self->lock);
  on = self->midi_input;
  fz_mutex_unlock (&self->lock);
  return on;
}

/**
 * flitzis_audio_engine_set_midi_input:
 * @self: a [class@Flitzis.AudioEngine]
 * @midi_input: whether the next run() opens a MIDI input port
 *
 * Sets [property@Flitzis.AudioEngine:midi-input].
 *
 * Since: 0.1
 */
void
flitzis_audio_engine_set_midi_input (FlitzisAudioEngine *self, gboolean midi_input)
{
  gboolean changed;

  g_return_if_fail (FLITZIS_IS_AUDIO_ENGINE (self));

  fz_mutex_lock (&self->lock);
  changed = self->midi_input != !!midi_input;
  self->midi_input = !!midi_input;
  fz_mutex_unlock (&self->lock);
  if (changed)
    _flitzis_audio_engine_notify (self, PROP_MIDI_INPUT);
}

gboolean
_flitzis_audio_engine_midi_get_property (FlitzisAudioEngine *self, guint prop_id, GValue *value)
{
  if (prop_id != PROP_MIDI_INPUT)
    return FALSE;
  g_value_set_boolean (value, flitzis_audio_engine_get_midi_input (self));
  return TRUE;
}

gboolean
_flitzis_audio_engine_midi_set_property (FlitzisAudioEngine *self, guint prop_id,
                                         const GValue *value)
{
  if (prop_id != PROP_MIDI_INPUT)
    return FALSE;
  flitzis_audio_engine_set_midi_input (self, g_value_get_boolean (value));
  return TRUE;
}

/* ---- the run's side ---- */

/* Called with the lifecycle lock held, before @core runs. */
void
_flitzis_audio_engine_start_midi (FlitzisAudioEngine *self, FzCore *core)
{
  fz_mutex_lock (&self->lock);
  if (self->midi_map != NULL)
    fz_core_set_midi_map (core, fz_midi_map_copy (self->midi_map));
  fz_core_set_midi_grid (core, (uint32_t) self->quantize);
  fz_mutex_unlock (&self->lock);
}

/* Called with the lifecycle lock held, before @stream starts. */
gboolean
_flitzis_audio_engine_open_midi (FlitzisAudioEngine *self, FzStream *stream, GError **error)
{
  return !flitzis_audio_engine_get_midi_input (self) || fz_stream_enable_midi (stream, error);
}

void
_flitzis_audio_engine_finalize_midi (FlitzisAudioEngine *self)
{
  g_clear_pointer (&self->midi_map, fz_midi_map_free);
}

/* ---- the map ---- */

/* Takes @map: the engine's from now on, and the running core's from its
 * next period on (a copy: each core frees its own). */
static void
set_map (FlitzisAudioEngine *self, FzMidiMap *map)
{
  fz_mutex_lock (&self->lock);
  g_clear_pointer (&self->midi_map, fz_midi_map_free);
  self->midi_map = map;
  if (self->core != NULL)
    {
      FzMidiMap *copy = fz_midi_map_copy (map);

      if (copy == NULL)
        g_error ("%s: out of memory", G_STRLOC);
      fz_core_set_midi_map (self->core, copy);
    }
  fz_mutex_unlock (&self->lock);
}

static gboolean
set_map_text (FlitzisAudioEngine *self, const char *text, const char *name, GError **error)
{
  FzMidiMap *map = fz_midi_map_parse (text, name, self->n_slots, error);

  if (map == NULL)
    return FALSE;
  set_map (self, map);
  return TRUE;
}

/**
 * flitzis_audio_engine_set_midi_map_from_string:
 * @self: a [class@Flitzis.AudioEngine]
 * @text: a MIDI map in its text form (docs/midi.md), starting with
 *   `flitzis-midi-map 1`
 * @error: return location for a [struct@GLib.Error], or %NULL
 *
 * Sets what MIDI input does: which notes start which slots, at what
 * velocity, which note-offs stop them (`gate`), which controllers set
 * the master volume, a slot's gain, a band of its isolator or the tempo,
 * and which program changes select a bank of slots.  One statement a
 * line:
 *
 * |[
 * flitzis-midi-map 1
 * bank-size 16
 * note 36 slot 0
 * note 37 channel 10 slot 1 velocity curve 2 gate
 * cc 7 volume
 * cc 74 eq-low 0 range -60 0
 * program 1 bank 1
 * ]|
 *
 * It applies at once, on a running engine from its next audio period on
 * (published to the audio thread without a lock), and to every later
 * run.  The map stays when the engine stops.  A map with a mistake changes
 * nothing: the error names the line and what is allowed.  A map with only
 * its first line maps nothing (MIDI events are still reported,
 * [signal@Flitzis.AudioEngine::midi-event]).
 *
 * Returns: %TRUE when the map was set; %FALSE, changing nothing, with
 *   @error set to [error@Flitzis.EngineError.INVALID_MIDI_MAP]
 *
 * Since: 0.1
 */
gboolean
flitzis_audio_engine_set_midi_map_from_string (FlitzisAudioEngine *self, const char *text,
                                               GError **error)
{
  g_return_val_if_fail (FLITZIS_IS_AUDIO_ENGINE (self), FALSE);
  g_return_val_if_fail (text != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return set_map_text (self, text, _("MIDI map"), error);
}

/**
 * flitzis_audio_engine_load_midi_map:
 * @self: a [class@Flitzis.AudioEngine]
 * @path: (type filename): a MIDI map file
 * @error: return location for a [struct@GLib.Error], or %NULL
 *
 * Reads a MIDI map from @path and sets it, as
 * [method@Flitzis.AudioEngine.set_midi_map_from_string] does; its errors
 * name the file and the line.
 *
 * Returns: %TRUE when the map was set; %FALSE, changing nothing, with
 *   @error set to [error@Flitzis.EngineError.INVALID_MIDI_MAP], or to a
 *   [error@GLib.FileError] when the file cannot be read
 *
 * Since: 0.1
 */
gboolean
flitzis_audio_engine_load_midi_map (FlitzisAudioEngine *self, const char *path, GError **error)
{
  g_autofree char *text = NULL;
  g_autofree char *name = NULL;

  g_return_val_if_fail (FLITZIS_IS_AUDIO_ENGINE (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!g_file_get_contents (path, &text, NULL, error))
    return FALSE;
  name = g_filename_display_name (path);
  if (!g_utf8_validate (text, -1, NULL))
    {
      g_set_error (error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_INVALID_MIDI_MAP,
                   _("%s is not a MIDI map: a map is UTF-8 text"), name);
      return FALSE;
    }
  return set_map_text (self, text, name, error);
}

/**
 * flitzis_audio_engine_dup_midi_map_string:
 * @self: a [class@Flitzis.AudioEngine]
 *
 * Writes the engine's MIDI map in its text form, one statement a line,
 * every range written out: text that
 * [method@Flitzis.AudioEngine.set_midi_map_from_string] reads back into
 * the same map.  Comments and the order of kinds (notes, controllers,
 * programs) are not kept.
 *
 * Returns: (transfer full): the map's text; `flitzis-midi-map 1` alone
 *   when none was set
 *
 * Since: 0.1
 */
char *
flitzis_audio_engine_dup_midi_map_string (FlitzisAudioEngine *self)
{
  char *text;

  g_return_val_if_fail (FLITZIS_IS_AUDIO_ENGINE (self), NULL);

  fz_mutex_lock (&self->lock);
  text = self->midi_map != NULL ? fz_midi_map_print (self->midi_map)
                                : g_strdup ("flitzis-midi-map 1\n");
  fz_mutex_unlock (&self->lock);
  return text;
}

/**
 * flitzis_audio_engine_save_midi_map:
 * @self: a [class@Flitzis.AudioEngine]
 * @path: (type filename): where to write the map
 * @error: return location for a [struct@GLib.Error], or %NULL
 *
 * Writes [method@Flitzis.AudioEngine.dup_midi_map_string]'s text to
 * @path (replacing it whole, never half written), for
 * [method@Flitzis.AudioEngine.load_midi_map] to read: an application's
 * presets.
 *
 * Returns: %TRUE when written; %FALSE with a [error@GLib.FileError]
 *
 * Since: 0.1
 */
gboolean
flitzis_audio_engine_save_midi_map (FlitzisAudioEngine *self, const char *path, GError **error)
{
  g_autofree char *text = NULL;

  g_return_val_if_fail (FLITZIS_IS_AUDIO_ENGINE (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  text = flitzis_audio_engine_dup_midi_map_string (self);
  return g_file_set_contents (path, text, -1, error);
}

/* ---- input ---- */

/**
 * flitzis_audio_engine_inject_midi:
 * @self: a [class@Flitzis.AudioEngine]
 * @bytes: (array length=length): MIDI bytes: channel messages, running
 *   status, anything (malformed input is ignored and counted)
 * @length: how many bytes, 1 to 1024
 * @frame: the frame time at which they sound; 0, or one that has passed
 *   by the time the audio thread takes them: the first frame of the
 *   period that takes them
 * @error: return location for a [struct@GLib.Error], or %NULL
 *
 * Hands MIDI bytes to the audio thread, which parses and maps them as it
 * does its MIDI port's, in order, with a parser of their own (running
 * status carries from one call to the next): a note-on mapped to a slot
 * starts it at @frame exactly (or at the grid frame from @frame on, with
 * [property@Flitzis.AudioEngine:quantize]).  On an offline engine, whose
 * frames are exact, this is how MIDI is played and tested; on a device
 * it is the "MIDI thread → next period" path of an application that reads
 * MIDI itself, with the frame it was read at plus a latency.  Each event
 * is reported ([signal@Flitzis.AudioEngine::midi-event]).
 *
 * Returns: %TRUE when queued; %FALSE, queuing nothing, with @error set to
 *   [error@Flitzis.EngineError.INVALID_ARGUMENT] (no bytes, or too many),
 *   [error@Flitzis.EngineError.NOT_RUNNING] or
 *   [error@Flitzis.EngineError.QUEUE_FULL]
 *
 * Since: 0.1
 */
gboolean
flitzis_audio_engine_inject_midi (FlitzisAudioEngine *self, const guint8 *bytes, gsize length,
                                  guint64 frame, GError **error)
{
  gsize n_commands = (length + FZ_MIDI_CMD_BYTES - 1) / FZ_MIDI_CMD_BYTES;
  gboolean ok;

  g_return_val_if_fail (FLITZIS_IS_AUDIO_ENGINE (self), FALSE);
  g_return_val_if_fail (bytes != NULL || length == 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (length == 0 || length > 1024)
    {
      g_set_error (error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_INVALID_ARGUMENT,
                   _("%" G_GSIZE_FORMAT " MIDI bytes cannot be injected; give 1 to 1024"),
                   length);
      return FALSE;
    }
  fz_mutex_lock (&self->lock);
  ok = _flitzis_audio_engine_check_running (self, error);
  /* All of it or nothing: the producer is this thread, under the lock. */
  if (ok && fz_ring_free_space (self->core->commands) < n_commands)
    {
      g_set_error (error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_QUEUE_FULL,
                   _("The command queue to the audio thread is full; try again after the "
                     "next audio period"));
      ok = FALSE;
    }
  for (gsize done = 0; ok && done < length; done += FZ_MIDI_CMD_BYTES)
    {
      FzMsg command = { .type = FZ_CMD_MIDI, .frame = frame,
                        .flag = (uint32_t) MIN (FZ_MIDI_CMD_BYTES, length - done) };

      for (guint i = 0; i < command.flag; i++)
        {
          if (i < 8)
            command.seq |= (uint64_t) bytes[done + i] << (8 * i);
          else
            command.start |= (uint64_t) bytes[done + i] << (8 * (i - 8));
        }
      ok = _flitzis_audio_engine_send_command (self, &command, error);
    }
  fz_mutex_unlock (&self->lock);
  return ok;
}

/**
 * flitzis_audio_engine_connect_midi_input:
 * @self: a [class@Flitzis.AudioEngine]
 * @port_name: a MIDI output port's full name: `client:port` on JACK,
 *   `node.name:port.name` (or its `port.alias`) on PipeWire
 * @error: return location for a [struct@GLib.Error], or %NULL
 *
 * Connects @port_name to the engine's MIDI input port, which a running
 * engine has when [property@Flitzis.AudioEngine:midi-input] was set for
 * its run().  A connection already made is not an error.  On PipeWire
 * the engine makes the link itself (no session manager is needed); it
 * goes with the engine's node.
 *
 * Returns: %TRUE when connected; %FALSE with @error set to
 *   [error@Flitzis.EngineError.NOT_RUNNING], or to
 *   [error@Flitzis.EngineError.NO_DEVICE] when the engine has no MIDI port or
 *   the server has no such MIDI output port
 *
 * Since: 0.1
 */
gboolean
flitzis_audio_engine_connect_midi_input (FlitzisAudioEngine *self, const char *port_name,
                                         GError **error)
{
  gboolean ok;

  g_return_val_if_fail (FLITZIS_IS_AUDIO_ENGINE (self), FALSE);
  g_return_val_if_fail (port_name != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  /* The lifecycle lock keeps the stream open; the lock is not held across
   * the server's round trip. */
  fz_mutex_lock (&self->lifecycle_lock);
  fz_mutex_lock (&self->lock);
  ok = _flitzis_audio_engine_check_running (self, error);
  if (ok && self->stream == NULL)
    {
      g_set_error (error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_NO_DEVICE,
                   _("An offline engine has no MIDI port; give it MIDI with inject_midi()"));
      ok = FALSE;
    }
  fz_mutex_unlock (&self->lock);
  if (ok)
    ok = fz_stream_connect_midi (self->stream, port_name, error);
  fz_mutex_unlock (&self->lifecycle_lock);
  return ok;
}
