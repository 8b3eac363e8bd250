# testhooks.py: what the automated test reads (app/flitzis-pads-test.py)
#
# Copyright 2026 The libflitzis authors
# SPDX-License-Identifier: LGPL-2.1-or-later
"""--print-events prints one line per event on stdout, flushed at once;
--screenshot writes the window, as drawn, into a PNG.  Both exist for the
test, which clicks the application through a private X server."""

import ctypes
import os

import gi
gi.require_version("Gtk", "4.0")
from gi.repository import Gtk  # noqa: E402


class Tracer:
    def __init__(self, enabled=False):
        self.enabled = enabled

    def __call__(self, *fields):
        if self.enabled:
            print(*fields, flush=True)


def widget_rect(widget, window):
    """@widget's bounds in @window's coordinates (those of a screenshot),
    as four ints, or None before it is laid out."""
    found, bounds = widget.compute_bounds(window)
    if not found:
        return None
    return (round(bounds.origin.x), round(bounds.origin.y),
            round(bounds.size.width), round(bounds.size.height))


def when_painted(window, callback):
    """Calls @callback once the next frame of @window has been drawn."""
    frame_clock = window.get_frame_clock()

    def on_after_paint(clock):
        clock.disconnect(handler)
        callback()
    handler = frame_clock.connect("after-paint", on_after_paint)
    window.queue_draw()


class _Rect(ctypes.Structure):          # graphene_rect_t
    _fields_ = [("x", ctypes.c_float), ("y", ctypes.c_float),
                ("width", ctypes.c_float), ("height", ctypes.c_float)]


def save_screenshot(window, path):
    """Draws @window's content (without what client-side decorations draw
    around it) into the PNG @path.  Call it from when_painted().

    gtk_snapshot_to_node() and gsk_renderer_render_texture() are called
    through ctypes: the render node between them is a GskRenderNode, a
    fundamental type that PyGObject 3.42 (Debian 12) cannot carry."""
    width, height = window.get_width(), window.get_height()
    snapshot = Gtk.Snapshot.new()
    Gtk.WidgetPaintable.new(window).snapshot(snapshot, width, height)

    gtk = ctypes.CDLL("libgtk-4.so.1")  # already loaded by Gtk
    gtk.gtk_snapshot_to_node.restype = ctypes.c_void_p
    gtk.gtk_snapshot_to_node.argtypes = [ctypes.c_void_p]
    gtk.gsk_renderer_render_texture.restype = ctypes.c_void_p
    gtk.gsk_renderer_render_texture.argtypes = [ctypes.c_void_p, ctypes.c_void_p,
                                                ctypes.POINTER(_Rect)]
    gtk.gsk_render_node_unref.argtypes = [ctypes.c_void_p]
    gtk.gdk_texture_save_to_png.restype = ctypes.c_bool
    gtk.gdk_texture_save_to_png.argtypes = [ctypes.c_void_p, ctypes.c_char_p]
    gtk.g_object_unref.argtypes = [ctypes.c_void_p]

    node = gtk.gtk_snapshot_to_node(_c_pointer(snapshot))
    if not node:
        raise RuntimeError("the window drew nothing")
    viewport = _Rect(0, 0, width, height)
    texture = gtk.gsk_renderer_render_texture(_c_pointer(window.get_renderer()), node,
                                              ctypes.byref(viewport))
    gtk.gsk_render_node_unref(node)
    saved = gtk.gdk_texture_save_to_png(texture, os.fsencode(path))
    gtk.g_object_unref(texture)
    if not saved:
        raise RuntimeError(f"could not write {path}")


def _c_pointer(gobject):
    """The address of a PyGObject wrapper's C instance."""
    get_pointer = ctypes.pythonapi.PyCapsule_GetPointer
    get_pointer.restype = ctypes.c_void_p
    get_pointer.argtypes = [ctypes.py_object, ctypes.c_char_p]
    return get_pointer(gobject.__gpointer__, None)
