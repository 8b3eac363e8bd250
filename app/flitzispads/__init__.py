# flitzispads: Flitzis Pads, a libadwaita sample-pad application on libflitzis
#
# Copyright 2026 The libflitzis authors
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Flitzis Pads: banks of sample pads on a Flitzis.AudioEngine.

pads       -- what a pad is (its slot, name, mode, gain) and how its
              settings reach the engine; no GTK
widgets    -- the pad, its meter and the selected pad's waveform
window     -- the main window: header bar, banks, transport, toasts
application -- the Adw.Application: menu, About, shortcuts, options
testhooks  -- what the automated test reads: events on stdout, screenshots
"""

VERSION = "0.1.0"
APP_ID = "org.flitzis.Pads"
