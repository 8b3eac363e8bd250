# python3 -m flitzispads: runs Flitzis Pads from a source tree
# (PYTHONPATH=app), as the installed flitzis-pads launcher does.
#
# Copyright 2026 The libflitzis authors
# SPDX-License-Identifier: LGPL-2.1-or-later
import sys

from flitzispads.application import main

sys.exit(main())
