# i18n.py: the translations of Flitzis Pads
#
# Copyright 2026 The libflitzis authors
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The application's strings are in the gettext domain of libflitzis
("libflitzis-1.0", po/ of the source tree): the messages of the engine's
errors, which the application shows in its toasts, are there already, so
one catalogue translates everything a user of the application reads.

setup() binds the domain for Python's gettext and for libc's, which GTK
uses for what Gtk.Builder and the GSettings schema translate.  Without a
catalogue (a source tree, or no translation for the locale) the strings
stay in English."""

import gettext
import locale

DOMAIN = "libflitzis-1.0"


def setup(localedir=None):
    """Binds DOMAIN to @localedir (the installed one, from the launcher;
    None keeps the system's default)."""
    try:
        locale.setlocale(locale.LC_ALL, "")
    except locale.Error:
        pass                  # an unknown locale: the strings stay in English
    if localedir is not None:
        gettext.bindtextdomain(DOMAIN, localedir)
        if hasattr(locale, "bindtextdomain"):
            locale.bindtextdomain(DOMAIN, localedir)
    if hasattr(locale, "bind_textdomain_codeset"):
        try:
            locale.bind_textdomain_codeset(DOMAIN, "UTF-8")
        except AttributeError:
            pass


def _(message):
    return gettext.dgettext(DOMAIN, message)


def ngettext(singular, plural, n):
    return gettext.dngettext(DOMAIN, singular, plural, n)
