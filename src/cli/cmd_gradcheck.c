/* cmd_gradcheck.c -- grulab gradcheck: BPTT against numerical derivatives.
 *
 *   grulab gradcheck --cell C [--input-size I --hidden-size H --steps T
 *                    --batch B --seed S] [--method M] [--step h]
 *                    [--tolerance tol] [--params FILE] [--sample N]
 *   grulab gradcheck --cell C --sweep [--tensor NAME] [--index K]
 *
 * The check itself is the library's (grl_gradcheck_run); this file parses
 * flags, sets the problem up and prints the report.  The last line of a
 * check is always
 *
 *   worst relative error: E (cell C, method M, step h, N entries)
 *
 * and the exit status is 0 when E <= tolerance and something was compared
 * (not every entry exactly 0 on both sides), 1 when not (or when the run
 * failed), 2 for a bad flag -- including a flag that does not apply, such
 * as --check c0 for a cell without c0, or --method with --sweep. */
#include <config.h>
#include "cli.h"

#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

enum {
  OPT_HELP = 'h',
  OPT_CELL = 256,
  OPT_INPUT_SIZE,
  OPT_HIDDEN_SIZE,
  OPT_STEPS,
  OPT_BATCH,
  OPT_SEED,
  OPT_METHOD,
  OPT_STEP,
  OPT_TOLERANCE,
  OPT_PARAMS,
  OPT_SAMPLE,
  OPT_SWEEP,
  OPT_TENSOR,
  OPT_INDEX,
  OPT_FLOOR,
  OPT_CHECK,
  OPT_THREADS,
  OPT_TIME
};

static const struct option long_opts[] = {
  {"help", no_argument, NULL, OPT_HELP},
  {"cell", required_argument, NULL, OPT_CELL},
  {"input-size", required_argument, NULL, OPT_INPUT_SIZE},
  {"hidden-size", required_argument, NULL, OPT_HIDDEN_SIZE},
  {"steps", required_argument, NULL, OPT_STEPS},
  {"batch", required_argument, NULL, OPT_BATCH},
  {"seed", required_argument, NULL, OPT_SEED},
  {"method", required_argument, NULL, OPT_METHOD},
  {"step", required_argument, NULL, OPT_STEP},
  {"tolerance", required_argument, NULL, OPT_TOLERANCE},
  {"params", required_argument, NULL, OPT_PARAMS},
  {"sample", required_argument, NULL, OPT_SAMPLE},
  {"sweep", no_argument, NULL, OPT_SWEEP},
  {"tensor", required_argument, NULL, OPT_TENSOR},
  {"index", required_argument, NULL, OPT_INDEX},
  {"floor", required_argument, NULL, OPT_FLOOR},
  {"check", required_argument, NULL, OPT_CHECK},
  {"threads", required_argument, NULL, OPT_THREADS},
  {"time", no_argument, NULL, OPT_TIME},
  {NULL, 0, NULL, 0}};

static void help(FILE *f)
{
  fprintf(f,
    "Usage: grulab gradcheck --cell C [OPTION]...\n"
    "Compare the analytic BPTT gradient with a numerical derivative for EVERY\n"
    "entry of every parameter tensor, of the input and of h0 (and c0 for the\n"
    "LSTM), for the loss\n"
    "    L = sum(g .* output) + 0.5 * ||h_T||^2,   g ~ U(-1,1) drawn from the seed.\n\n"
    "  --cell C           the cell: rnn, gru, gru-cho, lstm, seed\n"
    "  --input-size I     input size (default 3)\n"
    "  --hidden-size H    hidden size (default 4)\n"
    "  --steps T          sequence length (default 6)\n"
    "  --batch B          batch size (default 2)\n"
    "  --seed S           draws x, h0, c0 ~ U(-0.9,0.9), g, then the parameters\n"
    "                     ~ U(-0.9,0.9) unless --params is given (default 1;\n"
    "                     GSL's mt19937 takes seed 0 as 4357)\n"
    "  --params FILE      parameters to check, in the named-tensor format; the\n"
    "                     sizes I and H come from the file\n"
    "  --method M         forward | central | gsl | complex | all (default central)\n"
    "                       forward  (L(t+h)-L(t))/h        h=1.49e-8   tol 1e-3\n"
    "                       central  (L(t+h)-L(t-h))/2h     h=6.06e-6   tol 1e-6\n"
    "                       gsl      gsl_deriv_central      h=1e-4 (initial) tol 1e-6\n"
    "                       complex  Im L(t+ih)/h           h=1e-20     tol 1e-11\n"
    "                     all: run the four, each with its own step and tolerance;\n"
    "                     the last line is the method whose E/tolerance is largest,\n"
    "                     and the exit status is 0 only if every method passed\n"
    "  --step h           step, relative to max(1,|theta|) (default: the method's)\n"
    "  --tolerance tol    pass if the worst relative error <= tol (default: the\n"
    "                     method's)\n"
    "  --floor F          scaled (default): rel = |a-n| / max(|a|+|n|, floor) with\n"
    "                     floor = max(1e-1 * S, 1e-300), S = the tensor's largest\n"
    "                     |gradient|; fixed: floor = 1e-300, which lets rounding\n"
    "                     noise on near-zero entries fail the check; a number R:\n"
    "                     floor = max(R * S, 1e-300)\n"
    "  --check LIST       comma-separated subset of params,input,h0,c0 (default all)\n"
    "  --sample N         check at most N entries per tensor, drawn from the seed\n"
    "                     (default: every entry)\n"
    "  --threads N        OpenMP threads, 1..1024 (default: all cores); the\n"
    "                     report is the same for any N\n"
    "  --time             also print the wall time of the numerical part\n"
    "  --sweep            instead of a check: for one entry, print the relative\n"
    "                     error of forward, central and complex for h = 1e-1 ..\n"
    "                     1e-20, each against the analytic (BPTT) value; takes\n"
    "                     none of --method --step --tolerance --floor --check\n"
    "                     --sample --threads --time (exit 2 if given)\n"
    "  --tensor NAME      --sweep's tensor (default: the first parameter tensor)\n"
    "  --index K          --sweep's entry, a flat row-major index (default: the\n"
    "                     entry of largest |gradient|)\n\n"
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
    "Exit status: 0 if E <= tolerance (and something was compared), 1 if not\n"
    "(or the run failed), 2 bad flag.\n");
}

static const char *long_name(int val)
{
  for (const struct option *o = long_opts; o->name; o++)
    if (o->val == val)
      return o->name;
  return "?";
}

/* --check params,input,h0,c0 */
static int parse_check(const char *arg, unsigned *what)
{
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
      cli_error("gradcheck: --check takes a comma-separated list of params, "
                "input, h0, c0; got '%s'", arg);
      return -1;
    }
  }
  if (!*what) {
    cli_error("gradcheck: --check needs at least one of params, input, h0, c0");
    return -1;
  }
  return 0;
}

typedef struct {
  const grl_cell *cell;
  size_t I, H, T, B;
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
  const char *cmd = "gradcheck";
  const char *cell = NULL;
  int have_step = 0, have_tol = 0, have_check = 0;
  const char *check_only = NULL;   /* the first flag given that --sweep ignores */
  memset(a, 0, sizeof *a);
  a->I = 3;
  a->H = 4;
  a->T = 6;
  a->B = 2;
  a->seed = 1;
  a->method = GRL_GC_CENTRAL;
  a->what = GRL_GC_ALL;
  a->index = (size_t)-1;
  a->floor_rel = GRL_GRADCHECK_FLOOR_REL;
  opterr = 0;
  optind = 1;
  for (;;) {
    int c = getopt_long(argc, argv, ":h", long_opts, NULL);
    if (c == -1)
      break;
    unsigned long ul;
    switch (c) {
    case OPT_METHOD: case OPT_STEP: case OPT_TOLERANCE: case OPT_SAMPLE:
    case OPT_FLOOR: case OPT_CHECK: case OPT_THREADS: case OPT_TIME:
      if (!check_only)
        check_only = long_name(c);
      break;
    default:
      break;
    }
    switch (c) {
    case OPT_HELP:
      help(stdout);
      return CLI_OK;
    case OPT_CELL: cell = optarg; break;
    case OPT_INPUT_SIZE:
      if (cli_size(cmd, "--input-size", optarg, 1, &a->I)) return CLI_USAGE;
      a->have_I = 1;
      break;
    case OPT_HIDDEN_SIZE:
      if (cli_size(cmd, "--hidden-size", optarg, 1, &a->H)) return CLI_USAGE;
      a->have_H = 1;
      break;
    case OPT_STEPS:
      if (cli_size(cmd, "--steps", optarg, 1, &a->T)) return CLI_USAGE;
      break;
    case OPT_BATCH:
      if (cli_size(cmd, "--batch", optarg, 1, &a->B)) return CLI_USAGE;
      break;
    case OPT_SEED:
      if (cli_ulong(cmd, "--seed", optarg, &a->seed)) return CLI_USAGE;
      break;
    case OPT_METHOD:
      if (strcmp(optarg, "all") == 0) {
        a->method = -1;
      } else if ((a->method = grl_gradcheck_method_lookup(optarg)) < 0) {
        cli_error("%s: --method must be forward, central, gsl, complex or "
                  "all, got '%s'", cmd, optarg);
        return CLI_USAGE;
      }
      break;
    case OPT_STEP:
      if (cli_double(cmd, "--step", optarg, &a->step)) return CLI_USAGE;
      if (!(a->step > 0.0) || a->step >= 1.0) {
        cli_error("%s: --step must be in (0, 1), got '%s'", cmd, optarg);
        return CLI_USAGE;
      }
      have_step = 1;
      break;
    case OPT_TOLERANCE:
      if (cli_double(cmd, "--tolerance", optarg, &a->tolerance)) return CLI_USAGE;
      if (!(a->tolerance > 0.0)) {
        cli_error("%s: --tolerance must be positive, got '%s'", cmd, optarg);
        return CLI_USAGE;
      }
      have_tol = 1;
      break;
    case OPT_PARAMS: a->params = optarg; break;
    case OPT_SAMPLE:
      if (cli_size(cmd, "--sample", optarg, 1, &a->sample)) return CLI_USAGE;
      break;
    case OPT_SWEEP: a->sweep = 1; break;
    case OPT_TENSOR: a->tensor = optarg; break;
    case OPT_INDEX:
      if (cli_ulong(cmd, "--index", optarg, &ul)) return CLI_USAGE;
      a->index = ul;
      break;
    case OPT_FLOOR:
      if (strcmp(optarg, "scaled") == 0) {
        a->floor_rel = GRL_GRADCHECK_FLOOR_REL;
      } else if (strcmp(optarg, "fixed") == 0) {
        a->floor_rel = 0.0;
      } else {
        char *end;
        a->floor_rel = strtod(optarg, &end);
        if (end == optarg || *end || !(a->floor_rel >= 0.0 && a->floor_rel < 1.0)) {
          cli_error("%s: --floor must be scaled, fixed or a factor in [0, 1), "
                    "got '%s'", cmd, optarg);
          return CLI_USAGE;
        }
      }
      break;
    case OPT_CHECK:
      if (parse_check(optarg, &a->what)) return CLI_USAGE;
      have_check = 1;
      break;
    case OPT_THREADS:
    {
      /* one range, one message, whichever way it is broken */
      char *end;
      long v = optarg[0] >= '0' && optarg[0] <= '9' ? strtol(optarg, &end, 10) : 0;
      if (v < 1 || v > 1024 || *end) {
        cli_error("%s: --threads must be an integer between 1 and 1024, got "
                  "'%s'", cmd, optarg);
        return CLI_USAGE;
      }
      a->threads = (int)v;
      break;
    }
    case OPT_TIME: a->time = 1; break;
    case ':':
      cli_error("%s: --%s needs a value; try 'grulab %s --help'", cmd,
                long_name(optopt), cmd);
      return CLI_USAGE;
    default:
      cli_error("%s: unknown option '%s'; try 'grulab %s --help'", cmd,
                argv[optind - 1], cmd);
      return CLI_USAGE;
    }
  }
  if (optind < argc) {
    cli_error("%s: unexpected argument '%s'; try 'grulab %s --help'", cmd,
              argv[optind], cmd);
    return CLI_USAGE;
  }
  if (!cell) {
    cli_error("%s: --cell C is required; try 'grulab %s --help'", cmd, cmd);
    return CLI_USAGE;
  }
  if (!(a->cell = cli_cell(cmd, cell)))
    return CLI_USAGE;
  if (a->method < 0 && (have_step || have_tol)) {
    cli_error("%s: --method all uses each method's own step and tolerance; "
              "--step and --tolerance need one method", cmd);
    return CLI_USAGE;
  }
  if (have_check && (a->what & GRL_GC_C0) && !a->cell->has_c) {
    cli_error("%s: --check c0: cell %s has no cell state c0 (only lstm has one)",
              cmd, grl_cell_name(a->cell));
    return CLI_USAGE;
  }
  if (a->sweep && check_only) {
    cli_error("%s: --%s does not apply to --sweep, which always runs forward, "
              "central and complex at h = 1e-1 .. 1e-20 on one entry", cmd,
              check_only);
    return CLI_USAGE;
  }
  if (!a->sweep && (a->tensor || a->index != (size_t)-1)) {
    cli_error("%s: --%s only applies to --sweep", cmd,
              a->tensor ? "tensor" : "index");
    return CLI_USAGE;
  }
  return -1;
}

static int run_failed(const char *msg)
{
  cli_stdout_discard();
  /* library messages about the check already start with "gradcheck" */
  if (strncmp(msg, "gradcheck", 9) == 0)
    cli_error("%s", msg);
  else
    cli_error("gradcheck: %s", msg);
  return CLI_FAIL;
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

/* Print one method's report; *ratio = E / tolerance. */
static int check_one(FILE *f, const grl_model *m, const grl_gradcheck_problem *p,
                     const gc_args *a, int method, grl_gradcheck_report **rep)
{
  grl_gradcheck_opts o;
  grl_gradcheck_opts_init(&o, method);
  if (a->method >= 0) {
    o.step = a->step;
    o.tolerance = a->tolerance;
  }
  o.floor_rel = a->floor_rel;
  o.what = a->what;
  o.sample = a->sample;
  o.sample_seed = a->seed;
  o.threads = a->threads;
  int st = grl_gradcheck_run(rep, m, p, &o);
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
  if (!r)
    return run_failed("out of memory");
  gsl_rng_set(r, a.seed);
  /* --params sizes the model from the file; sizes given as flags must
   * agree with it. */
  int st = a.params ? grl_model_load(&m, a.cell, a.params, 0)
                    : grl_model_alloc(&m, a.cell, a.I, a.H, 0);
  if (!st && a.params && ((a.have_I && a.I != m->input_size)
                          || (a.have_H && a.H != m->hidden_size)))
    st = grl_fail(GRL_EINVAL, "%s holds a model with input size %zu and "
                  "hidden size %zu, but --input-size %zu --hidden-size %zu "
                  "were given", a.params, m->input_size, m->hidden_size,
                  a.I, a.H);
  /* The problem is drawn first, so that --params does not change it. */
  if (!st)
    st = grl_gradcheck_problem_alloc(&p, m, a.T, a.B, r);
  if (!st && !a.params)
    grl_gradcheck_randomize(m, r, 0.9);   /* "high-entropy" parameters */
  gsl_rng_free(r);

  if (!st && a.sweep && !sweep_flags_ok(m, &a)) {
    grl_gradcheck_problem_free(p);
    grl_model_free(m);
    return CLI_USAGE;
  }
  FILE *f = st ? NULL : cli_stdout_begin();
  if (!st && !f)
    st = grl_fail(GRL_ENOMEM, "out of memory");
  if (!st && a.sweep) {
    st = sweep(f, m, p, &a);
    rc = st ? CLI_FAIL : CLI_OK;
  } else if (!st) {
    int first = a.method >= 0 ? a.method : 0;
    int last = a.method >= 0 ? a.method : GRL_GC_NMETHOD - 1;
    char line[512] = "";
    double worst_ratio = -1.0;
    int all_pass = 1;
    for (int k = first; k <= last && !st; k++) {
      grl_gradcheck_report *rep = NULL;
      st = check_one(f, m, p, &a, k, &rep);
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
      rc = all_pass ? CLI_OK : CLI_FAIL;
    }
  }
  grl_gradcheck_problem_free(p);
  grl_model_free(m);
  if (st)
    return run_failed(grl_strerror());
  if (cli_stdout_commit())
    return CLI_FAIL;
  return rc;
}
