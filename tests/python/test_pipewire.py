# test_pipewire.py: the back-end choice from Python.
#
# Copyright 2026 The libflitzis authors
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The Python suite runs on a private JACK dummy server and with no PipeWire
# server in its environment (tests/Makefile.am): AUTO must then take JACK,
# and say so.  The native PipeWire stream itself is tested in C, on a
# private PipeWire session (tests/engine/test-pipewire.c).

import pytest
from gi.repository import Flitzis, GLib

from conftest import iterate_until


def test_backend_enum_and_defaults():
    assert [Flitzis.Backend.AUTO, Flitzis.Backend.PIPEWIRE, Flitzis.Backend.JACK,
            Flitzis.Backend.PORTAUDIO] == [0, 1, 2, 3]
    engine = Flitzis.AudioEngine()
    assert engine.props.backend == Flitzis.Backend.AUTO
    assert engine.props.active_backend == Flitzis.Backend.AUTO
    assert engine.get_backend() == Flitzis.Backend.AUTO


def test_backend_notifies_once_per_change():
    engine = Flitzis.AudioEngine()
    notified = []
    engine.connect("notify::backend", lambda *args: notified.append(engine.props.backend))
    engine.props.backend = Flitzis.Backend.PORTAUDIO
    engine.set_backend(Flitzis.Backend.PORTAUDIO)
    engine.set_backend(Flitzis.Backend.JACK)
    assert notified == [Flitzis.Backend.PORTAUDIO, Flitzis.Backend.JACK]


def test_active_backend_is_read_only():
    engine = Flitzis.AudioEngine()
    with pytest.raises(TypeError):
        engine.props.active_backend = Flitzis.Backend.JACK  # type: ignore[misc]


def test_auto_takes_jack_without_pipewire():
    assert Flitzis.AudioEngine.detect_backend() == Flitzis.Backend.JACK
    engine = Flitzis.AudioEngine()
    notified = []
    engine.connect("notify::active-backend", lambda *args: notified.append(True))
    engine.run()
    try:
        assert engine.props.active_backend == Flitzis.Backend.JACK
        assert iterate_until(lambda: notified)
    finally:
        engine.shut_down()
    assert engine.props.active_backend == Flitzis.Backend.AUTO


def test_pipewire_asked_for_but_not_running():
    engine = Flitzis.AudioEngine(backend=Flitzis.Backend.PIPEWIRE)
    with pytest.raises(GLib.Error) as excinfo:
        engine.run()
    assert excinfo.value.matches(Flitzis.EngineError.quark(), Flitzis.EngineError.NO_DEVICE)
    assert "PipeWire" in excinfo.value.message
    assert not engine.props.running


def test_monitor_without_pipewire_is_portaudios_snapshot():
    live = Flitzis.AudioEngine.monitor_output_devices()
    snapshot = Flitzis.AudioEngine.list_output_devices()
    names = [live.get_item(i).props.name for i in range(live.get_n_items())]
    assert names == [snapshot.get_item(i).props.name for i in range(snapshot.get_n_items())]
    assert "PipeWire" not in [live.get_item(i).props.host_api for i in range(live.get_n_items())]
