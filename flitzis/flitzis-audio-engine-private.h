/* flitzis-audio-engine-private.h: the engine's instance, shared by its files
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * FlitzisAudioEngine is one public type implemented in several files, each
 * with one job:
 *
 * - flitzis-audio-engine.c: the GObject face (type, properties and their
 *   accessors, constructors, dispose);
 * - flitzis-audio-engine-commands.c: what is queued to the audio thread;
 * - flitzis-audio-engine-samples.c: loading, publishing and unloading
 *   samples;
 * - flitzis-audio-engine-stream.c: what drives the core (a device stream,
 *   or render()), run() and shut_down();
 * - flitzis-audio-engine-replies.c: what comes back from the audio thread,
 *   as messages, signals and counters, in the main context;
 * - flitzis-audio-engine-progress.c: load-progress for async loads;
 * - flitzis-audio-engine-pads.c: what makes a slot a pad (capacity,
 *   retrigger policies, choke groups, per-pad pause and seek);
 * - flitzis-audio-engine-meters.c: the meters and playheads;
 * - flitzis-audio-engine-backend.c: which back-end run() plays through,
 *   and the devices it can see;
 * - flitzis-audio-engine-clock.c: the musical clock (tempo, bars and
 *   beats, quantize), -metronome.c: its click and the beat reports,
 *   -sync.c: slots that know their tempo.
 * - flitzis-audio-engine-reconnect.c: a lost PipeWire stream's slots
 *   waiting for its sink to come back (the reconnect property);
 * - flitzis-audio-engine-midi.c: MIDI input (the midi-input property, the
 *   MIDI map, injected MIDI, the JACK port's connections);
 * - flitzis-audio-engine-speed.c: the speed and tempo-lock properties,
 *   and each slot's speed (varispeed, core/fz-varispeed.h);
 * - flitzis-audio-engine-watchdog.c: the stall-timeout and
 *   realtime-scheduling properties (the watchdog itself looks in
 *   -replies.c, each time the engine's source runs).
 *
 * ## Locks, in the order they are taken
 *
 * 1. lifecycle_lock serialises run(), shut_down() and dispose.
 * 2. render_lock is held by render() while it runs the core and by
 *    shut_down() while it frees it.
 * 3. lock guards every other field and is only ever held briefly: never
 *    across a device call, a decode or a signal emission.
 *
 * A lock is never taken while holding one that comes later in this list.
 * The audio thread takes none of them: it talks to the control side only
 * through the core's two rings.
 */
#pragma once

#include "flitzis-audio-engine.h"
#include "flitzis-engine-stats.h"
#include "flitzis-i18n-private.h"
#include "flitzis-levels.h"
#include "flitzis-message-private.h"
#include "flitzis-sample-info-private.h"
#include "core/fz-core.h"
#include "core/fz-stretch.h"
#include "fz-stream.h"
#include "fz-tsan.h"

G_BEGIN_DECLS

typedef struct _FzReconnector FzReconnector;

/* What a held core waits for (flitzis-audio-engine-reconnect.c). */
typedef struct {
  char *device;                 /* as run() asked for it; NULL: the default sink */
  guint sample_rate;            /* the format the slots' samples are in */
  guint channels;
  guint period_frames;          /* as run() asked for it */
  GMainContext *context;        /* the engine's: where it watches and signals */
} FzReconnectTarget;

/* What an offline engine renders when construction leaves it open. */
#define FZ_DEFAULT_OFFLINE_RATE 48000u
#define FZ_DEFAULT_OFFLINE_CHANNELS 2u
/* A running device stream whose frame time stands still this long has
 * stalled (FlitzisAudioEngine:stall-timeout). */
#define FZ_DEFAULT_STALL_TIMEOUT_MS 500u

struct _FlitzisAudioEngine {
  GObject parent_instance;

  char *device;                 /* property; used by the next run() */
  guint requested_rate;         /* property; used by the next run() */
  guint requested_period;       /* property; used by the next run() */
  guint backend;                /* FlitzisBackend property; used by the next run() */
  gboolean reconnect;           /* property: a lost PipeWire stream opens again */
  double volume;                /* property: as last requested */
  guint meter_rate;             /* property: as last requested, Hz (0: off) */
  guint stall_timeout_ms;       /* property, under the lock; 0: no watchdog */
  gboolean lock_memory;         /* property, under the lock: mlock() new samples */
  guint resample_quality;       /* FlitzisResampleQuality property, under the lock */
  /* Offline engines (construct-only #FlitzisAudioEngine:offline) have no
   * device: the caller of render() is their audio thread.  Fixed once
   * constructed. */
  gboolean offline;
  gboolean constructed;         /* construct properties are all set */
  guint offline_rate;
  guint offline_channels;
  guint n_slots;                /* construct-only #FlitzisAudioEngine:slots */
  guint n_voices;               /* construct-only #FlitzisAudioEngine:voices */

  GMutex lifecycle_lock;        /* lock order: see the top of this file */
  GMutex render_lock;
  GMutex lock;

  /* Guarded by lock. */
  FzStream *stream;             /* non-NULL while a device engine runs */
  FzCore *core;                 /* non-NULL while running */
  guint run_id;                 /* bumped by each run(): detects a restart */
  guint sample_rate;
  guint channels;
  double latency;
  guint active_backend;         /* FlitzisBackend: the stream's, AUTO when none */
  gboolean stream_lost;         /* the device stream failed: shut down soon */
  gboolean stream_stalled;      /* ...and the watchdog found it stalled */
  /* The watchdog: the frame time last seen, and since when (monotonic
   * µs; 0: not yet seen this run). */
  guint64 watch_frame;
  gint64 watch_since;
  /* Whether the running stream's audio thread has a real-time policy,
   * read once its first period was seen (flitzis-audio-engine-watchdog.c);
   * FALSE when not running.  Under the lock. */
  gboolean realtime_scheduling;
  gboolean scheduling_known;
  gboolean scheduling_to_notify;
  GMainContext *context;        /* where signals are emitted */
  GSource *reply_source;
  /* Per slot, n_slots of each, allocated when constructed: 32 bytes a
   * slot on 64-bit systems (the core adds sizeof (FzSlot) in its slot
   * table and sizeof (FzParamCell) and a bit in its parameter cells). */
  FzSample **published;         /* what each slot holds, control view */
  FlitzisSampleInfo **infos;
  /* Loads in flight: a newer load of a slot cancels the older one. */
  guint64 *load_serials;
  GCancellable **loading;
  guint64 pings_sent;           /* this run */
  guint64 pongs_received;       /* this run */
  guint retires_in_flight;
  gboolean paused;              /* as last queued; FALSE when not running */
  GQueue received;              /* FlitzisMessage *, for receive_msg() */
  GQueue to_emit;               /* FlitzisMessage *, for signals */
  FlitzisLevels *levels;        /* the newest meter snapshot of this run, or NULL */
  GQueue levels_to_emit;        /* FlitzisLevels *, for the levels signal */
  /* Counters: the totals of earlier runs; the running core counts the
   * rest (flitzis-audio-engine-replies.c adds them up). */
  guint64 dropped_messages;
  guint64 dropped_signals;
  guint64 dropped_voices;
  guint64 dropped_replies;
  guint64 dropped_events;
  guint64 dropped_levels;
  guint64 xruns;
  /* The clock's properties, as last set (flitzis-audio-engine-clock.c);
   * the audio thread's clock follows them from its next period on. */
  double tempo;
  guint beats_per_bar;
  guint64 downbeat_frame;
  FlitzisQuantize quantize;
  gboolean metronome;
  double metronome_volume;
  gboolean report_beats;
  guint64 clock_serial;         /* bumped by each change of tempo or downbeat */
  guint clock_synced;           /* properties a sync changed, to notify */
  /* Guarded by both the lifecycle lock and the lock (either is enough to
   * read): with reconnect on, the core of a lost PipeWire stream, stopped,
   * whose slots (published, infos) wait for its sink to come back, and
   * what watches for it.  NULL otherwise. */
  FzCore *held_core;
  FzReconnector *reconnector;
  guint64 underruns;
  guint64 streams_abandoned;    /* closes left behind on a thread that never returned */
  guint64 threads_silenced;     /* stalled streams' threads sent to /dev/null (fz-silence.h) */
  /* MIDI (flitzis-audio-engine-midi.c), under the lock: the property, the
   * map as last set (each new core gets a copy; NULL: none), and the
   * counts of earlier runs. */
  gboolean midi_input;
  FzMidiMap *midi_map;
  guint64 midi_errors;
  guint64 dropped_midi;
  /* set_sample_gain()'s way to the running core without the lock (the
   * gain is one atomic store into its parameter cell): bit 0 set while
   * gate_core runs, and 2 for each setter inside.  Opened and closed
   * with the lock held (_flitzis_audio_engine_set_gate()). */
  atomic_uint param_gate;
  FzCore *gate_core;
  /* Key lock (flitzis-audio-engine-keylock.c), under the lock: the
   * property, and the running core's stretchers (NULL until needed). */
  gboolean key_lock;
  FzStretchPool *stretch_pool;
  /* Under the lock: the speed properties as last set
   * (flitzis-audio-engine-speed.c). */
  double speed;
  gboolean tempo_lock;
};

typedef enum {
  PROP_0,
  PROP_RUNNING,
  PROP_SAMPLE_RATE,
  PROP_CHANNELS,
  PROP_DEVICE,
  PROP_PAUSED,
  PROP_PERIOD_FRAMES,
  PROP_LATENCY,
  PROP_VOLUME,
  PROP_OFFLINE,
  PROP_SLOTS,
  PROP_VOICES,
  PROP_BACKEND,
  PROP_ACTIVE_BACKEND,
  PROP_METER_RATE,
  PROP_TEMPO,
  PROP_BEATS_PER_BAR,
  PROP_DOWNBEAT_FRAME,
  PROP_QUANTIZE,
  PROP_METRONOME,
  PROP_METRONOME_VOLUME,
  PROP_REPORT_BEATS,
  PROP_RECONNECT,
  PROP_STALL_TIMEOUT,
  PROP_REALTIME_SCHEDULING,
  PROP_LOCK_MEMORY,
  PROP_MIDI_INPUT,
  PROP_RESAMPLE_QUALITY,
  PROP_KEY_LOCK,
  PROP_SPEED,
  PROP_TEMPO_LOCK,
  N_PROPS
} FlitzisAudioEngineProperty;

/* ---- flitzis-audio-engine.c ---- */

/* Any thread: notifies @prop in the main context (at once when the calling
 * thread runs it). */
void     _flitzis_audio_engine_notify (FlitzisAudioEngine *self, FlitzisAudioEngineProperty prop);
/* Any thread, without the lock: reads @field under it. */
guint    _flitzis_audio_engine_read_guint (FlitzisAudioEngine *self, const guint *field);

/* ---- flitzis-audio-engine-commands.c (any control thread) ---- */

/* Any thread, without the lock: @id is below the engine's slots. */
gboolean _flitzis_audio_engine_check_slot (FlitzisAudioEngine *self, guint id, GError **error);
gboolean _flitzis_audio_engine_check_velocity (float velocity, GError **error);
/* Called without the lock: checks that the engine runs, queues @command. */
gboolean _flitzis_audio_engine_send_running (FlitzisAudioEngine *self, const FzMsg *command,
                                             GError **error);
/* Called without the lock: checks a trigger's slot and velocity too. */
gboolean _flitzis_audio_engine_queue_trigger (FlitzisAudioEngine *self, const FzMsg *play,
                                              GError **error);
/* Called with the lock held. */
gboolean _flitzis_audio_engine_check_running (FlitzisAudioEngine *self, GError **error);
/* Called with the lock held, whenever self->core changes: @core (NULL:
 * none) is what set_sample_gain() writes to from now on.  Closing waits
 * for the setters inside, a few instructions each, before @core may be
 * freed or kept elsewhere. */
void     _flitzis_audio_engine_set_gate (FlitzisAudioEngine *self, FzCore *core);
/* Called with the lock held.  Never waits for the audio thread. */
gboolean _flitzis_audio_engine_send_command (FlitzisAudioEngine *self, const FzMsg *command,
                                             GError **error);

/* ---- flitzis-audio-engine-samples.c (any control thread) ---- */

/* Called with the lock held: what the slots held is gone with the core
 * (@free_samples: FALSE when the core is abandoned, not freed). */
void     _flitzis_audio_engine_forget_slots (FlitzisAudioEngine *self, gboolean free_samples);
/* Class init: the lock-memory property's spec. */
void     _flitzis_audio_engine_class_init_samples (GParamSpec **properties);
/* The samples' property (lock-memory): FALSE for another's. */
gboolean _flitzis_audio_engine_samples_get_property (FlitzisAudioEngine *self, guint prop_id,
                                                     GValue *value);
gboolean _flitzis_audio_engine_samples_set_property (FlitzisAudioEngine *self, guint prop_id,
                                                     const GValue *value);

/* ---- flitzis-audio-engine-loading.c ---- */

/* Class init: the resample-quality property's spec; instance init: its
 * default. */
void     _flitzis_audio_engine_class_init_loading (GParamSpec **properties);
void     _flitzis_audio_engine_init_loading (FlitzisAudioEngine *self);
/* The loading property (resample-quality): FALSE for another's. */
gboolean _flitzis_audio_engine_loading_get_property (FlitzisAudioEngine *self, guint prop_id,
                                                     GValue *value);
gboolean _flitzis_audio_engine_loading_set_property (FlitzisAudioEngine *self, guint prop_id,
                                                     const GValue *value);
/* Any control thread: runs @func on @task in the loading pool, one thread
 * per core at most for the whole process (GLib's task pool ran up to ten
 * and more at once, each with a decoded sample in memory); takes a
 * reference to @task until @func has returned. */
void     _flitzis_audio_engine_run_load_task (GTask *task, GTaskThreadFunc func);

/* ---- flitzis-audio-engine-watchdog.c ---- */

/* Class init: the stall-timeout and realtime-scheduling properties' specs. */
void     _flitzis_audio_engine_class_init_stream (GParamSpec **properties);
/* Instance init: the stream's property defaults; holds the back-ends. */
void     _flitzis_audio_engine_init_stream (FlitzisAudioEngine *self);
/* Called with the lock held, by the watchdog, once a running device
 * stream's frame time has advanced: reads the audio thread's policy. */
void     _flitzis_audio_engine_take_scheduling (FlitzisAudioEngine *self);
/* Called without the lock, in the main context: notifies
 * realtime-scheduling if _take_scheduling() changed it. */
void     _flitzis_audio_engine_notify_scheduling (FlitzisAudioEngine *self);
/* The stream's properties (stall-timeout, realtime-scheduling): FALSE for
 * another's. */
gboolean _flitzis_audio_engine_stream_get_property (FlitzisAudioEngine *self, guint prop_id,
                                                    GValue *value);
gboolean _flitzis_audio_engine_stream_set_property (FlitzisAudioEngine *self, guint prop_id,
                                                    const GValue *value);
/* FZ_DEFAULT_STALL_TIMEOUT_MS, or FLITZIS_STALL_TIMEOUT_MS from the
 * environment (make check-valgrind sets it: memcheck serialises threads). */
guint    _flitzis_audio_engine_default_stall_timeout (void);

/* ---- flitzis-audio-engine-stream.c ---- */

/* Called with the lifecycle lock held.  Returns whether it was running. */
gboolean _flitzis_audio_engine_stop_stream (FlitzisAudioEngine *self);
/* Any control thread, without a lock: @run_id 0 for any run, else only
 * that run (if it still runs). */
void     _flitzis_audio_engine_shut_down_run (FlitzisAudioEngine *self, guint run_id);
/* Any control thread, without a lock: run @run_id lost its stream; with
 * reconnect on (and a PipeWire stream) its core is held, else it shuts
 * down. */
void     _flitzis_audio_engine_lose_run (FlitzisAudioEngine *self, guint run_id);
/* Any control thread, without a lock: opens the stream @reconnector waits
 * for and, if the engine still holds a core for it, runs again with the
 * held slots.  TRUE when it runs; FALSE with @error set to try again
 * later, or with *@refused set when the stream came back in another
 * format (the held slots are then freed and stream-error says so). */
gboolean _flitzis_audio_engine_reopen (FlitzisAudioEngine *self, FzReconnector *reconnector,
                                       gboolean *refused, GError **error);

/* ---- flitzis-audio-engine-reconnect.c ---- */

/* Called with both locks held: starts watching for @target's sink in its
 * context; the engine holds the reference returned. */
FzReconnector *_flitzis_audio_engine_reconnector_new (FlitzisAudioEngine *self,
                                                      const FzReconnectTarget *target);
/* Any thread: stops watching, and drops the engine's reference. */
void     _flitzis_audio_engine_reconnector_cancel (FzReconnector *reconnector);
const FzReconnectTarget *_flitzis_audio_engine_reconnector_get_target (FzReconnector *reconnector);
/* Called with both locks held: stops waiting, freeing the held slots. */
void     _flitzis_audio_engine_drop_held (FlitzisAudioEngine *self);

/* ---- flitzis-audio-engine-backend.c ---- */

/* Class init: the back-end properties' specs. */
void     _flitzis_audio_engine_class_init_backend (GParamSpec **properties);
/* flitzis-audio-engine-meters.c, class init: the meter-rate property. */
void     _flitzis_audio_engine_class_init_meters (GParamSpec **properties);
/* flitzis-audio-engine-pads.c, class init: the slots and voices properties. */
void     _flitzis_audio_engine_class_init_pads (GParamSpec **properties);
/* Called with the lock held: what the next run() asks for. */
gboolean _flitzis_audio_engine_requested_backend (FlitzisAudioEngine *self,
                                                  FlitzisBackend *backend, GError **error);

/* ---- flitzis-audio-engine-progress.c ---- */

/* How far one async load is: made and completed in the caller's
 * thread-default main context, reported to from the loading thread. */
typedef struct _FzProgress FzProgress;

/* Class init: the load-progress signal. */
void     _flitzis_audio_engine_class_init_progress (GObjectClass *object_class);
/* The caller's context: starts watching the load into @slot. */
FzProgress *_flitzis_audio_engine_progress_new (FlitzisAudioEngine *self, guint slot);
/* The loading thread, after each chunk (an FzLoadProgressFunc on @data). */
void     _flitzis_audio_engine_progress_report (uint64_t done, uint64_t total, void *data);
/* The caller's context, once the load is over: without @error, emits 1.0
 * (at least 50 ms after the one before) and then returns TRUE from
 * @task; with it, returns @error at once.  Frees @progress. */
void     _flitzis_audio_engine_progress_complete (FzProgress *progress, GTask *task,
                                                  GError *error);
/* Tests only: called on the loading thread after each report. */
typedef void (*FzProgressTestHook) (FlitzisAudioEngine *engine, guint slot, double fraction);
void     _flitzis_audio_engine_set_progress_hook (FzProgressTestHook hook);

/* ---- flitzis-audio-engine-replies.c ---- */

/* Class init: the signals, one per FlitzisMessageKind. */
void     _flitzis_audio_engine_class_init_signals (GObjectClass *object_class);
/* The rest: called with the lock held. */
void     _flitzis_audio_engine_drain_replies (FlitzisAudioEngine *self);
guint64  _flitzis_audio_engine_pings_unanswered (FlitzisAudioEngine *self);
gboolean _flitzis_audio_engine_awaiting_replies (FlitzisAudioEngine *self);
void     _flitzis_audio_engine_wake_context (FlitzisAudioEngine *self, gboolean was_awaiting);
/* @context: where signals go from now on (NULL: the calling thread's
 * thread-default context). */
void     _flitzis_audio_engine_attach_source (FlitzisAudioEngine *self, GMainContext *context);
void     _flitzis_audio_engine_detach_source (FlitzisAudioEngine *self);
/* Adds the running core's counts to the totals, before it is freed. */
void     _flitzis_audio_engine_keep_counts (FlitzisAudioEngine *self);
/* Called with the lock held: an event the control side makes
 * (stream-error, reconnected), for receive_msg() and its signal; takes
 * @message. */
void     _flitzis_audio_engine_deliver_event (FlitzisAudioEngine *self, FlitzisMessage *message);

/* ---- flitzis-audio-engine-clock.c ---- */

/* Class init: the clock's properties, into @properties (indexed by
 * FlitzisAudioEngineProperty); instance init: their defaults. */
void     _flitzis_audio_engine_class_init_clock (GParamSpec **properties);
void     _flitzis_audio_engine_init_clock (FlitzisAudioEngine *self);
/* GObject's get_property/set_property for the clock's properties: FALSE
 * for any other. */
gboolean _flitzis_audio_engine_clock_get_property (FlitzisAudioEngine *self, guint prop_id,
                                                   GValue *value);
gboolean _flitzis_audio_engine_clock_set_property (FlitzisAudioEngine *self, guint prop_id,
                                                   const GValue *value);
/* Called with the lifecycle lock held, before the stream starts: the new
 * core's clock and metronome, from the properties. */
void     _flitzis_audio_engine_start_clock (FlitzisAudioEngine *self, FzCore *core,
                                            guint sample_rate, guint channels);
/* Called with the lock held: while running, queues @command when the
 * property @changed (stopped, run() starts from the properties). */
gboolean _flitzis_audio_engine_queue_change (FlitzisAudioEngine *self, gboolean changed,
                                             const FzMsg *command, GError **error);
/* Called with the lock held: how long until the next beat is reported, in
 * ms, or -1 when none is expected (see source_poll_interval()). */
gint     _flitzis_audio_engine_clock_poll_ms (FlitzisAudioEngine *self);
/* ---- flitzis-audio-engine-metronome.c ---- */

/* Control thread, before the stream starts: synthesises the clicks. */
void     _flitzis_audio_engine_make_clicks (FzCore *core, guint sample_rate, guint channels);

/* ---- flitzis-audio-engine-midi.c ---- */

/* Class init: the midi-input property's spec. */
void     _flitzis_audio_engine_class_init_midi (GParamSpec **properties);
gboolean _flitzis_audio_engine_midi_get_property (FlitzisAudioEngine *self, guint prop_id,
                                                  GValue *value);
gboolean _flitzis_audio_engine_midi_set_property (FlitzisAudioEngine *self, guint prop_id,
                                                  const GValue *value);
/* Called with the lifecycle lock held, before @core runs: its map (a copy
 * of the engine's) and its grid (the quantize property). */
void     _flitzis_audio_engine_start_midi (FlitzisAudioEngine *self, FzCore *core);
/* Called with the lifecycle lock held, before @stream starts: its MIDI
 * port when midi-input is set; FALSE with @error when it has none. */
gboolean _flitzis_audio_engine_open_midi (FlitzisAudioEngine *self, FzStream *stream,
                                          GError **error);
/* Finalize: the map. */
void     _flitzis_audio_engine_finalize_midi (FlitzisAudioEngine *self);
/* ---- flitzis-audio-engine-speed.c ---- */

/* Class init: the speed and tempo-lock properties' specs. */
void     _flitzis_audio_engine_class_init_speed (GParamSpec **properties);
/* The speed's properties: FALSE for another's. */
gboolean _flitzis_audio_engine_speed_get_property (FlitzisAudioEngine *self, guint prop_id,
                                                   GValue *value);
gboolean _flitzis_audio_engine_speed_set_property (FlitzisAudioEngine *self, guint prop_id,
                                                   const GValue *value);
/* Called with the lock held: a new core starts at the properties
 * (@published: through its parameters, as its stream may run). */
void     _flitzis_audio_engine_start_speed (FlitzisAudioEngine *self, FzCore *core,
                                            gboolean published);

/* ---- flitzis-audio-engine-sync.c ---- */

/* Called with the lock held: the audio thread's answer to a sync. */
void     _flitzis_audio_engine_take_synced (FlitzisAudioEngine *self, const FzMsg *reply);
/* Main context, without the lock: notifies what syncs changed. */
void     _flitzis_audio_engine_notify_synced (FlitzisAudioEngine *self);

/* ---- flitzis-audio-engine-keylock.c ---- */

/* Class init: the key-lock property's spec. */
void     _flitzis_audio_engine_class_init_keylock (GParamSpec **properties);
gboolean _flitzis_audio_engine_keylock_get_property (FlitzisAudioEngine *self, guint prop_id,
                                                     GValue *value);
gboolean _flitzis_audio_engine_keylock_set_property (FlitzisAudioEngine *self, guint prop_id,
                                                     const GValue *value);
/* Called with the lifecycle lock held, before the stream starts. */
void     _flitzis_audio_engine_start_keylock (FlitzisAudioEngine *self, FzCore *core,
                                              guint sample_rate, guint channels);
/* Called with the lock held, as the core goes (@free_pool: FALSE when the
 * core is abandoned, not freed). */
void     _flitzis_audio_engine_forget_keylock (FlitzisAudioEngine *self, gboolean free_pool);

G_END_DECLS
