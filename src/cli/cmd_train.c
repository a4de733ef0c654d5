/* cmd_train.c -- grulab train: a cell and a readout on a task.
 *
 *   grulab train --task adding --cell C --length T [options]
 *
 * Learns the adding problem (or the copy-memory task) with full BPTT and
 * ends with a test on 1000 fresh sequences; its last line is
 *   test mse X (baseline 0.1667)
 * (test xent for a task scored by cross-entropy). */
#include <config.h>
#include "cli.h"
#include "grl_stop.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void help(FILE *f, const grl_opt *opts)
{
  fprintf(f,
"Usage: grulab train --task adding --cell C --length T [OPTION]...\n"
"Train a recurrent cell with a linear readout on a long-memory task, with\n"
"full backpropagation through time, then test it on 1000 fresh sequences.\n"
"\n");
  grl_opt_help(f, opts);
  fprintf(f, "\n");
  cli_help_cells(f);
  fprintf(f,
"\n"
"Progress goes to stderr once a second when stderr is a terminal.  A NaN or\n"
"Inf loss or gradient stops training with exit status 1; --save and --log\n"
"then still get the last parameters whose loss and gradient were finite.\n"
"SIGINT (Ctrl-C) or SIGTERM stops training after the step under way: --save\n"
"and --log are written whole, one line says where it stopped, and the exit\n"
"status is 130 (SIGTERM: 143).  A second signal stops at once and leaves\n"
"--save and --log as they were before the run.\n"
"Example: grulab train --task adding --cell gru --length 50 --seed 5\n");
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
static int save_outputs(cli_outfile *sv, cli_outfile *lg, const grl_model *m,
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
  if (cli_outfile_commit(sv, "train", "--save"))
    rc = -1;
  if (cli_outfile_commit(lg, "train", "--log"))
    rc = -1;
  return rc;
}

/* One line on stderr: where training stopped and what was saved. */
static void say_interrupted(const char *signame, size_t done, size_t steps,
                            const char *save, const char *logpath)
{
  char what[2 * GRL_STOP_PATH];
  if (save && logpath)
    snprintf(what, sizeof what, "saved the parameters to %s and %zu steps of the curve to %s",
             save, done, logpath);
  else if (save)
    snprintf(what, sizeof what, "saved the parameters to %s", save);
  else if (logpath)
    snprintf(what, sizeof what, "saved %zu steps of the curve to %s", done, logpath);
  else
    snprintf(what, sizeof what, "nothing saved (no --save or --log)");
  cli_error("train: interrupted by %s after step %zu of %zu; %s",
            signame, done, steps, what);
}

/* SIGINT or SIGTERM: the step under way has finished.  Save what there is,
 * whole, and say in one line where training stopped and what was saved. */
static int interrupted(cli_outfile *sv, cli_outfile *lg, const grl_model *m,
                       const char *run, const grl_train_stat *log,
                       size_t done, size_t steps, const char *save,
                       const char *logpath)
{
  int bad = save_outputs(sv, lg, m, run, log, done);
  grl_stop_forget();
  if (!bad)
    say_interrupted(grl_stop_name(), done, steps, save, logpath);
  return grl_stop_status();
}


/* --task NAME: one of the library's tasks (grl_task_names). */
static int set_task(const char *arg, void *dest, char *msg, size_t len)
{
  const char *names = grl_task_names();   /* "adding|copy" */
  const size_t n = strlen(arg);
  for (const char *p = names; *p; p += strcspn(p, "|"), p += *p == '|') {
    if (n > 0 && strncmp(p, arg, n) == 0 && (p[n] == '|' || p[n] == '\0')) {
      *(const char **)dest = arg;
      return 0;
    }
  }
  snprintf(msg, len, "--task must be one of %s, got '%s'", names, arg);
  return -1;
}

int cmd_train(int argc, char **argv)
{
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
  const grl_opt opts[] = {
    {"task", GRL_OPT_CALL, &task, "NAME",
     .help = "adding (default), copy, or text (a language model\n"
     "with options of its own: grulab train --task text --help)\n"
     "adding: values ~ U[0,1] and two markers, one in each\n"
     "half; predict the sum of the two marked values.\n"
     "Always answering 1 scores MSE 1/6 = 0.1667, the\n"
     "baseline to beat.\n"
     "copy: reproduce 10 symbols after T blanks; the\n"
     "memoryless cross-entropy is 10 ln 8 / (T + 20).",
     .set = set_task},
    {"cell", GRL_OPT_CALL, &cell, "C", .help = "the cell (below) (required)",
     .set = cli_set_cell, .flags = GRL_OPT_REQUIRED},
    {"length", GRL_OPT_SIZE, &T, "T",
     .help = "sequence length (adding) or delay (copy) (required)", .lo = 1,
     .flags = GRL_OPT_REQUIRED},
    {"hidden-size", GRL_OPT_SIZE, &H, "H", .help = "hidden units (default 32)",
     .lo = 1},
    {"batch", GRL_OPT_SIZE, &B, "B", .help = "sequences per step (default 50)",
     .lo = 1},
    {"steps", GRL_OPT_SIZE, &steps, "N", .help = "optimiser steps (default 3000)"},
    {"optimizer", GRL_OPT_CALL, &optimizer, "NAME",
     .help = "adam (default), rmsprop, momentum or sgd; the update\n"
     "formulas are PyTorch's (momentum: mu = 0.9)",
     .set = cli_set_optimizer},
    {"lr", GRL_OPT_DOUBLE, &lr, "X", .help = "learning rate (default 0.001)",
     .lo = 0, .flags = GRL_OPT_ABOVE},
    {"clip", GRL_OPT_DOUBLE, &clip, "X",
     .help = "clip the gradient to global norm X (Pascanu et al.\n"
     "2013, Algorithm 1); 0 turns clipping off (default 1)",
     .lo = 0, .flags = GRL_OPT_MIN},
    {"seed", GRL_OPT_ULONG, &seed, "S",
     .help = "seed of the initialisation and the training batches;\n"
     "the test sequences have their own generator (default 1);\n"
     "GSL's mt19937 takes seed 0 as 4357, so 0 and 4357 agree"},
    {"save", GRL_OPT_STRING, &save, "FILE",
     .help = "write the trained parameters (tensor format, readout\n"
     "included); written whole or not at all"},
    {"log", GRL_OPT_STRING, &logpath, "FILE",
     .help = "write the learning curve as a .dat: step, loss,\n"
     "gradient norm before clipping, update norm, clipped,\n"
     "seconds"},
    CLI_OPT_HELP,
    CLI_OPT_END};
  int rc = cli_options(opts, argc, argv, help);
  if (rc >= 0)
    return rc;
  if (strcmp(task, "adding") == 0 && T < 2) {
    cli_error("train: --length must be at least 2 for the adding problem, got %zu", T);
    return CLI_USAGE;
  }

  /* The model's input and output sizes are the task's. */
  size_t I, O;
  int per_step;
  {
    grl_task *probe;
    if (grl_task_alloc(&probe, task, T, 1)) {
      cli_error("train: %s", grl_strerror());
      return CLI_USAGE;
    }
    I = probe->I;
    O = probe->O;
    per_step = probe->per_step;
    grl_task_free(probe);
  }
  rc = CLI_FAIL;

  grl_model *m = NULL;
  grl_trainer *tr = NULL;
  grl_train_stat *log = NULL;
  cli_outfile sv = {NULL, NULL}, lg = {NULL, NULL};
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
  /* From here on, SIGINT and SIGTERM stop training after the step under
   * way; a second signal removes the temporaries and ends at once. */
  grl_stop_catch("grulab: train");
  if (cli_outfile_open(&sv, "train", "--save", save)
      || cli_outfile_open(&lg, "train", "--log", logpath))
    goto done;
  grl_stop_remove_on_abort(grl_outfile_tmpname(sv.o));
  grl_stop_remove_on_abort(grl_outfile_tmpname(lg.o));
  gsl_rng_set(r, seed);
  gsl_rng_set(rtest, grl_train_test_seed(seed));
  grl_train_blas_threads_default();
  grl_train_config cfg = {optimizer, lr, clip, B, &grl_stop_signal};
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
  if (st == GRL_EINTR || (st == GRL_OK && grl_stop_signal)) {
    rc = interrupted(&sv, &lg, m, run, log, done_steps, steps, save, logpath);
    goto done;
  }
  if (st) {
    /* Save what there is: the last parameters with a finite loss and
     * gradient, and the curve up to the last good step. */
    cli_error("train: %s%s", grl_strerror(), st == GRL_ENONFINITE && done_steps
              ? " (try a smaller --lr or --clip)" : "");
    save_outputs(&sv, &lg, m, run, log, done_steps);
    goto done;
  }
  double test;
  if (grl_trainer_evaluate(tr, rtest, 1000, &test)) {
    cli_error("train: test: %s", grl_strerror());
    goto done;
  }
  if (grl_stop_signal) { /* during the test: every step was taken */
    rc = interrupted(&sv, &lg, m, run, log, done_steps, steps, save, logpath);
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
  fprintf(out, "test %s %.6f (baseline %.4f)\n", per_step ? "xent" : "mse",
          test, t->baseline);
  rc = CLI_OK;

done:
  rc = cli_stdout_finish(rc);
  /* anything still open was not meant to be published */
  grl_outfile_abort(sv.o);
  grl_outfile_abort(lg.o);
  grl_stop_forget();
  free(log);
  grl_trainer_free(tr);
  grl_model_free(m);
  if (r)
    gsl_rng_free(r);
  if (rtest)
    gsl_rng_free(rtest);
  return rc;
}
