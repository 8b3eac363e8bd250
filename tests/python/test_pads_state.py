# test_pads_state.py: what Flitzis Pads keeps between sessions
# (app/flitzispads/state.py, the GSettings schema org.flitzis.Pads)
#
# Copyright 2026 The libflitzis authors
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The schema compiled into the build tree (app/data/gschemas.compiled),
# GLib's keyfile back-end on a file of tmp_path: one session changes the
# pads and the transport and quits; a second session, with a new engine,
# new pads and a new back-end reading the same file (as a restart would),
# gets every value back, and its engine has them.  The application's own
# restart is driven on Xvfb by app/flitzis-pads-test.py.

import os
import sys

from gi.repository import Flitzis, Gio, GLib

from conftest import RATE

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir,
                                os.pardir, "app"))
from flitzispads import APP_ID, state  # noqa: E402
from flitzispads.pads import SLOTS, PadSet  # noqa: E402

BUILD = os.environ.get("G_TEST_BUILDDIR", os.path.join(os.path.dirname(__file__), ".."))
SCHEMA_DIR = os.path.join(BUILD, "..", "app", "data")


def schema():
    source = Gio.SettingsSchemaSource.new_from_directory(
        SCHEMA_DIR, Gio.SettingsSchemaSource.get_default(), False)
    found = source.lookup(APP_ID, False)
    assert found is not None, f"no {APP_ID} schema compiled in {SCHEMA_DIR}"
    return found


def session(keyfile):
    """A new engine, its pads and their settings on @keyfile, restored."""
    backend = Gio.keyfile_settings_backend_new(str(keyfile), "/", None)
    settings = Gio.Settings.new_full(schema(), backend, None)
    engine = Flitzis.AudioEngine(offline=True, sample_rate=RATE, channels=2, slots=SLOTS)
    pads = PadSet(engine)
    saved = state.SavedState(settings, engine, pads)
    restored = saved.restore()
    return engine, pads, saved, restored


def test_the_schema_is_found_where_run_uninstalled_points():
    # run-uninstalled puts the build tree's app/data first in
    # GSETTINGS_SCHEMA_DIR: the application finds its schema there.
    assert state.find_schema() is not None
    keys = set(schema().list_keys())
    assert keys == {"tempo", "quantize", "metronome", "volume", "bank", "pads",
                    "speed", "tempo-lock", "key-lock", "midi-input", "midi-port", "midi-map",
                    "pads-playback"}


def test_a_new_session_starts_as_new(tmp_path):
    engine, pads, saved, restored = session(tmp_path / "keyfile")
    assert restored == 0
    assert saved.bank == 0
    assert (engine.props.tempo, engine.props.quantize, engine.props.metronome,
            engine.props.volume) == (120.0, Flitzis.Quantize.NONE, False, 1.0)
    assert all(state.pad_entry(pad) is None for pad in pads.pads)


def test_pads_bank_and_transport_come_back_after_a_restart(tmp_path):
    keyfile = tmp_path / "keyfile"
    engine, pads, saved, _ = session(keyfile)
    engine.props.tempo = 93.5
    engine.set_quantize(Flitzis.Quantize.SIXTEENTH)
    engine.set_metronome(True)
    engine.props.volume = 0.75
    saved.bank = 4
    kick, last = pads[0], pads[SLOTS - 1]
    kick.name = "Big kick"
    kick.path = "/samples/kick.wav"
    kick.gain = 0.5
    last.loop = True
    last.retrigger = int(Flitzis.Retrigger.TOGGLE)
    last.path = "/samples/chord loop.wav"
    saved.flush()                      # as the application does when it quits
    del engine, pads, saved

    engine, pads, saved, restored = session(keyfile)
    assert restored == 2
    assert saved.bank == 4
    assert engine.props.tempo == 93.5
    assert engine.props.quantize == Flitzis.Quantize.SIXTEENTH
    assert engine.props.metronome is True
    assert engine.props.volume == 0.75
    kick, last = pads[0], pads[SLOTS - 1]
    assert (kick.name, kick.path, kick.loop, kick.retrigger, kick.gain) == \
        ("Big kick", "/samples/kick.wav", False, int(Flitzis.Retrigger.LAYER), 0.5)
    assert (last.name, last.path, last.loop, last.retrigger, last.gain) == \
        ("", "/samples/chord loop.wav", True, int(Flitzis.Retrigger.TOGGLE), 1.0)
    assert all(state.pad_entry(pad) is None for pad in pads.pads[1:SLOTS - 1])


def test_a_change_is_written_once_the_main_loop_is_idle(tmp_path):
    engine, pads, saved, _ = session(tmp_path / "keyfile")
    for step in range(1, 11):          # a gain dragged: ten notifications
        pads[5].gain = step / 20
    assert saved.settings.get_value("pads").unpack() == []
    context = GLib.MainContext.default()
    while context.iteration(False):
        pass
    assert saved.settings.get_value("pads").unpack() == \
        [(5, "", "", False, "layer", 0.5)]


def test_a_pad_reset_to_new_is_no_longer_kept(tmp_path):
    engine, pads, saved, _ = session(tmp_path / "keyfile")
    pads[7].name = "Snare"
    saved.flush()
    assert len(saved.settings.get_value("pads").unpack()) == 1
    pads[7].name = ""
    saved.flush()
    assert saved.settings.get_value("pads").unpack() == []


def test_stale_entries_are_skipped(tmp_path):
    # A slot beyond the engine's and a mode this version does not know
    # (a newer one's, or a hand edit): skipped; the schema refuses the
    # rest (a tempo out of range is not written at all).
    keyfile = tmp_path / "keyfile"
    backend = Gio.keyfile_settings_backend_new(str(keyfile), "/", None)
    settings = Gio.Settings.new_full(schema(), backend, None)
    settings.set_value("pads", GLib.Variant(state.PADS_TYPE, [
        (SLOTS, "beyond", "", False, "layer", 1.0),
        (3, "odd mode", "", False, "shuffle", 1.0),
        (4, "fine", "", True, "restart", 9.0)]))
    assert not schema().get_key("tempo").range_check(GLib.Variant("d", 1000.0))
    Gio.Settings.sync()
    engine, pads, saved, restored = session(keyfile)
    assert restored == 1
    assert (pads[3].name, pads[4].name, pads[4].loop) == ("", "fine", True)
    assert pads[4].retrigger == int(Flitzis.Retrigger.RESTART)
    assert pads[4].gain == Flitzis.MAX_GAIN     # clamped to what a slot takes
