# python3 -m flitzispads: runs Flitzis Pads from a source tree
# (PYTHONPATH=app), as the installed flitzis-pads launcher does.
#
# Copyright 2026 The libflitzis authors
# SPDX-License-Identifier: LGPL-2.1-or-later
import sys

from flitzispads import i18n

i18n.setup()

from flitzispads.application import main  # noqa: E402

sys.exit(main())
