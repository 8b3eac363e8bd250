# test_params.py: parameters from Python: a slider moved 10,000 times
# between two periods never fails, never fills the command queue, never
# delays a trigger, and its last value wins.
#
# Copyright 2026 The libflitzis authors
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The scenarios of tests/engine/test-params.c on offline (mono) engines
# made from properties: ramp frames are compared with the line they
# follow to within 1e-6, every other frame bit for bit.

import pytest
from gi.repository import Flitzis, GLib

from conftest import RATE, f32, iterate_until, render, write_wav

RAMP = RATE * 5 // 1000     # 240 frames
CLOSE = 1e-6
MOVES = 10000


def offline(**props):
    engine = Flitzis.AudioEngine(offline=True, sample_rate=RATE, channels=1, **props)
    engine.run()
    return engine


def frames(engine, n, period=256):
    out = []
    while len(out) < n:
        out.extend(render(engine, min(period, n - len(out))))
    return out


def drag(engine, slot, gain, volume, moves=MOVES):
    """A slider's moves, none of them the last value, then the last."""
    for i in range(moves):
        assert engine.set_sample_gain(slot, 0.05 + (i % 97) * 0.02)
        assert engine.set_volume(0.1 + (i % 89) * 0.03)
    engine.set_sample_gain(slot, gain)
    engine.set_volume(volume)


def fill_command_queue(engine):
    queued = 0
    while True:
        try:
            engine.ping()
        except GLib.Error as e:
            assert e.matches(Flitzis.EngineError.quark(), Flitzis.EngineError.QUEUE_FULL)
            return queued
        queued += 1


def assert_ramp(out, start, frm, to):
    for k in range(RAMP):
        expected = frm + (to - frm) * (k + 1) / RAMP
        assert abs(out[start + k] - expected) <= CLOSE, (start + k, out[start + k], expected)
    assert all(x == to for x in out[start + RAMP:])


def test_slider_then_trigger_final_value_wins(tmp_path):
    engine = offline()
    started = []
    engine.connect("sample-started", lambda e, slot, frame: started.append((slot, frame)))
    engine.load_sample(0, write_wav(tmp_path / "c.wav", [16384] * RATE))
    engine.play_sample(0, 1.0)
    frames(engine, 256)
    drag(engine, 0, 0.25, 2.0)
    engine.play_sample(0, 1.0)      # a second voice, queued after the moves
    out = frames(engine, 1024)
    # Two voices of 0.5: the old one ramps from 0.5 to 0.5 * 0.25 * 2, the
    # new one starts on the period's first frame under the same ramps.
    assert_ramp(out, 0, 1.0, 0.5)
    assert iterate_until(lambda: len(started) == 2)
    assert started == [(0, 0), (0, 256)]
    assert engine.props.volume == 2.0


def test_slider_never_takes_a_place_in_the_queue(tmp_path):
    engine = offline()
    drag(engine, 5, 1.0, 1.0)
    for i in range(MOVES // 10):
        engine.set_sample_loop(i % 32, i % 2 == 0, i, i + 10)
        engine.set_sample_retrigger(i % 32, Flitzis.Retrigger(i % 3))
        engine.set_sample_choke_group(i % 32, i % 17)
    assert fill_command_queue(engine) == Flitzis.QUEUE_CAPACITY


def test_volume_with_a_full_queue(tmp_path):
    engine = offline()
    engine.load_sample(0, write_wav(tmp_path / "c.wav", [16384] * RATE))
    engine.play_sample(0, 1.0)
    frames(engine, 256)
    assert fill_command_queue(engine) == Flitzis.QUEUE_CAPACITY
    engine.set_volume(0.5)                  # cannot fail for a full queue
    engine.props.volume = 0.25              # nor through the property
    engine.set_sample_gain(0, 2.0)
    out = frames(engine, 512)
    assert_ramp(out, 0, 0.5, 0.25)


def test_set_back_is_never_heard(tmp_path):
    engine = offline()
    engine.load_sample(0, write_wav(tmp_path / "c.wav", [16384] * RATE))
    engine.play_sample(0, 1.0)
    frames(engine, 256)
    drag(engine, 0, 1.0, 1.0, moves=100)
    assert set(frames(engine, 512)) == {0.5}


@pytest.mark.parametrize("params_first", [True, False])
def test_parameters_apply_to_the_triggers_of_their_period(tmp_path, params_first):
    engine = offline()
    engine.load_sample(0, write_wav(tmp_path / "n.wav", [f + 1 for f in range(4000)]))

    def params():
        engine.set_sample_loop(0, True, 100, 3900)
        engine.set_sample_gain(0, 0.5)

    if params_first:
        params()
    engine.play_sample(0, 1.0)
    if not params_first:
        params()
    out = frames(engine, 1024)
    # The voice starts at the loop start, under the gain's ramp.
    assert abs(out[0] - f32(101 / 32768) * (1 - 0.5 / RAMP)) <= CLOSE
    assert out[RAMP:] == [f32(0.5 * (101 + f) / 32768) for f in range(RAMP, 1024)]
