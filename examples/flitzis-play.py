#!/usr/bin/python3
# flitzis-play.py: libflitzis from Python
#
# Copyright 2026 The libflitzis authors
# SPDX-License-Identifier: LGPL-2.1-or-later
#
#   examples/flitzis-play.py [FILE]
#
# Plays FILE (or a beep it writes with the wave module) four times on a
# beat, and pings the audio thread to show its answer arriving as a signal
# in the main loop.  From a build tree: ./run-uninstalled /usr/bin/python3
# examples/flitzis-play.py.  Exit status 2 means there is no output device.

import array
import math
import sys
import tempfile
import wave

import gi
gi.require_version("Flitzis", "1.0")
from gi.repository import Flitzis, GLib  # noqa: E402


def write_beep(path, rate):
    """A quarter of a second of 440 Hz, as 16-bit mono PCM."""
    beep = array.array("h", (int(8000 * math.sin(2 * math.pi * 440 * n / rate))
                             for n in range(rate // 4)))
    with wave.open(path, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(beep.tobytes())


def main():
    engine = Flitzis.AudioEngine()
    try:
        engine.run()  # opens the default output device
    except GLib.Error as error:
        print("flitzis-play:", error.message, file=sys.stderr)
        no_device = error.matches(Flitzis.EngineError.quark(),
                                  Flitzis.EngineError.NO_DEVICE)
        return 2 if no_device else 1
    print(f"{engine.props.sample_rate} Hz, {engine.props.channels} channels")

    with tempfile.NamedTemporaryFile(suffix=".wav") as beep:
        path = sys.argv[1] if len(sys.argv) > 1 else beep.name
        if len(sys.argv) == 1:
            write_beep(path, engine.props.sample_rate)
        engine.load_sample(0, path)  # decoded now; raises GLib.Error if it can't

    loop = GLib.MainLoop()
    pongs = []
    engine.connect("pong", lambda engine, frame: pongs.append(frame))
    engine.ping()

    beats = iter(range(4))

    def on_beat():
        if next(beats, None) is None:
            loop.quit()
            return GLib.SOURCE_REMOVE
        engine.play_sample(0, 0.8)  # starts at the next audio period
        return GLib.SOURCE_CONTINUE

    GLib.timeout_add(300, on_beat)
    loop.run()
    engine.shut_down()
    print("pong at frame", pongs[0] if pongs else "(none)")
    return 0 if pongs else 1


if __name__ == "__main__":
    sys.exit(main())
