/* cmd_gradcheck.c -- grulab gradcheck: BPTT against numerical derivatives.
 *
 *   grulab gradcheck --cell C [--input-size I --hidden-size H --seq-len T
 *                    --batch B --seed S] [--method M] [--step h]
 *                    [--tolerance tol] [--params FILE] [--sample N]
 *   grulab gradcheck --cell C --sweep [--tensor NAME] [--index K]
 *   grulab gradcheck --loss text --cell C [--vocabulary V ...]
 *
 * The check itself is the library's one engine (grl_gradcheck_run for the
 * sequence loss, grl_gradcheck_text_run for the text loss); this file
 * parses flags, sets the problem up and prints the report.  The last line
 * of a check is always
 *
 *   worst relative error: E (cell C, method M, step h, N entries)
 *
 * and the exit status is 0 when E <= tolerance and something was compared
 * (not every entry exactly 0 on both sides), 1 when not (or when the run
 * failed), 2 for a bad flag -- including a flag that does not apply, such
 * as --check c0 for a cell without c0, or --method with --sweep. */
#include <config.h>
#include "cli.h"
#include "grl_gcreport.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static void help(FILE *f, const grl_opt *opts)
{
  fprintf(f,
    "Usage: grulab gradcheck --cell C [OPTION]...\n"
    "       grulab gradcheck --params FILE [OPTION]...   (the file names the cell)\n"
    "       grulab gradcheck --loss text --cell C [OPTION]...\n"
    "Compare the analytic BPTT gradient with a numerical derivative for EVERY\n"
    "entry of every parameter tensor, of the input and of h0 (and c0 for the\n"
    "LSTM), for the loss (--loss sequence, the default)\n"
    "    L = sum(g .* output) + 0.5 * ||h_T||^2,   g ~ U(-1,1) drawn from the seed,\n"
    "or (--loss text) for the text loss of 'grulab train --task text': softmax\n"
    "cross-entropy at every step of a window of T bytes of B streams, from a\n"
    "carried-in h0 (and c0), with random ids, targets and state -- every entry\n"
    "of the parameters (readout included), h0 and c0.\n\n");
  grl_opt_help(f, opts);
  fprintf(f, "\n"
    "Relative error per entry: |a-n| / max(|a|+|n|, floor).  Entries that are\n"
    "exactly 0 on both sides (the seed cell's weight_o, bias_o: o is never read)\n"
    "are reported as such and are not failures; but a check in which EVERY\n"
    "entry is exactly 0 on both sides (e.g. every unit saturated) compared\n"
    "nothing, and fails.\n"
    "What it can catch: an analytic entry a wrong by a relative d shows as\n"
    "rel = d|a| / max((2+d)|a|, R*S), R = 0.1 unless --floor R, i.e. d/2 on\n"
    "entries |a| >= S/20 and 10 d |a|/S below; it is caught for sure when\n"
    "d > 2 tol and |a| > R * tol * S / d: with the default floor, central (tol 1e-6)\n"
    "catches d = 1e-4 on every |a| > 1e-3 S, complex (tol 1e-11) d = 1e-9 on\n"
    "every |a| > 1e-3 S; smaller entries can hide an error of that size.\n"
    "The last line is 'worst relative error: E (cell C, method M, step h, N entries)'.\n"
    "Example: grulab gradcheck --cell lstm --method all\n\n"
    "Exit status: 0 if E <= tolerance (and something was compared), 1 if not\n"
    "(or the run failed), 2 bad flag.\n");
  cli_help_cells(f);
}

/* --check params,input,h0,c0 into an unsigned set of GRL_GC_* */
static int set_check(const char *arg, void *dest, char *msg, size_t len)
{
  unsigned *what = dest;
  char buf[256];
  snprintf(buf, sizeof buf, "%s", arg);
  *what = 0;
  for (char *tok = strtok(buf, ","); tok; tok = strtok(NULL, ",")) {
    if (strcmp(tok, "params") == 0)
      *what |= GRL_GC_PARAMS;
    else if (strcmp(tok, "input") == 0)
      *what |= GRL_GC_INPUT;
    else if (strcmp(tok, "h0") == 0)
      *what |= GRL_GC_H0;
    else if (strcmp(tok, "c0") == 0)
      *what |= GRL_GC_C0;
    else {
      snprintf(msg, len, "--check takes a comma-separated list of params, "
               "input, h0, c0; got '%s'", arg);
      return -1;
    }
  }
  if (!*what) {
    snprintf(msg, len, "--check needs at least one of params, input, h0, c0");
    return -1;
  }
  return 0;
}

/* --method M into an int: a GRL_GC_* method, or -1 for all */
static int set_method(const char *arg, void *dest, char *msg, size_t len)
{
  int *method = dest;
  if (strcmp(arg, "all") == 0) {
    *method = -1;
  } else if ((*method = grl_gradcheck_method_lookup(arg)) < 0) {
    snprintf(msg, len, "--method must be forward, central, gsl, complex or "
             "all, got '%s'", arg);
    return -1;
  }
  return 0;
}

/* --floor scaled | fixed | R into the relative floor (a double) */
static int set_floor(const char *arg, void *dest, char *msg, size_t len)
{
  double *floor_rel = dest, x;
  if (strcmp(arg, "scaled") == 0) {
    *floor_rel = GRL_GRADCHECK_FLOOR_REL;
  } else if (strcmp(arg, "fixed") == 0) {
    *floor_rel = 0.0;
  } else if (grl_parse_double(arg, &x) == GRL_OK && x >= 0.0 && x < 1.0) {
    *floor_rel = x;
  } else {
    snprintf(msg, len, "--floor must be scaled, fixed or a factor in [0, 1), "
             "got '%s'", arg);
    return -1;
  }
  return 0;
}

typedef struct {
  const grl_cell *cell;
  int text;              /* --loss text                      */
  size_t I, H, T, B;     /* text: I is the vocabulary V      */
  size_t layers;         /* stacked layers L (text loss only above 1) */
  double dropout;        /* text loss: p, with fixed masks           */
  const char *dropout_kind;
  unsigned long seed;
  int method;            /* -1: all */
  double step, tolerance;
  const char *params;
  size_t sample;
  int sweep;
  const char *tensor;
  size_t index;
  double floor_rel;
  unsigned what;
  int threads;
  int time;
  int have_I, have_H;    /* given on the command line */
} gc_args;

/* Returns -1 to go on, or an exit status. */
static int parse(int argc, char **argv, gc_args *a)
{
  static const char *const losses[] = {"sequence", "text", NULL};
  const char *cmd = "gradcheck", *loss = "sequence";
  unsigned long index = (unsigned long)-1;
  size_t V = 5;
  /* argv positions where these were given, 0 if not */
  int seen_I = 0, seen_H = 0, seen_method = 0, seen_step = 0, seen_tol = 0,
      seen_sample = 0, seen_floor = 0, seen_check = 0, seen_threads = 0,
      seen_time = 0, seen_index = 0, seen_V = 0, seen_T = 0, seen_params = 0,
      seen_sweep = 0, seen_layers = 0, seen_dropout = 0, seen_kind = 0;
  static const char *const dropout_kinds[] = {"standard", "variational",
                                              NULL};
  memset(a, 0, sizeof *a);
  a->layers = 1;
  a->dropout_kind = "standard";
  a->I = 3;
  a->H = 4;
  a->T = 6;
  a->B = 2;
  a->seed = 1;
  a->method = GRL_GC_CENTRAL;
  a->what = GRL_GC_ALL;
  a->floor_rel = GRL_GRADCHECK_FLOOR_REL;
  const grl_opt opts[] = {
    CLI_OPT_CELL_FILE(&a->cell),
    {"loss", GRL_OPT_CHOICE, &loss, "L",
     .help = "sequence (default): L = sum(g.*output) + 0.5*||h_T||^2;\n"
     "text: the language model's loss", .choices = losses},
    {"input-size", GRL_OPT_SIZE, &a->I, "I", .help = "input size (default 3;\n"
     "not with --loss text)", .lo = 1, .seen = &seen_I},
    {"vocabulary", GRL_OPT_SIZE, &V, "V",
     .help = "--loss text: vocabulary size, 2..256 (default 5)", .lo = 2,
     .hi = 256, .seen = &seen_V},
    {"hidden-size", GRL_OPT_SIZE, &a->H, "H",
     .help = "hidden size (default 4; text 3)", .lo = 1, .seen = &seen_H},
    {"layers", GRL_OPT_SIZE, &a->layers, "L",
     .help = "stacked layers (default 1); above 1, --loss text\n"
     "only", .lo = 1, .hi = GRL_MAX_LAYERS, .seen = &seen_layers},
    {"dropout", GRL_OPT_DOUBLE, &a->dropout, "P",
     .help = "--loss text: dropout P in [0, 1) with masks drawn\n"
     "once from --seed and fixed for every evaluation (not\n"
     "with --method complex)", .lo = 0, .hi = 1,
     .flags = GRL_OPT_MIN | GRL_OPT_BELOW, .seen = &seen_dropout},
    {"dropout-kind", GRL_OPT_CHOICE, &a->dropout_kind, "K",
     .help = "standard (default) or variational (as grulab train)",
     .choices = dropout_kinds, .seen = &seen_kind},
    {"seq-len", GRL_OPT_SIZE, &a->T, "T",
     .help = "sequence length (default 6); text: the window, T*B\n"
     "at most 100000 (default 4)", .lo = 1, .seen = &seen_T},
    {"batch", GRL_OPT_SIZE, &a->B, "B", .help = "batch size (default 2)", .lo = 1},
    {"seed", GRL_OPT_ULONG, &a->seed, "S",
     .help = "draws x, h0, c0 ~ U(-0.9,0.9), g, then the parameters\n"
     "~ U(-0.9,0.9) unless --params is given (default 1;\n"
     "GSL's mt19937 takes seed 0 as 4357)"},
    {"params", GRL_OPT_STRING, &a->params, "FILE",
     .help = "parameters to check, in the named-tensor format; the\n"
     "sizes I and H come from the file (not with --loss text)",
     .seen = &seen_params},
    {"method", GRL_OPT_CALL, &a->method, "M",
     .help = "forward | central | gsl | complex | all (default central)\n"
     "  forward  (L(t+h)-L(t))/h        h=1.49e-8   tol 1e-3\n"
     "  central  (L(t+h)-L(t-h))/2h     h=6.06e-6   tol 1e-6\n"
     "  gsl      gsl_deriv_central      h=1e-4 (initial) tol 1e-6\n"
     "  complex  Im L(t+ih)/h           h=1e-20     tol 1e-11\n"
     "all: run the four, each with its own step and tolerance;\n"
     "the last line is the method whose E/tolerance is largest,\n"
     "and the exit status is 0 only if every method passed",
     .set = set_method, .seen = &seen_method},
    {"step", GRL_OPT_DOUBLE, &a->step, "h",
     .help = "step, relative to max(1,|theta|) (default: the method's)",
     .lo = 0, .hi = 1, .flags = GRL_OPT_ABOVE | GRL_OPT_BELOW,
     .seen = &seen_step},
    {"tolerance", GRL_OPT_DOUBLE, &a->tolerance, "tol",
     .help = "pass if the worst relative error <= tol (default: the\n"
     "method's)", .lo = 0, .flags = GRL_OPT_ABOVE, .seen = &seen_tol},
    {"floor", GRL_OPT_CALL, &a->floor_rel, "F",
     .help = "scaled (default): rel = |a-n| / max(|a|+|n|, floor) with\n"
     "floor = max(1e-1 * S, 1e-300), S = the tensor's largest\n"
     "|gradient|; fixed: floor = 1e-300, which lets rounding\n"
     "noise on near-zero entries fail the check; a number R:\n"
     "floor = max(R * S, 1e-300)", .set = set_floor, .seen = &seen_floor},
    {"check", GRL_OPT_CALL, &a->what, "LIST",
     .help = "comma-separated subset of params,input,h0,c0 (default all)",
     .set = set_check, .seen = &seen_check},
    {"sample", GRL_OPT_SIZE, &a->sample, "N",
     .help = "check at most N entries per tensor, drawn from the seed\n"
     "(default: every entry)", .lo = 1, .seen = &seen_sample},
    {"threads", GRL_OPT_INT, &a->threads, "N",
     .help = "OpenMP threads, 1..1024 (default: all cores); the\n"
     "report is the same for any N", .lo = 1, .hi = 1024,
     .seen = &seen_threads},
    {"time", GRL_OPT_FLAG, &a->time, NULL,
     .help = "also print the wall time of the numerical part", .seen = &seen_time},
    {"sweep", GRL_OPT_FLAG, &a->sweep, NULL, .seen = &seen_sweep,
     .help = "instead of a check: for one entry, print the relative\n"
     "error of forward, central and complex for h = 1e-1 ..\n"
     "1e-20, each against the analytic (BPTT) value; takes\n"
     "none of --method --step --tolerance --floor --check\n"
     "--sample --threads --time (exit 2 if given)"},
    {"tensor", GRL_OPT_STRING, &a->tensor, "NAME",
     .help = "--sweep's tensor (default: the first parameter tensor)"},
    {"index", GRL_OPT_ULONG, &index, "K",
     .help = "--sweep's entry, a flat row-major index (default: the\n"
     "entry of largest |gradient|)", .seen = &seen_index},
    CLI_OPT_OLD_STEPS,
    CLI_OPT_END};
  int rc = cli_options(opts, argc, argv, help);
  if (rc >= 0)
    return rc;
  if (!a->cell && !a->params) {
    cli_error("%s: --cell is required without --params; try 'grulab %s --help'",
              cmd, cmd);
    return CLI_USAGE;
  }
  if (!a->cell) {
    /* the cell the --params file records (read again in cmd_gradcheck) */
    grl_model *m = NULL;
    grl_model_info info;
    if (grl_model_open(&m, NULL, a->params, 0, &info)) {
      cli_error("%s: --params: %s", cmd, grl_strerror());
      return CLI_FAIL;
    }
    a->cell = info.cell;
    grl_model_free(m);
  }
  a->have_I = seen_I > 0;
  a->have_H = seen_H > 0;
  a->index = seen_index ? (size_t)index : (size_t)-1;
  a->text = strcmp(loss, "text") == 0;
  /* what applies to one loss only */
  const struct { int at; const char *name; int text; } only[] = {
    {seen_I, "input-size", 0}, {seen_params, "params", 0},
    {seen_sweep, "sweep", 0}, {seen_V, "vocabulary", 1},
    {seen_dropout, "dropout", 1}, {seen_kind, "dropout-kind", 1}};
  for (size_t k = 0; k < sizeof only / sizeof only[0]; k++)
    if (only[k].at && only[k].text != a->text) {
      cli_error("%s: --%s does not apply to --loss %s", cmd, only[k].name,
                loss);
      return CLI_USAGE;
    }
  if (a->dropout > 0.0 && a->method != GRL_GC_CENTRAL && a->method != GRL_GC_FORWARD
      && a->method != GRL_GC_GSL) {
    cli_error("%s: --dropout: the complex step runs the naive reference, "
              "which has no dropout; use --method forward, central or gsl",
              cmd);
    return CLI_USAGE;
  }
  if (!a->text && a->layers > 1) {
    cli_error("%s: --layers %zu: the sequence loss checks one layer; a "
              "stacked model is checked with --loss text", cmd, a->layers);
    return CLI_USAGE;
  }
  if (a->text) {
    if (seen_check && (a->what & GRL_GC_INPUT)) {
      cli_error("%s: --check input: the text loss reads byte ids, which have "
                "no derivative (check params, h0, c0)", cmd);
      return CLI_USAGE;
    }
    a->I = V;
    if (!seen_H)
      a->H = 3;
    if (!seen_T)
      a->T = 4;
    if (a->T * a->B > 100000) {
      cli_error("%s: --seq-len times --batch is %zu; the text loss's check "
                "takes at most 100000", cmd, a->T * a->B);
      return CLI_USAGE;
    }
  }

  if (a->method < 0 && (seen_step || seen_tol)) {
    cli_error("%s: --method all uses each method's own step and tolerance; "
              "--step and --tolerance need one method", cmd);
    return CLI_USAGE;
  }
  if (seen_check && (a->what & GRL_GC_C0) && !a->cell->has_c) {
    cli_error("%s: --check c0: cell %s has no cell state c0 (only lstm has one)",
              cmd, grl_cell_name(a->cell));
    return CLI_USAGE;
  }
  /* The first flag given, on the command line, that --sweep does not take. */
  const struct { int at; const char *name; } check_only[] = {
    {seen_method, "method"}, {seen_step, "step"}, {seen_tol, "tolerance"},
    {seen_sample, "sample"}, {seen_floor, "floor"}, {seen_check, "check"},
    {seen_threads, "threads"}, {seen_time, "time"}};
  const char *first = NULL;
  int first_at = 0;
  for (size_t k = 0; k < sizeof check_only / sizeof check_only[0]; k++)
    if (check_only[k].at && (!first || check_only[k].at < first_at)) {
      first = check_only[k].name;
      first_at = check_only[k].at;
    }
  if (a->sweep && first) {
    cli_error("%s: --%s does not apply to --sweep, which always runs forward, "
              "central and complex at h = 1e-1 .. 1e-20 on one entry", cmd,
              first);
    return CLI_USAGE;
  }
  if (!a->sweep && (a->tensor || a->index != (size_t)-1)) {
    cli_error("%s: --%s only applies to --sweep", cmd,
              a->tensor ? "tensor" : "index");
    return CLI_USAGE;
  }
  return -1;
}

/* --tensor and --index name a tensor of this model and an entry in it. */
static int sweep_flags_ok(const grl_model *m, const gc_args *a)
{
  const size_t I = m->input_size, H = m->hidden_size;
  size_t size = 0;
  const char *name = a->tensor;
  if (!name) {
    name = m->param[0].name;
    size = m->param[0].rows * m->param[0].cols;
  } else if (strcmp(name, "input") == 0) {
    size = a->T * a->B * I;
  } else if (strcmp(name, "h0") == 0 || (strcmp(name, "c0") == 0 && m->cell->has_c)) {
    size = a->B * H;
  } else {
    const grl_param *p = grl_model_param(m, name);
    if (!p) {
      char names[512] = "";
      for (size_t i = 0; i < m->nparam; i++)
        snprintf(names + strlen(names), sizeof names - strlen(names), "%s, ",
                 m->param[i].name);
      cli_error("gradcheck: --tensor must be one of %sinput, h0%s for cell %s, "
                "got '%s'", names, m->cell->has_c ? ", c0" : "",
                grl_cell_name(m->cell), name);
      return 0;
    }
    size = p->rows * p->cols;
  }
  if (a->index != (size_t)-1 && a->index >= size) {
    cli_error("gradcheck: --index %zu is out of range for '%s' (%zu entries, "
              "flat row-major)", a->index, name, size);
    return 0;
  }
  return 1;
}

/* Print one method's report.  The text loss draws its problem from a
 * copy of r, the same for every method. */
static int check_one(FILE *f, const grl_model *m, const grl_gradcheck_problem *p,
                     const gsl_rng *r, const gc_args *a, int method,
                     grl_gradcheck_report **rep)
{
  grl_gradcheck_opts o;
  grl_gradcheck_opts_init(&o, method);
  if (a->method >= 0) {
    o.step = a->step;
    o.tolerance = a->tolerance;
  }
  o.floor_rel = a->floor_rel;
  o.what = a->what;
  o.dropout = a->dropout;
  o.dropout_kind = grl_dropout_kind_lookup(a->dropout_kind);
  o.dropout_seed = a->seed;
  o.sample = a->sample;
  o.sample_seed = a->seed;
  o.threads = a->threads;
  int st;
  if (a->text) {
    gsl_rng *rr = gsl_rng_clone(r);
    st = rr ? grl_gradcheck_text_run(rep, m, a->T, a->B, rr, &o)
            : grl_fail(GRL_ENOMEM, "out of memory");
    if (rr)
      gsl_rng_free(rr);
  } else {
    st = grl_gradcheck_run(rep, m, p, &o);
  }
  if (st && st != GRL_EFAIL)
    return st;
  grl_gradcheck_report_write(f, *rep);
  if (a->time)
    fprintf(f, "# time: %.3f s for the numerical part on %d thread%s\n",
            (*rep)->seconds, (*rep)->threads, (*rep)->threads == 1 ? "" : "s");
  return GRL_OK;
}

static int sweep(FILE *f, const grl_model *m, const grl_gradcheck_problem *p,
                 const gc_args *a)
{
  grl_gradcheck_sweep_result r;
  int st = grl_gradcheck_sweep(&r, m, p, a->tensor, a->index);
  if (st)
    return st;
  fprintf(f, "# gradcheck --sweep: cell %s, T=%zu B=%zu I=%zu H=%zu, entry "
          "%s flat index %zu, theta = %.17g\n", grl_cell_name(m->cell), p->T,
          p->B, m->input_size, m->hidden_size, r.tensor, r.at, r.theta);
  const double cs = r.complex_step[GRL_GRADCHECK_SWEEP_N - 1];
  fprintf(f, "# reference: analytic (BPTT)    %.17g\n", r.reference);
  fprintf(f, "# complex step at h = 1e-20     %.17g (relative difference "
          "%.3g)\n", cs, r.reference != 0.0 ? fabs(cs - r.reference) /
          fabs(r.reference) : fabs(cs));
  fprintf(f, "# columns: relative step h (times max(1,|theta|)), then\n"
          "# |estimate - analytic| / |analytic| for each method (the absolute\n"
          "# error if analytic is 0): every method against BPTT, which none of\n"
          "# them computed; 0 means bitwise equal to it\n");
  fprintf(f, "# h forward central complex\n");
  for (int k = 0; k < GRL_GRADCHECK_SWEEP_N; k++)
    fprintf(f, "%.0e %.6e %.6e %.6e\n", r.h[k], r.err_forward[k],
            r.err_central[k], r.err_complex_step[k]);
  return GRL_OK;
}

int cmd_gradcheck(int argc, char **argv)
{
  gc_args a;
  int rc = parse(argc, argv, &a);
  if (rc >= 0)
    return rc;

  grl_model *m = NULL;
  grl_gradcheck_problem *p = NULL;
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  FILE *f = cli_stdout_begin();
  if (!r || !f) {
    if (r)
      gsl_rng_free(r);
    return cli_end("gradcheck", grl_fail(GRL_ENOMEM, "out of memory"), CLI_OK);
  }
  gsl_rng_set(r, a.seed);
  /* --params sizes the model from the file; sizes given as flags must
   * agree with it. */
  grl_model_info info;
  int st = a.params ? grl_model_open(&m, a.cell, a.params, 0, &info)
                    : grl_model_alloc_layers(&m, a.cell, a.I, a.H,
                                             a.text ? a.I : 0, a.layers);
  if (!st && a.params && info.note[0])
    cli_error("gradcheck: note: %s", info.note);
  if (!st && a.params && ((a.have_I && a.I != m->input_size)
                          || (a.have_H && a.H != m->hidden_size)))
    st = grl_fail(GRL_EINVAL, "%s holds a model with input size %zu and "
                  "hidden size %zu, but --input-size %zu --hidden-size %zu "
                  "were given", a.params, m->input_size, m->hidden_size,
                  a.I, a.H);
  /* The problem is drawn first, so that --params does not change it (the
   * text loss draws its own after the parameters, in check_one). */
  if (!st && !a.text)
    st = grl_gradcheck_problem_alloc(&p, m, a.T, a.B, r);
  if (!st && !a.params)
    grl_gradcheck_randomize(m, r, 0.9);   /* "high-entropy" parameters */

  rc = CLI_OK;
  if (!st && a.sweep && !sweep_flags_ok(m, &a)) {
    rc = CLI_USAGE;
  } else if (!st && a.sweep) {
    st = sweep(f, m, p, &a);
  } else if (!st) {
    int first = a.method >= 0 ? a.method : 0;
    int last = a.method >= 0 ? a.method : GRL_GC_NMETHOD - 1;
    char line[512] = "";
    double worst_ratio = -1.0;
    int all_pass = 1;
    for (int k = first; k <= last && !st; k++) {
      grl_gradcheck_report *rep = NULL;
      st = check_one(f, m, p, r, &a, k, &rep);
      if (st)
        break;
      double ratio = rep->worst / rep->tolerance;
      if (isnan(ratio))
        ratio = INFINITY;
      all_pass &= rep->pass;
      if (a.method < 0)
        fprintf(f, "# method %s: worst relative error %.3g, tolerance %.3g: "
                "%s\n\n", grl_gradcheck_method_name(k), rep->worst,
                rep->tolerance, rep->pass ? "pass"
                : rep->nzero == rep->checked ? "FAIL (nothing compared)" : "FAIL");
      if (ratio > worst_ratio) {
        worst_ratio = ratio;
        grl_gradcheck_report_summary(rep, line, sizeof line);
      }
      grl_gradcheck_report_free(rep);
    }
    if (!st) {
      fprintf(f, "%s\n", line);
      st = all_pass ? GRL_OK : GRL_EFAIL;   /* a failed check's report stands */
    }
  }
  grl_gradcheck_problem_free(p);
  grl_model_free(m);
  gsl_rng_free(r);
  return cli_end("gradcheck", st, rc);
}
