/* cmd_tensor.c -- to be written. */
#include <config.h>
#include "cli.h"
int cmd_init(int argc, char **argv) { (void)argc; cli_error("%s: not implemented yet", argv[0]); return CLI_USAGE; }
int cmd_forward(int argc, char **argv) { (void)argc; cli_error("%s: not implemented yet", argv[0]); return CLI_USAGE; }
int cmd_backward(int argc, char **argv) { (void)argc; cli_error("%s: not implemented yet", argv[0]); return CLI_USAGE; }
int cmd_bench(int argc, char **argv) { (void)argc; cli_error("%s: not implemented yet", argv[0]); return CLI_USAGE; }
