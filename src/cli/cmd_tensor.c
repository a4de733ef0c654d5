/* cmd_tensor.c -- grulab init | forward | backward | bench.
 *
 * The cells from the command line, on files in the named-tensor text
 * format with PyTorch's state_dict names:
 *
 *   grulab init     --cell C --input-size I --hidden-size H [--seed S]
 *   grulab forward  --cell C --params FILE --data FILE
 *   grulab backward --cell C --params FILE --data FILE
 *   grulab bench    --cell C --input-size I --hidden-size H --batch B
 *                   --steps T [--iters N] [--seed S]
 *
 * Every subcommand computes its whole answer before writing anything: the
 * tensors go into cli_stdout_begin()'s buffer, and only a complete answer
 * reaches stdout.  Errors are one line on stderr naming the file and the
 * tensor (exit 1) or the flag (exit 2). */
#include <config.h>
#include "cli.h"

#include <getopt.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- options shared by the four subcommands ---------------------------- */

enum {
  OPT_HELP = 'h',
  OPT_CELL = 256,
  OPT_PARAMS,
  OPT_DATA,
  OPT_INPUT_SIZE,
  OPT_HIDDEN_SIZE,
  OPT_BATCH,
  OPT_STEPS,
  OPT_ITERS,
  OPT_SEED
};

/* The raw flag values; each subcommand parses the ones it takes. */
typedef struct {
  const char *cell, *params, *data;
  const char *input_size, *hidden_size, *batch, *steps, *iters, *seed;
} opts;

#define O_HELP {"help", no_argument, NULL, OPT_HELP}
#define O_CELL {"cell", required_argument, NULL, OPT_CELL}
#define O_PARAMS {"params", required_argument, NULL, OPT_PARAMS}
#define O_DATA {"data", required_argument, NULL, OPT_DATA}
#define O_INPUT_SIZE {"input-size", required_argument, NULL, OPT_INPUT_SIZE}
#define O_HIDDEN_SIZE {"hidden-size", required_argument, NULL, OPT_HIDDEN_SIZE}
#define O_BATCH {"batch", required_argument, NULL, OPT_BATCH}
#define O_STEPS {"steps", required_argument, NULL, OPT_STEPS}
#define O_ITERS {"iters", required_argument, NULL, OPT_ITERS}
#define O_SEED {"seed", required_argument, NULL, OPT_SEED}
#define O_END {NULL, 0, NULL, 0}

static const char *long_name(const struct option *lo, int val)
{
  for (; lo->name; lo++)
    if (lo->val == val)
      return lo->name;
  return "?";
}

/* Parse argv into o.  Returns 0 to go on, CLI_OK after --help (printed by
 * help()), or CLI_USAGE after a one-line error. */
static int parse(int argc, char **argv, const struct option *lo,
                 void (*help)(FILE *), opts *o, int *done)
{
  const char *cmd = argv[0];
  memset(o, 0, sizeof *o);
  *done = 0;
  opterr = 0;
  optind = 1;
  for (;;) {
    int c = getopt_long(argc, argv, ":h", lo, NULL);
    if (c == -1)
      break;
    switch (c) {
    case OPT_HELP:
      help(stdout);
      *done = 1;
      return CLI_OK;
    case OPT_CELL: o->cell = optarg; break;
    case OPT_PARAMS: o->params = optarg; break;
    case OPT_DATA: o->data = optarg; break;
    case OPT_INPUT_SIZE: o->input_size = optarg; break;
    case OPT_HIDDEN_SIZE: o->hidden_size = optarg; break;
    case OPT_BATCH: o->batch = optarg; break;
    case OPT_STEPS: o->steps = optarg; break;
    case OPT_ITERS: o->iters = optarg; break;
    case OPT_SEED: o->seed = optarg; break;
    case ':':
      cli_error("%s: --%s needs a value; try 'grulab %s --help'", cmd,
                long_name(lo, optopt), cmd);
      *done = 1;
      return CLI_USAGE;
    default:
      if (optopt && optopt < 256)
        cli_error("%s: unknown option '-%c'; try 'grulab %s --help'", cmd,
                  optopt, cmd);
      else
        cli_error("%s: unknown option '%s'; try 'grulab %s --help'", cmd,
                  argv[optind - 1], cmd);
      *done = 1;
      return CLI_USAGE;
    }
  }
  if (optind < argc) {
    cli_error("%s: unexpected argument '%s'; try 'grulab %s --help'", cmd,
              argv[optind], cmd);
    *done = 1;
    return CLI_USAGE;
  }
  return 0;
}

/* A required flag that was not given. */
static int missing(const char *cmd, const char *flag, const char *what)
{
  cli_error("%s: %s %s is required; try 'grulab %s --help'", cmd, flag, what,
            cmd);
  return CLI_USAGE;
}

/* A required size flag: missing, or parsed as a positive integer. */
static int need_size(const char *cmd, const char *flag, const char *arg,
                     const char *what, size_t *out)
{
  if (!arg)
    return missing(cmd, flag, what);
  return cli_size(cmd, flag, arg, 1, out) ? CLI_USAGE : 0;
}

static void help_cells(FILE *f)
{
  fprintf(f, "Cells (--cell):\n");
  for (const grl_cell *const *c = grl_cell_all(); *c; c++)
    fprintf(f, "  %-8s %s\n", grl_cell_name(*c), (*c)->title ? (*c)->title : "");
}

/* ---- reading a model and a data file ------------------------------------ */

/* What forward and backward read from --data, shapes checked against the
 * model: input (T, B, I) fixes T and B; h0, c0 (B, H) are optional. */
typedef struct {
  grl_tensorfile *tf;
  size_t T, B;
  const double *x;     /* (T*B, I) */
  const double *h0;    /* (B, H) or NULL = zeros */
  const double *c0;    /* (B, H) or NULL = zeros; LSTM only */
  const double *dout;  /* (T*B, H) grad_output, if asked for */
} seqdata;

/* grl_tensorfile_get, with where the expected shape came from. */
static int get_shaped(const grl_tensorfile *tf, const char *name, int ndim,
                      size_t d0, size_t d1, size_t d2, const char *why,
                      const double **data)
{
  const size_t dims[3] = {d0, d1, d2};
  int st = grl_tensorfile_get(tf, name, ndim, dims, data);
  if (st) {
    char msg[1024];
    snprintf(msg, sizeof msg, "%s", grl_strerror());
    return grl_fail(st, "%s (%s)", msg, why);
  }
  return GRL_OK;
}

static int load_data(seqdata *d, const grl_model *m, const char *params,
                     const char *path, int need_dout)
{
  const size_t I = m->input_size, H = m->hidden_size;
  char why[512];
  memset(d, 0, sizeof *d);
  int st = grl_tensorfile_read(&d->tf, path);
  if (st)
    return st;
  const grl_tensor *in = grl_tensorfile_find(d->tf, "input");
  if (!in)
    return grl_fail(GRL_EINVAL, "%s: no tensor 'input' (T, B, I)", path);
  if (in->ndim != 3 || in->dims[2] != I) {
    /* the dimensions as the file wrote them: "2x2", not "2x2x1" */
    char shape[96] = "";
    for (int k = 0; k < in->ndim; k++)
      snprintf(shape + strlen(shape), sizeof shape - strlen(shape), "%s%zu",
               k ? "x" : "", in->dims[k]);
    return grl_fail(GRL_EINVAL, "%s:%ld: tensor 'input' has shape %s, "
                    "expected T x B x %zu (I=%zu from %s)",
                    path, in->line, shape, I, I, params);
  }
  d->T = in->dims[0];
  d->B = in->dims[1];
  d->x = in->data;
  snprintf(why, sizeof why, "B=%zu from 'input', H=%zu from %s", d->B, H,
           params);
  if (grl_tensorfile_find(d->tf, "h0")) {
    st = get_shaped(d->tf, "h0", 2, d->B, H, 1, why, &d->h0);
    if (st)
      return st;
  }
  const grl_tensor *c0 = grl_tensorfile_find(d->tf, "c0");
  if (c0 && !m->cell->has_c)
    return grl_fail(GRL_EINVAL, "%s:%ld: tensor 'c0' is only for the lstm "
                    "cell, not %s", path, c0->line, grl_cell_name(m->cell));
  if (c0) {
    st = get_shaped(d->tf, "c0", 2, d->B, H, 1, why, &d->c0);
    if (st)
      return st;
  }
  if (need_dout) {
    snprintf(why, sizeof why, "T=%zu, B=%zu from 'input', H=%zu from %s",
             d->T, d->B, H, params);
    if (!grl_tensorfile_find(d->tf, "grad_output"))
      return grl_fail(GRL_EINVAL, "%s: no tensor 'grad_output' (T, B, H) = "
                      "(%zu, %zu, %zu); backward needs dL/doutput",
                      path, d->T, d->B, H);
    st = get_shaped(d->tf, "grad_output", 3, d->T, d->B, H, why, &d->dout);
    if (st)
      return st;
  }
  return GRL_OK;
}

/* Write a matrix view as a tensor of the given shape (it may be strided). */
static int write_view(FILE *f, const char *name, int ndim, const size_t *dims,
                      const gsl_matrix *v)
{
  double *buf = malloc(v->size1 * v->size2 * sizeof *buf);  /* dense copy */
  if (!buf)
    return grl_fail(GRL_ENOMEM, "out of memory writing '%s'", name);
  for (size_t i = 0; i < v->size1; i++)
    for (size_t j = 0; j < v->size2; j++)
      buf[i * v->size2 + j] = gsl_matrix_get(v, i, j);
  int st = grl_tensor_write(f, name, ndim, dims, buf);
  free(buf);
  return st;
}

/* Print a failed run's message and pick its exit status. */
static int run_failed(const char *cmd)
{
  cli_error("%s: %s", cmd, grl_strerror());
  cli_stdout_discard();
  return CLI_FAIL;
}

/* ---- grulab init --------------------------------------------------------- */

static void help_init(FILE *f)
{
  fprintf(f,
    "Usage: grulab init --cell C --input-size I --hidden-size H [--seed S]\n"
    "Write freshly initialised parameters for cell C to stdout, in the\n"
    "named-tensor text format under PyTorch's state_dict names.\n\n"
    "  --cell C           the cell (below)\n"
    "  --input-size I     input features per step, I >= 1\n"
    "  --hidden-size H    hidden units, H >= 1\n"
    "  --seed S           seed of the mt19937 generator (default 1); GSL\n"
    "                       takes seed 0 as 4357, so 0 and 4357 agree\n"
    "  -h, --help         this help\n\n"
    "Every entry is drawn from U(-1/sqrt(H), 1/sqrt(H)), PyTorch's default,\n"
    "in the order the tensors are printed.\n\n");
  help_cells(f);
  fprintf(f, "\nExit status: 0 success, 1 failure, 2 bad flags.\n");
}

int cmd_init(int argc, char **argv)
{
  static const struct option lo[] = {O_HELP, O_CELL, O_INPUT_SIZE,
                                     O_HIDDEN_SIZE, O_SEED, O_END};
  const char *cmd = argv[0];
  opts o;
  int done, rc = parse(argc, argv, lo, help_init, &o, &done);
  if (done)
    return rc;
  size_t I, H;
  unsigned long seed = 1;
  if (!o.cell)
    return missing(cmd, "--cell", "C");
  const grl_cell *cell = cli_cell(cmd, o.cell);
  if (!cell)
    return CLI_USAGE;
  if ((rc = need_size(cmd, "--input-size", o.input_size, "I", &I)))
    return rc;
  if ((rc = need_size(cmd, "--hidden-size", o.hidden_size, "H", &H)))
    return rc;
  if (o.seed && cli_ulong(cmd, "--seed", o.seed, &seed))
    return CLI_USAGE;

  grl_model *m = NULL;
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  if (!r) {
    cli_error("%s: out of memory", cmd);
    return CLI_FAIL;
  }
  gsl_rng_set(r, seed);
  int st = grl_model_alloc(&m, cell, I, H, 0);
  if (!st) {
    grl_model_init_uniform(m, r);
    FILE *f = cli_stdout_begin();
    st = f ? grl_model_write(f, m, m->theta)
           : grl_fail(GRL_ENOMEM, "out of memory");
  }
  gsl_rng_free(r);
  grl_model_free(m);
  if (st)
    return run_failed(cmd);
  return cli_stdout_commit() ? CLI_FAIL : CLI_OK;
}

/* ---- grulab forward / backward ------------------------------------------ */

static void help_forward(FILE *f)
{
  fprintf(f,
    "Usage: grulab forward --cell C --params FILE --data FILE\n"
    "Run cell C over a batch of sequences and print, in the named-tensor\n"
    "text format:\n"
    "  output (T, B, H)   h_t for every step\n"
    "  h_n (B, H)         the last hidden state\n"
    "  c_n (B, H)         the last cell state (lstm only)\n\n"
    "  --cell C           the cell (below)\n"
    "  --params FILE      the cell's parameters, PyTorch state_dict names\n"
    "                     (as written by 'grulab init'); I and H come from them\n"
    "  --data FILE        input (T, B, I); optional h0 (B, H) and, for the\n"
    "                     lstm, c0 (B, H); missing states are zeros\n"
    "  -h, --help         this help\n\n");
  help_cells(f);
  fprintf(f, "\nExit status: 0 success, 1 bad or inconsistent files, "
             "2 bad flags.\n");
}

static void help_backward(FILE *f)
{
  fprintf(f,
    "Usage: grulab backward --cell C --params FILE --data FILE\n"
    "Full backpropagation through time of L = sum(grad_output * output),\n"
    "printed in the named-tensor text format:\n"
    "  each parameter's own name   dL/dparameter, with its shape\n"
    "  input (T, B, I)             dL/dinput\n"
    "  h0 (B, H)                   dL/dh0\n"
    "  c0 (B, H)                   dL/dc0 (lstm only)\n\n"
    "  --cell C           the cell (below)\n"
    "  --params FILE      the cell's parameters, PyTorch state_dict names\n"
    "  --data FILE        input (T, B, I), grad_output (T, B, H); optional\n"
    "                     h0 (B, H) and, for the lstm, c0 (B, H)\n"
    "  -h, --help         this help\n\n");
  help_cells(f);
  fprintf(f, "\nExit status: 0 success, 1 bad or inconsistent files, "
             "2 bad flags.\n");
}

/* forward (backward == 0) and backward (backward == 1) share everything
 * up to the run. */
static int forward_backward(int argc, char **argv, int backward)
{
  static const struct option lo[] = {O_HELP, O_CELL, O_PARAMS, O_DATA, O_END};
  const char *cmd = argv[0];
  opts o;
  int done, rc = parse(argc, argv, lo, backward ? help_backward : help_forward,
                       &o, &done);
  if (done)
    return rc;
  if (!o.cell)
    return missing(cmd, "--cell", "C");
  const grl_cell *cell = cli_cell(cmd, o.cell);
  if (!cell)
    return CLI_USAGE;
  if (!o.params)
    return missing(cmd, "--params", "FILE");
  if (!o.data)
    return missing(cmd, "--data", "FILE");

  grl_model *m = NULL;
  grl_seq *s = NULL;
  seqdata d = {0};
  double *dtheta = NULL;  /* (n) parameter gradients    */
  double *dx = NULL;      /* (T*B, I) dL/dinput         */
  double *dh0 = NULL;     /* (B, H) dL/dh0              */
  double *dc0 = NULL;     /* (B, H) dL/dc0, lstm only   */
  int st = grl_model_load(&m, cell, o.params, 0);
  if (!st)
    st = load_data(&d, m, o.params, o.data, backward);
  if (!st)
    st = grl_seq_alloc(&s, m, d.T, d.B);
  if (!st)
    st = grl_seq_forward(s, NULL, d.x, d.h0, d.c0);
  const size_t T = d.T, B = d.B, I = m ? m->input_size : 0,
               H = m ? m->hidden_size : 0;
  if (!st && backward) {
    dtheta = calloc(m->n, sizeof *dtheta);
    dx = calloc(T * B * I, sizeof *dx);
    dh0 = calloc(B * H, sizeof *dh0);
    dc0 = calloc(B * H, sizeof *dc0);
    if (!dtheta || !dx || !dh0 || !dc0)
      st = grl_fail(GRL_ENOMEM, "out of memory");
    if (!st)
      st = grl_seq_backward(s, NULL, d.x, d.dout, NULL, NULL, dtheta, dx,
                            dh0, cell->has_c ? dc0 : NULL);
  }
  if (!st) {
    FILE *f = cli_stdout_begin();
    const size_t tbh[3] = {T, B, H}, tbi[3] = {T, B, I}, bh[3] = {B, H, 1};
    if (!f) {
      st = grl_fail(GRL_ENOMEM, "out of memory");
    } else if (!backward) {
      gsl_matrix_view out = grl_seq_output(s), hn = grl_seq_hT(s);
      st = write_view(f, "output", 3, tbh, &out.matrix);
      if (!st)
        st = write_view(f, "h_n", 2, bh, &hn.matrix);
      if (!st && cell->has_c) {
        gsl_matrix_view cn = grl_seq_cT(s);
        st = write_view(f, "c_n", 2, bh, &cn.matrix);
      }
    } else {
      st = grl_model_write(f, m, dtheta);
      if (!st)
        st = grl_tensor_write(f, "input", 3, tbi, dx);
      if (!st)
        st = grl_tensor_write(f, "h0", 2, bh, dh0);
      if (!st && cell->has_c)
        st = grl_tensor_write(f, "c0", 2, bh, dc0);
    }
  }
  free(dtheta);
  free(dx);
  free(dh0);
  free(dc0);
  grl_seq_free(s);
  grl_tensorfile_free(d.tf);
  grl_model_free(m);
  if (st)
    return run_failed(cmd);
  return cli_stdout_commit() ? CLI_FAIL : CLI_OK;
}

int cmd_forward(int argc, char **argv)
{
  return forward_backward(argc, argv, 0);
}

int cmd_backward(int argc, char **argv)
{
  return forward_backward(argc, argv, 1);
}

/* ---- grulab bench --------------------------------------------------------- */

#define BENCH_WARMUP 3
#define BENCH_ITERS 20

static void help_bench(FILE *f)
{
  fprintf(f,
    "Usage: grulab bench --cell C --input-size I --hidden-size H --batch B\n"
    "                    --steps T [--iters N] [--seed S]\n"
    "Time one forward pass plus full BPTT of cell C over a (T, B) batch of\n"
    "random sequences: %d warm-up runs, then N timed runs (default %d).\n"
    "The last line is\n"
    "  bench cell=C T=.. B=.. I=.. H=.. median_ms=X gflops=Y\n"
    "where X is the median wall time of one forward + backward in ms, and\n"
    "Y counts only the GEMM flops:\n"
    "  flops = 6*T*B*G*H*(I+H)\n"
    "(forward: the input and recurrent products, 2*T*B*G*H*(I+H); backward:\n"
    "the weight gradients and the input/state gradients, twice that), with\n"
    "G the cell's gate blocks:"
    , BENCH_WARMUP, BENCH_ITERS);
  for (const grl_cell *const *c = grl_cell_all(); *c; c++)
    fprintf(f, "%s %s G=%zu", c == grl_cell_all() ? "" : ",",
            grl_cell_name(*c), (*c)->G);
  fprintf(f, ".\n\n"
    "  --cell C           the cell (below)\n"
    "  --input-size I     input features per step, I >= 1\n"
    "  --hidden-size H    hidden units, H >= 1\n"
    "  --batch B          sequences per batch, B >= 1\n"
    "  --steps T          time steps, T >= 1\n"
    "  --iters N          timed runs, N >= 1 (default %d)\n"
    "  --seed S           seed of the random parameters and data (default 1);\n"
    "                       GSL's mt19937 takes seed 0 as 4357\n"
    "  -h, --help         this help\n\n", BENCH_ITERS);
  help_cells(f);
  fprintf(f, "\nBLAS in use: %s.\n"
             "Exit status: 0 success, 1 failure, 2 bad flags.\n",
          GRL_BLAS_NAME);
}

static double now_ms(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec * 1e-6;
}

int cmd_bench(int argc, char **argv)
{
  static const struct option lo[] = {O_HELP, O_CELL, O_INPUT_SIZE,
                                     O_HIDDEN_SIZE, O_BATCH, O_STEPS, O_ITERS,
                                     O_SEED, O_END};
  const char *cmd = argv[0];
  opts o;
  int done, rc = parse(argc, argv, lo, help_bench, &o, &done);
  if (done)
    return rc;
  size_t I, H, B, T, N = BENCH_ITERS;
  unsigned long seed = 1;
  if (!o.cell)
    return missing(cmd, "--cell", "C");
  const grl_cell *cell = cli_cell(cmd, o.cell);
  if (!cell)
    return CLI_USAGE;
  if ((rc = need_size(cmd, "--input-size", o.input_size, "I", &I)))
    return rc;
  if ((rc = need_size(cmd, "--hidden-size", o.hidden_size, "H", &H)))
    return rc;
  if ((rc = need_size(cmd, "--batch", o.batch, "B", &B)))
    return rc;
  if ((rc = need_size(cmd, "--steps", o.steps, "T", &T)))
    return rc;
  if (o.iters && cli_size(cmd, "--iters", o.iters, 1, &N))
    return CLI_USAGE;
  if (o.seed && cli_ulong(cmd, "--seed", o.seed, &seed))
    return CLI_USAGE;

  grl_model *m = NULL;
  grl_seq *s = NULL;
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  double *x = NULL;       /* (T*B, I) random input            */
  double *dout = NULL;    /* (T*B, H) random dL/doutput       */
  double *dtheta = NULL;  /* (n) parameter gradients          */
  double *dx = NULL;      /* (T*B, I) input gradients         */
  double *dh0 = NULL;     /* (B, H)                           */
  double *ms = NULL;      /* (N) wall time of each timed run  */
  int st = r ? GRL_OK : grl_fail(GRL_ENOMEM, "out of memory");
  if (!st)
    st = grl_model_alloc(&m, cell, I, H, 0);
  if (!st)
    st = grl_seq_alloc(&s, m, T, B);
  if (!st) {
    x = malloc(T * B * I * sizeof *x);
    dout = malloc(T * B * H * sizeof *dout);
    dtheta = calloc(m->n, sizeof *dtheta);
    dx = calloc(T * B * I, sizeof *dx);
    dh0 = calloc(B * H, sizeof *dh0);
    ms = calloc(N, sizeof *ms);
    if (!x || !dout || !dtheta || !dx || !dh0 || !ms)
      st = grl_fail(GRL_ENOMEM, "out of memory for T=%zu B=%zu I=%zu H=%zu",
                    T, B, I, H);
  }
  if (!st) {
    gsl_rng_set(r, seed);
    grl_model_init_uniform(m, r);
    for (size_t k = 0; k < T * B * I; k++)
      x[k] = 2.0 * gsl_rng_uniform(r) - 1.0;
    for (size_t k = 0; k < T * B * H; k++)
      dout[k] = 2.0 * gsl_rng_uniform(r) - 1.0;
  }
  for (size_t it = 0; !st && it < BENCH_WARMUP + N; it++) {
    double t0 = now_ms();
    st = grl_seq_forward(s, NULL, x, NULL, NULL);
    if (!st)
      st = grl_seq_backward(s, NULL, x, dout, NULL, NULL, dtheta, dx, dh0,
                            NULL);
    double t1 = now_ms();
    if (it >= BENCH_WARMUP)
      ms[it - BENCH_WARMUP] = t1 - t0;
  }
  if (!st) {
    gsl_sort(ms, 1, N);
    const double median = gsl_stats_median_from_sorted_data(ms, 1, N);
    const double flops = grl_seq_flops(m, T, B);
    FILE *f = cli_stdout_begin();
    if (!f) {
      st = grl_fail(GRL_ENOMEM, "out of memory");
    } else {
      fprintf(f, "# grulab bench: BLAS=%s warmup=%d iters=%zu min_ms=%.4f "
                 "max_ms=%.4f flops=%.6g (6*T*B*G*H*(I+H))\n",
              GRL_BLAS_NAME, BENCH_WARMUP, N, ms[0], ms[N - 1], flops);
      fprintf(f, "bench cell=%s T=%zu B=%zu I=%zu H=%zu median_ms=%.4f "
                 "gflops=%.3f\n", grl_cell_name(cell), T, B, I, H, median,
              median > 0 ? flops / (median * 1e6) : 0.0);
    }
  }
  free(x);
  free(dout);
  free(dtheta);
  free(dx);
  free(dh0);
  free(ms);
  grl_seq_free(s);
  grl_model_free(m);
  gsl_rng_free(r);
  if (st)
    return run_failed(cmd);
  return cli_stdout_commit() ? CLI_FAIL : CLI_OK;
}
