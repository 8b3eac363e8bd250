# test_tool_plurals.py: the flitzis tool counts in the plural forms of
# the user's language (g_dngettext), for a count of 1 and of 2
#
# Copyright 2026 The libflitzis authors
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Offline renders, so exact: the channels of the file written, the hits
# that found no free voice (a pattern with 33 or 34 hits at once on an
# engine of Flitzis.MAX_VOICES = 32 voices), a sample short of its
# header's frames.  In English, then in German from the catalogue built
# into the build tree (tests/locale, the same as engine/test-i18n's) under
# a German locale compiled there too (LOCPATH).

import os
import struct
import subprocess
import wave

import pytest

BUILD = os.environ.get("G_TEST_BUILDDIR", os.path.join(os.path.dirname(__file__), ".."))
TOOL = os.path.join(BUILD, "..", "tools", "flitzis")
VOICES = 32                       # FLITZIS_MAX_VOICES
DEADLINE = 60

ENGLISH = {"LC_ALL": "C.UTF-8", "LANGUAGE": ""}
GERMAN = {"LC_ALL": "de_DE.UTF-8", "LANGUAGE": "de",
          "LOCPATH": os.path.join(BUILD, "locale-data"),
          "FLITZIS_LOCALEDIR": os.path.join(BUILD, "locale")}


def write_wav(path, frames):
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(48000)
        out.writeframes(struct.pack("<%dh" % frames, *([1000] * frames)))


def render(tmp_path, hits, language, *options):
    sample = tmp_path / "tick.wav"
    write_wav(sample, 4800)
    pattern = tmp_path / "p.pattern"
    pattern.write_text("flitzis-pattern 1\ntempo 120\nlength 1\n"
                       f"sample s {sample}\n" + "hit 0 s 0.01\n" * hits)
    out = tmp_path / "out.wav"
    env = dict(os.environ, **language)
    done = subprocess.run([TOOL, "render", str(pattern), "-o", str(out), *options],
                          capture_output=True, text=True, env=env, timeout=DEADLINE)
    assert done.returncode == 0, done.stderr
    return done.stdout, done.stderr


@pytest.mark.parametrize("language, one, two", [
    (ENGLISH, ", 1 channel, in ", ", 2 channels, in "),
    (GERMAN, ", 1 Kanal, in ", ", 2 Kanäle, in "),
])
def test_channels(tmp_path, language, one, two):
    out, _ = render(tmp_path, 1, language, "--channels", "1")
    assert one in out, out
    out, _ = render(tmp_path, 1, language, "--channels", "2")
    assert two in out, out


@pytest.mark.parametrize("language, one, two", [
    (ENGLISH, "flitzis render: 1 hit was dropped: more than 32 voices would have played",
     "flitzis render: 2 hits were dropped: more than 32 voices would have played"),
    (GERMAN, "flitzis render: 1 Anschlag wurde verworfen: mehr als 32 Stimmen",
     "flitzis render: 2 Anschläge wurden verworfen: mehr als 32 Stimmen"),
])
def test_dropped_hits(tmp_path, language, one, two):
    _, err = render(tmp_path, VOICES, language)
    assert "dropped" not in err and "verworfen" not in err, err
    _, err = render(tmp_path, VOICES + 1, language)
    assert one in err, err
    _, err = render(tmp_path, VOICES + 2, language)
    assert two in err, err


def test_the_german_catalogue_is_the_build_trees():
    # Without it the German cases above would fail, not pass in English.
    assert os.path.isfile(os.path.join(GERMAN["FLITZIS_LOCALEDIR"], "de", "LC_MESSAGES",
                                       "libflitzis-1.0.mo"))
