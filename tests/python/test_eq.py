# test_eq.py: the 3-band isolator of each slot (issue 18), from Python,
# with the standard library's array and math modules (no NumPy).
#
# Copyright 2026 The libflitzis authors
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Offline engines: the flat isolator is checked bit for bit, the killed
# bands 50 dB down or more at their tones (Linkwitz-Riley crossovers of
# the 8th order: 91, 64 and 69 dB at 1 kHz, 100 Hz and 9.6 kHz; those of
# the 4th order gave 42.6, 32.1 and 35.0 dB).

import array
import math

import pytest
from gi.repository import Flitzis, GLib

from conftest import RATE, render

PERIOD = 256


def engine_with_tone(hz, frames):
    """A running offline stereo engine with a looping tone of hz (whole
    cycles in frames) in slot 0, playing."""
    engine = Flitzis.AudioEngine(offline=True, sample_rate=RATE, channels=2)
    engine.run()
    pcm = array.array("f")
    for f in range(frames):
        x = 0.5 * math.sin(2 * math.pi * hz * f / RATE)
        pcm.extend((x, x))
    engine.load_sample_from_bytes(0, GLib.Bytes.new(pcm.tobytes()), RATE, 2)
    engine.set_sample_loop(0, True, 0, 0)
    engine.play_sample(0, 1.0)
    return engine


def peak(values):
    return max(abs(v) for v in values)


def test_flat_is_bit_identical():
    plain = engine_with_tone(1000, 480)
    flat = engine_with_tone(1000, 480)
    flat.set_sample_eq(0, 0.0, 0.0, 0.0)
    for _ in range(8):
        assert render(plain, PERIOD).tobytes() == render(flat, PERIOD).tobytes()


@pytest.mark.parametrize("hz, bands, down_db", [
    (1000, (0.0, -60.0, 0.0), 50.0),
    (100, (-60.0, 0.0, 0.0), 50.0),
    (9600, (0.0, 0.0, -60.0), 50.0),
])
def test_killed_band(hz, bands, down_db):
    engine = engine_with_tone(hz, RATE // hz * 20 if RATE % hz == 0 else RATE // 10)
    engine.set_sample_eq(0, *bands)
    render(engine, 4 * PERIOD)          # the glide, and the filters settling
    killed = peak(render(engine, 20 * PERIOD))
    assert 20 * math.log10(0.5 / killed) >= down_db


def test_all_killed_is_silent_and_kept_across_reload():
    engine = engine_with_tone(1000, 480)
    engine.set_sample_eq(0, -60.0, -60.0, -60.0)
    render(engine, PERIOD)
    assert peak(render(engine, 4 * PERIOD)) == 0.0
    pcm = array.array("f", [0.25, -0.25] * 3000)
    engine.load_sample_from_bytes(0, GLib.Bytes.new(pcm.tobytes()), RATE, 2)
    engine.play_sample(0, 1.0)
    assert peak(render(engine, 4 * PERIOD)) == 0.0
    engine.set_sample_eq(0, 0.0, 0.0, 0.0)
    render(engine, PERIOD)
    assert peak(render(engine, PERIOD)) > 0.0


@pytest.mark.parametrize("bands", [
    (-60.5, 0.0, 0.0), (0.0, 6.5, 0.0), (0.0, 0.0, float("nan")), (float("inf"), 0.0, 0.0),
])
def test_bad_bands_fail_and_change_nothing(bands):
    engine = engine_with_tone(1000, 480)
    plain = engine_with_tone(1000, 480)
    with pytest.raises(GLib.Error) as error:
        engine.set_sample_eq(0, *bands)
    assert error.value.matches(Flitzis.engine_error_quark(), Flitzis.EngineError.INVALID_GAIN)
    assert "-60" in error.value.message and "6 dB" in error.value.message
    assert render(engine, 4 * PERIOD).tobytes() == render(plain, 4 * PERIOD).tobytes()


def test_bad_slot_and_not_running():
    engine = engine_with_tone(1000, 480)
    with pytest.raises(GLib.Error) as error:
        engine.set_sample_eq(engine.props.slots, 0.0, 0.0, 0.0)
    assert error.value.matches(Flitzis.engine_error_quark(), Flitzis.EngineError.INVALID_SLOT)
    stopped = Flitzis.AudioEngine(offline=True, sample_rate=RATE, channels=2)
    with pytest.raises(GLib.Error) as error:
        stopped.set_sample_eq(0, -6.0, 0.0, 0.0)
    assert error.value.matches(Flitzis.engine_error_quark(), Flitzis.EngineError.NOT_RUNNING)
