/* flitzis-engine-stats.c: a snapshot of what an engine counted
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Built by flitzis_audio_engine_get_stats() under the engine's lock, on the
 * calling thread; immutable afterwards, so any thread may hold a reference.
 */
#include "config.h"

#include "flitzis-engine-stats-private.h"

struct _FlitzisEngineStats {
  gatomicrefcount ref_count;
  FlitzisEngineCounts counts;
};

G_DEFINE_BOXED_TYPE (FlitzisEngineStats, flitzis_engine_stats,
                     flitzis_engine_stats_ref, flitzis_engine_stats_unref)

FlitzisEngineStats *
_flitzis_engine_stats_new (const FlitzisEngineCounts *counts)
{
  FlitzisEngineStats *stats = g_new0 (FlitzisEngineStats, 1);

  g_atomic_ref_count_init (&stats->ref_count);
  stats->counts = *counts;
  return stats;
}

/**
 * flitzis_engine_stats_ref:
 * @stats: a [struct@Flitzis.EngineStats]
 *
 * Takes a reference to @stats.
 *
 * Returns: (transfer full): @stats
 *
 * Since: 0.1
 */
FlitzisEngineStats *
flitzis_engine_stats_ref (FlitzisEngineStats *stats)
{
  g_return_val_if_fail (stats != NULL, NULL);

  g_atomic_ref_count_inc (&stats->ref_count);
  return stats;
}

/**
 * flitzis_engine_stats_unref:
 * @stats: (transfer full): a [struct@Flitzis.EngineStats]
 *
 * Releases a reference to @stats, freeing it with the last one.
 *
 * Since: 0.1
 */
void
flitzis_engine_stats_unref (FlitzisEngineStats *stats)
{
  g_return_if_fail (stats != NULL);

  if (g_atomic_ref_count_dec (&stats->ref_count))
    g_free (stats);
}

/**
 * flitzis_engine_stats_get_frame:
 * @stats: a [struct@Flitzis.EngineStats]
 *
 * The engine's frame time when the snapshot was taken
 * ([method@Flitzis.AudioEngine.get_frame_time]).
 *
 * Returns: the frames rendered in the current run, or 0 when the engine
 *   was not running
 *
 * Since: 0.1
 */
guint64
flitzis_engine_stats_get_frame (const FlitzisEngineStats *stats)
{
  g_return_val_if_fail (stats != NULL, 0);

  return stats->counts.frame;
}

/**
 * flitzis_engine_stats_get_xruns:
 * @stats: a [struct@Flitzis.EngineStats]
 *
 * Counts the xruns the device or the JACK server reported
 * ([signal@Flitzis.AudioEngine::xrun]): periods delivered too late, heard
 * as a gap or a click.  On a JACK server these are every client's: the
 * engine's own are [method@Flitzis.EngineStats.get_underruns], the rest
 * were caused elsewhere in the server's graph.  On the native PipeWire
 * back-end with [property@Flitzis.AudioEngine:midi-input] (a filter node,
 * which PipeWire tells of no xrun) each cycle the engine's node ran after
 * cycles of the graph it missed counts one: a node was late and the graph
 * went on without the engine, and the MIDI of those cycles is lost.
 *
 * Returns: how many xruns the device or server reported
 *
 * Since: 0.1
 */
guint64
flitzis_engine_stats_get_xruns (const FlitzisEngineStats *stats)
{
  g_return_val_if_fail (stats != NULL, 0);

  return stats->counts.xruns;
}

/**
 * flitzis_engine_stats_get_underruns:
 * @stats: a [struct@Flitzis.EngineStats]
 *
 * Counts the underruns of the engine's own stream
 * ([signal@Flitzis.AudioEngine::underrun]): periods its callback delivered
 * too late.  Through PortAudio these are the underflows the device
 * reported for the stream (each one also an xrun); on a JACK server, the
 * periods whose callback alone took longer than the period.  An xrun that
 * is not also an underrun was another client's, or the server's.
 *
 * Returns: how many periods the engine's own stream delivered too late
 *
 * Since: 0.1
 */
guint64
flitzis_engine_stats_get_underruns (const FlitzisEngineStats *stats)
{
  g_return_val_if_fail (stats != NULL, 0);

  return stats->counts.underruns;
}

/**
 * flitzis_engine_stats_get_streams_abandoned:
 * @stats: a [struct@Flitzis.EngineStats]
 *
 * Counts the device streams the engine had to leave behind when it shut
 * down: their back-end (a frozen JACK server, a sound server gone under
 * PortAudio's ALSA device) did not return from closing within 2 s.  Each
 * leaves a thread blocked in the back-end, and keeps the stream's memory
 * and the samples it played, rather than hanging
 * [method@Flitzis.AudioEngine.shut_down]; should the back-end return, the
 * thread ends and frees the stream.
 *
 * Returns: how many streams were left behind
 *
 * Since: 0.1
 */
guint64
flitzis_engine_stats_get_streams_abandoned (const FlitzisEngineStats *stats)
{
  g_return_val_if_fail (stats != NULL, 0);

  return stats->counts.streams_abandoned;
}

/**
 * flitzis_engine_stats_get_threads_silenced:
 * @stats: a [struct@Flitzis.EngineStats]
 *
 * Counts the audio threads of stalled PortAudio streams that the engine
 * silenced before closing them: PortAudio 19.6's ALSA thread, when the
 * PipeWire daemon behind pipewire-alsa's device dies, spins for ever,
 * writing a line to stderr per turn.  A silenced thread writes its stderr
 * to /dev/null, through a file descriptor table of its own, and runs at
 * `SCHED_IDLE`; the application's stderr is untouched.  See
 * [method@Flitzis.AudioEngine.set_stall_timeout] for what it costs.
 *
 * Returns: how many threads were silenced
 *
 * Since: 0.1
 */
guint64
flitzis_engine_stats_get_threads_silenced (const FlitzisEngineStats *stats)
{
  g_return_val_if_fail (stats != NULL, 0);

  return stats->counts.threads_silenced;
}

/**
 * flitzis_engine_stats_get_dropped_voices:
 * @stats: a [struct@Flitzis.EngineStats]
 *
 * Counts the triggers that found every voice busy
 * ([signal@Flitzis.AudioEngine::voice-dropped]), and the scheduled
 * triggers that found the schedule full.
 *
 * Returns: how many triggers were dropped
 *
 * Since: 0.1
 */
guint64
flitzis_engine_stats_get_dropped_voices (const FlitzisEngineStats *stats)
{
  g_return_val_if_fail (stats != NULL, 0);

  return stats->counts.dropped_voices;
}

/**
 * flitzis_engine_stats_get_dropped_replies:
 * @stats: a [struct@Flitzis.EngineStats]
 *
 * Counts the replies of the audio thread (pongs) that never arrived: the
 * reply queue from the audio thread was full, or the engine shut down
 * before answering.
 *
 * Returns: how many replies were lost
 *
 * Since: 0.1
 */
guint64
flitzis_engine_stats_get_dropped_replies (const FlitzisEngineStats *stats)
{
  g_return_val_if_fail (stats != NULL, 0);

  return stats->counts.dropped_replies;
}

/**
 * flitzis_engine_stats_get_dropped_events:
 * @stats: a [struct@Flitzis.EngineStats]
 *
 * Counts the events of the audio thread
 * ([signal@Flitzis.AudioEngine::sample-started] and the other signals that
 * report what happened, rather than answer a command) lost because the
 * reply queue from the audio thread was full.
 *
 * Returns: how many events were lost
 *
 * Since: 0.1
 */
guint64
flitzis_engine_stats_get_dropped_events (const FlitzisEngineStats *stats)
{
  g_return_val_if_fail (stats != NULL, 0);

  return stats->counts.dropped_events;
}

/**
 * flitzis_engine_stats_get_dropped_messages:
 * @stats: a [struct@Flitzis.EngineStats]
 *
 * Counts the messages that [method@Flitzis.AudioEngine.receive_msg] will
 * never return, because [const@Flitzis.QUEUE_CAPACITY] newer ones pushed
 * them out, oldest first.
 *
 * Returns: how many messages were dropped unreceived
 *
 * Since: 0.1
 */
guint64
flitzis_engine_stats_get_dropped_messages (const FlitzisEngineStats *stats)
{
  g_return_val_if_fail (stats != NULL, 0);

  return stats->counts.dropped_messages;
}

/**
 * flitzis_engine_stats_get_dropped_signals:
 * @stats: a [struct@Flitzis.EngineStats]
 *
 * Counts the signal emissions dropped, oldest first, because
 * [const@Flitzis.QUEUE_CAPACITY] newer ones were waiting for the main
 * context to run.
 *
 * Returns: how many signal emissions were dropped
 *
 * Since: 0.1
 */
guint64
flitzis_engine_stats_get_dropped_signals (const FlitzisEngineStats *stats)
{
  g_return_val_if_fail (stats != NULL, 0);

  return stats->counts.dropped_signals;
}

/**
 * flitzis_engine_stats_get_dropped_levels:
 * @stats: a [struct@Flitzis.EngineStats]
 *
 * Counts the meter snapshots ([signal@Flitzis.AudioEngine::levels]) that
 * the audio thread could not hand over, because the control side had not
 * taken the ones before (no main loop ran, and nobody called
 * [method@Flitzis.AudioEngine.get_levels], for a while).  Emissions dropped
 * after that, waiting for the main context, count with
 * [method@Flitzis.EngineStats.get_dropped_signals].
 *
 * Returns: how many meter snapshots were lost
 *
 * Since: 0.1
 */
guint64
flitzis_engine_stats_get_dropped_levels (const FlitzisEngineStats *stats)
{
  g_return_val_if_fail (stats != NULL, 0);

  return stats->counts.dropped_levels;
}

/**
 * flitzis_engine_stats_get_midi_errors:
 * @stats: a [struct@Flitzis.EngineStats]
 *
 * Counts the malformed MIDI input the audio thread ignored: a data byte
 * with no status to run on, a message cut short by the next status, a
 * system exclusive message cut short (truncated), a stray end of SysEx,
 * and the undefined status bytes (docs/midi.md).  Whole SysEx messages are
 * skipped without being counted here.
 *
 * Returns: how many malformed MIDI bytes and messages were ignored
 *
 * Since: 0.1
 */
guint64
flitzis_engine_stats_get_midi_errors (const FlitzisEngineStats *stats)
{
  g_return_val_if_fail (stats != NULL, 0);

  return stats->counts.midi_errors;
}

/**
 * flitzis_engine_stats_get_dropped_midi:
 * @stats: a [struct@Flitzis.EngineStats]
 *
 * Counts the MIDI events the audio thread had no room for: more than 256
 * waiting for their audio period at once.  Their
 * [signal@Flitzis.AudioEngine::midi-event] reports, when the reply queue
 * is full, count with [method@Flitzis.EngineStats.get_dropped_events].
 *
 * Returns: how many MIDI events were dropped
 *
 * Since: 0.1
 */
guint64
flitzis_engine_stats_get_dropped_midi (const FlitzisEngineStats *stats)
{
  g_return_val_if_fail (stats != NULL, 0);

  return stats->counts.dropped_midi;
}
