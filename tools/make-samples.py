#!/usr/bin/python3
"""Synthesises libflitzis's demo samples (data/samples/*.wav).

    tools/make-samples.py DIR          writes the samples into DIR
    tools/make-samples.py --check DIR  exits 1 unless DIR holds exactly what
                                       this script writes

Every sound is computed from a formula with Python's standard library only;
the noise comes from a seeded generator, so the files are the same bytes on
every run and every machine (the test suite checks the committed files with
--check).  The samples are 16-bit PCM WAV, mono at 48 kHz, except the chord
loop: stereo at 44.1 kHz, so that the demo also exercises the resampler.

Licence: the samples are made by this script and dedicated to the public
domain (CC0-1.0); see data/samples/README.md.
"""

import math
import os
import random
import struct
import sys
import tempfile
import wave

TEMPO = 120.0                      # the demo pattern's tempo, in BPM
BEAT = 60.0 / TEMPO                # seconds per beat


def envelope(t, attack, decay):
    """A linear attack, then an exponential decay with time constant decay."""
    if t < attack:
        return t / attack
    return math.exp(-(t - attack) / decay)


def kick(t, noise):
    # A sine whose pitch falls from 160 Hz to 48 Hz: the classic
    # drum-machine kick.  The phase is the integral of the frequency.
    phase = 2 * math.pi * (48 * t + (160 - 48) * 0.03 * (1 - math.exp(-t / 0.03)))
    return 0.9 * envelope(t, 0.002, 0.12) * math.sin(phase)


class Snare:
    """Noise through a one-pole high-pass, over a 185 Hz body."""

    def __init__(self):
        self.previous_in = 0.0
        self.previous_out = 0.0

    def __call__(self, t, noise):
        white = noise.uniform(-1, 1)
        high = 0.85 * (self.previous_out + white - self.previous_in)
        self.previous_in, self.previous_out = white, high
        body = math.sin(2 * math.pi * 185 * t) * envelope(t, 0.001, 0.05)
        return 0.45 * high * envelope(t, 0.001, 0.07) + 0.35 * body


class Hat:
    """Noise through a steeper high-pass (two one-pole stages), very short."""

    def __init__(self):
        self.stages = [[0.0, 0.0], [0.0, 0.0]]

    def __call__(self, t, noise):
        sample = noise.uniform(-1, 1)
        for stage in self.stages:
            high = 0.6 * (stage[1] + sample - stage[0])
            stage[0], stage[1] = sample, high
            sample = high
        return 0.5 * sample * envelope(t, 0.0005, 0.025)


def saw(frequency, t, partials):
    """A band-limited sawtooth: the sum of its first partials."""
    return sum(math.sin(2 * math.pi * k * frequency * t) / k
               for k in range(1, partials + 1)) * (2 / math.pi)


def bass(t, noise):
    # A2 (110 Hz), eight partials, a quick attack and a release in the last
    # 30 ms so that the note ends at zero.
    release = min(1.0, (0.5 - t) / 0.03)
    return 0.45 * saw(110.0, t, 8) * envelope(t, 0.004, 0.25) * max(0.0, release)


CHORD_NOTES = (220.0, 261.63, 329.63, 392.0)      # A minor 7


def chord(t, noise):
    # One bar of an A minor 7 pad, slightly detuned left and right; it fades
    # in and out over 10 ms so that it loops without a click.
    length = 4 * BEAT
    fade = min(1.0, t / 0.01, (length - t) / 0.01)
    left = sum(saw(f * 0.998, t, 4) for f in CHORD_NOTES)
    right = sum(saw(f * 1.002, t, 4) for f in CHORD_NOTES)
    gain = 0.12 * max(0.0, fade) * (0.6 + 0.4 * math.exp(-t / 0.4))
    return (gain * left, gain * right)


# name, synthesiser, seconds, rate, channels
SAMPLES = (
    ("kick", lambda: kick, 0.4, 48000, 1),
    ("snare", Snare, 0.25, 48000, 1),
    ("hat", Hat, 0.12, 48000, 1),
    ("bass", lambda: bass, 0.5, 48000, 1),
    ("chord", lambda: chord, 4 * BEAT, 44100, 2),
)


def to_pcm16(value):
    return max(-32768, min(32767, int(round(value * 32767))))


def write_sample(directory, name, make_voice, seconds, rate, channels):
    voice = make_voice()
    noise = random.Random(name)            # seeded per sample: reproducible
    frames = int(round(seconds * rate))
    data = bytearray()
    for i in range(frames):
        value = voice(i / rate, noise)
        values = value if channels > 1 else (value,)
        data += struct.pack("<%dh" % channels, *(to_pcm16(v) for v in values))
    with wave.open(os.path.join(directory, name + ".wav"), "wb") as out:
        out.setnchannels(channels)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(bytes(data))


def write_all(directory):
    os.makedirs(directory, exist_ok=True)
    for sample in SAMPLES:
        write_sample(directory, *sample)


def check(directory):
    with tempfile.TemporaryDirectory() as fresh:
        write_all(fresh)
        different = []
        for name, *_ in SAMPLES:
            with open(os.path.join(fresh, name + ".wav"), "rb") as a:
                try:
                    with open(os.path.join(directory, name + ".wav"), "rb") as b:
                        if a.read() != b.read():
                            different.append(name)
                except FileNotFoundError:
                    different.append(name)
    for name in different:
        print("make-samples: %s/%s.wav is not what this script writes"
              % (directory, name), file=sys.stderr)
    return 1 if different else 0


def main(argv):
    if len(argv) == 3 and argv[1] == "--check":
        return check(argv[2])
    if len(argv) == 2 and not argv[1].startswith("-"):
        write_all(argv[1])
        return 0
    print("usage:\n" + "\n".join(__doc__.splitlines()[2:5]), file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
