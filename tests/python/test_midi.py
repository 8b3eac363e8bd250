# test_midi.py: MIDI input (issue 23) from Python: the map's text form
# and its errors, and MIDI injected into offline engines, whose frames are
# exact: note-ons start their slots at their frames, every event is
# reported by midi-event, malformed input is counted.
#
# Copyright 2026 The libflitzis authors
# SPDX-License-Identifier: LGPL-2.1-or-later

import array

import pytest
from gi.repository import Flitzis, GLib

from conftest import RATE, iterate_until, render

PERIOD = 256

MAP = """flitzis-midi-map 1
# pads on notes 36 to 39, any channel
note 36 slot 0
note 37 slot 1 velocity fixed 0.25 gate
cc 7 channel 1 volume range 0 2
cc 74 eq-high 1
program 3 bank 2
bank-size 4
"""

PRINTED = """flitzis-midi-map 1
bank-size 4
note 36 slot 0
note 37 slot 1 velocity fixed 0.25 gate
cc 7 channel 1 volume range 0 2
cc 74 eq-high 1 range -60 0
program 3 bank 2
"""


def offline_engine():
    engine = Flitzis.AudioEngine(offline=True, sample_rate=RATE, channels=2)
    engine.run()
    pcm = array.array("f", [0.5] * (2 * 2000))
    for slot in range(2):
        engine.load_sample_from_bytes(slot, GLib.Bytes.new(pcm.tobytes()), RATE, 2)
    return engine


def test_round_trip(tmp_path):
    engine = offline_engine()
    assert engine.dup_midi_map_string() == "flitzis-midi-map 1\n"
    engine.set_midi_map_from_string(MAP)
    assert engine.dup_midi_map_string() == PRINTED
    path = str(tmp_path / "pads.midimap")
    engine.save_midi_map(path)
    other = Flitzis.AudioEngine(offline=True, sample_rate=RATE, channels=2)
    other.load_midi_map(path)
    assert other.dup_midi_map_string() == PRINTED


@pytest.mark.parametrize("text, where", [
    ("note 36 slot 0\n", "MIDI map:1: a MIDI map starts with"),
    ("flitzis-midi-map 1\n\n\ncc 300 volume\n", "MIDI map:4: Controller “300”"),
    ("flitzis-midi-map 1\nnote 36 slot 99\n", "MIDI map:2: slot 99 is not below"),
    ("flitzis-midi-map 1\ncc 1 eq-low 0 range -80 0\n", "MIDI map:2: Range “-80” is out"),
])
def test_errors_name_the_line(text, where):
    engine = offline_engine()
    engine.set_midi_map_from_string(MAP)
    with pytest.raises(GLib.Error) as raised:
        engine.set_midi_map_from_string(text)
    assert raised.value.matches(Flitzis.EngineError.quark(),
                                Flitzis.EngineError.INVALID_MIDI_MAP)
    assert raised.value.message.startswith(where)
    # A refused map changes nothing.
    assert engine.dup_midi_map_string() == PRINTED


def test_note_on_starts_at_its_frame_and_is_reported():
    engine = offline_engine()
    engine.set_midi_map_from_string(MAP)
    events = []
    started = []
    engine.connect("midi-event", lambda _e, *args: events.append(args))
    engine.connect("sample-started", lambda _e, slot, frame: started.append((slot, frame)))
    engine.inject_midi(bytes([0x90, 36, 127]), 345)
    # Velocity 0 on note 37: its note-off; unmapped note 50 reported too.
    engine.inject_midi(bytes([0x90, 50, 1, 37, 0]), 400)
    out = render(engine, 2 * PERIOD) + render(engine, 2 * PERIOD)
    left = out[0::2]
    assert left[344] == 0.0
    assert left[345] == 0.5
    assert iterate_until(lambda: len(events) == 3)
    assert events == [(1, 0x90, 36, 127, 345), (1, 0x90, 50, 1, 400), (1, 0x80, 37, 0, 400)]
    assert started == [(0, 345)]


def test_malformed_is_counted():
    engine = offline_engine()
    engine.inject_midi(bytes([0x12, 0xF0, 1, 2, 0x90, 36, 100, 0xF5]), 0)
    render(engine, PERIOD)
    stats = engine.get_stats()
    assert stats.get_midi_errors() == 3
    assert stats.get_dropped_midi() == 0


def test_midi_input_property():
    engine = Flitzis.AudioEngine()
    assert engine.props.midi_input is False
    engine.props.midi_input = True
    assert engine.get_midi_input() is True


# ---- the flitzis tool: play --midi PORT ----

import os
import signal
import subprocess
import time
import wave

BUILD = os.environ.get("G_TEST_BUILDDIR", os.path.join(os.path.dirname(__file__), ".."))
TOOL = os.path.join(BUILD, "..", "tools", "flitzis")


def connections(port):
    out = subprocess.run(["jack_lsp", "-c", port], capture_output=True, text=True).stdout
    return [line.strip() for line in out.splitlines()[1:]]


def wait_for(predicate, seconds=10.0):
    deadline = time.monotonic() + seconds
    while not predicate() and time.monotonic() < deadline:
        time.sleep(0.02)
    return predicate()


def test_tool_plays_from_a_midi_port(tmp_path):
    path = str(tmp_path / "beep.wav")
    with wave.open(path, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(RATE)
        wav.writeframes(array.array("h", [8000] * 2400).tobytes())
    # A MIDI source on the test's server: note 36 every 4800 frames.
    source = subprocess.Popen(["jack_midiseq", "flitzis-test-seq", "4800", "0", "36", "2400"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        assert wait_for(lambda: "flitzis-test-seq:out" in subprocess.run(
            ["jack_lsp"], capture_output=True, text=True).stdout)
        tool = subprocess.Popen([TOOL, "play", "--midi", "flitzis-test-seq:out", path],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        line = tool.stdout.readline()
        assert line.startswith("flitzis play: notes 36 to 36 of “flitzis-test-seq:out”"), line
        assert wait_for(lambda: any(c.endswith(":midi_in")
                                    for c in connections("flitzis-test-seq:out")))
        tool.send_signal(signal.SIGINT)
        _, err = tool.communicate(timeout=10)
        assert tool.returncode == 0, err
    finally:
        source.terminate()
        source.wait()


def test_tool_midi_usage_errors(tmp_path):
    bad = tmp_path / "bad.midimap"
    bad.write_text("flitzis-midi-map 1\nnote 36 slot 99\n")
    result = subprocess.run([TOOL, "play", "--midi-map", str(bad), "x.wav"],
                            capture_output=True, text=True)
    assert result.returncode == 2
    assert "--midi-map needs --midi PORT" in result.stderr
    result = subprocess.run([TOOL, "play", "--midi", "nobody:out", "--midi-map", str(bad),
                             "x.wav"], capture_output=True, text=True)
    assert result.returncode != 0
    assert "bad.midimap:2: slot 99 is not below the engine’s 32 slots" in result.stderr
