/* flitzis-audio-engine.h: a real-time sample player
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#if !defined(__FLITZIS_H_INSIDE__) && !defined(FLITZIS_COMPILATION)
#error "Only <flitzis/flitzis.h> can be included directly."
#endif

#include <gio/gio.h>
#include <flitzis/flitzis-version.h>
#include <flitzis/flitzis-backend.h>
#include <flitzis/flitzis-engine-stats.h>
#include <flitzis/flitzis-levels.h>
#include <flitzis/flitzis-message.h>
#include <flitzis/flitzis-sample-info.h>

G_BEGIN_DECLS

/**
 * FLITZIS_MAX_SAMPLE_SLOTS:
 *
 * The number of sample slots of an engine by default: slot ids run from 0
 * to [property@Flitzis.AudioEngine:slots] - 1, and an engine may be made with
 * 1 to 1024 slots.
 *
 * Since: 0.1
 */
#define FLITZIS_MAX_SAMPLE_SLOTS 32

/**
 * FLITZIS_MAX_VOICES:
 *
 * How many samples an engine plays at once by default
 * ([property@Flitzis.AudioEngine:voices], 1 to 256).  A trigger while all
 * voices are busy is dropped and counted (see
 * [method@Flitzis.AudioEngine.get_stats]).
 *
 * Since: 0.1
 */
#define FLITZIS_MAX_VOICES 32

/**
 * FLITZIS_QUEUE_CAPACITY:
 *
 * How many commands may wait for the audio thread, and how many replies may
 * wait for the control side, at once.
 *
 * Since: 0.1
 */
#define FLITZIS_QUEUE_CAPACITY 1024

/**
 * FLITZIS_MAX_OFFLINE_RATE:
 *
 * The highest sample rate, in Hz, of an offline engine.
 *
 * Since: 0.1
 */
#define FLITZIS_MAX_OFFLINE_RATE 768000

/**
 * FLITZIS_MAX_OFFLINE_CHANNELS:
 *
 * The most channels an offline engine renders.
 *
 * Since: 0.1
 */
#define FLITZIS_MAX_OFFLINE_CHANNELS 32

/**
 * FLITZIS_MAX_GAIN:
 *
 * The highest master volume and slot gain: 4.0, about +12 dB.
 *
 * Since: 0.1
 */
#define FLITZIS_MAX_GAIN 4.0

/**
 * FlitzisRetrigger:
 * @FLITZIS_RETRIGGER_LAYER: every trigger starts a new voice beside the
 *   slot's others (the default)
 * @FLITZIS_RETRIGGER_RESTART: one voice per slot: a trigger on a sounding
 *   slot restarts it from its start (its loop start when it loops),
 *   crossfading linearly over 5 ms from the old sound to the new one, so
 *   that a constant signal keeps its level and the level never doubles
 * @FLITZIS_RETRIGGER_TOGGLE: a trigger on a sounding slot stops it with a
 *   5 ms fade; on a silent slot it starts it
 *
 * What a trigger does to a slot that is already sounding (see
 * [method@Flitzis.AudioEngine.set_sample_retrigger]).
 *
 * Since: 0.1
 */
typedef enum {
  FLITZIS_RETRIGGER_LAYER,
  FLITZIS_RETRIGGER_RESTART,
  FLITZIS_RETRIGGER_TOGGLE,
} FlitzisRetrigger;

/**
 * FLITZIS_MAX_CHOKE_GROUP:
 *
 * The highest choke group (see [method@Flitzis.AudioEngine.set_sample_choke_group]);
 * groups are 1 to 16, and 0 is none.
 *
 * Since: 0.1
 */
#define FLITZIS_MAX_CHOKE_GROUP 16

/**
 * FLITZIS_MIN_TEMPO:
 *
 * The slowest [property@Flitzis.AudioEngine:tempo], in beats per minute.
 *
 * Since: 0.1
 */
#define FLITZIS_MIN_TEMPO 20.0

/**
 * FLITZIS_MAX_TEMPO:
 *
 * The fastest [property@Flitzis.AudioEngine:tempo], in beats per minute.
 *
 * Since: 0.1
 */
#define FLITZIS_MAX_TEMPO 400.0

/**
 * FLITZIS_MAX_PITCH:
 *
 * The largest pitch shift, up or down, in semitones
 * ([method@Flitzis.AudioEngine.set_sample_pitch]).
 *
 * Since: 0.1
 */
#define FLITZIS_MAX_PITCH 12.0

/**
 * FLITZIS_MAX_KEY_LOCKED_VOICES:
 *
 * How many voices are stretched at once at most (key-locked, or with a
 * pitch shift): see [method@Flitzis.AudioEngine.set_sample_key_lock].
 *
 * Since: 0.1
 */
#define FLITZIS_MAX_KEY_LOCKED_VOICES 16

/**
 * FLITZIS_MIN_SPEED:
 *
 * The slowest [property@Flitzis.AudioEngine:speed], and the slowest speed
 * of a slot ([method@Flitzis.AudioEngine.set_sample_speed]): a quarter of
 * the recorded speed, two octaves down.
 *
 * Since: 0.1
 */
#define FLITZIS_MIN_SPEED 0.25

/**
 * FLITZIS_MAX_SPEED:
 *
 * The fastest [property@Flitzis.AudioEngine:speed], and the fastest speed of
 * a slot: four times the recorded speed, two octaves up.
 *
 * Since: 0.1
 */
#define FLITZIS_MAX_SPEED 4.0

/**
 * FLITZIS_MAX_BEATS_PER_BAR:
 *
 * The longest bar: [property@Flitzis.AudioEngine:beats-per-bar] is 1 to 32.
 *
 * Since: 0.1
 */
#define FLITZIS_MAX_BEATS_PER_BAR 32

/**
 * FlitzisQuantize:
 * @FLITZIS_QUANTIZE_NONE: at once: at the start of the next audio period
 *   (the default)
 * @FLITZIS_QUANTIZE_BAR: on the next bar line
 * @FLITZIS_QUANTIZE_BEAT: on the next beat
 * @FLITZIS_QUANTIZE_EIGHTH: on the next eighth note (half a beat)
 * @FLITZIS_QUANTIZE_SIXTEENTH: on the next sixteenth note
 * @FLITZIS_QUANTIZE_THIRTY_SECOND: on the next thirty-second note
 * @FLITZIS_QUANTIZE_SIXTY_FOURTH: on the next sixty-fourth note
 *
 * The grid that [method@Flitzis.AudioEngine.play_sample],
 * [method@Flitzis.AudioEngine.play_sample_exclusive] and the stops follow
 * ([property@Flitzis.AudioEngine:quantize]).  A beat is a quarter note.
 *
 * Since: 0.1
 */
typedef enum {
  FLITZIS_QUANTIZE_NONE,
  FLITZIS_QUANTIZE_BAR,
  FLITZIS_QUANTIZE_BEAT,
  FLITZIS_QUANTIZE_EIGHTH,
  FLITZIS_QUANTIZE_SIXTEENTH,
  FLITZIS_QUANTIZE_THIRTY_SECOND,
  FLITZIS_QUANTIZE_SIXTY_FOURTH,
} FlitzisQuantize;

/**
 * FlitzisResampleQuality:
 * @FLITZIS_RESAMPLE_QUICK: the quickest: cubic interpolation (libsoxr's
 *   quick recipe), for sketches and previews
 * @FLITZIS_RESAMPLE_LOW: 16-bit precision with a larger roll-off
 *   (libsoxr's low quality)
 * @FLITZIS_RESAMPLE_MEDIUM: 16-bit precision with a medium roll-off
 *   (libsoxr's medium quality)
 * @FLITZIS_RESAMPLE_HIGH: 20-bit precision (libsoxr's high quality): the
 *   default
 * @FLITZIS_RESAMPLE_VERY_HIGH: 28-bit precision (libsoxr's very high
 *   quality): the slowest
 *
 * How a sample whose file has another rate than the stream is converted
 * when it is loaded ([property@Flitzis.AudioEngine:resample-quality]).
 * All of them are linear phase; the audio thread never resamples, so the
 * choice costs load time, not playback.
 *
 * Since: 0.1
 */
typedef enum {
  FLITZIS_RESAMPLE_QUICK,
  FLITZIS_RESAMPLE_LOW,
  FLITZIS_RESAMPLE_MEDIUM,
  FLITZIS_RESAMPLE_HIGH,
  FLITZIS_RESAMPLE_VERY_HIGH,
} FlitzisResampleQuality;

#define FLITZIS_TYPE_AUDIO_ENGINE (flitzis_audio_engine_get_type ())

FLITZIS_AVAILABLE_IN_0_1
G_DECLARE_FINAL_TYPE (FlitzisAudioEngine, flitzis_audio_engine, FLITZIS, AUDIO_ENGINE, GObject)

FLITZIS_AVAILABLE_IN_0_1
FlitzisAudioEngine *flitzis_audio_engine_new            (void);
FLITZIS_AVAILABLE_IN_0_1
FlitzisAudioEngine *flitzis_audio_engine_new_offline    (guint               sample_rate,
                                                         guint               channels);
FLITZIS_AVAILABLE_IN_0_1
gboolean            flitzis_audio_engine_render         (FlitzisAudioEngine *self,
                                                         float              *buffer,
                                                         gsize               n_frames,
                                                         GError            **error);
FLITZIS_AVAILABLE_IN_0_1
GBytes             *flitzis_audio_engine_render_bytes   (FlitzisAudioEngine *self,
                                                         gsize               n_frames,
                                                         GError            **error);

FLITZIS_AVAILABLE_IN_0_1
gboolean            flitzis_audio_engine_run            (FlitzisAudioEngine *self,
                                                         GError            **error);
FLITZIS_AVAILABLE_IN_0_1
void                flitzis_audio_engine_shut_down      (FlitzisAudioEngine *self);

FLITZIS_AVAILABLE_IN_0_1
gboolean            flitzis_audio_engine_load_sample    (FlitzisAudioEngine *self,
                                                         guint               id,
                                                         const char         *path,
                                                         GError            **error);
FLITZIS_AVAILABLE_IN_0_1
gboolean            flitzis_audio_engine_play_sample    (FlitzisAudioEngine *self,
                                                         guint               id,
                                                         float               velocity,
                                                         GError            **error);
FLITZIS_AVAILABLE_IN_0_1
void                flitzis_audio_engine_load_sample_async  (FlitzisAudioEngine  *self,
                                                             guint                id,
                                                             const char          *path,
                                                             GCancellable        *cancellable,
                                                             GAsyncReadyCallback  callback,
                                                             gpointer             user_data);
FLITZIS_AVAILABLE_IN_0_1
gboolean            flitzis_audio_engine_load_sample_finish (FlitzisAudioEngine  *self,
                                                             GAsyncResult        *result,
                                                             GError             **error);
FLITZIS_AVAILABLE_IN_0_1
gboolean            flitzis_audio_engine_unload_sample  (FlitzisAudioEngine *self,
                                                         guint               id,
                                                         GError            **error);
FLITZIS_AVAILABLE_IN_0_1
FlitzisSampleInfo  *flitzis_audio_engine_dup_sample_info (FlitzisAudioEngine *self,
                                                          guint               id,
                                                          GError            **error);
FLITZIS_AVAILABLE_IN_0_1
gboolean            flitzis_audio_engine_play_sample_at (FlitzisAudioEngine *self,
                                                         guint               id,
                                                         float               velocity,
                                                         guint64             frame,
                                                         GError            **error);
FLITZIS_AVAILABLE_IN_0_1
gboolean            flitzis_audio_engine_stop_sample    (FlitzisAudioEngine *self,
                                                         guint               id,
                                                         GError            **error);
FLITZIS_AVAILABLE_IN_0_1
gboolean            flitzis_audio_engine_stop_all       (FlitzisAudioEngine *self,
                                                         GError            **error);
FLITZIS_AVAILABLE_IN_0_1
gboolean            flitzis_audio_engine_set_sample_loop (FlitzisAudioEngine *self,
                                                          guint               id,
                                                          gboolean            loop,
                                                          guint64             start_frame,
                                                          guint64             end_frame,
                                                          GError            **error);
FLITZIS_AVAILABLE_IN_0_1
gboolean            flitzis_audio_engine_set_sample_eq   (FlitzisAudioEngine *self,
                                                          guint               id,
                                                          double              low_db,
                                                          double              mid_db,
                                                          double              high_db,
                                                          GError            **error);
FLITZIS_AVAILABLE_IN_0_1
gboolean            flitzis_audio_engine_set_sample_gain (FlitzisAudioEngine *self,
                                                          guint               id,
                                                          double              gain,
                                                          GError            **error);
FLITZIS_AVAILABLE_IN_0_1
double              flitzis_audio_engine_get_volume     (FlitzisAudioEngine *self);
FLITZIS_AVAILABLE_IN_0_1
gboolean            flitzis_audio_engine_set_volume     (FlitzisAudioEngine *self,
                                                         double              volume,
                                                         GError            **error);
FLITZIS_AVAILABLE_IN_0_1
gboolean            flitzis_audio_engine_ping           (FlitzisAudioEngine *self,
                                                         GError            **error);
FLITZIS_AVAILABLE_IN_0_1
gboolean            flitzis_audio_engine_pause          (FlitzisAudioEngine *self,
                                                         GError            **error);
FLITZIS_AVAILABLE_IN_0_1
gboolean            flitzis_audio_engine_resume         (FlitzisAudioEngine *self,
                                                         GError            **error);
FLITZIS_AVAILABLE_IN_0_1
gboolean            flitzis_audio_engine_get_paused     (FlitzisAudioEngine *self);
FLITZIS_AVAILABLE_IN_0_1
guint               flitzis_audio_engine_get_slots      (FlitzisAudioEngine *self);
FLITZIS_AVAILABLE_IN_0_1
guint               flitzis_audio_engine_get_voices     (FlitzisAudioEngine *self);
FLITZIS_AVAILABLE_IN_0_1
gboolean            flitzis_audio_engine_set_sample_retrigger (FlitzisAudioEngine *self,
                                                               guint               id,
                                                               FlitzisRetrigger    policy,
                                                               GError            **error);
FLITZIS_AVAILABLE_IN_0_1
gboolean            flitzis_audio_engine_set_sample_choke_group (FlitzisAudioEngine *self,
                                                                 guint               id,
                                                                 guint               group,
                                                                 GError            **error);
FLITZIS_AVAILABLE_IN_0_1
gboolean            flitzis_audio_engine_play_sample_exclusive (FlitzisAudioEngine *self,
                                                                guint               id,
                                                                float               velocity,
                                                                GError            **error);
FLITZIS_AVAILABLE_IN_0_1
gboolean            flitzis_audio_engine_pause_sample   (FlitzisAudioEngine *self,
                                                         guint               id,
                                                         GError            **error);
FLITZIS_AVAILABLE_IN_0_1
gboolean            flitzis_audio_engine_resume_sample  (FlitzisAudioEngine *self,
                                                         guint               id,
                                                         GError            **error);
FLITZIS_AVAILABLE_IN_0_1
gboolean            flitzis_audio_engine_seek_sample    (FlitzisAudioEngine *self,
                                                         guint               id,
                                                         guint64             frame,
                                                         GError            **error);
FLITZIS_AVAILABLE_IN_0_1
FlitzisMessage     *flitzis_audio_engine_receive_msg    (FlitzisAudioEngine *self);

FLITZIS_AVAILABLE_IN_0_1
gboolean            flitzis_audio_engine_get_running    (FlitzisAudioEngine *self);
FLITZIS_AVAILABLE_IN_0_1
guint               flitzis_audio_engine_get_sample_rate (FlitzisAudioEngine *self);
FLITZIS_AVAILABLE_IN_0_1
void                flitzis_audio_engine_set_sample_rate (FlitzisAudioEngine *self,
                                                          guint               sample_rate);
FLITZIS_AVAILABLE_IN_0_1
guint               flitzis_audio_engine_get_period_frames (FlitzisAudioEngine *self);
FLITZIS_AVAILABLE_IN_0_1
void                flitzis_audio_engine_set_period_frames (FlitzisAudioEngine *self,
                                                            guint               period_frames);
FLITZIS_AVAILABLE_IN_0_1
double              flitzis_audio_engine_get_latency    (FlitzisAudioEngine *self);
FLITZIS_AVAILABLE_IN_0_1
guint               flitzis_audio_engine_get_stall_timeout (FlitzisAudioEngine *self);
FLITZIS_AVAILABLE_IN_0_1
void                flitzis_audio_engine_set_stall_timeout (FlitzisAudioEngine *self,
                                                            guint               timeout_ms);
FLITZIS_AVAILABLE_IN_0_1
gboolean            flitzis_audio_engine_get_realtime_scheduling (FlitzisAudioEngine *self);
FLITZIS_AVAILABLE_IN_0_1
FlitzisResampleQuality flitzis_audio_engine_get_resample_quality (FlitzisAudioEngine *self);
FLITZIS_AVAILABLE_IN_0_1
gboolean            flitzis_audio_engine_set_resample_quality (FlitzisAudioEngine     *self,
                                                               FlitzisResampleQuality  quality,
                                                               GError                **error);
FLITZIS_AVAILABLE_IN_0_1
gboolean            flitzis_audio_engine_get_lock_memory (FlitzisAudioEngine *self);
FLITZIS_AVAILABLE_IN_0_1
void                flitzis_audio_engine_set_lock_memory (FlitzisAudioEngine *self,
                                                          gboolean            lock_memory);
FLITZIS_AVAILABLE_IN_0_1
GListModel         *flitzis_audio_engine_list_output_devices (GError **error);
FLITZIS_AVAILABLE_IN_0_1
guint               flitzis_audio_engine_get_channels   (FlitzisAudioEngine *self);
FLITZIS_AVAILABLE_IN_0_1
char               *flitzis_audio_engine_dup_device     (FlitzisAudioEngine *self);
FLITZIS_AVAILABLE_IN_0_1
void                flitzis_audio_engine_set_device     (FlitzisAudioEngine *self,
                                                         const char         *device);
FLITZIS_AVAILABLE_IN_0_1
guint64             flitzis_audio_engine_get_frame_time (FlitzisAudioEngine *self);

FLITZIS_AVAILABLE_IN_0_1
gboolean            flitzis_audio_engine_get_offline    (FlitzisAudioEngine *self);
FLITZIS_AVAILABLE_IN_0_1
FlitzisEngineStats *flitzis_audio_engine_get_stats      (FlitzisAudioEngine *self);

FLITZIS_AVAILABLE_IN_0_1
FlitzisBackend      flitzis_audio_engine_get_backend    (FlitzisAudioEngine *self);
FLITZIS_AVAILABLE_IN_0_1
void                flitzis_audio_engine_set_backend    (FlitzisAudioEngine *self,
                                                         FlitzisBackend      backend);
FLITZIS_AVAILABLE_IN_0_1
FlitzisBackend      flitzis_audio_engine_get_active_backend (FlitzisAudioEngine *self);
FLITZIS_AVAILABLE_IN_0_1
FlitzisBackend      flitzis_audio_engine_detect_backend (void);
FLITZIS_AVAILABLE_IN_0_1
GListModel         *flitzis_audio_engine_monitor_output_devices (GError **error);
FLITZIS_AVAILABLE_IN_0_1
gboolean            flitzis_audio_engine_get_reconnect  (FlitzisAudioEngine *self);
FLITZIS_AVAILABLE_IN_0_1
void                flitzis_audio_engine_set_reconnect  (FlitzisAudioEngine *self,
                                                         gboolean            reconnect);


/* What plays: meters and playheads. */
FLITZIS_AVAILABLE_IN_0_1
guint               flitzis_audio_engine_get_meter_rate (FlitzisAudioEngine *self);
FLITZIS_AVAILABLE_IN_0_1
gboolean            flitzis_audio_engine_set_meter_rate (FlitzisAudioEngine *self,
                                                         guint               rate,
                                                         GError            **error);
FLITZIS_AVAILABLE_IN_0_1
FlitzisLevels      *flitzis_audio_engine_get_levels     (FlitzisAudioEngine *self);
FLITZIS_AVAILABLE_IN_0_1
gboolean            flitzis_audio_engine_load_sample_from_bytes (FlitzisAudioEngine  *self,
                                                                 guint                id,
                                                                 GBytes              *pcm,
                                                                 guint                rate,
                                                                 guint                channels,
                                                                 GError             **error);
FLITZIS_AVAILABLE_IN_0_1
void                flitzis_audio_engine_load_sample_from_bytes_async (FlitzisAudioEngine  *self,
                                                                       guint                id,
                                                                       GBytes              *pcm,
                                                                       guint                rate,
                                                                       guint                channels,
                                                                       GCancellable        *cancellable,
                                                                       GAsyncReadyCallback  callback,
                                                                       gpointer             user_data);
FLITZIS_AVAILABLE_IN_0_1
gboolean            flitzis_audio_engine_load_sample_from_bytes_finish (FlitzisAudioEngine  *self,
                                                                        GAsyncResult        *result,
                                                                        GError             **error);
FLITZIS_AVAILABLE_IN_0_1
GBytes             *flitzis_audio_engine_dup_waveform   (FlitzisAudioEngine *self,
                                                         guint               id,
                                                         guint64             start_frame,
                                                         guint64             end_frame,
                                                         guint               n_buckets,
                                                         GError            **error);

FLITZIS_AVAILABLE_IN_0_1
double              flitzis_audio_engine_get_tempo      (FlitzisAudioEngine *self);
FLITZIS_AVAILABLE_IN_0_1
gboolean            flitzis_audio_engine_set_tempo      (FlitzisAudioEngine *self,
                                                         double              bpm,
                                                         GError            **error);
FLITZIS_AVAILABLE_IN_0_1
guint               flitzis_audio_engine_get_beats_per_bar (FlitzisAudioEngine *self);
FLITZIS_AVAILABLE_IN_0_1
gboolean            flitzis_audio_engine_set_beats_per_bar (FlitzisAudioEngine *self,
                                                            guint               beats,
                                                            GError            **error);
FLITZIS_AVAILABLE_IN_0_1
guint64             flitzis_audio_engine_get_downbeat_frame (FlitzisAudioEngine *self);
FLITZIS_AVAILABLE_IN_0_1
gboolean            flitzis_audio_engine_set_downbeat_frame (FlitzisAudioEngine *self,
                                                             guint64             frame,
                                                             GError            **error);
FLITZIS_AVAILABLE_IN_0_1
FlitzisQuantize     flitzis_audio_engine_get_quantize   (FlitzisAudioEngine *self);
FLITZIS_AVAILABLE_IN_0_1
void                flitzis_audio_engine_set_quantize   (FlitzisAudioEngine *self,
                                                         FlitzisQuantize     quantize);
FLITZIS_AVAILABLE_IN_0_1
gboolean            flitzis_audio_engine_get_metronome  (FlitzisAudioEngine *self);
FLITZIS_AVAILABLE_IN_0_1
gboolean            flitzis_audio_engine_set_metronome  (FlitzisAudioEngine *self,
                                                         gboolean            metronome,
                                                         GError            **error);
FLITZIS_AVAILABLE_IN_0_1
double              flitzis_audio_engine_get_metronome_volume (FlitzisAudioEngine *self);
FLITZIS_AVAILABLE_IN_0_1
gboolean            flitzis_audio_engine_set_metronome_volume (FlitzisAudioEngine *self,
                                                               double              volume,
                                                               GError            **error);
FLITZIS_AVAILABLE_IN_0_1
gboolean            flitzis_audio_engine_get_report_beats (FlitzisAudioEngine *self);
FLITZIS_AVAILABLE_IN_0_1
gboolean            flitzis_audio_engine_set_report_beats (FlitzisAudioEngine *self,
                                                           gboolean            report,
                                                           GError            **error);
FLITZIS_AVAILABLE_IN_0_1
void                flitzis_audio_engine_get_position   (FlitzisAudioEngine *self,
                                                         guint64             frame,
                                                         gint64             *bar,
                                                         guint              *beat,
                                                         double             *fraction);
FLITZIS_AVAILABLE_IN_0_1
guint64             flitzis_audio_engine_get_grid_frame (FlitzisAudioEngine *self,
                                                         FlitzisQuantize     grid,
                                                         guint64             frame);
FLITZIS_AVAILABLE_IN_0_1
double              flitzis_audio_engine_get_speed      (FlitzisAudioEngine *self);
FLITZIS_AVAILABLE_IN_0_1
gboolean            flitzis_audio_engine_set_speed      (FlitzisAudioEngine *self,
                                                         double              ratio,
                                                         GError            **error);
FLITZIS_AVAILABLE_IN_0_1
gboolean            flitzis_audio_engine_get_tempo_lock (FlitzisAudioEngine *self);
FLITZIS_AVAILABLE_IN_0_1
void                flitzis_audio_engine_set_tempo_lock (FlitzisAudioEngine *self,
                                                         gboolean            tempo_lock);
FLITZIS_AVAILABLE_IN_0_1
gboolean            flitzis_audio_engine_set_sample_speed (FlitzisAudioEngine *self,
                                                           guint               id,
                                                           double              ratio,
                                                           GError            **error);
FLITZIS_AVAILABLE_IN_0_1
gboolean            flitzis_audio_engine_set_sample_tempo (FlitzisAudioEngine *self,
                                                           guint               id,
                                                           double              bpm,
                                                           GError            **error);
FLITZIS_AVAILABLE_IN_0_1
gboolean            flitzis_audio_engine_set_sample_downbeat (FlitzisAudioEngine *self,
                                                              guint               id,
                                                              guint64             frame,
                                                              GError            **error);
FLITZIS_AVAILABLE_IN_0_1
gboolean            flitzis_audio_engine_sync_transport_to_sample (FlitzisAudioEngine *self,
                                                                   guint               id,
                                                                   GError            **error);
FLITZIS_AVAILABLE_IN_0_1
gboolean            flitzis_audio_engine_set_sample_key_lock (FlitzisAudioEngine *self,
                                                              guint               id,
                                                              gboolean            key_lock,
                                                              GError            **error);
FLITZIS_AVAILABLE_IN_0_1
gboolean            flitzis_audio_engine_set_sample_pitch (FlitzisAudioEngine *self,
                                                           guint               id,
                                                           double              semitones,
                                                           GError            **error);
FLITZIS_AVAILABLE_IN_0_1
gboolean            flitzis_audio_engine_get_key_lock (FlitzisAudioEngine *self);
FLITZIS_AVAILABLE_IN_0_1
gboolean            flitzis_audio_engine_set_key_lock (FlitzisAudioEngine *self,
                                                       gboolean            key_lock,
                                                       GError            **error);


/* MIDI input (flitzis-audio-engine-midi.c) */
FLITZIS_AVAILABLE_IN_0_1
gboolean            flitzis_audio_engine_get_midi_input (FlitzisAudioEngine *self);
FLITZIS_AVAILABLE_IN_0_1
void                flitzis_audio_engine_set_midi_input (FlitzisAudioEngine *self,
                                                         gboolean            midi_input);
FLITZIS_AVAILABLE_IN_0_1
gboolean            flitzis_audio_engine_set_midi_map_from_string (FlitzisAudioEngine *self,
                                                                   const char         *text,
                                                                   GError            **error);
FLITZIS_AVAILABLE_IN_0_1
gboolean            flitzis_audio_engine_load_midi_map (FlitzisAudioEngine *self,
                                                        const char         *path,
                                                        GError            **error);
FLITZIS_AVAILABLE_IN_0_1
char               *flitzis_audio_engine_dup_midi_map_string (FlitzisAudioEngine *self);
FLITZIS_AVAILABLE_IN_0_1
gboolean            flitzis_audio_engine_save_midi_map (FlitzisAudioEngine *self,
                                                        const char         *path,
                                                        GError            **error);
FLITZIS_AVAILABLE_IN_0_1
gboolean            flitzis_audio_engine_inject_midi (FlitzisAudioEngine *self,
                                                      const guint8       *bytes,
                                                      gsize               length,
                                                      guint64             frame,
                                                      GError            **error);
FLITZIS_AVAILABLE_IN_0_1
gboolean            flitzis_audio_engine_connect_midi_input (FlitzisAudioEngine *self,
                                                             const char         *port_name,
                                                             GError            **error);


G_END_DECLS
