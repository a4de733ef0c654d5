/* opt.c -- TAP tests of the option layer (src/app/): values through the
 * strict parsers and the row's range, the errors and their wording, the
 * required options, and --help printed from the table. */
#include <config.h>
#include "grulab.h"
#include "grl_opt.h"
#include "tap.h"

#include <gsl/gsl_errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The values one table writes, reset before every parse. */
static size_t H;
static unsigned long seed;
static int threads, quick, seen_lr;
static double lr, floor_rel;
static const char *path, *task, *pair[2];
static size_t old_len;
static const char *const tasks[] = {"adding", "copy", NULL};

static int set_half(const char *arg, void *dest, char *msg, size_t len)
{
  if (strcmp(arg, "half") != 0) {
    snprintf(msg, len, "--floor must be half, got '%s'", arg);
    return -1;
  }
  *(double *)dest = 0.5;
  return 0;
}

static const grl_opt opts[] = {
  {"hidden-size", GRL_OPT_SIZE, &H, "H", .help = "hidden units",
   .lo = 1, .flags = GRL_OPT_REQUIRED},
  {"seed", GRL_OPT_ULONG, &seed, "S", .help = "seed\nof the generator"},
  {"threads", GRL_OPT_INT, &threads, "N", .help = "threads", .lo = 1,
   .hi = 8},
  {"lr", GRL_OPT_DOUBLE, &lr, "X", .help = "learning rate", .lo = 0,
   .hi = 2.5, .flags = GRL_OPT_ABOVE | GRL_OPT_MAX, .seen = &seen_lr},
  {"floor", GRL_OPT_CALL, &floor_rel, "F", .help = "floor",
   .set = set_half},
  {"out", GRL_OPT_STRING, &path, "FILE", .help = "output"},
  {"task", GRL_OPT_CHOICE, &task, "NAME", .help = "task",
   .choices = tasks},
  {"quick", GRL_OPT_FLAG, &quick, NULL, .help = "small"},
  {"answer", GRL_OPT_PAIR, pair, "K VALUE", .help = "two values"},
  {"help", GRL_OPT_HELP, NULL, NULL, .help = "this help", .key = 'h'},
  {"size", GRL_OPT_ALIAS, .now = "hidden-size"},
  {"span", GRL_OPT_SIZE, &old_len, "N", .help = "--hidden-size or --seed",
   .flags = GRL_OPT_OLD},
  {.name = NULL}};

/* Parse a NULL-terminated list of arguments (argv[0] = "prog"). */
static int parse(grl_opt_result *e, ...)
{
  char *argv[32] = {"prog"};
  int argc = 1;
  va_list ap;
  va_start(ap, e);
  for (char *a; (a = va_arg(ap, char *)) && argc < 31;)
    argv[argc++] = a;
  va_end(ap);
  H = 0;
  seed = 1;
  threads = 0;
  quick = 0;
  seen_lr = 0;
  lr = 1e-3;
  floor_rel = 0.1;
  path = NULL;
  task = "adding";
  pair[0] = pair[1] = NULL;
  old_len = 0;
  return grl_opt_parse(opts, argc, argv, e);
}

/* The message of a refused command line, "" if it was accepted. */
#define REFUSED(...) \
  (parse(&e, __VA_ARGS__, (char *)NULL) == GRL_OPT_BAD ? e.msg : "")

int main(void)
{
  gsl_set_error_handler_off();
  plan(56);
  grl_opt_result e;

  /* Every type, long and "=" forms. */
  int rc = parse(&e, "--hidden-size", "17", "--seed=2385", "--threads", "3",
                 "--lr", "0.0731", "--floor", "half", "--out", "p.txt",
                 "--task=copy", "--quick", (char *)NULL);
  is_int(rc, GRL_OPT_RUN, "a full command line parses");
  is_int((long)H, 17, "--hidden-size 17");
  is_int((long)seed, 2385, "--seed=2385");
  is_int(threads, 3, "--threads 3");
  is_double(lr, 0.0731, 0.0, "--lr 0.0731");
  is_double(floor_rel, 0.5, 0.0, "--floor half through the row's setter");
  is_string(path, "p.txt", "--out p.txt");
  is_string(task, "copy", "--task=copy");
  is_int(quick, 1, "--quick sets its flag");
  is_int(seen_lr, 6, "seen: --lr was argv[6]");

  rc = parse(&e, "--hid", "5", (char *)NULL);
  is_int(rc == GRL_OPT_RUN && H == 5, 1, "an unambiguous abbreviation (--hid)");
  is_int(seed == 1 && lr == 1e-3 && seen_lr == 0, 1,
         "options not given keep their defaults and are not seen");

  /* Values: the strict parsers, then the range. */
  is_string(REFUSED("--hidden-size", " 4"),
            "--hidden-size needs a non-negative integer, got ' 4'",
            "a blank before a size is refused");
  is_string(REFUSED("--hidden-size", "0"),
            "--hidden-size must be between 1 and 100000, got 0",
            "a size below the row's minimum");
  is_string(REFUSED("--hidden-size", "100001"),
            "--hidden-size must be between 1 and 100000, got 100001",
            "a size above GRL_SIZE_MAX");
  is_string(REFUSED("--hidden-size", "3", "--seed", "-1"),
            "--seed needs a non-negative integer, got '-1'",
            "a negative seed is refused, not wrapped");
  is_string(REFUSED("--hidden-size", "3", "--threads", "9"),
            "--threads must be an integer between 1 and 8, got '9'",
            "an int above its range");
  is_string(REFUSED("--hidden-size", "3", "--threads", "x"),
            "--threads must be an integer between 1 and 8, got 'x'",
            "... and a non-number: the same message");
  is_string(REFUSED("--hidden-size", "3", "--lr", " 0.5"),
            "--lr needs a finite number, got ' 0.5'",
            "a blank before a double is refused");
  is_string(REFUSED("--hidden-size", "3", "--lr", "nan"),
            "--lr needs a finite number, got 'nan'", "NaN is refused");
  is_string(REFUSED("--hidden-size", "3", "--lr", "0"),
            "--lr must be in (0, 2.5], got '0'", "an open lower bound");
  rc = parse(&e, "--hidden-size", "3", "--lr", "2.5", (char *)NULL);
  is_int(rc == GRL_OPT_RUN && lr == 2.5, 1, "a closed upper bound admits 2.5");
  is_string(REFUSED("--hidden-size", "3", "--floor", "0.2"),
            "--floor must be half, got '0.2'", "a setter's own message");
  is_string(REFUSED("--hidden-size", "3", "--task", "parity"),
            "--task must be one of adding|copy, got 'parity'",
            "a choice names the choices");
  ok(!e.usage, "a bad value is not a usage-shape error");

  /* The command line's shape. */
  is_string(REFUSED("--seed", "3"), "--hidden-size H is required",
            "a required option that is missing");
  ok(e.usage, "... is a usage-shape error");
  is_string(REFUSED("--hidden-size", "3", "--bogus"),
            "unknown option '--bogus'", "an unknown long option");
  is_string(REFUSED("--hidden-size", "3", "-x"), "unknown option '-x'",
            "an unknown short option");
  is_string(REFUSED("--hidden-size", "3", "--seed"), "--seed needs a value",
            "a missing value");
  is_string(REFUSED("--hidden-size", "3", "--quick=1"),
            "--quick takes no value", "a value for a flag");
  is_string(REFUSED("--hidden-size", "3", "stray"),
            "unexpected argument 'stray'", "a stray argument");
  is_string(REFUSED("--hidden-size", "0", "--bogus"),
            "--hidden-size must be between 1 and 100000, got 0",
            "errors are reported in command-line order");

  /* Old names: an alias works as its new row, and notes it once. */
  rc = parse(&e, "--size", "6", "--seed", "2", "--size=7", (char *)NULL);
  is_int(rc == GRL_OPT_RUN && H == 7, 1, "an old name sets its new row (--size 6, then --size=7)");
  is_int((long)e.nnote, 1, "... and leaves one note, however often it is given");
  is_string(e.note[0], "--size is now --hidden-size; the old name goes in the next release",
            "the note names the new option");
  rc = parse(&e, "--hidden-size", "3", "--span", "9", (char *)NULL);
  is_int(rc == GRL_OPT_RUN && old_len == 9 && e.nnote == 0, 1,
         "an old name the program resolves itself: its own value, no note");
  is_string(REFUSED("--size", "0"), "--hidden-size must be between 1 and 100000, got 0",
            "a bad value under an old name is checked as the new row's");
  is_int((long)e.nnote, 1, "... and the note is there beside the error");

  /* Typos get the nearest name; an ambiguous abbreviation its choices. */
  is_string(REFUSED("--hiden-size", "3"),
            "unknown option '--hiden-size' (did you mean '--hidden-size'?)",
            "a letter missing: did you mean");
  is_string(REFUSED("--hidden-size", "3", "--sede=4"),
            "unknown option '--sede=4' (did you mean '--seed'?)",
            "two letters swapped, with a value: did you mean");
  is_string(REFUSED("--hidden-size", "3", "--frobnicate"),
            "unknown option '--frobnicate'", "nothing near: no suggestion");
  is_string(REFUSED("--hidden-size", "3", "--siez", "4"),
            "unknown option '--siez' (did you mean '--hidden-size'?)",
            "near an old name: the suggestion is its new name");
  is_string(REFUSED("--hidden-size", "3", "--s", "4"),
            "option '--s' is ambiguous: it could be --seed, --size, --span",
            "an ambiguous abbreviation lists what it could be");
  ok(e.usage, "... a usage-shape error");

  /* Two values. */
  rc = parse(&e, "--hidden-size", "3", "--answer", "2", "-19.85", (char *)NULL);
  is_int(rc == GRL_OPT_RUN && pair[0] && pair[1] && !strcmp(pair[0], "2")
         && !strcmp(pair[1], "-19.85"), 1, "--answer K VALUE takes the word after K, even '-19.85'");
  is_string(REFUSED("--hidden-size", "3", "--answer", "2"),
            "--answer needs two values: --answer K VALUE", "a pair with one value");
  rc = parse(&e, "--answer=1", "7", "--hidden-size", "3", (char *)NULL);
  is_int(rc == GRL_OPT_RUN && !strcmp(pair[0], "1") && !strcmp(pair[1], "7") && H == 3, 1,
         "--answer=K VALUE, and options after it");

  /* One grammar of numbers with the tensor reader. */
  rc = parse(&e, "--hidden-size", "3", "--lr", "1e-400", (char *)NULL);
  is_string(REFUSED("--hidden-size", "3", "--lr", "1e-400"), "--lr must be in (0, 2.5], got '1e-400'",
            "1e-400 is a number (it rounds to 0, which --lr refuses as a value)");
  is_string(REFUSED("--hidden-size", "3", "--lr", "0x1p-3"), "--lr needs a finite number, got '0x1p-3'",
            "hexadecimal is not a number");

  /* --help stops at once, whatever follows. */
  is_int(parse(&e, "-h", "--bogus", (char *)NULL), GRL_OPT_HELP_ASKED,
         "-h asks for help before a later error");

  /* --help's option lines, from the table. */
  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&buf, &len);
  if (!f)
    bail("open_memstream failed");
  grl_opt_help(f, opts);
  fclose(f);
  const char *want_head = "  --hidden-size H   hidden units\n"
                          "  --seed S          seed\n"
                          "                      of the generator\n";
  ok(strncmp(buf, want_head, strlen(want_head)) == 0,
     "help: one column, continuation lines indented two more");
  if (strncmp(buf, want_head, strlen(want_head)) != 0)
    diag("got:\n%s", buf);
  ok(strstr(buf, "\n  --quick           small\n") != NULL,
     "help: a flag has no metavariable");
  ok(strstr(buf, "\n  -h, --help        this help\n") != NULL,
     "help: a short key is shown");
  const char *olds = strstr(buf, "\nOld names");
  ok(olds && !memmem(buf, (size_t)(olds - buf), "--size", 6)
     && !memmem(buf, (size_t)(olds - buf), "--span", 6),
     "help: old names are not in the option list");
  ok(strstr(buf, "\n  --size is now --hidden-size\n") != NULL
     && strstr(buf, "\n  --span is now --hidden-size or --seed\n") != NULL,
     "help: old names follow, each with its new name");
  free(buf);
  return exit_status();
}
