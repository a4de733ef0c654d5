/* opt.c -- command-line options from one table, over getopt_long.
 *
 * getopt_long does the scanning (long names, "--name=value", unambiguous
 * abbreviations, "-h"); this file builds its struct option array from the
 * table, sends every value through libgrulab's strict grl_parse_* and the
 * row's range, maps old names to new ones, and words each error the same
 * way for every program, with the nearest name for a typo. */
#include <config.h>
#include "grl_opt.h"
#include "grulab.h"

#include <getopt.h>
#include <stdarg.h>
#include <string.h>

enum { MAX_ROWS = 64, VAL_BASE = 256 };  /* getopt's val: VAL_BASE + row */

static int fail(grl_opt_result *err, int usage, const char *fmt, ...)
  __attribute__((format(printf, 3, 4)));

static int fail(grl_opt_result *err, int usage, const char *fmt, ...)
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
static int set_value(const grl_opt *o, const char *arg, grl_opt_result *err)
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
  case GRL_OPT_PAIR:
  case GRL_OPT_ALIAS:   /* resolved by the caller */
    break;
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

void grl_opt_renamed(char *buf, size_t len, const char *old, const char *now)
{
  snprintf(buf, len, "--%s is now %s; the old name goes in the next release",
           old, now);
}

/* The edit distance of a and b (optimal string alignment: insert, delete,
 * replace, or swap two neighbours, each 1), up to 63 characters each. */
static size_t distance(const char *a, const char *b)
{
  enum { N = 64 };
  size_t la = strlen(a), lb = strlen(b);
  if (la >= N || lb >= N)
    return (size_t)-1;
  size_t d[N][N];
  for (size_t i = 0; i <= la; i++)
    d[i][0] = i;
  for (size_t j = 0; j <= lb; j++)
    d[0][j] = j;
  for (size_t i = 1; i <= la; i++)
    for (size_t j = 1; j <= lb; j++) {
      size_t best = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
      if (d[i - 1][j] + 1 < best)
        best = d[i - 1][j] + 1;
      if (d[i][j - 1] + 1 < best)
        best = d[i][j - 1] + 1;
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]
          && d[i - 2][j - 2] + 1 < best)
        best = d[i - 2][j - 2] + 1;
      d[i][j] = best;
    }
  return d[la][lb];
}

/* Near enough to be a typo: one edit in a short word, two in a longer
 * one, three from ten letters on. */
static int near_enough(const char *word, size_t d)
{
  size_t n = strlen(word);
  return d <= (n <= 4 ? 1 : n <= 9 ? 2 : 3);
}

const char *grl_opt_nearest(const char *word, const char *const *names,
                            size_t n)
{
  const char *best = NULL;
  size_t bd = (size_t)-1;
  for (size_t k = 0; k < n; k++) {
    size_t d = distance(word, names[k]);
    if (d < bd) {
      bd = d;
      best = names[k];
    }
  }
  return best && near_enough(word, bd) ? best : NULL;
}

/* The row an option stands for: an alias's new row, else itself. */
static const grl_opt *target(const grl_opt *opts, const grl_opt *o)
{
  if (o->type != GRL_OPT_ALIAS)
    return o;
  const grl_opt *t = grl_opt_find(opts, o->now ? o->now : "");
  return t && t->type != GRL_OPT_ALIAS ? t : NULL;
}

/* An unknown or ambiguous long option ARG ("--hiden-size=4"): say which
 * rows it could abbreviate, or the name it is nearest to. */
static int unknown_long(const grl_opt *opts, size_t n, const char *arg,
                        grl_opt_result *err)
{
  char word[64];
  const char *w = arg + strspn(arg, "-");
  snprintf(word, sizeof word, "%.*s", (int)strcspn(w, "="), w);
  const size_t wl = strlen(word);
  char list[256] = "";
  size_t nmatch = 0;
  for (size_t k = 0; k < n && wl; k++)
    if (strncmp(opts[k].name, word, wl) == 0) {
      snprintf(list + strlen(list), sizeof list - strlen(list), "%s--%s",
               nmatch++ ? ", " : "", opts[k].name);
    }
  if (nmatch > 1)
    return fail(err, 1, "option '--%s' is ambiguous: it could be %s", word,
                list);
  const char *best = NULL;
  size_t bd = (size_t)-1;
  for (size_t k = 0; k < n; k++) {
    if (opts[k].flags & GRL_OPT_OLD)
      continue;
    size_t d = distance(word, opts[k].name);
    if (d < bd) {
      bd = d;
      best = opts[k].type == GRL_OPT_ALIAS ? opts[k].now : opts[k].name;
    }
  }
  if (best && near_enough(word, bd))
    return fail(err, 1, "unknown option '%s' (did you mean '--%s'?)", arg,
                best);
  return fail(err, 1, "unknown option '%s'", arg);
}

int grl_opt_parse(const grl_opt *opts, int argc, char **argv,
                  grl_opt_result *err)
{
  struct option lo[MAX_ROWS + 1];
  /* '+': stop at the first word that is not an option, so that a PAIR's
   * second value can be taken from argv; ':' reports a missing value. */
  char shorts[3 + 2 * MAX_ROWS + 1] = "+:";
  size_t n = 0, ns = 2;
  unsigned char given[MAX_ROWS] = {0}, noted[MAX_ROWS] = {0};
  memset(err, 0, sizeof *err);
  for (; opts[n].name; n++) {
    if (n == MAX_ROWS)
      return fail(err, 0, "more than %d options in one table", MAX_ROWS);
    const grl_opt *t = target(opts, &opts[n]);
    if (!t)
      return fail(err, 0, "--%s: an old name of '--%s', which is not in the "
                  "table", opts[n].name, opts[n].now ? opts[n].now : "?");
    const int arg = takes_value(t);
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
      const grl_opt *t = target(opts, o);
      if (t != o && !noted[o - opts]++ && err->nnote < GRL_OPT_MAX_NOTES) {
        char now[80];
        snprintf(now, sizeof now, "--%s", t->name);
        grl_opt_renamed(err->note[err->nnote++], sizeof err->note[0], o->name,
                        now);
      }
      if (t->seen)   /* the option's own place, before a separate value */
        *t->seen = optarg && optarg == argv[optind - 1] && optind >= 2
                   ? optind - 2 : optind - 1;
      given[t - opts] = 1;
      if (t->type == GRL_OPT_PAIR) {
        /* the word after the argument is the second value */
        if (optind >= argc)
          return fail(err, 1, "--%s needs two values: --%s %s", t->name,
                      t->name, t->metavar ? t->metavar : "A B");
        ((const char **)t->dest)[0] = optarg;
        ((const char **)t->dest)[1] = argv[optind++];
        continue;
      }
      int rc = set_value(t, optarg, err);
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
    if (bad && !takes_value(target(opts, bad))
        && strncmp(argv[optind - 1], "--", 2) == 0)
      return fail(err, 1, "--%s takes no value", bad->name);
    if (optopt > 0 && optopt < VAL_BASE)
      return fail(err, 1, "unknown option '-%c'", optopt);
    return unknown_long(opts, n, argv[optind - 1], err);
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

static int is_old(const grl_opt *o)
{
  return o->type == GRL_OPT_ALIAS || (o->flags & GRL_OPT_OLD);
}

void grl_opt_help(FILE *f, const grl_opt *opts)
{
  char h[128];
  size_t width = 0, nold = 0;
  for (const grl_opt *o = opts; o->name; o++) {
    nold += is_old(o);
    head(o, h, sizeof h);
    if (!is_old(o) && strlen(h) > width)
      width = strlen(h);
  }
  width += 2;
  for (const grl_opt *o = opts; o->name; o++) {
    if (is_old(o))
      continue;
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
  if (!nold)
    return;
  fprintf(f, "\nOld names (they still work, with a warning, until the next "
          "release):\n");
  for (const grl_opt *o = opts; o->name; o++)
    if (o->type == GRL_OPT_ALIAS)
      fprintf(f, "  --%s is now --%s\n", o->name, o->now);
    else if (o->flags & GRL_OPT_OLD)
      fprintf(f, "  --%s is now %s\n", o->name, o->help ? o->help : "?");
}
