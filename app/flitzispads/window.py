# window.py: the main window of Flitzis Pads
#
# Copyright 2026 The libflitzis authors
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The header bar (output device, title, main menu), the transport
(tempo, quantize, metronome, master volume and level; speed, tempo lock,
key lock and MIDI learn), the banks of pads, the selected pad's settings
and waveform, and toasts for what went wrong.
Every method runs in the main context, as do the engine's signals."""

import os

import gi
gi.require_version("Adw", "1")
gi.require_version("Flitzis", "1.0")
gi.require_version("Gtk", "4.0")
from gi.repository import Adw, Flitzis, Gdk, Gio, GLib, GObject, Gtk  # noqa: E402

from flitzispads import midilearn, state, testhooks
from flitzispads.i18n import _, ngettext
from flitzispads.pads import (BANK_NAMES, BANKS, KEY_LOCKS, KEYS, PADS_PER_BANK, RETRIGGERS,
                              PadSet, key_lock_names, key_lock_supported, mode_names,
                              retrigger_names)
from flitzispads.widgets import Pad, Waveform, peak_to_fraction

COLUMNS = 4
METER_RATE = 30            # levels reports a second
WAVEFORM_BUCKETS = 240

def quantize_grids():
    # TRANSLATORS: the quantize drop-down: no grid, a bar, a beat, note values
    return [_("Off"), _("Bar"), _("Beat"), "1/8", "1/16", "1/32", "1/64"]

BOTH = GObject.BindingFlags.BIDIRECTIONAL | GObject.BindingFlags.SYNC_CREATE


def pad_name(settings):
    """"A1" for the first pad of bank A."""
    return f"{BANK_NAMES[settings.bank]}{settings.index + 1}"


def pad_title(settings):
    return _("Pad {pad}").format(pad=pad_name(settings))


class PadsWindow(Adw.ApplicationWindow):
    __gtype_name__ = "FlitzisPadsWindow"

    def __init__(self, application, engine, trace):
        super().__init__(application=application, title=_("Flitzis Pads"),
                         default_width=1000, default_height=640)
        self.engine = engine
        self.trace = trace
        self.pad_set = PadSet(engine)
        self.pad_set.connect("error", lambda s, pad, message: self.toast(
            # TRANSLATORS: {pad} is a pad ("A1"), {message} an engine error
            _("Pad {pad}: {message}").format(pad=pad_name(pad), message=message)))
        self.pads = [Pad(settings) for settings in self.pad_set.pads]
        self.frames = [0] * len(self.pads)     # each slot's sample length
        self.selected = None
        self.geometry = None
        self.screenshot = None
        self.counted = {}                      # kind: [toast shown, losses]
        self.chooser = None                    # the open dialog, while it is open
        self.meter_traced = set()
        self.playhead_traced = set()
        self.saved = None                      # state.SavedState, from keep_state()
        self.controls = {}                     # name: widget, for the test's clicks
        self.key_lock_supported = key_lock_supported(engine)
        self.midi_map = midilearn.MidiMap()    # what the engine's MIDI map plays
        self.midi_fifo = None                  # the test's MIDI bytes (open_midi_fifo())

        self.toasts = Adw.ToastOverlay()
        self.toasts.set_child(self._build_body())
        box = Gtk.Box(orientation=Gtk.Orientation.VERTICAL)
        box.append(self._build_header())
        box.append(self.toasts)
        self.set_content(box)

        self._build_actions()
        self._build_keys()
        self._connect_engine()
        self.select(self.pad_set[0])
        self.connect("realize", lambda window: self.get_frame_clock().connect(
            "after-paint", self._trace_geometry))

    # ---- building ----

    def _build_header(self):
        header = Adw.HeaderBar()
        # A factory rather than a Gtk.PropertyExpression on "name": PyGObject
        # 3.42 (Debian 12) cannot pass Gtk.Expression values.
        names = Gtk.SignalListItemFactory()
        names.connect("setup", lambda factory, item: item.set_child(Gtk.Label(xalign=0)))
        names.connect("bind", lambda factory, item:
                      item.get_child().set_label(item.get_item().props.name))
        self.device_drop_down = Gtk.DropDown(factory=names, tooltip_text=_("Output device"))
        header.pack_start(self.device_drop_down)
        self.title = Adw.WindowTitle(title=_("Flitzis Pads"))
        header.set_title_widget(self.title)

        menu = Gio.Menu()
        section = Gio.Menu()
        section.append(_("_Restart Audio"), "win.restart-audio")
        # TRANSLATORS: a check item: the engine's MIDI input port (JACK)
        section.append(_("_MIDI Input"), "win.midi-input")
        section.append(_("_Forget MIDI Mappings"), "win.forget-midi")
        menu.append_section(None, section)
        section = Gio.Menu()
        section.append(_("_Keyboard Shortcuts"), "win.show-help-overlay")
        section.append(_("_About Flitzis Pads"), "app.about")
        menu.append_section(None, section)
        main_menu = Gtk.MenuButton(icon_name="open-menu-symbolic", menu_model=menu,
                                   primary=True, tooltip_text=_("Main Menu"))
        # For the test: the menu is shown, so its mnemonics take keys now.
        main_menu.get_popover().connect("map", lambda popover: self.trace("main-menu-popup"))
        header.pack_end(main_menu)
        return header

    def _build_body(self):
        left = Gtk.Box(orientation=Gtk.Orientation.VERTICAL, spacing=12, hexpand=True)
        left.append(self._build_transport())
        self.banks = Gtk.Stack(vexpand=True)
        for bank in range(BANKS):
            self.banks.add_titled(self._build_bank(bank), str(bank),
                                  _("Bank {letter}").format(letter=BANK_NAMES[bank]))
        self.banks.connect("notify::visible-child-name", self._on_bank_changed)
        switcher = Gtk.StackSwitcher(stack=self.banks, halign=Gtk.Align.CENTER)
        left.append(switcher)
        left.append(self.banks)

        body = Gtk.Box(spacing=18, margin_top=12, margin_bottom=12,
                       margin_start=12, margin_end=12)
        body.append(left)
        body.append(self._build_sidebar())
        return body

    def _build_transport(self):
        """Tempo, the grid triggers wait for, the metronome and the master
        volume, each bound to the engine's property of that name; the
        master level beside them."""
        tempo = Gtk.SpinButton.new_with_range(Flitzis.MIN_TEMPO, Flitzis.MAX_TEMPO, 0.1)
        tempo.set_digits(1)
        tempo.set_tooltip_text(_("Tempo in beats per minute"))
        self.engine.bind_property("tempo", tempo.get_adjustment(), "value", BOTH)
        quantize = Gtk.DropDown.new_from_strings(quantize_grids())
        quantize.set_tooltip_text(_("Presses and stops wait for the next point of this grid"))
        quantize.set_selected(int(self.engine.props.quantize))
        quantize.connect("notify::selected", lambda drop, pspec: self.engine.set_quantize(
            Flitzis.Quantize(drop.get_selected())))
        # The engine's quantize may change elsewhere (the settings): the
        # drop-down follows it.
        self.engine.connect("notify::quantize", lambda engine, pspec: quantize.set_selected(
            int(engine.props.quantize)))
        # For the test: the drop-down's list is shown (its popover, a child).
        child = quantize.get_first_child()
        while child is not None:
            if isinstance(child, Gtk.Popover):
                child.connect("map", lambda popover: self.trace("quantize-popup"))
            child = child.get_next_sibling()
        metronome = Gtk.Switch(valign=Gtk.Align.CENTER, tooltip_text=_("Metronome"))
        self.engine.bind_property("metronome", metronome, "active", BOTH)

        volume = Gtk.Scale.new_with_range(Gtk.Orientation.HORIZONTAL, 0.0, Flitzis.MAX_GAIN, 0.05)
        volume.set_hexpand(True)
        volume.add_mark(1.0, Gtk.PositionType.BOTTOM, None)  # unity: the mix as it is
        volume.set_tooltip_text(_("Master volume (the mark leaves the mix as it is)"))
        self.engine.bind_property("volume", volume.get_adjustment(), "value", BOTH)
        self.master_level = Gtk.LevelBar(min_value=0.0, max_value=1.0, hexpand=True,
                                         valign=Gtk.Align.CENTER,
                                         tooltip_text=_("Master level"))
        self.controls.update(tempo=tempo, quantize=quantize, metronome=metronome)
        transport = Gtk.Box(spacing=8)
        # TRANSLATORS: BPM is beats per minute; "Click" labels the metronome
        for widget in (Gtk.Label(label=_("BPM")), tempo, Gtk.Label(label=_("Quantize")),
                       quantize, Gtk.Label(label=_("Click")), metronome,
                       Gtk.Label(label=_("Volume")), volume, self.master_level):
            transport.append(widget)
        rows = Gtk.Box(orientation=Gtk.Orientation.VERTICAL, spacing=8)
        rows.append(transport)
        rows.append(self._build_playback())
        return rows

    def _build_playback(self):
        """The master speed (a slider and a field on one adjustment, bound
        to the engine's speed property), tempo lock and key lock (the
        engine's properties: the default of every pad), and MIDI learn."""
        speed = Gtk.Adjustment(lower=Flitzis.MIN_SPEED, upper=Flitzis.MAX_SPEED,
                               step_increment=0.05, page_increment=0.25, value=1.0)
        self.engine.bind_property("speed", speed, "value", BOTH)
        speed_scale = Gtk.Scale(adjustment=speed, hexpand=True, draw_value=False,
                                tooltip_text=_("Master speed: how fast every pad plays"))
        speed_scale.add_mark(1.0, Gtk.PositionType.BOTTOM, None)  # as recorded
        speed_field = Gtk.SpinButton(adjustment=speed, digits=2,
                                     tooltip_text=_("Master speed, 0.25 to 4 times as recorded"))
        tempo_lock = Gtk.Switch(valign=Gtk.Align.CENTER,
                                tooltip_text=_("Pads that know their tempo play at the "
                                               "transport’s"))
        self.engine.bind_property("tempo-lock", tempo_lock, "active", BOTH)
        self.key_lock_switch = Gtk.Switch(valign=Gtk.Align.CENTER)
        if self.key_lock_supported:
            self.key_lock_switch.set_tooltip_text(
                _("Pads keep their pitch when their speed changes"))
            self.key_lock_switch.set_active(self.engine.props.key_lock)
            self.key_lock_switch.connect("notify::active", self._on_key_lock_set)
            self.engine.connect("notify::key-lock", lambda engine, pspec:
                                self.key_lock_switch.set_active(engine.props.key_lock))
        else:
            self.key_lock_switch.set_sensitive(False)
            self.key_lock_switch.set_tooltip_text(
                _("Key lock needs a libflitzis built with Rubber Band"))
        # TRANSLATORS: a toggle button: the next note played maps to the
        # selected pad
        self.learn = Gtk.ToggleButton(label=_("MIDI Learn"), valign=Gtk.Align.CENTER,
                                      tooltip_text=_("Select a pad, then play a note on the "
                                                     "MIDI controller: the note plays the pad"))
        self.learn.connect("toggled", lambda button: self.trace(
            "midi-learn", "on" if button.get_active() else "off"))
        self.controls.update({"speed-scale": speed_scale, "speed": speed_field,
                              "tempo-lock": tempo_lock, "key-lock": self.key_lock_switch,
                              "midi-learn": self.learn})
        row = Gtk.Box(spacing=8)
        for widget in (Gtk.Label(label=_("Speed")), speed_scale, speed_field,
                       Gtk.Label(label=_("Tempo Lock")), tempo_lock,
                       Gtk.Label(label=_("Key Lock")), self.key_lock_switch, self.learn):
            row.append(widget)
        return row

    def _on_key_lock_set(self, switch, pspec):
        """Not a binding: set_key_lock() can fail (the stretchers not
        made), and says why."""
        if switch.get_active() == self.engine.props.key_lock:
            return
        try:
            self.engine.set_key_lock(switch.get_active())
        except GLib.Error as error:
            self.toast(_("Key lock: {message}").format(message=error.message))
            switch.set_active(self.engine.props.key_lock)

    def _build_bank(self, bank):
        grid = Gtk.Grid(row_spacing=8, column_spacing=8,
                        row_homogeneous=True, column_homogeneous=True)
        for pad in self.pads[bank * PADS_PER_BANK:(bank + 1) * PADS_PER_BANK]:
            pad.connect("play", lambda pad: self.play(pad))
            pad.connect("load", lambda pad, path: self.load(pad, path))
            index = pad.settings.index
            grid.attach(pad, index % COLUMNS, index // COLUMNS, 1, 1)
        return grid

    def _build_sidebar(self):
        self.pad_group = Adw.PreferencesGroup()
        self.name_row = Adw.EntryRow(title=_("Name"))
        self.name_row.connect("changed", self._on_name_changed)
        self.controls["name"] = self.name_row
        self.mode_row = Adw.ComboRow(title=_("Mode"), model=Gtk.StringList.new(mode_names()))
        self.mode_row.connect("notify::selected", self._on_mode_changed)
        self.retrigger_row = Adw.ComboRow(
            title=_("Press While Playing"), subtitle=_("Layer, restart or stop"),
            model=Gtk.StringList.new(retrigger_names()))
        self.retrigger_row.connect("notify::selected", self._on_retrigger_changed)
        self.gain = Gtk.Scale.new_with_range(Gtk.Orientation.HORIZONTAL, 0.0,
                                             Flitzis.MAX_GAIN, 0.05)
        self.gain.set_size_request(120, -1)
        self.gain.add_mark(1.0, Gtk.PositionType.BOTTOM, None)
        self.gain.connect("value-changed", self._on_gain_changed)
        gain_row = Adw.ActionRow(title=_("Gain"))
        gain_row.add_suffix(self.gain)
        self.pad_speed = Gtk.SpinButton.new_with_range(Flitzis.MIN_SPEED, Flitzis.MAX_SPEED, 0.05)
        self.pad_speed.set_digits(2)
        self.pad_speed.set_valign(Gtk.Align.CENTER)
        self.pad_speed.connect("value-changed", self._on_pad_speed_changed)
        speed_row = Adw.ActionRow(title=_("Speed"), subtitle=_("Times the master speed"))
        speed_row.add_suffix(self.pad_speed)
        self.key_lock_row = Adw.ComboRow(title=_("Key Lock"),
                                         model=Gtk.StringList.new(key_lock_names()))
        self.key_lock_row.connect("notify::selected", self._on_pad_key_lock_changed)
        self.pitch = Gtk.SpinButton.new_with_range(-Flitzis.MAX_PITCH, Flitzis.MAX_PITCH, 1.0)
        self.pitch.set_digits(1)
        self.pitch.set_valign(Gtk.Align.CENTER)
        self.pitch.connect("value-changed", self._on_pitch_changed)
        pitch_row = Adw.ActionRow(title=_("Pitch"), subtitle=_("Semitones, at any speed"))
        pitch_row.add_suffix(self.pitch)
        if not self.key_lock_supported:
            for row in (self.key_lock_row, pitch_row):
                row.set_sensitive(False)
                row.set_tooltip_text(_("Key lock and pitch need a libflitzis built with "
                                       "Rubber Band"))
        self.midi_row = Adw.ActionRow(title=_("MIDI Note"))
        self.controls["pad-speed"] = self.pad_speed
        self.sample_row = Adw.ActionRow(title=_("Sample"))
        open_button = Gtk.Button(icon_name="document-open-symbolic", valign=Gtk.Align.CENTER,
                                 tooltip_text=_("Load a sample into this pad"))
        open_button.add_css_class("flat")
        open_button.connect("clicked", self._on_open_clicked)
        self.sample_row.add_suffix(open_button)
        for row in (self.name_row, self.mode_row, self.retrigger_row, gain_row, speed_row,
                    self.key_lock_row, pitch_row, self.midi_row, self.sample_row):
            self.pad_group.add(row)

        self.waveform = Waveform()
        frame = Gtk.Frame(child=self.waveform)
        sidebar = Gtk.Box(orientation=Gtk.Orientation.VERTICAL, spacing=12)
        sidebar.set_size_request(320, -1)
        sidebar.append(self.pad_group)
        sidebar.append(frame)
        return sidebar

    def _build_actions(self):
        restart = Gio.SimpleAction.new("restart-audio", None)
        restart.connect("activate", lambda action, param: self.restart_engine())
        self.add_action(restart)
        bank = Gio.SimpleAction.new("show-bank", GLib.VariantType("i"))
        bank.connect("activate", lambda action, param:
                     self.banks.set_visible_child_name(str(param.get_int32())))
        self.add_action(bank)
        stop = Gio.SimpleAction.new("stop-all", None)
        stop.connect("activate", lambda action, param: self._stop_all())
        self.add_action(stop)
        # The check item of the engine's midi-input property (kept in the
        # settings); the audio restarts to take it.
        self.add_action(Gio.PropertyAction.new("midi-input", self.engine, "midi-input"))
        forget = Gio.SimpleAction.new("forget-midi", None)
        forget.connect("activate", lambda action, param: self.set_midi_map(midilearn.MidiMap()))
        self.add_action(forget)

    def _build_keys(self):
        self.held_keys = set()  # hardware keycodes down: repeats play nothing
        keys = Gtk.EventControllerKey()
        keys.connect("key-pressed", self._on_key_pressed)
        keys.connect("key-released", lambda controller, keyval, keycode, state:
                     self.held_keys.discard(keycode))
        self.add_controller(keys)
        # A key let go in another window was never released in this one.
        self.connect("notify::is-active", lambda window, pspec: self.held_keys.clear())

    def fill_device_list(self):
        """Lists the output devices, preselects the default, and only then
        listens to the selection, so that the preselection restarts
        nothing.  The list follows hot-plug (PipeWire's sinks coming and
        going); without PipeWire it is a snapshot."""
        try:
            devices = Flitzis.AudioEngine.monitor_output_devices()
        except GLib.Error as error:
            self.device_drop_down.set_sensitive(False)
            self.toast(_("No output devices: {message}").format(message=error.message))
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
        engine.connect("voice-dropped", self._on_voice_dropped)
        engine.connect("trigger-late",
                       lambda e, slot, frame, late: self.trace("trigger-late", slot, frame, late))
        engine.connect("xrun", self._on_xrun)
        engine.connect("stream-error", self._on_stream_error)
        engine.connect("levels", self._on_levels)
        engine.connect("notify::running", self._on_running_changed)
        # For the test: the transport's beats and settings as they reach
        # the engine.
        engine.connect("beat", lambda e, bar, beat, frame: self.trace("beat", bar, beat, frame))
        engine.connect("notify::tempo", lambda e, pspec: self.trace("tempo", e.props.tempo))
        engine.connect("notify::quantize", lambda e, pspec:
                       self.trace("quantize", e.props.quantize.value_nick))
        engine.connect("notify::metronome", lambda e, pspec:
                       self.trace("metronome", "on" if e.props.metronome else "off"))
        engine.connect("notify::speed", lambda e, pspec:
                       self.trace("speed", f"{e.props.speed:.2f}"))
        engine.connect("notify::tempo-lock", lambda e, pspec:
                       self.trace("tempo-lock", "on" if e.props.tempo_lock else "off"))
        engine.connect("notify::key-lock", lambda e, pspec:
                       self.trace("key-lock", "on" if e.props.key_lock else "off"))
        engine.connect("notify::midi-input", self._on_midi_input_changed)
        engine.connect("midi-event", self._on_midi_event)

    def keep_state(self, settings):
        """Restores the last session from @settings (a Gio.Settings of
        org.flitzis.Pads) and keeps every later change there; returns the
        state.SavedState.  Call it before run_engine()."""
        self.saved = state.SavedState(settings, self.engine, self.pad_set)
        restored = self.saved.restore()
        bank = self.saved.bank
        self.banks.set_visible_child_name(str(bank))
        self.select(self.pad_set[bank * PADS_PER_BANK])
        engine = self.engine
        if self.saved.midi_map_error is not None:
            self.toast(_("The kept MIDI map was not used: {message}").format(
                message=self.saved.midi_map_error))
        self._show_midi_map()
        self.trace("key-lock-supported", "yes" if self.key_lock_supported else "no")
        self.trace("restored", "pads", restored, "bank", bank,
                   "tempo", f"{engine.props.tempo:.1f}",
                   "quantize", engine.props.quantize.value_nick,
                   "metronome", "on" if engine.props.metronome else "off",
                   "volume", f"{engine.props.volume:.2f}",
                   "speed", f"{engine.props.speed:.2f}",
                   "tempo-lock", "on" if engine.props.tempo_lock else "off",
                   "key-lock", "on" if engine.props.key_lock else "off",
                   "midi-input", "on" if engine.props.midi_input else "off",
                   "midi-notes", len(self.midi_map.notes))
        for pad in self.pad_set.pads:
            if state.pad_entry(pad) is not None:
                self.trace("restored-pad", pad.slot, int(pad.loop), pad.retrigger,
                           f"{pad.gain:.2f}", pad.name)
            if state.playback_entry(pad) is not None:
                self.trace("restored-playback", pad.slot, f"{pad.speed:.2f}", pad.key_lock,
                           f"{pad.pitch:.1f}")
        return self.saved

    def run_engine(self):
        """Runs the engine on the selected device; sets every pad's
        settings and loads its file again (shut_down() forgot them)."""
        try:
            self.engine.set_meter_rate(METER_RATE)
            self.engine.run()
        except GLib.Error as error:
            self.title.set_subtitle(_("Not playing"))
            self.toast(_("The audio engine did not start: {message}").format(
                message=error.message), Adw.ToastPriority.HIGH)
            self.trace("run-failed", error.message)
            return
        device = self.engine.props.device or _("the default output")
        # TRANSLATORS: the window's subtitle: an output device and its rate
        self.title.set_subtitle(_("{device}, {rate} Hz").format(
            device=device, rate=self.engine.props.sample_rate))
        self.trace("running", self.engine.props.device or "the default output")
        self.pad_set.apply_all()
        for pad in self.pads:
            if pad.settings.path:
                self.load(pad, pad.settings.path)
        port = self.saved.settings.get_string("midi-port") if self.saved is not None else ""
        if self.engine.props.midi_input and port:
            try:
                self.engine.connect_midi_input(port)
                self.trace("midi-connected", port)
            except GLib.Error as error:
                self.toast(_("MIDI input: {message}").format(message=error.message))

    def restart_engine(self):
        self.engine.shut_down()
        self.run_engine()

    def load(self, pad, path):
        pad.settings.path = path
        if not self.engine.props.running:
            return  # loaded by the next run_engine()
        self.engine.load_sample_async(pad.settings.slot, path, None, self._on_loaded, (pad, path))

    def _on_loaded(self, engine, result, pad_and_path):
        pad, path = pad_and_path
        slot = pad.settings.slot
        try:
            engine.load_sample_finish(result)
        except GLib.Error as error:
            # Superseded by a newer load of the same pad: that one reports.
            if not error.matches(Gio.io_error_quark(), Gio.IOErrorEnum.CANCELLED):
                pad.refresh(problem=error.message)
                self.trace("load-failed", slot, error.message)
                # The reason is on the pad (its tooltip) and in the
                # sidebar when it is selected: too long for a toast.
                self.toast(_("Pad {pad} could not load {file}").format(
                    pad=pad_name(pad.settings), file=GLib.filename_display_basename(path)))
                if pad is self.selected:
                    self.select(pad.settings)
            return
        info = engine.dup_sample_info(slot)
        self.frames[slot] = info.get_frames() if info is not None else 0
        pad.refresh()
        self.trace("loaded", slot, GLib.filename_display_basename(path))
        if pad is self.selected:
            self._show_waveform()

    def play(self, pad, exclusive=False):
        self.select(pad.settings)
        if self.learn.get_active():
            # MIDI learn: the click chose the pad the next note plays.
            self.trace("learn-selected", pad.settings.slot)
            return
        try:
            self.pad_set.play(pad.settings, exclusive)
        except GLib.Error as error:
            self.toast(error.message)

    def _stop_all(self):
        try:
            self.engine.stop_all()
        except GLib.Error as error:
            self.toast(error.message)

    # ---- the selected pad ----

    def select(self, settings):
        if self.selected is not None:
            self.selected.set_selected(False)
        self.selected = self.pads[settings.slot]
        self.selected.set_selected(True)
        self.pad_group.set_title(pad_title(settings))
        self.name_row.set_text(settings.name)
        self.mode_row.set_selected(1 if settings.loop else 0)
        policies = [policy for name, policy in RETRIGGERS]
        self.retrigger_row.set_selected(policies.index(Flitzis.Retrigger(settings.retrigger)))
        self.gain.set_value(settings.gain)
        self.pad_speed.set_value(settings.speed)
        self.key_lock_row.set_selected(KEY_LOCKS.index(settings.key_lock))
        self.pitch.set_value(settings.pitch)
        note = self.midi_map.note_of(settings.slot)
        self.midi_row.set_subtitle(midilearn.note_label(*note) if note else
                                   _("None: turn MIDI Learn on, then play a note"))
        pad = self.pads[settings.slot]
        self.sample_row.set_subtitle(GLib.markup_escape_text(
            "\n".join(filter(None, [settings.path or _("Empty"), pad.problem]))))
        self._show_waveform()

    def _show_waveform(self):
        slot = self.selected.settings.slot
        frames = self.frames[slot]
        if frames == 0 or not self.engine.props.running:
            self.waveform.set_waveform(None, 1)
            return
        try:
            data = self.engine.dup_waveform(slot, 0, frames, min(WAVEFORM_BUCKETS, frames))
        except GLib.Error as error:
            self.waveform.set_waveform(None, 1)
            self.toast(error.message)
            return
        self.waveform.set_waveform(data.get_data(), self.engine.props.channels)
        self.trace("waveform", slot, self.waveform.n_buckets)

    def _on_name_changed(self, row):
        self.selected.settings.name = row.get_text()
        self.trace("name", self.selected.settings.slot, row.get_text())

    def _on_mode_changed(self, row, pspec):
        self.selected.settings.loop = row.get_selected() == 1

    def _on_retrigger_changed(self, row, pspec):
        self.selected.settings.retrigger = int(RETRIGGERS[row.get_selected()][1])

    def _on_gain_changed(self, scale):
        self.selected.settings.gain = scale.get_value()

    def _on_pad_speed_changed(self, spin):
        settings = self.selected.settings
        if settings.speed != spin.get_value():
            settings.speed = spin.get_value()
            self.trace("pad-speed", settings.slot, f"{settings.speed:.2f}")

    def _on_pad_key_lock_changed(self, row, pspec):
        settings = self.selected.settings
        if settings.key_lock != KEY_LOCKS[row.get_selected()]:
            settings.key_lock = KEY_LOCKS[row.get_selected()]
            self.trace("pad-key-lock", settings.slot, settings.key_lock)

    def _on_pitch_changed(self, spin):
        settings = self.selected.settings
        if settings.pitch != spin.get_value():
            settings.pitch = spin.get_value()
            self.trace("pad-pitch", settings.slot, f"{settings.pitch:.1f}")

    # ---- MIDI ----

    def _on_midi_input_changed(self, engine, pspec):
        self.trace("midi-input", "on" if engine.props.midi_input else "off")
        if engine.props.running:   # taken by the next run
            self.restart_engine()

    def _on_midi_event(self, engine, channel, kind, number, value, frame):
        """Every MIDI event; while MIDI learn is on, a note-on maps its note
        and channel to the selected pad."""
        self.trace("midi-event", channel, f"0x{kind:02x}", number, value, frame)
        if kind == 0x90 and value > 0 and self.learn.get_active() and self.selected:
            slot = self.selected.settings.slot
            self.set_midi_map(self.midi_map.learn(number, channel, slot))
            note = self.midi_map.note_of(slot)
            if note == (number, channel):
                self.trace("midi-learned", slot, number, channel)

    def set_midi_map(self, midi_map):
        """Makes @midi_map the engine's and keeps it; a toast when the engine
        refuses it (then nothing changes)."""
        try:
            self.engine.set_midi_map_from_string(midi_map.to_text())
        except GLib.Error as error:
            self.toast(_("MIDI map: {message}").format(message=error.message))
            return
        if self.saved is not None:
            self.saved.save_midi_map()
        self._show_midi_map()

    def _show_midi_map(self):
        """Reads the engine's map back, and shows each pad's note."""
        self.midi_map = midilearn.MidiMap.parse(self.engine.dup_midi_map_string())
        for pad in self.pads:
            note = self.midi_map.note_of(pad.settings.slot)
            label = midilearn.note_label(*note) if note else ""
            if label != pad.midi_label.get_label():
                pad.set_midi(label)
                self.trace("midi-label", pad.settings.slot, label or "-")
        if self.selected is not None:
            self.select(self.selected.settings)

    def open_midi_fifo(self, path):
        """For the test (--midi-fifo): each line written to the FIFO @path,
        MIDI bytes in hex ("90 24 64"), is injected into the engine
        (inject_midi()), as if a controller had played it."""
        # Read and write: the FIFO never reports an end when a writer closes.
        fd = os.open(path, os.O_RDWR | os.O_NONBLOCK)
        self.midi_fifo = [fd, b""]
        GLib.unix_fd_add_full(GLib.PRIORITY_DEFAULT, fd, GLib.IOCondition.IN,
                              self._on_midi_fifo)

    def _on_midi_fifo(self, fd, condition):
        try:
            self.midi_fifo[1] += os.read(fd, 4096)
        except BlockingIOError:
            return GLib.SOURCE_CONTINUE
        *lines, self.midi_fifo[1] = self.midi_fifo[1].split(b"\n")
        for line in lines:
            try:
                data = bytes.fromhex(line.decode())
                self.engine.inject_midi(data, 0)
                self.trace("midi-injected", line.decode())
            except (ValueError, GLib.Error) as error:
                self.toast(_("MIDI input: {message}").format(
                    message=getattr(error, "message", str(error))))
        return GLib.SOURCE_CONTINUE

    def _on_open_clicked(self, button):
        # GTK 4.8 has no Gtk.FileDialog (4.10); the native chooser is
        # kept in self until it answers.
        pad = self.selected
        self.chooser = Gtk.FileChooserNative.new(
            _("Load a Sample into Pad {pad}").format(pad=pad_name(pad.settings)), self,
            Gtk.FileChooserAction.OPEN, _("_Load"), _("_Cancel"))
        audio = Gtk.FileFilter(name=_("Audio files"))
        audio.add_mime_type("audio/*")
        self.chooser.add_filter(audio)

        def on_response(chooser, response):
            file = chooser.get_file() if response == Gtk.ResponseType.ACCEPT else None
            self.chooser = None
            if file is not None and file.get_path() is not None:
                self.load(pad, file.get_path())
        self.chooser.connect("response", on_response)
        self.chooser.show()

    # ---- events ----

    def _on_key_pressed(self, controller, keyval, keycode, state):
        if state & (Gdk.ModifierType.CONTROL_MASK | Gdk.ModifierType.ALT_MASK):
            return Gdk.EVENT_PROPAGATE
        key = chr(Gdk.keyval_to_unicode(Gdk.keyval_to_lower(keyval)))
        if key not in KEYS:  # "\0" too: a key without a character
            return Gdk.EVENT_PROPAGATE
        if keycode not in self.held_keys:
            self.held_keys.add(keycode)
            bank = int(self.banks.get_visible_child_name())
            self.play(self.pads[bank * PADS_PER_BANK + KEYS.index(key)],
                      exclusive=bool(state & Gdk.ModifierType.SHIFT_MASK))
        return Gdk.EVENT_STOP

    def _on_bank_changed(self, stack, pspec):
        bank = int(stack.get_visible_child_name())
        if self.saved is not None:
            self.saved.bank = bank
        self.trace("bank", bank)

    def _on_sample_started(self, engine, slot, frame):
        self.trace("sample-started", slot, frame)
        if slot < len(self.pads) and self.pads[slot].voice_started():
            self.trace("lit", slot)

    def _on_sample_finished(self, engine, slot, frame):
        self.trace("sample-finished", slot, frame)
        if slot < len(self.pads) and self.pads[slot].voice_finished():
            self.trace("dark", slot)

    def _on_voice_dropped(self, engine, slot, frame):
        """Every voice was busy: the press played nothing."""
        self.trace("voice-dropped", slot, frame)
        name = pad_name(self.pad_set[slot]) if slot < len(self.pads) else str(slot)
        self.counted_toast("dropped",
                           _("Pad {pad} did not sound: every voice was busy").format(pad=name),
                           lambda n: ngettext("{n} sound lost: every voice was busy",
                                              "{n} sounds lost: every voice was busy",
                                              n).format(n=n))

    def _on_xrun(self, engine, count, frame):
        self.trace("xrun", count, frame)
        self.counted_toast("xrun", _("Audio underrun: the device missed a period"),
                           lambda n: ngettext("{n} audio underrun: the device missed a period",
                                              "{n} audio underruns: the device missed periods",
                                              n).format(n=n))

    def counted_toast(self, kind, first, many):
        """One toast per kind of loss while it is shown, counting them:
        @first for one, many(count) for more."""
        shown = self.counted.get(kind)
        if shown is None:
            toast = self.toast(first)
            self.counted[kind] = [toast, 1]
            toast.connect("dismissed", lambda toast: self.counted.pop(kind, None))
            return
        shown[1] += 1
        title = many(shown[1])
        shown[0].set_title(GLib.markup_escape_text(title))
        self.trace("toast", title)

    def _on_stream_error(self, engine, error, frame):
        self.trace("stream-error", error.message)
        self.toast(_("Audio stopped: {message}").format(message=error.message),
                   Adw.ToastPriority.HIGH)

    def _on_running_changed(self, engine, pspec):
        """A stopped engine has freed every sample: the pads keep their
        files, to load again when it runs."""
        if not engine.props.running:
            for pad in self.pads:
                pad.silence()
            self.waveform.set_waveform(None, 1)

    def _on_levels(self, engine, levels):
        """The meters of the shown bank, the master level and the selected
        pad's playhead."""
        bank = int(self.banks.get_visible_child_name())
        n_slots = levels.get_n_slots()
        for pad in self.pads[bank * PADS_PER_BANK:(bank + 1) * PADS_PER_BANK]:
            slot = pad.settings.slot
            if slot >= n_slots:
                break
            peak = levels.get_slot_peak(slot)
            frames = self.frames[slot]
            progress = min(1.0, levels.get_slot_playhead(slot) / frames) if frames else 0.0
            pad.meter.update(peak, progress if peak > 0.0 else 0.0)
            if peak > 0.0 and progress > 0.0 and slot not in self.playhead_traced:
                self.playhead_traced.add(slot)     # once a voice, for the test
                self.trace("playhead", slot, f"{progress:.3f}")
            elif peak == 0.0:
                self.playhead_traced.discard(slot)
            if pad is self.selected:
                self.waveform.set_progress(progress if peak > 0.0 else 0.0)
            self._on_meter(pad, peak)
        channels = levels.get_n_channels()
        master = max((levels.get_master_peak(c) for c in range(channels)), default=0.0)
        self.master_level.set_value(peak_to_fraction(master))

    def _on_device_selected(self, drop_down, pspec):
        device = drop_down.get_selected_item()
        if device is not None:
            self.engine.props.device = device.props.name
            self.restart_engine()

    def toast(self, title, priority=Adw.ToastPriority.NORMAL):
        toast = Adw.Toast(title=GLib.markup_escape_text(title), priority=priority, timeout=5)
        self.toasts.add_toast(toast)
        self.trace("toast", title)
        return toast

    # ---- test hooks ----

    def _on_meter(self, pad, peak):
        """Traces a pad's first loud meter report of each voice, and takes
        the --screenshot once a meter is drawn at half scale or more."""
        slot = pad.settings.slot
        if peak_to_fraction(peak) < 0.5:
            self.meter_traced.discard(slot)
            return
        if slot in self.meter_traced:
            return
        self.meter_traced.add(slot)
        self.trace("meter", slot, f"{peak:.3f}")
        if self.screenshot is not None:
            path, self.screenshot = self.screenshot, None

            def save():
                for name, widget in (("meter-0", self.pads[0].meter),
                                     ("meter-1", self.pads[1].meter),
                                     ("waveform", self.waveform),
                                     ("background", self.toasts)):
                    self.trace("rect", name, *testhooks.widget_rect(widget, self))
                testhooks.save_screenshot(self, path)
                style = Adw.StyleManager.get_default()
                self.trace("screenshot", path, "dark" if style.props.dark else "light")
            testhooks.when_painted(self, save)

    def _trace_geometry(self, frame_clock):
        """Prints where the shown pads are in the X surface, for clicks by
        XTEST: window coordinates shifted by the client-side decorations."""
        offset_x, offset_y = self.get_surface_transform()
        bank = int(self.banks.get_visible_child_name())
        widgets = [("pad-geometry", pad.settings.slot, pad)
                   for pad in self.pads[bank * PADS_PER_BANK:(bank + 1) * PADS_PER_BANK]]
        widgets += [("control-geometry", name, widget) for name, widget in self.controls.items()]
        geometry = []
        for kind, name, widget in widgets:
            rect = testhooks.widget_rect(widget, self)
            if rect is None:
                return
            x, y, width, height = rect
            geometry.append((kind, name, round(x + offset_x), round(y + offset_y),
                             width, height))
        if geometry != self.geometry:
            self.geometry = geometry
            for line in geometry:
                self.trace(*line)
