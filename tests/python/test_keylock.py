# test_keylock.py: key lock and pitch (issue 17) through the bindings
#
# Copyright 2026 The libflitzis authors
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# An offline engine: a 440 Hz tone pitched +12 plays at 880 Hz and its own
# length; bad pitches, and every call in a build without Rubber Band
# (FLITZIS_TEST_HAVE_RUBBERBAND=0, set by tests/Makefile.am from
# configure), raise a clear GLib.Error and change nothing.

import math
import os

import pytest
from gi.repository import Flitzis, GLib

from conftest import RATE, render, write_wav

HAVE_RUBBERBAND = os.environ.get("FLITZIS_TEST_HAVE_RUBBERBAND", "1") == "1"


def tone(tmp_path, freq=440.0, frames=RATE):
    samples = [round(16384 * math.sin(2 * math.pi * freq * i / RATE)) for i in range(frames)]
    return write_wav(tmp_path / "tone.wav", samples)


def engine_with_tone(tmp_path):
    engine = Flitzis.AudioEngine(offline=True, sample_rate=RATE, channels=1)
    engine.run()
    engine.load_sample(0, tone(tmp_path))
    return engine


def frequency(x):
    """Upward zero crossings, placed by linear interpolation."""
    crossings = [i + x[i] / (x[i] - x[i + 1]) for i in range(len(x) - 1)
                 if x[i] < 0.0 <= x[i + 1]]
    return (len(crossings) - 1) * RATE / (crossings[-1] - crossings[0])


@pytest.mark.skipif(not HAVE_RUBBERBAND, reason="built without Rubber Band")
def test_pitch_up_an_octave_keeps_its_length(tmp_path):
    engine = engine_with_tone(tmp_path)
    engine.set_sample_pitch(0, 12.0)
    engine.play_sample(0, 1.0)
    out = render(engine, RATE + RATE // 2)
    loud = [i for i, x in enumerate(out) if abs(x) > 0.25]
    assert abs(frequency(out[RATE // 10:RATE - RATE // 10]) - 880.0) <= 2.0
    assert loud[0] <= 48
    assert abs(loud[-1] + 1 - RATE) <= 480


@pytest.mark.skipif(not HAVE_RUBBERBAND, reason="built without Rubber Band")
def test_key_lock_property_and_bad_pitches(tmp_path):
    engine = engine_with_tone(tmp_path)
    assert engine.props.key_lock is False
    engine.props.key_lock = True
    assert engine.get_key_lock() is True
    engine.set_sample_key_lock(0, False)
    for bad in (float("nan"), 12.5, -13.0, float("inf")):
        with pytest.raises(GLib.Error) as raised:
            engine.set_sample_pitch(0, bad)
        assert raised.value.matches(Flitzis.EngineError.quark(),
                                    Flitzis.EngineError.INVALID_ARGUMENT)
        assert "-12 to 12 semitones" in raised.value.message
    # Nothing changed: slot 0 plays as it is, bit for bit.
    engine.play_sample(0, 1.0)
    out = render(engine, 1024)
    plain = Flitzis.AudioEngine(offline=True, sample_rate=RATE, channels=1)
    plain.run()
    plain.load_sample(0, tone(tmp_path))
    plain.play_sample(0, 1.0)
    assert render(plain, 1024) == out


def test_supported_as_built(tmp_path):
    """With Rubber Band the three calls work; without, each says so."""
    engine = engine_with_tone(tmp_path)
    calls = (lambda: engine.set_sample_key_lock(0, True),
             lambda: engine.set_sample_pitch(0, 3.0),
             lambda: engine.set_key_lock(True))
    if HAVE_RUBBERBAND:
        for call in calls:
            assert call() is True
        assert engine.props.key_lock is True
        return
    for call in calls:
        with pytest.raises(GLib.Error) as raised:
            call()
        assert raised.value.matches(Flitzis.EngineError.quark(),
                                    Flitzis.EngineError.NOT_SUPPORTED)
        assert "Rubber Band" in raised.value.message
    assert engine.props.key_lock is False
