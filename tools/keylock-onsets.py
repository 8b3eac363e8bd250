#!/usr/bin/python3
"""keylock-onsets.py: where a key-locked voice puts each sound, and its whole envelope

A measurement of the engine, through the bindings: docs/keylock.md's
"Onsets on the grid".  The signal is tests/engine/test-keylock.c's (12
sounds 12,345 frames apart after 4,800 frames of silence: hits, a click
and noise decaying over 50 ms, or 440 Hz tones, at half full scale).  For
each speed it renders the sample key-locked and unlocked, offline, both
triggered at frame 4096, and prints for each sound, in frames at 48 kHz
(negative: the key-locked voice is early):

- onset: the first frame above half the sounds' amplitude, key-locked
  against unlocked (what the test measures);
- envelope: the lag that best lines up the two voices' envelopes (2 ms
  RMS) over the whole sound and 1,500 frames either side, by normalized
  cross-correlation within +-800 frames: where the sound as a whole is,
  not only its attack.

Run from a build tree: ./run-uninstalled /usr/bin/python3
tools/keylock-onsets.py [SPEED ...] (default 0.5 0.67 0.8 1.25 2).  Needs
python3-numpy and a build with Rubber Band.  Deterministic: the same
figures every run.
"""
import struct
import sys
import tempfile

import numpy as np
import gi

gi.require_version("Flitzis", "1.0")
from gi.repository import Flitzis  # noqa: E402

RATE = 48000
LEAD = 4800
SPACING = 12345
LENGTH = 4000
SOUNDS = 12
TRIGGER = 4096
SEARCH = 1500
MAX_LAG = 800


def signal(kind):
    """test-keylock.c's onset_signal(), with its generator's seed."""
    x = np.zeros(LEAD + SOUNDS * SPACING, dtype=np.float32)
    seed = 1
    for j in range(SOUNDS):
        for t in range(LENGTH):
            seed = (seed * 1664525 + 1013904223) & 0xFFFFFFFF
            i = LEAD + j * SPACING + t
            if kind == "tones":
                x[i] = 0.5 * np.sin(2 * np.pi * 440.0 * t / RATE)
            elif t == 0:
                x[i] = 0.5
            else:
                x[i] = 0.5 * np.exp(-t / 2400.0) * ((seed >> 8) / 8388608.0 - 1.0)
    return x


def write_wav(path, x):
    """A mono 32-bit float WAV."""
    data = x.astype("<f4").tobytes()
    with open(path, "wb") as f:
        f.write(b"RIFF" + struct.pack("<I", 36 + 12 + len(data)) + b"WAVE")
        f.write(b"fmt " + struct.pack("<IHHIIHH", 16, 3, 1, RATE, RATE * 4, 4, 32))
        f.write(b"fact" + struct.pack("<II", 4, len(x)))
        f.write(b"data" + struct.pack("<I", len(data)) + data)


def render(path, speed, key_lock, frames):
    engine = Flitzis.AudioEngine.new_offline(RATE, 1)
    engine.run()
    engine.load_sample(0, path)
    engine.set_sample_key_lock(0, key_lock)
    engine.props.speed = speed
    engine.play_sample_at(0, 1.0, TRIGGER)
    out = np.frombuffer(engine.render_bytes(frames).get_data(), dtype="<f4").copy()
    engine.shut_down()
    return out


def envelope(y, width=96):
    return np.sqrt(np.convolve(y * y, np.ones(width) / width, mode="same"))


def first_loud(y, at):
    return int(np.argmax(np.abs(y[at - SEARCH:at + SEARCH]) > 0.25)) + at - SEARCH


def envelope_lag(locked, plain, lo, hi):
    """The lag of @locked's envelope that best matches @plain's on [lo, hi)."""
    reference = plain[lo:hi]
    best, best_lag = -1.0, 0
    for lag in range(-MAX_LAG, MAX_LAG + 1):
        part = locked[lo + lag:hi + lag]
        c = np.dot(part, reference) / np.sqrt(np.dot(part, part) * np.dot(reference, reference))
        if c > best:
            best, best_lag = c, lag
    return best_lag


def measure(path, x, speed):
    frames = TRIGGER + int(len(x) / speed) + RATE // 10
    locked, plain = render(path, speed, True, frames), render(path, speed, False, frames)
    e_locked, e_plain = envelope(locked), envelope(plain)
    onsets, lags = [], []
    for j in range(SOUNDS):
        want = int(TRIGGER + (LEAD + j * SPACING) / speed)
        onsets.append(first_loud(locked, want) - first_loud(plain, want))
        lags.append(envelope_lag(e_locked, e_plain, want - SEARCH,
                                 want + int(LENGTH / speed) + SEARCH))
    return np.array(onsets), np.array(lags)


def main():
    speeds = [float(s) for s in sys.argv[1:]] or [0.5, 0.67, 0.8, 1.25, 2.0]
    with tempfile.TemporaryDirectory() as tmp:
        for kind in ("hits", "tones"):
            x = signal(kind)
            path = f"{tmp}/{kind}.wav"
            write_wav(path, x)
            for speed in speeds:
                onsets, lags = measure(path, x, speed)
                print(f"{kind} at {speed}: onset mean {onsets.mean():.0f}, worst "
                      f"{onsets[np.argmax(np.abs(onsets))]}; envelope mean {lags.mean():.0f}, "
                      f"worst {lags[np.argmax(np.abs(lags))]}")
                print(f"  onsets:   {' '.join(str(v) for v in onsets)}")
                print(f"  envelope: {' '.join(str(v) for v in lags)}")


if __name__ == "__main__":
    main()
