/* flitzis-test-jack.h: a private JACK dummy server, and capturing what
 * PortAudio plays into it, frame by frame
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct FlitzisTestJack FlitzisTestJack;

/* Starts `jackd -n NAME -d dummy -r RATE -p PERIOD` with a name of its
 * own, points JACK_DEFAULT_SERVER at it, and waits until it accepts
 * clients.  Fails the test (it does not skip) when jackd is missing or
 * does not come up. */
FlitzisTestJack *flitzis_test_jack_start (guint rate, guint period);
/* Sends SIGTERM to the server's PID and waits for it to exit. */
void             flitzis_test_jack_stop (FlitzisTestJack *jack);
const char      *flitzis_test_jack_get_name (FlitzisTestJack *jack);
/* Makes the test's own client take @ms in its next cycle: the graph runs
 * late, and the server reports an xrun to every client. */
void             flitzis_test_jack_stall_next_cycle (FlitzisTestJack *jack, guint ms);

/* Starts recording what PortAudio (in this process) plays: connects its
 * output ports to this test's input ports and waits until the connection
 * is live.  Call while an engine runs on the server. */
gboolean         flitzis_test_jack_wait_for_engine (FlitzisTestJack *jack, guint timeout_ms);
void             flitzis_test_jack_capture_start (FlitzisTestJack *jack, gsize max_frames);
/* Frames recorded so far (any thread). */
gsize            flitzis_test_jack_capture_frames (FlitzisTestJack *jack);
/* Stops recording; returns the interleaved frames (@n_frames of them, of
 * @n_channels channels). */
float           *flitzis_test_jack_capture_stop (FlitzisTestJack *jack, guint *n_channels,
                                                 gsize *n_frames);
/* The JACK frame time of the first frame recorded (valid once
 * flitzis_test_jack_capture_frames() > 0): frame i of the capture is
 * frame first + i of the server's clock, when no cycle was missed. */
guint64          flitzis_test_jack_capture_first_frame (FlitzisTestJack *jack);
/* The server's clock, in frames: now (estimated), and the start of the
 * current cycle. */
guint64          flitzis_test_jack_frame_time (FlitzisTestJack *jack);
guint64          flitzis_test_jack_last_frame_time (FlitzisTestJack *jack);

G_END_DECLS
