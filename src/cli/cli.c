/* cli.c -- `grulab`, the command-line face of libgrulab.
 *
 *   grulab init | forward | backward | bench | gradcheck | train | gradnorm
 *
 * Every subcommand prints nothing on stdout unless it succeeds, and fails
 * with one line on stderr and a non-zero status (2 for usage errors). */
#include <config.h>
#include "cli.h"
#include "grl_blascore.h"

#include <gsl/gsl_errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

static const struct {
  const char *name;
  cli_cmd_fn fn;
  const char *summary;
} commands[] = {
  {"init", cmd_init, "write freshly initialised parameters for a cell"},
  {"forward", cmd_forward, "run a cell over a sequence: output and h_n"},
  {"backward", cmd_backward, "full BPTT: gradients of every parameter, input, h0"},
  {"bench", cmd_bench, "time forward plus full BPTT; median ms and GFLOP/s"},
  {"gradcheck", cmd_gradcheck, "compare BPTT with numerical derivatives, entry by entry"},
  {"train", cmd_train, "train a cell on the adding problem, copy task or a text"},
  {"sample", cmd_sample, "generate text from a model trained with --task text"},
  {"gradnorm", cmd_gradnorm, "gradient norm against lag, and step Jacobian norms"},
};
#define NCOMMANDS (sizeof commands / sizeof commands[0])

static void usage(FILE *f)
{
  fprintf(f, "Usage: grulab COMMAND [OPTION]...\n"
             "A literate GRU sandbox: recurrent cells, BPTT and gradient checks.\n\n"
             "Commands:\n");
  for (size_t i = 0; i < NCOMMANDS; i++)
    fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
  fprintf(f, "\nCells: ");
  for (const grl_cell *const *c = grl_cell_all(); *c; c++)
    fprintf(f, "%s%s", c == grl_cell_all() ? "" : ", ", grl_cell_name(*c));
  fprintf(f, "\n\n'grulab COMMAND --help' describes a command's options.\n"
             "Exit status: 0 success, 1 failure (bad data, failed check), 2 usage error.\n"
             "BLAS in use: %s.\n", GRL_BLAS_NAME);
}

/* After writing straight to stdout: CLI_OK, or CLI_FAIL with one line on
 * stderr if the text could not be written (a full disk, /dev/full). */
static int stdout_flushed(void)
{
  if (fflush(stdout) != 0 || ferror(stdout)) {
    cli_error("could not write to standard output");
    return CLI_FAIL;
  }
  return CLI_OK;
}

int main(int argc, char **argv)
{
  grl_blas_core_fix(argv);
  gsl_set_error_handler_off();
  if (argc < 2) {
    cli_error("no command given; try 'grulab --help'");
    return CLI_USAGE;
  }
  if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
    usage(stdout);
    return stdout_flushed();
  }
  if (strcmp(argv[1], "--version") == 0) {
    const char *from = NULL, *core = grl_blas_core(&from);
    printf("grulab %s\nBLAS: %s\n", PACKAGE_VERSION, GRL_BLAS_NAME);
    if (core && from)
      printf("BLAS kernels: %s (set by grulab: OpenBLAS chose %s, below what "
             "this CPU runs)\n", core, from);
    else if (core)
      printf("BLAS kernels: %s\n", core);
    const char *small = grl_products_name();
    printf("step products: %s\n",
           small ? small : "the BLAS (built without libxsmm)");
    return stdout_flushed();
  }
  for (size_t i = 0; i < NCOMMANDS; i++)
    if (strcmp(argv[1], commands[i].name) == 0) {
      int rc = commands[i].fn(argc - 1, argv + 1);
      /* A command's --help goes straight to stdout: check it arrived. */
      return rc == CLI_OK ? stdout_flushed() : rc;
    }
  const char *names[NCOMMANDS];
  for (size_t i = 0; i < NCOMMANDS; i++)
    names[i] = commands[i].name;
  const char *near = grl_opt_nearest(argv[1], names, NCOMMANDS);
  if (argv[1][0] == '-')
    cli_error("unknown option '%s'; try 'grulab --help'", argv[1]);
  else if (near)
    cli_error("unknown command '%s' (did you mean '%s'?); try 'grulab --help'",
              argv[1], near);
  else
    cli_error("unknown command '%s'; try 'grulab --help'", argv[1]);
  return CLI_USAGE;
}

/* ---- helpers shared by the subcommands ---------------------------- */

void cli_error(const char *fmt, ...)
{
  char line[1200];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(line, sizeof line, fmt, ap);
  va_end(ap);
  /* One line, whatever the message held. */
  for (char *p = line; *p; p++)
    if (*p == '\n')
      *p = ' ';
  fprintf(stderr, "grulab: %s\n", line);
}

int cli_model_open(const char *cmd, grl_model **m, const grl_cell *cell,
                   const char *path, int flags)
{
  grl_model_info info;
  int st = grl_model_open(m, cell, path, flags, &info);
  if (st)
    cli_error("%s: --params: %s", cmd, grl_strerror());
  else if (info.note[0])
    cli_error("%s: note: %s%s", cmd, info.note,
              cell ? "" : "; give --cell if it is another");
  return st;
}

int cli_options(const grl_opt *opts, int argc, char **argv, cli_help_fn help)
{
  const char *cmd = argv[0];
  grl_opt_result e;
  int st = grl_opt_parse(opts, argc, argv, &e);
  for (size_t k = 0; k < e.nnote; k++)   /* old names, once each */
    cli_error("%s: %s", cmd, e.note[k]);
  switch (st) {
  case GRL_OPT_RUN:
    return -1;
  case GRL_OPT_HELP_ASKED:
    help(stdout, opts);
    return CLI_OK;
  default:
    if (e.usage)
      cli_error("%s: %s; try 'grulab %s --help'", cmd, e.msg, cmd);
    else
      cli_error("%s: %s", cmd, e.msg);
    return CLI_USAGE;
  }
}

int cli_set_cell(const char *arg, void *dest, char *msg, size_t len)
{
  const grl_cell *c = grl_cell_lookup(arg);
  if (!c) {
    char names[128] = "";
    for (const grl_cell *const *p = grl_cell_all(); *p; p++)
      snprintf(names + strlen(names), sizeof names - strlen(names), "%s%s",
               p == grl_cell_all() ? "" : "|", grl_cell_name(*p));
    snprintf(msg, len, "--cell must be one of %s, got '%s'", names, arg);
    return -1;
  }
  *(const grl_cell **)dest = c;
  return 0;
}

int cli_set_optimizer(const char *arg, void *dest, char *msg, size_t len)
{
  grl_optim *probe;
  if (grl_optim_alloc(&probe, arg, 1, 1.0)) {
    snprintf(msg, len, "--optimizer: %s", grl_strerror());
    return -1;
  }
  grl_optim_free(probe);
  *(const char **)dest = arg;
  return 0;
}

int cli_outfile_open(cli_outfile *out, const char *cmd, const char *flag,
                     const char *path)
{
  out->o = NULL;
  out->f = NULL;
  if (path && grl_outfile_open(&out->o, &out->f, path)) {
    cli_error("%s: %s: %s", cmd, flag, grl_strerror());
    return -1;
  }
  return 0;
}

int cli_outfile_commit(cli_outfile *out, const char *cmd, const char *flag)
{
  if (!out->o)
    return 0;
  int st = grl_outfile_commit(out->o);
  out->o = NULL;
  if (st) {
    cli_error("%s: %s: %s", cmd, flag, grl_strerror());
    return -1;
  }
  return 0;
}

void cli_help_cells(FILE *f)
{
  fprintf(f, "Cells (--cell):\n");
  for (const grl_cell *const *c = grl_cell_all(); *c; c++)
    fprintf(f, "  %-8s %s\n", grl_cell_name(*c), (*c)->title ? (*c)->title : "");
}

static char *outbuf;
static size_t outlen;
static FILE *outmem;

FILE *cli_stdout_begin(void)
{
  outmem = open_memstream(&outbuf, &outlen);
  return outmem;
}

/* Copy the answer out: 0, or -1 with one line on stderr. */
static int stdout_commit(void)
{
  if (!outmem)
    return 0;
  if (fclose(outmem) != 0) {
    outmem = NULL;
    free(outbuf);
    outbuf = NULL;
    cli_error("out of memory while formatting the output");
    return -1;
  }
  outmem = NULL;
  size_t w = fwrite(outbuf, 1, outlen, stdout);
  free(outbuf);
  outbuf = NULL;
  if (w != outlen || fflush(stdout) != 0) {
    cli_error("could not write to standard output");
    return -1;
  }
  return 0;
}

static void stdout_discard(void)
{
  if (outmem)
    fclose(outmem);
  outmem = NULL;
  free(outbuf);
  outbuf = NULL;
}

int cli_end(const char *cmd, int st, int rc)
{
  if (st != GRL_OK && st != GRL_EFAIL) {
    const char *msg = grl_strerror();
    size_t n = strlen(cmd);
    if (strncmp(msg, cmd, n) == 0 && (msg[n] == ':' || msg[n] == ' '))
      cli_error("%s", msg);      /* the library named the command already */
    else
      cli_error("%s: %s", cmd, msg);
    rc = CLI_FAIL;
  }
  if (st == GRL_EFAIL)
    rc = CLI_FAIL;
  if (rc != CLI_OK && st != GRL_EFAIL) {
    stdout_discard();
    return rc;
  }
  return stdout_commit() ? CLI_FAIL : rc;
}
