/* cmd_gradcheck.c -- to be written. */
#include <config.h>
#include "cli.h"
int cmd_gradcheck(int argc, char **argv) { (void)argc; cli_error("%s: not implemented yet", argv[0]); return CLI_USAGE; }
