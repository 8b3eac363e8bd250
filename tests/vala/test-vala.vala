/* test-vala.vala: libflitzis through its Vala binding (flitzis-1.0.vapi)
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * GLib tests, reported as TAP like the C ones; run against a private JACK
 * dummy server (tools/with-jackd.sh).  Each case checks something the
 * vapi must get right: error domains and codes, nullability, ownership of
 * the boxed message, properties, signals and constants.
 */

const int64 DEADLINE_US = 10 * 1000000;

/* Iterates the default main context until done() holds or the deadline
 * passes; a 5 ms tick wakes it for conditions set by other threads. */
bool iterate_until (owned SourceFunc done) {
    var context = MainContext.default ();
    var deadline = get_monotonic_time () + DEADLINE_US;
    var tick = Timeout.add (5, () => Source.CONTINUE);
    while (!done () && get_monotonic_time () < deadline)
        context.iteration (true);
    Source.remove (tick);
    return done ();
}

void test_constants () {
    assert_cmpint (Flitzis.MAX_SAMPLE_SLOTS, CompareOperator.EQ, 32);
    assert_cmpint (Flitzis.MAX_VOICES, CompareOperator.EQ, 32);
    assert_cmpint (Flitzis.QUEUE_CAPACITY, CompareOperator.EQ, 1024);
    assert_true (Flitzis.check_version (Flitzis.MAJOR_VERSION, Flitzis.MINOR_VERSION,
                                        Flitzis.MICRO_VERSION));
    assert_false (Flitzis.check_version (Flitzis.MAJOR_VERSION + 1, 0, 0));
}

void test_not_running_errors () {
    var engine = new Flitzis.AudioEngine ();
    try {
        engine.ping ();
        assert_not_reached ();
    } catch (Error e) {
        assert_error (e, Flitzis.EngineError.quark (), Flitzis.EngineError.NOT_RUNNING);
    }
    try {
        engine.play_sample (0, 0.5f);
        assert_not_reached ();
    } catch (Flitzis.EngineError.NOT_RUNNING e) {
        assert_nonnull (e.message);
    } catch (Error e) {
        assert_not_reached ();
    }
    assert_null (engine.receive_msg ());
}

void test_device_is_nullable () {
    var engine = new Flitzis.AudioEngine ();
    assert_null (engine.device);
    assert_null (engine.dup_device ());
    engine.device = "nowhere";
    assert_cmpstr (engine.dup_device (), CompareOperator.EQ, "nowhere");
    try {
        engine.run ();
        assert_not_reached ();
    } catch (Error e) {
        assert_error (e, Flitzis.EngineError.quark (), Flitzis.EngineError.NO_DEVICE);
    }
    engine.device = null;
    assert_null (engine.device);
}

void test_run_properties_and_shut_down () {
    var engine = new Flitzis.AudioEngine ();
    try {
        engine.run ();
    } catch (Error e) {
        error ("run: %s", e.message);
    }
    assert_true (engine.running);
    assert_cmpuint (engine.sample_rate, CompareOperator.EQ, 48000);
    assert_cmpuint (engine.channels, CompareOperator.EQ, 2);
    try {
        engine.run ();
        assert_not_reached ();
    } catch (Error e) {
        assert_error (e, Flitzis.EngineError.quark (), Flitzis.EngineError.ALREADY_RUNNING);
    }
    engine.shut_down ();
    assert_false (engine.running);
    assert_cmpuint (engine.sample_rate, CompareOperator.EQ, 0);
}

void test_invalid_arguments () {
    var engine = new Flitzis.AudioEngine ();
    try {
        engine.run ();
    } catch (Error e) {
        error ("run: %s", e.message);
    }
    float[] velocities = { 1.5f, float.NAN, float.INFINITY, -0.1f };
    foreach (var velocity in velocities) {
        try {
            engine.play_sample (0, velocity);
            assert_not_reached ();
        } catch (Error e) {
            assert_error (e, Flitzis.EngineError.quark (), Flitzis.EngineError.INVALID_VELOCITY);
        }
    }
    try {
        engine.play_sample (Flitzis.MAX_SAMPLE_SLOTS, 0.5f);
        assert_not_reached ();
    } catch (Error e) {
        assert_error (e, Flitzis.EngineError.quark (), Flitzis.EngineError.INVALID_SLOT);
    }
    try {
        engine.load_sample (0, "/nonexistent/kick.wav");
        assert_not_reached ();
    } catch (IOError.NOT_FOUND e) {
        assert_true ("kick.wav" in e.message);
    } catch (Error e) {
        assert_not_reached ();
    }
    engine.shut_down ();
}

void test_pong_signal_and_polled_messages () {
    var engine = new Flitzis.AudioEngine ();
    uint pongs = 0;
    engine.pong.connect ((source, frame) => {
        assert_true (source == engine);
        pongs++;
    });
    try {
        engine.run ();
        for (int i = 0; i < 5; i++)
            engine.ping ();
    } catch (Error e) {
        error ("%s", e.message);
    }
    assert_true (iterate_until (() => pongs == 5));

    /* The same five messages, polled; each owned by this code (the
     * transport's beats, reported by default, are passed over). */
    Flitzis.Message[] messages = {};
    Flitzis.Message? message;
    while ((message = engine.receive_msg ()) != null)
        if (message.get_kind () != Flitzis.MessageKind.BEAT)
            messages += message;
    assert_cmpint (messages.length, CompareOperator.EQ, 5);
    uint64 last = 0;
    foreach (var m in messages) {
        assert_true (m.get_kind () == Flitzis.MessageKind.PONG);
        assert_true (m.get_frame () >= last);
        last = m.get_frame ();
    }
    assert_cmpuint ((uint) engine.get_stats ().get_dropped_replies (), CompareOperator.EQ, 0);
    engine.shut_down ();
}

void test_notify_running () {
    var engine = new Flitzis.AudioEngine ();
    bool[] seen = {};
    engine.notify["running"].connect (() => { seen += engine.running; });
    try {
        engine.run ();
    } catch (Error e) {
        error ("%s", e.message);
    }
    assert_true (iterate_until (() => seen.length == 1));
    engine.shut_down ();
    assert_true (iterate_until (() => seen.length == 2));
    assert_true (seen[0] && !seen[1]);
}

/* The looper's API as Vala sees it: an async load with its callback, the
 * event signals' parameters, the volume property and the sample info. */
void test_looper_events_and_async_load () {
    try {
        looper_events_and_async_load ();
    } catch (Error e) {
        error ("%s", e.message);
    }
}

void looper_events_and_async_load () throws Error {
    var dir = DirUtils.make_tmp ("flitzis-vala-XXXXXX");
    var path = Path.build_filename (dir, "a.wav");
    write_beep (path, 100);
    var engine = new Flitzis.AudioEngine.offline (48000, 1);
    string[] seen = {};
    engine.sample_started.connect ((slot, frame) => { seen += "started %u %llu".printf (slot, frame); });
    engine.sample_finished.connect ((slot, frame) => { seen += "finished %u %llu".printf (slot, frame); });
    engine.run ();
    bool loaded = false;
    engine.load_sample_async.begin (3, path, null, (obj, res) => {
        try {
            loaded = engine.load_sample_async.end (res);
        } catch (Error e) {
            error ("load: %s", e.message);
        }
    });
    assert_true (iterate_until (() => loaded));
    Flitzis.SampleInfo? info = engine.dup_sample_info (3);
    assert_nonnull (info);
    assert_cmpuint ((uint) info.get_frames (), CompareOperator.EQ, 100);
    assert_cmpstr (info.get_path (), CompareOperator.EQ, path);
    engine.volume = 0.5;
    assert_cmpfloat (engine.volume, CompareOperator.EQ, 0.5);
    engine.play_sample_at (3, 1.0f, 300);
    engine.render_bytes (512);
    assert_true (iterate_until (() => seen.length >= 2));
    assert_cmpstr (seen[0], CompareOperator.EQ, "started 3 300");
    assert_cmpstr (seen[1], CompareOperator.EQ, "finished 3 400");
    engine.shut_down ();
    FileUtils.remove (path);
    DirUtils.remove (dir);
}

/* A mono 16-bit WAV of @frames frames of a constant, written by hand. */
void write_beep (string path, int frames) {
    var data = new uint8[44 + 2 * frames];
    uint8[] header = {
        'R', 'I', 'F', 'F', 0, 0, 0, 0, 'W', 'A', 'V', 'E', 'f', 'm', 't', ' ',
        16, 0, 0, 0, 1, 0, 1, 0, 0x80, 0xbb, 0, 0, 0, 0x77, 1, 0, 2, 0, 16, 0,
        'd', 'a', 't', 'a', 0, 0, 0, 0
    };
    Memory.copy (data, header, header.length);
    uint32 riff = 36 + 2 * frames, size = 2 * frames;
    for (int i = 0; i < 4; i++) {
        data[4 + i] = (uint8) (riff >> (8 * i));
        data[40 + i] = (uint8) (size >> (8 * i));
    }
    for (int f = 0; f < frames; f++) {
        data[44 + 2 * f] = 0x00;
        data[45 + 2 * f] = 0x20;
    }
    try {
        FileUtils.set_data (path, data);
    } catch (FileError e) {
        error ("%s", e.message);
    }
}

int main (string[] args) {
    Intl.setlocale ();
    Test.init (ref args);
    Test.add_func ("/vala/constants", test_constants);
    Test.add_func ("/vala/errors/not-running", test_not_running_errors);
    Test.add_func ("/vala/errors/invalid-arguments", test_invalid_arguments);
    Test.add_func ("/vala/device/nullable", test_device_is_nullable);
    Test.add_func ("/vala/lifecycle", test_run_properties_and_shut_down);
    Test.add_func ("/vala/pong/signal-and-poll", test_pong_signal_and_polled_messages);
    Test.add_func ("/vala/notify/running", test_notify_running);
    Test.add_func ("/vala/looper/events-and-async-load", test_looper_events_and_async_load);
    return Test.run ();
}
