#!/usr/bin/python3
# flitzis-pads-test.py: drives the GTK pad demo on a virtual X server
#
# Copyright 2026 The libflitzis authors
# SPDX-License-Identifier: LGPL-2.1-or-later
#
#   flitzis-pads-test.py APP SAMPLE SCREENSHOT
#
# Starts a private Xvfb, runs the pad demo APP (flitzis-pads.py) on it with
# its test options (--print-events, --screenshot SCREENSHOT) and three
# demo samples in a temporary directory: kick.wav and hat.wav (copies of
# SAMPLE) and a snare.wav that is not audio.  Then it checks, from the
# events the demo prints:
#
# - the engine runs, pads 0 and 2 load, pad 1 reports its load error;
# - the transport's controls, used with XTEST too, reach the engine: a
#   tempo typed into the tempo field (the beats then come 60 * rate / 150
#   frames apart), "Beat" picked in the quantize drop-down, the metronome
#   switched on;
# - a real mouse click on pad 0, sent through the X server's XTEST
#   extension with xdotool (so through GTK's own event handling), starts
#   slot 0, on a beat's frame (quantized); the pad lights up, then goes
#   dark when the voice has finished;
# - while it plays, pad 0's level meter and playhead show it (the engine's
#   levels signal: a peak and a playhead above 0), and the waveform of the
#   selected pad, pad 0, is drawn (from dup_waveform(), a bucket a pixel);
# - the key "3" (XTEST too) plays pad 2;
# - SCREENSHOT, the window drawn once pad 0 lit up, is a PNG in which pad 0,
#   and only pad 0, has the lit colour;
# - SIGTERM ends the demo cleanly, with nothing on stderr.
#
# Run by make check under tools/with-jackd.sh (a private JACK dummy
# server) and run-uninstalled.  It needs the packages xvfb, xdotool and
# gir1.2-gtk-4.0, and fails (never skips) without them.  Every wait has a
# deadline; every process it starts is stopped by its PID.

import os
import queue
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

import gi
gi.require_version("GdkPixbuf", "2.0")
from gi.repository import GdkPixbuf  # noqa: E402

DEADLINE = 30.0                  # seconds, for each thing awaited
LIT_COLOUR = (0xff, 0x78, 0x00)  # .pad.playing in flitzis-pads.py
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


class Failure(Exception):
    pass


def check(condition, message):
    if not condition:
        raise Failure(message)


def start_xvfb(log):
    """Starts Xvfb on a free display, which it names through -displayfd.
    Returns the process and the display."""
    read_end, write_end = os.pipe()
    xvfb = subprocess.Popen(["Xvfb", "-displayfd", str(write_end), "-nolisten", "tcp",
                             "-screen", "0", "1024x768x24"],
                            pass_fds=(write_end,), stdin=subprocess.DEVNULL,
                            stdout=log, stderr=log)
    os.close(write_end)
    number = b""
    deadline = time.monotonic() + DEADLINE
    try:
        while not number.endswith(b"\n"):
            ready, _, _ = select.select([read_end], [], [], max(deadline - time.monotonic(), 0))
            chunk = os.read(read_end, 16) if ready else b""
            if not chunk:
                stop(xvfb)
                log.seek(0)
                raise Failure(f"Xvfb did not start: {log.read().strip()}")
            number += chunk
    finally:
        os.close(read_end)
    return xvfb, ":" + number.decode().strip()


class EventLog:
    """The lines the demo prints, read by a thread so that waiting for one
    can have a deadline."""

    def __init__(self, stream):
        self.lines = []
        self._queue = queue.Queue()
        threading.Thread(target=self._read, args=(stream,), daemon=True).start()

    def _read(self, stream):
        for line in stream:
            self._queue.put(line.rstrip("\n"))
        self._queue.put(None)  # end of output

    def wait_for(self, *prefix, start=0):
        """Returns the fields of the first line from index @start on whose
        fields begin with @prefix, and its index; fails after DEADLINE."""
        return self.wait_until(lambda fields: tuple(fields[:len(prefix)]) == prefix,
                               " ".join(prefix), start)

    def wait_until(self, matches, what, start=0):
        """The same for the first line whose fields @matches."""
        deadline = time.monotonic() + DEADLINE
        index = start
        while True:
            while index < len(self.lines):
                fields = self.lines[index].split(" ")
                if matches(fields):
                    return fields, index
                index += 1
            try:
                line = self._queue.get(timeout=max(deadline - time.monotonic(), 0))
            except queue.Empty:
                line = None
            if line is None:
                raise Failure(f"no event '{what}' within {DEADLINE:.0f} s")
            self.lines.append(line)

    def drain(self):
        """Takes the lines printed so far without waiting, for a report."""
        while True:
            try:
                line = self._queue.get_nowait()
            except queue.Empty:
                return
            if line is not None:
                self.lines.append(line)

    def last(self, *prefix):
        """The fields of the latest line so far that begins with @prefix."""
        matches = [line.split(" ") for line in self.lines
                   if tuple(line.split(" ")[:len(prefix)]) == prefix]
        return matches[-1] if matches else None


def make_samples(sample, directory):
    shutil.copy(sample, os.path.join(directory, "kick.wav"))
    shutil.copy(sample, os.path.join(directory, "hat.wav"))
    with open(os.path.join(directory, "snare.wav"), "w") as not_audio:
        not_audio.write("this is not audio\n")


def find_window(pid):
    """The X window of process @pid, once it is mapped."""
    deadline = time.monotonic() + DEADLINE
    while time.monotonic() < deadline:
        found = subprocess.run(["xdotool", "search", "--onlyvisible", "--pid", str(pid)],
                               capture_output=True, text=True, timeout=DEADLINE)
        if found.stdout.split():
            return found.stdout.split()[0]
        time.sleep(0.1)  # polled, within the deadline
    raise Failure(f"no visible window of process {pid}")


def xdotool(*args):
    try:
        done = subprocess.run(["xdotool", *args], capture_output=True, text=True,
                              timeout=DEADLINE)
    except subprocess.TimeoutExpired:
        raise Failure(f"xdotool {' '.join(args)} did not finish within {DEADLINE:.0f} s")
    check(done.returncode == 0, f"xdotool {' '.join(args)} failed: {done.stderr.strip()}")


def check_loads(events):
    events.wait_for("running")
    check(events.last("run-failed") is None, f"run() failed: {events.last('run-failed')}")
    events.wait_for("loaded", "0", "kick.wav")
    events.wait_for("loaded", "2", "hat.wav")
    failed, _ = events.wait_for("load-failed", "1")
    check(len(failed) > 2, "the load error of pad 1 has no message")
    print("PASS: the engine runs; pads 0 and 2 loaded; pad 1 shows its error:",
          " ".join(failed[2:]))


def control_rect(events, name):
    fields = events.last("control-geometry", name)
    check(fields is not None, f"the demo shows no {name} control")
    return tuple(map(int, fields[2:]))


def click_control(window, rect, *then):
    x, y, width, height = rect
    xdotool("mousemove", "--window", window, str(x + width // 2), str(y + height // 2),
            "click", "1", *then)


def set_transport(events, window):
    """Uses the transport's controls as a user would: types a tempo, picks
    the beat grid in the drop-down, switches the metronome on; each must
    reach the engine (its property's notification)."""
    mark = len(events.lines)
    xdotool("windowfocus", window)
    click_control(window, control_rect(events, "tempo"), "key", "ctrl+a", "type", "150")
    xdotool("key", "Return")
    _, changed = events.wait_for("tempo", "150.0", start=mark)
    # The beats after the change (the first two may straddle it) are a
    # beat of 150 BPM apart.
    rate = int(os.environ.get("FLITZIS_JACK_RATE", "48000"))
    beats = [int(events.wait_until(lambda f: f[0] == "beat", "beat", start=changed + 1 + n)[0][3])
             for n in range(4)]
    gaps = {b - a for a, b in zip(beats[2:], beats[3:])}
    check(gaps == {60 * rate // 150}, f"beats at {beats} after the tempo changed to 150")
    print(f"PASS: the tempo field set the tempo to 150 BPM; the beats follow it {beats[2:]}")

    mark = len(events.lines)
    click_control(window, control_rect(events, "quantize"))
    # The drop-down's list opens on "Off": two down is "Beat".
    events.wait_for("quantize-popup", start=mark)
    xdotool("key", "Down", "Down", "Return")
    events.wait_for("quantize", "beat", start=mark)
    print("PASS: the quantize drop-down set quantize to beat")

    mark = len(events.lines)
    click_control(window, control_rect(events, "metronome"))
    events.wait_for("metronome", "on", start=mark)
    print("PASS: the metronome switch switched the metronome on")


def click_pad(events, window, slot):
    """Clicks the middle of pad @slot, as a user would, and checks that it
    played, lit up and went dark again."""
    _, x, y, width, height = map(int, events.last("pad-geometry", str(slot))[1:])
    mark = len(events.lines)
    xdotool("mousemove", "--window", window, str(x + width // 2), str(y + height // 2),
            "click", "1")
    started, _ = events.wait_for("sample-started", str(slot), start=mark)
    # Quantized to the beat: the voice starts on a beat's frame.
    beat, _ = events.wait_until(lambda f: f[0] == "beat" and f[3] == started[2],
                                f"beat on frame {started[2]}", start=mark)
    _, lit_at = events.wait_for("lit", str(slot), start=mark)
    finished, _ = events.wait_for("sample-finished", str(slot), start=lit_at)
    events.wait_for("dark", str(slot), start=lit_at)
    check(int(finished[2]) > int(started[2]),
          f"pad {slot} finished at frame {finished[2]}, before it started at {started[2]}")
    print(f"PASS: an XTEST click on pad {slot} played it on a beat (sample-started {slot}"
          f" {started[2]}, bar {beat[1]} beat {beat[2]}), lit it, and it went dark"
          f" (sample-finished {slot} {finished[2]})")
    return x, y, width, height


def check_levels_and_waveform(events, slot):
    events.wait_for("meter", str(slot))
    events.wait_for("playhead", str(slot))
    fields, _ = events.wait_for("waveform", str(slot))
    check(int(fields[2]) >= 100, f"the waveform of pad {slot} has only {fields[2]} buckets")
    events.wait_for("waveform-drawn", str(slot), fields[2])
    print(f"PASS: pad {slot}'s meter and playhead moved, and its waveform was drawn"
          f" ({fields[2]} buckets)")


def press_key(events, window, key, slot):
    mark = len(events.lines)
    xdotool("windowfocus", window, "key", key)
    started, _ = events.wait_for("sample-started", str(slot), start=mark)
    print(f"PASS: the key {key} played pad {slot} (sample-started {slot} {started[2]})")


def count_lit(pixbuf, x0, y0, width, height):
    """How many pixels of the rectangle have the lit colour."""
    pixels, stride = pixbuf.get_pixels(), pixbuf.get_rowstride()
    n = pixbuf.get_n_channels()
    lit = 0
    for y in range(y0, y0 + height):
        row = pixels[y * stride + x0 * n:y * stride + (x0 + width) * n]
        lit += sum(1 for x in range(0, len(row), n) if tuple(row[x:x + 3]) == LIT_COLOUR)
    return lit


def check_screenshot(path, pad_rect):
    """A valid PNG, in which the lit colour fills pad 0 and nothing else."""
    with open(path, "rb") as png:
        header = png.read(24)
    check(header.startswith(PNG_SIGNATURE), f"{path} is not a PNG")
    width = int.from_bytes(header[16:20], "big")
    height = int.from_bytes(header[20:24], "big")
    check(width >= 200 and height >= 200, f"{path} is only {width}×{height}")

    # The pad's geometry is in X surface coordinates, the screenshot's in
    # the window's: the same, as the demo has no client-side decorations.
    pixbuf = GdkPixbuf.Pixbuf.new_from_file(path)
    inside = count_lit(pixbuf, *pad_rect)
    outside = count_lit(pixbuf, 0, 0, width, height) - inside
    area = pad_rect[2] * pad_rect[3]
    check(inside >= area // 2,
          f"pad 0 is not lit in the screenshot: {inside} of its {area} pixels have the lit colour")
    check(outside == 0, f"{outside} pixels outside pad 0 have the lit colour")
    print(f"PASS: screenshot {path}: a {width}×{height} PNG; {inside} of the {area}"
          " pixels of pad 0, and none elsewhere, have the lit colour")


def stop_app(app, stderr_path):
    app.send_signal(signal.SIGTERM)
    try:
        status = app.wait(timeout=DEADLINE)
    except subprocess.TimeoutExpired:
        raise Failure(f"the demo did not quit within {DEADLINE:.0f} s of SIGTERM")
    with open(stderr_path) as stderr:
        errors = stderr.read()
    check(status == 0, f"the demo exited with status {status}")
    # PyGObject prints a Python exception in a callback, and goes on; an
    # argument it cannot convert (a draw function's cairo context without
    # python3-gi-cairo) only as "TypeError: ...".
    for problem in ("Traceback", "TypeError", "-CRITICAL", "-WARNING"):
        check(problem not in errors, f"the demo wrote '{problem}' on stderr (see above)")
    if errors:
        print("Note: the demo wrote on stderr:", errors, sep="\n")
    print("PASS: the demo quit cleanly on SIGTERM, with no exception, critical or warning")


def stop(process):
    """Stops @process if it still runs: SIGTERM (Xvfb removes its lock
    file, the demo shuts its engine down), SIGKILL if that is not enough."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def start_app(app_path, display, samples, screenshot, stderr, home):
    env = dict(os.environ, DISPLAY=display, GDK_BACKEND="x11",
               GSK_RENDERER="cairo",         # no GL on Xvfb
               GTK_A11Y="none",              # no accessibility bus either
               GSETTINGS_BACKEND="memory",   # nor a D-Bus session for dconf
               HOME=home)                    # caches and settings stay here
    for variable in ("WAYLAND_DISPLAY", "XDG_CONFIG_HOME", "XDG_CACHE_HOME",
                     "XDG_DATA_HOME", "XDG_STATE_HOME"):
        env.pop(variable, None)
    return subprocess.Popen([sys.executable, app_path, "--print-events",
                             "--screenshot", screenshot, "--samples-dir", samples],
                            env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=stderr, text=True)


def test_app(app, screenshot, app_stderr):
    events = EventLog(app.stdout)
    try:
        check_loads(events)
        events.wait_for("pad-geometry", "15")
        events.wait_for("control-geometry", "metronome")
        window = find_window(app.pid)
        set_transport(events, window)
        pad_rect = click_pad(events, window, 0)
        check_levels_and_waveform(events, 0)
        events.wait_for("screenshot", screenshot)
        press_key(events, window, "3", 2)
        check_screenshot(screenshot, pad_rect)
        stop_app(app, app_stderr)
    except Failure:
        events.drain()
        print("The demo printed:", *events.lines, sep="\n  ", file=sys.stderr)
        with open(app_stderr) as stderr:
            print("Its stderr:", stderr.read(), sep="\n", file=sys.stderr)
        raise


def run(app_path, sample, screenshot, work):
    for tool in ("Xvfb", "xdotool"):
        check(shutil.which(tool), f"{tool} is missing (packages xvfb and xdotool)")
    samples = os.path.join(work, "samples")
    os.mkdir(samples)
    make_samples(sample, samples)
    if os.path.exists(screenshot):
        os.unlink(screenshot)  # a screenshot of an earlier run proves nothing

    app_stderr = os.path.join(work, "app.stderr")
    with open(os.path.join(work, "xvfb.log"), "w+") as xvfb_log:
        xvfb, display = start_xvfb(xvfb_log)
    try:
        os.environ["DISPLAY"] = display  # for xdotool
        with open(app_stderr, "w") as stderr:
            app = start_app(app_path, display, samples, screenshot, stderr, work)
        try:
            test_app(app, screenshot, app_stderr)
        finally:
            stop(app)
    finally:
        stop(xvfb)


def main():
    if len(sys.argv) != 4:
        print("usage: flitzis-pads-test.py APP SAMPLE SCREENSHOT", file=sys.stderr)
        return 2
    app_path, sample, screenshot = (os.path.abspath(arg) for arg in sys.argv[1:])
    with tempfile.TemporaryDirectory(prefix="flitzis-pads-") as work:
        try:
            run(app_path, sample, screenshot, work)
        except Failure as failure:
            print("FAIL:", failure, file=sys.stderr)
            return 1
    print("screenshot:", screenshot)
    return 0


if __name__ == "__main__":
    sys.exit(main())
