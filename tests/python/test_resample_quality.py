# test_resample_quality.py: the resample-quality property from Python
#
# Copyright 2026 The libflitzis authors
# SPDX-License-Identifier: LGPL-2.1-or-later

import pytest

import gi

gi.require_version("Flitzis", "1.0")
from gi.repository import Flitzis  # noqa: E402


def test_default_and_names():
    engine = Flitzis.AudioEngine(offline=True, sample_rate=48000, channels=2)
    assert engine.props.resample_quality == Flitzis.ResampleQuality.HIGH
    assert engine.get_resample_quality() == Flitzis.ResampleQuality.HIGH
    names = [Flitzis.ResampleQuality(v).value_nick for v in range(5)]
    assert names == ["quick", "low", "medium", "high", "very-high"]


def test_set_notifies_once_per_change():
    engine = Flitzis.AudioEngine(offline=True, sample_rate=48000, channels=2)
    seen = []
    engine.connect("notify::resample-quality", lambda *a: seen.append(engine.props.resample_quality))
    assert engine.set_resample_quality(Flitzis.ResampleQuality.QUICK)
    assert engine.set_resample_quality(Flitzis.ResampleQuality.QUICK)
    engine.props.resample_quality = Flitzis.ResampleQuality.VERY_HIGH
    assert seen == [Flitzis.ResampleQuality.QUICK, Flitzis.ResampleQuality.VERY_HIGH]


def test_bad_value_is_refused_and_changes_nothing():
    # PyGObject refuses what is not a ResampleQuality before the call; C
    # callers get INVALID_ARGUMENT (tests/engine/test-resample-quality.c).
    engine = Flitzis.AudioEngine(offline=True, sample_rate=48000, channels=2)
    with pytest.raises(TypeError):
        engine.set_resample_quality(7)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        engine.props.resample_quality = "very high"  # type: ignore[assignment]
    assert engine.props.resample_quality == Flitzis.ResampleQuality.HIGH
