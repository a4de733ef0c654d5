/* grl_lesson.h -- the chapters' helpers: options, printing, charts.
 * Part of the chapters' helpers (chapters/lib), not of libgrulab.
 *
 * A chapter is a program that prints its lesson like the cells of a
 * notebook and writes its charts as data, never as pictures:
 *
 *   grl_lesson L;
 *   if (grl_lesson_begin(&L, argc, argv, &chapter))
 *     return L.exit_status;            (--help: 0, a bad option: 2)
 *   grl_lesson_section(&L, "The logistic sigmoid");
 *   grl_lesson_known(&L, "sigma'(0)", grl_dsigmoid(grl_sigmoid(0)), 0.25);
 *   grl_chart *ch = grl_lesson_chart(&L, "activations", "sigma and tanh");
 *   grl_chart_columns(ch, "x sigma dsigma tanh dtanh");
 *   grl_chart_row(ch, 5, (double[]){x, s, ds, t, dt});
 *   grl_chart_gp(ch, "plot dat using 1:2 title 'σ(x)'\n");
 *   grl_lesson_chart_done(&L, ch);
 *   return grl_lesson_end(&L);         (0, or 1 if a check failed)
 *
 * The charts are written by the chart writer (grl_chart.h).
 *
 * Notebook markers: with GRULAB_MARKERS=1 in the environment, a chapter
 * also prints machine-readable lines, each starting with "#grl:", that the
 * notebook weaver (chapters/weave.py) reads to pair output with source:
 *   #grl:chapter NAME<TAB>TITLE       after the banner
 *   #grl:section K LINE<TAB>TITLE     before section K's rule; LINE is the
 *                                     source line of grl_lesson_section
 *   #grl:chart NAME                   chart NAME was committed
 *   #grl:takeaway NAME<TAB>TEXT       chart NAME's takeaway (see
 *                                     grl_lesson_takeaway)
 *   #grl:end                          before the closing lines
 *   #grl:exercise K TOL<TAB>TEXT      after them, one per exercise (TOL is
 *                                     0 for one --answer does not check,
 *                                     -1 for a whole-number answer;
 *                                     newlines in TEXT are written as \n)
 * Removing every "#grl:" line gives the output of a run without markers,
 * byte for byte.
 *
 * lesson.c prints the lesson to stdout and option errors to stderr.
 * It never exits.
 */
#ifndef GRULAB_GRL_LESSON_H
#define GRULAB_GRL_LESSON_H

#include <stddef.h>

#include "grulab.h"
#include "grl_chart.h"
#include "grl_opt.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------ */
/* Chapter helpers (lesson.c)                                          */
/* ------------------------------------------------------------------ */

struct grl_lesson;

/* One exercise at the end of a chapter.  Its text is what the woven
 * notebook page, --help and --answer all show (one text, in the chapter's
 * source).  A numeric exercise has an answer function that COMPUTES the
 * answer (rather than quoting a number); `chNN-slug --answer K VALUE`
 * says whether VALUE is within tol of it, relatively (absolutely when the
 * answer is 0), without printing the answer.  An answer that is a whole
 * number (a count, a step) is marked integer: --answer then takes that
 * integer alone, and 19.85 is not 20. */
typedef struct {
  const char *text;              /* the question: prose, `commands`, $math$ */
  int (*answer)(double *value);  /* GRL_OK and the answer, or NULL: no
                                    number to check */
  double tol;                    /* relative tolerance of --answer */
  int integer;                   /* 1: the answer is a whole number, and
                                    only it is right (tol is not used) */
} grl_exercise;

/* What a chapter declares about itself, as a static constant. */
typedef struct {
  const char *name;           /* "ch01-gates": program and chart prefix */
  const char *title;          /* "Gates: sigma, tanh and one GRU step"  */
  const char *summary;        /* the prose --help prints                */
  const char *const *charts;  /* NULL-terminated chart names, "activations",
                                 written as ch01-activations.{dat,gp}    */
  unsigned long seed;         /* default --seed                           */
  /* The chapter's own options, rows of the option layer (grl_opt.h),
   * {NULL}-terminated, or NULL; its old names are GRL_OPT_ALIAS rows. */
  const grl_opt *opts;
  /* Optional: checks the options' values together once they are all
   * parsed (not after --help or --charts), before the banner.  Returns 0,
   * or the non-zero result of grl_lesson_bad_option. */
  int (*check)(struct grl_lesson *L);
  /* Optional: the chapter's exercises, easy to hard, {NULL}-terminated. */
  const grl_exercise *exercises;
  /* Optional: model answers for --solutions, one per exercise in the same
   * order (NULL: none), for the exercises whose answer is a discussion. */
  const char *const *models;
} grl_lesson_info;

#define GRL_LESSON_MAX_PARAMS 16

typedef struct grl_lesson {
  const grl_lesson_info *info;
  unsigned long seed;  /* --seed N (default info->seed) */
  int quick;           /* --quick: the small size make check uses */
  const char *outdir;  /* --outdir DIR (default GRL_PLOTDIR, else "plots") */
  char prefix[16];     /* info->name up to its first '-': "ch01" */
  int exit_status;     /* when grl_lesson_begin returns non-zero */
  int failed;          /* checks that did not pass */
  int section;         /* sections printed so far */
  int markers;         /* GRULAB_MARKERS=1: print the notebook's markers */
  size_t nwritten;     /* charts written */
  unsigned long written; /* bit k: info->charts[k] was written */
  size_t nparam;
  char param_key[GRL_LESSON_MAX_PARAMS][32];
  char param_val[GRL_LESSON_MAX_PARAMS][64];
} grl_lesson;

/* Parse the shared options --help, --seed N, --outdir DIR, --quick,
 * --charts (list the chart files and exit), --solutions (print every
 * exercise's answer and exit), --answer K VALUE and info->opts with the
 * option layer, the grulab command's (getopt_long: "--opt=VALUE" and
 * unambiguous abbreviations work; a typo gets the nearest name; an old
 * name works and says its new one on stderr).
 * Returns 0 to run the lesson.  Otherwise returns non-zero
 * with L->exit_status set: 0 after --help, --charts or --solutions
 * (printed to stdout), 2 after a bad option (one line on stderr).  On 0 it prints the
 * chapter's banner and creates the output directory if it must.
 *
 * grl_lesson_begin is a macro so that the default output directory is the
 * one the CHAPTER was compiled with: chapters/local.mk defines GRL_PLOTDIR
 * as the build tree's plots/ directory, an absolute path, so that a
 * chapter run from any directory writes there.  --help describes that
 * default in words (outdir_said) rather than printing the path of the
 * machine it was built on. */
int grl_lesson_start(grl_lesson *L, int argc, char **argv,
                     const grl_lesson_info *info, const char *default_outdir,
                     const char *outdir_said);
/* A bad option value: "NAME: MESSAGE (try --help)" as one line on stderr,
 * L->exit_status = 2; returns 1.  For info->check. */
int grl_lesson_bad_option(grl_lesson *L, const char *fmt, ...)
  __attribute__((format(printf, 2, 3)));
#ifdef GRL_PLOTDIR
# define grl_lesson_begin(L, argc, argv, info) \
  grl_lesson_start((L), (argc), (argv), (info), GRL_PLOTDIR, \
                   "plots/ at the top of the build tree,\n" \
                   "wherever you run it from")
#else
# define grl_lesson_begin(L, argc, argv, info) \
  grl_lesson_start((L), (argc), (argv), (info), "plots", \
                   "plots/ in the current directory")
#endif
/* A run parameter, printed now and recorded in every later chart's
 * header ("# param KEY = VALUE"). */
void grl_lesson_param(grl_lesson *L, const char *key, const char *fmt, ...)
  __attribute__((format(printf, 3, 4)));
/* The end of the lesson: prints the closing line and returns the exit
 * status -- 1 if a check failed, a declared chart was not written, or
 * stdout could not be written (one line on stderr). */
int grl_lesson_end(grl_lesson *L);

/* ---- printing, so that the output reads like a notebook ---- */

/* "[3] TITLE" with a rule, numbered automatically.  A macro, so that the
 * notebook's section marker can name the source line of the call. */
#define grl_lesson_section(L, ...) \
  grl_lesson_section_at((L), __LINE__, __VA_ARGS__)
void grl_lesson_section_at(grl_lesson *L, int line, const char *fmt, ...)
  __attribute__((format(printf, 3, 4)));
/* Prose: each line of the text indented, as the lesson speaks. */
void grl_lesson_say(grl_lesson *L, const char *fmt, ...)
  __attribute__((format(printf, 2, 3)));
/* "  LABEL  = VALUE" */
void grl_lesson_value(grl_lesson *L, const char *label, double v);
/* "  LABEL  = computed   known K   error E" (error = computed - known),
 * after GSL's examples. */
void grl_lesson_known(grl_lesson *L, const char *label, double computed,
                      double known);
/* Two estimates of one quantity, neither of them exact:
 * "  LABEL  = a   NAME b   diff a-b". */
void grl_lesson_versus(grl_lesson *L, const char *label, double a,
                       const char *name, double b);
/* "  LABEL  = [ v0  v1 ... ]" (long vectors are elided in the middle). */
void grl_lesson_vector(grl_lesson *L, const char *label, size_t n,
                       const double *v);
/* A small matrix, one row per line, element (i, j) at a[i*stride + j]. */
void grl_lesson_matrix(grl_lesson *L, const char *label, size_t rows,
                       size_t cols, const double *a, size_t stride);
/* A check: "  LABEL  = VALUE  (want <= TOL)  ok|FAILED".  A failed check
 * makes grl_lesson_end return 1.  Returns 1 if it passed. */
int grl_lesson_check(grl_lesson *L, const char *label, double value,
                     double tol);
/* A check that must hold, with a reason: "  LABEL  ok|FAILED". */
int grl_lesson_expect(grl_lesson *L, int cond, const char *label);
/* A check that cannot be made here, with the reason:
 * "  LABEL   skipped: REASON".  Neither a pass nor a failure. */
void grl_lesson_skip(grl_lesson *L, const char *label, const char *reason);
/* Report a library failure (status, grl_strerror()) as a failed check
 * and return the status. */
int grl_lesson_error(grl_lesson *L, int status, const char *what);

/* ---- charts ---- */

/* Open chart NAME (declared in info->charts) as OUTDIR/chNN-NAME, with
 * seed, quick and every grl_lesson_param recorded in its header.  NULL
 * (a failed check is recorded) if NAME is undeclared or it cannot open. */
grl_chart *grl_lesson_chart(grl_lesson *L, const char *name,
                            const char *title);
/* The same for a chart whose set-up differs from the lesson's: only
 * chapter, seed and quick are recorded; the chapter records its own
 * parameters with grl_chart_param. */
grl_chart *grl_lesson_chart_own(grl_lesson *L, const char *name,
                                const char *title);
/* Commit ch, print "chart chNN-NAME.{dat,gp}" and record it as written;
 * a failure is a failed check.  Returns the status.  NULL is ignored
 * (the failure was recorded when opening). */
int grl_lesson_chart_done(grl_lesson *L, grl_chart *ch);

/* A chart's takeaway: the one sentence, with this run's numbers, that
 * says what the chart shows (NAME as declared, "memory").  The notebook
 * puts it under the chart, and the handout and the slides beside it; the
 * lesson's printed text does not change (it is a "#grl:takeaway" marker
 * only).  Call it once per chart, after its numbers are measured. */
void grl_lesson_takeaway(grl_lesson *L, const char *chart, const char *fmt,
                         ...) __attribute__((format(printf, 3, 4)));

/* ---- small numeric helpers the chapters share ---- */

/* The chapters' structured input (chapters 2 and 3) for steps t = 1..T,
 * x_t in row (t-1)*B + b of a (T*B, I) array x, I >= 2, the same in every
 * batch row b: channel 0 a pulse train, x_t = 1 at t = 5, 25, 45, ...
 * and 0 elsewhere; channel 1 the sine 0.8 sin(2 pi t / 25), stepped up by
 * 1 for t > T/2; channels 2.. are 0. */
void grl_lesson_pulse_sine(double *x, size_t T, size_t B, size_t I);

/* max_i |a_i - b_i| / max_i max(|a_i|, |b_i|) (0 if both are all zero):
 * the normwise relative difference the chapters print when two paths
 * must agree.  Unlike a per-entry ratio it is not fooled by entries that
 * happen to be near zero. */
double grl_lesson_reldiff(size_t n, const double *a, const double *b);

/* max_i |a_i - b_i| */
double grl_lesson_absdiff(size_t n, const double *a, const double *b);

/* Runs job(item, arg) for each of the n items (an array of elements of
 * `size` bytes) in parallel on OpenMP's threads, the costliest first
 * (cost(item); equal costs in the array's order), so that the threads
 * finish together; on a terminal, "k/n runs trained" on stderr, cleared
 * at the end.  The jobs must share nothing: then each item's result is
 * that of a run alone, on any number of threads. */
void grl_lesson_run_parallel(void *items, size_t n, size_t size,
                             double (*cost)(const void *item),
                             void (*job)(void *item, void *arg), void *arg);

#ifdef __cplusplus
}
#endif

#endif /* GRULAB_GRL_LESSON_H */
