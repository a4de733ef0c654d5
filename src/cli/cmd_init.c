/* cmd_init.c -- grulab init: fresh parameters for a cell.
 *
 *   grulab init --cell C --input-size I --hidden-size H [--seed S]
 *
 * Writes the cell's tensors, under PyTorch's state_dict names, to stdout
 * in the named-tensor text format, once the whole answer is ready. */
#include <config.h>
#include "cli.h"

static void help(FILE *f, const grl_opt *opts)
{
  fprintf(f,
    "Usage: grulab init --cell C --input-size I --hidden-size H [--layers L]\n"
    "                   [--seed S]\n"
    "Write freshly initialised parameters for cell C to stdout, in the\n"
    "named-tensor text format under PyTorch's state_dict names.\n\n");
  grl_opt_help(f, opts);
  fprintf(f, "\n"
    "Every entry is drawn from U(-1/sqrt(H), 1/sqrt(H)), PyTorch's default,\n"
    "in the order the tensors are printed.\n\n");
  cli_help_cells(f);
  fprintf(f, "\nExit status: 0 success, 1 failure, 2 bad flags.\n");
}

int cmd_init(int argc, char **argv)
{
  const char *cmd = argv[0];
  const grl_cell *cell = NULL;
  size_t I = 0, H = 0, L = 1;
  unsigned long seed = 1;
  const grl_opt opts[] = {
    CLI_OPT_CELL(&cell),
    CLI_OPT_SIZES(&I, &H),
    {"layers", GRL_OPT_SIZE, &L, "L",
     .help = "stacked layers (default 1): weight_ih_l1, ... for\n"
     "layer 1, of input size H", .lo = 1, .hi = GRL_MAX_LAYERS},
    {"seed", GRL_OPT_ULONG, &seed, "S",
     .help = "seed of the mt19937 generator (default 1); GSL\n"
     "takes seed 0 as 4357, so 0 and 4357 agree"},
    CLI_OPT_END};
  int rc = cli_options(opts, argc, argv, help);
  if (rc >= 0)
    return rc;

  grl_model *m = NULL;
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  FILE *f = cli_stdout_begin();
  int st = r && f ? grl_model_alloc_layers(&m, cell, I, H, 0, L)
                  : grl_fail(GRL_ENOMEM, "out of memory");
  if (!st) {
    gsl_rng_set(r, seed);
    grl_model_init_uniform(m, r);
    st = grl_model_write_record(f, m, 0);
    if (!st)
      st = grl_model_write(f, m, m->theta);
  }
  if (r)
    gsl_rng_free(r);
  grl_model_free(m);
  return cli_end(cmd, st, CLI_OK);
}
