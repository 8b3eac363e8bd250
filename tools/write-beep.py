#!/usr/bin/python3
# write-beep.py FILE: writes the examples' test sound, a tenth of a second
# of a 16-bit mono sawtooth at 48 kHz, with Python's wave module.
import array
import sys
import wave

with wave.open(sys.argv[1], "wb") as out:
    out.setnchannels(1)
    out.setsampwidth(2)
    out.setframerate(48000)
    out.writeframes(array.array("h", [(n * 97 % 2000) - 1000 for n in range(4800)]).tobytes())
