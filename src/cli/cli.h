/* cli.h -- the grulab command: shared helpers of the subcommands. */
#ifndef GRULAB_CLI_H
#define GRULAB_CLI_H

#include <stddef.h>
#include <stdio.h>
#include "grulab.h"
#include "grl_opt.h"

/* Exit statuses: 0 success, 1 a check failed or a run failed (bad data,
 * NaN), 2 a usage error (unknown subcommand or flag, bad flag value). */
enum { CLI_OK = 0, CLI_FAIL = 1, CLI_USAGE = 2 };

/* Every subcommand: int cmd_NAME(int argc, char **argv), argv[0] = NAME. */
typedef int (*cli_cmd_fn)(int argc, char **argv);

/* Print "grulab: MESSAGE" on stderr, as one line. */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A subcommand's --help: the usage and prose around the option lines,
 * which it prints with grl_opt_help(f, opts). */
typedef void (*cli_help_fn)(FILE *f, const grl_opt *opts);

/* Parse a subcommand's options (argv[0] = its name) with the table opts.
 * Returns -1 to run; CLI_OK after --help (printed by help); CLI_USAGE
 * after "grulab: CMD: MESSAGE" on stderr, with "; try 'grulab CMD --help'"
 * when the command line's shape is wrong rather than a value. */
int cli_options(const grl_opt *opts, int argc, char **argv, cli_help_fn help);

/* The rows the subcommands share, in the same words everywhere.  Every
 * table ends with CLI_OPT_END: -h, --help, then the terminator. */
#define CLI_OPT_END \
  {"help", GRL_OPT_HELP, NULL, NULL, .help = "show this help", .key = 'h'}, \
  {.name = NULL}
/* --steps, the old name of --seq-len where it was the sequence length. */
#define CLI_OPT_OLD_STEPS {"steps", GRL_OPT_ALIAS, .now = "seq-len"}
/* --cell C (required), into a const grl_cell *; --help lists the cells
 * with cli_help_cells. */
#define CLI_OPT_CELL(dest) \
  {"cell", GRL_OPT_CALL, (dest), "C", .help = "the cell (Cells, below; required)", \
   .set = cli_set_cell, .flags = GRL_OPT_REQUIRED}
/* --cell C where a --params FILE is read: optional, the file's record
 * names its cell (a file without one is read as gru, with a note). */
#define CLI_OPT_CELL_FILE(dest) \
  {"cell", GRL_OPT_CALL, (dest), "C", .help = "the cell (Cells, below); default: the one the\n" \
   "--params file records (gru for a file without a record)", \
   .set = cli_set_cell}
/* Read --params FILE as grl_model_open does; a failure is one line
 * "CMD: --params: why", a file without a record a note on stderr. */
int cli_model_open(const char *cmd, grl_model **m, const grl_cell *cell,
                   const char *path, int flags);
/* --input-size I and --hidden-size H (required), into size_t. */
#define CLI_OPT_SIZES(I, H) \
  {"input-size", GRL_OPT_SIZE, (I), "I", .help = "input features per step, I >= 1", \
   .lo = 1, .flags = GRL_OPT_REQUIRED}, \
  {"hidden-size", GRL_OPT_SIZE, (H), "H", .help = "hidden units, H >= 1", \
   .lo = 1, .flags = GRL_OPT_REQUIRED}
/* --cell C into a const grl_cell *: one of grl_cell_all()'s names. */
int cli_set_cell(const char *arg, void *dest, char *msg, size_t len);
/* --optimizer NAME into a const char *: one the library can allocate. */
int cli_set_optimizer(const char *arg, void *dest, char *msg, size_t len);
/* "Cells (--cell):" and one line per cell, for --help. */
void cli_help_cells(FILE *f);

/* A file a run writes whole or not at all (--save, --log): opened before
 * the run, so that a path that cannot be written fails at once, and
 * committed at the end; grl_outfile_abort(out.o) removes it.  Errors are
 * "grulab: CMD: FLAG: MESSAGE"; both return 0 or -1.  A NULL path opens
 * nothing, and committing nothing succeeds. */
typedef struct {
  grl_outfile *o;
  FILE *f;
} cli_outfile;
int cli_outfile_open(cli_outfile *out, const char *cmd, const char *flag,
                     const char *path);
int cli_outfile_commit(cli_outfile *out, const char *cmd, const char *flag);

/* stdout is written only when the whole answer is ready: subcommands write
 * into the memory buffer cli_stdout_begin() returns, and cli_end copies
 * it out. */
FILE *cli_stdout_begin(void);

/* Every subcommand ends here, once its stdout buffer is begun:
 *   st  the library status of the run: GRL_OK; GRL_EFAIL, a check that ran
 *       and failed (its report is still the answer: exit 1, stdout kept);
 *       any other, a failure whose message (grl_strerror) is printed as
 *       "grulab: CMD: MESSAGE" (once: not if it already starts with CMD)
 *   rc  the exit status the subcommand chose itself (CLI_OK, or CLI_FAIL,
 *       CLI_USAGE, 128 + a signal after its own one-line message)
 * stdout is copied out when the answer stands (CLI_OK, or GRL_EFAIL) and
 * thrown away otherwise.  Returns the exit status: CLI_FAIL as well when
 * stdout cannot take the answer (a full disk). */
int cli_end(const char *cmd, int st, int rc);

/* The subcommands, one file each (forward and backward share one). */
int cmd_init(int argc, char **argv);
int cmd_forward(int argc, char **argv);
int cmd_backward(int argc, char **argv);
int cmd_bench(int argc, char **argv);
int cmd_gradcheck(int argc, char **argv);
int cmd_train(int argc, char **argv);
int cmd_gradnorm(int argc, char **argv);
int cmd_sample(int argc, char **argv);

#endif
