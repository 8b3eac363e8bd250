# conftest.py: fixtures for the Python tests of libflitzis's bindings.
#
# Copyright 2026 The libflitzis authors
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The tests run against the build tree (see run-uninstalled) and a private
# JACK dummy server (see tools/with-jackd.sh), so a real PortAudio stream
# runs at real-time pace.  What the engine plays is captured by a JACK
# client in this process and compared sample by sample.

import array
import os
import sys
import threading
import wave

import gi

gi.require_version("Flitzis", "1.0")
gi.require_version("GLib", "2.0")
from gi.repository import Flitzis, GLib  # noqa: E402

import jack  # noqa: E402
import pytest  # noqa: E402

RATE = 48000
DEADLINE_SECONDS = 10.0


def pytest_configure(config):
    if "JACK_DEFAULT_SERVER" not in os.environ:
        raise pytest.UsageError(
            "run these tests under tools/with-jackd.sh (make check does)")


def iterate_until(predicate, timeout=DEADLINE_SECONDS):
    """Iterates the default main context until predicate() holds or the
    deadline passes; returns predicate().  A 5 ms tick wakes the context
    for conditions that other threads make true."""
    context = GLib.MainContext.default()
    deadline = GLib.get_monotonic_time() + int(timeout * 1e6)
    tick = GLib.timeout_add(5, lambda: GLib.SOURCE_CONTINUE)
    try:
        while not predicate() and GLib.get_monotonic_time() < deadline:
            context.iteration(True)
    finally:
        GLib.source_remove(tick)
    return predicate()


def receive_skipping_xruns(engine):
    """engine.receive_msg(), passing over xrun events: the JACK dummy
    server reports late wake-ups of its own now and then, and a test that
    counts pongs must not take one for a lost message."""
    message = engine.receive_msg()
    while message is not None and message.get_kind() == Flitzis.MessageKind.XRUN:
        message = engine.receive_msg()
    return message


def receive_skipping_beats(engine):
    """engine.receive_msg(), passing over what a test that is not about
    the clock did not ask for: the transport's beats (reported by default,
    report-beats) and, as above, xruns."""
    message = engine.receive_msg()
    while message is not None and message.get_kind() in (Flitzis.MessageKind.BEAT,
                                                          Flitzis.MessageKind.XRUN):
        message = engine.receive_msg()
    return message


def write_wav(path, frames, channels=1, rate=RATE):
    """Writes 16-bit PCM frames (a list of ints, interleaved) with the
    standard library's wave module, as a Python user would."""
    with wave.open(str(path), "wb") as out:
        out.setnchannels(channels)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(array.array("h", frames).tobytes())
    return str(path)


def make_signal(n_frames, seed=1):
    """A deterministic 16-bit signal with no zero sample: a linear
    congruential generator, so the capture can find its start."""
    values, state = [], seed
    for _ in range(n_frames):
        state = (state * 1103515245 + 12345) & 0x7FFFFFFF
        value = (state >> 16) - 16384
        values.append(value if value != 0 else 1)
    return values


@pytest.fixture
def engine():
    engine = Flitzis.AudioEngine.new()
    engine.run()
    yield engine
    engine.shut_down()


class CaptureGap(Exception):
    """The capture client missed cycles where the sound was playing."""


class Capture:
    """A JACK client recording the engine's output ports.  Its process
    callback is Python and needs the GIL, so under load it may miss JACK
    cycles; each block is stored with its frame time so that a gap is
    detected, never mistaken for the sound."""

    def __init__(self):
        self.client = jack.Client("flitzis-pytest", no_start_server=True)
        self.inputs = [self.client.inports.register(f"in_{c}") for c in range(2)]
        self.lock = threading.Lock()
        self.blocks = []  # (frame time, frames, [bytes per channel])
        self.recording = False
        self.client.set_process_callback(self._process)
        self.client.activate()

    def _process(self, frames):  # JACK's process thread
        if not self.recording:
            return
        block = (self.client.last_frame_time, frames,
                 [bytes(port.get_buffer()) for port in self.inputs])
        with self.lock:
            self.blocks.append(block)

    def connect(self):
        """Connects every output port of other clients, in order."""
        own = self.client.name + ":"
        sources = [p for p in self.client.get_ports(is_audio=True, is_output=True)
                   if not p.name.startswith(("system:", own))]
        assert len(sources) == len(self.inputs), [p.name for p in sources]
        for source, sink in zip(sources, self.inputs):
            self.client.connect(source, sink)

    def start(self):
        with self.lock:
            self.blocks = []
        self.recording = True

    def sound(self, length):
        """The first length frames of each channel from the first non-zero
        sample of channel 0; None while not all captured yet.  Raises
        CaptureGap if a cycle is missing from the block before the sound
        to its end."""
        with self.lock:
            blocks = list(self.blocks)
        first = next((n for n, (_, _, data) in enumerate(blocks)
                      if any(array.array("f", data[0]))), None)
        if first is None:
            return None
        if first == 0:
            raise CaptureGap()  # the sound may have begun before the capture
        channels = [array.array("f") for _ in self.inputs]
        for (time, frames, _), (next_time, _, data) in zip(blocks[first - 1:], blocks[first:]):
            if next_time != time + frames:
                raise CaptureGap()
            for channel, samples in zip(channels, data):
                channel.frombytes(samples)
            start = next(i for i, v in enumerate(channels[0]) if v != 0.0)
            if len(channels[0]) - start >= length:
                return [c[start:start + length] for c in channels]
        return None

    def close(self):
        self.recording = False
        self.client.deactivate()
        self.client.close()


def play_and_capture(engine, capture, slot, velocity, length, attempts=5):
    """Plays slot and returns what the engine played, per channel.  A
    capture with a gap (see Capture) is thrown away and the sound played
    again, once it has ended."""
    for _ in range(attempts):
        capture.start()
        # One block of silence first: the sound must begin after a block.
        assert iterate_until(lambda: len(capture.blocks) > 0)
        engine.play_sample(slot, velocity)
        started = engine.get_frame_time()
        try:
            assert iterate_until(lambda: capture.sound(length) is not None)
            return capture.sound(length)
        except CaptureGap:
            iterate_until(lambda: engine.get_frame_time() > started + length + 1024)
    raise AssertionError("every capture had a gap: the JACK client was too late")


@pytest.fixture
def capture():
    capture = Capture()
    yield capture
    capture.close()


def f32(x):
    """x rounded to single precision, as the engine stores it."""
    return array.array("f", [x])[0]


def expected_output(frames, velocity):
    """What the engine must play for 16-bit frames at velocity: libsndfile
    scales by 1/32768, and the mixer multiplies by the velocity in single
    precision (the exact product of two floats, rounded once)."""
    return array.array("f", [f32(f32(v / 32768.0) * f32(velocity)) for v in frames])


def render(engine, n_frames):
    """n_frames rendered by an offline engine, as native floats
    (render_bytes() gives little-endian ones)."""
    out = array.array("f", engine.render_bytes(n_frames).get_data())
    if sys.byteorder == "big":
        out.byteswap()
    return out


def offline_engine_playing(path, channels, velocity):
    """A running offline engine that has slot 0 loaded from path and
    triggered at velocity."""
    engine = Flitzis.AudioEngine.new_offline(RATE, channels)
    engine.run()
    engine.load_sample(0, path)
    engine.play_sample(0, velocity)
    return engine
