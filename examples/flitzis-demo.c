/* flitzis-demo.c: plays a short beat with libflitzis
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Synthesises three drum-machine sounds into WAV files at the stream's
 * rate, loads them into slots, and plays two bars at 120 BPM from main-loop
 * timeouts, with a ping before each bar to show the pong round trip.
 *
 * Exit status: 0 when it played, 2 when there is no output device, 1 on
 * any other error.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include <sndfile.h>
#include <flitzis/flitzis.h>

#define STEPS 32               /* two bars of sixteenth notes */
#define STEP_MS 125            /* 120 BPM */

enum { KICK, HAT, CHORD };

/*                                 1...2...3...4...1...2...3...4... */
static const char *pattern[] = { "x...x...x...x...x...x...x..x.x..",
                                 "..x...x...x...x...x...x...x.xxxx",
                                 "x.......x.........x.....x......." };

typedef struct {
  FlitzisAudioEngine *engine;
  GMainLoop *loop;
  guint step;
  gint64 ping_sent;
} Demo;

static float
kick (double t)
{
  return (float) (0.9 * exp (-t * 18) * sin (2 * G_PI * (50 + 90 * exp (-t * 40)) * t));
}

static float
hat (double t)
{
  return (float) (0.25 * exp (-t * 90) * (g_random_double () * 2 - 1));
}

static float
chord (double t)
{
  const double notes[] = { 220.0, 261.63, 329.63 };
  double sum = 0;

  for (guint i = 0; i < G_N_ELEMENTS (notes); i++)
    sum += sin (2 * G_PI * notes[i] * t);
  return (float) (0.2 * sum * exp (-t * 3));
}

static char *
synthesise (const char *dir, const char *name, float (*voice) (double), double seconds,
            guint rate)
{
  char *path = g_build_filename (dir, name, NULL);
  SF_INFO info = { .samplerate = (int) rate, .channels = 1,
                   .format = SF_FORMAT_WAV | SF_FORMAT_FLOAT };
  gsize frames = (gsize) (seconds * rate);
  g_autofree float *data = g_new (float, frames);
  SNDFILE *file;

  for (gsize i = 0; i < frames; i++)
    data[i] = voice ((double) i / rate);
  file = sf_open (path, SFM_WRITE, &info);
  if (file == NULL || sf_writef_float (file, data, (sf_count_t) frames) != (sf_count_t) frames)
    g_error ("cannot write %s: %s", path, sf_strerror (file));
  sf_close (file);
  return path;
}

static void
on_pong (FlitzisAudioEngine *engine, gpointer data)
{
  Demo *demo = data;

  (void) engine;
  g_print ("  pong after %.1f ms\n", (g_get_monotonic_time () - demo->ping_sent) / 1000.0);
}

static gboolean
quit (gpointer loop)
{
  g_main_loop_quit (loop);
  return G_SOURCE_REMOVE;
}

static gboolean
on_step (gpointer data)
{
  Demo *demo = data;
  g_autoptr (GError) error = NULL;

  if (demo->step % 16 == 0)
    {
      g_print ("bar %u\n", demo->step / 16 + 1);
      demo->ping_sent = g_get_monotonic_time ();
      flitzis_audio_engine_ping (demo->engine, &error);
    }
  for (guint slot = KICK; slot <= CHORD && error == NULL; slot++)
    if (pattern[slot][demo->step] == 'x')
      flitzis_audio_engine_play_sample (demo->engine, slot, slot == HAT ? 0.6f : 0.9f, &error);
  if (error != NULL)
    g_printerr ("flitzis-demo: %s\n", error->message);
  if (++demo->step < STEPS)
    return G_SOURCE_CONTINUE;
  /* Let the last chord ring out. */
  g_timeout_add (1500, quit, demo->loop);
  return G_SOURCE_REMOVE;
}

int
main (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = NULL;
  Demo demo = { 0 };
  float (*voices[]) (double) = { kick, hat, chord };
  const char *names[] = { "kick.wav", "hat.wav", "chord.wav" };
  const double seconds[] = { 0.4, 0.08, 2.0 };
  guint rate;

  demo.engine = flitzis_audio_engine_new ();
  if (!flitzis_audio_engine_run (demo.engine, &error))
    {
      g_printerr ("flitzis-demo: %s\n", error->message);
      return g_error_matches (error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_NO_DEVICE) ? 2 : 1;
    }
  rate = flitzis_audio_engine_get_sample_rate (demo.engine);
  g_print ("Playing at %u Hz on %u channels\n", rate,
           flitzis_audio_engine_get_channels (demo.engine));

  dir = g_dir_make_tmp ("flitzis-demo-XXXXXX", &error);
  g_assert_no_error (error);
  for (guint slot = KICK; slot <= CHORD; slot++)
    {
      g_autofree char *path = synthesise (dir, names[slot], voices[slot], seconds[slot], rate);

      if (!flitzis_audio_engine_load_sample (demo.engine, slot, path, &error))
        {
          g_printerr ("flitzis-demo: %s\n", error->message);
          return 1;
        }
      remove (path);
    }
  remove (dir);

  demo.loop = g_main_loop_new (NULL, FALSE);
  g_signal_connect (demo.engine, "pong", G_CALLBACK (on_pong), &demo);
  g_timeout_add (STEP_MS, on_step, &demo);
  g_main_loop_run (demo.loop);

  g_print ("Played %" G_GUINT64_FORMAT " frames; %" G_GUINT64_FORMAT " triggers dropped\n",
           flitzis_audio_engine_get_frame_time (demo.engine),
           flitzis_audio_engine_get_dropped_voices (demo.engine));
  flitzis_audio_engine_shut_down (demo.engine);
  g_main_loop_unref (demo.loop);
  g_object_unref (demo.engine);
  return 0;
}
