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
#include <flitzis/flitzis-message.h>

G_BEGIN_DECLS

/**
 * FLITZIS_MAX_SAMPLE_SLOTS:
 *
 * The number of sample slots of an engine: slot ids run from 0 to
 * %FLITZIS_MAX_SAMPLE_SLOTS - 1.
 *
 * Since: 0.1
 */
#define FLITZIS_MAX_SAMPLE_SLOTS 32

/**
 * FLITZIS_MAX_VOICES:
 *
 * How many samples an engine plays at once.  A trigger while all voices
 * are busy is dropped and counted (see
 * flitzis_audio_engine_get_dropped_voices()).
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
FlitzisMessage     *flitzis_audio_engine_receive_msg    (FlitzisAudioEngine *self);

FLITZIS_AVAILABLE_IN_0_1
gboolean            flitzis_audio_engine_get_running    (FlitzisAudioEngine *self);
FLITZIS_AVAILABLE_IN_0_1
guint               flitzis_audio_engine_get_sample_rate (FlitzisAudioEngine *self);
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
guint64             flitzis_audio_engine_get_dropped_voices   (FlitzisAudioEngine *self);
FLITZIS_AVAILABLE_IN_0_1
guint64             flitzis_audio_engine_get_dropped_replies  (FlitzisAudioEngine *self);
FLITZIS_AVAILABLE_IN_0_1
guint64             flitzis_audio_engine_get_dropped_messages (FlitzisAudioEngine *self);
FLITZIS_AVAILABLE_IN_0_1
guint64             flitzis_audio_engine_get_dropped_signals  (FlitzisAudioEngine *self);

G_END_DECLS
