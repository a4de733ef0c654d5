/* cmd_train.c -- `grulab train` and `grulab gradnorm`.
 *
 *   grulab train --task adding --cell C --length T [options]
 *   grulab gradnorm --cell C --steps T [options]
 *
 * train: learns the adding problem (or the copy-memory task) with full BPTT
 * and ends with a test on 1000 fresh sequences; its last line is
 *   test mse X (baseline 0.1667)
 * gradnorm: prints ||dL/dh_{T-k}|| against the lag k, and each step's
 * Jacobian norm, as "lag norm jacobian_norm" rows. */
#include <config.h>
#include "cli.h"

#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- grulab train ------------------------------------------------- */

static void train_help(FILE *f)
{
  fprintf(f,
"Usage: grulab train --task adding --cell C --length T [OPTION]...\n"
"Train a recurrent cell with a linear readout on a long-memory task, with\n"
"full backpropagation through time, then test it on 1000 fresh sequences.\n"
"\n"
"  --task NAME         adding (default), copy, or text (a language model;\n"
"                        see grulab train --task text --help)\n"
"                        adding: values ~ U[0,1] and two markers, one in each\n"
"                        half; predict the sum of the two marked values.\n"
"                        Always answering 1 scores MSE 1/6 = 0.1667, the\n"
"                        baseline to beat.\n"
"                        copy: reproduce 10 symbols after T blanks; the\n"
"                        memoryless cross-entropy is 10 ln 8 / (T + 20).\n"
"  --cell C            gru, gru-cho, rnn, lstm or seed (required)\n"
"  --length T          sequence length (adding) or delay (copy) (required)\n"
"  --hidden-size H     hidden units (default 32)\n"
"  --batch B           sequences per step (default 50)\n"
"  --steps N           optimiser steps (default 3000)\n"
"  --optimizer NAME    adam (default), rmsprop, momentum or sgd; the update\n"
"                        formulas are PyTorch's (momentum: mu = 0.9)\n"
"  --lr X              learning rate (default 0.001)\n"
"  --clip X            clip the gradient to global norm X (Pascanu et al.\n"
"                        2013, Algorithm 1); 0 turns clipping off (default 1)\n"
"  --seed S            seed of the initialisation and the training batches;\n"
"                        the test sequences have their own generator (default 1);\n"
"                        GSL's mt19937 takes seed 0 as 4357, so 0 and 4357 agree\n"
"  --save FILE         write the trained parameters (tensor format, readout\n"
"                        included); written whole or not at all\n"
"  --log FILE          write the learning curve as a .dat: step, loss,\n"
"                        gradient norm before clipping, update norm, clipped,\n"
"                        seconds\n"
"  --help              show this help\n"
"\n"
"Progress goes to stderr once a second when stderr is a terminal.  A NaN or\n"
"Inf loss or gradient stops training with exit status 1; --save and --log\n"
"then still get the last parameters whose loss and gradient were finite.\n"
"Example: grulab train --task adding --cell gru --length 50 --seed 5\n");
}

/* --log and --save are opened before training, so that a path that cannot
 * be written fails at once, not after the run; they are committed (or
 * removed) at the end. */
typedef struct {
  grl_outfile *o;
  FILE *f;
} outfile;

static int out_open(outfile *out, const char *flag, const char *path)
{
  out->o = NULL;
  out->f = NULL;
  if (path && grl_outfile_open(&out->o, &out->f, path)) {
    cli_error("train: %s: %s", flag, grl_strerror());
    return -1;
  }
  return 0;
}

static int out_commit(outfile *out, const char *flag)
{
  if (!out->o)
    return 0;
  int st = grl_outfile_commit(out->o);
  out->o = NULL;
  if (st) {
    cli_error("train: %s: %s", flag, grl_strerror());
    return -1;
  }
  return 0;
}

static void write_log(FILE *f, const char *run, const grl_train_stat *log,
                      size_t n)
{
  fprintf(f, "# grulab train learning curve\n# %s\n"
             "# step loss grad_norm update_norm clipped seconds\n", run);
  for (size_t i = 0; i < n; i++)
    fprintf(f, "%zu %.10g %.10g %.10g %d %.6f\n", log[i].step, log[i].loss,
            log[i].grad_norm, log[i].update_norm, log[i].clipped,
            log[i].seconds);
}

/* Write the parameters and the curve (whatever exists) and commit both. */
static int save_outputs(outfile *sv, outfile *lg, const grl_model *m,
                        const char *run, const grl_train_stat *log, size_t n)
{
  int rc = 0;
  if (sv->o && grl_model_write(sv->f, m, m->theta)) {
    cli_error("train: --save: %s", grl_strerror());
    grl_outfile_abort(sv->o);
    sv->o = NULL;
    rc = -1;
  }
  if (lg->o)
    write_log(lg->f, run, log, n);
  if (out_commit(sv, "--save"))
    rc = -1;
  if (out_commit(lg, "--log"))
    rc = -1;
  return rc;
}

int cmd_train(int argc, char **argv)
{
  static const struct option opts[] = {
    {"task", required_argument, NULL, 't'},
    {"cell", required_argument, NULL, 'c'},
    {"length", required_argument, NULL, 'L'},
    {"hidden-size", required_argument, NULL, 'H'},
    {"batch", required_argument, NULL, 'B'},
    {"steps", required_argument, NULL, 'N'},
    {"optimizer", required_argument, NULL, 'o'},
    {"lr", required_argument, NULL, 'r'},
    {"clip", required_argument, NULL, 'C'},
    {"seed", required_argument, NULL, 's'},
    {"save", required_argument, NULL, 'S'},
    {"log", required_argument, NULL, 'l'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0}};
  /* --task text is a language model with options of its own (cmd_text.c) */
  for (int i = 1; i < argc; i++)
    if ((!strcmp(argv[i], "--task") && i + 1 < argc && !strcmp(argv[i + 1], "text"))
        || !strcmp(argv[i], "--task=text"))
      return cmd_train_text(argc, argv);
  const char *task = "adding", *optimizer = "adam", *save = NULL,
             *logpath = NULL;
  const grl_cell *cell = NULL;
  size_t T = 0, H = 32, B = 50, steps = 3000;
  double lr = 1e-3, clip = 1.0;
  unsigned long seed = 1;
  int c;
  opterr = 0;
  while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
    switch (c) {
    case 't': task = optarg; break;
    case 'c': if (!(cell = cli_cell("train", optarg))) return CLI_USAGE; break;
    case 'L': if (cli_size("train", "--length", optarg, 1, &T)) return CLI_USAGE; break;
    case 'H': if (cli_size("train", "--hidden-size", optarg, 1, &H)) return CLI_USAGE; break;
    case 'B': if (cli_size("train", "--batch", optarg, 1, &B)) return CLI_USAGE; break;
    case 'N': if (cli_size("train", "--steps", optarg, 0, &steps)) return CLI_USAGE; break;
    case 'o': optimizer = optarg; break;
    case 'r':
      if (cli_double("train", "--lr", optarg, &lr)) return CLI_USAGE;
      if (!(lr > 0.0)) { cli_error("train: --lr must be > 0, got %s", optarg); return CLI_USAGE; }
      break;
    case 'C':
      if (cli_double("train", "--clip", optarg, &clip)) return CLI_USAGE;
      if (clip < 0.0) { cli_error("train: --clip must be >= 0 (0 = off), got %s", optarg); return CLI_USAGE; }
      break;
    case 's': if (cli_ulong("train", "--seed", optarg, &seed)) return CLI_USAGE; break;
    case 'S': save = optarg; break;
    case 'l': logpath = optarg; break;
    case 'h': train_help(stdout); return CLI_OK;
    case ':': cli_error("train: %s needs a value", argv[optind - 1]); return CLI_USAGE;
    default: cli_error("train: unknown option '%s'; try 'grulab train --help'", argv[optind - 1]); return CLI_USAGE;
    }
  }
  if (optind < argc) {
    cli_error("train: unexpected argument '%s'; try 'grulab train --help'", argv[optind]);
    return CLI_USAGE;
  }
  if (strcmp(task, "adding") != 0 && strcmp(task, "copy") != 0) {
    cli_error("train: --task must be one of %s, got '%s'", grl_task_names(), task);
    return CLI_USAGE;
  }
  if (!cell) { cli_error("train: --cell is required; try 'grulab train --help'"); return CLI_USAGE; }
  if (!T) { cli_error("train: --length is required; try 'grulab train --help'"); return CLI_USAGE; }
  if (strcmp(task, "adding") == 0 && T < 2) {
    cli_error("train: --length must be at least 2 for the adding problem, got %zu", T);
    return CLI_USAGE;
  }
  {
    grl_optim *probe;
    if (grl_optim_alloc(&probe, optimizer, 1, 1.0)) {
      cli_error("train: --optimizer: %s", grl_strerror());
      return CLI_USAGE;
    }
    grl_optim_free(probe);
  }

  int is_copy = strcmp(task, "copy") == 0;
  size_t I = is_copy ? 10 : 2, O = is_copy ? 9 : 1;
  int rc = CLI_FAIL;
  grl_model *m = NULL;
  grl_trainer *tr = NULL;
  grl_train_stat *log = NULL;
  outfile sv = {NULL, NULL}, lg = {NULL, NULL};
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  gsl_rng *rtest = gsl_rng_alloc(gsl_rng_mt19937);
  FILE *out = cli_stdout_begin();
  char run[512];
  snprintf(run, sizeof run,
           "task=%s cell=%s T=%zu H=%zu B=%zu steps=%zu optimizer=%s lr=%g clip=%g seed=%lu blas=%s",
           task, grl_cell_name(cell), T, H, B, steps, optimizer, lr, clip, seed,
           GRL_BLAS_NAME);
  if (!r || !rtest || !out) {
    cli_error("train: out of memory");
    goto done;
  }
  if (out_open(&sv, "--save", save) || out_open(&lg, "--log", logpath))
    goto done;
  gsl_rng_set(r, seed);
  gsl_rng_set(rtest, grl_train_test_seed(seed));
  grl_train_blas_threads_default();
  grl_train_config cfg = {optimizer, lr, clip, B};
  if (grl_model_alloc(&m, cell, I, H, O)) {
    cli_error("train: %s", grl_strerror());
    goto done;
  }
  grl_model_init_uniform(m, r);
  if (grl_trainer_alloc(&tr, m, task, T, &cfg)
      || !(log = calloc(steps ? steps : 1, sizeof *log))) {
    cli_error("train: %s", tr ? "out of memory" : grl_strerror());
    goto done;
  }
  const grl_task *t = grl_trainer_task(tr);

  grl_progress prog;
  grl_progress_init(&prog, stderr, isatty(fileno(stderr)), steps);
  size_t done_steps = 0;
  double t0 = grl_seconds();
  int st = grl_train_run(tr, r, steps, log, &done_steps, grl_progress_step, &prog);
  double secs = grl_seconds() - t0;
  grl_progress_end(&prog);
  if (st) {
    /* Save what there is: the last parameters with a finite loss and
     * gradient, and the curve up to the last good step. */
    cli_error("train: %s", grl_strerror());
    save_outputs(&sv, &lg, m, run, log, done_steps);
    goto done;
  }
  double test;
  if (grl_trainer_evaluate(tr, rtest, 1000, &test)) {
    cli_error("train: test: %s", grl_strerror());
    goto done;
  }
  if (save_outputs(&sv, &lg, m, run, log, done_steps))
    goto done;

  /* The mean of the last 100 batch losses, a steadier number than one. */
  size_t tail = done_steps < 100 ? done_steps : 100;
  double last = 0.0;
  for (size_t i = done_steps - tail; i < done_steps; i++)
    last += log[i].loss / (double)tail;
  fprintf(out, "# grulab train %s\n", run);
  fprintf(out, "parameters %zu\n", m->n);
  fprintf(out, "steps %zu seconds %.2f ms_per_step %.3f\n", done_steps, secs,
          done_steps ? 1e3 * secs / (double)done_steps : 0.0);
  if (tail)
    fprintf(out, "train loss %.6f (mean of the last %zu batches)\n", last, tail);
  fprintf(out, "test %s %.6f (baseline %.4f)\n", is_copy ? "xent" : "mse",
          test, t->baseline);
  rc = CLI_OK;

done:
  if (rc == CLI_OK) {
    if (cli_stdout_commit())
      rc = CLI_FAIL;
  } else {
    cli_stdout_discard();
  }
  /* anything still open was not meant to be published */
  grl_outfile_abort(sv.o);
  grl_outfile_abort(lg.o);
  free(log);
  grl_trainer_free(tr);
  grl_model_free(m);
  if (r)
    gsl_rng_free(r);
  if (rtest)
    gsl_rng_free(rtest);
  return rc;
}

/* ---- grulab gradnorm ---------------------------------------------- */

static void gradnorm_help(FILE *f)
{
  fprintf(f,
"Usage: grulab gradnorm --cell C --steps T [OPTION]...\n"
"How far back does the gradient reach?  Run the cell over a batch of\n"
"adding-problem inputs, put a unit gradient dL/dh_T on the last state and\n"
"backpropagate through time.  Prints one row per lag k = 0..T-1:\n"
"  lag      k\n"
"  norm     mean over the batch of ||dL/dh_{T-k}||  (so norm at lag 0 is 1;\n"
"           lstm: of ||(dL/dh, dL/dc)_{T-k}||, its whole state)\n"
"  jacobian_norm  mean over the batch of the largest singular value of the\n"
"           step Jacobian dh_{T-k}/dh_{T-k-1} (lstm: of d(h,c)/d(h,c)_{t-1})\n"
"The gradient's direction at h_T is the readout's, when --params has one,\n"
"else random.\n"
"\n"
"  --cell C              gru, gru-cho, rnn, lstm or seed (required)\n"
"  --steps T             sequence length (required)\n"
"  --params FILE         parameters, e.g. from 'grulab train --save'; input\n"
"                          size 2; H is read from readout_weight when present\n"
"  --init pytorch        PyTorch's default U(-1/sqrt(H), 1/sqrt(H)) (default;\n"
"                          not with --params)\n"
"  --hidden-size H       hidden units for --init or a file without readout (32)\n"
"  --batch B             sequences averaged over (default 50)\n"
"  --singular-value L    rescale each H x H gate block of W_hh to largest\n"
"                          singular value L (Pascanu et al.'s lambda_1)\n"
"  --spectral-radius R   rescale each H x H gate block of W_hh to spectral\n"
"                          radius R\n"
"  --gate-bias b         bias of the gate that keeps the old state: gru z\n"
"                          (b_iz = b, b_hz = 0), lstm f, seed f\n"
"  --seed S              seed of the initialisation, inputs and directions (1);\n"
"                          GSL's mt19937 takes seed 0 as 4357\n"
"  --help                show this help\n"
"\n"
"The tanh RNN obeys ||dL/dh_{T-k}|| <= lambda_1^k (Pascanu et al. 2013).\n"
"Example: grulab gradnorm --cell rnn --steps 50 --singular-value 0.9\n");
}

int cmd_gradnorm(int argc, char **argv)
{
  static const struct option opts[] = {
    {"cell", required_argument, NULL, 'c'},
    {"steps", required_argument, NULL, 'T'},
    {"params", required_argument, NULL, 'p'},
    {"init", required_argument, NULL, 'i'},
    {"hidden-size", required_argument, NULL, 'H'},
    {"batch", required_argument, NULL, 'B'},
    {"singular-value", required_argument, NULL, 'v'},
    {"spectral-radius", required_argument, NULL, 'R'},
    {"gate-bias", required_argument, NULL, 'g'},
    {"seed", required_argument, NULL, 's'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0}};
  const grl_cell *cell = NULL;
  const char *params = NULL;
  size_t T = 0, H = 32, B = 50;
  int have_H = 0, have_sv = 0, have_rho = 0, have_bias = 0, have_init = 0;
  double sv = 0, rho = 0, bias = 0;
  unsigned long seed = 1;
  int c;
  opterr = 0;
  while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
    switch (c) {
    case 'c': if (!(cell = cli_cell("gradnorm", optarg))) return CLI_USAGE; break;
    case 'T': if (cli_size("gradnorm", "--steps", optarg, 1, &T)) return CLI_USAGE; break;
    case 'p': params = optarg; break;
    case 'i':
      if (strcmp(optarg, "pytorch") != 0) {
        cli_error("gradnorm: --init must be 'pytorch', got '%s'", optarg);
        return CLI_USAGE;
      }
      have_init = 1;
      break;
    case 'H': if (cli_size("gradnorm", "--hidden-size", optarg, 1, &H)) return CLI_USAGE; have_H = 1; break;
    case 'B': if (cli_size("gradnorm", "--batch", optarg, 1, &B)) return CLI_USAGE; break;
    case 'v':
      if (cli_double("gradnorm", "--singular-value", optarg, &sv)) return CLI_USAGE;
      if (!(sv > 0)) { cli_error("gradnorm: --singular-value must be > 0, got %s", optarg); return CLI_USAGE; }
      have_sv = 1;
      break;
    case 'R':
      if (cli_double("gradnorm", "--spectral-radius", optarg, &rho)) return CLI_USAGE;
      if (!(rho > 0)) { cli_error("gradnorm: --spectral-radius must be > 0, got %s", optarg); return CLI_USAGE; }
      have_rho = 1;
      break;
    case 'g': if (cli_double("gradnorm", "--gate-bias", optarg, &bias)) return CLI_USAGE; have_bias = 1; break;
    case 's': if (cli_ulong("gradnorm", "--seed", optarg, &seed)) return CLI_USAGE; break;
    case 'h': gradnorm_help(stdout); return CLI_OK;
    case ':': cli_error("gradnorm: %s needs a value", argv[optind - 1]); return CLI_USAGE;
    default: cli_error("gradnorm: unknown option '%s'; try 'grulab gradnorm --help'", argv[optind - 1]); return CLI_USAGE;
    }
  }
  if (optind < argc) {
    cli_error("gradnorm: unexpected argument '%s'; try 'grulab gradnorm --help'", argv[optind]);
    return CLI_USAGE;
  }
  if (!cell) { cli_error("gradnorm: --cell is required; try 'grulab gradnorm --help'"); return CLI_USAGE; }
  if (!T) { cli_error("gradnorm: --steps is required; try 'grulab gradnorm --help'"); return CLI_USAGE; }
  if (params && have_init) {
    cli_error("gradnorm: give --params FILE or --init pytorch, not both");
    return CLI_USAGE;
  }
  if (have_sv && have_rho) {
    cli_error("gradnorm: give --singular-value or --spectral-radius, not both");
    return CLI_USAGE;
  }
  if (have_bias && strcmp(grl_cell_name(cell), "rnn") == 0) {
    cli_error("gradnorm: --gate-bias: the rnn cell has no gate that keeps the old state");
    return CLI_USAGE;
  }

  int rc = CLI_FAIL;
  grl_model *m = NULL;
  grl_gradnorm *gn = NULL;
  grl_task *task = NULL;
  double *norm = NULL, *jac = NULL;
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  FILE *out = cli_stdout_begin();
  if (!r || !out) {
    cli_error("gradnorm: out of memory");
    goto done;
  }
  gsl_rng_set(r, seed);
  grl_train_blas_threads_default();

  if (params) {
    /* The file sizes the model (readout included); flags must agree. */
    if (grl_model_load(&m, cell, params, 1)) {
      cli_error("gradnorm: %s", grl_strerror());
      goto done;
    }
    if (m->input_size != 2 || (have_H && m->hidden_size != H)) {
      cli_error("gradnorm: %s holds a model with input size %zu and hidden size %zu; "
                "gradnorm needs input size 2 (the adding problem)%s", params,
                m->input_size, m->hidden_size,
                have_H && m->hidden_size != H ? " and the --hidden-size given" : "");
      goto done;
    }
    H = m->hidden_size;
  } else {
    if (grl_model_alloc(&m, cell, 2, H, 0)) {
      cli_error("gradnorm: %s", grl_strerror());
      goto done;
    }
    grl_model_init_uniform(m, r);
  }
  if ((have_sv && grl_init_singular_value(m, sv))
      || (have_rho && grl_init_spectral_radius(m, rho))
      || (have_bias && grl_init_keep_gate_bias(m, bias))) {
    cli_error("gradnorm: %s", grl_strerror());
    goto done;
  }
  norm = malloc(T * sizeof *norm);
  jac = malloc(T * sizeof *jac);
  if (!norm || !jac || grl_task_alloc(&task, "adding", T < 2 ? 2 : T, B)
      || grl_gradnorm_alloc(&gn, m, T, B)) {
    cli_error("gradnorm: %s", norm && jac ? grl_strerror() : "out of memory");
    goto done;
  }
  /* adding-problem inputs; for T = 1 the first step of a length-2 one
   * (rows t*B+b, so the first T*B rows are the first T steps) */
  grl_task_sample(task, r);
  if (grl_gradnorm_run(gn, NULL, task->x->data, r, norm, jac)) {
    cli_error("gradnorm: %s", grl_strerror());
    goto done;
  }
  fprintf(out, "# grulab gradnorm cell=%s T=%zu H=%zu B=%zu params=%s", grl_cell_name(cell),
          T, H, B, params ? params : "init-pytorch");
  if (have_sv)
    fprintf(out, " singular-value=%g", sv);
  if (have_rho)
    fprintf(out, " spectral-radius=%g", rho);
  if (have_bias)
    fprintf(out, " gate-bias=%g", bias);
  fprintf(out, " seed=%lu\n# lag norm jacobian_norm\n", seed);
  for (size_t k = 0; k < T; k++)
    fprintf(out, "%zu %.10g %.10g\n", k, norm[k], jac[k]);
  rc = CLI_OK;

done:
  if (rc == CLI_OK) {
    if (cli_stdout_commit())
      rc = CLI_FAIL;
  } else {
    cli_stdout_discard();
  }
  free(norm);
  free(jac);
  grl_task_free(task);
  grl_gradnorm_free(gn);
  grl_model_free(m);
  if (r)
    gsl_rng_free(r);
  return rc;
}
