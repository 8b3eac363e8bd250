# test_docs.py: the code in the API reference's overview compiles.
#
# Copyright 2026 The libflitzis authors
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# docs/overview.md shows the same program in C, Python and Vala.  The C is
# compiled and linked with pkg-config, the Vala compiled with valac --pkg
# flitzis-1.0 (both against the build tree, see run-uninstalled), and the
# Python byte-compiled, so that the examples cannot rot.

import os
import re
import shutil
import subprocess

SRCDIR = os.path.dirname(os.environ.get("G_TEST_SRCDIR", os.path.dirname(__file__)))
OVERVIEW = os.path.join(SRCDIR, "docs", "overview.md")


def blocks(language):
    with open(OVERVIEW) as f:
        return re.findall(r"^```%s\n(.*?)^```" % language, f.read(), re.M | re.S)


def test_overview_has_one_program_per_language():
    assert [len(blocks(language)) for language in ("c", "python", "vala")] == [1, 1, 1]


def test_c_example_compiles_and_links(tmp_path):
    source = tmp_path / "overview.c"
    source.write_text(blocks("c")[0])
    flags = subprocess.run(["pkg-config", "--cflags", "--libs", "flitzis-1.0"],
                           check=True, capture_output=True, text=True).stdout.split()
    subprocess.run([os.environ.get("CC", "cc"), "-Wall", "-Werror", "-o",
                    str(tmp_path / "overview"), str(source)] + flags, check=True)


def test_python_example_compiles():
    compile(blocks("python")[0], "overview.md", "exec")


def test_vala_example_compiles(tmp_path):
    valac = shutil.which("valac")
    assert valac, "valac is needed (package valac)"
    source = tmp_path / "overview.vala"
    source.write_text(blocks("vala")[0])
    subprocess.run([valac, "--quiet", "--vapidir", os.environ["FLITZIS_VAPIDIR"],
                    "--pkg", "flitzis-1.0", "-X", "-w", "-o", str(tmp_path / "overview"),
                    str(source)], check=True)
