# test_pads_app.py: the pads of the Flitzis Pads application (app/) on
# offline engines: six banks of sixteen slots, and each pad's mode
# (one-shot or loop), retrigger policy and gain reaching its slot.
#
# Copyright 2026 The libflitzis authors
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# app/flitzispads/pads.py is the application's model without GTK; the
# window (driven on Xvfb by app/flitzis-pads-test.py) only binds widgets
# to it.  Every frame here is exact.

import os
import sys

from gi.repository import Flitzis, GLib

from conftest import RATE, f32, render, write_wav

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir,
                                os.pardir, "app"))
from flitzispads.pads import BANKS, PADS_PER_BANK, SLOTS, VELOCITY, PadSet  # noqa: E402

VALUE = 8192                      # a constant 16-bit sample: 0.25
LEVEL = f32(f32(VALUE / 32768) * f32(VELOCITY))


def pads_on_offline_engine():
    engine = Flitzis.AudioEngine(offline=True, sample_rate=RATE, channels=1, slots=SLOTS)
    engine.run()
    return engine, PadSet(engine)


def load(engine, tmp_path, slot, n_frames):
    engine.load_sample(slot, write_wav(tmp_path / f"pad{slot}.wav", [VALUE] * n_frames))


def test_six_banks_of_sixteen_pads_are_the_engines_slots(tmp_path):
    engine, pads = pads_on_offline_engine()
    assert (BANKS, PADS_PER_BANK) == (6, 16)
    assert engine.props.slots == SLOTS == 96
    last = pads[SLOTS - 1]
    assert (last.bank, last.index, last.key) == (5, 15, "v")
    assert [pad.slot for pad in pads.bank(5)] == list(range(80, 96))
    load(engine, tmp_path, last.slot, 100)
    pads.play(last)
    out = render(engine, 200)
    assert list(out[:100]) == [LEVEL] * 100
    assert list(out[100:]) == [0.0] * 100


def test_one_shot_ends_and_loop_goes_on(tmp_path):
    engine, pads = pads_on_offline_engine()
    one_shot, looping = pads[17], pads[18]
    looping.loop = True                # reaches the engine at once
    for pad in (one_shot, looping):
        load(engine, tmp_path, pad.slot, 100)
    pads.play(one_shot)
    assert list(render(engine, 300)[100:]) == [0.0] * 200
    pads.play(looping)
    assert list(render(engine, 1000)) == [LEVEL] * 1000   # ten times round, no gap


def test_gain_scales_the_pad(tmp_path):
    engine, pads = pads_on_offline_engine()
    pad = pads[3]
    pad.gain = 0.5
    load(engine, tmp_path, pad.slot, 2000)
    pads.play(pad)
    out = render(engine, 2000)
    assert abs(out[1500] - LEVEL * 0.5) < 1e-6, out[1500]


def test_retrigger_policy_layer_and_restart(tmp_path):
    engine, pads = pads_on_offline_engine()
    layer, restart = pads[4], pads[5]
    restart.retrigger = int(Flitzis.Retrigger.RESTART)
    for pad in (layer, restart):
        load(engine, tmp_path, pad.slot, 4000)
    for pad in (layer, restart):
        pads.play(pad)
        render(engine, 256)
        pads.play(pad)                    # pressed again while it sounds
        out = render(engine, 1024)        # past the 5 ms crossfade
        expected = 2 * LEVEL if pad is layer else LEVEL
        assert abs(out[-1] - expected) < 1e-6, (pad.slot, out[-1])
        engine.stop_all()
        render(engine, 1024)


def test_settings_wait_for_a_stopped_engine_and_apply_when_it_runs(tmp_path):
    engine = Flitzis.AudioEngine(offline=True, sample_rate=RATE, channels=1, slots=SLOTS)
    pads = PadSet(engine)
    errors = []
    pads.connect("error", lambda s, pad, message: errors.append((pad.slot, message)))
    pads[6].loop = True                # before run(): kept by the pad
    engine.run()
    pads.apply_all()
    load(engine, tmp_path, 6, 100)
    pads.play(pads[6])
    assert list(render(engine, 500)) == [LEVEL] * 500
    assert errors == []


def test_playing_an_empty_pad_plays_nothing(tmp_path):
    engine, pads = pads_on_offline_engine()
    try:
        pads.play(pads[40])
    except GLib.Error as error:          # either refused with a reason ...
        assert error.message
    assert list(render(engine, 256)) == [0.0] * 256   # ... or silent
