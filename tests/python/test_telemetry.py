# test_telemetry.py: what plays, from Python: level meters and playheads,
# waveform overviews, loading PCM from memory (with the standard library's
# array module, no NumPy).
#
# Copyright 2026 The libflitzis authors
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Offline engines: every number is exact.

import array

import pytest
from gi.repository import Flitzis, GLib

from conftest import RATE, iterate_until, render, write_wav

PERIOD = 256


def offline(channels=2):
    engine = Flitzis.AudioEngine(offline=True, sample_rate=RATE, channels=channels)
    engine.run()
    return engine


def render_periods(engine, n, out):
    for _ in range(n):
        out.extend(render(engine, PERIOD))
        context = GLib.MainContext.default()
        while context.iteration(False):
            pass


# ---- meters and playheads ----

def test_meter_rate_is_off_by_default_and_checked():
    engine = offline()
    assert engine.props.meter_rate == 0
    assert engine.get_levels() is None
    with pytest.raises(GLib.Error) as error:
        engine.set_meter_rate(121)
    assert error.value.matches(Flitzis.engine_error_quark(), Flitzis.EngineError.INVALID_ARGUMENT)
    assert "1 to 120" in error.value.message
    assert engine.props.meter_rate == 0
    engine.props.meter_rate = 30
    assert engine.get_meter_rate() == 30


def test_levels_signal_finds_one_sample(tmp_path):
    """A single full-scale sample in a 30 Hz meter period is in that
    period's levels; every master peak equals the rendered output's."""
    frames = [0] * (RATE // 4 * 2)
    frames[1800 * 2 + 1] = 32767
    path = write_wav(tmp_path / "spike.wav", frames, channels=2)
    engine = offline()
    engine.load_sample(5, path)
    engine.props.meter_rate = 30
    seen = []
    engine.connect("levels", lambda e, levels: seen.append(levels))
    engine.play_sample(5, 1.0)
    out = array.array("f")
    render_periods(engine, 20, out)
    assert len(seen) >= 3
    start, found = 0, 0
    for levels in seen:
        end = levels.get_frame()
        assert levels.get_n_channels() == 2
        for c in range(2):
            assert levels.get_master_peak(c) == max(abs(x) for x in out[start * 2 + c:end * 2:2])
        if start <= 1800 < end:
            found += 1
            assert levels.get_slot_peak(5) == 32767 / 32768
            assert levels.get_slot_playhead(5) == end
        else:
            assert levels.get_slot_peak(5) == 0.0
        assert levels.get_slot_peak(4) == 0.0
        assert levels.get_slot_playhead(4) == 0
        start = end
    assert found == 1
    newest = engine.get_levels()
    assert newest.get_frame() == seen[-1].get_frame()
    stats = engine.get_stats()
    assert stats.get_dropped_levels() == 0


def test_levels_cover_every_slot_of_the_engine(tmp_path):
    """An engine of 216 pads: each snapshot has 216 slots, the last one
    measured like the first."""
    frames = [0] * (1000 * 2)
    frames[100 * 2] = -16384
    path = write_wav(tmp_path / "half.wav", frames, channels=2)
    engine = Flitzis.AudioEngine(offline=True, sample_rate=RATE, channels=2, slots=216)
    engine.run()
    engine.load_sample(215, path)
    engine.props.meter_rate = 120
    engine.play_sample(215, 1.0)
    render_periods(engine, 2, array.array("f"))
    levels = engine.get_levels()
    assert levels.get_n_slots() == 216
    assert levels.get_slot_peak(215) == 0.5
    assert levels.get_slot_playhead(215) == 2 * PERIOD
    assert all(levels.get_slot_peak(s) == 0.0 for s in range(215))


# ---- waveform overviews ----

def test_waveform_equals_brute_force(tmp_path):
    """Buckets of min/max per channel, exactly those of the frames: made
    with the standard library, read back with array."""
    frames = [((f * 7919) % 65535) - 32767 for f in range(5000 * 2)]
    path = write_wav(tmp_path / "ramp.wav", frames, channels=2)
    engine = offline()
    engine.load_sample(0, path)
    played = [x / 32768 for x in frames]
    for start, end, n in ((0, 5000, 7), (123, 4567, 100), (10, 11, 1)):
        values = array.array("f", engine.dup_waveform(0, start, end, n).get_data())
        assert len(values) == n * 2 * 2
        for b in range(n):
            lo = start + b * (end - start) // n
            hi = start + (b + 1) * (end - start) // n
            for c in range(2):
                chunk = played[lo * 2 + c:hi * 2:2]
                assert values[(b * 2 + c) * 2] == min(chunk)
                assert values[(b * 2 + c) * 2 + 1] == max(chunk)


def test_waveform_errors():
    engine = offline()
    with pytest.raises(GLib.Error) as error:
        engine.dup_waveform(0, 0, 10, 1)
    assert error.value.matches(Flitzis.engine_error_quark(), Flitzis.EngineError.EMPTY_SLOT)


# ---- loading from memory, with progress ----

def test_pcm_from_array_plays_exactly():
    """Float32 frames made with array (no NumPy) play as they are, and a
    16-bit WAV of the same values plays the same bits."""
    values = array.array("f", [((i * 7919) % 2001 - 1000) / 1024 for i in range(1000 * 2)])
    engine = offline()
    engine.load_sample_from_bytes(3, GLib.Bytes.new(values.tobytes()), RATE, 2)
    info = engine.dup_sample_info(3)
    assert info.get_path() is None
    assert info.get_frames() == 1000
    engine.play_sample(3, 1.0)
    out = render(engine, 1000)
    assert list(out) == list(values)


def test_pcm_errors_say_what_is_allowed():
    engine = offline()
    for data, rate, channels, says in ((b"", RATE, 2, "one or more frames of 8 bytes"),
                                       (b"\0" * 12, RATE, 2, "not a whole number of frames"),
                                       (b"\0" * 16, 999, 2, "1000 to 768000 Hz"),
                                       (b"\0" * 16, RATE, 0, "1 to 1024 channels")):
        with pytest.raises(GLib.Error) as error:
            engine.load_sample_from_bytes(0, GLib.Bytes.new(data), rate, channels)
        assert error.value.matches(Flitzis.engine_error_quark(),
                                   Flitzis.EngineError.INVALID_ARGUMENT)
        assert says in error.value.message
    assert engine.dup_sample_info(0) is None


def test_async_pcm_load_reports_progress():
    """Resampled on a worker: load-progress in the main context, never
    decreasing, 1.0 last and before the callback."""
    values = array.array("f", [((i * 31) % 200 - 100) / 128 for i in range(44100 * 5)])
    engine = offline()
    seen, done = [], []
    engine.connect("load-progress", lambda e, slot, fraction: seen.append((slot, fraction)))

    def finished(source, result):
        done.append((source.load_sample_from_bytes_finish(result), len(seen)))

    engine.load_sample_from_bytes_async(9, GLib.Bytes.new(values.tobytes()), 44100, 1, None,
                                        finished)
    assert iterate_until(lambda: done)
    assert done[0] == (True, len(seen))
    fractions = [f for slot, f in seen]
    assert all(slot == 9 for slot, f in seen)
    assert fractions == sorted(fractions)
    assert fractions[-1] == 1.0 and all(0.0 < f < 1.0 for f in fractions[:-1])
    assert engine.dup_sample_info(9).get_frames() == 48000 * 5
