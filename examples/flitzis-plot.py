#!/usr/bin/python3
# flitzis-plot.py: a sample's waveform and its render, plotted
#
# Copyright 2026 The libflitzis authors
# SPDX-License-Identifier: LGPL-2.1-or-later
#
#   examples/flitzis-plot.py SAMPLE [OUT.png]
#
# Loads SAMPLE into an offline engine, takes its waveform overview
# (dup_waveform(): each bucket's smallest and largest value, exact) and
# renders it once (render_bytes()), prints what it found, and, with
# matplotlib (package python3-matplotlib), draws both into OUT.png
# (default flitzis-plot.png).  Without matplotlib it says so and exits 0:
# everything but the drawing has been done.  From a build tree:
# ./run-uninstalled /usr/bin/python3 examples/flitzis-plot.py data/samples/kick.wav

import array
import sys

import gi
gi.require_version("Flitzis", "1.0")
from gi.repository import Flitzis  # noqa: E402

RATE = 48000
CHANNELS = 2
BUCKETS = 200
PERIOD = 1024


def waveform(engine: Flitzis.AudioEngine, frames: int) -> tuple[list[float], list[float]]:
    """The first channel's minimum and maximum in each of BUCKETS buckets."""
    values = array.array("f", engine.dup_waveform(0, 0, frames, BUCKETS).get_data())
    # per bucket, per channel: min then max
    stride = 2 * CHANNELS
    return list(values[0::stride]), list(values[1::stride])


def render(engine: Flitzis.AudioEngine, frames: int) -> list[float]:
    """The first channel of the sample played once from frame 0."""
    engine.play_sample_at(0, 1.0, 0)
    left: list[float] = []
    while len(left) < frames:
        block = array.array("f", engine.render_bytes(PERIOD).get_data())
        left.extend(block[0::CHANNELS])
    return left[:frames]


def plot(path: str, lows: list[float], highs: list[float], played: list[float]) -> bool:
    try:
        import matplotlib
        matplotlib.use("Agg")             # a file, no display needed
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib is not installed (package python3-matplotlib): no plot drawn")
        return False
    figure, (top, bottom) = plt.subplots(2, 1, figsize=(8, 5))
    top.fill_between(range(len(lows)), lows, highs, step="mid")
    top.set_title("waveform: %d buckets (dup_waveform)" % len(lows))
    bottom.plot([n / RATE for n in range(len(played))], played, linewidth=0.5)
    bottom.set_title("render: first channel (render_bytes)")
    bottom.set_xlabel("seconds")
    figure.tight_layout()
    figure.savefig(path)
    print("wrote %s" % path)
    return True


def main(argv: list[str]) -> int:
    if len(argv) not in (2, 3):
        print("usage: flitzis-plot.py SAMPLE [OUT.png]", file=sys.stderr)
        return 2
    engine = Flitzis.AudioEngine(offline=True, sample_rate=RATE, channels=CHANNELS)
    engine.run()
    engine.load_sample(0, argv[1])
    info = engine.dup_sample_info(0)
    assert info is not None
    frames = info.get_frames()
    lows, highs = waveform(engine, frames)
    played = render(engine, frames)
    print("waveform: %d buckets, min %.6f, max %.6f" % (len(lows), min(lows), max(highs)))
    print("render: %d frames, min %.6f, max %.6f" % (len(played), min(played), max(played)))
    engine.shut_down()
    plot(argv[2] if len(argv) == 3 else "flitzis-plot.png", lows, highs, played)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
