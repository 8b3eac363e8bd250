# test_abi.py: the shared library exports exactly the documented public API.
#
# Copyright 2026 The libflitzis authors
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Three lists must be equal: the symbols libflitzis-1.0.so exports (nm),
# the functions the public headers declare with FLITZIS_AVAILABLE_IN_*,
# and the functions of the GIR.  And everything in the GIR is documented
# with a Since: version, down to each parameter.

import os
import re
import subprocess
import xml.etree.ElementTree as ET

import pytest

SRCDIR = os.path.dirname(os.environ.get("G_TEST_SRCDIR", os.path.dirname(__file__)))
BUILDDIR = os.path.dirname(os.environ.get("G_TEST_BUILDDIR", os.path.dirname(__file__)))
API = "1.0"
LIBRARY = os.path.join(BUILDDIR, "flitzis", ".libs", f"libflitzis-{API}.so")
GIR = os.path.join(BUILDDIR, "flitzis", f"Flitzis-{API}.gir")
GENERATED = ("flitzis-version.h", "flitzis-enum-types.h")


def umbrella_headers():
    """Every header the umbrella flitzis.h includes: the whole public API."""
    with open(os.path.join(SRCDIR, "flitzis", "flitzis.h")) as f:
        names = re.findall(r"#include <flitzis/([\w-]+\.h)>", f.read())
    return [os.path.join(BUILDDIR if h in GENERATED else SRCDIR, "flitzis", h) for h in names]


HEADERS = umbrella_headers()

NS = {"core": "http://www.gtk.org/introspection/core/1.0",
      "c": "http://www.gtk.org/introspection/c/1.0",
      "glib": "http://www.gtk.org/introspection/glib/1.0"}
C_ID = "{%s}identifier" % NS["c"]
GET_TYPE = "{%s}get-type" % NS["glib"]


def exported():
    out = subprocess.run(["nm", "-D", "--defined-only", LIBRARY],
                         check=True, capture_output=True, text=True).stdout
    return {line.split()[2] for line in out.splitlines() if len(line.split()) == 3}


def declared():
    names = set()
    for header in HEADERS:
        with open(header) as f:
            text = f.read()
        # FLITZIS_AVAILABLE_IN_0_1 <return type> name (...)
        names |= set(re.findall(r"FLITZIS_AVAILABLE_IN_\w+\s+[^;(]*?\b(\w+)\s*\(", text))
        # G_DECLARE_*_TYPE (ModuleObjName, module_obj_name, ...) declares get_type
        names |= {m + "_get_type" for m in
                  re.findall(r"G_DECLARE_\w+_TYPE\s*\(\s*\w+\s*,\s*(\w+)", text)}
    names.discard("G_DECLARE_FINAL_TYPE")
    return names


def gir():
    return ET.parse(GIR).getroot().find("core:namespace", NS)


def gir_callables():
    names = set()
    for tag in ("function", "method", "constructor"):
        names |= {e.get(C_ID) for e in gir().iter("{%s}%s" % (NS["core"], tag))}
    names |= {e.get(GET_TYPE) for e in gir().iter() if e.get(GET_TYPE)}
    return names


def test_nothing_private_is_exported():
    assert exported() - declared() == set()


def test_nothing_public_is_missing():
    assert declared() - exported() == set()


def test_every_export_is_in_the_gir():
    assert exported() - gir_callables() == set()


def test_every_gir_function_is_exported():
    assert gir_callables() - exported() == set()


def documented_elements():
    for element in gir().iter():
        tag = element.tag.split("}")[1]
        if tag in ("class", "record", "enumeration", "function", "method", "constructor",
                   "constant", "property", "signal", "function-macro") \
                and not element.get("name", "").endswith("Class"):
            yield element


@pytest.mark.parametrize("element", list(documented_elements()),
                         ids=lambda e: e.get(C_ID) or e.get("name"))
def test_documented_with_since(element):
    assert element.find("core:doc", NS) is not None, "no documentation"
    assert element.get("version"), "no Since:"
    for parameter in element.iterfind("core:parameters/core:parameter", NS):
        assert parameter.find("core:doc", NS) is not None, \
            "parameter %s is not documented" % parameter.get("name")
