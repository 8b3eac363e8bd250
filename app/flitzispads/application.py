# application.py: the Adw.Application of Flitzis Pads
#
# Copyright 2026 The libflitzis authors
# SPDX-License-Identifier: LGPL-2.1-or-later
"""flitzis-pads [--samples-dir DIR] [FILE...]

FILEs, or else the demo samples of DIR (kick.wav, snare.wav, hat.wav,
bass.wav and chord.wav; by default those the flitzis tool installs), go
into the first pads of bank A.  Options for the automated test
(app/flitzis-pads-test.py): --print-events prints every event on stdout
(see testhooks.py), --screenshot FILE saves the window once a pad's meter
shows a sound, --voices N makes the engine with N voices, --midi-fifo
FILE injects the MIDI bytes written to a FIFO (as a controller plays)."""

import os
import signal
import sys
from xml.sax.saxutils import escape

import gi
gi.require_version("Adw", "1")
gi.require_version("Flitzis", "1.0")
gi.require_version("Gdk", "4.0")
gi.require_version("Gtk", "4.0")
from gi.repository import Adw, Flitzis, Gdk, Gio, GLib, Gtk  # noqa: E402

from flitzispads import APP_ID, VERSION, state, testhooks
from flitzispads.i18n import DOMAIN, _
from flitzispads.pads import BANKS, SLOTS
from flitzispads.window import PadsWindow

DEMO_SAMPLES = ("kick.wav", "snare.wav", "hat.wav", "bass.wav", "chord.wav")
DEFAULT_SAMPLES_DIR = "/usr/share/flitzis/samples"

# Colours are libadwaita's named ones, so that both styles work.
CSS = """
.pad { min-width: 96px; min-height: 64px; padding: 6px 8px; border-radius: 10px;
       transition: none; }
.pad.selected { box-shadow: inset 0 0 0 2px @accent_color; }
.pad.playing { background-color: alpha(@accent_bg_color, 0.3); }
.pad.empty label { opacity: 0.55; }
.pad-key { font-weight: bold; }
.pad-midi { font-size: smaller; opacity: 0.7; }
"""

def shortcuts_ui():
    """The Keyboard Shortcuts window, its strings translated."""
    t = {key: escape(text) for key, text in (
        ("window", _("Keyboard Shortcuts")),
        ("pads", _("Pads")),
        ("play", _("Play the shown bank’s pads, row by row")),
        ("alone", _("Play a pad alone (the others fade out)")),
        ("stop", _("Stop every sound")),
        # TRANSLATORS: {last} is the last bank's letter
        ("banks", _("Show bank A to {last}").format(last="ABCDEF"[BANKS - 1])),
        ("general", _("General")),
        ("shortcuts", _("Keyboard shortcuts")),
        ("quit", _("Quit")))}
    return f"""
<interface>
  <object class="GtkShortcutsWindow" id="shortcuts">
    <property name="modal">1</property>
    <property name="title">{t["window"]}</property>
    <child>
      <object class="GtkShortcutsSection">
        <property name="section-name">pads</property>
        <child>
          <object class="GtkShortcutsGroup">
            <property name="title">{t["pads"]}</property>
            <child><object class="GtkShortcutsShortcut">
              <property name="title">{t["play"]}</property>
              <property name="accelerator">1 2 3 4 q w e r a s d f z x c v</property>
            </object></child>
            <child><object class="GtkShortcutsShortcut">
              <property name="title">{t["alone"]}</property>
              <property name="accelerator">&lt;Shift&gt;q</property>
            </object></child>
            <child><object class="GtkShortcutsShortcut">
              <property name="title">{t["stop"]}</property>
              <property name="accelerator">Escape</property>
            </object></child>
            <child><object class="GtkShortcutsShortcut">
              <property name="title">{t["banks"]}</property>
              <property name="accelerator">&lt;Alt&gt;1...&lt;Alt&gt;{BANKS}</property>
            </object></child>
          </object>
        </child>
        <child>
          <object class="GtkShortcutsGroup">
            <property name="title">{t["general"]}</property>
            <child><object class="GtkShortcutsShortcut">
              <property name="title">{t["shortcuts"]}</property>
              <property name="accelerator">&lt;Primary&gt;question</property>
            </object></child>
            <child><object class="GtkShortcutsShortcut">
              <property name="title">{t["quit"]}</property>
              <property name="accelerator">&lt;Primary&gt;q</property>
            </object></child>
          </object>
        </child>
      </object>
    </child>
  </object>
</interface>
"""


class PadsApplication(Adw.Application):
    def __init__(self):
        # Non-unique: a second instance (or a test) gets its own engine.
        super().__init__(application_id=APP_ID,
                         flags=Gio.ApplicationFlags.NON_UNIQUE | Gio.ApplicationFlags.HANDLES_OPEN)
        self.engine = None
        self.samples_dir = DEFAULT_SAMPLES_DIR
        self.screenshot = None
        self.midi_fifo = None
        self.voices = Flitzis.MAX_VOICES
        self.trace = testhooks.Tracer()
        self.settings = None                 # Gio.Settings, when the schema is installed
        self.saved = None                    # state.SavedState, once the window is made
        self.add_main_option("samples-dir", 0, GLib.OptionFlags.NONE, GLib.OptionArg.FILENAME,
                             _("Load the demo samples of DIR into the first pads"), _("DIR"))
        self.add_main_option("version", 0, GLib.OptionFlags.NONE, GLib.OptionArg.NONE,
                             _("Print the version and exit"), None)
        self.add_main_option("print-events", 0, GLib.OptionFlags.NONE, GLib.OptionArg.NONE,
                             _("Print every engine event on standard output (for tests)"),
                             None)
        self.add_main_option("screenshot", 0, GLib.OptionFlags.NONE, GLib.OptionArg.FILENAME,
                             _("Save the window as a PNG once a meter shows a sound (for tests)"),
                             _("FILE"))
        self.add_main_option("midi-fifo", 0, GLib.OptionFlags.NONE, GLib.OptionArg.FILENAME,
                             _("Inject the MIDI bytes written to the FIFO FILE, a line of hex "
                               "bytes at a time (for tests)"), _("FILE"))
        self.add_main_option("voices", 0, GLib.OptionFlags.NONE, GLib.OptionArg.INT,
                             _("Mix at most N voices (for tests)"), _("N"))

    def do_handle_local_options(self, options):
        def filename(name):
            value = options.lookup_value(name, GLib.VariantType("ay"))
            return os.fsdecode(value.get_bytestring().rstrip(b"\0")) if value else None

        if options.contains("version"):
            print("flitzis-pads", VERSION)
            return 0
        self.samples_dir = filename("samples-dir") or self.samples_dir
        self.screenshot = filename("screenshot")
        self.midi_fifo = filename("midi-fifo")
        self.trace.enabled = options.contains("print-events")
        voices = options.lookup_value("voices", GLib.VariantType("i"))
        if voices is not None:
            self.voices = voices.get_int32()
        return -1  # go on: activate or open

    def do_startup(self):
        Adw.Application.do_startup(self)
        # From a source tree, the icon is beside the package, not in the
        # icon theme.
        data = os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, "data")
        if os.path.isfile(os.path.join(data, APP_ID + ".svg")):
            Gtk.IconTheme.get_for_display(Gdk.Display.get_default()).add_search_path(data)
        css = Gtk.CssProvider()
        css.load_from_data(CSS.encode())
        Gtk.StyleContext.add_provider_for_display(Gdk.Display.get_default(), css,
                                                  Gtk.STYLE_PROVIDER_PRIORITY_APPLICATION)
        # A terminal's Ctrl+C, or a test's SIGTERM, ends the application
        # cleanly: the engine is shut down in do_shutdown().
        for signum in (signal.SIGINT, signal.SIGTERM):
            GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, signum, self._on_quit_signal)
        self.engine = Flitzis.AudioEngine(slots=SLOTS, voices=self.voices)
        self.settings = state.open_settings()

        for name, callback in (("about", self._on_about), ("quit", lambda *a: self.quit())):
            action = Gio.SimpleAction.new(name, None)
            action.connect("activate", callback)
            self.add_action(action)
        self.set_accels_for_action("app.quit", ["<Primary>q"])
        # GTK sets this one only for a help overlay from the resources.
        self.set_accels_for_action("win.show-help-overlay", ["<Primary>question"])
        self.set_accels_for_action("win.stop-all", ["Escape"])
        for bank in range(BANKS):
            self.set_accels_for_action(f"win.show-bank({bank})", [f"<Alt>{bank + 1}"])

        style = Adw.StyleManager.get_default()
        style.connect("notify::dark", lambda manager, pspec:
                      self.trace("style", "dark" if manager.props.dark else "light"))

    def _on_quit_signal(self):
        self.quit()
        return GLib.SOURCE_CONTINUE

    def do_shutdown(self):
        if self.saved is not None:
            self.saved.flush()
        self.engine.shut_down()
        Adw.Application.do_shutdown(self)

    def do_activate(self):
        """The pads of the last session, or on a first start (nothing
        kept) the demo samples."""
        window = self.open_window([])
        if not any(pad.path for pad in window.pad_set.pads):
            samples = (os.path.join(self.samples_dir, name) for name in DEMO_SAMPLES)
            for pad, path in zip(window.pads, [p for p in samples if os.path.isfile(p)]):
                window.load(pad, path)

    def do_open(self, files, n_files, hint):
        self.open_window([file.get_path() for file in files if file.get_path()])

    def open_window(self, paths):
        window = self.get_active_window()
        if window is None:
            window = PadsWindow(self, self.engine, self.trace)
            window.screenshot = self.screenshot
            if self.settings is not None:
                self.saved = window.keep_state(self.settings)
            else:
                window.toast(_("The settings schema {schema} is not installed: the pads will "
                               "not be kept").format(schema=APP_ID))
            builder = Gtk.Builder.new_from_string(shortcuts_ui(), -1)
            builder.set_translation_domain(DOMAIN)
            window.set_help_overlay(builder.get_object("shortcuts"))
            self.trace("style", "dark" if Adw.StyleManager.get_default().props.dark
                       else "light")
            window.fill_device_list()
            window.run_engine()
            if self.midi_fifo is not None:
                window.open_midi_fifo(self.midi_fifo)
        for pad, path in zip(window.pads, paths):
            window.load(pad, path)
        window.present()
        return window

    def _on_about(self, action, param):
        about = Adw.AboutWindow(
            transient_for=self.get_active_window(), modal=True, title=_("About Flitzis Pads"),
            application_name=_("Flitzis Pads"), application_icon=APP_ID, version=VERSION,
            developer_name=_("The libflitzis authors"), license_type=Gtk.License.LGPL_2_1,
            comments=_("Banks of sample pads on libflitzis, a real-time sample-playback engine"),
            # TRANSLATORS: an "About" window's copyright line
            copyright=_("© 2026 The libflitzis authors"))
        # TRANSLATORS: your names, one a line, shown in the About window
        credits = _("translator-credits")
        if credits != "translator-credits":   # untranslated: no credits
            about.set_translator_credits(credits)
        about.present()


def main(argv=None):
    if Gdk.Display.get_default() is None:  # importing Gtk opened it, or could not
        print(_("flitzis-pads: cannot open a display"), file=sys.stderr)
        return 1
    return PadsApplication().run(sys.argv if argv is None else argv)
