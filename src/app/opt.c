/* opt.c -- command-line options from one table, over getopt_long.
 *
 * getopt_long does the scanning (long names, "--name=value", unambiguous
 * abbreviations, "-h"); this file builds its struct option array from the
 * table, sends every value through libgrulab's strict grl_parse_* and the
 * row's range, and words each error the same way for every program. */
#include <config.h>
#include "grl_opt.h"
#include "grulab.h"

#include <getopt.h>
#include <stdarg.h>
#include <string.h>

enum { MAX_ROWS = 64, VAL_BASE = 256 };  /* getopt's val: VAL_BASE + row */

static int fail(grl_opt_error *err, int usage, const char *fmt, ...)
  __attribute__((format(printf, 3, 4)));

static int fail(grl_opt_error *err, int usage, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(err->msg, sizeof err->msg, fmt, ap);
  va_end(ap);
  for (char *p = err->msg; *p; p++)   /* one line, whatever a value held */
    if (*p == '\n')
      *p = ' ';
  err->usage = usage;
  return GRL_OPT_BAD;
}

static int takes_value(const grl_opt *o)
{
  return o->type != GRL_OPT_HELP && o->type != GRL_OPT_FLAG;
}

/* "> 0", ">= 0", "in (0, 1)", "<= 2" ... from a double row's flags. */
static void describe_range(const grl_opt *o, char *buf, size_t len)
{
  const int has_lo = o->flags & (GRL_OPT_MIN | GRL_OPT_ABOVE);
  const int has_hi = o->flags & (GRL_OPT_MAX | GRL_OPT_BELOW);
  if (has_lo && has_hi)
    snprintf(buf, len, "in %c%g, %g%c", o->flags & GRL_OPT_ABOVE ? '(' : '[',
             o->lo, o->hi, o->flags & GRL_OPT_BELOW ? ')' : ']');
  else if (has_lo)
    snprintf(buf, len, "%s %g", o->flags & GRL_OPT_ABOVE ? ">" : ">=", o->lo);
  else
    snprintf(buf, len, "%s %g", o->flags & GRL_OPT_BELOW ? "<" : "<=", o->hi);
}

static int in_range(const grl_opt *o, double x)
{
  if ((o->flags & GRL_OPT_MIN) && !(x >= o->lo))
    return 0;
  if ((o->flags & GRL_OPT_ABOVE) && !(x > o->lo))
    return 0;
  if ((o->flags & GRL_OPT_MAX) && !(x <= o->hi))
    return 0;
  if ((o->flags & GRL_OPT_BELOW) && !(x < o->hi))
    return 0;
  return 1;
}

/* Turn ARG into row o's destination. */
static int set_value(const grl_opt *o, const char *arg, grl_opt_error *err)
{
  unsigned long ul;
  double x;
  switch (o->type) {
  case GRL_OPT_HELP:
    return GRL_OPT_HELP_ASKED;
  case GRL_OPT_FLAG:
    *(int *)o->dest = 1;
    return GRL_OPT_RUN;
  case GRL_OPT_SIZE: {
    const unsigned long lo = (unsigned long)o->lo;
    const unsigned long hi = o->hi > 0 ? (unsigned long)o->hi : GRL_SIZE_MAX;
    if (grl_parse_ulong(arg, &ul))
      return fail(err, 0, "--%s needs a non-negative integer, got '%s'",
                  o->name, arg);
    if (ul < lo || ul > hi)
      return fail(err, 0, "--%s must be between %lu and %lu, got %s",
                  o->name, lo, hi, arg);
    *(size_t *)o->dest = ul;
    return GRL_OPT_RUN;
  }
  case GRL_OPT_ULONG:
    if (grl_parse_ulong(arg, &ul))
      return fail(err, 0, "--%s needs a non-negative integer, got '%s'",
                  o->name, arg);
    *(unsigned long *)o->dest = ul;
    return GRL_OPT_RUN;
  case GRL_OPT_INT:
    /* one range, one message, whichever way the value is broken */
    if (grl_parse_ulong(arg, &ul) || ul < (unsigned long)o->lo
        || ul > (unsigned long)o->hi)
      return fail(err, 0, "--%s must be an integer between %g and %g, got "
                  "'%s'", o->name, o->lo, o->hi, arg);
    *(int *)o->dest = (int)ul;
    return GRL_OPT_RUN;
  case GRL_OPT_DOUBLE:
    if (grl_parse_double(arg, &x))
      return fail(err, 0, "--%s needs a finite number, got '%s'", o->name,
                  arg);
    if (!in_range(o, x)) {
      char range[96];
      describe_range(o, range, sizeof range);
      return fail(err, 0, "--%s must be %s, got '%s'", o->name, range, arg);
    }
    *(double *)o->dest = x;
    return GRL_OPT_RUN;
  case GRL_OPT_STRING:
    *(const char **)o->dest = arg;
    return GRL_OPT_RUN;
  case GRL_OPT_CHOICE: {
    char names[256] = "";
    size_t n = 0;
    for (const char *const *c = o->choices; *c; c++, n++) {
      if (strcmp(*c, arg) == 0) {
        *(const char **)o->dest = *c;
        return GRL_OPT_RUN;
      }
      snprintf(names + strlen(names), sizeof names - strlen(names), "%s%s",
               n ? "|" : "", *c);
    }
    if (n == 1)
      return fail(err, 0, "--%s must be '%s', got '%s'", o->name, names, arg);
    return fail(err, 0, "--%s must be one of %s, got '%s'", o->name, names,
                arg);
  }
  case GRL_OPT_CALL:
    if (o->set(arg, o->dest, err->msg, sizeof err->msg)) {
      err->usage = 0;
      return GRL_OPT_BAD;
    }
    return GRL_OPT_RUN;
  }
  return fail(err, 0, "--%s: unknown option type %d", o->name, (int)o->type);
}

const grl_opt *grl_opt_find(const grl_opt *opts, const char *name)
{
  for (; opts->name; opts++)
    if (strcmp(opts->name, name) == 0)
      return opts;
  return NULL;
}

int grl_opt_parse(const grl_opt *opts, int argc, char **argv,
                  grl_opt_error *err)
{
  struct option lo[MAX_ROWS + 1];
  char shorts[2 + 2 * MAX_ROWS + 1] = ":";   /* ':' reports a missing value */
  size_t n = 0, ns = 1;
  unsigned char given[MAX_ROWS] = {0};
  err->msg[0] = '\0';
  err->usage = 0;
  for (; opts[n].name; n++) {
    if (n == MAX_ROWS)
      return fail(err, 0, "more than %d options in one table", MAX_ROWS);
    const int arg = takes_value(&opts[n]);
    lo[n] = (struct option){opts[n].name,
                            arg ? required_argument : no_argument, NULL,
                            VAL_BASE + (int)n};
    if (opts[n].key) {
      shorts[ns++] = (char)opts[n].key;
      if (arg)
        shorts[ns++] = ':';
    }
  }
  lo[n] = (struct option){NULL, 0, NULL, 0};
  shorts[ns] = '\0';

  opterr = 0;   /* getopt prints nothing; the messages are ours */
  optind = 0;   /* start afresh (GNU: also rereads the environment) */
  for (;;) {
    int c = getopt_long(argc, argv, shorts, lo, NULL);
    if (c == -1)
      break;
    const grl_opt *o = NULL;
    if (c >= VAL_BASE)
      o = &opts[c - VAL_BASE];
    else if (c != '?' && c != ':')
      for (size_t k = 0; k < n && !o; k++)
        if (opts[k].key == c)
          o = &opts[k];
    if (o) {
      if (o->seen)   /* the option's own place, before a separate value */
        *o->seen = optarg && optarg == argv[optind - 1] && optind >= 2
                   ? optind - 2 : optind - 1;
      given[o - opts] = 1;
      int rc = set_value(o, optarg, err);
      if (rc != GRL_OPT_RUN)
        return rc;
      continue;
    }
    /* getopt's optopt: the row's val (or a letter) for a missing or an
     * unwanted value, 0 for an unknown or ambiguous long option. */
    const grl_opt *bad = optopt >= VAL_BASE && (size_t)(optopt - VAL_BASE) < n
                         ? &opts[optopt - VAL_BASE] : NULL;
    for (size_t k = 0; k < n && !bad && optopt > 0 && optopt < VAL_BASE; k++)
      if (opts[k].key == optopt)
        bad = &opts[k];
    if (c == ':')
      return fail(err, 1, "--%s needs a value", bad ? bad->name : "?");
    if (bad && !takes_value(bad) && strncmp(argv[optind - 1], "--", 2) == 0)
      return fail(err, 1, "--%s takes no value", bad->name);
    if (optopt > 0 && optopt < VAL_BASE)
      return fail(err, 1, "unknown option '-%c'", optopt);
    return fail(err, 1, "unknown option '%s'", argv[optind - 1]);
  }
  if (optind < argc)
    return fail(err, 1, "unexpected argument '%s'", argv[optind]);
  for (size_t k = 0; k < n; k++)
    if ((opts[k].flags & GRL_OPT_REQUIRED) && !given[k])
      return fail(err, 1, "--%s%s%s is required", opts[k].name,
                  opts[k].metavar ? " " : "",
                  opts[k].metavar ? opts[k].metavar : "");
  return GRL_OPT_RUN;
}

/* "--name METAVAR", or "-k, --name METAVAR" */
static void head(const grl_opt *o, char *buf, size_t len)
{
  const char *sp = o->metavar ? " " : "", *mv = o->metavar ? o->metavar : "";
  if (o->key)
    snprintf(buf, len, "-%c, --%s%s%s", o->key, o->name, sp, mv);
  else
    snprintf(buf, len, "--%s%s%s", o->name, sp, mv);
}

void grl_opt_help(FILE *f, const grl_opt *opts)
{
  char h[128];
  size_t width = 0;
  for (const grl_opt *o = opts; o->name; o++) {
    head(o, h, sizeof h);
    if (strlen(h) > width)
      width = strlen(h);
  }
  width += 2;
  for (const grl_opt *o = opts; o->name; o++) {
    head(o, h, sizeof h);
    fprintf(f, "  %-*s", (int)width, h);
    const char *text = o->help ? o->help : "";
    for (;;) {
      size_t len = strcspn(text, "\n");
      fprintf(f, "%.*s\n", (int)len, text);
      if (!text[len])
        break;
      text += len + 1;
      fprintf(f, "  %-*s  ", (int)width, "");
    }
  }
}
