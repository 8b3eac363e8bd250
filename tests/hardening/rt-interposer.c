/* rt-interposer.c: counts calls that must never happen on the audio thread
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Linked into test-realtime only.  The test is linked with
 * -Wl,--wrap=fz_core_process, so PortAudio's callback reaches the core
 * through __wrap_fz_core_process(), which marks its thread as "in
 * callback" for exactly the duration of the real-time work.  Every function
 * below replaces the C library's for the whole process (symbol
 * interposition), counts the call, and forwards it; a call made while the
 * mark is set is a violation of the real-time contract.
 *
 * What this cannot see: code that never leaves its own library through a
 * symbol (e.g. GLib's uncontended GMutex, which is an atomic instruction)
 * and raw system-call instructions.  RealtimeSanitizer covers those; this
 * test is the gcc-side proof.
 */
#undef _FORTIFY_SOURCE
#define _GNU_SOURCE

#include "config.h"

#include <dlfcn.h>
#include <malloc.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <semaphore.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <jack/midiport.h>

#include "core/fz-core.h"
#include "rt-interposer.h"

const char *const rt_kind_names[RT_N_KINDS] = {
  "allocation", "free", "lock", "read", "write", "syscall/sleep/poll", "stdio", "libm",
};

static __thread int in_callback;
static atomic_ulong in_callback_counts[RT_N_KINDS];
static atomic_ulong total_counts[RT_N_KINDS];
static atomic_ulong callbacks;

static void
note (RtKind kind)
{
  atomic_fetch_add_explicit (&total_counts[kind], 1, memory_order_relaxed);
  if (in_callback)
    atomic_fetch_add_explicit (&in_callback_counts[kind], 1, memory_order_relaxed);
}

unsigned long
rt_count_in_callback (RtKind kind)
{
  return atomic_load (&in_callback_counts[kind]);
}

unsigned long
rt_count_total (RtKind kind)
{
  return atomic_load (&total_counts[kind]);
}

void
rt_reset (void)
{
  for (int i = 0; i < RT_N_KINDS; i++)
    {
      atomic_store (&in_callback_counts[i], 0);
      atomic_store (&total_counts[i], 0);
    }
  atomic_store (&callbacks, 0);
}

void
rt_mark_in_callback (int value)
{
  in_callback = value;
}

unsigned long
rt_callbacks (void)
{
  return atomic_load (&callbacks);
}

/* ---- the audio callback's entry into the core ---- */

void __real_fz_core_process (FzCore *core, float *out, size_t frames, unsigned flags);
void __wrap_fz_core_process (FzCore *core, float *out, size_t frames, unsigned flags);

void
__wrap_fz_core_process (FzCore *core, float *out, size_t frames, unsigned flags)
{
  in_callback = 1;
  __real_fz_core_process (core, out, frames, flags);
  in_callback = 0;
  atomic_fetch_add_explicit (&callbacks, 1, memory_order_relaxed);
}

/* MIDI input (issue 23): the JACK back-end's callback reads its MIDI port
 * and hands each event to the core before fz_core_process(); these are
 * marked too (test-realtime is also linked with
 * -Wl,--wrap=fz_core_midi_input,--wrap=jack_midi_get_event_count,
 * --wrap=jack_midi_event_get). */
void __real_fz_core_midi_input (FzCore *core, const uint8_t *bytes, size_t length,
                                uint64_t frame);
void __wrap_fz_core_midi_input (FzCore *core, const uint8_t *bytes, size_t length,
                                uint64_t frame);
uint32_t __real_jack_midi_get_event_count (void *buffer);
uint32_t __wrap_jack_midi_get_event_count (void *buffer);
int __real_jack_midi_event_get (jack_midi_event_t *event, void *buffer, uint32_t index);
int __wrap_jack_midi_event_get (jack_midi_event_t *event, void *buffer, uint32_t index);

static atomic_ulong midi_calls;

void
__wrap_fz_core_midi_input (FzCore *core, const uint8_t *bytes, size_t length, uint64_t frame)
{
  in_callback = 1;
  __real_fz_core_midi_input (core, bytes, length, frame);
  in_callback = 0;
  atomic_fetch_add_explicit (&midi_calls, 1, memory_order_relaxed);
}

uint32_t
__wrap_jack_midi_get_event_count (void *buffer)
{
  uint32_t n;

  in_callback = 1;
  n = __real_jack_midi_get_event_count (buffer);
  in_callback = 0;
  return n;
}

int
__wrap_jack_midi_event_get (jack_midi_event_t *event, void *buffer, uint32_t index)
{
  int result;

  in_callback = 1;
  result = __real_jack_midi_event_get (event, buffer, index);
  in_callback = 0;
  return result;
}

/* The native PipeWire back-end with MIDI (issue 23): its filter's
 * process callback takes the MIDI port's buffer and gives it back, and
 * asks for the audio ports' buffers, around fz_core_midi_input() and
 * fz_core_process() (-Wl,--wrap=pw_filter_dequeue_buffer,
 * --wrap=pw_filter_queue_buffer,--wrap=pw_filter_get_dsp_buffer).  The
 * test's own MIDI source node, in the same data thread, is marked too. */
struct pw_buffer;
struct pw_buffer *__real_pw_filter_dequeue_buffer (void *port_data);
struct pw_buffer *__wrap_pw_filter_dequeue_buffer (void *port_data);
int __real_pw_filter_queue_buffer (void *port_data, struct pw_buffer *buffer);
int __wrap_pw_filter_queue_buffer (void *port_data, struct pw_buffer *buffer);
void *__real_pw_filter_get_dsp_buffer (void *port_data, uint32_t n_samples);
void *__wrap_pw_filter_get_dsp_buffer (void *port_data, uint32_t n_samples);

static atomic_ulong filter_buffers;

struct pw_buffer *
__wrap_pw_filter_dequeue_buffer (void *port_data)
{
  struct pw_buffer *buffer;

  in_callback = 1;
  buffer = __real_pw_filter_dequeue_buffer (port_data);
  in_callback = 0;
  if (buffer != NULL)
    atomic_fetch_add_explicit (&filter_buffers, 1, memory_order_relaxed);
  return buffer;
}

int
__wrap_pw_filter_queue_buffer (void *port_data, struct pw_buffer *buffer)
{
  int result;

  in_callback = 1;
  result = __real_pw_filter_queue_buffer (port_data, buffer);
  in_callback = 0;
  return result;
}

void *
__wrap_pw_filter_get_dsp_buffer (void *port_data, uint32_t n_samples)
{
  void *buffer;

  in_callback = 1;
  buffer = __real_pw_filter_get_dsp_buffer (port_data, n_samples);
  in_callback = 0;
  return buffer;
}

unsigned long
rt_filter_buffers (void)
{
  return atomic_load_explicit (&filter_buffers, memory_order_relaxed);
}

unsigned long
rt_midi_inputs (void)
{
  return atomic_load_explicit (&midi_calls, memory_order_relaxed);
}

/* ---- allocation: glibc's own entry points, no dlsym needed ---- */

extern void *__libc_malloc (size_t);
extern void *__libc_calloc (size_t, size_t);
extern void *__libc_realloc (void *, size_t);
extern void *__libc_memalign (size_t, size_t);
extern void *__libc_valloc (size_t);
extern void  __libc_free (void *);

void *
malloc (size_t size)
{
  note (RT_ALLOC);
  return __libc_malloc (size);
}

void *
calloc (size_t n, size_t size)
{
  note (RT_ALLOC);
  return __libc_calloc (n, size);
}

void *
realloc (void *ptr, size_t size)
{
  note (RT_ALLOC);
  return __libc_realloc (ptr, size);
}

void *
memalign (size_t alignment, size_t size)
{
  note (RT_ALLOC);
  return __libc_memalign (alignment, size);
}

void *
aligned_alloc (size_t alignment, size_t size)
{
  note (RT_ALLOC);
  return __libc_memalign (alignment, size);
}

void *
valloc (size_t size)
{
  note (RT_ALLOC);
  return __libc_valloc (size);
}

int
posix_memalign (void **ptr, size_t alignment, size_t size)
{
  void *block;

  note (RT_ALLOC);
  if (alignment % sizeof (void *) != 0 || (alignment & (alignment - 1)) != 0)
    return EINVAL;
  block = __libc_memalign (alignment, size);
  if (block == NULL)
    return ENOMEM;
  *ptr = block;
  return 0;
}

void
free (void *ptr)
{
  note (RT_FREE);
  __libc_free (ptr);
}

/* ---- everything else: forwarded through dlsym (RTLD_NEXT) ---- */

#define FORWARD_VERSION(ret, name, kind, params, args, lookup)          \
  ret name params                                                       \
  {                                                                     \
    static ret (*real) params;                                          \
    note (kind);                                                        \
    if (real == NULL)                                                   \
      real = (ret (*) params) lookup;                                   \
    return real args;                                                   \
  }
#define FORWARD(ret, name, kind, params, args) \
  FORWARD_VERSION (ret, name, kind, params, args, dlsym (RTLD_NEXT, #name))
/* Plain dlsym() finds the pre-2.3.2 condition variables; ask for the
 * current ones. */
#define FORWARD_COND(ret, name, params, args) \
  FORWARD_VERSION (ret, name, RT_LOCK, params, args, dlvsym (RTLD_NEXT, #name, "GLIBC_2.3.2"))

FORWARD (int, pthread_mutex_lock, RT_LOCK, (pthread_mutex_t *m), (m))
FORWARD (int, pthread_mutex_trylock, RT_LOCK, (pthread_mutex_t *m), (m))
FORWARD (int, pthread_mutex_timedlock, RT_LOCK, (pthread_mutex_t *m, const struct timespec *t), (m, t))
FORWARD (int, pthread_rwlock_rdlock, RT_LOCK, (pthread_rwlock_t *l), (l))
FORWARD (int, pthread_rwlock_wrlock, RT_LOCK, (pthread_rwlock_t *l), (l))
FORWARD (int, pthread_spin_lock, RT_LOCK, (pthread_spinlock_t *l), (l))
FORWARD_COND (int, pthread_cond_wait, (pthread_cond_t *c, pthread_mutex_t *m), (c, m))
FORWARD_COND (int, pthread_cond_timedwait,
              (pthread_cond_t *c, pthread_mutex_t *m, const struct timespec *t), (c, m, t))
FORWARD_COND (int, pthread_cond_signal, (pthread_cond_t *c), (c))
FORWARD_COND (int, pthread_cond_broadcast, (pthread_cond_t *c), (c))
FORWARD (int, sem_wait, RT_LOCK, (sem_t *s), (s))
FORWARD (int, sem_timedwait, RT_LOCK, (sem_t *s, const struct timespec *t), (s, t))
FORWARD (int, sem_post, RT_LOCK, (sem_t *s), (s))
FORWARD (ssize_t, read, RT_READ, (int fd, void *buf, size_t n), (fd, buf, n))
FORWARD (ssize_t, write, RT_WRITE, (int fd, const void *buf, size_t n), (fd, buf, n))
FORWARD (int, nanosleep, RT_SYSCALL, (const struct timespec *a, struct timespec *b), (a, b))
FORWARD (int, clock_nanosleep, RT_SYSCALL,
         (clockid_t c, int f, const struct timespec *a, struct timespec *b), (c, f, a, b))
FORWARD (int, usleep, RT_SYSCALL, (useconds_t us), (us))
FORWARD (int, sched_yield, RT_SYSCALL, (void), ())
FORWARD (int, poll, RT_SYSCALL, (struct pollfd *fds, nfds_t n, int timeout), (fds, n, timeout))
FORWARD (void *, mmap, RT_SYSCALL, (void *a, size_t n, int p, int f, int fd, off_t o), (a, n, p, f, fd, o))
FORWARD (int, munmap, RT_SYSCALL, (void *a, size_t n), (a, n))
FORWARD (int, close, RT_SYSCALL, (int fd), (fd))
FORWARD (FILE *, fopen, RT_STDIO, (const char *path, const char *mode), (path, mode))
/* What fortified (-D_FORTIFY_SOURCE) callers use instead of the above. */
int __fprintf_chk (FILE *f, int flag, const char *fmt, ...);
int __printf_chk (int flag, const char *fmt, ...);
int __vfprintf_chk (FILE *f, int flag, const char *fmt, va_list ap);
ssize_t __read_chk (int fd, void *buf, size_t n, size_t size);

FORWARD (int, __vfprintf_chk, RT_STDIO, (FILE *f, int flag, const char *fmt, va_list ap), (f, flag, fmt, ap))
FORWARD (ssize_t, __read_chk, RT_READ, (int fd, void *buf, size_t n, size_t size), (fd, buf, n, size))

int
__fprintf_chk (FILE *f, int flag, const char *fmt, ...)
{
  va_list ap;
  int n;

  va_start (ap, fmt);
  n = __vfprintf_chk (f, flag, fmt, ap);
  va_end (ap);
  return n;
}

int
__printf_chk (int flag, const char *fmt, ...)
{
  va_list ap;
  int n;

  va_start (ap, fmt);
  n = __vfprintf_chk (stdout, flag, fmt, ap);
  va_end (ap);
  return n;
}

int
ioctl (int fd, unsigned long request, ...)
{
  static int (*real) (int, unsigned long, ...);
  void *arg;
  va_list ap;

  note (RT_SYSCALL);
  if (real == NULL)
    real = (int (*) (int, unsigned long, ...)) dlsym (RTLD_NEXT, "ioctl");
  va_start (ap, request);
  arg = va_arg (ap, void *);
  va_end (ap);
  return real (fd, request, arg);
}

int
open (const char *path, int flags, ...)
{
  static int (*real) (const char *, int, ...);
  mode_t mode = 0;
  va_list ap;

  note (RT_STDIO);
  if (real == NULL)
    real = (int (*) (const char *, int, ...)) dlsym (RTLD_NEXT, "open");
  va_start (ap, flags);
  if (flags & (O_CREAT | O_TMPFILE))
    mode = va_arg (ap, mode_t);
  va_end (ap);
  return real (path, flags, mode);
}
/* libm: declared here, not through <math.h>, whose builtins they replace. */
double exp (double x);
float expf (float x);
double exp2 (double x);
double log (double x);
float logf (float x);
double log2 (double x);
double log10 (double x);
double pow (double x, double y);
float powf (float x, float y);
double sin (double x);
float sinf (float x);
double cos (double x);
float cosf (float x);
double tan (double x);
void sincos (double x, double *s, double *c);
void sincosf (float x, float *s, float *c);
double atan2 (double y, double x);
double fmod (double x, double y);
FORWARD (double, exp, RT_LIBM, (double x), (x))
FORWARD (float, expf, RT_LIBM, (float x), (x))
FORWARD (double, exp2, RT_LIBM, (double x), (x))
FORWARD (double, log, RT_LIBM, (double x), (x))
FORWARD (float, logf, RT_LIBM, (float x), (x))
FORWARD (double, log2, RT_LIBM, (double x), (x))
FORWARD (double, log10, RT_LIBM, (double x), (x))
FORWARD (double, pow, RT_LIBM, (double x, double y), (x, y))
FORWARD (float, powf, RT_LIBM, (float x, float y), (x, y))
FORWARD (double, sin, RT_LIBM, (double x), (x))
FORWARD (float, sinf, RT_LIBM, (float x), (x))
FORWARD (double, cos, RT_LIBM, (double x), (x))
FORWARD (float, cosf, RT_LIBM, (float x), (x))
FORWARD (double, tan, RT_LIBM, (double x), (x))
FORWARD (void, sincos, RT_LIBM, (double x, double *s, double *c), (x, s, c))
FORWARD (void, sincosf, RT_LIBM, (float x, float *s, float *c), (x, s, c))
FORWARD (double, atan2, RT_LIBM, (double y, double x), (y, x))
FORWARD (double, fmod, RT_LIBM, (double x, double y), (x, y))

FORWARD (size_t, fwrite, RT_STDIO, (const void *p, size_t s, size_t n, FILE *f), (p, s, n, f))
FORWARD (int, fputs, RT_STDIO, (const char *s, FILE *f), (s, f))
FORWARD (int, puts, RT_STDIO, (const char *s), (s))
FORWARD (int, vfprintf, RT_STDIO, (FILE *f, const char *fmt, va_list ap), (f, fmt, ap))

int
fprintf (FILE *f, const char *fmt, ...)
{
  va_list ap;
  int n;

  va_start (ap, fmt);
  n = vfprintf (f, fmt, ap);
  va_end (ap);
  return n;
}

int
printf (const char *fmt, ...)
{
  va_list ap;
  int n;

  va_start (ap, fmt);
  n = vfprintf (stdout, fmt, ap);
  va_end (ap);
  return n;
}

long
syscall (long number, ...)
{
  static long (*real) (long, ...);
  long a[6];
  va_list ap;

  note (RT_SYSCALL);
  if (real == NULL)
    real = (long (*) (long, ...)) dlsym (RTLD_NEXT, "syscall");
  va_start (ap, number);
  for (int i = 0; i < 6; i++)
    a[i] = va_arg (ap, long);
  va_end (ap);
  return real (number, a[0], a[1], a[2], a[3], a[4], a[5]);
}
