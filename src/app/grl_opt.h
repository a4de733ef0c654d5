/* grl_opt.h -- command-line options from one table, over getopt_long.
 * The one option layer of the grulab command and of the chapters; not
 * installed.
 *
 * A program declares its options as rows: the long name, the type, where
 * the value goes, its range, the metavariable and the help text.
 *
 *   size_t H = 32, T = 0;
 *   double lr = 1e-3;
 *   const grl_opt opts[] = {
 *     {"hidden-size", GRL_OPT_SIZE, &H, "H", .help = "hidden units (default 32)",
 *      .lo = 1},
 *     {"seq-len", GRL_OPT_SIZE, &T, "T", .help = "sequence length", .lo = 1},
 *     {"lr", GRL_OPT_DOUBLE, &lr, "X", .help = "learning rate (default 0.001)",
 *      .lo = 0, .flags = GRL_OPT_ABOVE},
 *     {"length", GRL_OPT_ALIAS, .now = "seq-len"},      an old name
 *     {"help", GRL_OPT_HELP, NULL, NULL, .help = "show this help", .key = 'h'},
 *     {NULL}};
 *   grl_opt_result res;
 *   switch (grl_opt_parse(opts, argc, argv, &res)) { ... }
 *
 * grl_opt_parse runs getopt_long over the table ("--lr 0.01",
 * "--lr=0.01", unambiguous abbreviations), turns every value into its
 * destination through the strict grl_parse_* of libgrulab, checks the
 * range and the required options, and on the first error fills a one-line
 * message: an unknown option gets the nearest name ("did you mean
 * '--hidden-size'?"), an ambiguous abbreviation the names it could be.
 * An old name (GRL_OPT_ALIAS) works as its new one and leaves a note for
 * the program to print once.  grl_opt_parse never prints and never exits:
 * the program adds its own prefix ("grulab: train: ") or suffix
 * (" (try --help)").  grl_opt_help prints the option lines of --help from
 * the same table.
 *
 * A value keeps the destination's default unless the option is given. */
#ifndef GRULAB_GRL_OPT_H
#define GRULAB_GRL_OPT_H

#include <stddef.h>
#include <stdio.h>

typedef enum {
  GRL_OPT_HELP,    /* no value: grl_opt_parse returns GRL_OPT_HELP_ASKED  */
  GRL_OPT_FLAG,    /* no value: int, set to 1                            */
  GRL_OPT_SIZE,    /* size_t in [lo, hi]; hi = 0 means GRL_SIZE_MAX      */
  GRL_OPT_ULONG,   /* unsigned long, any                                 */
  GRL_OPT_INT,     /* int in [lo, hi]: one message for any bad value     */
  GRL_OPT_DOUBLE,  /* finite double, range as flags say                  */
  GRL_OPT_STRING,  /* const char *, the argument itself                  */
  GRL_OPT_CHOICE,  /* const char *, one of the row's choices             */
  GRL_OPT_CALL,    /* the row's set() parses the value                   */
  GRL_OPT_PAIR,    /* two values ("--answer K VALUE"): const char *[2],
                      the argument and the word after it, unparsed      */
  GRL_OPT_ALIAS    /* an old name of the row named .now: its value goes
                      there, and the parse notes the new name           */
} grl_opt_type;

/* Row flags. */
enum {
  GRL_OPT_REQUIRED = 1 << 0,  /* an error if not given                  */
  GRL_OPT_MIN = 1 << 1,       /* double: value >= lo                     */
  GRL_OPT_ABOVE = 1 << 2,     /* double: value > lo                      */
  GRL_OPT_MAX = 1 << 3,       /* double: value <= hi                     */
  GRL_OPT_BELOW = 1 << 4,     /* double: value < hi                      */
  GRL_OPT_OLD = 1 << 5        /* an old name the program resolves itself
                                 (its meaning depends on other options):
                                 not in --help's list, not suggested     */
};

/* GRL_OPT_CALL: parse ARG into DEST; 0, or non-zero with a whole message
 * in msg ("--cell must be one of ..., got 'x'"). */
typedef int (*grl_opt_setter)(const char *arg, void *dest, char *msg,
                              size_t len);

typedef struct {
  const char *name;     /* long name without "--": "hidden-size"        */
  grl_opt_type type;
  void *dest;           /* where the value goes (NULL for GRL_OPT_HELP) */
  const char *metavar;  /* "H" in --help and messages; NULL: no value    */
  const char *help;     /* --help text; each '\n' starts an indented line */
  double lo, hi;        /* the range (SIZE, INT, DOUBLE with flags)      */
  unsigned flags;       /* GRL_OPT_REQUIRED, GRL_OPT_MIN, ...            */
  const char *const *choices;  /* GRL_OPT_CHOICE: NULL-terminated        */
  grl_opt_setter set;   /* GRL_OPT_CALL                                  */
  int *seen;            /* if set: argv index where it was last given    */
  int key;              /* a short option letter ('h'), or 0             */
  const char *now;      /* GRL_OPT_ALIAS: the row it is the old name of  */
} grl_opt;

/* What grl_opt_parse returns. */
enum {
  GRL_OPT_RUN = 0,       /* every option parsed: go on                    */
  GRL_OPT_HELP_ASKED,    /* a GRL_OPT_HELP row was given: print the help  */
  GRL_OPT_BAD            /* an error; see grl_opt_result.msg              */
};

enum { GRL_OPT_MAX_NOTES = 8 };

/* What a parse has to say besides its status. */
typedef struct {
  char msg[512];  /* the error, one line, no prefix:
                     "--lr must be > 0, got '0'"                          */
  int usage;      /* 1 if the error is in the command line's shape (an
                     unknown option, a missing value or required option, a
                     stray argument) rather than in a value: the place to
                     say where --help is                                   */
  /* Old names used, one note each, in command-line order (whatever the
   * status): "--length is now --seq-len; the old name goes in the next
   * release". */
  size_t nnote;
  char note[GRL_OPT_MAX_NOTES][160];
} grl_opt_result;

/* Parse argv[1..argc-1] (argv[0] is the program or subcommand) against
 * the {NULL}-terminated table opts.  Options are handled in the order
 * given; a GRL_OPT_HELP row stops at once with GRL_OPT_HELP_ASKED.  After
 * the last option, the required rows are checked in table order.  Any
 * argument that is not an option (or a GRL_OPT_PAIR's second value) is an
 * error. */
int grl_opt_parse(const grl_opt *opts, int argc, char **argv,
                  grl_opt_result *res);

/* The option lines of --help: "  --name METAVAR" padded to one column for
 * the whole table (rows with a key: "  -h, --help"), then the help text;
 * its further lines are indented two more.  Old names (GRL_OPT_ALIAS, and
 * GRL_OPT_OLD rows, whose help says what they became) follow in a line of
 * their own. */
void grl_opt_help(FILE *f, const grl_opt *opts);

/* The row for NAME (without "--"), or NULL. */
const grl_opt *grl_opt_find(const grl_opt *opts, const char *name);

/* The note an old name leaves: "--OLD is now NOW; the old name goes in
 * the next release" into buf.  NOW is written as given ("--seq-len"). */
void grl_opt_renamed(char *buf, size_t len, const char *old, const char *now);

/* Of the n names, the one nearest to word (edit distance, a swap of two
 * neighbours counting one), if it is near enough to be a likely typo;
 * else NULL. */
const char *grl_opt_nearest(const char *word, const char *const *names,
                            size_t n);

#endif /* GRULAB_GRL_OPT_H */
