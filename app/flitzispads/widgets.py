# widgets.py: a pad, its meter, and the selected pad's waveform
#
# Copyright 2026 The libflitzis authors
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The widgets know nothing of the engine: a pad asks for playing,
selecting and loading with its signals, and the window tells it what
happened.  They draw with the style's named colours (accent_bg_color,
window_fg_color, ...), so that they follow the light and the dark style;
they draw through Gtk.Snapshot, which needs no cairo binding."""

import array
import math
import sys

import gi
gi.require_version("Gdk", "4.0")
gi.require_version("Graphene", "1.0")
gi.require_version("Gtk", "4.0")
gi.require_version("Pango", "1.0")
from gi.repository import Gdk, Gio, GLib, GObject, Graphene, Gtk, Pango  # noqa: E402

from flitzispads.i18n import _  # noqa: E402

METER_FLOOR_DB = -60.0
METER_FALL_DB_PER_S = 24.0      # how fast a meter falls once its sound stops


def style_color(widget, name, alpha=1.0):
    """The style's named colour @name (libadwaita defines them for both
    styles), with its alpha multiplied by @alpha."""
    found, rgba = widget.get_style_context().lookup_color(name)
    if not found:
        rgba = widget.get_style_context().get_color()
    rgba.alpha *= alpha
    return rgba


def peak_to_fraction(peak):
    """A peak (1.0 = full scale) as a fraction of a meter, in dB from
    METER_FLOOR_DB to 0."""
    if peak <= 0.0:
        return 0.0
    db = 20.0 * math.log10(peak)
    return min(1.0, max(0.0, 1.0 - db / METER_FLOOR_DB))


def _rect(x, y, width, height):
    return Graphene.Rect().init(x, y, width, height)


class Meter(Gtk.Widget):
    """A pad's level (a bar in the accent colour) and its playhead (a thin
    line under it: how far through its sample the newest voice is).  The
    level falls at METER_FALL_DB_PER_S between the engine's reports."""

    __gtype_name__ = "FlitzisPadsMeter"

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.set_size_request(-1, 10)
        self.level = 0.0          # fraction drawn now
        self.progress = 0.0       # playhead / sample length
        self._tick = None
        self._last_time = None

    def update(self, peak, progress):
        level = peak_to_fraction(peak)
        if level >= self.level:
            self.level = level
        self.progress = progress
        if self.level > 0.0 and self._tick is None:
            self._last_time = None
            self._tick = self.add_tick_callback(self._on_tick)
        self.queue_draw()

    def _on_tick(self, widget, clock):
        now = clock.get_frame_time()
        if self._last_time is not None:
            fall = (now - self._last_time) / 1e6 * METER_FALL_DB_PER_S / -METER_FLOOR_DB
            self.level = max(0.0, self.level - fall)
            self.queue_draw()
        self._last_time = now
        if self.level > 0.0:
            return GLib.SOURCE_CONTINUE
        self._tick = None
        return GLib.SOURCE_REMOVE

    def do_snapshot(self, snapshot):
        width, height = self.get_width(), self.get_height()
        bar = height - 3
        snapshot.append_color(style_color(self, "window_fg_color", 0.15), _rect(0, 0, width, bar))
        if self.level > 0.0:
            snapshot.append_color(style_color(self, "accent_bg_color"),
                                  _rect(0, 0, width * self.level, bar))
        if self.progress > 0.0:
            snapshot.append_color(style_color(self, "window_fg_color", 0.6),
                                  _rect(0, bar + 1, width * self.progress, 2))


class Pad(Gtk.Button):
    """One pad: its key, its name and its meter; a click plays and selects
    it, a dropped audio file loads into it."""

    __gtype_name__ = "FlitzisPadsPad"
    __gsignals__ = {
        "play": (GObject.SignalFlags.RUN_LAST, None, ()),
        "load": (GObject.SignalFlags.RUN_LAST, None, (str,)),
    }

    def __init__(self, settings):
        super().__init__(hexpand=True, vexpand=True)
        self.settings = settings
        self.voices = 0
        self.problem = None
        self.add_css_class("pad")

        key = Gtk.Label(label=settings.key.upper(), xalign=0)
        key.add_css_class("pad-key")
        self.mode_label = Gtk.Label(xalign=1, hexpand=True)
        self.mode_label.add_css_class("dim-label")
        # The MIDI note that plays the pad ("C2 ch1"), when one does.
        self.midi_label = Gtk.Label(xalign=0)
        self.midi_label.add_css_class("pad-midi")
        top = Gtk.Box(spacing=6)
        top.append(key)
        top.append(self.midi_label)
        top.append(self.mode_label)
        self.name_label = Gtk.Label(ellipsize=Pango.EllipsizeMode.END, max_width_chars=10,
                                    vexpand=True)
        self.meter = Meter()
        box = Gtk.Box(orientation=Gtk.Orientation.VERTICAL, spacing=4)
        box.append(top)
        box.append(self.name_label)
        box.append(self.meter)
        self.set_child(box)
        self.connect("clicked", lambda button: self.emit("play"))

        drop = Gtk.DropTarget.new(GObject.TYPE_NONE, Gdk.DragAction.COPY)
        drop.set_gtypes([Gdk.FileList, Gio.File])
        drop.connect("drop", self._on_drop)
        self.add_controller(drop)
        for prop in ("name", "path", "loop", "retrigger", "gain"):
            settings.connect(f"notify::{prop}", lambda *args: self.refresh())
        self.refresh()

    def _on_drop(self, target, value, x, y):
        files = value.get_files() if isinstance(value, Gdk.FileList) else [value]
        path = files[0].get_path() if files else None
        if path is None:
            return False
        self.emit("load", path)
        return True

    def refresh(self, problem=None):
        """Shows the pad's settings, and why its last load failed, if it did."""
        self.problem = problem
        s = self.settings
        self.name_label.set_label(("⚠ " if problem else "") + s.label)
        # TRANSLATORS: shown in the corner of a pad that loops
        mode = _("loop") if s.loop else ""
        self.mode_label.set_label(mode)
        lines = [s.path or _("Empty pad"),
                 _("Press {key} to play; drop an audio file to load").format(key=s.key.upper())]
        if problem:
            lines.insert(1, problem)
        self.set_tooltip_text("\n".join(lines))
        (self.remove_css_class if s.path else self.add_css_class)("empty")

    def set_midi(self, label):
        """Shows the MIDI note that plays the pad ("" for none)."""
        self.midi_label.set_label(label)

    def set_selected(self, selected):
        (self.add_css_class if selected else self.remove_css_class)("selected")

    def voice_started(self):
        """Lights the pad up; returns whether it was dark."""
        self.voices += 1
        self.add_css_class("playing")
        return self.voices == 1

    def voice_finished(self):
        """Counts a voice out; returns whether that was the last one."""
        if self.voices == 0:
            return False  # a voice from before the engine restarted
        self.voices -= 1
        if self.voices == 0:
            self.remove_css_class("playing")
        return self.voices == 0

    def silence(self):
        self.voices = 0
        self.remove_css_class("playing")
        self.meter.update(0.0, 0.0)


class Waveform(Gtk.Widget):
    """The selected pad's waveform (Flitzis.AudioEngine.dup_waveform(): a
    minimum and a maximum per bucket and channel, float32) with its
    playhead in the accent colour."""

    __gtype_name__ = "FlitzisPadsWaveform"

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.set_size_request(240, 96)
        self.values = None     # array of floats: bucket, channel, min/max
        self.channels = 1
        self.progress = 0.0

    def set_waveform(self, data, channels):
        self.values = array.array("f", data) if data is not None else None
        if self.values is not None and sys.byteorder == "big":
            self.values.byteswap()          # dup_waveform() gives little-endian floats
        self.channels = max(1, channels)
        self.progress = 0.0
        self.queue_draw()

    def set_progress(self, progress):
        if progress != self.progress:
            self.progress = progress
            self.queue_draw()

    @property
    def n_buckets(self):
        return len(self.values) // (2 * self.channels) if self.values else 0

    def do_snapshot(self, snapshot):
        width, height = self.get_width(), self.get_height()
        snapshot.append_color(style_color(self, "window_fg_color", 0.06),
                              _rect(0, 0, width, height))
        n = self.n_buckets
        if n == 0:
            return
        ink = style_color(self, "window_fg_color", 0.8)
        middle = height / 2
        step = width / n
        for bucket in range(n):
            low, high = 0.0, 0.0
            for channel in range(self.channels):
                base = (bucket * self.channels + channel) * 2
                low = min(low, self.values[base])
                high = max(high, self.values[base + 1])
            top = middle - max(high, 0.0) * middle
            bottom = middle - min(low, 0.0) * middle
            snapshot.append_color(ink, _rect(bucket * step, top, max(step, 1.0),
                                             max(bottom - top, 1.0)))
        if self.progress > 0.0:
            snapshot.append_color(style_color(self, "accent_bg_color"),
                                  _rect(width * self.progress - 1, 0, 2, height))
