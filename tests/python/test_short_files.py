# test_short_files.py: a file short of its header's promise, from Python
#
# Copyright 2026 The libflitzis authors
# SPDX-License-Identifier: LGPL-2.1-or-later

import struct

from gi.repository import Flitzis


def write_short_wav(path, promised, held):
    """A mono float WAV whose data chunk promises `promised` frames and
    holds `held`."""
    data = struct.pack("<%df" % held, *([0.5] * held))
    header = (b"RIFF" + struct.pack("<I", 36 + promised * 4) + b"WAVE" +
              b"fmt " + struct.pack("<IHHIIHH", 16, 3, 1, 48000, 48000 * 4, 4, 32) +
              b"data" + struct.pack("<I", promised * 4))
    with open(path, "wb") as f:
        f.write(header + data)


def test_short_file_loads_what_it_holds(tmp_path):
    path = str(tmp_path / "short.wav")
    write_short_wav(path, 2000, 1000)
    engine = Flitzis.AudioEngine(offline=True, sample_rate=48000, channels=2)
    engine.run()
    engine.load_sample(0, path)
    info = engine.dup_sample_info(0)
    assert info.get_frames_promised() == 2000
    assert info.get_frames_delivered() == 1000
    assert info.get_frames() == 1000


def test_file_changed_is_an_engine_error():
    assert Flitzis.EngineError.FILE_CHANGED != Flitzis.EngineError.UNSUPPORTED_FORMAT
