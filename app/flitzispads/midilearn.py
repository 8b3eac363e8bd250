# midilearn.py: which MIDI notes play which pads
#
# Copyright 2026 The libflitzis authors
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The engine's MIDI map (docs/midi.md) as MIDI learn edits it: a note
(on a channel, or on any) plays one pad.  Read from the engine's own text
(Flitzis.AudioEngine.dup_midi_map_string(), one statement a line, every
range written out) and written back as text; statements other than
`note` lines (controllers, programs, bank size) are kept as they are.
No GTK, no engine: tests/python/test_pads_midi.py drives it alone."""

import re

from flitzispads.i18n import _

HEADER = "flitzis-midi-map 1"
NOTE_NAMES = ("C", "C♯", "D", "D♯", "E", "F", "F♯", "G", "G♯", "A", "A♯", "B")
_NOTE = re.compile(r"^note\s+(\d+)(?:\s+channel\s+(\d+|any))?\s+slot\s+(\d+)\b")


def note_label(note, channel):
    """"C2 ch1" for note 36 on channel 1 (middle C, 60, is C4); "C2" for a
    note on any channel."""
    name = f"{NOTE_NAMES[note % 12]}{note // 12 - 1}"
    # TRANSLATORS: a MIDI note and its channel on a pad, as "C2 ch1"
    return _("{note} ch{channel}").format(note=name, channel=channel) if channel else name


class MidiMap:
    """@notes: (note, channel or 0 for any, slot, options) in order, the
    options (velocity, gate) as the map wrote them; @others: the map's
    other statements, as lines."""

    def __init__(self, notes=(), others=()):
        self.notes = list(notes)
        self.others = list(others)

    @classmethod
    def parse(cls, text):
        notes, others = [], []
        for line in text.splitlines():
            line = " ".join(line.split("#", 1)[0].split())
            if not line or line == HEADER:
                continue
            match = _NOTE.match(line)
            if match:
                channel = match.group(2)
                notes.append((int(match.group(1)),
                              0 if channel in (None, "any") else int(channel),
                              int(match.group(3)), line[match.end():].strip()))
            else:
                others.append(line)
        return cls(notes, others)

    def note_of(self, slot):
        """The (note, channel) that plays @slot, or None."""
        for note, channel, mapped, _options in self.notes:
            if mapped == slot:
                return note, channel
        return None

    def learn(self, note, channel, slot):
        """A new map where @note on @channel plays @slot alone, and @slot
        is played by that note alone."""
        notes = [entry for entry in self.notes
                 if entry[2] != slot and entry[:2] != (note, channel)]
        return MidiMap(notes + [(note, channel, slot, "")], self.others)

    def to_text(self):
        lines = [HEADER, *self.others]
        for note, channel, slot, options in self.notes:
            line = f"note {note} channel {channel} slot {slot}" if channel \
                else f"note {note} slot {slot}"
            lines.append(f"{line} {options}" if options else line)
        return "\n".join(lines) + "\n"
