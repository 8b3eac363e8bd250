# test_translations.py: what the translators get (po/POTFILES.in, the
# template xgettext makes from it) and Flitzis Pads' strings translated
#
# Copyright 2026 The libflitzis authors
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The library, the tool and the application share the gettext domain
# libflitzis-1.0 (app/flitzispads/i18n.py says why).  Checked: every
# source file that marks strings is in POTFILES.in and every file listed
# exists; xgettext, with po/Makevars' options, takes the application's
# strings (Python, brace formats, plurals) and its GSettings schema's; the
# application, with the German catalogue built into the build tree
# (tests/locale, from po/de.po), shows German, singular and plural.

import glob
import os
import re
import subprocess
import sys

BUILD = os.environ.get("G_TEST_BUILDDIR", os.path.join(os.path.dirname(__file__), ".."))
SRC = os.environ.get("G_TEST_SRCDIR", os.path.join(os.path.dirname(__file__), ".."))
TOP = os.path.join(SRC, "..")
MARKS = re.compile(r"\b(_|N_|C_|NC_|g_dngettext|ngettext)\s*\(")


def potfiles():
    with open(os.path.join(TOP, "po", "POTFILES.in")) as f:
        return [line.strip() for line in f if line.strip() and not line.startswith("#")]


def test_potfiles_lists_every_file_with_strings():
    listed = potfiles()
    for path in listed:
        assert os.path.isfile(os.path.join(TOP, path)), path
    marked = set()
    for pattern in ("flitzis/*.c", "flitzis/core/*.c", "tools/*.c", "app/flitzispads/*.py"):
        for path in glob.glob(os.path.join(TOP, pattern)):
            with open(path, encoding="utf-8") as f:
                text = f.read()
            if MARKS.search(text):
                marked.add(os.path.relpath(path, TOP))
    marked.discard("app/flitzispads/i18n.py")        # defines _(), translates nothing
    assert marked - set(listed) == set(), "not in po/POTFILES.in"
    for app_file in ("app/flitzispads/window.py", "app/flitzispads/application.py",
                     "app/data/org.flitzis.Pads.gschema.xml"):
        assert app_file in listed


def xgettext_options():
    with open(os.path.join(TOP, "po", "Makevars")) as f:
        text = f.read().replace("\\\n", " ")
    return re.search(r"^XGETTEXT_OPTIONS\s*=\s*(.*)$", text, re.M).group(1).split()


def test_xgettext_takes_the_applications_strings(tmp_path):
    pot = tmp_path / "flitzis.pot"
    files = tmp_path / "files"
    files.write_text("\n".join(potfiles()) + "\n")
    done = subprocess.run(["xgettext", *xgettext_options(), "-D", TOP, "-f", str(files),
                           "-o", str(pot)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    text = pot.read_text()
    for msgid in ("Keyboard Shortcuts", "Press While Playing", "Tempo in beats per minute",
                  "Pad {pad} could not load {file}", "Shown bank",
                  "flitzis render: %llu hit was dropped: more than %u voices would have "
                  "played at once\\n"):
        assert f'msgid "{msgid}"' in text.replace('"\n"', ""), msgid
    joined = text.replace('"\n"', "")
    assert ('#, python-brace-format\nmsgid "{n} sound lost: every voice was busy"\n'
            'msgid_plural "{n} sounds lost: every voice was busy"') in joined
    assert ('msgid "flitzis render: %llu hit was dropped: more than %u voices would have '
            'played at once\\n"\nmsgid_plural "flitzis render: %llu hits were dropped')  \
        in joined
    # a translator comment reaches the template
    assert "#. TRANSLATORS: the label of a pad without a sample" in text


PROBE = """
import sys
sys.path.insert(0, sys.argv[1])
from flitzispads import i18n
i18n.setup(sys.argv[2])
from flitzispads.pads import mode_names
print(i18n._("Keyboard Shortcuts"))
print(mode_names()[1])
for n in (1, 2):
    print(i18n.ngettext("{n} sound lost: every voice was busy",
                        "{n} sounds lost: every voice was busy", n).format(n=n))
"""


def test_the_application_speaks_german():
    localedir = os.path.join(BUILD, "locale")
    assert os.path.isfile(os.path.join(localedir, "de", "LC_MESSAGES", "libflitzis-1.0.mo"))
    env = dict(os.environ, LANGUAGE="de", LC_ALL="C.UTF-8")
    done = subprocess.run([sys.executable, "-c", PROBE, os.path.join(TOP, "app"), localedir],
                          capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "Tastenkürzel", "Schleife",
        "1 Klang verloren: alle Stimmen waren belegt",
        "2 Klänge verloren: alle Stimmen waren belegt"], done.stdout
    # and without a catalogue for the language, English
    env["LANGUAGE"] = "xx"
    done = subprocess.run([sys.executable, "-c", PROBE, os.path.join(TOP, "app"), localedir],
                          capture_output=True, text=True, env=env, timeout=60)
    assert done.stdout.splitlines()[0] == "Keyboard Shortcuts", done.stdout
