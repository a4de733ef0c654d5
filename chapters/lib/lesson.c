/* lesson.c -- what every chapter shares: its options, the way it prints,
 * and the way it writes charts.
 *
 * A chapter's output should read like the cells of a notebook: numbered
 * sections, labelled values, and -- where the right answer is known --
 * the computed value next to the known one and the error between them,
 * as GSL's documented examples do.  Checks that fail are counted, and the
 * chapter exits 1, so a lesson that prints a wrong number cannot pass
 * `make check`.
 *
 * This is the one part of the library whose job is printing: the lesson
 * to stdout, option errors to stderr.  Like the rest, it never exits.
 */
#include <config.h>
#include "grulab.h"
#include "grl_lesson.h"
#include "grl_opt.h"
#include "grl_blascore.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#define LABEL_WIDTH 34   /* labels are padded to this, values line up */

/* ------------------------------------------------------------------ */
/* Options                                                             */
/* ------------------------------------------------------------------ */

/* One line on stderr, exit status 2, like any command-line tool. */
static int vbad_option(grl_lesson *L, const char *fmt, va_list ap)
{
  char line[512];
  vsnprintf(line, sizeof line, fmt, ap);
  for (char *p = line; *p; p++)   /* one line, whatever the value held */
    if (*p == '\n')
      *p = ' ';
  fprintf(stderr, "%s: %s (try --help)\n", L->info->name, line);
  L->exit_status = 2;
  return 1;
}

int grl_lesson_bad_option(grl_lesson *L, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  int rc = vbad_option(L, fmt, ap);
  va_end(ap);
  return rc;
}

#define bad_option grl_lesson_bad_option

/* After writing to stdout: 0, or 1 with one line on stderr if the text
 * could not be written (a full disk, /dev/full). */
static int stdout_failed(const grl_lesson *L)
{
  errno = 0;
  if (fflush(stdout) == 0 && !ferror(stdout))
    return 0;
  fprintf(stderr, "%s: cannot write standard output%s%s\n", L->info->name,
          errno ? ": " : "", errno ? strerror(errno) : "");
  return 1;
}

/* --help's exercises: the same text as the notebook's, indented. */
static void print_exercises(const grl_lesson *L)
{
  const grl_exercise *e = L->info->exercises;
  if (!e || !e->text)
    return;
  printf("\nExercises (easy to hard; the notebook page has them too):\n");
  for (int k = 1; e->text; e++, k++) {
    printf("  %d. ", k);
    for (const char *p = e->text; *p; p++) {
      putchar(*p);
      if (*p == '\n' && p[1])
        fputs("     ", stdout);
    }
    if (e->answer && e->integer)
      printf("%s     Check it: %s --answer %d VALUE (a whole number)\n",
             e->text[strlen(e->text) - 1] == '\n' ? "" : "\n",
             L->info->name, k);
    else if (e->answer)
      printf("%s     Check it: %s --answer %d VALUE (right within %g%%)\n",
             e->text[strlen(e->text) - 1] == '\n' ? "" : "\n",
             L->info->name, k, 100.0 * e->tol);
    else if (e->text[strlen(e->text) - 1] != '\n')
      putchar('\n');
  }
}

/* --answer K VALUE: right (exit 0) or not (exit 1), never the answer. */
static int check_answer(grl_lesson *L, const char *ks, const char *vs)
{
  const grl_lesson_info *in = L->info;
  unsigned long k;
  double v, want;
  size_t n = 0;
  while (in->exercises && in->exercises[n].text)
    n++;
  if (grl_parse_ulong(ks, &k) != GRL_OK || k < 1 || k > n)
    return bad_option(L, "--answer: no exercise '%s' (this chapter has %zu)",
                      ks, n);
  const grl_exercise *e = &in->exercises[k - 1];
  if (!e->answer)
    return bad_option(L, "--answer: exercise %lu has no number to check",
                      k);
  if (grl_parse_double(vs, &v) != GRL_OK)
    return bad_option(L, "--answer: '%s' is not a finite number", vs);
  int rc = e->answer(&want);
  if (rc != GRL_OK || !isfinite(want)) {
    fprintf(stderr, "%s: --answer: exercise %lu: cannot compute the answer:"
            " %s\n", in->name, k, rc ? grl_strerror() : "not finite");
    L->exit_status = 1;
    return 1;
  }
  int right;
  if (e->integer) {
    /* a count or a step: that whole number, nothing near it */
    right = v == nearbyint(want);
    if (right)
      printf("%s: exercise %lu: %s is right (a whole number)\n", in->name, k, vs);
    else if (v != floor(v))
      printf("%s: exercise %lu: %s is not right: the answer is a whole "
             "number\n", in->name, k, vs);
    else
      printf("%s: exercise %lu: %s is not right: too %s\n", in->name, k, vs,
             v < want ? "low" : "high");
  } else {
    double err = fabs(v - want), tol = e->tol * (want != 0.0 ? fabs(want) : 1.0);
    right = err <= tol;
    if (right)
      printf("%s: exercise %lu: %s is right (within %g%%)\n", in->name, k, vs,
             100.0 * e->tol);
    else
      printf("%s: exercise %lu: %s is not right: too %s (not within %g%%)\n",
             in->name, k, vs, v < want ? "low" : "high", 100.0 * e->tol);
  }
  L->exit_status = stdout_failed(L) ? 1 : right ? 0 : 1;
  return 1;
}

static void print_exercise_markers(const grl_lesson *L);

/* --solutions: every exercise with its computed answer, for instructors
 * (`make answers` weaves them into the answer key; with the notebook's
 * markers each answer is also "#grl:solution K<TAB>VALUE"). */
static int print_solutions(grl_lesson *L)
{
  const grl_exercise *e = L->info->exercises;
  printf("%s -- the exercises' answers, for instructors\n", L->info->name);
  print_exercise_markers(L);
  for (int k = 1; e && e->text; e++, k++) {
    double v;
    const char *model = L->info->models ? L->info->models[k - 1] : NULL;
    if (!e->answer) {
      printf("  %d. (no number: the answer is a discussion)\n", k);
      if (model)
        printf("     Model answer: %s\n", model);
      continue;
    }
    if (e->answer(&v) != GRL_OK || !isfinite(v)) {
      fprintf(stderr, "%s: --solutions: exercise %d: cannot compute the "
              "answer: %s\n", L->info->name, k, grl_strerror());
      return 1;
    }
    if (e->integer)
      printf("  %d. %.0f   (--answer %d takes only this whole number)\n", k,
             nearbyint(v), k);
    else
      printf("  %d. %.10g   (--answer %d takes it within %g%%)\n", k, v, k,
             100.0 * e->tol);
    if (model)   /* a numeric answer may carry a note, too */
      printf("     Model answer: %s\n", model);
    if (L->markers)
      printf("#grl:solution %d\t%.17g\n", k, e->integer ? nearbyint(v) : v);
  }
  return stdout_failed(L);
}

static void print_help(const grl_lesson *L, const grl_opt *opts)
{
  const grl_lesson_info *in = L->info;
  printf("%s -- %s\n\n%s\n", in->name, in->title, in->summary);
  printf("\nOptions:\n");
  grl_opt_help(stdout, opts);
  if (in->charts && in->charts[0]) {
    printf("\nCharts (DIR/NAME.dat and DIR/NAME.gp; `make plots` renders"
           " them):\n");
    for (const char *const *c = in->charts; *c; c++)
      printf("  %s-%s\n", L->prefix, *c);
  }
  print_exercises(L);
}

/* mkdir -p: each component in turn; one that exists is fine. */
static int make_dirs(const char *path)
{
  char buf[4096];
  size_t n = strlen(path);
  if (n == 0 || n >= sizeof buf)
    return grl_fail(GRL_EINVAL, "--outdir: bad directory '%s'", path);
  memcpy(buf, path, n + 1);
  for (size_t i = 1; i <= n; i++) {
    if (buf[i] != '/' && buf[i] != '\0')
      continue;
    char c = buf[i];
    buf[i] = '\0';
    if (mkdir(buf, 0777) != 0 && errno != EEXIST)
      return grl_fail(GRL_EIO, "%s: cannot create directory: %s", buf,
                      strerror(errno));
    buf[i] = c;
  }
  struct stat st;
  if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode))
    return grl_fail(GRL_EIO, "%s: not a directory", path);
  return GRL_OK;
}

/* --outdir DIR: any non-empty name. */
static int set_outdir(const char *arg, void *dest, char *msg, size_t len)
{
  if (!*arg) {
    snprintf(msg, len, "--outdir: empty directory name");
    return -1;
  }
  *(const char **)dest = arg;
  return 0;
}

int grl_lesson_start(grl_lesson *L, int argc, char **argv,
                     const grl_lesson_info *info, const char *default_outdir,
                     const char *outdir_said)
{
  grl_blas_core_fix(argv);
  /* OpenBLAS on one thread for the whole run.  A chapter spreads its
   * independent work over OpenMP threads, and each product must run alone
   * on its thread: the library pins OpenBLAS for each pass and gives back
   * what it found, and two passes running at once would otherwise give
   * back each other's setting. */
  grl_blas_set_one_thread();
  memset(L, 0, sizeof *L);
  L->info = info;
  L->seed = info->seed;
  L->outdir = default_outdir;
  const char *mk = getenv("GRULAB_MARKERS");
  L->markers = mk && !strcmp(mk, "1");
  /* The chart prefix: "ch01-gates" -> "ch01". */
  size_t np = strcspn(info->name, "-");
  if (np >= sizeof L->prefix)
    np = sizeof L->prefix - 1;
  memcpy(L->prefix, info->name, np);
  L->prefix[np] = '\0';

  /* The options every chapter shares, then the chapter's own. */
  enum { SHARED = 7, MAX_EXTRA = 24 };
  int charts = 0, solutions = 0;
  const char *answer[2] = {NULL, NULL};   /* --answer K VALUE */
  char seed_help[160], outdir_help[600];
  snprintf(seed_help, sizeof seed_help, "random seed (default %lu); the "
           "output is the same for the same seed\n(GSL's mt19937 takes seed "
           "0 as 4357: the same run)", info->seed);
  snprintf(outdir_help, sizeof outdir_help, "where the charts go (default: "
           "%s)", outdir_said);
  grl_opt opts[SHARED + MAX_EXTRA + 1] = {
    {"seed", GRL_OPT_ULONG, &L->seed, "N", .help = seed_help},
    {"outdir", GRL_OPT_CALL, &L->outdir, "DIR", .help = outdir_help,
     .set = set_outdir},
    {"quick", GRL_OPT_FLAG, &L->quick, NULL,
     .help = "the small size that make check uses"},
    {"charts", GRL_OPT_FLAG, &charts, NULL,
     .help = "list the chart files this chapter writes"},
    {"solutions", GRL_OPT_FLAG, &solutions, NULL,
     .help = "print every exercise's answer (for instructors)"},
    {"help", GRL_OPT_HELP, NULL, NULL, .help = "this text"},
    {"answer", GRL_OPT_PAIR, answer, "K VALUE",
     .help = "is VALUE the answer to exercise K? (exit 0 if right, 1 if"
             " not)"}};
  size_t n = SHARED;
  for (const grl_opt *o = info->opts; o && o->name; o++, n++) {
    if (n == SHARED + MAX_EXTRA)
      return bad_option(L, "--%s: more than %d options", o->name, MAX_EXTRA);
    opts[n] = *o;
  }
  opts[n] = (grl_opt){.name = NULL};

  grl_opt_result e;
  int parsed = grl_opt_parse(opts, argc, argv, &e);
  for (size_t k = 0; k < e.nnote; k++)   /* old names, once each */
    fprintf(stderr, "%s: %s\n", info->name, e.note[k]);
  switch (parsed) {
  case GRL_OPT_RUN:
    break;
  case GRL_OPT_HELP_ASKED:
    print_help(L, opts);
    L->exit_status = stdout_failed(L);
    return 1;
  default:
    return bad_option(L, "%s", e.msg);
  }
  if (answer[0])
    return check_answer(L, answer[0], answer[1]);
  if (charts) {
    for (const char *const *c = info->charts; c && *c; c++)
      printf("%s-%s\n", L->prefix, *c);
    L->exit_status = stdout_failed(L);
    return 1;
  }
  if (solutions) {
    L->exit_status = print_solutions(L);
    return 1;
  }
  /* The chapter's own checks of its options, before anything starts. */
  if (info->check && info->check(L))
    return 1;
  int rc = make_dirs(L->outdir);
  if (rc != GRL_OK) {
    fprintf(stderr, "%s: %s\n", info->name, grl_strerror());
    L->exit_status = 2;
    return 1;
  }

  /* The banner: what this is and how it was run. */
  printf("%s -- %s\n", info->name, info->title);
  printf("seed %lu, %s size, charts in %s\n", L->seed,
         L->quick ? "quick" : "default", L->outdir);
  if (L->markers)
    printf("#grl:chapter %s\t%s\n", info->name, info->title);
  return 0;
}

void grl_lesson_param(grl_lesson *L, const char *key, const char *fmt, ...)
{
  char val[64];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(val, sizeof val, fmt, ap);
  va_end(ap);
  /* A key set twice keeps its latest value. */
  size_t k = 0;
  while (k < L->nparam && strcmp(L->param_key[k], key))
    k++;
  if (k == GRL_LESSON_MAX_PARAMS) {
    grl_lesson_expect(L, 0, "too many lesson parameters");
    return;
  }
  snprintf(L->param_key[k], sizeof L->param_key[k], "%s", key);
  snprintf(L->param_val[k], sizeof L->param_val[k], "%s", val);
  if (k == L->nparam)
    L->nparam++;
  printf("  %-*s = %s\n", LABEL_WIDTH, key, val);
}

/* The exercises, for the notebook: "#grl:exercise K TOL<TAB>TEXT". */
static void print_exercise_markers(const grl_lesson *L)
{
  const grl_exercise *e = L->info->exercises;
  for (int k = 1; L->markers && e && e->text; e++, k++) {
    printf("#grl:exercise %d %g\t", k,
           !e->answer ? 0.0 : e->integer ? -1.0 : e->tol);
    for (const char *p = e->text; *p; p++)
      if (*p == '\n')
        fputs("\\n", stdout);
      else
        putchar(*p);
    putchar('\n');
  }
}

int grl_lesson_end(grl_lesson *L)
{
  const grl_lesson_info *in = L->info;
  size_t k = 0;
  for (const char *const *c = in->charts; c && *c; c++, k++)
    if (!(L->written & (1UL << k))) {
      fprintf(stderr, "%s: chart '%s-%s' was declared but not written\n",
              in->name, L->prefix, *c);
      L->failed++;
    }
  if (L->markers)
    printf("#grl:end\n");
  printf("\n");
  if (L->failed) {
    printf("%s: %d check%s FAILED\n", in->name, L->failed,
           L->failed == 1 ? "" : "s");
    print_exercise_markers(L);
    stdout_failed(L);
    return 1;
  }
  printf("%s: done; %zu chart%s written to %s\n", in->name, L->nwritten,
         L->nwritten == 1 ? "" : "s", L->outdir);
  print_exercise_markers(L);
  /* A lesson nobody could read did not run: a full disk is a failure. */
  return stdout_failed(L);
}

/* ------------------------------------------------------------------ */
/* Printing                                                            */
/* ------------------------------------------------------------------ */

void grl_lesson_section_at(grl_lesson *L, int line, const char *fmt, ...)
{
  char title[256];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(title, sizeof title, fmt, ap);
  va_end(ap);
  /* A lesson nobody can read is not worth computing on: what the sections
   * before printed is written out here, and if it could not be (a full
   * disk, /dev/full) the run stops now, with one line on stderr, instead
   * of training every network of the chapter first. */
  if (stdout_failed(L))
    exit(1);
  L->section++;
  if (L->markers) {
    printf("#grl:section %d %d\t%s\n", L->section, line, title);
    fflush(stdout);   /* the notebook shows progress section by section */
  }
  /* "== [3] Title ======...", padded to 72 columns. */
  int n = printf("\n== [%d] %s ", L->section, title);
  for (; n < 73; n++)
    putchar('=');
  putchar('\n');
}

void grl_lesson_say(grl_lesson *L, const char *fmt, ...)
{
  (void)L;
  char text[4096];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(text, sizeof text, fmt, ap);
  va_end(ap);
  /* Indent every line by two spaces; a trailing newline is implied. */
  for (const char *p = text; *p;) {
    size_t n = strcspn(p, "\n");
    printf(n ? "  %.*s\n" : "\n", (int)n, p);
    p += n;
    if (*p == '\n')
      p++;
  }
}

void grl_lesson_value(grl_lesson *L, const char *label, double v)
{
  (void)L;
  printf("  %-*s = % .10g\n", LABEL_WIDTH, label, v);
}

void grl_lesson_known(grl_lesson *L, const char *label, double computed,
                      double known)
{
  (void)L;
  printf("  %-*s = % -18.15g  known % -18.15g  error % .1e\n", LABEL_WIDTH,
         label, computed, known, computed - known);
}

void grl_lesson_versus(grl_lesson *L, const char *label, double a,
                       const char *name, double b)
{
  (void)L;
  printf("  %-*s = % -18.15g  %s % -18.15g  diff % .1e\n", LABEL_WIDTH, label,
         a, name, b, a - b);
}

static void print_numbers(size_t n, const double *v)
{
  /* Long vectors: the first and last few, with the count. */
  const size_t edge = 5;
  printf("[");
  for (size_t i = 0; i < n; i++) {
    if (n > 2 * edge + 2 && i == edge) {
      printf("  ... (%zu more)", n - 2 * edge);
      i = n - edge - 1;
      continue;
    }
    printf(" % .6f", v[i]);
  }
  printf(" ]");
}

void grl_lesson_vector(grl_lesson *L, const char *label, size_t n,
                       const double *v)
{
  (void)L;
  printf("  %-*s = ", LABEL_WIDTH, label);
  print_numbers(n, v);
  putchar('\n');
}

void grl_lesson_matrix(grl_lesson *L, const char *label, size_t rows,
                       size_t cols, const double *a, size_t stride)
{
  (void)L;
  for (size_t i = 0; i < rows; i++) {
    printf("  %-*s %c ", LABEL_WIDTH, i == 0 ? label : "", i == 0 ? '=' : ' ');
    print_numbers(cols, a + i * stride);
    putchar('\n');
  }
}

int grl_lesson_check(grl_lesson *L, const char *label, double value,
                     double tol)
{
  int pass = value <= tol;   /* NaN fails */
  printf("  %-*s = %.2e   (want <= %.2g)   %s\n", LABEL_WIDTH, label, value,
         tol, pass ? "ok" : "FAILED");
  if (!pass)
    L->failed++;
  return pass;
}

int grl_lesson_expect(grl_lesson *L, int cond, const char *label)
{
  printf("  %-*s   %s\n", LABEL_WIDTH, label, cond ? "ok" : "FAILED");
  if (!cond)
    L->failed++;
  return cond;
}

void grl_lesson_skip(grl_lesson *L, const char *label, const char *reason)
{
  (void)L;
  printf("  %-*s   skipped: %s\n", LABEL_WIDTH, label, reason);
}

int grl_lesson_error(grl_lesson *L, int status, const char *what)
{
  if (status == GRL_OK)
    return status;
  fprintf(stderr, "%s: %s: %s\n", L->info->name, what, grl_strerror());
  printf("  %-*s   FAILED (%s)\n", LABEL_WIDTH, what, grl_strerror());
  L->failed++;
  return status;
}

/* ------------------------------------------------------------------ */
/* Charts                                                              */
/* ------------------------------------------------------------------ */

static grl_chart *lesson_chart_open(grl_lesson *L, const char *name,
                                    const char *title, int inherit);

grl_chart *grl_lesson_chart(grl_lesson *L, const char *name,
                            const char *title)
{
  return lesson_chart_open(L, name, title, 1);
}

grl_chart *grl_lesson_chart_own(grl_lesson *L, const char *name,
                                const char *title)
{
  return lesson_chart_open(L, name, title, 0);
}

static grl_chart *lesson_chart_open(grl_lesson *L, const char *name,
                                    const char *title, int inherit)
{
  const grl_lesson_info *in = L->info;
  /* Only declared charts: --charts and the tests rely on the list. */
  size_t k = 0;
  const char *const *c = in->charts;
  while (c && c[k] && strcmp(c[k], name))
    k++;
  if (!c || !c[k]) {
    grl_lesson_error(L, grl_fail(GRL_EINVAL, "chart '%s' is not declared in"
                                 " the chapter's charts", name), "chart");
    return NULL;
  }
  if (k >= CHAR_BIT * sizeof L->written) {
    grl_lesson_error(L, grl_fail(GRL_EINVAL, "too many charts"), "chart");
    return NULL;
  }

  char full[128];
  snprintf(full, sizeof full, "%s-%s", L->prefix, name);
  grl_chart *ch;
  int rc = grl_chart_open(&ch, L->outdir, full, title);
  if (rc != GRL_OK) {
    grl_lesson_error(L, rc, full);
    return NULL;
  }
  /* Every chart records how it was made. */
  grl_chart_param(ch, "chapter", "%s", in->name);
  grl_chart_param(ch, "seed", "%lu", L->seed);
  grl_chart_param(ch, "quick", "%d", L->quick);
  for (size_t i = 0; inherit && i < L->nparam; i++)
    grl_chart_param(ch, L->param_key[i], "%s", L->param_val[i]);
  return ch;
}

int grl_lesson_chart_done(grl_lesson *L, grl_chart *ch)
{
  if (!ch)
    return GRL_EINVAL;   /* already counted when it failed to open */
  char full[128];
  snprintf(full, sizeof full, "%s", grl_chart_name(ch));
  int rc = grl_chart_commit(ch);
  if (rc != GRL_OK)
    return grl_lesson_error(L, rc, full);
  /* Mark it written: its index in the declared list. */
  size_t np = strlen(L->prefix) + 1;
  size_t k = 0;
  for (const char *const *c = L->info->charts; c[k]; k++)
    if (!strcmp(c[k], full + np))
      L->written |= 1UL << k;
  L->nwritten++;
  printf("  %-*s   %s.dat, %s.gp\n", LABEL_WIDTH, "chart written", full,
         full);
  if (L->markers)
    printf("#grl:chart %s\n", full);
  return GRL_OK;
}

void grl_lesson_takeaway(grl_lesson *L, const char *chart, const char *fmt,
                         ...)
{
  size_t k = 0;
  const char *const *c = L->info->charts;
  while (c && c[k] && strcmp(c[k], chart))
    k++;
  if (!c || !c[k]) {
    grl_lesson_expect(L, 0, "a takeaway for an undeclared chart");
    return;
  }
  if (!L->markers)
    return;
  char text[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(text, sizeof text, fmt, ap);
  va_end(ap);
  for (char *p = text; *p; p++)   /* one line */
    if (*p == '\n' || *p == '\t')
      *p = ' ';
  printf("#grl:takeaway %s\t%s\n", chart, text);
}

/* ------------------------------------------------------------------ */
/* Numbers                                                             */
/* ------------------------------------------------------------------ */

void grl_lesson_pulse_sine(double *x, size_t T, size_t B, size_t I)
{
  for (size_t t = 1; t <= T; t++)
    for (size_t b = 0; b < B; b++) {
      double *xt = x + ((t - 1) * B + b) * I;   /* (I) x_t of row b */
      for (size_t k = 0; k < I; k++)
        xt[k] = 0.0;
      xt[0] = (t % 20 == 5) ? 1.0 : 0.0;
      xt[1] = 0.8 * sin(2.0 * M_PI * (double)t / 25.0) + (2 * t > T ? 1.0 : 0.0);
    }
}

double grl_lesson_reldiff(size_t n, const double *a, const double *b)
{
  double dmax = 0.0, amax = 0.0;
  for (size_t i = 0; i < n; i++) {
    double d = fabs(a[i] - b[i]);
    if (!(d <= dmax))            /* NaN propagates */
      dmax = d;
    amax = fmax(amax, fmax(fabs(a[i]), fabs(b[i])));
  }
  if (dmax == 0.0)
    return 0.0;
  return dmax / amax;
}

double grl_lesson_absdiff(size_t n, const double *a, const double *b)
{
  double dmax = 0.0;
  for (size_t i = 0; i < n; i++) {
    double d = fabs(a[i] - b[i]);
    if (!(d <= dmax))
      dmax = d;
  }
  return dmax;
}

/* ---- running many trainings at once -------------------------------- */

typedef struct {
  double cost;
  size_t index;
} lesson_job;

static int by_cost_desc(const void *a, const void *b)
{
  const lesson_job *x = a, *y = b;
  if (x->cost != y->cost)
    return x->cost < y->cost ? 1 : -1;
  return x->index < y->index ? -1 : x->index > y->index;
}

void grl_lesson_run_parallel(void *items, size_t n, size_t size,
                             double (*cost)(const void *item),
                             void (*job)(void *item, void *arg), void *arg)
{
  char *base = items;
  const int progress = isatty(fileno(stderr));
  size_t finished = 0;
  lesson_job *order = malloc((n ? n : 1) * sizeof *order);
  if (order) {
    for (size_t i = 0; i < n; i++)
      order[i] = (lesson_job){cost(base + i * size), i};
    qsort(order, n, sizeof *order, by_cost_desc);
  }
#pragma omp parallel for schedule(dynamic, 1)
  for (size_t i = 0; i < n; i++) {
    job(base + (order ? order[i].index : i) * size, arg);
#pragma omp critical
    {
      finished++;
      if (progress) {
        fprintf(stderr, "\r%zu/%zu runs trained ", finished, n);
        fflush(stderr);
      }
    }
  }
  if (progress) {
    fputs("\r\033[K", stderr);   /* the terminal keeps only the results */
    fflush(stderr);
  }
  free(order);
}
