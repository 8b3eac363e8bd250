/* compare-resamplers.c: libsoxr vs libsamplerate for load-time resampling.
 *
 * Build and run from the top of the source tree:
 *   gcc -O2 -o compare-resamplers tools/compare-resamplers.c $(pkg-config --cflags --libs soxr samplerate) -lm
 *   ./compare-resamplers > table.md
 *
 * libflitzis decodes a sample file with libsndfile and, if its rate differs
 * from the stream's, converts it once at load time.  This tool measures the
 * candidates the way the library would use them: float32 interleaved stereo,
 * fed through the streaming API in chunks of 4096 input frames into one
 * pre-allocated output buffer, then flushed.  Every input is synthesised
 * (sines, or noise from a fixed-seed LCG), so two runs differ only in timing.
 *
 * Results (Markdown) go to stdout, errors to stderr.  See docs/resampling.md.
 */

#define _POSIX_C_SOURCE 200809L /* clock_gettime, uname under -std=c11 */

#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>

#ifdef __GLIBC__
#include <malloc.h> /* mallinfo2: heap owned by the converter state */
#endif

#include <samplerate.h>
#include <soxr.h>

enum { CHANNELS = 2, CHUNK_FRAMES = 4096, SPEED_RUNS = 3 };

/* M_PI is not part of C11 or POSIX. */
static const double PI = 3.14159265358979323846;

static const double AMPLITUDE = 0.5;        /* -6 dBFS */
static const double QUALITY_SECONDS = 2.0;  /* length of each test tone */
static const double SKIP_SECONDS = 0.25;    /* ignored at both ends */
static const double SPEED_SECONDS = 60.0;   /* length of the speed input */
static const double SHORT_SECONDS = 0.5;    /* a typical one-shot sample */
static const double QUALITY_HZ = 1000.0;

typedef enum { LIB_SOXR, LIB_SRC } Library;

typedef struct {
  const char *name;
  Library lib;
  unsigned long recipe; /* soxr quality recipe or libsamplerate converter */
} Candidate;

/* Test tones per conversion.  The passband tone is the brief's 18 kHz
 * (17 kHz for 44.1 kHz out); a 22.05 kHz input cannot carry it, so that
 * conversion uses 9 kHz, the same fraction (0.82) of the narrower Nyquist.
 * The edge tone sits at 0.9 of the narrower Nyquist, where the filters
 * start to differ.  The reject tone is placed so that the unwanted
 * component lies above the narrower Nyquist (4-5 % above it for the
 * first three conversions, where transition bands differ most; 25 % for
 * 96k -> 48k, as in the brief).  For down-conversion the tone itself must
 * not alias into the output; for up-conversion its image at
 * in_rate - tone must not appear. */
typedef struct {
  double in_rate, out_rate;
  double pass_hz, edge_hz, reject_hz;
} Conversion;

static const Candidate CANDIDATES[] = {
  { "soxr HQ", LIB_SOXR, SOXR_HQ },
  { "soxr VHQ", LIB_SOXR, SOXR_VHQ },
  { "SRC_SINC_MEDIUM_QUALITY", LIB_SRC, SRC_SINC_MEDIUM_QUALITY },
  { "SRC_SINC_BEST_QUALITY", LIB_SRC, SRC_SINC_BEST_QUALITY },
};

static const Conversion CONVERSIONS[] = {
  { 44100, 48000, 18000, 19845, 21000 },  /* image at 23.1 kHz */
  { 48000, 44100, 17000, 19845, 23000 },  /* alias at 21.1 kHz */
  { 22050, 48000, 9000, 9922.5, 10500 },  /* image at 11.55 kHz */
  { 96000, 48000, 18000, 21600, 30000 },  /* alias at 18 kHz */
};

#define COUNT(a) (sizeof (a) / sizeof (a)[0])

/* ------------------------------------------------------------------ */
/* Buffers and signals                                                 */

static float *
alloc_frames (size_t frames)
{
  float *buf = calloc (frames ? frames * CHANNELS : 1, sizeof *buf);

  if (!buf)
    {
      fprintf (stderr, "out of memory (%zu frames)\n", frames);
      exit (EXIT_FAILURE);
    }
  return buf;
}

/* Room for the whole output plus slack: the converters may round the
 * length either way, and we want to see what they really produce. */
static size_t
output_capacity (size_t in_frames, double ratio)
{
  return (size_t) ceil ((double) in_frames * ratio) + 1024;
}

/* Channel c is shifted by c quarter periods so that a channel mix-up
 * would show up as a phase error. */
static double
channel_phase (int c)
{
  return c * PI / 2;
}

static void
make_sine (float *buf, size_t frames, double rate, double hz)
{
  const double w = 2 * PI * hz / rate;

  for (size_t n = 0; n < frames; n++)
    for (int c = 0; c < CHANNELS; c++)
      buf[n * CHANNELS + (size_t) c] =
        (float) (AMPLITUDE * sin (w * (double) n + channel_phase (c)));
}

/* Broadband noise for the speed run: the converters' cost should not
 * depend on the signal, but noise rules out any shortcut a silent or
 * periodic input might allow.  A fixed-seed LCG keeps it reproducible. */
static void
make_noise (float *buf, size_t frames)
{
  uint32_t state = 12345u;

  for (size_t i = 0; i < frames * CHANNELS; i++)
    {
      state = state * 1664525u + 1013904223u; /* Numerical Recipes LCG */
      buf[i] = (float) (AMPLITUDE * ((double) state / 2147483648.0 - 1.0));
    }
}

static double
now_seconds (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (double) ts.tv_sec + (double) ts.tv_nsec * 1e-9;
}

/* Bytes the allocator has handed out (arena + mmap): taking the difference
 * around soxr_create/src_new gives the converter's own heap. */
static size_t
heap_in_use (void)
{
#ifdef __GLIBC__
  struct mallinfo2 mi = mallinfo2 ();

  return mi.uordblks + mi.hblkhd;
#else
  return 0;
#endif
}

/* ------------------------------------------------------------------ */
/* The two converters, used exactly as libflitzis would use them       */

typedef struct {
  const float *in;
  size_t in_frames;
  float *out;
  size_t out_capacity;
  size_t out_frames;  /* result */
  size_t state_bytes; /* result: converter heap after the first chunk */
} Job;

static size_t
min_size (size_t a, size_t b)
{
  return a < b ? a : b;
}

/* soxr: feed chunks until all input is taken, then pass in == NULL to
 * say "end of input" and keep calling until no more output comes. */
static bool
convert_soxr (const Candidate *cand, const Conversion *conv, Job *job)
{
  const soxr_io_spec_t io = soxr_io_spec (SOXR_FLOAT32_I, SOXR_FLOAT32_I);
  const soxr_quality_spec_t q = soxr_quality_spec (cand->recipe, 0);
  const soxr_runtime_spec_t rt = soxr_runtime_spec (1); /* one thread */
  const size_t heap0 = heap_in_use ();
  soxr_error_t err = NULL;
  soxr_t s = soxr_create (conv->in_rate, conv->out_rate, CHANNELS,
                          &err, &io, &q, &rt);
  size_t pos = 0, done = 0, odone = 0;

  if (!s)
    {
      fprintf (stderr, "soxr_create: %s\n", soxr_strerror (err));
      return false;
    }
  while (!err && pos < job->in_frames)
    {
      size_t idone = 0;

      err = soxr_process (s, job->in + pos * CHANNELS,
                          min_size (CHUNK_FRAMES, job->in_frames - pos), &idone,
                          job->out + done * CHANNELS, job->out_capacity - done,
                          &odone);
      if (pos == 0)
        job->state_bytes = heap_in_use () - heap0;
      pos += idone;
      done += odone;
      if (!err && idone == 0 && odone == 0)
        err = "no progress (output buffer full?)";
    }
  while (!err && done < job->out_capacity)
    {
      err = soxr_process (s, NULL, 0, NULL, job->out + done * CHANNELS,
                          job->out_capacity - done, &odone);
      done += odone;
      if (odone == 0)
        break; /* tail fully flushed */
    }
  soxr_delete (s);
  job->out_frames = done;
  if (!err && done == job->out_capacity)
    err = "output buffer full";
  if (err)
    fprintf (stderr, "soxr_process: %s\n", soxr_strerror (err));
  return !err;
}

/* One src_process call from the current positions.  end_of_input goes
 * with the last chunk and with every call after it: that is how
 * libsamplerate is told to drain its tail. */
static int
src_call (SRC_STATE *st, double ratio, Job *job, size_t *pos, size_t *done,
          SRC_DATA *d)
{
  const size_t len = min_size (CHUNK_FRAMES, job->in_frames - *pos);
  int err;

  *d = (SRC_DATA) {
    .data_in = job->in + *pos * CHANNELS,
    .data_out = job->out + *done * CHANNELS,
    .input_frames = (long) len,
    .output_frames = (long) (job->out_capacity - *done),
    .end_of_input = *pos + len == job->in_frames,
    .src_ratio = ratio,
  };
  err = src_process (st, d);
  *pos += (size_t) d->input_frames_used;
  *done += (size_t) d->output_frames_gen;
  return err;
}

static bool
convert_src (const Candidate *cand, const Conversion *conv, Job *job)
{
  const double ratio = conv->out_rate / conv->in_rate;
  const size_t heap0 = heap_in_use ();
  int err = 0;
  SRC_STATE *st = src_new ((int) cand->recipe, CHANNELS, &err);
  size_t pos = 0, done = 0;
  bool first = true;
  SRC_DATA d;

  if (!st)
    {
      fprintf (stderr, "src_new: %s\n", src_strerror (err));
      return false;
    }
  /* Feed: stops once the chunk flagged end_of_input is consumed. */
  do
    {
      err = src_call (st, ratio, job, &pos, &done, &d);
      if (first)
        job->state_bytes = heap_in_use () - heap0;
      first = false;
      if (!err && d.input_frames_used == 0 && d.output_frames_gen == 0
          && d.input_frames > 0)
        break; /* no progress: output buffer full */
    }
  while (!err && pos < job->in_frames);
  /* Drain: input_frames = 0, end_of_input = 1 until nothing comes out. */
  while (!err && d.output_frames_gen > 0 && done < job->out_capacity)
    err = src_call (st, ratio, job, &pos, &done, &d);
  src_delete (st);
  job->out_frames = done;
  if (err)
    fprintf (stderr, "src_process: %s\n", src_strerror (err));
  else if (pos < job->in_frames || done == job->out_capacity)
    fprintf (stderr, "src_process: output buffer full\n");
  return !err && pos == job->in_frames && done < job->out_capacity;
}

static bool
convert (const Candidate *cand, const Conversion *conv, Job *job)
{
  return cand->lib == LIB_SOXR ? convert_soxr (cand, conv, job)
                               : convert_src (cand, conv, job);
}

static void
convert_or_die (const Candidate *cand, const Conversion *conv, Job *job)
{
  if (!convert (cand, conv, job))
    {
      fprintf (stderr, "%s %g -> %g failed\n", cand->name, conv->in_rate,
               conv->out_rate);
      exit (EXIT_FAILURE);
    }
}

/* Convert in_frames of `in`; returns the output (caller frees). */
static float *
convert_buffer (const Candidate *cand, const Conversion *conv,
                const float *in, size_t in_frames, size_t *out_frames)
{
  const double ratio = conv->out_rate / conv->in_rate;
  const size_t cap = output_capacity (in_frames, ratio);
  Job job = { in, in_frames, alloc_frames (cap), cap, 0, 0 };

  convert_or_die (cand, conv, &job);
  *out_frames = job.out_frames;
  return job.out;
}

/* ------------------------------------------------------------------ */
/* Analysis                                                            */

/* Frames [from, to) of an output: skips the converter's start-up and
 * end-of-input transients, both well under SKIP_SECONDS. */
typedef struct {
  const float *x;
  size_t from, to;
  double rate;
} Window;

static Window
analysis_window (const float *x, size_t frames, double rate)
{
  const size_t skip = (size_t) (SKIP_SECONDS * rate);
  Window win = { x, skip, frames > skip ? frames - skip : 0, rate };

  if (win.to <= win.from)
    {
      fprintf (stderr, "output too short to analyse\n");
      exit (EXIT_FAILURE);
    }
  return win;
}

/* Least-squares fit x[n] ~ p sin(wn) + q cos(wn) on one channel.  This is
 * the cross-correlation with the ideal tone, solved in closed form, so it
 * finds amplitude and phase (hence the lag) to a fraction of a sample;
 * the 2x2 normal equations are solved exactly because the window is not
 * a whole number of periods. */
typedef struct {
  double p, q;
} Tone;

static Tone
fit_tone (const Window *win, int c, double hz)
{
  const double w = 2 * PI * hz / win->rate;
  double ss = 0, cc = 0, sc = 0, xs = 0, xc = 0;

  for (size_t n = win->from; n < win->to; n++)
    {
      const double s = sin (w * (double) n), co = cos (w * (double) n);
      const double x = win->x[n * CHANNELS + (size_t) c];

      ss += s * s, cc += co * co, sc += s * co;
      xs += x * s, xc += x * co;
    }
  const double det = ss * cc - sc * sc;
  return (Tone) { (xs * cc - xc * sc) / det, (xc * ss - xs * sc) / det };
}

static double
tone_amplitude (Tone t)
{
  return hypot (t.p, t.q);
}

/* Energy of x - reference on one channel, reference(n) = a sin(wn + phi). */
static double
error_energy (const Window *win, int c, double hz, double a, double phi)
{
  const double w = 2 * PI * hz / win->rate;
  double e = 0;

  for (size_t n = win->from; n < win->to; n++)
    {
      const double x = win->x[n * CHANNELS + (size_t) c];
      const double d = x - a * sin (w * (double) n + phi);
      e += d * d;
    }
  return e;
}

static double
db_power (double ratio)
{
  return 10 * log10 (ratio);
}

static double
db_amplitude (double ratio)
{
  return 20 * log10 (ratio);
}

/* Wrap a phase to (-pi, pi]. */
static double
wrap_phase (double phi)
{
  return phi - 2 * PI * ceil ((phi - PI) / (2 * PI));
}

typedef struct {
  double snr_db;   /* vs the ideal -6 dBFS sine, lag removed, gain not */
  double thdn_db;  /* residual after removing the best-fit sine */
  double lag;      /* output samples the output trails the ideal by */
} SineQuality;

static SineQuality
measure_sine (const Window *win)
{
  const double w = 2 * PI * QUALITY_HZ / win->rate;
  double lag = 0, ideal = 0, err = 0, resid = 0, fitted = 0;
  Tone t[CHANNELS];

  for (int c = 0; c < CHANNELS; c++)
    {
      t[c] = fit_tone (win, c, QUALITY_HZ);
      lag += wrap_phase (channel_phase (c) - atan2 (t[c].q, t[c].p)) / w;
    }
  lag /= CHANNELS; /* one alignment for both channels */
  for (int c = 0; c < CHANNELS; c++)
    {
      const double a = tone_amplitude (t[c]);
      const double span = (double) (win->to - win->from);

      ideal += AMPLITUDE * AMPLITUDE / 2 * span;
      err += error_energy (win, c, QUALITY_HZ, AMPLITUDE,
                           channel_phase (c) - w * lag);
      fitted += a * a / 2 * span;
      resid += error_energy (win, c, QUALITY_HZ, a, atan2 (t[c].q, t[c].p));
    }
  return (SineQuality) { db_power (ideal / err), db_power (resid / fitted),
                         lag };
}

/* Output level of a tone relative to its input level, both channels. */
static double
level_db (const Window *win, double hz)
{
  double a = 0;

  for (int c = 0; c < CHANNELS; c++)
    a += tone_amplitude (fit_tone (win, c, hz)) / CHANNELS;
  return db_amplitude (a / AMPLITUDE);
}

/* Everything in the output except the tone itself (if the output can
 * carry it), relative to the input tone: the alias or image plus noise. */
static double
residual_db (const Window *win, double hz)
{
  const double span = (double) (win->to - win->from);
  double resid = 0;

  for (int c = 0; c < CHANNELS; c++)
    {
      Tone t = { 0, 0 };

      if (hz < win->rate / 2)
        t = fit_tone (win, c, hz);
      resid += error_energy (win, c, hz, tone_amplitude (t), atan2 (t.q, t.p));
    }
  return db_power (resid / (CHANNELS * span * AMPLITUDE * AMPLITUDE / 2));
}

/* ------------------------------------------------------------------ */
/* Measurements                                                        */

typedef struct {
  SineQuality sine;
  double pass_db, edge_db, reject_db;
  double speed_x, short_ms;
  size_t state_bytes;
} Result;

/* Synthesise a tone at the input rate, convert it, hand back the output. */
static float *
convert_tone (const Candidate *cand, const Conversion *conv, double hz,
              size_t *out_frames)
{
  const size_t n = (size_t) (QUALITY_SECONDS * conv->in_rate);
  float *in = alloc_frames (n);
  float *out;

  make_sine (in, n, conv->in_rate, hz);
  out = convert_buffer (cand, conv, in, n, out_frames);
  free (in);
  return out;
}

/* What the analysis reports for the ideal sine merely rounded to float32:
 * the best any converter with float32 output can show. */
static SineQuality
float32_floor (double rate)
{
  const size_t n = (size_t) (QUALITY_SECONDS * rate);
  float *x = alloc_frames (n);
  SineQuality q;

  make_sine (x, n, rate, QUALITY_HZ);
  q = measure_sine (&(Window) { x, (size_t) (SKIP_SECONDS * rate),
                                n - (size_t) (SKIP_SECONDS * rate), rate });
  free (x);
  return q;
}

typedef enum { M_SINE, M_LEVEL, M_RESIDUAL } Metric;

static double
measure_tone (const Candidate *cand, const Conversion *conv, double hz,
              Metric metric, SineQuality *sine)
{
  size_t frames = 0;
  float *out = convert_tone (cand, conv, hz, &frames);
  const Window win = analysis_window (out, frames, conv->out_rate);
  double v = 0;

  if (metric == M_SINE)
    *sine = measure_sine (&win);
  else
    v = metric == M_LEVEL ? level_db (&win, hz) : residual_db (&win, hz);
  free (out);
  return v;
}

/* Best of SPEED_RUNS conversions of `seconds` of stereo noise, in
 * seconds.  Creation and deletion are timed (at load time they are part
 * of the cost); allocating and first touching the output buffer are not,
 * as they cost the same whichever converter writes into it. */
static double
time_conversion (const Candidate *cand, const Conversion *conv,
                 double seconds, size_t *state_bytes)
{
  const size_t n = (size_t) (seconds * conv->in_rate);
  const size_t cap = output_capacity (n, conv->out_rate / conv->in_rate);
  float *in = alloc_frames (n);
  float *out = alloc_frames (cap);
  double best = INFINITY;

  make_noise (in, n);
  for (size_t i = 0; i < cap * CHANNELS; i++)
    out[i] = 1.0f; /* fault the pages in; a zero fill could be elided */
  for (int run = 0; run < SPEED_RUNS; run++)
    {
      Job job = { in, n, out, cap, 0, 0 };
      const double t0 = now_seconds ();
      double t;

      convert_or_die (cand, conv, &job);
      t = now_seconds () - t0;
      *state_bytes = job.state_bytes;
      if (t < best)
        best = t;
    }
  free (out);
  free (in);
  return best;
}

static Result
measure (const Candidate *cand, const Conversion *conv)
{
  Result r;

  measure_tone (cand, conv, QUALITY_HZ, M_SINE, &r.sine);
  r.pass_db = measure_tone (cand, conv, conv->pass_hz, M_LEVEL, NULL);
  r.edge_db = measure_tone (cand, conv, conv->edge_hz, M_LEVEL, NULL);
  r.reject_db = measure_tone (cand, conv, conv->reject_hz, M_RESIDUAL, NULL);
  r.speed_x = SPEED_SECONDS / time_conversion (cand, conv, SPEED_SECONDS,
                                               &r.state_bytes);
  /* A short one-shot, where creating the converter dominates. */
  r.short_ms = 1e3 * time_conversion (cand, conv, SHORT_SECONDS,
                                      &r.state_bytes);
  return r;
}

/* ------------------------------------------------------------------ */
/* Output length: what N input frames turn into                        */

/* 240 and 4095 make N x ratio end in exactly .5 for 48 -> 44.1 and
 * 96 -> 48: ties are where the libraries' rounding shows. */
static const size_t LENGTH_PROBES[] = { 0, 1, 100, 240, 4095, 4097, 100000,
                                        1234567 };

/* N x out/in computed exactly in integers (rates are whole numbers). */
static bool
is_tie (size_t n, const Conversion *conv)
{
  const uint64_t num = (uint64_t) n * (uint64_t) conv->out_rate;
  const uint64_t den = (uint64_t) conv->in_rate;

  return den % 2 == 0 && num % den == den / 2;
}

static void
print_length_row (const Candidate *cand, const Conversion *conv)
{
  const double ratio = conv->out_rate / conv->in_rate;

  printf ("| %g → %g | %s |", conv->in_rate, conv->out_rate, cand->name);
  for (size_t i = 0; i < COUNT (LENGTH_PROBES); i++)
    {
      const size_t n = LENGTH_PROBES[i];
      float *in = alloc_frames (n);
      size_t frames = 0;
      float *out;

      make_sine (in, n, conv->in_rate, QUALITY_HZ);
      out = convert_buffer (cand, conv, in, n, &frames);
      printf (" %zu (%+ld%s) |", frames,
              (long) frames - (long) llround ((double) n * ratio),
              is_tie (n, conv) ? ", tie" : "");
      free (out);
      free (in);
    }
  printf ("\n");
}

static void
print_lengths (void)
{
  printf ("\nOutput frames for N input frames, in parentheses the difference"
          " from round(N × out_rate / in_rate), halves rounded up; \"tie\" marks"
          " an exact half:\n\n| Conversion | Candidate |");
  for (size_t i = 0; i < COUNT (LENGTH_PROBES); i++)
    printf (" N=%zu |", LENGTH_PROBES[i]);
  printf ("\n|---|---|");
  for (size_t i = 0; i < COUNT (LENGTH_PROBES); i++)
    printf ("---:|");
  printf ("\n");
  for (size_t v = 0; v < COUNT (CONVERSIONS); v++)
    for (size_t k = 0; k < COUNT (CANDIDATES); k++)
      print_length_row (&CANDIDATES[k], &CONVERSIONS[v]);
}

/* ------------------------------------------------------------------ */
/* Report                                                              */

static void
print_machine (void)
{
  struct utsname u;
  char model[256] = "unknown";
  FILE *f = fopen ("/proc/cpuinfo", "r");

  if (f)
    {
      char line[512];

      while (fgets (line, sizeof line, f))
        if (strncmp (line, "model name", 10) == 0 && strchr (line, ':'))
          {
            snprintf (model, sizeof model, "%s", strchr (line, ':') + 2);
            model[strcspn (model, "\n")] = '\0';
            break;
          }
      fclose (f);
    }
  if (uname (&u) != 0)
    memset (&u, 0, sizeof u);
  printf ("Machine: %s %s %s %s, CPU %s; gcc %s; %s; %s\n\n",
          u.sysname, u.release, u.version, u.machine, model, __VERSION__,
          soxr_version (), src_get_version ());
}

/* soxr picks its engine (single/double precision, SIMD) per recipe. */
static void
print_soxr_engines (void)
{
  for (size_t k = 0; k < COUNT (CANDIDATES); k++)
    {
      const soxr_quality_spec_t q = soxr_quality_spec (CANDIDATES[k].recipe, 0);
      soxr_t s;

      if (CANDIDATES[k].lib != LIB_SOXR)
        continue;
      s = soxr_create (44100, 48000, CHANNELS, NULL, NULL, &q, NULL);
      printf ("%s engine: %s. ", CANDIDATES[k].name, s ? soxr_engine (s) : "?");
      soxr_delete (s);
    }
  printf ("\n\n");
}

static void
print_header (void)
{
  printf ("| Conversion | Candidate | SNR vs ideal (dB) | THD+N (dB) "
          "| Lag (out samples) | Passband tone (dB) | 0.9·Nyquist tone (dB) "
          "| Alias/image residual (dB) | Speed, 60 s (× real time) "
          "| 0.5 s sample (ms) | State heap (KiB) |\n"
          "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
}

static void
print_row (const Candidate *cand, const Conversion *conv, const Result *r)
{
  printf ("| %g → %g | %s | %.1f | %.1f | %+.4f | %+.4f | %+.3f | %.1f "
          "| %.0f | %.2f | %.0f |\n",
          conv->in_rate, conv->out_rate, cand->name, r->sine.snr_db,
          r->sine.thdn_db, r->sine.lag, r->pass_db, r->edge_db, r->reject_db,
          r->speed_x, r->short_ms, (double) r->state_bytes / 1024);
  fflush (stdout);
}

static const double FLOOR_RATES[] = { 44100, 48000 };

static void
print_legend (void)
{
  printf ("\nTest tones per conversion (passband / 0.9·Nyquist / reject):\n\n");
  for (size_t v = 0; v < COUNT (CONVERSIONS); v++)
    {
      const Conversion *c = &CONVERSIONS[v];
      const bool down = c->out_rate < c->in_rate;
      const double other = down ? c->out_rate - c->reject_hz
                                : c->in_rate - c->reject_hz;

      printf ("- %g → %g: %g Hz / %g Hz / %g Hz (%s at %g Hz)\n",
              c->in_rate, c->out_rate, c->pass_hz, c->edge_hz, c->reject_hz,
              down ? "alias" : "image", fabs (other));
    }
  printf ("\nMeasurement floor (ideal 1 kHz sine only rounded to float32, "
          "same analysis):");
  for (size_t i = 0; i < COUNT (FLOOR_RATES); i++)
    {
      const SineQuality q = float32_floor (FLOOR_RATES[i]);

      printf (" %g Hz: SNR %.1f dB, lag %+.4f;", FLOOR_RATES[i], q.snr_db,
              q.lag);
    }
  printf ("\n");
}

int
main (void)
{
  print_machine ();
  print_soxr_engines ();
  print_header ();
  for (size_t v = 0; v < COUNT (CONVERSIONS); v++)
    for (size_t k = 0; k < COUNT (CANDIDATES); k++)
      {
        const Result r = measure (&CANDIDATES[k], &CONVERSIONS[v]);

        print_row (&CANDIDATES[k], &CONVERSIONS[v], &r);
      }
  print_legend ();
  print_lengths ();
  return EXIT_SUCCESS;
}
