# test_clock.py: the musical clock from Python: quantized starts on every
# grid at 120 and 93.7 BPM against exact rationals, the position read at
# any frame, a tempo change that keeps the phase, beats as signals and
# messages, the metronome's clicks, syncing to a slot, bad values.
#
# Copyright 2026 The libflitzis authors
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Offline engines made from properties: every frame is exact.  The oracle
# is Python's fractions.Fraction: Fraction(93.7) is the double's exact
# value, and a grid point heard at the first frame at or after its exact
# time is ceil(k * grid * 60 * rate / bpm).

import math
from fractions import Fraction

import pytest
from gi.repository import Flitzis, GLib

from conftest import RATE, f32, iterate_until, render, write_wav

GRIDS = {
    Flitzis.Quantize.BAR: Fraction(4),
    Flitzis.Quantize.BEAT: Fraction(1),
    Flitzis.Quantize.EIGHTH: Fraction(1, 2),
    Flitzis.Quantize.SIXTEENTH: Fraction(1, 4),
    Flitzis.Quantize.THIRTY_SECOND: Fraction(1, 8),
    Flitzis.Quantize.SIXTY_FOURTH: Fraction(1, 16),
}


def grid_frame(bpm, beats, start, downbeat=0):
    """The first frame at or after start on which a point of a grid of
    `beats` beats falls, exactly."""
    step = beats * 60 * RATE / Fraction(bpm)
    k = max(0, math.floor((start - downbeat) / step))
    while math.ceil(downbeat + k * step) < start:
        k += 1
    return math.ceil(downbeat + k * step)


def offline(bpm, tmp_path, **props):
    engine = Flitzis.AudioEngine(offline=True, sample_rate=RATE, channels=1, tempo=bpm, **props)
    engine.run()
    engine.load_sample(0, write_wav(tmp_path / "impulse.wav", [16384] * 4))
    return engine


def first_sound(samples):
    return next((i for i, x in enumerate(samples) if x != 0.0), None)


@pytest.mark.parametrize("bpm", [120.0, 93.7])
@pytest.mark.parametrize("grid", list(GRIDS))
def test_quantized_start_every_grid(tmp_path, bpm, grid):
    for start in (1, 777, 30737, 122946, 250001):
        engine = offline(bpm, tmp_path, quantize=grid)
        render(engine, start)
        expected = grid_frame(bpm, GRIDS[grid], start)
        assert engine.get_grid_frame(grid, start) == expected
        engine.play_sample(0, 1.0)
        window = math.ceil(GRIDS[grid] * 60 * RATE / Fraction(bpm)) + 1000
        heard = first_sound(render(engine, window))
        assert heard is not None and start + heard == expected, (bpm, grid, start)
        engine.shut_down()


def test_position_at_any_frame(tmp_path):
    engine = offline(93.7, tmp_path, beats_per_bar=3)
    beat = 60 * RATE / Fraction(93.7)
    for k in (0, 1, 2, 3, 7, 100, 1000):
        frame = math.ceil(k * beat)
        bar, in_bar, fraction = engine.get_position(frame)
        assert (bar, in_bar) == (k // 3 + 1, k % 3 + 1)
        assert 0.0 <= fraction < 1e-4
        if k > 0:
            bar, in_bar, fraction = engine.get_position(frame - 1)
            assert in_bar == (k - 1) % 3 + 1
            assert fraction > 0.9999
    # Before the downbeat: a count-in, bars 0 and -1.
    engine.props.downbeat_frame = 10 * RATE
    render(engine, 256)
    assert engine.get_position(10 * RATE)[:2] == (1, 1)
    bar, in_bar, _ = engine.get_position(10 * RATE - 1)
    assert (bar, in_bar) == (0, 3)
    assert engine.get_position(10 * RATE - math.floor(4 * beat))[:2] == (-1, 3)


def test_tempo_change_keeps_phase(tmp_path):
    engine = offline(120.0, tmp_path)
    render(engine, 36000)
    before = engine.get_position(36000)
    engine.props.tempo = 93.7
    render(engine, 100)
    after = engine.get_position(36000)
    assert after[:2] == before[:2] == (1, 2)
    assert after[2] == before[2] == pytest.approx(0.5, abs=1e-12)
    # Half a beat to go at the new tempo, exactly.
    expected = 36000 + math.ceil(Fraction(1, 2) * 60 * RATE / Fraction(93.7))
    assert engine.get_grid_frame(Flitzis.Quantize.BEAT, 36100) == expected


def test_beats_as_signals_and_messages(tmp_path):
    # Reported by default: a handler of "beat" needs nothing else.
    engine = offline(93.7, tmp_path)
    assert engine.props.report_beats
    seen = []
    engine.connect("beat", lambda e, bar, beat, frame: seen.append((bar, beat, frame)))
    beat = 60 * RATE / Fraction(93.7)
    render(engine, 5 * 30736)
    assert iterate_until(lambda: len(seen) >= 5)
    assert seen == [(k // 4 + 1, k % 4 + 1, math.ceil(k * beat)) for k in range(5)]
    messages = []
    while (message := engine.receive_msg()) is not None:
        if message.get_kind() == Flitzis.MessageKind.BEAT:
            messages.append((message.get_bar(), message.get_beat(), message.get_frame()))
    assert messages == seen


def test_no_beats_when_turned_off_nor_in_a_count_in(tmp_path):
    quiet = offline(120.0, tmp_path, report_beats=False)
    render(quiet, 3 * 24000)
    assert quiet.receive_msg() is None
    # A count-in of one bar: bar 0 is not reported, bar 1 beat 1 is.
    engine = offline(120.0, tmp_path, downbeat_frame=4 * 24000)
    seen = []
    engine.connect("beat", lambda e, bar, beat, frame: seen.append((bar, beat, frame)))
    render(engine, 5 * 24000 + 1)
    assert iterate_until(lambda: len(seen) >= 2)
    assert seen == [(1, 1, 96000), (1, 2, 120000)]
    assert engine.get_position(0)[:2] == (0, 1)


def test_metronome_clicks_on_the_beats(tmp_path):
    engine = offline(93.7, tmp_path, metronome=True, metronome_volume=0.5)
    out = render(engine, 4 * 30736)
    beat = 60 * RATE / Fraction(93.7)
    onsets = [f for f in range(len(out)) if out[f] != 0.0 and (f == 0 or out[f - 1] == 0.0)]
    assert onsets == [math.ceil(k * beat) for k in range(4)]
    assert out[0] == f32(f32(0.6) * 0.5)
    assert out[onsets[1]] == f32(f32(0.35) * 0.5)


def test_sync_to_sample(tmp_path):
    engine = offline(120.0, tmp_path)
    engine.load_sample(1, write_wav(tmp_path / "loop.wav", [4000] * (4 * 28800)))
    engine.set_sample_tempo(1, 100.0)
    engine.set_sample_downbeat(1, 1000)
    render(engine, 5000)
    engine.play_sample(1, 1.0)
    render(engine, 3000)
    notified = []
    engine.connect("notify::downbeat-frame", lambda e, p: notified.append(e.props.downbeat_frame))
    engine.sync_transport_to_sample(1)
    render(engine, 256)
    assert iterate_until(lambda: notified)
    assert notified == [5000 + 1000]
    assert engine.props.tempo == 100.0
    assert engine.get_grid_frame(Flitzis.Quantize.BAR, 6001) == 6000 + 4 * 28800


def test_sync_to_sample_off_speed(tmp_path):
    # A 100 BPM loop at speed 1.25 is heard at 125 BPM; its downbeat (its
    # frame 1000) sounds 800 frames after it started.
    engine = offline(120.0, tmp_path)
    engine.load_sample(1, write_wav(tmp_path / "loop.wav", [4000] * (4 * 28800)))
    engine.set_sample_tempo(1, 100.0)
    engine.set_sample_downbeat(1, 1000)
    engine.set_sample_speed(1, 1.25)
    render(engine, 5120)
    engine.play_sample(1, 1.0)
    render(engine, 256)
    notified = []
    engine.connect("notify::downbeat-frame", lambda e, p: notified.append(e.props.downbeat_frame))
    engine.sync_transport_to_sample(1)
    render(engine, 256)
    assert iterate_until(lambda: notified)
    assert notified == [5120 + 800]
    assert engine.props.tempo == 125.0


def test_bad_values_change_nothing(tmp_path):
    engine = offline(120.0, tmp_path)
    for bpm in (19.0, 401.0, float("nan"), float("inf")):
        with pytest.raises(GLib.Error) as raised:
            engine.set_tempo(bpm)
        assert raised.value.matches(Flitzis.EngineError.quark(), Flitzis.EngineError.INVALID_TEMPO)
        assert "20 to 400" in raised.value.message
    for beats in (0, 33):
        with pytest.raises(GLib.Error) as raised:
            engine.set_beats_per_bar(beats)
        assert raised.value.matches(Flitzis.EngineError.quark(), Flitzis.EngineError.INVALID_METER)
    with pytest.raises(GLib.Error) as raised:
        engine.set_sample_tempo(0, -5.0)
    assert raised.value.matches(Flitzis.EngineError.quark(), Flitzis.EngineError.INVALID_TEMPO)
    with pytest.raises(GLib.Error) as raised:
        engine.sync_transport_to_sample(5)
    assert raised.value.matches(Flitzis.EngineError.quark(), Flitzis.EngineError.EMPTY_SLOT)
    assert engine.props.tempo == 120.0
    assert engine.props.beats_per_bar == 4
    render(engine, 256)
    assert engine.get_grid_frame(Flitzis.Quantize.BEAT, 1) == 24000
