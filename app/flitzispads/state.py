# state.py: what Flitzis Pads keeps between sessions, in GSettings
#
# Copyright 2026 The libflitzis authors
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The schema org.flitzis.Pads (app/data/org.flitzis.Pads.gschema.xml)
holds the transport (tempo, quantize, metronome, master volume, speed,
tempo lock, key lock, MIDI input), the bank shown, every pad that is not
as new (name, file, mode, press while playing, gain; and in pads-playback
its speed, key lock and pitch), and the MIDI map in its text form (what
MIDI learn made, Flitzis.AudioEngine.dup_midi_map_string()).

GSettings, as GNOME applications keep their state: the schema types and
bounds every value (a hand-edited or stale value never reaches the
engine), dconf writes it without blocking and tells other instances,
`gsettings` and dconf-editor show and reset it, and in a sandbox GLib
writes the same keys into a keyfile by itself.

The transport keys are bound to the engine's properties of those names
(Gio.Settings.bind: read at once, written on each change).  The pads are
written together, once per main-loop turn in which any changed.  No GTK
here, so that tests/python/test_pads_state.py can drive it on an offline
engine and a memory back-end.  Every call runs in the main context."""

import gi
gi.require_version("Flitzis", "1.0")
from gi.repository import Flitzis, Gio, GLib  # noqa: E402

from flitzispads import APP_ID
from flitzispads.pads import BANKS, KEY_LOCKS, SLOTS, key_lock_supported

PADS_TYPE = "a(ussbsd)"
PLAYBACK_TYPE = "a(udsd)"
TRANSPORT_KEYS = ("tempo", "quantize", "metronome", "volume", "speed", "tempo-lock",
                  "midi-input")
PLAYBACK_PROPERTIES = ("speed", "key-lock", "pitch")
PAD_PROPERTIES = ("name", "path", "loop", "retrigger", "gain")
RETRIGGER_NICKS = {int(Flitzis.Retrigger.LAYER): "layer",
                   int(Flitzis.Retrigger.RESTART): "restart",
                   int(Flitzis.Retrigger.TOGGLE): "toggle"}


def find_schema():
    """The installed schema (or the build tree's, through
    GSETTINGS_SCHEMA_DIR, which run-uninstalled sets), or None."""
    source = Gio.SettingsSchemaSource.get_default()
    return source.lookup(APP_ID, True) if source is not None else None


def open_settings(backend=None):
    """The application's Gio.Settings, or None without its schema (then
    nothing is kept: Gio.Settings.new() would abort the process)."""
    schema = find_schema()
    if schema is None:
        return None
    return Gio.Settings.new_full(schema, backend, None)


def pad_entry(pad):
    """@pad as a (slot, name, file, loop, retrigger, gain) tuple, or None
    for a pad as new."""
    if not (pad.name or pad.path or pad.loop or pad.gain != 1.0 or
            pad.retrigger != int(Flitzis.Retrigger.LAYER)):
        return None
    return (pad.slot, pad.name, pad.path or "", pad.loop,
            RETRIGGER_NICKS.get(pad.retrigger, "layer"), pad.gain)


def playback_entry(pad):
    """@pad's (slot, speed, key lock, pitch), or None when they are as new."""
    if pad.speed == 1.0 and pad.key_lock == "default" and pad.pitch == 0.0:
        return None
    return (pad.slot, pad.speed, pad.key_lock, pad.pitch)


class SavedState:
    """Keeps @engine's transport and @pad_set's pads in @settings."""

    def __init__(self, settings, engine, pad_set):
        self.settings = settings
        self.engine = engine
        self.pad_set = pad_set
        self._pending = 0

    def restore(self):
        """Sets the pads from the settings and binds the transport to
        them; returns the number of pads that were restored.  An entry
        out of range (a slot beyond the engine's, a mode not known) is
        skipped: the schema bounds the other keys."""
        for key in TRANSPORT_KEYS:
            self.settings.bind(key, self.engine, key, Gio.SettingsBindFlags.DEFAULT)
        self.restore_key_lock()
        self.midi_map_error = self.restore_midi_map()
        nicks = {nick: value for value, nick in RETRIGGER_NICKS.items()}
        restored = 0
        for slot, name, path, loop, retrigger, gain in self.settings.get_value("pads").unpack():
            if slot >= SLOTS or retrigger not in nicks:
                continue
            pad = self.pad_set[slot]
            pad.name = name
            pad.path = path or None
            pad.loop = loop
            pad.retrigger = nicks[retrigger]
            pad.gain = min(max(gain, 0.0), Flitzis.MAX_GAIN)
            restored += 1
        for slot, speed, key_lock, pitch in self.settings.get_value("pads-playback").unpack():
            if slot >= SLOTS or key_lock not in KEY_LOCKS:
                continue
            pad = self.pad_set[slot]
            pad.speed = min(max(speed, Flitzis.MIN_SPEED), Flitzis.MAX_SPEED)
            pad.key_lock = key_lock
            pad.pitch = min(max(pitch, -Flitzis.MAX_PITCH), Flitzis.MAX_PITCH)
        for pad in self.pad_set.pads:
            for prop in PAD_PROPERTIES + PLAYBACK_PROPERTIES:
                pad.connect(f"notify::{prop}", self._on_pad_changed)
        return restored

    def restore_key_lock(self):
        """The engine's key lock, from the key-lock key, and kept there.  Not
        a binding: a build without Rubber Band refuses it (the key is then
        left as it is, for a build that has it)."""
        if key_lock_supported(self.engine):
            try:
                self.engine.set_key_lock(self.settings.get_boolean("key-lock"))
            except GLib.Error:
                pass            # the engine's stays; the window's switch shows it
            self.engine.connect("notify::key-lock", lambda engine, pspec:
                                self.settings.set_boolean("key-lock", engine.props.key_lock))

    def restore_midi_map(self):
        """Sets the engine's MIDI map from the midi-map key; returns the
        error's message when the key's text is not a map (the engine's is
        then left as it was), else None."""
        try:
            self.engine.set_midi_map_from_string(self.settings.get_string("midi-map"))
        except GLib.Error as error:
            return error.message
        return None

    def save_midi_map(self):
        """Keeps the engine's MIDI map, as its text, in the midi-map key."""
        self.settings.set_string("midi-map", self.engine.dup_midi_map_string())

    @property
    def bank(self):
        return min(max(self.settings.get_int("bank"), 0), BANKS - 1)

    @bank.setter
    def bank(self, bank):
        self.settings.set_int("bank", bank)

    def _on_pad_changed(self, pad, pspec):
        # A gain dragged on its slider notifies many times a second: the
        # pads are written once, when the main loop is idle.
        if not self._pending:
            self._pending = GLib.idle_add(self._save_pads)

    def _save_pads(self):
        self._pending = 0
        self.save_pads()
        return GLib.SOURCE_REMOVE

    def save_pads(self):
        entries = [entry for entry in map(pad_entry, self.pad_set.pads) if entry is not None]
        self.settings.set_value("pads", GLib.Variant(PADS_TYPE, entries))
        entries = [entry for entry in map(playback_entry, self.pad_set.pads)
                   if entry is not None]
        self.settings.set_value("pads-playback", GLib.Variant(PLAYBACK_TYPE, entries))

    def flush(self):
        """Writes what is pending, and waits until the back-end has it
        (before the application quits)."""
        if self._pending:
            GLib.source_remove(self._pending)
            self._save_pads()
        Gio.Settings.sync()
