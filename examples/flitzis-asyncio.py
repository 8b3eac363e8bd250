#!/usr/bin/python3
# flitzis-asyncio.py: libflitzis from asyncio, on PyGObject 3.42
#
# Copyright 2026 The libflitzis authors
# SPDX-License-Identifier: LGPL-2.1-or-later
#
#   examples/flitzis-asyncio.py FILE...
#
# Loads the FILEs into slots 0, 1, ... at the same time with
# load_sample_async(), each awaited as a coroutine, then plays them all
# on an offline engine and prints the peak of what it rendered.  A file
# that cannot be loaded raises GLib.Error at its await, like any
# exception.  From a build tree: ./run-uninstalled /usr/bin/python3
# examples/flitzis-asyncio.py data/samples/kick.wav data/samples/hat.wav
#
# The bridge.  PyGObject 3.50 runs asyncio on GLib's main loop
# (gi.events); Debian 12's 3.42 does not, so the two loops are bridged by
# hand, in GLibThread below:
# - GLib's default main context runs in a helper thread.  That is where
#   load_sample_async()'s callback runs (the thread-default context of the
#   thread that called it is the default one), and where the engine's
#   signals are emitted;
# - each callback calls load_sample_finish() there and hands the result,
#   or the GLib.Error, to the asyncio loop with call_soon_threadsafe(),
#   which wakes the loop: nothing polls;
# - the awaiting coroutine gets the value or the exception.
# The engine's methods may be called from the asyncio thread: the control
# API takes the engine's locks (see the threading page of the reference).

import array
import asyncio
import sys
import threading

import gi
gi.require_version("Flitzis", "1.0")
from gi.repository import Flitzis, GLib  # noqa: E402

RATE = 48000
PERIOD = 1024


class GLibThread:
    """GLib's default main context, run in a thread of its own."""

    def __init__(self) -> None:
        self.main_loop = GLib.MainLoop()
        self.thread = threading.Thread(target=self.main_loop.run, daemon=True)

    def __enter__(self) -> "GLibThread":
        self.thread.start()
        return self

    def __exit__(self, *exception: object) -> None:
        # quit() from the GLib thread itself, so that a quit before run()
        # has started is not lost
        GLib.idle_add(self.main_loop.quit)
        self.thread.join()


def load_sample(engine: Flitzis.AudioEngine, slot: int, path: str) -> "asyncio.Future[bool]":
    """load_sample_async() as an awaitable: True once the sample is
    playable, or GLib.Error raised at the await."""
    loop = asyncio.get_running_loop()
    future: "asyncio.Future[bool]" = loop.create_future()

    def done(source: Flitzis.AudioEngine, result: object) -> None:
        # GLib thread: finish here, settle the future in the asyncio thread
        value, failure = None, None
        try:
            value = source.load_sample_finish(result)
        except GLib.Error as error:
            failure = error
        try:
            loop.call_soon_threadsafe(settle, value, failure)
        except RuntimeError:
            pass                # the asyncio loop has closed: nobody awaits

    def settle(value: "bool | None", error: "GLib.Error | None") -> None:
        if future.cancelled():
            return
        if error is not None:
            future.set_exception(error)
        else:
            future.set_result(bool(value))

    engine.load_sample_async(slot, path, None, done)
    return future


def peak(engine: Flitzis.AudioEngine, frames: int) -> float:
    """Renders @frames frames and returns the largest absolute sample."""
    largest = 0.0
    for _ in range(0, frames, PERIOD):
        block = array.array("f", engine.render_bytes(PERIOD).get_data())
        largest = max(largest, max(abs(x) for x in block))
    return largest


async def main(paths: list[str]) -> int:
    engine = Flitzis.AudioEngine(offline=True, sample_rate=RATE, channels=2)
    engine.run()
    # every file loads at the same time; all are awaited, also after a
    # failure, so that no load is still running when the engine goes
    results = await asyncio.gather(*(load_sample(engine, slot, path)
                                     for slot, path in enumerate(paths)),
                                   return_exceptions=True)
    errors = [r for r in results if isinstance(r, GLib.Error)]
    if errors:
        for error in errors:
            print("flitzis-asyncio: %s" % error.message, file=sys.stderr)
        engine.shut_down()
        return 1
    longest = 0
    for slot, path in enumerate(paths):
        info = engine.dup_sample_info(slot)
        assert info is not None
        print("slot %d: %s, %d frames" % (slot, path, info.get_frames()))
        longest = max(longest, info.get_frames())
        engine.play_sample(slot, 1.0)
    print("peak %.3f" % peak(engine, longest))
    engine.shut_down()
    return 0


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit("usage: flitzis-asyncio.py FILE...")
    with GLibThread():
        sys.exit(asyncio.run(main(sys.argv[1:])))
