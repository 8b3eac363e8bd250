#!/usr/bin/python3
# flitzis-pads.py: a 4×4 sample pad in GTK 4, on libflitzis
#
# Copyright 2026 The libflitzis authors
# SPDX-License-Identifier: LGPL-2.1-or-later
#
#   examples/flitzis-pads.py [--samples-dir DIR] [FILE...]
#
# Each of the 16 pads is a sample slot (0 to 15) of one Flitzis.AudioEngine.
# Click a pad, or press its key, to play it:
#
#     1 2 3 4
#     q w e r
#     a s d f
#     z x c v
#
# With Shift, a letter key plays its pad alone: every other voice fades
# out ("stop others", play_sample_exclusive()).  Pad 4 loops, and a new
# press restarts it with a 5 ms crossfade (Flitzis.Retrigger.RESTART);
# pads e and s are a choke pair, like an open and a closed hi-hat.
#
# Load a sample into a pad by dropping an audio file on it, or with its
# open button.  A pad lights up while at least one of its voices plays;
# its level meter (the engine's levels signal, 30 times a second: the
# slot's peak) and its playhead (how far its newest voice is through the
# sample) run along its bottom edge.  The waveform under the pads is the
# selected pad's, the last one played (dup_waveform(), a bucket a pixel).
# At start-up the FILEs, or else the demo samples of DIR (kick.wav,
# snare.wav, hat.wav, bass.wav and chord.wav; by default data/samples
# next to this example's directory), go into the first pads.
#
# From a build tree:
#     ./run-uninstalled /usr/bin/python3 examples/flitzis-pads.py
# With no sound card, run it under tools/with-jackd.sh.
#
# Two options exist for the automated test (examples/flitzis-pads-test.py):
#   --print-events     prints one line per event on stdout, flushed at once:
#                      the engine's signals ("sample-started SLOT FRAME",
#                      "sample-finished SLOT FRAME", "voice-dropped SLOT
#                      FRAME", "trigger-late SLOT FRAME LATE", "xrun COUNT
#                      FRAME", "stream-error MESSAGE"), the outcome of run()
#                      ("running DEVICE" or "run-failed MESSAGE") and of
#                      loads ("loaded SLOT NAME", "load-failed SLOT MESSAGE"),
#                      pads lighting up ("lit SLOT") and going dark ("dark
#                      SLOT"), a pad's meter and playhead first showing
#                      something after it lit up ("meter SLOT", "playhead
#                      SLOT"), the waveform drawn for a selected pad
#                      ("waveform SLOT BUCKETS", and "waveform-drawn SLOT
#                      BUCKETS" once on screen), the transport's beats
#                      ("beat BAR BEAT FRAME") and settings ("tempo BPM",
#                      "quantize GRID", "metronome on|off", as the engine's
#                      properties change), the quantize drop-down's list
#                      shown ("quantize-popup"), and where each pad and
#                      transport control is in the window's X surface
#                      ("pad-geometry SLOT X Y WIDTH HEIGHT",
#                      "control-geometry tempo|quantize|metronome X Y
#                      WIDTH HEIGHT") when that changes;
#   --screenshot FILE  once a pad has lit up for the first time, writes the
#                      window as drawn then into the PNG FILE (and prints
#                      "screenshot FILE").

import array
import ctypes
import os
import signal
import sys

import gi
gi.require_version("Flitzis", "1.0")
gi.require_version("Gdk", "4.0")
gi.require_version("Graphene", "1.0")
gi.require_version("Gtk", "4.0")
gi.require_version("Pango", "1.0")
from gi.repository import Flitzis, Gdk, Gio, GLib, GObject, Graphene, Gtk, Pango  # noqa: E402

APP_ID = "org.flitzis.Pads"
KEYS = "1234qwerasdfzxcv"           # pad n is played by KEYS[n]
COLUMNS = 4
DEMO_SAMPLES = ("kick.wav", "snare.wav", "hat.wav", "bass.wav", "chord.wav")
DEFAULT_SAMPLES_DIR = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                                    os.pardir, "data", "samples"))
VELOCITY = 0.9
LOOPING_PAD = 3                     # key 4: loops, and restarts when played again
CHOKE_PAIR = (6, 9)                 # keys e and s: each silences the other
METER_RATE = 30                     # level snapshots a second

# The pads are flat colours without transitions, so that a pad is lit in the
# very frame after its voice started (and a screenshot shows exactly that).
CSS = """
.pad {
  min-width: 110px;
  min-height: 80px;
  border-radius: 10px;
  background: #3d3846;
  color: #ffffff;
  box-shadow: none;
  transition: none;
}
.pad:hover { background: #4f4a58; }
.pad.playing, .pad.playing:hover, .pad.playing:active {
  background: #ff7800;
  color: #000000;
}
.pad:drop(active) { box-shadow: inset 0 0 0 3px #62a0ea; }
.pad-open { color: #ffffff; }
.pad-key { font-weight: bold; font-size: 1.4em; }
.pad-name { font-size: 0.9em; }
.pad.failed .pad-name { color: #ff7b63; }
.pad.pending .pad-name { font-style: italic; opacity: 0.6; }
.pad.playing.failed .pad-name { color: #000000; }
.status.error { color: #e01b24; font-weight: bold; }
levelbar.pad-meter block.filled { background: #57e389; }
levelbar.pad-meter block.empty { background: #241f31; }
progressbar.pad-playhead progress { background: #99c1f1; }
progressbar.pad-playhead trough { background: #241f31; }
"""
WAVEFORM_COLOUR = "#c0bfbc"


class Pad(Gtk.Overlay):
    """One pad: a big button that plays its slot, with the slot's file name
    and key, a small open button in its corner, and a drop target.

    It knows nothing of the engine: it asks for playing and loading with its
    signals, and the window tells it what happened."""

    __gsignals__ = {
        "play": (GObject.SignalFlags.RUN_LAST, None, ()),
        "load": (GObject.SignalFlags.RUN_LAST, None, (str,)),
    }

    def __init__(self, slot):
        super().__init__()
        self.slot = slot
        self.key = KEYS[slot]
        self.path = None      # the file the pad holds, or is to hold
        self.voices = 0       # voices of this slot playing now

        self.chooser = None   # the open dialog, while it is open
        self.name_label = Gtk.Label(label="empty", ellipsize=Pango.EllipsizeMode.END,
                                    max_width_chars=12)
        self.name_label.add_css_class("pad-name")
        key_label = Gtk.Label(label=self.key.upper())
        key_label.add_css_class("pad-key")
        box = Gtk.Box(orientation=Gtk.Orientation.VERTICAL, spacing=4, valign=Gtk.Align.CENTER)
        box.append(key_label)
        box.append(self.name_label)

        self.button = Gtk.Button(child=box, hexpand=True, vexpand=True)
        self.button.add_css_class("pad")
        self.button.connect("clicked", lambda button: self.emit("play"))
        self.set_child(self.button)

        open_button = Gtk.Button(icon_name="document-open-symbolic",
                                 halign=Gtk.Align.END, valign=Gtk.Align.START,
                                 tooltip_text="Load a sample into this pad")
        open_button.add_css_class("flat")
        open_button.add_css_class("circular")
        open_button.add_css_class("pad-open")
        open_button.connect("clicked", self._on_open_clicked)
        self.add_overlay(open_button)

        # The slot's level and where its newest voice is, along the bottom
        # edge; not in the lit colour, which the test looks for.
        bottom = Gtk.Box(orientation=Gtk.Orientation.VERTICAL, spacing=2,
                         valign=Gtk.Align.END, margin_start=8, margin_end=8, margin_bottom=6,
                         can_target=False)
        self.meter = Gtk.LevelBar(min_value=0.0, max_value=1.0)
        self.meter.add_css_class("pad-meter")
        for name in ("low", "high", "full"):
            self.meter.remove_offset_value(name)
        self.playhead = Gtk.ProgressBar()
        self.playhead.add_css_class("pad-playhead")
        bottom.append(self.meter)
        bottom.append(self.playhead)
        self.add_overlay(bottom)
        self.frames = 0       # the loaded sample's, for the playhead
        self.shown = set()    # "meter" and "playhead" once seen since lit

        # Files from a file manager arrive as a Gdk.FileList, a single file
        # from other applications as a Gio.File.
        drop = Gtk.DropTarget.new(GObject.TYPE_NONE, Gdk.DragAction.COPY)
        drop.set_gtypes([Gdk.FileList, Gio.File])
        drop.connect("drop", self._on_drop)
        self.button.add_controller(drop)
        self._update_tooltip(None)

    def _on_drop(self, target, value, x, y):
        files = value.get_files() if isinstance(value, Gdk.FileList) else [value]
        return self._load_file(files[0]) if files else False  # one pad, one sample

    def _load_file(self, file):
        path = file.get_path()
        if path is None:  # a remote file, say: libsndfile reads local files
            self.show_error("Only local files can be loaded")
            return False
        self.emit("load", path)
        return True

    def _on_open_clicked(self, button):
        # GTK 4.8 has no Gtk.FileDialog (4.10); the native chooser is
        # kept in self until it answers.
        self.chooser = Gtk.FileChooserNative.new(
            f"Load a sample into pad {self.key.upper()}", self.get_root(),
            Gtk.FileChooserAction.OPEN, "_Load", "_Cancel")
        audio = Gtk.FileFilter(name="Audio files")
        audio.add_mime_type("audio/*")
        self.chooser.add_filter(audio)
        self.chooser.connect("response", self._on_chooser_response)
        self.chooser.show()

    def _on_chooser_response(self, chooser, response):
        file = chooser.get_file() if response == Gtk.ResponseType.ACCEPT else None
        self.chooser = None
        if file is not None:
            self._load_file(file)

    def show_file(self, path, pending=False):
        """Shows that the pad holds @path (or will, once audio runs)."""
        self.path = path
        self.button.remove_css_class("failed")
        (self.button.add_css_class if pending else self.button.remove_css_class)("pending")
        self.name_label.set_label(GLib.filename_display_basename(path))
        self._update_tooltip("not loaded yet: the audio engine is not running" if pending else None)

    def show_error(self, message):
        """A load failed: the slot keeps what it held, the pad says why."""
        self.button.add_css_class("failed")
        self.name_label.set_label("⚠ " + (GLib.filename_display_basename(self.path)
                                          if self.path else "load failed"))
        self._update_tooltip(message)

    def _update_tooltip(self, problem):
        lines = [GLib.filename_display_name(self.path) if self.path else "Empty pad",
                 f"Click or press {self.key.upper()} to play; drop a file, or open one, to load"]
        if problem:
            lines.insert(1, problem)
        self.button.set_tooltip_text("\n".join(lines))

    def show_levels(self, peak, playhead):
        """A levels snapshot: the slot's peak (unclamped: the bar stops at
        full scale) and its newest voice's frame, or 0.  Returns which of
        "meter" and "playhead" showed something for the first time since
        the pad lit up."""
        self.meter.set_value(min(peak, 1.0))
        self.playhead.set_fraction(min(playhead / self.frames, 1.0) if self.frames else 0.0)
        new = []
        for what, value in (("meter", peak), ("playhead", playhead)):
            if value > 0 and what not in self.shown:
                self.shown.add(what)
                new.append(what)
        return new

    def voice_started(self):
        """Lights the pad up; returns whether it was dark."""
        if self.voices == 0:
            self.shown = set()
        self.voices += 1
        self.button.add_css_class("playing")
        return self.voices == 1

    def voice_finished(self):
        """Counts a voice out; returns whether that was the last one."""
        if self.voices == 0:
            return False  # a voice from before the engine restarted
        self.voices -= 1
        if self.voices == 0:
            self.button.remove_css_class("playing")
        return self.voices == 0

    def silence(self):
        """The engine stopped: its voices end without sample-finished."""
        self.voices = 0
        self.button.remove_css_class("playing")


class WaveformView(Gtk.Widget):
    """A sample's overview: for each bucket (a pixel column) a bar from its
    minimum to its maximum, drawn as GTK render nodes (no cairo)."""

    __gsignals__ = {
        "drawn": (GObject.SignalFlags.RUN_LAST, None, (int,)),
    }

    def __init__(self):
        super().__init__(hexpand=True, height_request=72)
        self.buckets = []     # (min, max) of channel 0 per bucket
        self.colour = Gdk.RGBA()
        self.colour.parse(WAVEFORM_COLOUR)

    def show(self, buckets):
        self.buckets = buckets
        self.queue_draw()

    def do_snapshot(self, snapshot):
        if not self.buckets:
            return
        middle = self.get_height() / 2
        for x, (low, high) in enumerate(self.buckets):
            rect = Graphene.Rect().init(x, middle - high * middle, 1,
                                        max((high - low) * middle, 1))
            snapshot.append_color(self.colour, rect)
        self.emit("drawn", len(self.buckets))


class PadsWindow(Gtk.ApplicationWindow):
    """The pads, the output device and master volume controls, and a status
    line; it connects them to the engine."""

    def __init__(self, application, engine):
        super().__init__(application=application, title="Flitzis Pads")
        self.engine = engine
        self.trace = application.trace
        self.pads = [Pad(slot) for slot in range(len(KEYS))]
        self.geometry = None

        content = Gtk.Box(orientation=Gtk.Orientation.VERTICAL, spacing=12,
                          margin_top=12, margin_bottom=12, margin_start=12, margin_end=12)
        content.append(self._build_controls())
        content.append(self._build_grid())
        self.selected: Pad | None = None    # the pad whose waveform is shown
        self.waveform_area = WaveformView()
        self.waveform_area.connect("drawn", self._on_waveform_drawn)
        content.append(self.waveform_area)
        # Wrapped at 60 characters, so that a long error message makes
        # the window taller, not wider.
        self.status = Gtk.Label(xalign=0, wrap=True, max_width_chars=60, selectable=True)
        self.status.add_css_class("status")
        content.append(self.status)
        self.set_child(content)

        self.held_keys = set()  # hardware keycodes down: repeats play nothing
        keys = Gtk.EventControllerKey()
        keys.connect("key-pressed", self._on_key_pressed)
        keys.connect("key-released", lambda controller, keyval, keycode, state:
                     self.held_keys.discard(keycode))
        self.add_controller(keys)
        # A key let go in another window was never released in this one.
        self.connect("notify::is-active", lambda window, pspec: self.held_keys.clear())

        self._connect_engine()
        self.connect("realize", self._on_realize)

    # ---- building ----

    def _build_controls(self):
        # A factory rather than a Gtk.PropertyExpression on "name": PyGObject
        # 3.42 (Debian 12) cannot pass Gtk.Expression values.
        names = Gtk.SignalListItemFactory()
        names.connect("setup", lambda factory, item: item.set_child(Gtk.Label(xalign=0)))
        names.connect("bind", lambda factory, item:
                      item.get_child().set_label(item.get_item().props.name))
        self.device_drop_down = Gtk.DropDown(factory=names, hexpand=True,
                                             tooltip_text="Output device")
        restart = Gtk.Button(label="Restart audio",
                             tooltip_text="Shut the engine down and run it again")
        restart.connect("clicked", lambda button: self.restart_engine())

        volume = Gtk.Scale.new_with_range(Gtk.Orientation.HORIZONTAL, 0.0, Flitzis.MAX_GAIN, 0.05)
        volume.set_size_request(160, -1)
        volume.set_draw_value(True)
        volume.set_digits(2)
        volume.set_value_pos(Gtk.PositionType.RIGHT)
        volume.add_mark(1.0, Gtk.PositionType.BOTTOM, None)  # unity: the mix as it is
        volume.set_tooltip_text("Master volume (1.0 leaves the mix as it is)")
        self.engine.bind_property("volume", volume.get_adjustment(), "value",
                                  GObject.BindingFlags.BIDIRECTIONAL
                                  | GObject.BindingFlags.SYNC_CREATE)

        controls = Gtk.Box(spacing=8)
        controls.append(self.device_drop_down)
        controls.append(restart)
        controls.append(Gtk.Label(label="Volume"))
        controls.append(volume)
        self._add_clock_controls(controls)
        return controls

    def _add_clock_controls(self, controls):
        """The transport: tempo, the grid triggers wait for, the metronome;
        each bound to the engine's property of that name."""
        both = GObject.BindingFlags.BIDIRECTIONAL | GObject.BindingFlags.SYNC_CREATE
        tempo = Gtk.SpinButton.new_with_range(Flitzis.MIN_TEMPO, Flitzis.MAX_TEMPO, 0.1)
        tempo.set_digits(1)
        tempo.set_tooltip_text("Tempo in beats per minute")
        self.engine.bind_property("tempo", tempo.get_adjustment(), "value", both)
        grids = ["Off", "Bar", "Beat", "1/8", "1/16", "1/32", "1/64"]
        quantize = Gtk.DropDown.new_from_strings(grids)
        quantize.set_tooltip_text("Triggers and stops wait for the next point of this grid")
        quantize.set_selected(int(self.engine.props.quantize))
        quantize.connect("notify::selected", lambda drop, pspec: self.engine.set_quantize(
            Flitzis.Quantize(drop.get_selected())))
        # For the test: the drop-down's list is shown (its popover, a child).
        child = quantize.get_first_child()
        while child is not None:
            if isinstance(child, Gtk.Popover):
                child.connect("map", lambda popover: self.trace("quantize-popup"))
            child = child.get_next_sibling()
        metronome = Gtk.Switch(valign=Gtk.Align.CENTER, tooltip_text="Metronome")
        self.engine.bind_property("metronome", metronome, "active", both)
        self.clock_controls = {"tempo": tempo, "quantize": quantize, "metronome": metronome}
        for widget in (Gtk.Label(label="BPM"), tempo, Gtk.Label(label="Quantize"), quantize,
                       Gtk.Label(label="Click"), metronome):
            controls.append(widget)

    def _build_grid(self):
        grid = Gtk.Grid(row_spacing=8, column_spacing=8,
                        row_homogeneous=True, column_homogeneous=True, vexpand=True)
        for pad in self.pads:
            pad.connect("play", self._on_pad_play)
            pad.connect("load", lambda pad, path: self.load(pad, path))
            grid.attach(pad, pad.slot % COLUMNS, pad.slot // COLUMNS, 1, 1)
        return grid

    def fill_device_list(self):
        """Lists the output devices, preselects the default, and only then
        listens to the selection, so that the preselection restarts
        nothing.  The list follows hot-plug (PipeWire's sinks coming and
        going, in this main context); without PipeWire it is a snapshot."""
        try:
            devices = Flitzis.AudioEngine.monitor_output_devices()
        except GLib.Error as error:
            self.device_drop_down.set_sensitive(False)
            self.show_status(f"No output devices: {error.message}", error=True)
            return
        self.device_drop_down.set_model(devices)
        self.device_drop_down.set_sensitive(devices.get_n_items() > 0)
        devices.connect("items-changed", lambda model, *_:
                        self.device_drop_down.set_sensitive(model.get_n_items() > 0))
        for position, device in enumerate(devices):
            if device.props.is_default:
                self.device_drop_down.set_selected(position)
        self.device_drop_down.connect("notify::selected-item", self._on_device_selected)

    # ---- the engine ----

    def _connect_engine(self):
        engine = self.engine
        engine.connect("sample-started", self._on_sample_started)
        engine.connect("sample-finished", self._on_sample_finished)
        engine.connect("voice-dropped",
                       lambda e, slot, frame: self.trace("voice-dropped", slot, frame))
        engine.connect("trigger-late",
                       lambda e, slot, frame, late: self.trace("trigger-late", slot, frame, late))
        engine.connect("xrun", lambda e, count, frame: self.trace("xrun", count, frame))
        engine.connect("stream-error", self._on_stream_error)
        engine.connect("notify::running", self._on_running_changed)
        engine.connect("levels", self._on_levels)
        engine.connect("beat", lambda e, bar, beat, frame: self.trace("beat", bar, beat, frame))
        engine.connect("notify::tempo", lambda e, pspec: self.trace("tempo", e.props.tempo))
        engine.connect("notify::quantize", lambda e, pspec:
                       self.trace("quantize", e.props.quantize.value_nick))
        engine.connect("notify::metronome", lambda e, pspec:
                       self.trace("metronome", "on" if e.props.metronome else "off"))

    def _on_waveform_drawn(self, view, n):
        if self.selected is not None:
            self.trace("waveform-drawn", self.selected.slot, n)

    def run_engine(self):
        """Runs the engine on the selected device, and loads every pad's
        file again: shut_down() freed the samples."""
        try:
            self.engine.run()
        except GLib.Error as error:
            no_device = error.matches(Flitzis.EngineError.quark(), Flitzis.EngineError.NO_DEVICE)
            what = "No output device" if no_device else "The audio engine did not start"
            self.show_status(f"{what}: {error.message}. Then press Restart audio.", error=True)
            self.trace("run-failed", error.message)
            return
        device = self.engine.props.device or "the default output"
        self.show_status(f"Playing on {device} at {self.engine.props.sample_rate} Hz")
        self.trace("running", device)
        # A pad's settings belong to its slot: set before its sample loads.
        self.engine.set_sample_loop(LOOPING_PAD, True, 0, 0)
        self.engine.set_sample_retrigger(LOOPING_PAD, Flitzis.Retrigger.RESTART)
        for slot in CHOKE_PAIR:
            self.engine.set_sample_choke_group(slot, 1)
        self.engine.props.meter_rate = METER_RATE
        for pad in self.pads:
            if pad.path is not None:
                self.load(pad, pad.path)

    def restart_engine(self):
        self.engine.shut_down()
        self.run_engine()

    def load(self, pad, path):
        if not self.engine.props.running:
            pad.show_file(path, pending=True)  # loaded by the next run_engine()
            return
        self.engine.load_sample_async(pad.slot, path, None, self._on_loaded, (pad, path))

    def _on_loaded(self, engine, result, pad_and_path):
        pad, path = pad_and_path
        try:
            engine.load_sample_finish(result)
        except GLib.Error as error:
            # Superseded by a newer load of the same pad: that one reports.
            if not error.matches(Gio.io_error_quark(), Gio.IOErrorEnum.CANCELLED):
                pad.show_error(error.message)
                self.show_status(f"Pad {pad.key.upper()}: {error.message}", error=True)
                self.trace("load-failed", pad.slot, error.message)
            return
        pad.show_file(path)
        info = engine.dup_sample_info(pad.slot)
        pad.frames = info.get_frames() if info is not None else 0
        self.trace("loaded", pad.slot, GLib.filename_display_basename(path))
        if pad is self.selected:
            self._fetch_waveform()

    # ---- events ----

    def _on_pad_play(self, pad, exclusive=False):
        if pad is not self.selected:
            self.selected = pad
            self._fetch_waveform()
        try:
            if exclusive:
                self.engine.play_sample_exclusive(pad.slot, VELOCITY)  # stops the others
            else:
                self.engine.play_sample(pad.slot, VELOCITY)  # an empty pad plays nothing
        except GLib.Error as error:
            self.show_status(error.message, error=True)

    def _on_key_pressed(self, controller, keyval, keycode, state):
        if state & (Gdk.ModifierType.CONTROL_MASK | Gdk.ModifierType.ALT_MASK):
            return Gdk.EVENT_PROPAGATE
        key = chr(Gdk.keyval_to_unicode(Gdk.keyval_to_lower(keyval)))
        if key not in KEYS:  # "\0" too: a key without a character
            return Gdk.EVENT_PROPAGATE
        if keycode not in self.held_keys:
            self.held_keys.add(keycode)
            self._on_pad_play(self.pads[KEYS.index(key)],
                              exclusive=bool(state & Gdk.ModifierType.SHIFT_MASK))
        return Gdk.EVENT_STOP

    def _pad(self, slot):
        # Slots 16 to 31 have no pad (another program could use them).
        return self.pads[slot] if slot < len(self.pads) else None

    def _on_sample_started(self, engine, slot, frame):
        self.trace("sample-started", slot, frame)
        pad = self._pad(slot)
        if pad is not None and pad.voice_started():
            self.trace("lit", slot)
            self.get_application().pad_lit(self)

    def _on_levels(self, engine, levels):
        for pad in self.pads:
            for what in pad.show_levels(levels.get_slot_peak(pad.slot),
                                        levels.get_slot_playhead(pad.slot)):
                self.trace(what, pad.slot)

    # ---- the selected pad's waveform ----

    def _fetch_waveform(self):
        """Asks the engine for the selected pad's overview, a bucket per
        pixel of the area's width: min then max of each channel."""
        pad, width = self.selected, self.waveform_area.get_width()
        buckets = []
        if pad is not None and pad.frames > 0 and width > 0 and self.engine.props.running:
            try:
                data = self.engine.dup_waveform(pad.slot, 0, pad.frames, width).get_data()
            except GLib.Error as error:
                self.show_status(error.message, error=True)
            else:
                values = array.array("f", data)
                if sys.byteorder == "big":
                    values.byteswap()  # the engine gives little-endian floats
                stride = len(values) // width  # 2 floats a channel
                buckets = [(values[b * stride], values[b * stride + 1]) for b in range(width)]
                self.trace("waveform", pad.slot, width)
        self.waveform_area.show(buckets)

    def _on_sample_finished(self, engine, slot, frame):
        self.trace("sample-finished", slot, frame)
        pad = self._pad(slot)
        if pad is not None and pad.voice_finished():
            self.trace("dark", slot)

    def _on_stream_error(self, engine, error, frame):
        self.trace("stream-error", error.message)
        self.show_status(f"Audio stopped: {error.message}. Restart audio to go on.", error=True)

    def _on_running_changed(self, engine, pspec):
        """A stopped engine has freed every sample: the pads keep their
        files, to load again when it runs."""
        if engine.props.running:
            return
        for pad in self.pads:
            pad.silence()
            if pad.path is not None:
                pad.show_file(pad.path, pending=True)

    def _on_device_selected(self, drop_down, pspec):
        device = drop_down.get_selected_item()
        if device is not None:
            self.engine.props.device = device.props.name
            self.restart_engine()

    def show_status(self, text, error=False):
        self.status.set_label(text)
        (self.status.add_css_class if error else self.status.remove_css_class)("error")

    # ---- test hooks ----

    def _on_realize(self, window):
        self.get_frame_clock().connect("after-paint", self._trace_geometry)

    def _trace_geometry(self, frame_clock):
        """Prints where the pads are in the X surface, for clicks by
        XTEST: the window's coordinates shifted by the client-side
        decorations, if any."""
        offset_x, offset_y = self.get_surface_transform()
        widgets = [("pad-geometry", pad.slot, pad.button) for pad in self.pads]
        widgets += [("control-geometry", name, widget)
                    for name, widget in self.clock_controls.items()]
        geometry = []
        for kind, name, widget in widgets:
            found, bounds = widget.compute_bounds(self)
            if not found:
                return
            geometry.append((kind, name, round(bounds.origin.x + offset_x),
                             round(bounds.origin.y + offset_y),
                             round(bounds.size.width), round(bounds.size.height)))
        if geometry != self.geometry:
            self.geometry = geometry
            for line in geometry:
                self.trace(*line)

    def when_painted(self, callback):
        """Calls @callback once the next frame has been drawn."""
        frame_clock = self.get_frame_clock()

        def on_after_paint(clock):
            clock.disconnect(handler)
            callback()
        handler = frame_clock.connect("after-paint", on_after_paint)
        self.queue_draw()

    def save_screenshot(self, path):
        """Draws the window as it is on screen into the PNG @path.  Call it
        once a frame has been drawn (when_painted()): the paintable shows
        the window's last frame."""
        snapshot = Gtk.Snapshot.new()
        Gtk.WidgetPaintable.new(self).snapshot(snapshot, self.get_width(), self.get_height())
        render_snapshot_to_png(snapshot, self.get_renderer(), path)


def render_snapshot_to_png(snapshot, renderer, path):
    """Renders @snapshot with @renderer into the PNG @path.

    Gtk.Snapshot.to_node() and Gsk.Renderer.render_texture() are called
    through ctypes: the render node between them is a GskRenderNode, a
    fundamental type that PyGObject 3.42 (Debian 12) cannot carry
    ("No means to translate argument or return value")."""
    gtk = ctypes.CDLL("libgtk-4.so.1")  # already loaded by Gtk
    gtk.gtk_snapshot_to_node.restype = ctypes.c_void_p
    gtk.gtk_snapshot_to_node.argtypes = [ctypes.c_void_p]
    gtk.gsk_renderer_render_texture.restype = ctypes.c_void_p
    gtk.gsk_renderer_render_texture.argtypes = [ctypes.c_void_p] * 3
    gtk.gsk_render_node_unref.argtypes = [ctypes.c_void_p]
    gtk.gdk_texture_save_to_png.restype = ctypes.c_bool
    gtk.gdk_texture_save_to_png.argtypes = [ctypes.c_void_p, ctypes.c_char_p]
    gtk.g_object_unref.argtypes = [ctypes.c_void_p]

    node = gtk.gtk_snapshot_to_node(c_pointer(snapshot))
    if not node:
        raise RuntimeError("the window drew nothing")
    texture = gtk.gsk_renderer_render_texture(c_pointer(renderer), node, None)
    gtk.gsk_render_node_unref(node)
    saved = gtk.gdk_texture_save_to_png(texture, os.fsencode(path))
    gtk.g_object_unref(texture)
    if not saved:
        raise RuntimeError(f"could not write {path}")


def c_pointer(gobject):
    """The address of a PyGObject wrapper's C instance."""
    get_pointer = ctypes.pythonapi.PyCapsule_GetPointer
    get_pointer.restype = ctypes.c_void_p
    get_pointer.argtypes = [ctypes.py_object, ctypes.c_char_p]
    return get_pointer(gobject.__gpointer__, None)


class PadsApplication(Gtk.Application):
    def __init__(self):
        # Non-unique: a second instance (or a test) gets its own engine.
        super().__init__(application_id=APP_ID,
                         flags=Gio.ApplicationFlags.NON_UNIQUE | Gio.ApplicationFlags.HANDLES_OPEN)
        self.engine = None
        self.samples_dir = DEFAULT_SAMPLES_DIR
        self.screenshot = None
        self.print_events = False
        self.add_main_option("samples-dir", 0, GLib.OptionFlags.NONE, GLib.OptionArg.FILENAME,
                             "Load the demo samples of DIR into the first pads", "DIR")
        self.add_main_option("print-events", 0, GLib.OptionFlags.NONE, GLib.OptionArg.NONE,
                             "Print every engine event on standard output (for tests)", None)
        self.add_main_option("screenshot", 0, GLib.OptionFlags.NONE, GLib.OptionArg.FILENAME,
                             "Save the window as a PNG once a pad lights up (for tests)", "FILE")

    def do_handle_local_options(self, options):
        def filename(name):
            value = options.lookup_value(name, GLib.VariantType("ay"))
            return os.fsdecode(value.get_bytestring().rstrip(b"\0")) if value else None

        self.samples_dir = filename("samples-dir") or self.samples_dir
        self.screenshot = filename("screenshot")
        self.print_events = options.contains("print-events")
        return -1  # go on: activate or open

    def do_startup(self):
        Gtk.Application.do_startup(self)
        css = Gtk.CssProvider()
        css.load_from_data(CSS.encode())
        Gtk.StyleContext.add_provider_for_display(Gdk.Display.get_default(), css,
                                                  Gtk.STYLE_PROVIDER_PRIORITY_APPLICATION)
        # A terminal's Ctrl+C, or a test's SIGTERM, ends the application
        # cleanly: the engine is shut down in do_shutdown().
        for signum in (signal.SIGINT, signal.SIGTERM):
            GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, signum, self._on_quit_signal)
        self.engine = Flitzis.AudioEngine()

    def _on_quit_signal(self):
        self.quit()
        return GLib.SOURCE_CONTINUE

    def do_shutdown(self):
        self.engine.shut_down()
        Gtk.Application.do_shutdown(self)

    def do_activate(self):
        samples = (os.path.join(self.samples_dir, name) for name in DEMO_SAMPLES)
        self.open_window([path for path in samples if os.path.isfile(path)])

    def do_open(self, files, n_files, hint):
        self.open_window([file.get_path() for file in files if file.get_path()])

    def open_window(self, paths):
        window = self.get_active_window()
        if window is None:
            window = PadsWindow(self, self.engine)
            window.fill_device_list()
            window.run_engine()
        for pad, path in zip(window.pads, paths):
            window.load(pad, path)
        window.present()

    def pad_lit(self, window):
        """The --screenshot hook: draws the window once the first pad to
        light up is lit on screen."""
        if self.screenshot is None:
            return
        path, self.screenshot = self.screenshot, None

        def save():
            window.save_screenshot(path)
            self.trace("screenshot", path)
        window.when_painted(save)

    def trace(self, *fields):
        if self.print_events:
            print(*fields, flush=True)


def main():
    if Gdk.Display.get_default() is None:  # importing Gtk opened it, or could not
        print("flitzis-pads: cannot open a display", file=sys.stderr)
        return 1
    return PadsApplication().run(sys.argv)


if __name__ == "__main__":
    sys.exit(main())
