/* cmd_gradnorm.c -- grulab gradnorm: how far back the gradient reaches.
 *
 *   grulab gradnorm --cell C --seq-len T [options]
 *
 * Prints ||dL/dh_{T-k}|| against the lag k, and each step's Jacobian
 * norm, as "lag norm jacobian_norm" rows. */
#include <config.h>
#include "cli.h"

#include <stdlib.h>
#include <string.h>

static void help(FILE *f, const grl_opt *opts)
{
  fprintf(f,
"Usage: grulab gradnorm --cell C --seq-len T [OPTION]...\n"
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
"\n");
  grl_opt_help(f, opts);
  fprintf(f,
"\n"
"The tanh RNN obeys ||dL/dh_{T-k}|| <= lambda_1^k (Pascanu et al. 2013).\n"
"Exit status: 0 success, 1 failure, 2 bad flags.\n"
"Example: grulab gradnorm --cell rnn --seq-len 50 --singular-value 0.9\n\n");
  cli_help_cells(f);
}

int cmd_gradnorm(int argc, char **argv)
{
  static const char *const inits[] = {"pytorch", NULL};
  const grl_cell *cell = NULL;
  const char *params = NULL, *init = "pytorch";
  size_t T = 0, H = 32, B = 50;
  int have_H = 0, have_sv = 0, have_rho = 0, have_bias = 0, have_init = 0;
  double sv = 0, rho = 0, bias = 0;
  unsigned long seed = 1;
  const grl_opt opts[] = {
    CLI_OPT_CELL_FILE(&cell),
    {"seq-len", GRL_OPT_SIZE, &T, "T", .help = "sequence length (required)", .lo = 1,
     .flags = GRL_OPT_REQUIRED},
    {"params", GRL_OPT_STRING, &params, "FILE",
     .help = "parameters, e.g. from 'grulab train --save'; input\n"
     "size 2; H is read from readout_weight when present"},
    {"init", GRL_OPT_CHOICE, &init, "pytorch",
     .help = "PyTorch's default U(-1/sqrt(H), 1/sqrt(H)) (default;\n"
     "not with --params)", .choices = inits, .seen = &have_init},
    {"hidden-size", GRL_OPT_SIZE, &H, "H",
     .help = "hidden units for --init or a file without readout (32)", .lo = 1,
     .seen = &have_H},
    {"batch", GRL_OPT_SIZE, &B, "B", .help = "sequences averaged over (default 50)",
     .lo = 1},
    {"singular-value", GRL_OPT_DOUBLE, &sv, "L",
     .help = "rescale each H x H gate block of W_hh to largest\n"
     "singular value L (Pascanu et al.'s lambda_1)",
     .lo = 0, .flags = GRL_OPT_ABOVE, .seen = &have_sv},
    {"spectral-radius", GRL_OPT_DOUBLE, &rho, "R",
     .help = "rescale each H x H gate block of W_hh to spectral\n"
     "radius R", .lo = 0, .flags = GRL_OPT_ABOVE, .seen = &have_rho},
    {"gate-bias", GRL_OPT_DOUBLE, &bias, "b",
     .help = "bias of the gate that keeps the old state: gru z\n"
     "(b_iz = b, b_hz = 0), lstm f, seed f", .seen = &have_bias},
    {"seed", GRL_OPT_ULONG, &seed, "S",
     .help = "seed of the initialisation, inputs and directions (1);\n"
     "GSL's mt19937 takes seed 0 as 4357"},
    CLI_OPT_OLD_STEPS,
    CLI_OPT_END};
  int rc = cli_options(opts, argc, argv, help);
  if (rc >= 0)
    return rc;
  if (params && have_init) {
    cli_error("gradnorm: give --params FILE or --init pytorch, not both");
    return CLI_USAGE;
  }
  if (have_sv && have_rho) {
    cli_error("gradnorm: give --singular-value or --spectral-radius, not both");
    return CLI_USAGE;
  }
  if (!params && !cell) {
    cli_error("gradnorm: --cell is required without --params; try 'grulab gradnorm --help'");
    return CLI_USAGE;
  }
  if (have_bias && cell && strcmp(grl_cell_name(cell), "rnn") == 0) {
    cli_error("gradnorm: --gate-bias: the rnn cell has no gate that keeps the old state");
    return CLI_USAGE;
  }

  rc = CLI_FAIL;
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
    if (cli_model_open("gradnorm", &m, cell, params, GRL_LOAD_READOUT))
      goto done;
    if (have_bias && strcmp(grl_cell_name(m->cell), "rnn") == 0) {
      cli_error("gradnorm: --gate-bias: the rnn cell has no gate that keeps the old state");
      rc = CLI_USAGE;
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
  fprintf(out, "# grulab gradnorm cell=%s T=%zu H=%zu B=%zu params=%s", grl_cell_name(m->cell),
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
  rc = cli_end("gradnorm", GRL_OK, rc);
  free(norm);
  free(jac);
  grl_task_free(task);
  grl_gradnorm_free(gn);
  grl_model_free(m);
  if (r)
    gsl_rng_free(r);
  return rc;
}
