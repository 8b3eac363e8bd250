# test_engine.py: libflitzis from Python, through GObject introspection.
#
# Copyright 2026 The libflitzis authors
# SPDX-License-Identifier: LGPL-2.1-or-later

import array
import math
import threading

import pytest
from gi.repository import Flitzis, Gio, GLib

from conftest import (RATE, expected_output, iterate_until, make_signal,
                      offline_engine_playing, play_and_capture, render,
                      receive_skipping_beats, write_wav)

NOT_RUNNING = Flitzis.EngineError.NOT_RUNNING


def assert_engine_error(excinfo, code):
    error = excinfo.value
    assert error.domain == GLib.quark_to_string(Flitzis.EngineError.quark())
    assert error.code == int(code)
    assert error.matches(Flitzis.EngineError.quark(), code)
    assert error.message


# ---- the library ----

def test_version_at_run_time_matches_the_headers():
    assert (Flitzis.get_major_version(), Flitzis.get_minor_version(),
            Flitzis.get_micro_version()) == \
        (Flitzis.MAJOR_VERSION, Flitzis.MINOR_VERSION, Flitzis.MICRO_VERSION)
    assert Flitzis.VERSION_S == "%d.%d.%d" % (
        Flitzis.MAJOR_VERSION, Flitzis.MINOR_VERSION, Flitzis.MICRO_VERSION)
    assert Flitzis.check_version(Flitzis.MAJOR_VERSION, Flitzis.MINOR_VERSION,
                                 Flitzis.MICRO_VERSION)
    assert Flitzis.check_version(0, 0, 0)
    assert not Flitzis.check_version(Flitzis.MAJOR_VERSION + 1, 0, 0)
    assert not Flitzis.check_version(Flitzis.MAJOR_VERSION,
                                     Flitzis.MINOR_VERSION + 1, 0)


def test_constants():
    assert Flitzis.MAX_SAMPLE_SLOTS == 32
    assert Flitzis.MAX_VOICES == 32
    assert Flitzis.QUEUE_CAPACITY == 1024


# ---- lifecycle ----

def test_new_engine_is_stopped():
    engine = Flitzis.AudioEngine()
    assert not engine.props.running
    assert engine.get_sample_rate() == 0
    assert engine.props.channels == 0
    assert engine.props.device is None
    assert engine.get_frame_time() == 0
    assert engine.receive_msg() is None


def test_run_and_shut_down():
    engine = Flitzis.AudioEngine.new()
    notified = []
    engine.connect("notify::running", lambda e, pspec: notified.append(e.props.running))

    assert engine.run()
    assert engine.get_running()
    assert engine.props.sample_rate == RATE
    assert engine.props.channels == 2
    assert iterate_until(lambda: engine.get_frame_time() > 0)
    assert iterate_until(lambda: notified == [True])

    engine.shut_down()
    assert not engine.get_running()
    assert engine.props.sample_rate == 0
    assert iterate_until(lambda: notified == [True, False])
    engine.shut_down()  # not running: nothing happens
    assert notified == [True, False]


def test_run_twice_fails(engine):
    with pytest.raises(GLib.Error) as excinfo:
        engine.run()
    assert_engine_error(excinfo, Flitzis.EngineError.ALREADY_RUNNING)
    assert engine.get_running()


def test_device_property():
    engine = Flitzis.AudioEngine(device="no such device")
    assert engine.dup_device() == "no such device"
    with pytest.raises(GLib.Error) as excinfo:
        engine.run()
    assert_engine_error(excinfo, Flitzis.EngineError.NO_DEVICE)
    assert "no such device" in excinfo.value.message
    engine.props.device = None
    assert engine.dup_device() is None


def test_dropped_while_running():
    engine = Flitzis.AudioEngine.new()
    engine.run()
    engine.ping()
    del engine  # disposes the running engine: stops the stream first


# ---- messages ----

def test_pong_through_main_loop(engine):
    loop = GLib.MainLoop()
    pongs = []

    def on_pong(source, frame):
        pongs.append(source)
        loop.quit()

    engine.connect("pong", on_pong)
    engine.ping()
    guard = GLib.timeout_add_seconds(10, loop.quit)
    loop.run()
    GLib.source_remove(guard)
    assert pongs == [engine]


def test_five_pings_five_polled_pongs(engine):
    for _ in range(5):
        engine.ping()
    messages = []

    def receive_all():
        message = receive_skipping_beats(engine)
        while message is not None:
            messages.append(message)
            message = receive_skipping_beats(engine)
        return len(messages) >= 5

    assert iterate_until(receive_all)
    assert len(messages) == 5
    assert all(m.get_kind() == Flitzis.MessageKind.PONG for m in messages)
    frames = [m.get_frame() for m in messages]
    assert frames == sorted(frames)
    assert receive_skipping_beats(engine) is None
    assert engine.get_stats().get_dropped_replies() == 0
    assert engine.get_stats().get_dropped_messages() == 0


# ---- samples ----

def test_load_and_play_a_wav_from_the_wave_module(engine, capture, tmp_path):
    frames = make_signal(4800)
    path = write_wav(tmp_path / "signal.wav", frames)
    engine.load_sample(3, path)
    capture.connect()

    left, right = play_and_capture(engine, capture, 3, 0.5, len(frames))

    expected = expected_output(frames, 0.5)
    assert left == expected
    assert right == expected  # mono plays on every channel


def test_failed_load_leaves_the_slot_as_it_was(engine, capture, tmp_path):
    frames = make_signal(2400, seed=7)
    good = write_wav(tmp_path / "good.wav", frames)
    not_audio = tmp_path / "notes.txt"
    not_audio.write_text("not audio\n")
    engine.load_sample(0, good)

    with pytest.raises(GLib.Error):
        engine.load_sample(0, str(tmp_path / "missing.wav"))
    with pytest.raises(GLib.Error):
        engine.load_sample(0, str(not_audio))
    with pytest.raises(GLib.Error):
        engine.load_sample(0, write_wav(tmp_path / "rate.wav", frames, rate=500))

    capture.connect()
    left, _ = play_and_capture(engine, capture, 0, 1.0, len(frames))
    assert left == expected_output(frames, 1.0)


# ---- errors: each is a GLib.Error with the engine's domain and code ----

@pytest.mark.parametrize("call", [
    lambda e, path: e.ping(),
    lambda e, path: e.play_sample(0, 0.5),
    lambda e, path: e.load_sample(0, path),
], ids=["ping", "play_sample", "load_sample"])
def test_calls_before_run_fail(call, tmp_path):
    engine = Flitzis.AudioEngine.new()
    path = write_wav(tmp_path / "a.wav", make_signal(10))
    with pytest.raises(GLib.Error) as excinfo:
        call(engine, path)
    assert_engine_error(excinfo, NOT_RUNNING)
    assert "run()" in excinfo.value.message


@pytest.mark.parametrize("slot", [32, 1000, 2**32 - 1])
def test_slot_out_of_range(engine, slot, tmp_path):
    path = write_wav(tmp_path / "a.wav", make_signal(10))
    for call in (lambda: engine.play_sample(slot, 0.5),
                 lambda: engine.load_sample(slot, path)):
        with pytest.raises(GLib.Error) as excinfo:
            call()
        assert_engine_error(excinfo, Flitzis.EngineError.INVALID_SLOT)
        assert "0 to 31" in excinfo.value.message


@pytest.mark.parametrize("velocity", [1.5, math.nan, math.inf, -0.1])
def test_velocity_out_of_range(engine, velocity):
    with pytest.raises(GLib.Error) as excinfo:
        engine.play_sample(0, velocity)
    assert_engine_error(excinfo, Flitzis.EngineError.INVALID_VELOCITY)
    assert "0.0 to 1.0" in excinfo.value.message


def test_missing_file(engine, tmp_path):
    with pytest.raises(GLib.Error) as excinfo:
        engine.load_sample(0, str(tmp_path / "missing.wav"))
    assert excinfo.value.matches(Gio.io_error_quark(), Gio.IOErrorEnum.NOT_FOUND)
    assert "missing.wav" in excinfo.value.message


def test_file_that_is_not_audio(engine, tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("These are not the samples you are looking for.\n")
    with pytest.raises(GLib.Error) as excinfo:
        engine.load_sample(0, str(path))
    assert_engine_error(excinfo, Flitzis.EngineError.UNSUPPORTED_FORMAT)
    assert "notes.txt" in excinfo.value.message


# ---- threads ----

def test_engine_driven_from_another_python_thread(tmp_path):
    """A worker thread runs the engine, pings and polls, loads and plays,
    while the main thread runs the main loop and receives the same pongs
    as signals: neither the GIL nor the engine's lock may deadlock."""
    engine = Flitzis.AudioEngine.new()
    path = write_wav(tmp_path / "a.wav", make_signal(480))
    signalled = []
    engine.connect("pong", lambda e, frame: signalled.append(threading.get_ident()))
    polled, failures = [], []

    def worker():
        try:
            engine.run()  # no thread-default context: signals go to main's
            for _ in range(20):
                engine.ping()
                engine.load_sample(1, path)
                engine.play_sample(1, 0.25)
                engine.get_frame_time()
            deadline = GLib.get_monotonic_time() + 10_000_000
            while len(polled) < 20 and GLib.get_monotonic_time() < deadline:
                message = engine.receive_msg()
                if message is not None and message.get_kind() == Flitzis.MessageKind.PONG:
                    polled.append(message.get_kind())
        except Exception as error:  # reported by the main thread
            failures.append(error)

    thread = threading.Thread(target=worker)
    thread.start()
    assert iterate_until(lambda: not thread.is_alive() and len(signalled) >= 20)
    thread.join()
    engine.shut_down()
    assert failures == []
    assert polled == [Flitzis.MessageKind.PONG] * 20
    assert signalled == [threading.main_thread().ident] * 20


# ---- offline rendering ----

def test_offline_engine_renders_what_it_plays(tmp_path):
    frames = make_signal(1000, seed=3)
    engine = offline_engine_playing(write_wav(tmp_path / "a.wav", frames), 2, 0.5)

    rendered = render(engine, 1200)

    expected = expected_output(frames, 0.5) + array.array("f", [0.0] * 200)
    assert rendered[0::2] == expected
    assert rendered[1::2] == expected
    assert engine.get_frame_time() == 1200
    engine.shut_down()


def test_offline_engine_from_properties():
    engine = Flitzis.AudioEngine(offline=True, sample_rate=44100, channels=1)
    assert engine.props.offline and engine.get_offline()
    assert (engine.props.sample_rate, engine.props.channels) == (44100, 1)
    engine.run()
    assert len(render(engine, 100)) == 100
    engine.shut_down()


def test_offline_engine_defaults_to_48000_hz_stereo():
    engine = Flitzis.AudioEngine(offline=True)
    assert (engine.props.sample_rate, engine.props.channels) == (48000, 2)
    assert not Flitzis.AudioEngine().props.offline


def test_new_offline_is_the_same_engine():
    engine = Flitzis.AudioEngine.new_offline(22050, 3)
    assert (engine.props.offline, engine.props.sample_rate, engine.props.channels) == \
        (True, 22050, 3)


def test_pong_carries_its_frame_and_ping_number():
    engine = Flitzis.AudioEngine(offline=True, sample_rate=RATE, channels=2)
    engine.run()
    pongs = []
    engine.connect("pong", lambda e, frame: pongs.append(frame))
    engine.ping()
    render(engine, 64)
    engine.ping()
    render(engine, 64)
    assert iterate_until(lambda: len(pongs) == 2)
    assert pongs == [0, 64]
    counts = [engine.receive_msg().get_count() for _ in range(2)]
    assert counts == [0, 1]
    engine.shut_down()


def test_stats_count_what_was_dropped(tmp_path):
    engine = offline_engine_playing(write_wav(tmp_path / "a.wav", make_signal(4800, seed=9)),
                                    2, 0.5)
    for _ in range(Flitzis.MAX_VOICES):   # one more than there are voices
        engine.play_sample(0, 0.5)
    render(engine, 256)
    stats = engine.get_stats()
    assert stats.get_dropped_voices() == 1
    assert stats.get_frame() == 256
    assert (stats.get_xruns(), stats.get_dropped_replies(), stats.get_dropped_events(),
            stats.get_dropped_messages(), stats.get_dropped_signals()) == (0, 0, 0, 0, 0)
    engine.shut_down()
    after = engine.get_stats()
    assert (after.get_dropped_voices(), after.get_frame()) == (1, 0)
    assert stats.get_frame() == 256   # a snapshot: it does not change


def test_only_offline_engines_render():
    with pytest.raises(GLib.Error) as excinfo:
        Flitzis.AudioEngine.new().render_bytes(256)
    assert_engine_error(excinfo, Flitzis.EngineError.NOT_OFFLINE)
    with pytest.raises(GLib.Error) as excinfo:
        Flitzis.AudioEngine.new_offline(RATE, 2).render_bytes(256)
    assert_engine_error(excinfo, NOT_RUNNING)


def test_pause_keeps_voices_where_they_are(tmp_path):
    frames = make_signal(600, seed=5)
    engine = offline_engine_playing(write_wav(tmp_path / "a.wav", frames), 1, 1.0)

    first = render(engine, 200)
    engine.pause()
    assert engine.props.paused
    silence = render(engine, 300)
    engine.resume()
    rest = render(engine, 500)

    expected = expected_output(frames, 1.0)
    assert first == expected[:200]
    assert silence == array.array("f", [0.0] * 300)
    assert rest == expected[200:] + array.array("f", [0.0] * 100)
