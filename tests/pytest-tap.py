#!/usr/bin/python3
# pytest-tap.py PYTEST-ARGS...: runs pytest and reports each test case as
# one TAP result on stdout, for automake's TAP driver (like the GLib
# tests).  pytest's own report goes to stderr, which the driver keeps in
# the test's log.  Skipped cases are reported as TAP skips, never as
# passes; if pytest fails without a failed case (a collection error, a
# crash), the run bails out, which the driver counts as an error.
#
# Copyright 2026 The libflitzis authors
# SPDX-License-Identifier: LGPL-2.1-or-later

import os
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET


def cases(junit_xml):
    for case in ET.parse(junit_xml).getroot().iter("testcase"):
        name = "%s::%s" % (case.get("classname", ""), case.get("name", ""))
        outcome = next((c for c in case if c.tag in ("failure", "error", "skipped")), None)
        yield name, outcome


def main(args):
    with tempfile.TemporaryDirectory() as tmp:
        junit = os.path.join(tmp, "junit.xml")
        status = subprocess.call(
            [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-v",
             "--junitxml", junit] + args,
            stdout=sys.stderr)
        if not os.path.exists(junit):
            print("Bail out! pytest exited with status %d and no report" % status)
            return 1
        results = list(cases(junit))

    print("1..%d" % len(results))
    failed = False
    for n, (name, outcome) in enumerate(results, 1):
        if outcome is None:
            print("ok %d %s" % (n, name))
        elif outcome.tag == "skipped":
            print("ok %d %s # SKIP %s" % (n, name, outcome.get("message", "")))
        else:
            failed = True
            print("not ok %d %s" % (n, name))
            print("# " + (outcome.get("message") or outcome.tag).replace("\n", "\n# "))
    # pytest's status must agree with the cases: 0, or 1 with failures.
    if not (status == 0 or (status == 1 and failed)):
        print("Bail out! pytest exited with status %d" % status)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
