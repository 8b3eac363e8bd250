# test_tool_status.py: what the flitzis tool shows a person and a script
#
# Copyright 2026 The libflitzis authors
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The status line of play, render and latency, read from a pty (the tool
# sees a terminal): it is drawn, redrawn as the work goes on, and erased
# at the end; with pipes (a script) there is none, only the final lines.
# devices --json and latency --json parse as JSON with the documented
# keys; play --help names each argument once.  On the suite's private
# JACK dummy server (tools/with-jackd.sh); every run has a deadline.

import fcntl
import json
import os
import pty
import re
import select
import signal
import struct
import subprocess
import termios
import time

import pytest

BUILD = os.environ.get("G_TEST_BUILDDIR", os.path.join(os.path.dirname(__file__), ".."))
SRC = os.environ.get("G_TEST_SRCDIR", os.path.join(os.path.dirname(__file__), ".."))
TOOL = os.path.join(BUILD, "..", "tools", "flitzis")
DATA = os.path.join(SRC, "..", "data")
DEADLINE = 30
STATUS = re.compile(r"\r([^\r\n]*?)\x1b\[K")
# The final report's lines of what a loaded machine may cause: the engine's
# own underruns and the xruns the server reported elsewhere.
XRUN_REPORT = re.compile(r"flitzis play: (the engine's own stream ran out of audio \d+ times? "
                         r"\(its underruns?: a period came too late\)|the sound server reported "
                         r"\d+ xruns? caused elsewhere \(by another client or the server itself, "
                         r"not by this engine\))")


@pytest.fixture(autouse=True)
def needs_jack():
    if not os.environ.get("JACK_DEFAULT_SERVER"):
        pytest.fail("run under tools/with-jackd.sh (make check does)")


def run_on_pty(args, on_output=None, columns=0):
    """Runs the tool with stdout and stderr on a pty (COLUMNS wide, or of
    no size); returns (status, everything it wrote).  on_output(text so
    far, process) may act."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, columns, 0, 0))
    process = subprocess.Popen([TOOL] + args, stdin=subprocess.DEVNULL, stdout=slave,
                               stderr=slave, close_fds=True)
    os.close(slave)
    text = b""
    deadline = time.monotonic() + DEADLINE
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], deadline - time.monotonic())
            if not ready:
                continue
            try:
                chunk = os.read(master, 4096)
            except OSError:            # EIO: the pty's last writer closed it
                break
            if not chunk:
                break
            text += chunk
            if on_output is not None:
                on_output(text.decode(errors="replace"), process)
        else:
            process.kill()
            pytest.fail("%s did not finish in %d s: %r" % (args, DEADLINE, text))
        status = process.wait(timeout=DEADLINE)
    finally:
        os.close(master)
    return status, text.decode()


def run_piped(args):
    return subprocess.run([TOOL] + args, stdin=subprocess.DEVNULL, capture_output=True,
                          text=True, timeout=DEADLINE)


def statuses(text):
    return STATUS.findall(text)


def write_wav(path, seconds, rate=48000):
    """A quiet mono float WAV of SECONDS, written by hand (no libsndfile)."""
    import struct
    frames = int(seconds * rate)
    data = struct.pack("<%df" % frames, *([0.01] * frames))
    header = struct.pack("<4sI4s4sIHHIIHH4sI", b"RIFF", 36 + len(data), b"WAVE", b"fmt ", 16,
                         3, 1, rate, rate * 4, 4, 32, b"data", len(data))
    with open(path, "wb") as f:
        f.write(header + data)
    return path


def test_play_status_line(tmp_path):
    wav = write_wav(str(tmp_path / "one-second.wav"), 1.0)
    status, text = run_on_pty(["play", wav])
    assert status == 0, text
    lines = statuses(text)
    assert len(lines) >= 2, text
    for line in lines[:-1] if lines[-1] == "" else lines:
        assert re.match(r"Playing \d+\.\d / 1\.0 s on default device \(JACK\), 48000 Hz, "
                        r"\d+ underruns? \(Ctrl-C to stop\)$", line), line
    positions = [float(p) for p in re.findall(r"\rPlaying (\d+\.\d)", text)]
    assert positions == sorted(positions) and positions[-1] > positions[0], positions
    # erased at the end, before the final report (the underruns and xruns a
    # loaded machine may have made): nothing of it stays on the screen
    end = "(Ctrl-C to stop)\x1b[K"
    rest = text[text.rindex(end) + len(end):]
    assert rest.startswith("\r\x1b[K"), repr(rest[:40])
    assert "Playing" not in rest, repr(rest)
    # the status line counts the engine's own underruns, not the server's
    # xruns: never more than the report's (which may have one more, come
    # after the last redraw)
    own = re.search(r"ran out of audio (\d+) time", rest)
    assert int(re.findall(r"(\d+) underruns? \(Ctrl-C", text)[-1]) <= (
        int(own.group(1)) if own else 0), repr(text[-300:])


def test_play_piped_prints_no_status(tmp_path):
    wav = write_wav(str(tmp_path / "short.wav"), 0.2)
    result = run_piped(["play", wav])
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    assert "\r" not in result.stderr and "Playing" not in result.stderr
    # nothing but the report of underruns or xruns, if there were any
    assert all(XRUN_REPORT.fullmatch(line) for line in result.stderr.splitlines()), result.stderr


def test_play_loop_status_and_ctrl_c(tmp_path):
    wav = write_wav(str(tmp_path / "loop.wav"), 0.1)
    sent: list[bool] = []

    def interrupt_after_two(text, process):
        if not sent and len(statuses(text)) >= 2:
            process.send_signal(signal.SIGINT)
            sent.append(True)

    status, text = run_on_pty(["play", "--loop", wav], interrupt_after_two)
    assert sent and status == 0, text
    assert re.search(r"Playing \d+\.\d s, looping, on default device \(JACK\), 48000 Hz", text)


def test_render_status_line_and_ctrl_c(tmp_path):
    kick = os.path.join(DATA, "samples", "kick.wav")
    pattern = tmp_path / "long.pattern"
    # an hour (7200 bars of 2 s): long enough that Ctrl-C comes first
    pattern.write_text("flitzis-pattern 1\ntempo 120\nlength 1\nrepeat 7200\n"
                       "sample kick %s\nhit 0 kick\n" % kick)
    out = tmp_path / "long.wav"
    sent: list[bool] = []

    def interrupt_after_two(text, process):
        if not sent and len(statuses(text)) >= 2:
            process.send_signal(signal.SIGINT)
            sent.append(True)

    status, text = run_on_pty(["render", str(pattern), "-o", str(out)], interrupt_after_two)
    assert sent, text
    assert status == 130, text
    assert re.search(r"Rendering \d+\.\d / 3600\.0 s, 48000 Hz, 2 channels → .*long\.wav "
                     r"\(Ctrl-C to stop\)", text), text
    assert "stopped by Ctrl-C" in text
    # a complete file of what was rendered: the header's sizes are true
    raw = out.read_bytes()
    assert raw[:4] == b"RIFF" and int.from_bytes(raw[4:8], "little") == len(raw) - 8
    at = raw.index(b"data")
    assert int.from_bytes(raw[at + 4:at + 8], "little") == len(raw) - at - 8 > 0


def test_status_line_fits_the_terminal(tmp_path):
    """A line wider than the terminal would wrap, and be redrawn only in
    part: it is cut to the width."""
    out = tmp_path / ("a-long-name-" * 8 + ".wav")
    status, text = run_on_pty(["render", os.path.join(DATA, "demo.pattern"), "-o", str(out)],
                              columns=40)
    assert status == 0, text
    lines = [line for line in statuses(text) if line]
    assert lines and all(len(line) == 39 for line in lines), lines
    assert lines[0].startswith("Rendering 0.0 / 8.0 s, 48000 Hz, 2 ch")


def test_render_piped_prints_final_line_only(tmp_path):
    out = tmp_path / "demo.flac"
    result = run_piped(["render", os.path.join(DATA, "demo.pattern"), "-o", str(out)])
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert re.fullmatch(r"Wrote .*demo\.flac \(flac\): 8\.\d\d s, 48000 Hz, 2 channels, "
                        r"in \d+\.\d\d s \(\d+× real time\)\n", result.stdout), result.stdout


def test_latency_status_line():
    status, text = run_on_pty(["latency", "-n", "20"])
    assert status == 0, text
    counts = [int(m) for m in re.findall(r"\rMeasuring (\d+)/20 on default device \(JACK\), "
                                         r"48000 Hz, \d+ underruns? \(Ctrl-C to stop\)", text)]
    assert len(counts) >= 2 and counts[0] == 0 and counts == sorted(counts), text
    assert "trigger → output" in text


def test_latency_json():
    result = run_piped(["latency", "-n", "10", "--json"])
    assert result.returncode == 0, result.stderr
    assert "\r" not in result.stderr
    report = json.loads(result.stdout)
    assert report["device"] is None
    assert report["sample_rate"] == 48000
    assert report["measurements"] == 10
    assert isinstance(report["underruns"], int)
    assert report["output_latency_ms"] > 0
    for row in ("ping_pong_ms", "trigger_start_frames", "trigger_output_ms"):
        assert 0 <= report[row]["min"] <= report[row]["median"] <= report[row]["p99"], report
    # trigger → output is trigger → start in ms plus the output latency
    assert report["trigger_output_ms"]["min"] == pytest.approx(
        report["trigger_start_frames"]["min"] * 1000 / 48000 + report["output_latency_ms"])


def test_devices_json():
    result = run_piped(["devices", "--json"])
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["backend"] in ("JACK", "PortAudio")
    chosen = [d for d in report["devices"] if d["chosen"]]
    assert [d["name"] for d in chosen] == ["system"], report
    system = chosen[0]
    assert system["host_api"] == "JACK Audio Connection Kit"
    assert system["default_sample_rate"] == 48000
    assert system["max_output_channels"] == 2
    assert system["is_default"] is True
    assert isinstance(system["default_low_latency_ms"], (int, float))
    # the same devices as the table, in its order
    table = run_piped(["devices"]).stdout.splitlines()[1:1 + len(report["devices"])]
    assert [line[2:].split("  ")[0] for line in table] == [d["name"] for d in report["devices"]]


def test_devices_json_in_a_german_locale():
    """Numbers are JSON in any locale: "5.3", never "5,3".  The German
    locale is the one make check compiles into the build tree."""
    env = dict(os.environ, LC_ALL="de_DE.UTF-8", LOCPATH=os.path.join(BUILD, "locale-data"))
    table = subprocess.run([TOOL, "devices"], capture_output=True, text=True,
                           timeout=DEADLINE, env=env)
    assert re.search(r"\d,\d", table.stdout), "not German: " + table.stdout
    result = subprocess.run([TOOL, "devices", "--json"], capture_output=True, text=True,
                            timeout=DEADLINE, env=env)
    assert result.returncode == 0, result.stderr
    assert "," not in str([d["default_low_latency_ms"]
                           for d in json.loads(result.stdout)["devices"]])


def test_play_help_names_each_argument_once():
    result = run_piped(["play", "--help"])
    assert result.returncode == 0
    usage = result.stdout.splitlines()[1]
    assert usage.strip() == "flitzis play [OPTION…] FILE… | --pattern FILE", usage
    assert result.stdout.count("FILE…") == 1
