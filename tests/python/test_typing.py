# test_typing.py: the Python type stubs of gi.repository.Flitzis
#
# Copyright 2026 The libflitzis authors
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# flitzis/python-stubs/gi-stubs is generated from the GIR at build time
# (tools/gir-to-stubs.py).  mypy reads "-stubs" packages only from the
# interpreter's package directories, where they are installed; for the
# build tree this test points MYPYPATH at a directory whose "gi" is that
# package.  Checked here: the examples and the Python tests type-check;
# a typo and a wrong argument type are caught (and are not without the
# stubs, so it is the stubs that catch them); every name the stubs give
# exists in the typelib, and every method of the GIR is in the stubs.

import ast
import glob
import os
import subprocess
import sys
import xml.etree.ElementTree as ET

import gi
gi.require_version("Flitzis", "1.0")
from gi.repository import Flitzis  # noqa: E402

import pytest  # noqa: E402

BUILD = os.environ.get("G_TEST_BUILDDIR", os.path.join(os.path.dirname(__file__), ".."))
SRC = os.environ.get("G_TEST_SRCDIR", os.path.join(os.path.dirname(__file__), ".."))
STUBS = os.path.join(BUILD, "..", "flitzis", "python-stubs", "gi-stubs")
GIR = os.path.join(BUILD, "..", "flitzis", "Flitzis-1.0.gir")
CONFIG = os.path.join(SRC, "mypy.ini")
CORE = "{http://www.gtk.org/introspection/core/1.0}"


@pytest.fixture(scope="module")
def mypypath(tmp_path_factory):
    path = tmp_path_factory.mktemp("mypypath")
    os.symlink(os.path.abspath(STUBS), path / "gi")
    return str(path)


def mypy(files, mypypath=None, cwd=None):
    env = dict(os.environ)
    env.pop("MYPYPATH", None)
    if mypypath is not None:
        # The stubs, and the application's package (app/flitzispads), which
        # tests/python/test_pads_app.py imports.
        env["MYPYPATH"] = os.pathsep.join([mypypath, os.path.join(SRC, "..", "app")])
    return subprocess.run([sys.executable, "-m", "mypy", "--config-file", CONFIG,
                           "--no-incremental", "--cache-dir", os.devnull,
                           "--python-executable", sys.executable] + files,
                          capture_output=True, text=True, env=env, cwd=cwd, timeout=300)


def python_files():
    files = []
    for pattern in ("examples/*.py", "tests/python/*.py", "tests/tools/*.py"):
        files += sorted(glob.glob(os.path.join(SRC, "..", pattern)))
    return files


def test_examples_and_tests_type_check(mypypath):
    files = python_files()
    assert any(f.endswith("flitzis-play.py") for f in files)
    # mypy takes each file as a module: the tests' conftest.py twice would clash
    result = mypy(files, mypypath)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues found in %d source files" % len(files) in result.stdout


TYPO = '''\
import gi
gi.require_version("Flitzis", "1.0")
from gi.repository import Flitzis

engine = Flitzis.AudioEngine(offline=True, sample_rate=48000, channels=2)
engine.play_sampel(0, 1.0)
engine.play_sample("kick", 1.0)
rate: str = engine.get_sample_rate()
'''


def test_typo_is_caught(mypypath, tmp_path):
    script = tmp_path / "typo.py"
    script.write_text(TYPO)
    result = mypy([str(script)], mypypath)
    assert result.returncode == 1, result.stdout
    assert 'typo.py:6: error: "AudioEngine" has no attribute "play_sampel"; ' \
           'maybe "play_sample"?' in result.stdout, result.stdout
    assert 'typo.py:7: error: Argument 1 to "play_sample" of "AudioEngine" has ' \
           'incompatible type "str"; expected "int"' in result.stdout, result.stdout
    assert "typo.py:8: error: Incompatible types in assignment" in result.stdout
    # without the stubs gi is untyped: only that is reported, not the typo
    # (--no-site-packages: python3-flitzis-stubs may be installed, as in the
    # autopkgtests; the bare run must not find its copy)
    bare = mypy(["--no-site-packages", "--ignore-missing-imports", str(script)])
    assert bare.returncode == 0, bare.stdout


def stub_classes():
    with open(os.path.join(STUBS, "repository", "Flitzis.pyi")) as f:
        tree = ast.parse(f.read())
    classes = {}
    functions = set()
    constants = set()
    for node in tree.body:
        if isinstance(node, ast.ClassDef):
            classes[node.name] = {n.target.id if isinstance(n, ast.AnnAssign) else n.name
                                  for n in node.body
                                  if isinstance(n, (ast.FunctionDef, ast.AnnAssign))}
        elif isinstance(node, ast.FunctionDef):
            functions.add(node.name)
        elif isinstance(node, ast.AnnAssign):
            constants.add(node.target.id)
    return classes, functions, constants


def test_stubs_name_what_the_typelib_has():
    classes, functions, constants = stub_classes()
    assert "AudioEngine" in classes and "play_sample" in classes["AudioEngine"]
    for name, members in classes.items():
        runtime = getattr(Flitzis, name)
        for member in members - {"__init__"}:
            assert hasattr(runtime, member), "%s.%s" % (name, member)
    for name in functions | constants:
        assert hasattr(Flitzis, name), name


def test_stubs_hold_every_method_of_the_gir():
    classes, functions, _ = stub_classes()
    namespace = ET.parse(GIR).getroot().find(CORE + "namespace")
    for kind in ("class", "record", "enumeration"):
        for element in namespace.findall(CORE + kind):
            if element.get("name").endswith("Class"):
                continue
            for method in element:
                if method.tag in (CORE + "method", CORE + "constructor", CORE + "function") \
                        and method.get("introspectable") != "0":
                    assert method.get("name") in classes[element.get("name")], \
                        "%s.%s" % (element.get("name"), method.get("name"))
    for function in namespace.findall(CORE + "function"):
        if function.get("introspectable") != "0":
            assert function.get("name") in functions
    # render() takes a C buffer: Python has render_bytes() only
    assert "render" not in classes["AudioEngine"] and "render_bytes" in classes["AudioEngine"]


PROPS = '''\
import gi
gi.require_version("Flitzis", "1.0")
from gi.repository import Flitzis

engine = Flitzis.AudioEngine(offline=True, sample_rate=48000, channels=2)
engine.props.volume = "loud"
engine.props.volumee = 0.5
engine.props.running = True
engine.props.slots = 8
name: str = engine.props.device
'''

SIGNALS = '''\
import gi
gi.require_version("Flitzis", "1.0")
from gi.repository import Flitzis, GLib

engine = Flitzis.AudioEngine(offline=True, sample_rate=48000, channels=2)
engine.props.volume = 0.5
volume: float = engine.props.volume
quantize: Flitzis.Quantize = engine.props.quantize
device = engine.props.device
if device is not None:
    print(device.upper())


def on_started(engine: Flitzis.AudioEngine, slot: int, frame: int) -> None:
    print(slot + frame)


def on_levels(engine: Flitzis.AudioEngine, levels: Flitzis.Levels) -> None:
    print(levels.get_n_slots())


engine.connect("sample-started", on_started)
engine.connect_after("levels", on_levels)
engine.connect("pong", lambda engine, frame: print(frame + 1))
engine.connect("notify::volume", lambda engine, pspec: None)
engine.connect("pong", lambda engine, frame, data: None, "user data")
reveal_type(engine.props.quantize)
reveal_type(engine.props.sample_rate)
'''


def test_properties_are_typed(mypypath, tmp_path):
    script = tmp_path / "props.py"
    script.write_text(PROPS)
    result = mypy([str(script)], mypypath)
    assert result.returncode == 1, result.stdout
    out = result.stdout
    assert 'props.py:6: error: Incompatible types in assignment (expression has type ' \
           '"str", variable has type "float")' in out, out
    assert 'props.py:7: error: "Props" has no attribute "volumee"; maybe "volume"?' in out, out
    # read-only (running) and construct-only (slots) cannot be set
    assert 'props.py:8: error: Property "running" defined in "Props" is read-only' in out, out
    assert 'props.py:9: error: Property "slots" defined in "Props" is read-only' in out, out
    # the device is NULL for the default one: Optional
    assert 'props.py:10: error: Incompatible types in assignment (expression has type ' \
           '"Optional[str]", variable has type "str")' in out, out
    assert "Found 5 errors in 1 file" in out, out
    # without the stubs props is untyped: none of it is reported
    # (--no-site-packages: not even by a python3-flitzis-stubs installed here)
    bare = mypy(["--ignore-missing-imports", "--no-site-packages", str(script)])
    assert bare.returncode == 0, bare.stdout


def test_signals_and_properties_used_right_type_check(mypypath, tmp_path):
    script = tmp_path / "signals.py"
    script.write_text(SIGNALS)
    result = mypy([str(script)], mypypath)
    out = result.stdout
    assert 'signals.py:27: note: Revealed type is "gi.repository.Flitzis.Quantize"' in out, out
    assert 'signals.py:28: note: Revealed type is "builtins.int"' in out, out
    assert "error" not in out, out


def stub_class_body(name):
    with open(os.path.join(STUBS, "repository", "Flitzis.pyi")) as f:
        tree = ast.parse(f.read())
    return next(node for node in tree.body if isinstance(node, ast.ClassDef) and node.name == name)


def test_stubs_hold_every_property_and_signal_of_the_gir():
    namespace = ET.parse(GIR).getroot().find(CORE + "namespace")
    glib = "{http://www.gtk.org/introspection/glib/1.0}"
    checked = 0
    for element in namespace.findall(CORE + "class"):
        name = str(element.get("name"))
        body = stub_class_body(name).body
        props = next(node for node in body if isinstance(node, ast.ClassDef) and
                     node.name == "Props")
        typed = {node.target.id if isinstance(node, ast.AnnAssign) else node.name
                 for node in props.body if isinstance(node, (ast.AnnAssign, ast.FunctionDef))}
        gir_props = {p.get("name").replace("-", "_") for p in element.findall(CORE + "property")}
        assert typed == gir_props, name
        runtime = getattr(Flitzis, name)
        for prop in typed:           # and PyGObject has each of them
            assert hasattr(runtime.props, prop), prop
        overloads = set()
        for node in body:            # connect(self, detailed_signal: Literal["NAME"], ...)
            if isinstance(node, ast.FunctionDef) and node.name == "connect":
                annotation = node.args.args[1].annotation
                if isinstance(annotation, ast.Subscript) and \
                        isinstance(annotation.slice, ast.Constant):
                    overloads.add(annotation.slice.value)
        signals = {s.get("name") for s in element.findall(glib + "signal")}
        assert overloads == signals, name
        checked += len(signals) + len(gir_props)
    assert checked > 40
