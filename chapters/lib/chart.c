/* chart.c -- the chart writer: one .dat and one .gp per chart.
 *
 * C writes numbers; gnuplot draws them.  A chart is a data file whose '#'
 * header names its columns and records the run's parameters, and a small
 * script that loads the shared plots/style.gp, sets the few variables that
 * vary with the run, and loads the chart's fixed script, a template kept in
 * plots/templates/ where a lecturer edits it.  Chapters never
 * run gnuplot: `make plots` renders every script, and the chapter tests
 * read the header back to check every data line.
 *
 * Both files go through grl_outfile (a temporary file renamed into place),
 * so a failed or interrupted chapter never leaves a half-written chart.
 * Every call keeps a sticky status: after the first failure the rest are
 * no-ops and grl_chart_commit reports it.
 */
#include <config.h>
#include "grulab.h"
#include "grl_chart.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

enum layout { LAYOUT_NONE, LAYOUT_COLUMNS, LAYOUT_MATRIX };

struct grl_chart {
  char *name;           /* "ch01-activations" */
  char *pdat;           /* DIR/NAME.dat, removed again if the .gp fails */
  grl_outfile *odat, *ogp;
  FILE *dat, *gp;
  int status;           /* sticky: GRL_OK or the first failure */
  enum layout layout;
  size_t ncol;          /* numbers per data line */
  size_t mrows;         /* LAYOUT_MATRIX: lines per block */
  size_t block;         /* current block index */
  size_t lines;         /* data lines in the current block */
  size_t total;         /* data lines in the file */
  char *tmpl;           /* template name, loaded at commit; or NULL */
};

/* Record the first failure; later ones keep the first message. */
static int chart_fail(grl_chart *ch, int status, const char *fmt, ...)
  __attribute__((format(printf, 3, 4)));

static int chart_fail(grl_chart *ch, int status, const char *fmt, ...)
{
  if (ch->status != GRL_OK)
    return ch->status;
  char msg[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  ch->status = grl_fail(status, "%s.dat: %s", ch->name, msg);
  return ch->status;
}

static char *path_join(const char *dir, const char *name, const char *ext)
{
  size_t n = strlen(dir) + strlen(name) + strlen(ext) + 2;
  char *p = malloc(n);
  if (p)
    snprintf(p, n, "%s/%s%s", dir, name, ext);
  return p;
}

/* A gnuplot double-quoted string: escape backslash and double quote. */
static void gp_quoted(FILE *f, const char *s)
{
  fputc('"', f);
  for (; *s; s++) {
    if (*s == '"' || *s == '\\')
      fputc('\\', f);
    fputc(*s, f);
  }
  fputc('"', f);
}

int grl_chart_open(grl_chart **out, const char *dir, const char *name,
                   const char *title)
{
  *out = NULL;
  if (!dir || !*dir || !name || !*name || strchr(name, '/'))
    return grl_fail(GRL_EINVAL, "chart: bad directory or name '%s'",
                    name ? name : "(null)");
  grl_chart *ch = calloc(1, sizeof *ch);
  char *pdat = path_join(dir, name, ".dat");
  char *pgp = path_join(dir, name, ".gp");
  if (ch)
    ch->name = strdup(name);
  if (!ch || !ch->name || !pdat || !pgp) {
    if (ch)
      free(ch->name);
    free(ch);
    free(pdat);
    free(pgp);
    return grl_fail(GRL_ENOMEM, "%s: out of memory opening the chart", name);
  }
  ch->pdat = pdat;
  int rc = grl_outfile_open(&ch->odat, &ch->dat, pdat);
  if (rc == GRL_OK)
    rc = grl_outfile_open(&ch->ogp, &ch->gp, pgp);
  free(pgp);
  if (rc != GRL_OK) {
    grl_chart_abort(ch);
    return rc;
  }

  /* The data file says what it is before it says anything else. */
  fprintf(ch->dat, "# %s: %s\n", name, title ? title : "");

  /* The script: the shared style, then names the chapter's text uses. */
  fprintf(ch->gp,
          "# %s.gp -- written by a grulab chapter; rendered by `make plots`.\n"
          "# By hand, from the directory holding %s.dat:\n"
          "#   gnuplot -p -e \"set loadpath 'TOP_SRCDIR/plots'\" %s.gp\n"
          "load 'style.gp'\n"
          "dat = '%s.dat'\n"
          "chart_title = ",
          name, name, name, name);
  gp_quoted(ch->gp, title ? title : "");
  fputs("\nset title chart_title\n", ch->gp);
  *out = ch;
  return GRL_OK;
}

const char *grl_chart_name(const grl_chart *ch)
{
  return ch ? ch->name : "(no chart)";
}

int grl_chart_status(const grl_chart *ch)
{
  return ch ? ch->status : GRL_EINVAL;
}

void grl_chart_param(grl_chart *ch, const char *key, const char *fmt, ...)
{
  if (!ch || ch->status != GRL_OK)
    return;
  if (ch->layout != LAYOUT_NONE) {
    chart_fail(ch, GRL_EINVAL, "param '%s' after the layout was declared",
               key);
    return;
  }
  fprintf(ch->dat, "# param %s = ", key);
  va_list ap;
  va_start(ap, fmt);
  vfprintf(ch->dat, fmt, ap);
  va_end(ap);
  fputc('\n', ch->dat);
}

void grl_chart_comment(grl_chart *ch, const char *fmt, ...)
{
  if (!ch || ch->status != GRL_OK)
    return;
  fputs("# ", ch->dat);
  va_list ap;
  va_start(ap, fmt);
  vfprintf(ch->dat, fmt, ap);
  va_end(ap);
  fputc('\n', ch->dat);
}

void grl_chart_columns(grl_chart *ch, const char *names)
{
  if (!ch || ch->status != GRL_OK)
    return;
  if (ch->layout != LAYOUT_NONE) {
    chart_fail(ch, GRL_EINVAL, "layout declared twice");
    return;
  }
  /* Count the space-separated names: that many numbers on every line. */
  size_t n = 0;
  for (const char *p = names; *p;) {
    while (*p == ' ')
      p++;
    if (!*p)
      break;
    n++;
    while (*p && *p != ' ')
      p++;
  }
  if (n == 0) {
    chart_fail(ch, GRL_EINVAL, "no column names");
    return;
  }
  ch->layout = LAYOUT_COLUMNS;
  ch->ncol = n;
  fprintf(ch->dat, "# columns: %s\n", names);
}

void grl_chart_matrix(grl_chart *ch, size_t rows, size_t cols)
{
  if (!ch || ch->status != GRL_OK)
    return;
  if (ch->layout != LAYOUT_NONE) {
    chart_fail(ch, GRL_EINVAL, "layout declared twice");
    return;
  }
  if (rows == 0 || cols == 0) {
    const size_t dims[2] = {rows, cols};
    char shape[64];
    chart_fail(ch, GRL_EINVAL, "empty matrix %s",
               grl_shape_format(shape, sizeof shape, 2, dims));
    return;
  }
  ch->layout = LAYOUT_MATRIX;
  ch->ncol = cols;
  ch->mrows = rows;
  fprintf(ch->dat, "# matrix: %zu %zu\n", rows, cols);
}

/* A matrix block must be complete before the next one starts. */
static void end_block(grl_chart *ch)
{
  if (ch->layout == LAYOUT_MATRIX && ch->lines != ch->mrows)
    chart_fail(ch, GRL_EINVAL, "block %zu has %zu lines, expected %zu",
               ch->block, ch->lines, ch->mrows);
}

void grl_chart_block(grl_chart *ch, const char *label)
{
  if (!ch || ch->status != GRL_OK)
    return;
  if (ch->layout == LAYOUT_NONE) {
    chart_fail(ch, GRL_EINVAL, "block before the layout was declared");
    return;
  }
  if (ch->total > 0) {
    end_block(ch);
    /* Two blank lines: gnuplot's 'index' separator. */
    fputs("\n\n", ch->dat);
    ch->block++;
    ch->lines = 0;
  }
  fprintf(ch->dat, "# block %zu: %s\n", ch->block, label ? label : "");
}

void grl_chart_row(grl_chart *ch, size_t n, const double *v)
{
  if (!ch || ch->status != GRL_OK)
    return;
  if (ch->layout == LAYOUT_NONE) {
    chart_fail(ch, GRL_EINVAL, "data before the layout was declared");
    return;
  }
  if (n != ch->ncol) {
    chart_fail(ch, GRL_EINVAL, "line of %zu numbers, %zu columns declared",
               n, ch->ncol);
    return;
  }
  if (ch->layout == LAYOUT_MATRIX && ch->lines == ch->mrows) {
    chart_fail(ch, GRL_EINVAL, "block %zu has more than %zu lines",
               ch->block, ch->mrows);
    return;
  }
  /* A chart shows measured numbers; a NaN or Inf is a bug upstream. */
  for (size_t j = 0; j < n; j++)
    if (!isfinite(v[j])) {
      chart_fail(ch, GRL_ENONFINITE,
                 "block %zu line %zu column %zu is not finite (%g)",
                 ch->block, ch->lines + 1, j + 1, v[j]);
      return;
    }
  for (size_t j = 0; j < n; j++)
    fprintf(ch->dat, j ? " %.10g" : "%.10g", v[j]);
  fputc('\n', ch->dat);
  ch->lines++;
  ch->total++;
}

void grl_chart_matrix_block(grl_chart *ch, const char *label,
                            const double *data, size_t stride,
                            size_t cstride)
{
  if (!ch || ch->status != GRL_OK)
    return;
  if (ch->layout != LAYOUT_MATRIX) {
    chart_fail(ch, GRL_EINVAL, "matrix block without a matrix layout");
    return;
  }
  double *row = malloc(ch->ncol * sizeof *row);  /* (cols) one line */
  if (!row) {
    chart_fail(ch, GRL_ENOMEM, "out of memory");
    return;
  }
  if (ch->total > 0 || label)
    grl_chart_block(ch, label);
  for (size_t i = 0; i < ch->mrows; i++) {
    for (size_t j = 0; j < ch->ncol; j++)
      row[j] = data[i * stride + j * cstride];
    grl_chart_row(ch, ch->ncol, row);
  }
  free(row);
}

void grl_chart_gp(grl_chart *ch, const char *fmt, ...)
{
  if (!ch || ch->status != GRL_OK)
    return;
  va_list ap;
  va_start(ap, fmt);
  vfprintf(ch->gp, fmt, ap);
  va_end(ap);
}

/* A gnuplot identifier: a letter or '_', then letters, digits, '_'. */
static int gp_identifier(const char *s)
{
  if (!s || !(*s == '_' || (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z')))
    return 0;
  for (; *s; s++)
    if (!(*s == '_' || (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z')
          || (*s >= '0' && *s <= '9')))
      return 0;
  return 1;
}

static void chart_vset(grl_chart *ch, int quoted, const char *key,
                       const char *fmt, va_list ap)
{
  if (!ch || ch->status != GRL_OK)
    return;
  if (!gp_identifier(key)) {
    chart_fail(ch, GRL_EINVAL, "setting '%s' is not a gnuplot name",
               key ? key : "(null)");
    return;
  }
  if (ch->tmpl) {
    chart_fail(ch, GRL_EINVAL, "setting '%s' after the template", key);
    return;
  }
  char buf[1024];
  int n = vsnprintf(buf, sizeof buf, fmt, ap);
  if (n < 0 || (size_t)n >= sizeof buf) {
    chart_fail(ch, GRL_EINVAL, "setting '%s' is longer than %zu bytes", key,
               sizeof buf - 1);
    return;
  }
  fprintf(ch->gp, "%s = ", key);
  if (quoted)
    gp_quoted(ch->gp, buf);
  else
    fputs(buf, ch->gp);
  fputc('\n', ch->gp);
}

void grl_chart_set(grl_chart *ch, const char *key, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  chart_vset(ch, 0, key, fmt, ap);
  va_end(ap);
}

void grl_chart_set_text(grl_chart *ch, const char *key, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  chart_vset(ch, 1, key, fmt, ap);
  va_end(ap);
}

void grl_chart_template(grl_chart *ch, const char *tmpl)
{
  if (!ch || ch->status != GRL_OK)
    return;
  if (ch->tmpl) {
    chart_fail(ch, GRL_EINVAL, "template declared twice");
    return;
  }
  const char *t = tmpl ? tmpl : ch->name;
  if (!*t || strchr(t, '/') || strchr(t, '\'') || strchr(t, '\\')) {
    chart_fail(ch, GRL_EINVAL, "bad template name '%s'", t);
    return;
  }
  ch->tmpl = strdup(t);
  if (!ch->tmpl)
    chart_fail(ch, GRL_ENOMEM, "out of memory");
}

void grl_chart_abort(grl_chart *ch)
{
  if (!ch)
    return;
  free(ch->tmpl);
  grl_outfile_abort(ch->odat);
  grl_outfile_abort(ch->ogp);
  free(ch->pdat);
  free(ch->name);
  free(ch);
}

int grl_chart_commit(grl_chart *ch)
{
  if (!ch)
    return grl_fail(GRL_EINVAL, "chart: commit of a chart that failed to open");
  if (ch->status == GRL_OK) {
    if (ch->layout == LAYOUT_NONE)
      chart_fail(ch, GRL_EINVAL, "no layout declared");
    else if (ch->total == 0)
      chart_fail(ch, GRL_EINVAL, "no data");
    else
      end_block(ch);
  }
  /* The fixed script last, after every setting it reads. */
  if (ch->status == GRL_OK && ch->tmpl)
    fprintf(ch->gp, "load 'templates/%s.gp'\n", ch->tmpl);
  int rc = ch->status;
  if (rc != GRL_OK) {
    grl_chart_abort(ch);
    return rc;
  }
  /* The data first: a script never appears without its data. */
  rc = grl_outfile_commit(ch->odat);
  ch->odat = NULL;
  if (rc == GRL_OK) {
    rc = grl_outfile_commit(ch->ogp);
    ch->ogp = NULL;
    if (rc != GRL_OK)
      remove(ch->pdat);   /* whole-or-nothing, for the pair too */
  }
  grl_chart_abort(ch);   /* frees what is left */
  return rc;
}
