#!/usr/bin/python3
# run-bench.py: runs the benchmarks and writes docs/performance.md
#
# Copyright 2026 The libflitzis authors
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# `make bench` runs this.  Instruction counts come from valgrind's callgrind
# (deterministic: --toggle-collect=bench_region counts only the measured
# periods, never set-up); timings are ratios against a reference run in the
# same process, or informational.  Nothing here fails on a slow figure: the
# table says whether each target holds.

import argparse
import datetime
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile

PERIOD = 256
CHANNELS = 2
VOICES = 32


def run(cmd, env=None, timeout=1800):
    print("+ " + " ".join(cmd), file=sys.stderr, flush=True)
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True, env=env, timeout=timeout)
    if proc.returncode != 0:
        sys.stderr.write(proc.stderr)
        raise RuntimeError("%s failed (status %d)" % (cmd[0], proc.returncode))
    results = {}
    for line in proc.stdout.splitlines():
        key, _, value = line.partition(" ")
        results[key] = value
    return results


def callgrind(cmd):
    """Instructions executed inside bench_region(), and the scenario's output."""
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "callgrind.out")
        results = run(["valgrind", "--tool=callgrind", "--toggle-collect=bench_region",
                       "--callgrind-out-file=" + out] + cmd)
        with open(out) as f:
            for line in f:
                m = re.match(r"(?:summary|totals): (\d+)", line)
                if m:
                    return int(m.group(1)), results
    raise RuntimeError("no callgrind summary for %s" % cmd)


def machine():
    model = "unknown CPU"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    flags = open("/proc/cpuinfo").read()
    isa = [x for x in ("sse2", "avx", "avx2", "fma", "avx512f") if re.search(r"\b%s\b" % x, flags)]
    return model, os.cpu_count(), isa


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--builddir", required=True)
    ap.add_argument("--output", required=True)
    ap.add_argument("--cflags", default="")
    ap.add_argument("--cppflags", default="")
    ap.add_argument("--cc", default="cc")
    ap.add_argument("--periods", type=int, default=200)
    ap.add_argument("--skip-live", action="store_true")
    args = ap.parse_args()
    core = os.path.join(args.builddir, "bench", "bench-core")
    live = os.path.join(args.builddir, "bench", "bench-live")
    P = args.periods
    rows = []      # (what, how, figure, target, holds)
    notes = []

    if shutil.which("valgrind") is None:
        sys.exit("make bench needs valgrind (package valgrind)")

    # ---- mixing cost (Ir) ----
    samples = P * VOICES * PERIOD * CHANNELS
    ir0, _ = callgrind([core, "mix", "core", "0", str(P), "0"])
    ir32, res = callgrind([core, "mix", "core", str(VOICES), str(P), "0"])
    path = res.get("mix-path", "?")
    mix = (ir32 - ir0) / samples
    rows.append(("mixing cost", "Ir per voice per output sample (stereo, 48 kHz, 256-frame "
                 "periods, 32 looping voices, steady state), minus the 0-voice run; "
                 "kernels: %s" % path, "%.3f" % mix, "≤ 1.0", mix <= 1.0))
    ir0r, _ = callgrind([core, "mix", "core", "0", str(P), "1"])
    ir32r, _ = callgrind([core, "mix", "core", str(VOICES), str(P), "1"])
    mixr = (ir32r - ir0r) / samples
    rows.append(("mixing while gain ramps", "same, with a new master volume ramp every period "
                 "(240 of its 256 frames ramp)", "%.3f" % mixr, "≤ 2.0", mixr <= 2.0))
    scalar_env = dict(os.environ, FLITZIS_MIX_PATH="scalar")
    irs, res = callgrind_env([core, "mix", "core", str(VOICES), str(P), "0"], scalar_env)
    mixs = (irs - ir0) / samples if res.get("mix-path") == "scalar" else None
    # ---- the same voices at another speed (resampled, issue 17) ----
    for speed in ("1.25", "0.8"):
        env = dict(os.environ, FLITZIS_BENCH_SPEED=speed)
        irv, resv = callgrind_env([core, "mix", "core", str(VOICES), str(P), "0"], env)
        irv0, _ = callgrind_env([core, "mix", "core", "0", str(P), "0"], env)
        mixv = (irv - irv0) / samples
        rows.append(("mixing at speed %s" % speed, "as the mixing cost above, every voice at "
                     "speed %s (16-tap windowed sinc, fz-varispeed.c; kernels: %s), beside "
                     "unity's %.3f" % (speed, resv.get("mix-path", "?"), mix),
                     "%.2f" % mixv, "≤ 6", mixv <= 6.0))
    fixed = ir0 / P
    rows.append(("fixed cost per period", "Ir per 256-frame period of fz_core_process() with "
                 "0 voices and no commands", "%.0f" % fixed, "≤ 2,000", fixed <= 2000))

    # ---- the same with 1024 empty slots beside the voices' 32 ----
    ir0k, _ = callgrind([core, "mix", "core", "0", str(P), "0", "1024"])
    ir32k, _ = callgrind([core, "mix", "core", str(VOICES), str(P), "0", "1024"])
    fixedk = ir0k / P
    mixk = (ir32k - ir0k) / samples
    rows.append(("fixed cost per period, 1024 slots", "as the fixed cost above, in an engine "
                 "of 1024 slots (slots=1024), beside 32 slots: %.0f" % fixed,
                 "%.0f" % fixedk, "≤ 32 slots' + 1 %", fixedk <= fixed * 1.01))
    rows.append(("mixing cost, 1024 slots", "as the mixing cost above, with 1024 slots, "
                 "beside 32 slots: %.3f" % mix, "%.3f" % mixk, "≤ 32 slots' + 1 %",
                 mixk <= mix * 1.01))

    # ---- command ring ----
    pairs = 100000
    ir_ring, _ = callgrind([core, "ring", str(pairs), "0"])
    ir_loop, _ = callgrind([core, "ring", str(pairs), "1"])
    ir_jack, _ = callgrind([core, "ring", str(pairs), "2"])
    ring = (ir_ring - ir_loop) / pairs
    jack_ir = (ir_jack - ir_loop) / pairs
    rt = run([core, "ring-threads"])
    ratio = float(rt["ring-ratio-median"])
    rows.append(("command ring", "Ir per fz_ring_push() + fz_ring_pop() of one 64-byte "
                 "message (inline functions; minus the bare loop), beside JACK's "
                 "jack_ringbuffer doing the same (write_space, write, read_space, read): "
                 "%.1f Ir (callgrind: deterministic, the same count every run). Two-thread "
                 "throughput, consumer pinned to CPU 0 and producer to CPU 1 "
                 "(pthread_setaffinity_np), 500,000 messages a run, %s alternations (which ring "
                 "first swapped every other one), load average %s: the ratio per "
                 "alternation %s; fz_ring %s messages/s, jack_ringbuffer %s messages/s. "
                 "The throughput is the scheduler's more than the rings' on a shared "
                 "machine (both threads spin, then yield): a range, not a headline"
                 % (jack_ir, rt["ring-ratio-n"], rt["ring-loadavg"],
                    spread(rt, "ring-ratio", "×"),
                    spread_int(rt, "ring-fz-msgs-per-s"),
                    spread_int(rt, "ring-jack-msgs-per-s")),
                 "%.1f Ir vs %.1f Ir (%.1f× fewer); throughput %s× (IQR %s–%s)"
                 % (ring, jack_ir, jack_ir / ring, rt["ring-ratio-median"],
                    rt["ring-ratio-q1"], rt["ring-ratio-q3"]),
                 "≤ 50 Ir; ≥ 2× fewer Ir", ring <= 50 and jack_ir / ring >= 2))

    # ---- parameters: the control thread's cost per call ----
    calls = 10000
    ir_none, _ = callgrind([core, "param", "none", str(calls)])
    ir_gain, _ = callgrind([core, "param", "gain", str(calls)])
    ir_vol, _ = callgrind([core, "param", "volume", str(calls)])
    ir_store, _ = callgrind([core, "param", "store", str(calls)])
    ir_lock = callgrind_only([core, "param", "gain", str(calls)],
                             ["g_mutex_lock", "g_mutex_unlock"]) / calls
    ir_notify = callgrind_only([core, "param", "volume", str(calls)],
                               ["_flitzis_audio_engine_notify"]) / calls
    gain = (ir_gain - ir_none) / calls
    vol = (ir_vol - ir_none) / calls
    store = (ir_store - ir_none) / calls
    rows.append(("parameter, control thread", "Ir per call of set_sample_gain() and of "
                 "set_volume() on a running offline engine, each to a new value (%d calls, "
                 "minus the bare loop; the caller's arguments included), checks and all; "
                 "beside the floor, a call with the same arguments to a function that only "
                 "stores the value: %.0f Ir. set_sample_gain() writes the parameter cell "
                 "through a gate (an atomic count of setters inside, no lock, no GObject "
                 "type-check call: g_mutex_lock() + g_mutex_unlock() %.0f Ir of it); "
                 "104 before the perf branch (6013308: the lock 10, the type check "
                 "and its get_type() call 14, isfinite() 9, the saved registers and call "
                 "frame 15), 205 through the command queue at 42bc823; of set_volume() the "
                 "notify::volume emission %.0f" % (calls, store, ir_lock, ir_notify),
                 "%.0f Ir; %.0f Ir" % (gain, vol), "set_sample_gain ≤ 120 Ir", gain <= 120))

    # ---- live: ping → pong, trigger → output, worst callback, GStreamer ----
    live_res = {}
    if not args.skip_live and os.path.exists(live):
        try:
            live_res = run([live, "all"], timeout=3600)
        except Exception as e:  # noqa: BLE001 - reported in the document
            notes.append("The live benchmarks failed this run: %s." % e)
    pp = []
    ok = True
    for period in (64, 256):
        med = live_res.get("pingpong-%d-median-ms" % period)
        if med is None:
            pp.append("%d frames: not measured" % period)
            ok = False
            continue
        limit = period / 48.0 + 1.0
        pp.append("%d frames: median %s ms (limit %.2f ms), p99 %s ms"
                  % (period, med, limit, live_res.get("pingpong-%d-p99-ms" % period, "?")))
        ok = ok and float(med) <= limit
    rows.append(("ping → pong", "ping() to the pong handler in a running GMainLoop, JACK dummy "
                 "at 48 kHz, 200 pings each", "; ".join(pp), "median ≤ one period + 1 ms", ok))

    trig = run([core, "trigger-offline"])
    extra = int(trig["trigger-offline-extra-frames"])
    at_err = int(trig["trigger-offline-at-error-frames"])
    live_extra = live_res.get("trigger-live-extra-frames")
    live_at = live_res.get("trigger-live-at-error-frames")
    fig = "offline: %d extra, play_sample_at off by %d" % (extra, at_err)
    holds = extra == 0 and at_err == 0
    if live_extra is not None:
        fig += "; live: %s extra, play_sample_at off by %s" % (live_extra, live_at)
        holds = holds and int(live_extra) == 0 and int(live_at) == 0
    else:
        fig += "; live: not measured"
        holds = False
    rows.append(("trigger → output", "frames between the start of the period after the one in "
                 "which play_sample() was queued and the first output sample (offline render; "
                 "live: JACK capture client)", fig, "next period, 0 extra; play_sample_at exact",
                 holds))

    load = run([core, "load"])
    lr = float(load["load-ratio-median"])
    rows.append(("loading", "load_sample() of a 60 s 16-bit stereo 48 kHz WAV into a 48 kHz "
                 "engine vs a bare libsndfile sf_readf_float() of it, %s alternating runs, "
                 "each load and each read faulting fresh memory (M_MMAP_THRESHOLD fixed at "
                 "64 KiB: every big block a new mmap(), whatever was freed before); the "
                 "ratio per alternation %s; load %s s, bare read %s s; resampled (44.1 → "
                 "48 kHz, soxr HQ): %s s, %s the bare read of the 44.1 kHz file"
                 % (load["load-ratio-n"], spread(load, "load-ratio", "×"),
                    load["load-seconds-median"], load["load-bare-seconds-median"],
                    load["load-resampled-seconds-median"],
                    spread(load, "load-resampled-ratio", "×")),
                 "%.2f× (IQR %s–%s)" % (lr, load["load-ratio-q1"], load["load-ratio-q3"]),
                 "≤ 1.15× without resampling", lr <= 1.15))

    mem = run([core, "loadmem", "48000"])
    memr = run([core, "loadmem", "44100"])
    m = float(mem["loadmem-ratio"])
    rows.append(("load memory", "peak RSS growth (VmHWM) during load_sample() of the 60 s file "
                 "vs the decoded sample's size (%s MB); resampled from 44.1 kHz: %s×"
                 % ("%.1f" % (int(mem["loadmem-decoded-bytes"]) / 1e6), memr["loadmem-ratio"]),
                 "%.3f×" % m, "≤ 1.1×", m <= 1.1 and float(memr["loadmem-ratio"]) <= 1.1))

    wc = live_res.get("worst-callback-max")
    if wc is not None:
        fig = "max %s, p99.9 %s of the period (%s callbacks of %s frames)" % (
            wc, live_res["worst-callback-p999"], live_res["worst-callback-count"],
            live_res["worst-callback-period"])
    else:
        fig = "not measured"
    rows.append(("worst callback", "callback time at 32 voices on JACK dummy, as a fraction "
                 "of the period", fig, "reported (informational)", None))
    if "share-32-core-percent-median" in live_res:
        r = live_res
        rows.append(("share of a core at real time", "32 looping voices of distinct 10 s "
                     "stereo samples on a JACK dummy server (48 kHz, 256-frame periods, paced "
                     "in real time), %s one-second windows: fz_core_process()'s own time "
                     "(CLOCK_MONOTONIC around each call, a --wrap) over wall time, %s; the "
                     "audio thread's whole CPU time (pthread_getcpuclockid() of the callback "
                     "thread, read from the main thread: the JACK client's side too) %s. With "
                     "no voice: the engine %s, the thread %s. %s callbacks, %s xruns, load "
                     "average %s" % (
                         r["share-32-core-percent-n"], spread(r, "share-32-core-percent", " %"),
                         spread(r, "share-32-thread-percent", " %"),
                         spread(r, "share-0-core-percent", " %"),
                         spread(r, "share-0-thread-percent", " %"),
                         fmt_int(r["share-callbacks"]), r["share-xruns"], r["share-loadavg"]),
                     "%s %% (IQR %s–%s)" % (r["share-32-core-percent-median"],
                                            r["share-32-core-percent-q1"],
                                            r["share-32-core-percent-q3"]),
                     "reported (informational)", None))
    else:
        rows.append(("share of a core at real time", "not measured", "not measured",
                     "reported (informational)", None))

    den = run([core, "denormal"])
    d = float(den["denormal-ratio-ftz-median"])
    rows.append(("denormals", "32 voices of a tail decaying from 1e-36 to 1e-40 vs the normal "
                 "test signal through fz_core_process(), %s alternations, the ratio per "
                 "alternation %s; without FTZ/DAZ (bare mixer) the same ratio is %s"
                 % (den["denormal-ratio-ftz-n"], spread(den, "denormal-ratio-ftz", "×"),
                    spread(den, "denormal-ratio-bare", "×")),
                 "%.2f× (IQR %s–%s)" % (d, den["denormal-ratio-ftz-q1"],
                                        den["denormal-ratio-ftz-q3"]),
                 "no slowdown (≤ ~1.05×)", d <= 1.05))

    rows += floor_rows(args.builddir, P)
    rows += bank_rows(args.builddir)
    rows += telemetry_rows(args.builddir, P)
    rows += clock_rows(args.builddir)
    rows += midi_rows(args.builddir)
    rows += memlock_rows(args.builddir)
    rows += keylock_rows(args.builddir)

    # ---- peers ----
    peers = []
    irn, _ = callgrind([core, "mix", "naive-frame", str(VOICES), str(P), "0"])
    irq, _ = callgrind([core, "mix", "naive-scalar", str(VOICES), str(P), "0"])
    naive_frame = (irn - ir0) / samples
    naive_scalar = (irq - ir0) / samples
    peers.append(("Mixing cost vs naive kernels (same binary, Ir per voice per sample)",
                  "libflitzis %.3f; per-frame seed structure %.2f (%.1f× more); plain scalar "
                  "loop %.2f (%.1f× more)%s (callgrind counts: the same every run, spread "
                  "0)" % (
                      mix, naive_frame, naive_frame / mix, naive_scalar, naive_scalar / mix,
                      "; libflitzis's own scalar path %.3f" % mixs if mixs is not None else "")))
    g = live_res.get("gst-trigger-median-ms")
    f = live_res.get("fz-trigger-median-ms")
    if g is not None and f is not None:
        peers.append(("Trigger latency vs GStreamer (call → first non-zero frame at the JACK "
                      "server, same capture client, JACK dummy 48 kHz / 256 frames)",
                      "libflitzis median %s ms (IQR %s, max %s); GStreamer (%s) median %s ms "
                      "(IQR %s, max %s); ratio of the medians %.1f×"
                      % (f, live_res.get("fz-trigger-iqr-ms", "?"),
                         live_res.get("fz-trigger-max-ms", "?"),
                         live_res.get("gst-pipeline", "?"), g,
                         live_res.get("gst-trigger-iqr-ms", "?"),
                         live_res.get("gst-trigger-max-ms", "?"),
                         float(g) / max(float(f), 1e-9))))
    else:
        peers.append(("Trigger latency vs GStreamer", "not measured"))

    # ---- one PipeWire server, three ways in ----
    pw = os.path.join(args.builddir, "bench", "bench-pipewire")
    pw_res = {}
    if not args.skip_live and os.path.exists(pw):
        pw_env = dict(os.environ, ALSA_CONFIG_PATH=os.path.join(
            os.path.dirname(os.path.abspath(__file__)), "alsa-pipewire.conf"))
        cmd = [pw, "all"]
        if shutil.which("pw-jack"):
            cmd = ["pw-jack"] + cmd
        try:
            pw_res = run(cmd, env=pw_env, timeout=1800)
        except Exception as e:  # noqa: BLE001 - reported in the document
            notes.append("The PipeWire benchmark failed this run: %s." % e)
    for what, key, how in (
            ("ping → pong", "pingpong", "ping() to the pong handler in a running GMainLoop, "
             "200 pings"),
            ("trigger → output", "trigger", "play_sample() to the first non-zero frame at the "
             "sink's monitor (a capture stream of the benchmark), 60 triggers")):
        figs = []
        for path, name in (("native", "native stream"),
                           ("alsa", "PortAudio's ALSA default on pipewire-alsa"),
                           ("pw-jack", "JACK client under pw-jack")):
            if path + "-missing" in pw_res:
                figs.append("%s: not measured (%s)" % (name, pw_res[path + "-missing"]))
            elif path + "-" + key + "-median-ms" in pw_res:
                k = path + "-" + key + "-"
                figs.append("%s: median %s ms, p99 %s ms (spread %s–%s ms; stream latency "
                            "%s ms at %s Hz)" % (
                                name, pw_res[k + "median-ms"], pw_res[k + "p99-ms"],
                                pw_res[k + "min-ms"], pw_res[k + "max-ms"],
                                pw_res[path + "-stream-latency-ms"], pw_res[path + "-rate"]))
            else:
                figs.append("%s: not measured" % name)
        peers.append(("PipeWire, %s: one private server (null sink, 48 kHz, 256-frame "
                      "quantum), the engine's three ways in; %s" % (what, how),
                      "; ".join(figs)))

    write_doc(args, rows, peers, notes)


def spread(res, key, unit=""):
    """A figure's median with its quartiles and range, from bench output."""
    return "median %s%s (IQR %s–%s, range %s–%s, n = %s)" % (
        res[key + "-median"], unit, res[key + "-q1"], res[key + "-q3"],
        res[key + "-min"], res[key + "-max"], res[key + "-n"])


def spread_int(res, key):
    """The same for a count, with thousands separators."""
    return "median %s (IQR %s–%s, range %s–%s)" % tuple(
        fmt_int(res[key + "-" + k]) for k in ("median", "q1", "q3", "min", "max"))


def bank_rows(builddir):
    """Loading a bank (bench-bank): files per second one by one and on
    the loading pool; one resampled load at each quality."""
    bb = os.path.join(builddir, "bench", "bench-bank")
    rows = []
    b = run([bb, "bank", "216", "9"])
    rows.append(("loading a bank", "216 deterministic 1 s files (16-bit stereo WAV; every "
                 "third at 44.1 kHz, resampled to 48 kHz as it loads, soxr HQ) into an engine "
                 "of 216 slots: load_sample() one after the other vs load_sample_async() all "
                 "at once (the loading pool: %s threads, one per core), a fresh engine each "
                 "run, 9 alternations, load average %s at the start and %s at the end: one by "
                 "one %s files/s, in parallel %s files/s; the speed-up per alternation %s" % (
                     b["bank-cores"], b["bank-loadavg-start"], b["bank-loadavg-end"],
                     spread_int(b, "bank-serial-files-per-s"),
                     spread_int(b, "bank-parallel-files-per-s"),
                     spread(b, "bank-speedup", "×")),
                 "%s× (IQR %s–%s)" % (b["bank-speedup-median"], b["bank-speedup-q1"],
                                      b["bank-speedup-q3"]),
                 "reported (the machine's other load shares the cores)", None))
    ir = {}
    for q in ("bare", "quick", "low", "medium", "high", "very-high"):
        ir[q], _ = callgrind([bb, "ir", q, "10"])
    t = run([bb, "resample", "15"])
    figs = []
    for q in ("quick", "low", "medium", "high", "very-high"):
        figs.append("%s: %s Ir (%.1f× the bare read's), %s s, %s the bare read; a 1 kHz "
                    "sine's residual %s dB, an 8 kHz one's %s dB" % (
                        q, fmt_int(ir[q]), ir[q] / ir["bare"],
                        t["resample-%s-seconds-median" % q],
                        spread(t, "resample-%s-ratio" % q, "×"),
                        t["resample-%s-sine-1k-db" % q], t["resample-%s-sine-8k-db" % q]))
    rows.append(("resampled load by quality", "load_sample() of a 16-bit stereo 44.1 kHz WAV "
                 "into a 48 kHz engine at each resample-quality vs a bare libsndfile "
                 "sf_readf_float() of it: Ir of a 10 s file (callgrind; the bare read %s Ir), "
                 "and the wall time of a 60 s file, 15 alternations, each load faulting fresh "
                 "memory (M_MMAP_THRESHOLD 64 KiB), load average %s–%s: %s. Residuals against "
                 "the exact sine at 48 kHz (deterministic). miniaudio, which Debian does not "
                 "package, is measured the same way by hand: the section on it below" % (
                     fmt_int(ir["bare"]), t["resample-loadavg-start"],
                     t["resample-loadavg-end"], "; ".join(figs)),
                 "high (default) %.1f×, quick %.1f× the bare read's Ir"
                 % (ir["high"] / ir["bare"], ir["quick"] / ir["bare"]),
                 "reported (informational)", None))
    return rows


def floor_rows(builddir, P):
    """The mixer against the memory-read floor (bench-floor): the same
    sample bytes read by a kernel that does nothing else, timed in the
    same run, and both counted by callgrind."""
    fl = os.path.join(builddir, "bench", "bench-floor")
    rows = []
    frames = P * VOICES * PERIOD
    ir = {}
    for mode in ("unity", "ramp"):
        for kind in ("mix", "floor", "none"):
            ir[kind, mode], res = callgrind([fl, "ir", kind, str(VOICES), "1", str(P),
                                             str(PERIOD), mode])
    for mode, what, target, limit in (
            ("unity", "mixing vs the memory-read floor", "≤ 1.05×", 1.05),
            ("ramp", "mixing vs the memory-read floor, every gain ramping", "≤ 1.15×", 1.15)):
        t = run([fl, "time", str(VOICES), "10", "41", mode])
        mix_ir = (ir["mix", mode] - ir["none", mode]) / frames
        floor_ir = ir["floor", mode] / frames
        rows.append((what, "time of fz_core_process() over 32 looping voices of distinct 10 s "
                     "stereo 48 kHz samples (%s MB, far beyond the caches), %s, 256-frame "
                     "periods, one whole pass per run (%s periods), against the faster of "
                     "two kernels that only read the same sample bytes (%s vector loads "
                     "OR-ed together, no output): voice after voice, a voice's period in one "
                     "go (median %s ms), and in the mixer's order, batches of 8 voices, 128 "
                     "bytes of each in turn (median %s ms); the three alternating in one "
                     "process pinned to one CPU, each period timed on its own (two clock "
                     "reads, alike for the mixer and the floors); the mixer's time over the "
                     "faster floor's per alternation, %s; mixer %s ms, floor %s ms a pass "
                     "(load average %s at the start, %s at the end)%s. Ir per voice per "
                     "output frame in the same runs (callgrind, %d periods): mixer %.3f "
                     "(minus the 0-voice run), floor %.3f" % (
                         "%.0f" % (int(t["floor-bytes"]) / 1e6),
                         "unity gain" if mode == "unity"
                         else "every slot's gain ramping to a new value every period",
                         fmt_int(t["floor-periods"]), t["floor-path"],
                         t["floor-voice-major-ms-median"], t["floor-batched-ms-median"],
                         spread(t, "floor-ratio", "×"), t["floor-mix-ms-median"],
                         t["floor-read-ms-median"], t["floor-loadavg-start"],
                         t["floor-loadavg-end"],
                         "" if mode == "unity" else
                         ". The 32 new gains are set before each period (fz_params_set_gain(), "
                         "the control thread's part, on an engine another thread's time) "
                         "outside the timed region: %s ms a pass; with them counted in, the "
                         "ratio would be %s" % (t["floor-control-ms-median"],
                                                spread(t, "floor-ratio-with-control", "×")),
                         P, mix_ir, floor_ir),
                     "%s× (IQR %s–%s)" % (t["floor-ratio-median"], t["floor-ratio-q1"],
                                          t["floor-ratio-q3"]),
                     target, float(t["floor-ratio-median"]) <= limit))
    # The per-voice cost per period: Ir per voice per period at four period
    # sizes (32 voices minus none), and a least-squares line through them:
    # its intercept is what a voice costs each period whatever its frames.
    sizes = (32, 64, 256, 1024)
    per = {}
    for f in sizes:
        periods = max(4, P * PERIOD // f)
        m, _ = callgrind([fl, "ir", "mix", str(VOICES), "1", str(periods), str(f), "unity"])
        n, _ = callgrind([fl, "ir", "none", str(VOICES), "1", str(periods), str(f), "unity"])
        per[f] = (m - n) / periods / VOICES
    mx = sum(sizes) / len(sizes)
    my = sum(per.values()) / len(sizes)
    slope = sum((f - mx) * (per[f] - my) for f in sizes) / sum((f - mx) ** 2 for f in sizes)
    fixed = my - slope * mx
    rows.append(("per-voice cost per period", "Ir per voice per period of fz_core_process() "
                 "(32 looping voices at unity gain minus the 0-voice run, callgrind) at "
                 "periods of %s frames: %s; a line through them: %.1f Ir a voice and period "
                 "plus %.3f a frame; the fixed part's share of a voice's work at 32 frames "
                 "%.0f %%, at 64 %.0f %%" % (
                     ", ".join(str(f) for f in sizes),
                     ", ".join("%.0f" % per[f] for f in sizes), fixed, slope,
                     100 * fixed / per[32], 100 * fixed / per[64]),
                 "%.0f Ir" % fixed, "≤ 40 Ir", fixed <= 40))
    return rows


def telemetry_rows(builddir, P):
    """What seeing and shaping what plays costs (bench-telemetry)."""
    tele = os.path.join(builddir, "bench", "bench-telemetry")
    rows = []
    samples = P * VOICES * PERIOD * CHANNELS
    off, _ = callgrind([tele, "meter", str(VOICES), str(P), "0"])
    costs = {}
    for rate in (30, 60, 120):
        on, _ = callgrind([tele, "meter", str(VOICES), str(P), str(rate)])
        costs[rate] = (on - off) / samples
    rows.append(("meters", "extra Ir per voice per output sample with the meters on (32 "
                 "looping voices, stereo, 256-frame periods, peaks from each sample's "
                 "pyramid) at 30 Hz, beside 60 and 120 Hz: %.3f and %.3f; off: the mix "
                 "figure's path plus one pointer test" % (costs[60], costs[120]),
                 "%.3f" % costs[30], "≤ 0.1 at 30 Hz", costs[30] <= 0.1))
    eq = {}
    for mode in range(4):
        eq[mode], _ = callgrind([tele, "eq", str(VOICES), str(P), str(mode)])
    flat = (eq[1] - eq[0]) / samples
    live = (eq[2] - eq[0]) / samples
    shared = (eq[3] - eq[0]) / samples
    rows.append(("isolator, flat", "extra Ir per voice per output sample with every slot's "
                 "set_sample_eq() at 0/0/0 dB (32 looping voices, one a slot, stereo, "
                 "256-frame periods) vs never set: bypassed, no bus", "%.3f" % flat,
                 "0 (no extra cost)", eq[1] == eq[0]))
    rows.append(("isolator, live", "extra Ir per voice per output sample with every voice's "
                 "slot at -6/+3/-12 dB, each voice on a bus of its own (the worst case per "
                 "voice: the filters run once per slot); 32 voices on one slot's bus: %.3f "
                 "per voice, %.1f per output sample of the slot" % (shared, shared * VOICES),
                 "%.2f" % live, "≤ 30", live <= 30))
    wf = run([tele, "waveform"])
    ms = float(wf["waveform-median-ms"])
    ratio = float(wf["waveform-pyramid-ratio"])
    rows.append(("waveform overview", "dup_waveform()'s work: 1,000 buckets of a 10-minute "
                 "stereo 48 kHz sample from its peak pyramid (median of 21 calls; spread "
                 "%s to %s ms); the pyramid, built in %s s, takes %s of the sample's %s bytes"
                 % (wf["waveform-min-ms"], wf["waveform-max-ms"], wf["waveform-build-s"],
                    fmt_int(wf["waveform-pyramid-bytes"]), fmt_int(wf["waveform-sample-bytes"])),
                 "%.3f ms; %.2f %%" % (ms, 100 * ratio), "≤ 1 ms; ≤ 2 %",
                 ms <= 1.0 and ratio <= 0.02))
    ir = {}
    for src in ("file", "pcm"):
        for on in (0, 1):
            ir[src, on], _ = callgrind([tele, "progress-ir", src, str(on)])
    extra = {src: ir[src, 1] / ir[src, 0] - 1 for src in ("file", "pcm")}
    wall = run([tele, "progress"])
    rows.append(("load progress", "extra Ir of one load with load-progress's reports (an "
                 "atomic store per 4096-frame chunk) vs without: 60 s of 48 kHz stereo from "
                 "a 16-bit WAV (%s vs %s Ir) and as float32 PCM from memory (%s vs %s Ir, "
                 "+%.3f %%); wall time with/without, 7 alternating loads (noisy), the "
                 "ratio per alternation: file %s, PCM %s" % (
                     fmt_int(ir["file", 1]), fmt_int(ir["file", 0]),
                     fmt_int(ir["pcm", 1]), fmt_int(ir["pcm", 0]),
                     100 * extra["pcm"], spread(wall, "progress-file-pair-ratio", "×"),
                     spread(wall, "progress-pcm-pair-ratio", "×")),
                 "+%.3f %%" % (100 * extra["file"]), "≤ 2 %",
                 max(extra.values()) <= 0.02))
    return rows


def clock_rows(builddir):
    """What the musical clock and the quantizer cost the audio thread
    (bench-clock): per period, per beat, per quantized command."""
    clock = os.path.join(builddir, "bench", "bench-clock")
    periods = 1000
    ir, beats = {}, {}
    for mode in ("off", "beats", "metronome"):
        for bpm in ("120", "400"):
            ir[mode, bpm], res = callgrind([clock, "period", mode, bpm, str(periods)])
            beats[mode, bpm] = int(res["clock-beats"])
    extra = {bpm: (ir["beats", bpm] - ir["off", bpm]) / periods for bpm in ("120", "400")}
    # extra = per period + beats / periods * per beat, at two tempos.
    n120, n400 = beats["beats", "120"], beats["beats", "400"]
    per_beat = (extra["400"] - extra["120"]) * periods / (n400 - n120)
    per_period = extra["120"] - n120 * per_beat / periods
    idle = ir["off", "120"] / periods
    rows = [("clock per period, beats reported",
             "extra Ir per 256-frame period of fz_core_process() (no voice, stereo, 48 kHz) "
             "with every beat reported, as an engine does by default, vs reports and metronome "
             "off (%.0f Ir a period): at 120 BPM, %d beats in %s periods; at 400 BPM (%d beats): "
             "%.1f.  Split: %.1f Ir a period (one compare) + %.0f Ir a beat (its frame, found "
             "once a beat, and its reply)" % (idle, n120, fmt_int(periods), n400, extra["400"],
                                              per_period, per_beat),
             "%.1f Ir" % extra["120"], "≤ 10 % of the idle period at 120 BPM",
             extra["120"] <= 0.1 * idle)]
    clicks = {bpm: (ir["metronome", bpm] - ir["beats", bpm]) / beats["metronome", bpm]
              for bpm in ("120", "400")}
    rows.append(("metronome", "extra Ir per beat with the metronome on (a 30 ms click, 1,440 "
                 "stereo frames mixed into the periods it spans), beside beats alone, at 120 "
                 "BPM; at 400 BPM: %.0f" % clicks["400"], "%.0f Ir" % clicks["120"],
                 "reported (informational)", None))
    calls = 100000
    op = {}
    for name in ("none", "grid", "position"):
        for bpm in ("93.7", "120"):
            op[name, bpm], _ = callgrind([clock, "op", name, str(calls), bpm])
    grid = {bpm: (op["grid", bpm] - op["none", bpm]) / calls for bpm in ("93.7", "120")}
    pos = (op["position", "93.7"] - op["none", "93.7"]) / calls
    rows.append(("quantizer", "Ir per fz_clock_grid_frame(): the audio thread's work for "
                 "one quantized play_sample() or stop (the six grids in turn, %s calls, frames "
                 "spread over an hour, minus the bare loop) at 93.7 BPM; at 120 BPM: %.1f (a "
                 "fixed 64-step division, no libm); a position as get_position() computes it: "
                 "%.1f" % (fmt_int(calls), grid["120"], pos),
                 "%.1f Ir" % grid["93.7"], "reported (informational)", None))
    return rows


def midi_rows(builddir):
    """MIDI-to-sound jitter of the engine's MIDI input (read in the audio
    thread, each event at its offset) against the path an application
    builds today (its MIDI thread calls play_sample(), taken at the next
    period), through the real core, deterministic (bench-midi); and what
    MIDI adds to a trigger, in instructions."""
    midi = os.path.join(builddir, "bench", "bench-midi")
    rows = []
    for period in ("256", "64"):
        res = run([midi, "jitter", period, "10000", "23"])
        cyc = dict(kv.split(" ") for kv in re.findall(r"\S+ \S+", res["midi-in-cycle"]))
        que = dict(kv.split(" ") for kv in re.findall(r"\S+ \S+", res["midi-queue"]))
        rows.append(("MIDI jitter, %s-frame periods" % period,
                     "note-on to first frame of sound over 10,000 notes at random frames "
                     "(seeded), 48 kHz: in-cycle (the JACK MIDI port, read in the callback) "
                     "latency %s to %s frames (one period, constant); MIDI thread → "
                     "play_sample() → next period: %s to %s frames, mean %s, stddev %s"
                     % (cyc["min"], cyc["max"], que["min"], que["max"], que["mean"],
                        que["stddev"]),
                     "jitter %s vs %s frames (%s vs %s ms)"
                     % (cyc["jitter"], que["jitter"], cyc["jitter-ms"], que["jitter-ms"]),
                     "in-cycle jitter 0", cyc["jitter"] == "0"))
    periods, events = 1000, 4
    idle, _ = callgrind([midi, "cost", "midi", "0", str(periods)])
    via_midi, _ = callgrind([midi, "cost", "midi", str(events), str(periods)])
    via_cmd, _ = callgrind([midi, "cost", "command", str(events), str(periods)])
    n = periods * events
    rows.append(("MIDI trigger cost", "Ir per trigger through the MIDI input (3 bytes parsed, "
                 "the midi-event reply, the map's lookup, the schedule) vs the same trigger "
                 "as play_sample_at() queues it (%.0f Ir), %d triggers a 256-frame period of "
                 "short samples; idle period %.0f Ir" % ((via_cmd - idle) / n, events,
                                                         idle / periods),
                 "%.0f Ir (+%.0f)" % ((via_midi - idle) / n, (via_midi - via_cmd) / n),
                 "reported (informational)", None))
    return rows


def memlock_rows(builddir):
    """What locking sample memory costs (bench-memlock): wall time, as
    mlock() is the kernel's work, which callgrind does not see."""
    ml = run([os.path.join(builddir, "bench", "bench-memlock"), "memlock"])
    if "memlock-refused" in ml:
        return [("sample memory lock", "mlock() refused here (RLIMIT_MEMLOCK)", "not measured",
                 "reported (informational)", None)]
    mib = int(ml["memlock-bytes"]) / 2**20
    return [("sample memory lock", "mlock() of a decoded 60 s stereo 48 kHz sample's "
             "frames and peak pyramid (%.1f MiB), on the loading thread; median of 21, "
             "spread %s to %s ms; munlock() and free %s ms; whole loads from memory with "
             "lock-memory on vs off, 11 alternating: medians %s vs %s ms, the ratio per "
             "alternation %s. The RAM locked is the samples' size" % (
                 mib, ml["memlock-lock-min-ms"], ml["memlock-lock-max-ms"],
                 ml["memlock-free-median-ms"], ml["memlock-load-on-median-ms"],
                 ml["memlock-load-off-median-ms"],
                 spread(ml, "memlock-load-pair-ratio", "×")),
             "%s ms" % ml["memlock-lock-median-ms"], "reported (informational)", None)]


def keylock_rows(builddir):
    """Key-locked voices (bench-keylock): instructions per voice and
    period (callgrind), and wall time per period, whose spread and the
    machine's load are stated."""
    kl = os.path.join(builddir, "bench", "bench-keylock")
    try:
        wall = run([kl, "keylock"])
    except RuntimeError:
        return [("key lock", "built without Rubber Band", "not measured",
                 "reported (informational)", None)]
    ir_locked, _ = callgrind([kl, "ir", "16", "1.5", "1"])
    ir_idle, _ = callgrind([kl, "ir", "16", "1.0", "1"])
    ir_plain, _ = callgrind([kl, "ir", "16", "1.0", "0"])
    per_voice = ir_locked / 400 / 16
    idle = (ir_idle - ir_plain) / 400 / 16
    voices = float(wall["keylock-voices-per-core"])
    return [
        ("key-locked voices per core", "16 looping stereo voices key-locked at speed 1.5, "
         "256-frame periods: %.2f M instructions per voice and period (callgrind); CPU time "
         "per period of 16 voices %s µs (the voices per core are 5333 µs over it per voice), "
         "p90 %s µs, dearest %s µs (their hops spread over the periods by their stretchers' "
         "leads, fz-keylock.c); "
         "wall time per period mean %s µs, median %s, p10 %s, p90 %s, max %s (a "
         "stretcher works in hops: most periods cost it little, some a hop); first period "
         "(priming) %s µs; load average %s" % (
             per_voice / 1e6, wall["keylock-16-cpu-us"], wall["keylock-16-cpu-p90-us"],
             wall["keylock-16-cpu-max-us"], wall["keylock-16-mean-us"],
             wall["keylock-16-median-us"],
             wall["keylock-16-p10-us"], wall["keylock-16-p90-us"], wall["keylock-16-max-us"],
             wall["keylock-16-first-us"], wall["keylock-load"]),
         "%.1f voices" % voices, "≥ 16", voices >= 16),
        ("idle key lock", "16 voices key-locked at speed 1, pitch 0, against 16 unlocked "
         "(callgrind, per voice and 256-frame period; no bypass: the stretcher runs)",
         "%.2f M Ir" % (idle / 1e6), "reported (informational)", None),
        ("key-locked launch", "16 key-locked slots triggered at one frame at speed 1.5, "
         "256-frame periods, CPU time of the trigger's period: queued in the period before "
         "(every stretcher primed in the trigger's period) %s µs, 8 slots %s µs; queued 40 "
         "periods ahead (primed one a period before it, fz-keylock.h) %s µs, 8 slots %s µs; "
         "the dearest period from the queueing to 10 periods after, queued ahead: %s µs, "
         "8 slots %s µs" % (
             wall["keylock-launch-16-due-trigger-us"], wall["keylock-launch-8-due-trigger-us"],
             wall["keylock-launch-16-ahead-trigger-us"], wall["keylock-launch-8-ahead-trigger-us"],
             wall["keylock-launch-16-ahead-worst-us"], wall["keylock-launch-8-ahead-worst-us"]),
         "%s µs" % wall["keylock-launch-16-ahead-worst-us"], "< 5333 µs (one period)",
         float(wall["keylock-launch-16-ahead-worst-us"]) < 5333),
    ]


def callgrind_env(cmd, env):
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "callgrind.out")
        results = run(["valgrind", "--tool=callgrind", "--toggle-collect=bench_region",
                       "--callgrind-out-file=" + out] + cmd, env=env)
        with open(out) as f:
            for line in f:
                m = re.match(r"(?:summary|totals): (\d+)", line)
                if m:
                    return int(m.group(1)), results
    raise RuntimeError("no callgrind summary")


def callgrind_only(cmd, functions):
    """Instructions executed inside @functions (and what they call) only."""
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "callgrind.out")
        run(["valgrind", "--tool=callgrind", "--callgrind-out-file=" + out]
            + ["--toggle-collect=" + f for f in functions] + cmd)
        with open(out) as f:
            for line in f:
                m = re.match(r"(?:summary|totals): (\d+)", line)
                if m:
                    return int(m.group(1))
    raise RuntimeError("no callgrind summary for %s" % cmd)


def fmt_int(s):
    return "{:,}".format(int(float(s)))


def hand_sections(path):
    """The sections of the document measured by hand ("## ... measured by
    hand"), kept as they are when the tables are written again: they say
    which commit and run they come from."""
    try:
        text = open(path).read()
    except OSError:
        return []
    kept = []
    for block in re.split(r"(?m)^(?=## )", text):
        if block.startswith("## ") and "measured by hand" in block.splitlines()[0]:
            kept += block.rstrip().splitlines() + [""]
    return kept


def write_doc(args, rows, peers, notes):
    kept = hand_sections(args.output)
    model, cpus, isa = machine()
    cc = subprocess.run([args.cc.split()[0], "--version"], stdout=subprocess.PIPE,
                        text=True).stdout.splitlines()[0]
    vg = subprocess.run(["valgrind", "--version"], stdout=subprocess.PIPE, text=True).stdout.strip()
    load = os.getloadavg()
    lines = [
        "Title: Performance",
        "Slug: performance",
        "",
        "# Performance",
        "",
        "Written by `make bench` (tests/bench/run-bench.py); do not edit by hand.",
        "",
        "- Run: %s" % datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "- Machine: %s, %d CPUs (%s), %s %s; load average %.2f at the end of the run%s" % (
            model, cpus, ", ".join(isa), platform.system(), platform.release(), load[0],
            " — the machine was shared with other builds and JACK tests, so wall-clock "
            "figures are noisy; the instruction counts are not" if load[0] > 0.5 else ""),
        "- Compiler: %s; CFLAGS `%s`; CPPFLAGS `%s`" % (cc, args.cflags, args.cppflags),
        "- Instruction counts (Ir): %s, `--toggle-collect=bench_region`" % vg,
        "",
        "| what | how | figure | target | holds |",
        "|---|---|---|---|---|",
    ]
    for what, how, fig, target, holds in rows:
        h = "—" if holds is None else ("yes" if holds else "**no**")
        lines.append("| %s | %s | %s | %s | %s |" % (what, how, fig, target, h))
    lines += [""] + kept
    lines += ["## Peers, side by side", "", "| comparison | result |", "|---|---|"]
    for what, res in peers:
        lines.append("| %s | %s |" % (what, res))
    lines += ["", "## How each figure is measured", "",
              "- Instruction counts run `tests/bench/bench-core` under callgrind, which counts "
              "only `bench_region()`: the measured periods, after set-up and four warm-up "
              "periods. The per-sample mixing cost divides the difference between the 32-voice "
              "and the 0-voice run by periods × 32 voices × 256 frames × 2 channels.",
              "- Timed ratios (mixer vs read floor, ring throughput, loading, denormals, "
              "locked memory, load progress) alternate the two runs in one process, take "
              "the ratio of each alternation's pair and print its median with the "
              "interquartile range and the range, so that the machine's load hits both "
              "alike and what it did to them shows. Instruction counts are the headlines "
              "where both exist: they are the same on every run.",
              "- The live figures (`tests/bench/bench-live`) run on private JACK dummy servers "
              "(real-time paced, no hardware); the capture client is the one the tests use.",
              "- The PipeWire figures (`tests/bench/bench-pipewire all`, run under `pw-jack` "
              "with `ALSA_CONFIG_PATH=tests/bench/alsa-pipewire.conf`) run on one private "
              "PipeWire session (PipeWire, WirePlumber, a null sink; no hardware), one engine "
              "after the other: backend PIPEWIRE; backend PORTAUDIO on ALSA's `default`, which "
              "that configuration makes pipewire-alsa's plugin (48000 Hz asked for); backend "
              "JACK with PipeWire's libjack. Trigger → output is read from the capture stream's "
              "clock (its period's start plus the frame's place in it), the same for the three; "
              "the calls fall on phases of the period drawn from a fixed seed.",
              "- `make check` runs each scenario once, small (`bench-core -k --tap`, "
              "`bench-live -k --tap`, and `bench-pipewire -k --tap`, the native stream alone: "
              "the ALSA and pw-jack paths need pipewire-alsa and PipeWire's libjack), and "
              "asserts nothing about time.",
              ""]
    for n in notes:
        lines.append("Note: " + n)
    with open(args.output, "w") as f:
        f.write("\n".join(lines).rstrip() + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
