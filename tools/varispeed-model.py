#!/usr/bin/python3
"""varispeed-model.py: the quality a 2x-oversampled copy of each sample would give

A model, not the engine: docs/speed.md's "The 2x copy it was weighed
against".  Each tone is upsampled 2x by a 64-tap Kaiser-windowed half-band
filter (beta 8), as a load would do once, off the audio thread; a voice
would then read the copy at twice its speed through a short fractional
delay, a table of 1,024 phases as fz-varispeed.c has, the nearest taken.
Printed: the residual after a least-squares fit of the ideal sine at the
new frequency, in dB, as tests/engine/test-speed.c measures the engine's.
Needs python3-numpy.  Deterministic: the same figures every run.
"""
import numpy as np

RATE = 48000.0
PHASES = 1024


def upsample2(x, half=32, beta=8.0):
    """Even samples: the source's; odd ones: the half-band filter's."""
    k = np.arange(-half + 1, half + 1)
    h = np.sinc(0.5 - k) * np.kaiser(2 * half, beta)
    xp = np.pad(x, (half, half))
    odd = sum(h[i] * xp[half + kk:half + kk + len(x)] for i, kk in enumerate(k))
    y = np.empty(2 * len(x))
    y[0::2], y[1::2] = x, odd
    return y


def lagrange4(d):
    """Cubic Lagrange through frames -1, 0, 1, 2 at fraction d."""
    return np.array([-d * (d - 1) * (d - 2) / 6, (d + 1) * (d - 1) * (d - 2) / 2,
                     -(d + 1) * d * (d - 2) / 2, (d + 1) * d * (d - 1) / 6])


def least_squares(taps, band_hz):
    """The fractional delay closest, in least squares, to a pure delay up
    to band_hz (at the copy's rate, twice the engine's)."""
    w = np.linspace(0, 2 * np.pi * band_hz / (2 * RATE), 400)
    k = np.arange(taps) - (taps // 2 - 1)

    def fit(d):
        a = np.exp(-1j * np.outer(w, k - d))
        a = np.vstack([a.real, a.imag])
        b = np.concatenate([np.ones(len(w)), np.zeros(len(w))])
        return np.linalg.lstsq(a, b, rcond=None)[0]
    return fit


def residual_db(y, freq):
    t = np.arange(len(y)) / RATE
    m = np.column_stack([np.sin(2 * np.pi * freq * t), np.cos(2 * np.pi * freq * t)])
    fitted = m @ np.linalg.lstsq(m, y, rcond=None)[0]
    return 20 * np.log10(np.sqrt(np.mean((y - fitted) ** 2) / np.mean(fitted ** 2)))


def play(copy, speed, fd, taps, frames):
    table = np.array([fd(p / PHASES) for p in range(PHASES + 1)])
    out = np.empty(frames)
    pos = 200.0
    for i in range(frames):
        frame = int(pos)
        out[i] = table[int(round((pos - frame) * PHASES))] @ \
            copy[frame - (taps // 2 - 1):frame + taps // 2 + 1]
        pos += 2 * speed
    return out


def main():
    kinds = [("4-point Lagrange", lagrange4, 4),
             ("6-tap least squares to 20 kHz", least_squares(6, 20000), 6)]
    print("| fractional delay on the 2x copy | tone | x 0.7 | x 0.8 | x 1.1 | x 1.3 |")
    print("|---|---|---|---|---|---|")
    for name, fd, taps in kinds:
        for freq in (1000, 5000, 10000, 15000):
            tone = np.sin(2 * np.pi * freq * np.arange(40000) / RATE)
            copy = upsample2(tone)
            cells = ["%.1f" % residual_db(play(copy, s, fd, taps, 6000), freq * s)
                     for s in (0.7, 0.8, 1.1, 1.3)]
            print("| %s | %d kHz | %s |" % (name, freq // 1000, " | ".join(cells)))


if __name__ == "__main__":
    main()
