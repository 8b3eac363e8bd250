/* fz-msg.h: the fixed-size messages that cross between control and audio threads
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <stdint.h>

typedef struct FzSample FzSample;

typedef enum {
  /* control → audio (command ring) */
  FZ_CMD_PING = 1,     /* seq */
  FZ_CMD_LOAD,         /* slot, sample: one reference moves to the audio thread */
  FZ_CMD_PLAY,         /* slot, velocity */
  FZ_CMD_PAUSE,        /* silence from now on; voices stay where they are */
  FZ_CMD_RESUME,       /* voices go on from where they paused */
  /* audio → control (reply ring) */
  FZ_REPLY_PONG,       /* seq, frame */
  FZ_REPLY_RETIRE,     /* sample: the reference comes back, to be released */
} FzMsgType;

/* One message, well under a cache line.  Plain data: copying it by value is
 * the only way it crosses threads. */
typedef struct {
  uint32_t type;       /* FzMsgType */
  uint32_t slot;
  uint64_t seq;
  uint64_t frame;      /* frame time at which the audio thread handled it */
  FzSample *sample;
  float velocity;
} FzMsg;
