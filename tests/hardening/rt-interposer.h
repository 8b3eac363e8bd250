/* rt-interposer.h: counts calls that must never happen on the audio thread
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <stddef.h>

typedef enum {
  RT_ALLOC,       /* malloc calloc realloc posix_memalign aligned_alloc memalign valloc */
  RT_FREE,        /* free */
  RT_LOCK,        /* pthread mutex, rwlock, condition and semaphore waits and wakes */
  RT_READ,        /* read */
  RT_WRITE,       /* write */
  RT_SYSCALL,     /* syscall() (GLib's futex path), sleeps, poll, sched_yield,
                   * mmap munmap ioctl close */
  RT_STDIO,       /* open fopen printf fprintf vfprintf fwrite fputs puts,
                   * and their fortified _chk variants */
  RT_LIBM,        /* the libm functions with slow paths (multi-precision fallbacks,
                   * argument reduction): exp exp2 log log2 log10 pow sin cos tan
                   * sincos atan2 fmod, and their float variants */
  RT_N_KINDS
} RtKind;

extern const char *const rt_kind_names[RT_N_KINDS];

/* Calls made while the calling thread was marked as in the callback. */
unsigned long rt_count_in_callback (RtKind kind);
/* Calls made anywhere, to prove the interposer sees them at all. */
unsigned long rt_count_total (RtKind kind);
void          rt_reset (void);
void          rt_mark_in_callback (int in_callback);
/* Callback periods seen through the fz_core_process wrapper. */
unsigned long rt_callbacks (void);
/* MIDI inputs handed to the core by a back-end (fz_core_midi_input()). */
unsigned long rt_midi_inputs (void);
/* MIDI buffers the PipeWire filters' callbacks took (pw_filter_dequeue_buffer()). */
unsigned long rt_filter_buffers (void);
