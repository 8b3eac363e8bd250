# test_speed.py: voices at another speed and tempo lock (issue 17), from
# Python, with the standard library alone (no NumPy).
#
# Copyright 2026 The libflitzis authors
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Offline engines: the properties, set_sample_speed(), its errors, and the
# length of a sample at another speed, to the period.

import array
import math

import pytest
from gi.repository import Flitzis, GLib

from conftest import RATE, render

PERIOD = 256


def engine_with_second(hz=440):
    """A running offline stereo engine with one second of a tone in slot 0."""
    engine = Flitzis.AudioEngine(offline=True, sample_rate=RATE, channels=2)
    engine.run()
    pcm = array.array("f")
    for f in range(RATE):
        x = 0.5 * math.sin(2 * math.pi * hz * f / RATE)
        pcm.extend((x, x))
    engine.load_sample_from_bytes(0, GLib.Bytes.new(pcm.tobytes()), RATE, 2)
    return engine


def periods_until_silent(engine, limit):
    """Periods rendered until one is wholly silent (that one not counted)."""
    for n in range(limit):
        if not any(render(engine, PERIOD)):
            return n
    raise AssertionError("still sounding after %d periods" % limit)


def test_properties():
    engine = Flitzis.AudioEngine(offline=True, sample_rate=RATE, channels=2)
    assert engine.props.speed == 1.0
    assert engine.props.tempo_lock is False
    seen = []
    engine.connect("notify::speed", lambda *args: seen.append("speed"))
    engine.connect("notify::tempo-lock", lambda *args: seen.append("tempo-lock"))
    engine.props.speed = 1.5
    engine.props.tempo_lock = True
    assert engine.get_speed() == 1.5
    assert engine.get_tempo_lock() is True
    engine.set_speed(1.5)                 # the same again: no notify
    assert seen == ["speed", "tempo-lock"]


def test_length_at_double_speed():
    """A 1 s sample at 2.0 finishes in 0.5 s, within a period."""
    engine = engine_with_second()
    engine.set_sample_speed(0, 2.0)
    engine.play_sample(0, 1.0)
    n = periods_until_silent(engine, 400)
    assert abs(n * PERIOD - RATE // 2) <= PERIOD


def test_engine_speed_times_slot_speed():
    """The engine's 2.0 times the slot's 0.5 plays the second as it is."""
    engine = engine_with_second()
    engine.props.speed = 2.0
    engine.set_sample_speed(0, 0.5)
    engine.play_sample(0, 1.0)
    n = periods_until_silent(engine, 400)
    assert abs(n * PERIOD - RATE) <= PERIOD


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), float("-inf"), 0.1, 4.5])
def test_bad_speeds(bad):
    engine = engine_with_second()
    with pytest.raises(GLib.Error) as info:
        engine.set_sample_speed(0, bad)
    assert info.value.matches(Flitzis.EngineError.quark(), Flitzis.EngineError.INVALID_ARGUMENT)
    with pytest.raises(GLib.Error) as info:
        engine.set_speed(bad)
    assert info.value.matches(Flitzis.EngineError.quark(), Flitzis.EngineError.INVALID_ARGUMENT)
    assert "0.25 to 4" in info.value.message
    assert engine.props.speed == 1.0
    # Nothing changed: the second plays as long as it is.
    engine.play_sample(0, 1.0)
    n = periods_until_silent(engine, 400)
    assert abs(n * PERIOD - RATE) <= PERIOD


def test_bad_slot():
    engine = engine_with_second()
    with pytest.raises(GLib.Error) as info:
        engine.set_sample_speed(engine.props.slots, 2.0)
    assert info.value.matches(Flitzis.EngineError.quark(), Flitzis.EngineError.INVALID_SLOT)


def test_tempo_lock_follows_the_transport():
    """A slot at 120 BPM under a transport at 240 BPM plays at 2.0 with
    tempo lock on; a slot without a tempo does not follow."""
    engine = engine_with_second()
    engine.props.tempo = 240.0
    engine.set_sample_tempo(0, 120.0)
    engine.props.tempo_lock = True
    engine.play_sample(0, 1.0)
    n = periods_until_silent(engine, 400)
    assert abs(n * PERIOD - RATE // 2) <= PERIOD
    engine.set_sample_tempo(0, 0.0)
    engine.play_sample(0, 1.0)
    n = periods_until_silent(engine, 400)
    assert abs(n * PERIOD - RATE) <= PERIOD
