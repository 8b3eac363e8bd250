/* fz-bounded.c: a back-end call on a thread of its own, see fz-bounded.h
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The job is shared by the caller and the thread, reference-counted: a
 * caller that gives up drops its reference and the thread frees the job
 * whenever its call returns.
 */
#include "config.h"

#include "fz-bounded.h"
#include "fz-tsan.h"

typedef struct {
  FzBoundedFunc func;
  gpointer data;
  GMutex mutex;
  GCond cond;
  gint refs;                    /* the calling thread's and the waiter's */
  gboolean done;
  gboolean result;
} FzBoundedJob;

static void
bounded_job_unref (FzBoundedJob *job)
{
  if (!g_atomic_int_dec_and_test (&job->refs))
    return;
  g_mutex_clear (&job->mutex);
  g_cond_clear (&job->cond);
  g_free (job);
}

static gpointer
bounded_thread (gpointer data)
{
  FzBoundedJob *job = data;
  gboolean result = job->func (job->data);

  fz_mutex_lock (&job->mutex);
  job->result = result;
  job->done = TRUE;
  g_cond_signal (&job->cond);
  fz_mutex_unlock (&job->mutex);
  bounded_job_unref (job);
  return NULL;
}

static guint abandoned_calls;   /* atomic */

gboolean
fz_bounded_call (const char *name, guint wait_ms, FzBoundedFunc func, gpointer data,
                 gboolean *result)
{
  FzBoundedJob *job = g_new0 (FzBoundedJob, 1);
  gint64 deadline = g_get_monotonic_time () + (gint64) wait_ms * G_TIME_SPAN_MILLISECOND;
  GThread *thread;
  gboolean done;

  *job = (FzBoundedJob) { .func = func, .data = data, .refs = 2 };
  g_mutex_init (&job->mutex);
  g_cond_init (&job->cond);
  thread = g_thread_new (name, bounded_thread, job);
  fz_mutex_lock (&job->mutex);
  while (!job->done && fz_cond_wait_until (&job->cond, &job->mutex, deadline))
    ;
  done = job->done;
  *result = job->result;
  fz_mutex_unlock (&job->mutex);
  if (done)
    g_thread_join (thread);
  else
    {
      g_thread_unref (thread);
      g_atomic_int_inc (&abandoned_calls);
    }
  bounded_job_unref (job);
  return done;
}

guint
fz_bounded_get_abandoned (void)
{
  return (guint) g_atomic_int_get (&abandoned_calls);
}
