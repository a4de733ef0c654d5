/* cli.h -- the grulab command: shared helpers of the subcommands. */
#ifndef GRULAB_CLI_H
#define GRULAB_CLI_H

#include <stddef.h>
#include <stdio.h>
#include "grulab.h"

/* Exit statuses: 0 success, 1 a check failed or a run failed (bad data,
 * NaN), 2 a usage error (unknown subcommand or flag, bad flag value). */
enum { CLI_OK = 0, CLI_FAIL = 1, CLI_USAGE = 2 };

/* Every subcommand: int cmd_NAME(int argc, char **argv), argv[0] = NAME. */
typedef int (*cli_cmd_fn)(int argc, char **argv);

/* Print "grulab: MESSAGE" on stderr, as one line. */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Parse a flag's value; on error print "grulab CMD: --flag: ..." and
 * return non-zero. */
int cli_size(const char *cmd, const char *flag, const char *arg, size_t min,
             size_t *out);
int cli_ulong(const char *cmd, const char *flag, const char *arg,
              unsigned long *out);
int cli_double(const char *cmd, const char *flag, const char *arg,
               double *out);
const grl_cell *cli_cell(const char *cmd, const char *arg);

/* stdout is written only when the whole answer is ready: subcommands write
 * into a memory buffer and cli_stdout_commit() copies it out. */
FILE *cli_stdout_begin(void);
int cli_stdout_commit(void);
void cli_stdout_discard(void);

int cmd_init(int argc, char **argv);
int cmd_forward(int argc, char **argv);
int cmd_backward(int argc, char **argv);
int cmd_bench(int argc, char **argv);
int cmd_gradcheck(int argc, char **argv);
int cmd_train(int argc, char **argv);
int cmd_gradnorm(int argc, char **argv);
int cmd_train_text(int argc, char **argv);
int cmd_sample(int argc, char **argv);

#endif
