# test_looper.py: the looper features from Python: scheduling, loops,
# stops, gain, events, async loads, sample information and devices.
#
# Copyright 2026 The libflitzis authors
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Offline engines make every frame exact; the device tests run on the
# suite's JACK dummy server (tools/with-jackd.sh).

import math

import pytest
from gi.repository import Flitzis, Gio, GLib

from conftest import RATE, f32, iterate_until, receive_skipping_beats, render, write_wav

PERIOD = 256
RAMP = RATE * 5 // 1000     # stop fades and gain ramps: 5 ms


def offline(channels=1):
    engine = Flitzis.AudioEngine.new_offline(RATE, channels)
    engine.run()
    return engine


def constant(tmp_path, name, n_frames, value, rate=RATE):
    """A mono 16-bit WAV holding value (an int sample) n_frames times."""
    return write_wav(tmp_path / name, [value] * n_frames, rate=rate)


def counting(tmp_path, name, n_frames):
    """Frame f holds f + 1: every output frame tells where it came from."""
    return write_wav(tmp_path / name, [f + 1 for f in range(n_frames)])


def render_frames(engine, n_frames):
    out = []
    while len(out) < n_frames:
        out.extend(render(engine, min(PERIOD, n_frames - len(out))))
    return out


class Events:
    """Records the engine's event signals in order, as tuples."""

    def __init__(self, engine):
        self.seen = []
        for name in ("sample-started", "sample-finished", "voice-dropped"):
            engine.connect(name, self._record, name)
        engine.connect("trigger-late",
                       lambda e, slot, frame, late: self.seen.append(("trigger-late", slot, frame, late)))

    def _record(self, engine, slot, frame, name):
        self.seen.append((name, slot, frame))

    def wait_for(self, count):
        assert iterate_until(lambda: len(self.seen) >= count)
        seen, self.seen = self.seen, []
        return seen


def first_sound(frames):
    return next(i for i, x in enumerate(frames) if x != 0.0)


def test_play_sample_at_starts_on_its_frame(tmp_path):
    engine = offline()
    events = Events(engine)
    engine.load_sample(0, constant(tmp_path, "c.wav", 100, 8192))
    engine.play_sample_at(0, 1.0, 1000)
    out = render_frames(engine, 2048)
    assert first_sound(out) == 1000
    assert out[1000:1100] == [0.25] * 100 and out[1100] == 0.0
    assert events.wait_for(2) == [("sample-started", 0, 1000), ("sample-finished", 0, 1100)]


def test_a_late_trigger_starts_at_once_and_says_so(tmp_path):
    engine = offline()
    events = Events(engine)
    engine.load_sample(2, constant(tmp_path, "c.wav", 10, 8192))
    render_frames(engine, 1024)
    engine.play_sample_at(2, 1.0, 100)
    assert first_sound(render_frames(engine, PERIOD)) == 0
    assert events.wait_for(3) == [("trigger-late", 2, 1024, 924), ("sample-started", 2, 1024),
                                  ("sample-finished", 2, 1034)]


def test_loop_seams_are_sample_exact(tmp_path):
    engine = offline()
    engine.load_sample(0, counting(tmp_path, "n.wav", 1000))
    engine.set_sample_loop(0, True, 300, 700)
    engine.play_sample(0, 1.0)
    out = render_frames(engine, 3000)
    positions = [300 + f % 400 for f in range(3000)]   # starts at the loop start
    assert out == [f32((p + 1) / 32768) for p in positions]


def test_loop_errors(tmp_path):
    engine = offline()
    engine.set_sample_loop(1, True, 0, 0)        # an empty slot keeps its region
    engine.load_sample(1, counting(tmp_path, "n.wav", 100))
    engine.set_sample_loop(1, True, 50, 101)     # clamped to the sample (test_pads.py)
    engine.set_sample_loop(1, True, 100, 0)
    for start, end in ((60, 60), (61, 60)):
        with pytest.raises(GLib.Error) as excinfo:
            engine.set_sample_loop(1, True, start, end)
        assert excinfo.value.matches(Flitzis.EngineError.quark(),
                                     Flitzis.EngineError.INVALID_LOOP)
        assert f"from frame {start} to {end}" in excinfo.value.message


def test_stop_sample_fades_without_a_click(tmp_path):
    engine = offline()
    events = Events(engine)
    engine.load_sample(3, constant(tmp_path, "c.wav", RATE, 16384))
    engine.play_sample(3, 1.0)
    out = render_frames(engine, 1024)
    engine.stop_sample(3)
    out += render_frames(engine, 1024)
    steps = [abs(b - a) for a, b in zip(out, out[1:])]
    assert max(steps) <= 0.5 / RAMP * 1.01      # a cut would be a step of 0.5
    assert all(x == 0.0 for x in out[1024 + RAMP:])
    assert events.wait_for(2) == [("sample-started", 3, 0), ("sample-finished", 3, 1024 + RAMP)]


def test_stop_all_and_unload(tmp_path):
    engine = offline()
    path = constant(tmp_path, "c.wav", RATE, 8192)
    engine.load_sample(0, path)
    engine.load_sample(1, path)
    engine.play_sample(0, 1.0)
    engine.play_sample_at(1, 1.0, 5000)
    render_frames(engine, PERIOD)
    engine.stop_all()
    assert all(x == 0.0 for x in render_frames(engine, 8192)[RAMP:])
    engine.unload_sample(1)
    assert engine.dup_sample_info(1) is None
    assert engine.dup_sample_info(0).get_path() == path


def test_volume_property_ramps_and_unity_is_exact(tmp_path):
    engine = offline()
    notified = []
    engine.connect("notify::volume", lambda e, pspec: notified.append(e.props.volume))
    engine.load_sample(0, constant(tmp_path, "c.wav", RATE, 16384))
    engine.play_sample(0, 1.0)
    assert render_frames(engine, PERIOD) == [0.5] * PERIOD   # unity: bit for bit
    engine.props.volume = 0.25
    out = render_frames(engine, 2048)
    assert max(abs(b - a) for a, b in zip(out, out[1:])) <= 0.5 * 0.75 / RAMP * 1.01
    assert out[-1] == 0.125
    assert notified == [0.25]
    engine.set_sample_gain(0, 2.0)
    assert render_frames(engine, 2048)[-1] == 0.25


@pytest.mark.parametrize("bad", [-0.5, 4.5, math.nan, math.inf])
def test_bad_gains_are_errors_and_change_nothing(bad):
    engine = offline()
    with pytest.raises(GLib.Error) as excinfo:
        engine.set_volume(bad)
    assert excinfo.value.matches(Flitzis.EngineError.quark(), Flitzis.EngineError.INVALID_GAIN)
    with pytest.raises(GLib.Error):
        engine.set_sample_gain(0, bad)
    assert engine.get_volume() == 1.0


def test_voice_dropped_signal_and_message(tmp_path):
    engine = offline()
    events = Events(engine)
    engine.load_sample(5, constant(tmp_path, "c.wav", RATE, 100))
    for _ in range(Flitzis.MAX_VOICES + 1):
        engine.play_sample(5, 1.0)
    render_frames(engine, PERIOD)
    seen = events.wait_for(Flitzis.MAX_VOICES + 1)
    assert seen[-1] == ("voice-dropped", 5, 0)
    assert engine.get_stats().get_dropped_voices() == 1
    kinds = []
    while (message := receive_skipping_beats(engine)) is not None:
        kinds.append((message.get_kind(), message.get_slot()))
    assert kinds[-1] == (Flitzis.MessageKind.VOICE_DROPPED, 5)
    assert kinds.count((Flitzis.MessageKind.SAMPLE_STARTED, 5)) == Flitzis.MAX_VOICES


def test_a_file_at_another_rate_is_resampled(tmp_path):
    rate = 44100
    sine = [round(16384 * math.sin(2 * math.pi * 1000 * f / rate)) for f in range(rate)]
    path = write_wav(tmp_path / "cd.wav", sine, rate=rate)
    engine = offline(channels=2)
    engine.load_sample(0, path)
    info = engine.dup_sample_info(0)
    assert (info.get_frames(), info.get_channels(), info.get_sample_rate()) == (RATE, 2, RATE)
    assert (info.get_original_frames(), info.get_original_channels(),
            info.get_original_rate()) == (rate, 1, rate)
    assert info.get_path() == path
    assert info.get_memory_size() >= RATE * 2 * 4
    engine.play_sample(0, 1.0)
    left = render_frames_stereo_left(engine, RATE)
    worst = max(abs(left[f] - 0.5 * math.sin(2 * math.pi * 1000 * f / RATE))
                for f in range(1000, RATE - 1000))
    assert worst < 1e-3     # 16-bit quantisation is 3e-5; the resampler adds less


def render_frames_stereo_left(engine, n_frames):
    out = []
    while len(out) < n_frames:
        frames = render(engine, min(PERIOD, n_frames - len(out)))
        out.extend(frames[0::2])
    return out


def test_load_sample_async_and_a_newer_load_supersedes(tmp_path):
    engine = offline()
    big = constant(tmp_path, "big.wav", 20 * RATE, 8192)
    small = constant(tmp_path, "small.wav", 100, 16384)
    results = {}

    def finished(name):
        def callback(source, result):
            try:
                results[name] = source.load_sample_finish(result)
            except GLib.Error as error:
                results[name] = error
        return callback

    engine.load_sample_async(0, big, None, finished("big"))
    engine.load_sample_async(0, small, None, finished("small"))
    assert iterate_until(lambda: len(results) == 2)
    assert isinstance(results["big"], GLib.Error)
    assert results["big"].matches(Gio.io_error_quark(), Gio.IOErrorEnum.CANCELLED)
    assert results["small"] is True
    assert engine.dup_sample_info(0).get_path() == small
    engine.play_sample(0, 1.0)
    assert render(engine, PERIOD)[0] == 0.5


def test_load_sample_async_cancelled(tmp_path):
    engine = offline()
    cancellable = Gio.Cancellable()
    cancellable.cancel()
    results = []
    engine.load_sample_async(0, constant(tmp_path, "c.wav", 100, 100), cancellable,
                             lambda source, result: results.append(result))
    assert iterate_until(lambda: results)
    with pytest.raises(GLib.Error) as excinfo:
        engine.load_sample_finish(results[0])
    assert excinfo.value.matches(Gio.io_error_quark(), Gio.IOErrorEnum.CANCELLED)
    assert engine.dup_sample_info(0) is None


def test_output_devices_are_a_list_model():
    devices = Flitzis.AudioEngine.list_output_devices()
    assert isinstance(devices, Gio.ListModel)
    assert devices.get_item_type() == Flitzis.Device.__gtype__
    items = [devices.get_item(i) for i in range(devices.get_n_items())]
    jack = [d for d in items if "JACK" in d.props.host_api]
    assert jack and sum(d.props.is_default for d in jack) == 1
    default = next(d for d in jack if d.props.is_default)
    assert default.props.max_output_channels >= 1
    assert default.props.default_sample_rate == RATE

    engine = Flitzis.AudioEngine.new()
    engine.props.device = default.props.name
    engine.props.period_frames = 512
    engine.run()
    try:
        assert engine.props.latency > 0
        assert engine.props.sample_rate == RATE
    finally:
        engine.shut_down()
    assert engine.props.latency == 0
