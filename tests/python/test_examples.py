# test_examples.py: the asyncio and the plotting examples, run as a user
# runs them
#
# Copyright 2026 The libflitzis authors
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# examples/flitzis-asyncio.py: its loads awaited together, the frames it
# reports equal to the files' (read here with the wave module), and a
# file that cannot be loaded raised at its await (exit 1, the message
# names it).  examples/flitzis-plot.py: without matplotlib (hidden by a
# module that fails to import, whatever is installed) it exits 0 after
# doing everything but drawing, and the minimum and maximum it reports,
# of the waveform overview and of the render, are the file's own; with
# matplotlib installed it writes a PNG.

import array
import importlib.util
import os
import subprocess
import sys
import wave

import pytest

SRC = os.environ.get("G_TEST_SRCDIR", os.path.join(os.path.dirname(__file__), ".."))
EXAMPLES = os.path.join(SRC, "..", "examples")
SAMPLES = os.path.join(SRC, "..", "data", "samples")


def run(script, *args, env=None):
    return subprocess.run([sys.executable, os.path.join(EXAMPLES, script)] + list(args),
                          capture_output=True, text=True, timeout=60, env=env)


def pcm16(name):
    with wave.open(os.path.join(SAMPLES, name)) as f:
        assert f.getsampwidth() == 2 and f.getnchannels() == 1 and f.getframerate() == 48000
        return [x / 32768 for x in array.array("h", f.readframes(f.getnframes()))]


def test_asyncio_loads_and_plays():
    kick, hat = os.path.join(SAMPLES, "kick.wav"), os.path.join(SAMPLES, "hat.wav")
    result = run("flitzis-asyncio.py", kick, hat)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "slot 0: %s, %d frames" % (kick, len(pcm16("kick.wav")))
    assert lines[1] == "slot 1: %s, %d frames" % (hat, len(pcm16("hat.wav")))
    assert lines[2].startswith("peak ") and float(lines[2].split()[1]) > 0.5


def test_asyncio_failure_is_raised_at_the_await(tmp_path):
    """The failing load ends first; the others are still awaited (a load
    whose callback came after the asyncio loop had closed once raised in
    the GLib thread): the run ends cleanly, whatever the order."""
    missing = str(tmp_path / "missing.wav")
    kick = os.path.join(SAMPLES, "kick.wav")
    for args in ([kick, missing], [missing, kick, kick, kick]):
        result = run("flitzis-asyncio.py", *args)
        assert result.returncode == 1
        assert result.stderr == "flitzis-asyncio: Cannot open “%s”: No such file or " \
                                "directory\n" % missing, result.stderr


def test_plot_without_matplotlib(tmp_path):
    hidden = tmp_path / "hidden"
    (hidden / "matplotlib").mkdir(parents=True)
    (hidden / "matplotlib" / "__init__.py").write_text("raise ImportError('hidden by the test')\n")
    env = dict(os.environ, PYTHONPATH=str(hidden))
    png = tmp_path / "plot.png"
    result = run("flitzis-plot.py", os.path.join(SAMPLES, "kick.wav"), str(png), env=env)
    assert result.returncode == 0, result.stderr
    kick = pcm16("kick.wav")
    assert result.stdout.splitlines() == [
        "waveform: 200 buckets, min %.6f, max %.6f" % (min(kick), max(kick)),
        "render: %d frames, min %.6f, max %.6f" % (len(kick), min(kick), max(kick)),
        "matplotlib is not installed (package python3-matplotlib): no plot drawn",
    ]
    assert not png.exists()


def test_plot_usage():
    result = run("flitzis-plot.py")
    assert result.returncode == 2 and "usage:" in result.stderr


@pytest.mark.skipif(importlib.util.find_spec("matplotlib") is None,
                    reason="python3-matplotlib is not installed: the drawing is not tested")
def test_plot_with_matplotlib(tmp_path):
    png = tmp_path / "plot.png"
    result = run("flitzis-plot.py", os.path.join(SAMPLES, "kick.wav"), str(png))
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "wrote %s" % png
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
