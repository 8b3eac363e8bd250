/* bench-common.h: what the benchmarks under tests/bench/ share
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Set-up, clocks and output of the bench programs, each once.  What
 * callgrind counts (each program's bench_region()) stays in the program:
 * the one helper here that a bench_region() calls is bench_bare_read(),
 * bench-bank's reference read, which was an out-of-line function there
 * too.  Every helper runs on the thread that calls it (the program's
 * main thread, or the GLib main loop's for the ping-pong).
 */
#pragma once

#include <glib.h>

#include "flitzis.h"
#include "core/fz-core.h"

G_BEGIN_DECLS

/* The scenario the command line names (argv[1]), with stdout made
 * line-buffered (run-bench.py reads the "key value" lines as they come);
 * or NULL when make check runs the program (no argument, or options such
 * as -k --tap): GLib's test framework is then initialised, and the caller
 * adds its tests and runs them. */
const char *bench_init (int *argc, char ***argv);

/* CLOCK_MONOTONIC, in seconds. */
double   bench_now_s (void);

/* getloadavg()'s one-minute figure as the result @key (nothing when
 * there is none). */
void     bench_print_loadavg (const char *key);

/* The @q quantile (0..1) of @n values, sorting them: the order statistic
 * at or above it, not interpolated (flitzis_test_spread() interpolates). */
double   bench_quantile (double *values, guint n, double q);

/* Runs the default main context for @ms milliseconds of wall time. */
void     bench_iterate_ms (guint ms);

/* @message sent to the core's command ring, which must take it. */
void     bench_send (FzCore *core, FzMsg message);
/* Every reply of the core taken, the samples it hands back released. */
void     bench_drain_replies (FzCore *core);

/* @frames of stereo test signal (flitzis_test_signal() of @seed) in a
 * fresh sample at 48 kHz, no peak pyramid. */
FzSample *bench_signal_sample (size_t frames, guint32 seed);

/* A stereo WAV of @format (e.g. SF_FORMAT_WAV | SF_FORMAT_PCM_16) in
 * @dir: @seconds at @rate of the test signal of @seed. */
char    *bench_write_signal (const char *dir, const char *name, int format, guint rate,
                             double seconds, guint32 seed);

/* Seconds of what a program that only wants the samples does: one
 * libsndfile sf_readf_float() of all of @path. */
double   bench_bare_read (const char *path);
/* Seconds of one load_sample() of @path into slot 0 of @engine (an
 * offline stereo engine, running); the slot is unloaded again, and the
 * buffer handed back by 4 periods, outside the timing. */
double   bench_engine_load (FlitzisAudioEngine *engine, const char *path);

/* @n pings of @engine (running), each sent 1-7 ms after the last pong,
 * the phases drawn from @phases (NULL: GLib's global generator); the
 * ping-to-pong times in ms, which the caller frees. */
double  *bench_pingpong (FlitzisAudioEngine *engine, guint n, GRand *phases);

G_END_DECLS
