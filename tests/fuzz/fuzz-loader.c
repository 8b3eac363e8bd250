/* fuzz-loader.c: libFuzzer target: arbitrary bytes as an audio file
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The bytes are written to a file, which the loader decodes into a stereo
 * 48 kHz sample (resampling and channel mapping included).  It must either
 * fail with a GError or return a sample whose every value is finite and
 * within FZ_SAMPLE_PEAK_MAX; either way nothing stays allocated and no
 * descriptor stays open.  Built by `make fuzz` (clang-22,
 * -fsanitize=fuzzer,address,undefined), and replayed over its corpus
 * (tests/fuzz/loader/) by make check through fuzz-replay.c.
 */
#include "config.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>
#include <glib.h>
#include <glib/gstdio.h>

#include "fz-loader.h"
#include "core/fz-sample.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static char *path;

static void
remove_file (void)
{
  g_unlink (path);
  g_free (path);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  GError *error = NULL;
  FzSample *sample;

  if (path == NULL)
    {
      int fd = g_file_open_tmp ("flitzis-fuzz-XXXXXX.bin", &path, NULL);

      if (fd < 0)
        abort ();
      close (fd);
      atexit (remove_file);
    }
  if (!g_file_set_contents (path, (const char *) data, (gssize) size, NULL))
    abort ();
  sample = fz_load_sample (path, 48000, 2, &error);
  if (sample == NULL)
    {
      if (error == NULL || error->message == NULL || error->message[0] == '\0')
        abort ();   /* a failure must say why */
      g_error_free (error);
    }
  else
    {
      if (error != NULL || sample->channels != 2 || sample->frames == 0)
        abort ();
      for (size_t i = 0; i < sample->frames * sample->channels; i++)
        if (!isfinite (sample->data[i]) || fabsf (sample->data[i]) > FZ_SAMPLE_PEAK_MAX)
          abort ();
      fz_sample_unref (sample);
    }
  if (fz_sample_live_count () != 0)
    abort ();
  return 0;
}
