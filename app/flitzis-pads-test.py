#!/usr/bin/python3
# flitzis-pads-test.py: drives Flitzis Pads on a virtual X server, in the
# light and in the dark style
#
# Copyright 2026 The libflitzis authors
# SPDX-License-Identifier: LGPL-2.1-or-later
#
#   flitzis-pads-test.py SHOTS_DIR [COMMAND...]
#
# Runs the application (COMMAND, by default `python3 -m flitzispads` from
# this directory) twice on a private Xvfb with its test options
# (--print-events, --screenshot, --voices 1) and demo samples made here: a
# kick.wav of 1.5 s (a half-scale sawtooth), a hat.wav of 0.1 s, and a
# snare.wav that is not audio.  The desktop's style is set as GNOME sets
# it, in the org.gnome.desktop.interface color-scheme key (through GLib's
# keyfile settings back-end: 'default' for light, 'prefer-dark' for dark);
# no D-Bus session, so libadwaita reads it from there, and the
# application keeps its own state (org.flitzis.Pads) in the same keyfile.
# The first run is the light one, on a new home; the dark one is a restart
# on the same home.  Each run checks:
#
# - the engine runs, pads 0 and 2 load, pad 1's load error is a toast;
# - the first run only: the transport's controls, used with XTEST, reach
#   the engine: a tempo typed into the tempo field (the beats then come
#   60 * rate / 150 frames apart), "Beat" picked in the quantize
#   drop-down, the metronome switched on; pad 0 renamed in the sidebar;
# - the first run only: the speed slider (Home: 0.25) and field (1.5)
#   set the engine's speed, the tempo-lock and key-lock switches its
#   properties (key lock: only where the engine has Rubber Band; else the
#   switch is insensitive), the sidebar's speed field pad 0's speed (0.5);
# - the restart only: all that came back (tempo 150, quantize beat,
#   metronome on, speed 1.5, tempo and key lock on, pad 0's name and
#   speed, pad 2's MIDI note, bank B shown, the pads' files loaded again),
#   and Alt+1 shows bank A again;
# - an XTEST click (xdotool) on pad 0 plays slot 0 on a beat's frame
#   (quantized), its meter reports a loud level and its playhead moves,
#   the selected pad's waveform is drawn, and the pad goes dark again
#   after its sample's length at speed 1.5 × 0.5 (2 s for the 1.5 s kick);
# - with one voice, the key "1" pressed again while pad 0 sounds loses a
#   sound, and that shows as a toast; the key "3" plays pad 2;
# - MIDI (the bytes injected into the engine through the application's
#   --midi-fifo, as a controller's would come): the first run turns MIDI
#   learn on, clicks pad 2 (which selects it and plays nothing) and sends
#   note 36 on channel 1: the engine reports it, the application maps it
#   to pad 2 and shows "C2 ch1" on it; with learn off, the same note plays
#   pad 2.  The restart plays pad 2 with that note again (the map came
#   back);
# - the first run's main menu (F10, then "m") switches MIDI Input on: the
#   audio restarts with the engine's JACK MIDI port (jack_lsp lists it);
#   the restart has it on again, connects it to the port the midi-port key
#   names (a jack_midiseq client's, sending note 50 that maps to nothing),
#   and that client's notes arrive as the engine's MIDI events;
# - the screenshot (SHOTS_DIR/flitzis-pads-STYLE.png, taken once the meter
#   showed the sound) has: pad 0's meter in the accent colour over a good
#   part of its length, pad 1's meter without it, the waveform's area
#   inked, and a window background whose luminance fits the style;
# - Alt+2 shows bank B (slots 16 to 31); Ctrl+? the keyboard shortcuts;
#   the main menu (F10, then "a") the About window;
# - SIGTERM ends it cleanly, with no exception, critical or warning; after
#   the first run the keyfile holds what it changed.
# Then: the light background is brighter than the dark by at least 0.5.
#
# Run by make check under tools/with-jackd.sh and run-uninstalled, and by
# the autopkgtest on the installed flitzis-pads.  Needs xvfb, xdotool,
# gir1.2-adw-1, and jack_lsp and jack_midiseq (jackd2); fails (never skips)
# without them.  Every wait has a
# deadline; every process it starts is stopped by its PID.

import array
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
import wave

import gi
gi.require_version("GdkPixbuf", "2.0")
from gi.repository import GdkPixbuf, GLib  # noqa: E402

DEADLINE = 30.0                      # seconds, for each thing awaited
ACCENT_BG = (0x35, 0x84, 0xe4)       # libadwaita 1.2's @accent_bg_color, both styles
HERE = os.path.dirname(os.path.abspath(__file__))


class Failure(Exception):
    pass


def check(condition, message):
    if not condition:
        raise Failure(message)


def start_xvfb(log):
    """Starts Xvfb on a free display, named through -displayfd."""
    read_end, write_end = os.pipe()
    xvfb = subprocess.Popen(["Xvfb", "-displayfd", str(write_end), "-nolisten", "tcp",
                             "-screen", "0", "1280x800x24"],
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
    """The lines the application prints, read by a thread so that waiting
    for one can have a deadline."""

    def __init__(self, stream):
        self.lines = []
        self.times = []           # when each line came, for the dump on failure
        self._started = time.monotonic()
        self._queue = queue.Queue()
        threading.Thread(target=self._read, args=(stream,), daemon=True).start()

    def _read(self, stream):
        for line in stream:
            self._queue.put((time.monotonic() - self._started, line.rstrip("\n")))
        self._queue.put(None)

    def _append(self, item):
        when, line = item
        self.times.append(when)
        self.lines.append(line)

    def wait_for(self, *prefix, start=0, timeout=DEADLINE):
        """The fields of the first line from index @start on that begin
        with @prefix, and its index; fails after @timeout seconds."""
        return self.wait_until(lambda fields: tuple(fields[:len(prefix)]) == prefix,
                               " ".join(prefix), start, timeout)

    def wait_until(self, matches, what, start=0, timeout=DEADLINE):
        """The same for the first line whose fields @matches."""
        deadline = time.monotonic() + timeout
        index = start
        while True:
            while index < len(self.lines):
                fields = self.lines[index].split(" ")
                if matches(fields):
                    return fields, index
                index += 1
            try:
                item = self._queue.get(timeout=max(deadline - time.monotonic(), 0))
            except queue.Empty:
                item = None
            if item is None:
                raise Failure(f"no event '{what}' within {timeout:.0f} s")
            self._append(item)

    def drain(self):
        while True:
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                return
            if item is not None:
                self._append(item)

    def dump(self):
        """Every line, with the seconds since the application started."""
        return [f"{when:7.3f} {line}" for when, line in zip(self.times, self.lines)]

    def wait_running(self, start=0):
        """Waits for the engine's "running", and fails at once with the
        message of a "run-failed" that comes instead."""
        fields, index = self.wait_until(lambda fields: fields[0] in ("running", "run-failed"),
                                        "running", start)
        check(fields[0] == "running", f"run() failed: {' '.join(fields[1:])}")
        return fields, index

    def last(self, *prefix):
        matches = [line.split(" ") for line in self.lines
                   if tuple(line.split(" ")[:len(prefix)]) == prefix]
        return matches[-1] if matches else None


def write_saw(path, seconds, amplitude):
    frames = int(48000 * seconds)
    period = 109
    top = int(32767 * amplitude)
    with wave.open(path, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(48000)
        out.writeframes(array.array("h", [(n % period) * 2 * top // period - top
                                          for n in range(frames)]).tobytes())


def make_samples(directory):
    write_saw(os.path.join(directory, "kick.wav"), 1.5, 0.5)
    write_saw(os.path.join(directory, "hat.wav"), 0.1, 0.5)
    with open(os.path.join(directory, "snare.wav"), "w") as not_audio:
        not_audio.write("this is not audio\n")


def visible_windows(pid, name=None):
    found = subprocess.run(["xdotool", "search", "--all", "--onlyvisible", "--pid", str(pid),
                            *(["--name", f"^{name}$"] if name else [])],
                           capture_output=True, text=True, timeout=DEADLINE)
    return found.stdout.split()


def find_window(pid, name=None):
    """The first visible X window of process @pid (named @name)."""
    deadline = time.monotonic() + DEADLINE
    while time.monotonic() < deadline:
        windows = visible_windows(pid, name)
        if windows:
            return windows[0]
        time.sleep(0.1)  # polled, within the deadline
    raise Failure(f"no visible window {name or ''} of process {pid}")


def close_with_escape(pid, window, name):
    """Presses Escape in @window until it has closed: a window that has
    just been mapped may not take keys yet (there is no window manager to
    say when it has the focus)."""
    deadline = time.monotonic() + DEADLINE
    while visible_windows(pid, name):
        check(time.monotonic() < deadline, f"Escape did not close the window {name}")
        xdotool("windowfocus", window, "key", "Escape")
        time.sleep(0.2)  # polled, within the deadline


def press_until(events, window, key, *prefix):
    """Presses @key in @window until a line that begins with @prefix comes,
    for a key that may be pressed twice: the first keys after a window is
    mapped may be lost (there is no window manager to say when it has the
    focus)."""
    mark = len(events.lines)
    deadline = time.monotonic() + DEADLINE
    while True:
        xdotool("windowfocus", window, "key", key)
        try:
            return events.wait_for(*prefix, start=mark, timeout=1.0)
        except Failure:
            check(time.monotonic() < deadline,
                  f"{key} brought no '{' '.join(prefix)}' within {DEADLINE:.0f} s")


def use_main_menu(events, window, mnemonic):
    """F10 opens the main menu; once it is shown, the key @mnemonic picks
    its item.  (Sent before the menu is mapped, the key would go to the
    window, where "a" plays a pad.)"""
    mark = len(events.lines)
    xdotool("windowfocus", window, "key", "F10")
    events.wait_for("main-menu-popup", start=mark)
    xdotool("key", mnemonic)


def xdotool(*args):
    try:
        done = subprocess.run(["xdotool", *args], capture_output=True, text=True,
                              timeout=DEADLINE)
    except subprocess.TimeoutExpired:
        raise Failure(f"xdotool {' '.join(args)} did not finish within {DEADLINE:.0f} s")
    check(done.returncode == 0, f"xdotool {' '.join(args)} failed: {done.stderr.strip()}")


def luminance(rgb):
    """Relative luminance (WCAG) of an sRGB colour of 0-255 components."""
    def linear(c):
        c /= 255.0
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (linear(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


class Picture:
    def __init__(self, path):
        check(os.path.exists(path), f"the application said it saved {path}, yet it is not there")
        with open(path, "rb") as png:
            check(png.read(8) == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG")
        self.pixbuf = GdkPixbuf.Pixbuf.new_from_file(path)
        self.width, self.height = self.pixbuf.get_width(), self.pixbuf.get_height()
        self.pixels = self.pixbuf.get_pixels()
        self.stride = self.pixbuf.get_rowstride()
        self.n = self.pixbuf.get_n_channels()

    def pixels_in(self, x0, y0, width, height):
        check(0 <= x0 and 0 <= y0 and x0 + width <= self.width and y0 + height <= self.height,
              f"rectangle {x0},{y0} {width}×{height} is outside the {self.width}×{self.height}"
              " screenshot")
        for y in range(y0, y0 + height):
            for x in range(x0, x0 + width):
                base = y * self.stride + x * self.n
                yield tuple(self.pixels[base:base + 3])


def near(a, b, tolerance=6):
    return all(abs(p - q) <= tolerance for p, q in zip(a, b))


def check_screenshot(path, style, rects):
    """What the screenshot must show; returns the background's luminance."""
    picture = Picture(path)
    # The left margin (12 px, of which the window frame takes 5 on the left
    # without a compositor), halfway down: below the header bar's shadow, beside
    # the pads, above where toasts show.
    bx, by, _, bh = rects["background"]
    background = list(picture.pixels_in(bx + 6, by + bh // 2, 5, 5))
    check(len(set(background)) == 1, f"the window background is not plain: {set(background)}")
    lum = luminance(background[0])
    if style == "light":
        check(lum > 0.8, f"light style, but the window background {background[0]} has "
                         f"luminance {lum:.3f}")
    else:
        check(lum < 0.1, f"dark style, but the window background {background[0]} has "
                         f"luminance {lum:.3f}")

    def accent_share(name):
        pixels = list(picture.pixels_in(*rects[name]))
        return sum(1 for p in pixels if near(p, ACCENT_BG)) / len(pixels)
    lit, unlit = accent_share("meter-0"), accent_share("meter-1")
    check(lit >= 0.3, f"pad 0's meter is not drawn: {lit:.0%} of it has the accent colour")
    check(unlit == 0.0, f"pad 1 plays nothing, yet {unlit:.0%} of its meter has the accent colour")

    wave_pixels = list(picture.pixels_in(*rects["waveform"]))
    inked = sum(1 for p in wave_pixels
                if abs(luminance(p) - lum) > 0.3) / len(wave_pixels)
    check(inked >= 0.05, f"the waveform is not drawn: {inked:.1%} of its area is inked")
    print(f"PASS: {style} screenshot {path} ({picture.width}×{picture.height}): background "
          f"{'#%02x%02x%02x' % background[0]} (luminance {lum:.3f}); pad 0's meter "
          f"{lit:.0%} accent, pad 1's {unlit:.0%}; waveform {inked:.0%} inked")
    return lum


def stop(process):
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def keyfile_path(home):
    """Where GLib's keyfile settings back-end keeps every key."""
    return os.path.join(home, "config", "glib-2.0", "settings", "keyfile")


def set_color_scheme(path, scheme):
    """Sets the desktop's style in the keyfile, keeping the rest of it
    (what the application kept of its last session)."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    keyfile = GLib.KeyFile()
    if os.path.exists(path):
        keyfile.load_from_file(path, GLib.KeyFileFlags.KEEP_COMMENTS)
    keyfile.set_string("org/gnome/desktop/interface", "color-scheme", f"'{scheme}'")
    keyfile.save_to_file(path)


def check_kept(home, key_lock):
    """After the first run: the keyfile holds what it changed."""
    keyfile = GLib.KeyFile()
    keyfile.load_from_file(keyfile_path(home), GLib.KeyFileFlags.NONE)
    group = "org/flitzis/Pads"
    kept = {key: keyfile.get_value(group, key) for key in keyfile.get_keys(group)[0]}
    check(GLib.Variant.parse(None, kept.get("tempo", "0.0")).unpack() == 150.0,
          f"the tempo was not kept: {kept}")
    for key, value in (("quantize", "'beat'"), ("metronome", "true"), ("bank", "1"),
                       ("tempo-lock", "true"), ("midi-input", "true")):
        check(kept.get(key) == value, f"{key} was not kept as {value}: {kept}")
    check(GLib.Variant.parse(None, kept.get("speed", "0.0")).unpack() == 1.5,
          f"the speed was not kept: {kept}")
    if key_lock:
        check(kept.get("key-lock") == "true", f"key-lock was not kept: {kept}")
    midi_map = GLib.Variant.parse(GLib.VariantType("s"), kept.get("midi-map", "''")).unpack()
    check("note 36 channel 1 slot 2\n" in midi_map, f"the MIDI map was not kept: {midi_map!r}")
    playback = GLib.Variant.parse(GLib.VariantType("a(udsd)"),
                                  kept.get("pads-playback", "[]")).unpack()
    check(playback == [(0, 0.5, "default", 0.0)], f"pad 0's speed was not kept: {playback}")
    pads = GLib.Variant.parse(GLib.VariantType("a(ussbsd)"), kept.get("pads", "[]")).unpack()
    names = {slot: (name, os.path.basename(path)) for slot, name, path, _, _, _ in pads}
    check(names.get(0) == ("Big kick", "kick.wav") and names.get(2) == ("", "hat.wav"),
          f"the pads were not kept: {pads}")
    print(f"PASS: the keyfile kept tempo {kept['tempo']}, quantize {kept['quantize']}, "
          f"metronome {kept['metronome']}, bank {kept['bank']}, speed {kept['speed']},"
          f" tempo lock {kept['tempo-lock']}, key lock {kept.get('key-lock', 'false')},"
          f" {len(pads)} pads, pad 0's speed and the MIDI map {midi_map!r}")


def start_app(command, display, samples, screenshot, stderr, home, style, fifo):
    config = os.path.join(home, "config")
    set_color_scheme(keyfile_path(home), "prefer-dark" if style == "dark" else "default")
    env = dict(os.environ, DISPLAY=display, GDK_BACKEND="x11",
               GSK_RENDERER="cairo",          # no GL on Xvfb
               GTK_A11Y="none",               # no accessibility bus
               GSETTINGS_BACKEND="keyfile",   # the desktop's settings, in HOME
               XDG_CONFIG_HOME=config, HOME=home)
    if command[1:3] == ["-m", "flitzispads"]:  # the source tree's package
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [HERE, os.environ.get("PYTHONPATH")]))
    for variable in ("WAYLAND_DISPLAY", "XDG_CACHE_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME",
                     "DBUS_SESSION_BUS_ADDRESS", "ADW_DEBUG_COLOR_SCHEME", "GTK_THEME"):
        env.pop(variable, None)
    return subprocess.Popen([*command, "--print-events", "--voices", "1",
                             "--screenshot", screenshot, "--samples-dir", samples,
                             "--midi-fifo", fifo],
                            env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=stderr, text=True)


def control_rect(events, name):
    fields = events.last("control-geometry", name)
    check(fields is not None, f"the application shows no {name} control")
    return tuple(map(int, fields[2:]))


def click_control(window, rect, *then):
    x, y, width, height = rect
    xdotool("mousemove", "--window", window, str(x + width // 2), str(y + height // 2),
            "click", "1", *then)


def click_field(window, rect, *then):
    """Clicks a spin button's text, left of its - and + buttons."""
    x, y, width, height = rect
    xdotool("mousemove", "--window", window, str(x + 16), str(y + height // 2),
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
    beats, index = [], changed
    while len(beats) < 4:      # other lines (an xrun's) may come between them
        beat, index = events.wait_until(lambda f: f[0] == "beat", "beat", start=index + 1)
        beats.append(int(beat[3]))
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


def set_playback(events, window):
    """The speed slider and field, tempo lock, key lock and pad 0's speed,
    as a user would set them; each must reach the engine."""
    mark = len(events.lines)
    click_control(window, control_rect(events, "speed-scale"), "key", "Home")
    events.wait_for("speed", "0.25", start=mark)
    mark = len(events.lines)
    click_field(window, control_rect(events, "speed"), "key", "ctrl+a", "type", "1.5")
    xdotool("key", "Return")
    events.wait_for("speed", "1.50", start=mark)
    print("PASS: the speed slider set the engine's speed to 0.25, the speed field to 1.5")

    mark = len(events.lines)
    click_control(window, control_rect(events, "tempo-lock"))
    events.wait_for("tempo-lock", "on", start=mark)
    print("PASS: the tempo-lock switch switched tempo lock on")
    supported, _ = events.wait_for("key-lock-supported")
    mark = len(events.lines)
    click_control(window, control_rect(events, "key-lock"))
    if supported[1] == "yes":
        events.wait_for("key-lock", "on", start=mark)
        print("PASS: the key-lock switch switched the engine's key lock on")
    else:
        # Insensitive: the click changes nothing (the next trace is the
        # pad's speed below, with no key-lock line before it).
        print("Note: the engine has no Rubber Band: the key-lock switch is insensitive")

    mark = len(events.lines)
    click_field(window, control_rect(events, "pad-speed"), "key", "ctrl+a", "type", "0.5")
    xdotool("key", "Return")
    events.wait_for("pad-speed", "0", "0.50", start=mark)
    if supported[1] != "yes":
        check(events.last("key-lock") is None, "the insensitive key-lock switch changed it")
    print("PASS: the sidebar's speed field set pad 0's speed to 0.5")
    return supported[1] == "yes"


def send_midi(fifo, line):
    """Writes a line of MIDI bytes in hex for the application to inject."""
    fd = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
    try:
        os.write(fd, (line + "\n").encode())
    finally:
        os.close(fd)


def learn_midi(events, window, fifo):
    """MIDI learn: pad 2 selected by a click while learn is on, note 36 on
    channel 1 maps to it (and plays nothing yet); with learn off, it plays
    pad 2."""
    mark = len(events.lines)
    click_control(window, control_rect(events, "midi-learn"))
    events.wait_for("midi-learn", "on", start=mark)
    _, x, y, width, height = map(int, events.last("pad-geometry", "2")[1:])
    xdotool("mousemove", "--window", window, str(x + width // 2), str(y + height // 2),
            "click", "1")
    events.wait_for("learn-selected", "2", start=mark)
    send_midi(fifo, "90 24 64")
    events.wait_for("midi-event", "1", "0x90", "36", "100", start=mark)
    events.wait_for("midi-learned", "2", "36", "1", start=mark)
    label, _ = events.wait_for("midi-label", "2", start=mark)
    check(label[2:] == ["C2", "ch1"], f"pad 2 shows {' '.join(label[2:])} for note 36, channel 1")
    send_midi(fifo, "80 24 00")
    events.wait_for("midi-event", "1", "0x80", "36", start=mark)
    click_control(window, control_rect(events, "midi-learn"))
    events.wait_for("midi-learn", "off", start=mark)
    played = [line for line in events.lines[mark:] if line.startswith("sample-started ")]
    check(not played, f"MIDI learn played something: {played}")
    print("PASS: MIDI learn mapped note 36 on channel 1 to pad 2 (a click selected it, the"
          " note played nothing), and pad 2 shows C2 ch1")


def play_midi(events, fifo, style):
    """Note 36 on channel 1 plays pad 2 through the engine's MIDI map."""
    mark = len(events.lines)
    send_midi(fifo, "90 24 64")
    started, _ = events.wait_for("sample-started", "2", start=mark)
    send_midi(fifo, "80 24 00")
    events.wait_for("sample-finished", "2", start=mark)
    print(f"PASS ({style}): note 36 on channel 1 played pad 2 through the MIDI map"
          f" (frame {started[2]})")


def midi_ports():
    listed = subprocess.run(["jack_lsp"], capture_output=True, text=True, timeout=DEADLINE)
    return listed.stdout.split("\n")


def switch_midi_input_on(events, window):
    """The main menu's MIDI Input item: the audio restarts with the
    engine's MIDI input port."""
    mark = len(events.lines)
    use_main_menu(events, window, "m")
    events.wait_for("midi-input", "on", start=mark)
    events.wait_running(start=mark)
    events.wait_for("loaded", "0", "kick.wav", start=mark)
    ports = [port for port in midi_ports() if port.endswith(":midi_in")]
    check(ports, f"MIDI Input is on, yet JACK lists no midi_in port: {midi_ports()}")
    print("PASS: the main menu's MIDI Input restarted the audio with the MIDI port", ports[0])


def start_midi_source(home):
    """A JACK client sending note 50 (mapped to nothing) every second, and
    the application's midi-port key naming its port."""
    keyfile = GLib.KeyFile()
    keyfile.load_from_file(keyfile_path(home), GLib.KeyFileFlags.KEEP_COMMENTS)
    keyfile.set_string("org/flitzis/Pads", "midi-port", "'flitzis-pads-seq:out'")
    keyfile.save_to_file(keyfile_path(home))
    source = subprocess.Popen(["jack_midiseq", "flitzis-pads-seq", "48000", "0", "50", "2400"],
                              stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + DEADLINE
    while "flitzis-pads-seq:out" not in midi_ports():
        if time.monotonic() > deadline or source.poll() is not None:
            stop(source)
            raise Failure("jack_midiseq's port flitzis-pads-seq:out did not show up")
        time.sleep(0.1)  # polled, within the deadline
    return source


def check_midi_port(events):
    """The restart connected the MIDI port by its name; the notes come in."""
    events.wait_for("midi-connected", "flitzis-pads-seq:out")
    event, _ = events.wait_for("midi-event", "1", "0x90", "50")
    print("PASS (restart): the MIDI input port was connected to flitzis-pads-seq:out and its"
          f" note 50 came in as a MIDI event (frame {event[5]})")


def rename_pad(events, window):
    """Types a name for the selected pad (pad 0) into the sidebar's row."""
    mark = len(events.lines)
    click_control(window, control_rect(events, "name"), "key", "ctrl+a", "type", "Big kick")
    events.wait_for("name", "0", "Big", "kick", start=mark)
    xdotool("key", "Return")
    print("PASS: the sidebar's name row renamed pad 0 to 'Big kick'")


def check_restored(events):
    """The restart: what the first run changed came back."""
    restored, _ = events.wait_for("restored")
    fields = dict(zip(restored[1::2], restored[2::2]))
    expected = {"bank": "1", "tempo": "150.0", "quantize": "beat", "metronome": "on",
                "volume": "1.00", "speed": "1.50", "tempo-lock": "on", "midi-notes": "1",
                "midi-input": "on"}
    supported, _ = events.wait_for("key-lock-supported")
    if supported[1] == "yes":
        expected["key-lock"] = "on"
    check(all(fields.get(k) == v for k, v in expected.items()) and int(fields["pads"]) >= 3,
          f"the last session did not come back: {' '.join(restored[1:])}")
    pad, _ = events.wait_for("restored-pad", "0")
    check(pad[5:] == ["Big", "kick"], f"pad 0 came back as {' '.join(pad[1:])}")
    playback, _ = events.wait_for("restored-playback", "0")
    check(playback[2:] == ["0.50", "default", "0.0"],
          f"pad 0's speed came back as {' '.join(playback[1:])}")
    label, _ = events.wait_for("midi-label", "2")
    check(label[2:] == ["C2", "ch1"], f"pad 2's MIDI note came back as {' '.join(label[2:])}")
    print("PASS (restart): the last session came back:", " ".join(restored[1:]),
          "; pad 0 is", " ".join(pad[5:]), "at speed", playback[2], "; pad 2 plays on C2 ch1")


def click_pad(events, window, slot, then_key):
    """Clicks the middle of pad @slot, as a user would: it plays on a
    beat's frame (quantized to the beat), lights up, shows its level and
    playhead.  As soon as it plays, presses @then_key: a press while its
    sound is still young (2 s long: 5 beats), however slow the machine is
    to draw the rest."""
    _, x, y, width, height = map(int, events.last("pad-geometry", str(slot))[1:])
    mark = len(events.lines)
    xdotool("mousemove", "--window", window, str(x + width // 2), str(y + height // 2),
            "click", "1")
    started, _ = events.wait_for("sample-started", str(slot), start=mark)
    xdotool("windowfocus", window, "key", then_key)
    beat, _ = events.wait_until(lambda f: f[0] == "beat" and f[3] == started[2],
                                f"beat on frame {started[2]}", start=mark)
    events.wait_for("lit", str(slot), start=mark)
    meter, _ = events.wait_for("meter", str(slot), start=mark)
    check(float(meter[2]) > 0.3, f"pad {slot}'s meter read {meter[2]} for a half-scale sawtooth")
    playhead, _ = events.wait_for("playhead", str(slot), start=mark)
    check(0.0 < float(playhead[2]) < 1.0, f"pad {slot}'s playhead read {playhead[2]}")
    return started, beat, meter, playhead, mark


def drive(events, app, style, screenshot, restart, fifo):
    _, _ = events.wait_for("style", style)
    if restart:
        check_restored(events)
    else:
        restored, _ = events.wait_for("restored")
        check(restored[1:3] == ["pads", "0"], f"a new home restored {' '.join(restored[1:])}")
    events.wait_running()
    events.wait_for("loaded", "0", "kick.wav")
    events.wait_for("loaded", "2", "hat.wav")
    events.wait_for("load-failed", "1")
    toast, _ = events.wait_for("toast", "Pad", "A2", "could", "not", "load", "snare.wav")
    print(f"PASS ({style}): the engine runs, pads 0 and 2 loaded, pad 1's error is a toast:",
          " ".join(toast[1:]))

    window = find_window(app.pid)
    if restart:
        # Bank B came back; Alt+1 shows bank A.
        events.wait_for("pad-geometry", "31")
        _, mark = press_until(events, window, "alt+1", "bank", "0")
        events.wait_for("pad-geometry", "15", start=mark)
        print(f"PASS ({style}): bank B came back; Alt+1 showed bank A")
    else:
        events.wait_for("pad-geometry", "15")
        events.wait_for("control-geometry", "name")
        set_transport(events, window)
        rename_pad(events, window)     # the selected pad, pad 0; its click takes the focus
        set_playback(events, window)

    # One voice, busy with the 1.5 s kick: the key "1" pressed while it
    # sounds is lost.
    started, beat, meter, playhead, mark = click_pad(events, window, 0, then_key="1")
    waveform, _ = events.wait_for("waveform", "0")
    check(int(waveform[2]) > 100, f"the waveform has only {waveform[2]} buckets")
    print(f"PASS ({style}): an XTEST click played pad 0 on a beat (frame {started[2]}, bar"
          f" {beat[1]} beat {beat[2]}), its meter read {meter[2]}, its playhead"
          f" {playhead[2]}, its waveform has {waveform[2]} buckets")

    shot, _ = events.wait_for("screenshot", screenshot)
    check(shot[2] == style, f"the application drew the {shot[2]} style, not the {style} one")
    rects = {}
    for line in events.lines:
        fields = line.split(" ")
        if fields[0] == "rect":
            rects[fields[1]] = tuple(map(int, fields[2:6]))

    dropped, _ = events.wait_for("voice-dropped", "0", start=mark)
    toast, _ = events.wait_for("toast", "Pad", "A1", "did", "not", "sound:", start=mark)
    print(f"PASS ({style}): a press with every voice busy was lost (frame {dropped[2]})"
          f" and said so: {' '.join(toast[1:])}")
    finished, _ = events.wait_for("sample-finished", "0", start=mark)
    events.wait_for("dark", "0", start=mark)
    check(int(finished[2]) > int(started[2]),
          f"pad 0 finished at frame {finished[2]}, before it started at {started[2]}")
    # 1.5 s at speed 1.5 × 0.5: 2 s, within 1 %; key-locked, the voice
    # plays its stretcher's tail out after that (measured: 6144 frames at
    # 48 kHz), so up to 150 ms more.  At speed 1.5 or 0.5 alone it would be
    # 1 s or 3 s.
    rate = int(os.environ.get("FLITZIS_JACK_RATE", "48000"))
    length = int(finished[2]) - int(started[2])
    tail = 0.15 * rate if events.last("key-lock-supported")[1] == "yes" else 0
    check(0.99 * 2 * rate <= length <= 1.01 * 2 * rate + tail,
          f"pad 0 played {length} frames at speed 1.5 × 0.5, not {2 * rate}")
    print(f"PASS ({style}): pad 0 played {length} frames, its 1.5 s at speed 1.5 × 0.5"
          f" ({2 * rate} frames{', and the key lock stretcher tail' if tail else ''})")
    print(f"PASS ({style}): pad 0 went dark when its voice finished (frame {finished[2]})")

    # The key "3" plays pad 2.
    mark = len(events.lines)
    xdotool("windowfocus", window, "key", "3")
    started, _ = events.wait_for("sample-started", "2", start=mark)
    print(f"PASS ({style}): the key 3 played pad 2 (frame {started[2]})")
    events.wait_for("sample-finished", "2", start=mark)   # its one voice is free again
    if not restart:
        learn_midi(events, window, fifo)
    play_midi(events, fifo, style)

    # Alt+2 shows bank B: its pads are slots 16 to 31.
    mark = len(events.lines)
    xdotool("windowfocus", window, "key", "alt+2")
    events.wait_for("bank", "1", start=mark)
    events.wait_for("pad-geometry", "31", start=mark)
    print(f"PASS ({style}): Alt+2 showed bank B, slots 16 to 31")

    if restart:
        check_midi_port(events)
    else:
        switch_midi_input_on(events, window)

    # The main menu's windows: Ctrl+? for the shortcuts, then F10 (the
    # primary menu) and the mnemonic "a" for About.
    xdotool("windowfocus", window, "key", "ctrl+question")
    shortcuts = find_window(app.pid, name="Keyboard Shortcuts")
    close_with_escape(app.pid, shortcuts, "Keyboard Shortcuts")
    use_main_menu(events, window, "a")
    find_window(app.pid, name="About Flitzis Pads")
    print(f"PASS ({style}): Ctrl+? showed the keyboard shortcuts, the main menu's About"
          " its window")
    return check_screenshot(screenshot, style, rects)


def stop_app(app, stderr_path):
    app.send_signal(signal.SIGTERM)
    try:
        status = app.wait(timeout=DEADLINE)
    except subprocess.TimeoutExpired:
        raise Failure(f"the application did not quit within {DEADLINE:.0f} s of SIGTERM")
    with open(stderr_path) as stderr:
        errors = stderr.read()
    check(status == 0, f"the application exited with status {status}")
    for problem in ("Traceback", "-CRITICAL", "-WARNING"):
        check(problem not in errors, f"the application wrote '{problem}' on stderr")
    if errors:
        print("Note: the application wrote on stderr:", errors, sep="\n")
    print("PASS: it quit cleanly on SIGTERM, with no exception, critical or warning")


def run_style(command, display, style, shots, work, restart):
    """One run in @style; @restart: on the home of the run before."""
    samples = os.path.join(work, "samples")
    home = os.path.join(work, "home")
    if not restart:
        os.mkdir(samples)
        make_samples(samples)
        os.mkdir(home)
    screenshot = os.path.join(shots, f"flitzis-pads-{style}.png")
    if os.path.exists(screenshot):
        os.unlink(screenshot)  # a screenshot of an earlier run proves nothing
    app_stderr = os.path.join(work, f"app-{style}.stderr")
    fifo = os.path.join(work, f"midi-{style}.fifo")
    os.mkfifo(fifo)
    source = start_midi_source(home) if restart else None
    with open(app_stderr, "w") as stderr:
        app = start_app(command, display, samples, screenshot, stderr, home, style, fifo)
    events = EventLog(app.stdout)
    try:
        lum = drive(events, app, style, screenshot, restart, fifo)
        stop_app(app, app_stderr)
        if not restart:
            check_kept(home, events.last("key-lock-supported")[1] == "yes")
        return lum
    except Failure:
        events.drain()
        print("The application printed (seconds since its start, line):", *events.dump(),
              sep="\n  ", file=sys.stderr)
        with open(app_stderr) as stderr:
            print("Its stderr:", stderr.read(), sep="\n", file=sys.stderr)
        raise
    finally:
        stop(app)
        if source is not None:
            stop(source)


def main():
    if len(sys.argv) < 2:
        print("usage: flitzis-pads-test.py SHOTS_DIR [COMMAND...]", file=sys.stderr)
        return 2
    shots = os.path.abspath(sys.argv[1])
    command = sys.argv[2:] or [sys.executable, "-m", "flitzispads"]
    os.makedirs(shots, exist_ok=True)
    try:
        for tool in ("Xvfb", "xdotool", "jack_lsp", "jack_midiseq"):
            check(shutil.which(tool), f"{tool} is missing (packages xvfb and xdotool)")
        with tempfile.TemporaryDirectory(prefix="flitzis-pads-app-") as work:
            with open(os.path.join(work, "xvfb.log"), "w+") as xvfb_log:
                xvfb, display = start_xvfb(xvfb_log)
            try:
                os.environ["DISPLAY"] = display  # for xdotool
                light = run_style(command, display, "light", shots, work, restart=False)
                dark = run_style(command, display, "dark", shots, work, restart=True)
            finally:
                stop(xvfb)
        check(light - dark >= 0.5, f"the light background (luminance {light:.3f}) is not"
                                   f" clearly brighter than the dark one ({dark:.3f})")
        print(f"PASS: the light background is brighter than the dark one by"
              f" {light - dark:.3f} in luminance")
    except Failure as failure:
        print("FAIL:", failure, file=sys.stderr)
        return 1
    print("screenshots:", *(os.path.join(shots, f"flitzis-pads-{s}.png")
                           for s in ("light", "dark")))
    return 0


if __name__ == "__main__":
    sys.exit(main())
