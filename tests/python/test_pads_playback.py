# test_pads_playback.py: Flitzis Pads' speed, tempo lock, key lock, pitch
# and MIDI learn (issues 17 and 23) in its model and session, without GTK
#
# Copyright 2026 The libflitzis authors
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# app/flitzispads/midilearn.py edits the engine's MIDI map as MIDI learn
# does (a note plays one pad, a pad is played by one note), read from and
# written back through the engine's text form; state.py keeps the master
# speed, tempo lock, key lock, every pad's speed, key lock and pitch, and
# the map, and a second session (a new engine on the same keyfile) gets
# them back, its engine too: the learnt note plays its pad on an offline
# engine.  The application's own controls are driven on Xvfb by
# app/flitzis-pads-test.py.

import os

from gi.repository import Flitzis, GLib

from conftest import RATE, render, write_wav
from test_pads_state import session

from flitzispads import midilearn  # noqa: E402  (test_pads_state put app/ on the path)
from flitzispads.pads import key_lock_supported  # noqa: E402

HAVE_RUBBERBAND = os.environ.get("FLITZIS_TEST_HAVE_RUBBERBAND", "1") == "1"


def test_learn_maps_a_note_to_one_pad_and_a_pad_to_one_note():
    engine = Flitzis.AudioEngine(offline=True, sample_rate=RATE, channels=2, slots=96)
    learnt = midilearn.MidiMap.parse(engine.dup_midi_map_string())
    learnt = learnt.learn(36, 1, 2).learn(38, 0, 5)
    assert learnt.note_of(2) == (36, 1) and learnt.note_of(5) == (38, 0)
    # The same note learnt for another pad leaves the first; a pad learnt
    # again forgets its old note.
    moved = learnt.learn(36, 1, 7).learn(40, 2, 5)
    assert moved.note_of(2) is None and moved.note_of(7) == (36, 1)
    assert moved.note_of(5) == (40, 2)
    engine.set_midi_map_from_string(moved.to_text())
    back = midilearn.MidiMap.parse(engine.dup_midi_map_string())
    assert sorted(back.notes) == sorted(moved.notes)


def test_other_statements_are_kept():
    text = ("flitzis-midi-map 1\nbank-size 16\nnote 36 channel 10 slot 0 velocity curve 2 gate\n"
            "cc 7 volume\n")
    engine = Flitzis.AudioEngine(offline=True, sample_rate=RATE, channels=2, slots=96)
    engine.set_midi_map_from_string(text)
    learnt = midilearn.MidiMap.parse(engine.dup_midi_map_string()).learn(37, 1, 3)
    engine.set_midi_map_from_string(learnt.to_text())
    written = engine.dup_midi_map_string()
    assert "bank-size 16" in written and "cc 7" in written
    assert "note 36 channel 10 slot 0" in written and "gate" in written
    assert "note 37 channel 1 slot 3" in written


def test_note_labels():
    assert midilearn.note_label(36, 1) == "C2 ch1"
    assert midilearn.note_label(61, 10) == "C♯4 ch10"
    assert midilearn.note_label(0, 0) == "C-1"


def test_key_lock_support_is_what_the_build_has():
    engine = Flitzis.AudioEngine(offline=True, sample_rate=RATE, channels=2)
    assert key_lock_supported(engine) is HAVE_RUBBERBAND


def test_speed_locks_pads_and_map_come_back_after_a_restart(tmp_path):
    keyfile = tmp_path / "keyfile"
    engine, pads, saved, _ = session(keyfile)
    engine.props.speed = 1.5
    engine.props.tempo_lock = True
    if HAVE_RUBBERBAND:
        engine.set_key_lock(True)
    pads[0].speed = 0.5
    pads[3].pitch = -7.0 if HAVE_RUBBERBAND else 0.0
    pads[4].key_lock = "off"
    engine.set_midi_map_from_string(midilearn.MidiMap().learn(36, 1, 2).to_text())
    saved.save_midi_map()
    saved.flush()

    engine, pads, saved, _ = session(keyfile)
    assert engine.props.speed == 1.5 and engine.props.tempo_lock is True
    assert engine.props.key_lock is HAVE_RUBBERBAND
    assert (pads[0].speed, pads[4].key_lock) == (0.5, "off")
    assert pads[3].pitch == (-7.0 if HAVE_RUBBERBAND else 0.0)
    assert saved.midi_map_error is None
    assert midilearn.MidiMap.parse(engine.dup_midi_map_string()).note_of(2) == (36, 1)

    # The engine has it all: pad 0's speed applies, the learnt note plays
    # slot 2 at the frame it was injected for.
    engine.run()
    pads.apply_all()
    path = str(tmp_path / "one.wav")
    write_wav(path, [8000] * 480)
    engine.load_sample(2, path)
    started = []
    engine.connect("sample-started", lambda e, slot, frame: started.append((slot, frame)))
    engine.inject_midi(bytes([0x90, 36, 100]), 0)
    render(engine, 1024)
    context = GLib.MainContext.default()
    deadline = GLib.get_monotonic_time() + 5_000_000
    while not started and GLib.get_monotonic_time() < deadline:
        context.iteration(False)
    assert started and started[0][0] == 2


def test_a_bad_kept_map_is_reported_and_changes_nothing(tmp_path):
    keyfile = tmp_path / "keyfile"
    engine, pads, saved, _ = session(keyfile)
    saved.settings.set_string("midi-map", "flitzis-midi-map 1\nnote 36 slot 999\n")
    saved.flush()
    engine, pads, saved, _ = session(keyfile)
    assert saved.midi_map_error is not None and "999" in saved.midi_map_error
    assert engine.dup_midi_map_string() == "flitzis-midi-map 1\n"
