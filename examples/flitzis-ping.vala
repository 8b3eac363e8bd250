/* flitzis-ping.vala: libflitzis from Vala
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 *   valac --pkg flitzis-1.0 flitzis-ping.vala
 *   ./flitzis-ping [FILE.wav]
 *
 * Shows the engine's error domain, pings the audio thread three times and
 * counts the pongs in the main loop, and plays FILE if one is given.
 * Exit status: 0 when all pongs came, 2 when there is no output device,
 * 1 on any other error.
 */

int main (string[] args) {
    Intl.setlocale ();
    var engine = new Flitzis.AudioEngine ();

    // Errors are Vala error domains: Flitzis.EngineError, GLib.IOError.
    try {
        engine.ping ();
    } catch (Flitzis.EngineError.NOT_RUNNING e) {
        print ("Before run(): %s\n", e.message);
    } catch (Error e) {
        printerr ("Unexpected: %s\n", e.message);
        return 1;
    }

    try {
        engine.run ();
        print ("%u Hz, %u channels\n", engine.sample_rate, engine.channels);
        engine.load_sample (0, "no-such-file.wav");
    } catch (Flitzis.EngineError.NO_DEVICE e) {
        printerr ("%s\n", e.message);
        return 2;
    } catch (IOError.NOT_FOUND e) {
        print ("As expected: %s\n", e.message);
    } catch (Error e) {
        printerr ("%s\n", e.message);
        return 1;
    }

    var loop = new MainLoop ();
    uint pongs = 0;
    // Emitted in this thread's main loop, never on the audio thread.
    engine.pong.connect ((frame) => {
        pongs++;
        print ("pong %u at frame %llu\n", pongs, frame);
        if (pongs == 3)
            loop.quit ();
    });

    try {
        if (args.length > 1) {
            engine.load_sample (1, args[1]);
            engine.play_sample (1, 0.8f);
        }
        for (int i = 0; i < 3; i++)
            engine.ping ();
    } catch (Error e) {
        printerr ("%s\n", e.message);
        return 1;
    }

    Timeout.add_seconds (5, () => { loop.quit (); return Source.REMOVE; });
    loop.run ();
    engine.shut_down ();
    return pongs == 3 ? 0 : 1;
}
