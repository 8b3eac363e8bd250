# pads.py: what a pad is, and how its settings reach the engine
#
# Copyright 2026 The libflitzis authors
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The pads' model, without GTK, so that it can be tested on an offline
engine.  Pad n of bank b plays engine slot b * PADS_PER_BANK + n; the
engine is made with BANKS * PADS_PER_BANK slots (its ``slots`` property).

Every call here runs in the main context."""

import os

import gi
gi.require_version("Flitzis", "1.0")
from gi.repository import Flitzis, GLib, GObject  # noqa: E402

from flitzispads.i18n import _  # noqa: E402

BANKS = 6
PADS_PER_BANK = 16
SLOTS = BANKS * PADS_PER_BANK
BANK_NAMES = "ABCDEF"
KEYS = "1234qwerasdfzxcv"     # pad n of the shown bank is played by KEYS[n]
VELOCITY = 0.9


# What a press does: the two ways a sample ends, and what a press on a
# sounding pad does (the engine's Flitzis.Retrigger).  Translated when
# shown: mode_names(), retrigger_names().
MODES = ("One-shot", "Loop")
RETRIGGERS = (("Layer", Flitzis.Retrigger.LAYER),
              ("Restart", Flitzis.Retrigger.RESTART),
              ("Toggle", Flitzis.Retrigger.TOGGLE))


# A pad's key lock: the transport's (the engine's key-lock property), or
# its own, on or off (Flitzis.AudioEngine.set_sample_key_lock()).
KEY_LOCKS = ("default", "on", "off")


def key_lock_names():
    # TRANSLATORS: a pad's key lock: as the transport's switch, on or off
    return [_("As the Transport"), _("On"), _("Off")]


def key_lock_supported(engine):
    """Whether @engine's build can key-lock and pitch-shift (Rubber Band):
    asked of a stopped slot call, which says NOT_SUPPORTED before
    anything else and changes nothing otherwise."""
    try:
        engine.set_sample_pitch(0, 0.0)
    except GLib.Error as error:
        return not error.matches(Flitzis.EngineError.quark(), Flitzis.EngineError.NOT_SUPPORTED)
    return True


def mode_names():
    # TRANSLATORS: a pad's mode: its sample plays once, or loops
    return [_("One-shot"), _("Loop")]


def retrigger_names():
    # TRANSLATORS: what a press on a pad that is playing does
    return [_("Layer"), _("Restart"), _("Toggle")]


class PadSettings(GObject.Object):
    """One pad's settings.  They belong to its engine slot, which keeps
    them across loads of new samples; apply() sets them all again after
    the engine ran again (shut_down() forgets them with the samples)."""

    __gtype_name__ = "FlitzisPadsPadSettings"

    name = GObject.Property(type=str, default="")
    path = GObject.Property(type=str, default=None)
    loop = GObject.Property(type=bool, default=False)
    retrigger = GObject.Property(type=int, default=int(Flitzis.Retrigger.LAYER))
    gain = GObject.Property(type=float, default=1.0, minimum=0.0, maximum=Flitzis.MAX_GAIN)
    speed = GObject.Property(type=float, default=1.0, minimum=Flitzis.MIN_SPEED,
                             maximum=Flitzis.MAX_SPEED)
    key_lock = GObject.Property(type=str, default="default")     # KEY_LOCKS
    pitch = GObject.Property(type=float, default=0.0, minimum=-Flitzis.MAX_PITCH,
                             maximum=Flitzis.MAX_PITCH)

    def __init__(self, slot):
        super().__init__()
        self.slot = slot
        self.bank = slot // PADS_PER_BANK
        self.index = slot % PADS_PER_BANK
        self.key = KEYS[self.index]
        self.locked = False    # its key lock was set in this run of the engine

    @property
    def label(self):
        """What the pad shows: its own name, else its file's, else "empty"."""
        if self.name:
            return self.name
        if self.path:
            return os.path.splitext(GLib.filename_display_basename(self.path))[0]
        # TRANSLATORS: the label of a pad without a sample
        return _("empty")

    def apply(self, engine):
        """Sets the slot's loop, retrigger policy, gain, speed, key lock
        and pitch on @engine; raises GLib.Error (an engine error says what
        was wrong).  Key lock and pitch as new are not set (a build
        without Rubber Band refuses them): a slot never set follows the
        engine's key-lock property.  One set in this run follows it by
        being set to the property's value (PadSet.follow_key_lock())."""
        engine.set_sample_loop(self.slot, self.loop, 0, 0)
        engine.set_sample_retrigger(self.slot, Flitzis.Retrigger(self.retrigger))
        engine.set_sample_gain(self.slot, self.gain)
        engine.set_sample_speed(self.slot, self.speed)
        if self.key_lock != "default":
            engine.set_sample_key_lock(self.slot, self.key_lock == "on")
            self.locked = True
        elif self.locked:
            engine.set_sample_key_lock(self.slot, engine.props.key_lock)
        if self.pitch != 0.0 or self.locked:
            engine.set_sample_pitch(self.slot, self.pitch)


class PadSet(GObject.Object):
    """All the pads of every bank, and the engine they play on.  A setting
    changed on a pad reaches the engine at once, or, while it does not
    run, when it runs."""

    __gtype_name__ = "FlitzisPadsPadSet"
    __gsignals__ = {
        # An engine call failed: (pad settings, message).
        "error": (GObject.SignalFlags.RUN_LAST, None, (PadSettings, str)),
    }

    def __init__(self, engine):
        super().__init__()
        self.engine = engine
        self.pads = [PadSettings(slot) for slot in range(SLOTS)]
        for pad in self.pads:
            for prop in ("loop", "retrigger", "gain", "speed", "key-lock", "pitch"):
                pad.connect(f"notify::{prop}", self._on_setting_changed)
        engine.connect("notify::key-lock", self._follow_key_lock)
        engine.connect("notify::running", self._on_running_changed)

    def __getitem__(self, slot):
        return self.pads[slot]

    def bank(self, bank):
        return self.pads[bank * PADS_PER_BANK:(bank + 1) * PADS_PER_BANK]

    def _on_setting_changed(self, pad, pspec):
        if self.engine.props.running:   # else apply_all() after run()
            self._apply(pad)

    def _apply(self, pad):
        try:
            pad.apply(self.engine)
        except GLib.Error as error:
            self.emit("error", pad, error.message)
            return False
        return True

    def _follow_key_lock(self, engine, pspec):
        """The transport's key lock changed: the pads that follow it and
        were set in this run are set to it again."""
        if engine.props.running:
            for pad in self.pads:
                if pad.locked and pad.key_lock == "default":
                    self._apply(pad)

    def _on_running_changed(self, engine, pspec):
        # A new run starts with every slot as new.
        for pad in self.pads:
            pad.locked = False

    def apply_all(self):
        """After run(): every pad's settings, before its sample loads."""
        for pad in self.pads:
            self._apply(pad)

    def play(self, pad, exclusive=False):
        """Plays @pad (an empty one plays nothing); raises GLib.Error."""
        if exclusive:
            self.engine.play_sample_exclusive(pad.slot, VELOCITY)
        else:
            self.engine.play_sample(pad.slot, VELOCITY)
