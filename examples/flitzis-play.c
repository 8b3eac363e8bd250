/* flitzis-play.c: plays sound files with libflitzis, from C
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Builds on its own, as any application would:
 *
 *   cc -o flitzis-play flitzis-play.c $(pkg-config --cflags --libs flitzis-1.0)
 *   ./flitzis-play kick.wav snare.wav
 *
 * Each file goes into its own slot and is played twice, half a second
 * apart, from main-loop timeouts; a ping shows that the audio thread
 * answers in this thread's main loop.  Exit status: 0 when it played,
 * 2 when there is no output device, 1 on any other error.
 */
#include <locale.h>
#include <flitzis/flitzis.h>

#define STEP_MS 500

typedef struct {
  FlitzisAudioEngine *engine;
  GMainLoop *loop;
  guint n_slots;
  guint step;
  gboolean ponged;
  GError *error;
} Player;

/* Main loop: the audio thread answered the ping. */
static void
on_pong (FlitzisAudioEngine *engine, guint64 frame, Player *player)
{
  g_print ("pong at frame %" G_GUINT64_FORMAT "\n", frame);
  player->ponged = TRUE;
}

/* Main loop, every STEP_MS: the next trigger, or the end. */
static gboolean
on_step (gpointer data)
{
  Player *player = data;
  guint slot = player->step % player->n_slots;

  if (player->step == 2 * player->n_slots)
    {
      g_main_loop_quit (player->loop);
      return G_SOURCE_REMOVE;
    }
  player->step++;
  if (!flitzis_audio_engine_play_sample (player->engine, slot, 0.8f, &player->error))
    {
      g_main_loop_quit (player->loop);
      return G_SOURCE_REMOVE;
    }
  g_print ("playing slot %u\n", slot);
  return G_SOURCE_CONTINUE;
}

static int
fail (const char *what, GError *error)
{
  g_printerr ("flitzis-play: %s: %s\n", what, error->message);
  return g_error_matches (error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_NO_DEVICE) ? 2 : 1;
}

int
main (int argc, char **argv)
{
  g_autoptr (FlitzisAudioEngine) engine = flitzis_audio_engine_new ();
  g_autoptr (GError) error = NULL;
  Player player = { .engine = engine };

  setlocale (LC_ALL, "");   /* messages in the user's language and charset */
  if (argc < 2 || argc - 1 > FLITZIS_MAX_SAMPLE_SLOTS)
    {
      g_printerr ("Usage: flitzis-play FILE... (1 to %d files)\n", FLITZIS_MAX_SAMPLE_SLOTS);
      return 1;
    }
  if (!flitzis_audio_engine_run (engine, &error))
    return fail ("cannot start", error);
  g_print ("%u Hz, %u channels\n", flitzis_audio_engine_get_sample_rate (engine),
           flitzis_audio_engine_get_channels (engine));

  player.n_slots = (guint) argc - 1;
  for (guint slot = 0; slot < player.n_slots; slot++)
    if (!flitzis_audio_engine_load_sample (engine, slot, argv[slot + 1], &error))
      return fail (argv[slot + 1], error);

  player.loop = g_main_loop_new (NULL, FALSE);
  g_signal_connect (engine, "pong", G_CALLBACK (on_pong), &player);
  if (!flitzis_audio_engine_ping (engine, &error))
    return fail ("ping", error);
  g_timeout_add (STEP_MS, on_step, &player);
  g_main_loop_run (player.loop);
  g_main_loop_unref (player.loop);

  flitzis_audio_engine_shut_down (engine);
  if (player.error != NULL)
    return fail ("play", player.error);
  return player.ponged ? 0 : 1;
}
