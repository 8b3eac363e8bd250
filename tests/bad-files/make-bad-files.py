#!/usr/bin/python3
"""Writes the bad audio files hardening/test-faults loads (they are committed; run
this only to change them): each must fail with a clear GError, or, for
one-frame.wav, load, without a crash or a leak."""
import struct

def wav(channels=1, rate=48000, bits=16, fmt=1, data=b"", data_size=None, fmt_size=16):
    block = (channels * bits // 8) & 0xFFFF
    fmt_chunk = struct.pack("<HHIIHH", fmt, channels, rate, (rate * block) & 0xFFFFFFFF, block, bits)
    fmt_chunk = fmt_chunk[:fmt_size] + b"\0" * max(0, fmt_size - len(fmt_chunk))
    size = len(data) if data_size is None else data_size
    body = b"WAVE" + b"fmt " + struct.pack("<I", fmt_size) + fmt_chunk + b"data" + struct.pack("<I", size) + data
    return b"RIFF" + struct.pack("<I", len(body)) + body

one = struct.pack("<h", 12000)
files = {
    "empty.wav": b"",
    "zero-frames.wav": wav(),
    "one-frame.wav": wav(data=one),
    "truncated-header.wav": wav(data=one * 10)[:22],
    "riff-only.wav": b"RIFF\x24\x00\x00\x00WAVE",
    "garbage-after-riff.wav": b"RIFF\xff\xff\xff\xffWAVEfmt " + bytes(range(256)) * 4,
    "huge-channel-count.wav": wav(channels=65535, data=one * 8),
    "zero-channels.wav": wav(channels=0, data=one * 8),
    "rate-zero.wav": wav(rate=0, data=one * 8),
    "bad-format-tag.wav": wav(fmt=0x7777, data=one * 8),
    "bits-zero.wav": wav(bits=0, data=one * 8),
    "data-size-lies.wav": wav(data=one * 8, data_size=0x7FFFFFF0),
    "fmt-chunk-too-short.wav": wav(data=one * 8, fmt_size=4),
    "aiff-truncated.aiff": b"FORM\x00\x00\x10\x00AIFFCOMM\x00\x00\x00\x12\x00\x02",
    "flac-header-only.flac": b"fLaC\x00\x00\x00\x22" + b"\xff" * 10,
    "ogg-garbage.ogg": b"OggS\x00\x02" + b"\x00" * 20 + b"\x01\x1e\x01vorbis" + b"\x00" * 8,
    "text.wav": b"this is not audio at all\n",
}
for name, data in files.items():
    with open(name, "wb") as f:
        f.write(data)
