/* fz-mixer-settled.c: the settled voices' fast path, see fz-mixer.h
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Audio thread.  Most voices, most periods, need nothing worked out: no
 * ramp, no fade, no stop, unity speed, no key lock, no bus.
 * fz-mixer.c's full path marks such a voice settled at the mixer's epoch
 * with what it would otherwise work out each period (its span, its gain
 * without the master's), and any command that may change it moves the
 * epoch on.  Here a settled voice costs a compare, two multiplies and its
 * kernel call: the same kernel, the same gain product in the same order,
 * so the same bits as the full path.  With the meters on, each of its
 * spans is measured as the full path measures it (fz_meter_span(), at the
 * gain meter_gain() gives a settled voice), so the snapshots are the same
 * too.
 */

#include "fz-meter.h"
#include "fz-mixer.h"
#include "fz-mixer-path.h"

/* Mixes @frames frames of @voice at @gain, wrapping at its loop end as
 * fz-mixer.c's play_span() does; returns the frames played. */
static size_t
play_wrapping (const FzMixer *mixer, FzVoice *voice, float *out, size_t frames, float gain)
{
  uint32_t channels = mixer->channels;
  size_t done = 0;

  while (done < frames)
    {
      size_t left = voice->span_end - voice->position;
      size_t n = frames - done < left ? frames - done : left;

      mixer->kernels->constant (out + done * channels,
                                voice->span_data + voice->position * channels, n * channels,
                                gain);
      if (mixer->meter != NULL)
        fz_meter_span (mixer->meter, voice, voice->position, n);
      done += n;
      voice->position += n;
      if (voice->position < voice->span_end)
        continue;
      if (!voice->span_loops)
        break;
      voice->position = voice->span_loop_start;
    }
  return done;
}

/* The voices gathered for one call of the voices kernel (FZ_MIXER_BATCH,
 * fz-mixer-path.h): a batch is mixed before any voice that is not in it,
 * so the voices add up in their order (and so to the same bits)
 * whatever the batches. */
#define BATCH FZ_MIXER_BATCH

/* fz_mixer_render_settled(), built twice: with the meters off it tests
 * nothing of theirs a voice. */
static inline __attribute__ ((always_inline)) uint32_t
render_batches (FzMixer *mixer, float *out, size_t frames, float master, uint64_t origin,
                uint32_t i, uint32_t *kept, const bool metered)
{
  const uint64_t epoch = mixer->epoch;
  const uint32_t channels = mixer->channels, n_voices = mixer->n_voices;
  const size_t n = frames * channels;
  FzVoice *const voices = mixer->voices;
  const float *in[BATCH];
  float gain[BATCH];
  uint32_t k = *kept, b = 0;

  for (; i < n_voices && voices[i].settled == epoch; i++)
    {
      FzVoice *voice = &voices[i];
      float g = voice->scale * master * voice->fade.target;

      /* What fz-mixer.c's render_settled() gives the meters. */
      if (metered)
        voice->meter.next_gain = voice->scale * voice->fade.target;
      if (__builtin_expect (voice->position + frames < voice->span_end, 1))
        {
          /* The common case: the period inside the span. */
          if (metered)
            fz_meter_span (mixer->meter, voice, voice->position, frames);
          in[b] = voice->span_data + voice->position * channels;
          gain[b] = g;
          voice->position += frames;
          if (__builtin_expect (++b == BATCH, 0))
            {
              mixer->kernels->voices (out, n, in, gain, b);
              b = 0;
            }
        }
      else
        {
          size_t played;

          if (b > 0)
            mixer->kernels->voices (out, n, in, gain, b);
          b = 0;
          played = play_wrapping (mixer, voice, out, frames, g);
          if (!voice->span_loops && voice->position >= voice->span_end)
            {
              /* Ended: measured and said once, as fz-mixer.c's
               * end_voice() does (no stretcher on this path). */
              if (metered)
                fz_meter_flush_voice (mixer->meter, voice);
              if (mixer->voice_ended != NULL && !voice->quiet)
                mixer->voice_ended (mixer->voice_ended_data, voice->slot,
                                    (uint32_t) (mixer->now + played - origin));
              continue;
            }
        }
      /* Packed as render_voices() packs them. */
      if (k++ != i)
        voices[k - 1] = *voice;
    }
  if (b > 0)
    mixer->kernels->voices (out, n, in, gain, b);
  *kept = k;
  return i;
}

uint32_t
fz_mixer_render_settled (FzMixer *mixer, float *out, size_t frames, float master,
                         uint64_t origin, uint32_t i, uint32_t *kept)
{
  if (mixer->meter != NULL)
    return render_batches (mixer, out, frames, master, origin, i, kept, true);
  return render_batches (mixer, out, frames, master, origin, i, kept, false);
}
