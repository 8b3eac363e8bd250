# test_pads.py: slots as a looper's pads, from Python: capacity, 5 ms
# ramps at every period size, retrigger policies, choke groups, exclusive
# triggers, per-pad pause, resume and seek, loop regions, bad values.
#
# Copyright 2026 The libflitzis authors
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The same scenarios as tests/engine/test-pads.c, on offline engines made
# from properties: every frame is exact.  Fade frames are compared with
# the line they follow to within 1e-6; every other frame bit for bit.

import pytest
from gi.repository import Flitzis, GLib

from conftest import RATE, f32, iterate_until, render, write_wav

RAMP = RATE * 5 // 1000     # 240 frames
CLOSE = 1e-6


def offline(**props):
    engine = Flitzis.AudioEngine(offline=True, sample_rate=RATE, channels=1, **props)
    engine.run()
    return engine


def constant(tmp_path, name, n_frames, value):
    return write_wav(tmp_path / name, [value] * n_frames)


def counting(tmp_path, name, n_frames):
    """Frame f holds f + 1 (as 16-bit PCM): each frame tells where it is."""
    return write_wav(tmp_path / name, [f + 1 for f in range(n_frames)])


def c(f):
    return f32((f + 1) / 32768)


def frames(engine, n, period=256):
    out = []
    while len(out) < n:
        out.extend(render(engine, min(period, n - len(out))))
    return out


def fade(k):
    return (k + 1) / RAMP


class Events:
    def __init__(self, engine):
        self.seen = []
        for name in ("sample-started", "sample-finished", "voice-dropped"):
            engine.connect(name, lambda e, slot, frame, name=name:
                           self.seen.append((name.split("-")[1], slot, frame)))

    def wait_for(self, count):
        assert iterate_until(lambda: len(self.seen) >= count)
        seen, self.seen = self.seen, []
        return seen


def test_capacity_properties(tmp_path):
    default = offline()
    assert (default.props.slots, default.props.voices) == (Flitzis.MAX_SAMPLE_SLOTS,
                                                           Flitzis.MAX_VOICES)
    engine = offline(slots=216, voices=8)
    assert (engine.get_slots(), engine.get_voices()) == (216, 8)
    path = constant(tmp_path, "c.wav", 1000, 4096)
    for slot in range(216):
        engine.load_sample(slot, path)
    with pytest.raises(GLib.Error) as excinfo:
        engine.load_sample(216, path)
    assert excinfo.value.matches(Flitzis.EngineError.quark(), Flitzis.EngineError.INVALID_SLOT)
    assert "0 to 215" in excinfo.value.message
    for slot in range(207, 216):
        engine.play_sample(slot, 1.0)
    assert frames(engine, 256)[0] == 8 * f32(4096 / 32768)
    assert engine.get_stats().get_dropped_voices() == 1


@pytest.mark.parametrize("period", [64, 256, 1024, 4096])
def test_gain_ramp_lasts_5_ms_at_every_period(tmp_path, period):
    engine = offline()
    engine.load_sample(0, constant(tmp_path, "c.wav", 3 * RATE, 16384))
    engine.play_sample(0, 1.0)
    assert set(frames(engine, 2 * period, period)) == {0.5}
    engine.set_sample_gain(0, 0.25)
    out = frames(engine, RAMP + period, period)
    for k in range(RAMP):
        assert abs(out[k] - (0.5 + (0.125 - 0.5) * fade(k))) <= CLOSE
    assert out[RAMP - 2] != 0.125
    assert all(x == 0.125 for x in out[RAMP:])


def test_restart_never_exceeds_one_voice(tmp_path):
    engine = offline()
    engine.load_sample(0, constant(tmp_path, "c.wav", 1000, 8192))
    engine.set_sample_loop(0, True, 0, 0)
    engine.set_sample_retrigger(0, Flitzis.Retrigger.RESTART)
    engine.play_sample(0, 1.0)
    for at in (700, 1000, 1100, 2500, 2560, 4000):
        engine.play_sample_at(0, 1.0, at)
    out = frames(engine, 5000)
    assert max(out) <= 0.25 * (1 + CLOSE)
    assert all(abs(x - 0.25) <= CLOSE for x in out)


def test_restart_crossfades_to_the_loop_start(tmp_path):
    engine = offline()
    events = Events(engine)
    engine.load_sample(0, counting(tmp_path, "n.wav", 1000))
    engine.set_sample_loop(0, True, 100, 900)
    engine.set_sample_retrigger(0, Flitzis.Retrigger.RESTART)
    engine.play_sample(0, 1.0)
    engine.play_sample_at(0, 1.0, 600)
    out = frames(engine, 1200)
    assert out[:600] == [c(100 + f % 800) for f in range(600)]
    for k in range(RAMP):
        expected = c(100 + (600 + k) % 800) * (1 - fade(k)) + c(100 + k) * fade(k)
        assert abs(out[600 + k] - expected) <= CLOSE
    assert out[840:] == [c(100 + (f - 600) % 800) for f in range(840, 1200)]
    assert events.wait_for(3) == [("started", 0, 0), ("started", 0, 600), ("finished", 0, 840)]


def test_toggle_alternates(tmp_path):
    engine = offline()
    events = Events(engine)
    engine.load_sample(0, constant(tmp_path, "c.wav", 1000, 8192))
    engine.set_sample_loop(0, True, 0, 0)
    engine.set_sample_retrigger(0, Flitzis.Retrigger.TOGGLE)
    for i in range(3):
        engine.play_sample_at(0, 1.0, 1024 * i + 10)
    out = frames(engine, 3 * 1024)
    assert out[9] == 0.0 and out[10] == 0.25 and out[1033] == 0.25
    assert all(x == 0.0 for x in out[1034 + RAMP:2058])
    assert all(x == 0.25 for x in out[2058:])
    assert events.wait_for(3) == [("started", 0, 10), ("finished", 0, 1274), ("started", 0, 2058)]


def test_choke_group_fades_the_others_from_the_new_start(tmp_path):
    engine = offline()
    events = Events(engine)
    for slot, value in enumerate((8192, 4096, 2048)):
        engine.load_sample(slot, constant(tmp_path, f"{slot}.wav", RATE, value))
    engine.set_sample_choke_group(0, 3)
    engine.set_sample_choke_group(1, 3)
    engine.play_sample(0, 1.0)
    engine.play_sample(2, 1.0)
    engine.play_sample_at(1, 1.0, 300)
    out = frames(engine, 1024)
    assert all(x == 0.25 + 0.0625 for x in out[:300])
    for k in range(RAMP):
        assert abs(out[300 + k] - (0.25 * (1 - fade(k)) + 0.0625 + 0.125)) <= CLOSE
    assert all(x == 0.0625 + 0.125 for x in out[300 + RAMP:])
    assert events.wait_for(4) == [("started", 0, 0), ("started", 2, 0), ("started", 1, 300),
                                  ("finished", 0, 540)]


def test_exclusive_stops_the_others(tmp_path):
    engine = offline()
    events = Events(engine)
    engine.load_sample(0, constant(tmp_path, "a.wav", RATE, 8192))
    engine.load_sample(1, constant(tmp_path, "b.wav", RATE, 4096))
    engine.play_sample(0, 1.0)
    engine.play_sample(0, 1.0)
    engine.play_sample_exclusive(5, 1.0)          # empty: stops nothing
    assert frames(engine, 256)[-1] == 0.5
    engine.play_sample_exclusive(1, 1.0)
    out = frames(engine, 512)
    assert all(x == 0.125 for x in out[RAMP:])
    assert events.wait_for(5) == [("started", 0, 0), ("started", 0, 0), ("started", 1, 256),
                                  ("finished", 0, 496), ("finished", 0, 496)]


def test_pause_and_resume_go_on_from_the_frame(tmp_path):
    engine = offline()
    engine.load_sample(0, counting(tmp_path, "n.wav", 4000))
    engine.play_sample(0, 1.0)
    frames(engine, 512)
    engine.pause_sample(0)
    out = frames(engine, 1024)
    for k in range(RAMP):
        assert abs(out[k] - c(512 + k) * (1 - fade(k))) <= CLOSE
    assert all(x == 0.0 for x in out[RAMP:])
    engine.resume_sample(0)
    out = frames(engine, 1024)
    for k in range(RAMP):
        assert abs(out[k] - c(512 + RAMP + k) * fade(k)) <= CLOSE
    assert out[RAMP:] == [c(512 + RAMP + f) for f in range(RAMP, 1024)]


def test_seek_crossfades_and_past_the_end_names_the_length(tmp_path):
    engine = offline()
    events = Events(engine)
    engine.load_sample(0, counting(tmp_path, "n.wav", 4000))
    engine.play_sample(0, 1.0)
    frames(engine, 256)
    engine.seek_sample(0, 3000)
    out = frames(engine, 1024)
    for k in range(RAMP):
        assert abs(out[k] - (c(256 + k) * (1 - fade(k)) + c(3000 + k) * fade(k))) <= CLOSE
    assert out[RAMP:1000] == [c(3000 + f) for f in range(RAMP, 1000)]
    assert events.wait_for(2) == [("started", 0, 0), ("finished", 0, 1256)]
    with pytest.raises(GLib.Error) as excinfo:
        engine.seek_sample(0, 4000)
    assert excinfo.value.matches(Flitzis.EngineError.quark(), Flitzis.EngineError.INVALID_FRAME)
    assert "4000 frames" in excinfo.value.message


def test_loop_region_kept_and_clamped_across_loads(tmp_path):
    engine = offline()
    engine.set_sample_loop(0, True, 300, 700)     # on an empty slot
    for n, (start, end) in ((1000, (300, 700)), (500, (300, 500)), (200, (0, 200)),
                            (1000, (300, 700))):
        engine.load_sample(0, counting(tmp_path, f"{n}.wav", n))
        engine.play_sample(0, 1.0)
        assert frames(engine, 2000) == [c(start + f % (end - start)) for f in range(2000)]
        engine.stop_sample(0)
        frames(engine, 512)


def test_live_region_edit_moves_voices_outside(tmp_path):
    engine = offline()
    engine.load_sample(0, counting(tmp_path, "n.wav", 2000))
    engine.set_sample_loop(0, True, 0, 0)
    engine.play_sample(0, 1.0)
    frames(engine, 512)
    engine.set_sample_loop(0, True, 0, 900)       # inside: untouched
    assert frames(engine, 256) == [c(512 + f) for f in range(256)]
    engine.set_sample_loop(0, True, 100, 400)     # outside: to 100
    out = frames(engine, 1024)
    for k in range(RAMP):
        assert abs(out[k] - (c(768 + k) * (1 - fade(k)) + c(100 + k) * fade(k))) <= CLOSE
    assert out[RAMP:] == [c(100 + f % 300) for f in range(RAMP, 1024)]


@pytest.mark.parametrize("call, code", [
    (lambda e: e.set_sample_retrigger(32, Flitzis.Retrigger.RESTART), "INVALID_SLOT"),
    (lambda e: e.set_sample_choke_group(0, 17), "INVALID_GROUP"),
    (lambda e: e.set_sample_choke_group(32, 1), "INVALID_SLOT"),
    (lambda e: e.play_sample_exclusive(32, 1.0), "INVALID_SLOT"),
    (lambda e: e.pause_sample(32), "INVALID_SLOT"),
    (lambda e: e.resume_sample(32), "INVALID_SLOT"),
    (lambda e: e.seek_sample(32, 0), "INVALID_SLOT"),
    (lambda e: e.seek_sample(0, 0), "EMPTY_SLOT"),
    (lambda e: e.set_sample_loop(0, True, 10, 10), "INVALID_LOOP"),
])
def test_bad_values_are_clear_errors(call, code):
    engine = offline()
    with pytest.raises(GLib.Error) as excinfo:
        call(engine)
    assert excinfo.value.matches(Flitzis.EngineError.quark(), getattr(Flitzis.EngineError, code))
