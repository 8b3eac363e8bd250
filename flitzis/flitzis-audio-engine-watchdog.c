/* flitzis-audio-engine-watchdog.c: what the control side watches in a
 * running stream
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The stall-timeout property, whose watchdog (-replies.c's stream_stalled())
 * looks at the frame time each time the engine's source runs in the main
 * context, and the realtime-scheduling property: what the kernel says of
 * the audio thread's policy, asked from the main context once the stream's
 * frame time has moved (the thread that ran the last period still exists
 * then).  No code here runs on the audio thread.
 */
#include "config.h"

#include <pthread.h>
#include <sched.h>

#include "flitzis-audio-engine-private.h"
#include "flitzis-engine-error.h"

/* Linux's flag on a policy (sched.h has it only with _GNU_SOURCE). */
#ifdef SCHED_RESET_ON_FORK
#define FZ_SCHED_RESET_ON_FORK SCHED_RESET_ON_FORK
#else
#define FZ_SCHED_RESET_ON_FORK 0x40000000
#endif

/* The stall-timeout property, installed by the class. */
void
_flitzis_audio_engine_class_init_stream (GParamSpec **properties)
{
  /**
   * FlitzisAudioEngine:stall-timeout: (getter get_stall_timeout) (setter set_stall_timeout)
   *
   * The watchdog: how many milliseconds a running device stream's frame
   * time may stand still before the engine reports
   * [signal@Flitzis.AudioEngine::stream-error] with
   * [error@Flitzis.EngineError.STALLED] and shuts down; 0 turns the
   * watchdog off.  See [method@Flitzis.AudioEngine.set_stall_timeout].
   *
   * Since: 0.1
   */
  properties[PROP_STALL_TIMEOUT] =
    g_param_spec_uint ("stall-timeout", _("Stall timeout"),
                       _("Milliseconds a running stream may stand still before the engine "
                         "gives up on it, or 0 for never"),
                       0, G_MAXUINT, FZ_DEFAULT_STALL_TIMEOUT_MS,
                       G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * FlitzisAudioEngine:realtime-scheduling: (getter get_realtime_scheduling)
   *
   * Whether the running device stream's audio thread has real-time
   * scheduling (`SCHED_FIFO` or `SCHED_RR`), as the kernel reports it.
   * See [method@Flitzis.AudioEngine.get_realtime_scheduling].
   *
   * Since: 0.1
   */
  properties[PROP_REALTIME_SCHEDULING] =
    g_param_spec_boolean ("realtime-scheduling", _("Real-time scheduling"),
                          _("Whether the audio thread runs with real-time scheduling"),
                          FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
}

/* Called with the lock held while a device stream is open, so that the
 * thread that ran its last period still exists (a stream's audio thread
 * lives as long as the stream: fz_stream_close() is called only once the
 * stream is no longer the engine's). */
static gboolean
audio_thread_is_realtime (FzCore *core)
{
  uintptr_t thread = fz_core_get_audio_thread (core);
  struct sched_param param;
  int policy;

  G_STATIC_ASSERT (sizeof (pthread_t) <= sizeof (uintptr_t));
  if (thread == 0 || pthread_getschedparam ((pthread_t) thread, &policy, &param) != 0)
    return FALSE;
  /* PipeWire's module-rt asks for SCHED_FIFO | SCHED_RESET_ON_FORK. */
  policy &= ~FZ_SCHED_RESET_ON_FORK;
  return policy == SCHED_FIFO || policy == SCHED_RR;
}

void
_flitzis_audio_engine_take_scheduling (FlitzisAudioEngine *self)
{
  gboolean realtime;

  if (self->scheduling_known || self->stream == NULL)
    return;
  realtime = audio_thread_is_realtime (self->core);
  self->scheduling_known = TRUE;
  self->scheduling_to_notify = realtime != self->realtime_scheduling;
  self->realtime_scheduling = realtime;
}

void
_flitzis_audio_engine_notify_scheduling (FlitzisAudioEngine *self)
{
  gboolean changed;

  fz_mutex_lock (&self->lock);
  changed = self->scheduling_to_notify;
  self->scheduling_to_notify = FALSE;
  fz_mutex_unlock (&self->lock);
  if (changed)
    _flitzis_audio_engine_notify (self, PROP_REALTIME_SCHEDULING);
}

/**
 * flitzis_audio_engine_get_realtime_scheduling:
 * @self: a [class@Flitzis.AudioEngine]
 *
 * Gets [property@Flitzis.AudioEngine:realtime-scheduling]: whether the
 * audio thread of the running device stream has real-time scheduling
 * (`SCHED_FIFO` or `SCHED_RR`).  Every back-end asks for it where the
 * system allows it: JACK's process thread is real-time when its server is
 * (jackd's default), PipeWire's data thread through the client's
 * module-rt, and PortAudio's ALSA callback thread through
 * `PaAlsa_EnableRealtimeScheduling()`.  The system allows it to root, or
 * to a user with an `RLIMIT_RTPRIO` (the audio group of Debian's jackd2
 * and PipeWire packages) or RealtimeKit; otherwise the thread stays
 * `SCHED_OTHER`, and the engine plays on, with this %FALSE.
 *
 * The policy is read from the kernel once the stream's first period has
 * been rendered, where the engine's replies are taken (the main context
 * of [method@Flitzis.AudioEngine.run], or
 * [method@Flitzis.AudioEngine.receive_msg]); notify::realtime-scheduling
 * is emitted when it becomes %TRUE, and when the engine shuts down.
 *
 * Returns: %TRUE if the audio thread runs with real-time scheduling;
 *   %FALSE before its first period, when not running, and for offline
 *   engines (render()'s caller is their audio thread)
 *
 * Since: 0.1
 */
gboolean
flitzis_audio_engine_get_realtime_scheduling (FlitzisAudioEngine *self)
{
  gboolean realtime;

  g_return_val_if_fail (FLITZIS_IS_AUDIO_ENGINE (self), FALSE);

  fz_mutex_lock (&self->lock);
  realtime = self->realtime_scheduling;
  fz_mutex_unlock (&self->lock);
  return realtime;
}

void
_flitzis_audio_engine_init_stream (FlitzisAudioEngine *self)
{
  self->stall_timeout_ms = _flitzis_audio_engine_default_stall_timeout ();
  self->lock_memory = TRUE;
  /* PortAudio stays initialised, once needed, while an engine exists. */
  fz_stream_backend_hold ();
}

gboolean
_flitzis_audio_engine_stream_get_property (FlitzisAudioEngine *self, guint prop_id,
                                           GValue *value)
{
  switch (prop_id)
    {
    case PROP_STALL_TIMEOUT:
      g_value_set_uint (value, flitzis_audio_engine_get_stall_timeout (self));
      return TRUE;
    case PROP_REALTIME_SCHEDULING:
      g_value_set_boolean (value, flitzis_audio_engine_get_realtime_scheduling (self));
      return TRUE;
    default:
      return FALSE;
    }
}

gboolean
_flitzis_audio_engine_stream_set_property (FlitzisAudioEngine *self, guint prop_id,
                                           const GValue *value)
{
  switch (prop_id)
    {
    case PROP_STALL_TIMEOUT:
      flitzis_audio_engine_set_stall_timeout (self, g_value_get_uint (value));
      return TRUE;
    default:
      return FALSE;
    }
}

guint
_flitzis_audio_engine_default_stall_timeout (void)
{
  const char *from_env = g_getenv ("FLITZIS_STALL_TIMEOUT_MS");
  guint64 value;

  if (from_env != NULL && g_ascii_string_to_unsigned (from_env, 10, 0, G_MAXUINT, &value, NULL))
    return (guint) value;
  return FZ_DEFAULT_STALL_TIMEOUT_MS;
}

/**
 * flitzis_audio_engine_get_stall_timeout:
 * @self: a [class@Flitzis.AudioEngine]
 *
 * Gets [property@Flitzis.AudioEngine:stall-timeout].
 *
 * Returns: the watchdog's timeout in milliseconds, or 0 when it is off
 *
 * Since: 0.1
 */
guint
flitzis_audio_engine_get_stall_timeout (FlitzisAudioEngine *self)
{
  g_return_val_if_fail (FLITZIS_IS_AUDIO_ENGINE (self), 0);

  return _flitzis_audio_engine_read_guint (self, &self->stall_timeout_ms);
}

/**
 * flitzis_audio_engine_set_stall_timeout:
 * @self: a [class@Flitzis.AudioEngine]
 * @timeout_ms: milliseconds, or 0 to turn the watchdog off
 *
 * Sets [property@Flitzis.AudioEngine:stall-timeout], at once, running or
 * not.  The default is 500 ms, or what the `FLITZIS_STALL_TIMEOUT_MS`
 * environment variable says when the engine is made.  A stream stalls when its device, driver or
 * sound server stops calling the engine without saying so: a frozen JACK
 * server, a PipeWire daemon killed under PortAudio's ALSA device.  The
 * watchdog runs where the engine's replies are taken: in the main context
 * of [method@Flitzis.AudioEngine.run] (every 100 ms at most while nothing
 * plays), or in [method@Flitzis.AudioEngine.receive_msg]; a stall is
 * reported within the timeout plus 100 ms.  Shutting a stalled stream down
 * waits at most 2 s for the back-end; a back-end that does not return
 * leaves its thread behind, counted by
 * [method@Flitzis.EngineStats.get_streams_abandoned].
 *
 * A stalled PortAudio stream's audio thread is silenced before the
 * stream is closed, counted by
 * [method@Flitzis.EngineStats.get_threads_silenced]: PortAudio 19.6's
 * ALSA thread, once the PipeWire daemon behind pipewire-alsa's device
 * dies, spins for ever writing a line to stderr per turn (over 100 MB/s),
 * and nothing in PortAudio stops it.  The engine sends that thread a
 * signal (`SIGRTMIN + 10`, or the number in the `FLITZIS_SILENCE_SIGNAL`
 * environment variable; 0 never silences), whose handler, installed only
 * for that moment (at most 100 ms) and the previous action then put back,
 * moves the thread to `SCHED_IDLE` and gives it a file descriptor table of
 * its own whose stderr is /dev/null; the application's stderr is
 * untouched.  What it costs: that table keeps every file descriptor open
 * at that moment open for as long as the thread lives, for a thread left
 * behind until the process exits (a socket or pipe the application
 * closes later stays open underneath, its peer sees no end of file); an
 * application that uses that signal for itself should set another.
 *
 * Since: 0.1
 */
void
flitzis_audio_engine_set_stall_timeout (FlitzisAudioEngine *self, guint timeout_ms)
{
  gboolean changed;

  g_return_if_fail (FLITZIS_IS_AUDIO_ENGINE (self));

  fz_mutex_lock (&self->lock);
  changed = self->stall_timeout_ms != timeout_ms;
  self->stall_timeout_ms = timeout_ms;
  fz_mutex_unlock (&self->lock);
  if (changed)
    _flitzis_audio_engine_notify (self, PROP_STALL_TIMEOUT);
}

