/* tensor.c -- the named-tensor text format.
 *
 *   # a comment: any line whose first non-blank character is '#'
 *   weight_ih_l0 6 2        header: NAME D1 [D2 [D3]]
 *   0.125 -0.5              D1*D2*D3 numbers in row-major order,
 *   ...                     separated by any whitespace, newlines included
 *
 * NAME matches [A-Za-z_][A-Za-z0-9_]*, each D is a positive integer, and a
 * file holds each name at most once.  Writers put one row of the last
 * dimension per line with %.17g, so every double round-trips exactly.
 *
 * The reader is strict because other tools write these files: every
 * malformed input is refused with "FILE:LINE: what is wrong", and on any
 * error nothing is returned (no half-read file).  It reads the whole file
 * into memory first, so lines may be of any length, and it treats '\r' as
 * blank space, so CRLF files read like LF files. */
#include <config.h>
#include "grulab.h"
#include "file.h"
#include "parse.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* ---- reading the whole file ---------------------------------------- */

/* ---- tokens --------------------------------------------------------- */

/* Blank space inside a line; '\r' counts, so CRLF files work. */
static int is_blank(char c)
{
  return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

/* A token, for messages: at most 40 characters, non-printables as '?'. */
static const char *show(const char *tok, size_t len)
{
  static _Thread_local char buf[48];
  size_t n = len > 40 ? 40 : len;
  for (size_t i = 0; i < n; i++)
    buf[i] = isprint((unsigned char)tok[i]) ? tok[i] : '?';
  strcpy(buf + n, len > n ? "..." : "");
  return buf;
}

/* A decimal number, finite or not (the grammar of parse.c). */
static int is_decimal(const char *s, size_t len)
{
  int k = grl_number_scan(s, len, NULL);
  return k == GRL_NUM_OK || k == GRL_NUM_OVERFLOW;
}

static int is_name(const char *s, size_t len)
{
  if (len == 0 || !(isalpha((unsigned char)s[0]) || s[0] == '_'))
    return 0;
  for (size_t i = 1; i < len; i++)
    if (!(isalnum((unsigned char)s[i]) || s[i] == '_'))
      return 0;
  return 1;
}

/* The reader's state: the buffer, the current position and line. */
typedef struct {
  const char *path;
  const char *p, *end;  /* next unread byte; end of the buffer */
  long line;            /* line of p, from 1 */
} scanner;

/* Skip blanks (not newlines) on the current line. */
static void skip_blanks(scanner *s)
{
  while (s->p < s->end && is_blank(*s->p))
    s->p++;
}

/* Next token on the current line, or 0 at its end.  Leaves p after it. */
static size_t next_token(scanner *s, const char **tok)
{
  skip_blanks(s);
  *tok = s->p;
  while (s->p < s->end && *s->p != '\n' && !is_blank(*s->p))
    s->p++;
  return (size_t)(s->p - *tok);
}

/* Move to the start of the next line.  A final newline does not start a
 * new line, so at the end of the buffer s->line is the file's last line. */
static void next_line(scanner *s)
{
  while (s->p < s->end && *s->p != '\n')
    s->p++;
  if (s->p < s->end) {
    s->p++;
    if (s->p < s->end)
      s->line++;
  }
}

/* Skip blank lines and comment lines; stop at the first token of the next
 * line that holds data, or at the end of the buffer (returns 0). */
static int next_content_line(scanner *s)
{
  for (;;) {
    skip_blanks(s);
    if (s->p >= s->end)
      return 0;
    if (*s->p == '\n' || *s->p == '#') {
      next_line(s);
      continue;
    }
    return 1;
  }
}

/* Parse one number token into *v (the one grammar, parse.c), or explain
 * what is wrong with it. */
static int parse_number(const scanner *s, const char *tok, size_t len,
                        const grl_tensor *t, double *v)
{
  switch (grl_number_scan(tok, len, v)) {
  case GRL_NUM_OK:
    return GRL_OK;
  case GRL_NUM_NONFINITE:
    return grl_fail(GRL_EFORMAT,
                    "%s:%ld: '%s' in tensor '%s' is not a finite number "
                    "(NaN and Inf are not allowed)",
                    s->path, s->line, show(tok, len), t->name);
  case GRL_NUM_OVERFLOW:
    return grl_fail(GRL_EFORMAT,
                    "%s:%ld: '%s' in tensor '%s' is not a finite number "
                    "(it overflows a double)",
                    s->path, s->line, show(tok, len), t->name);
  default:
    return grl_fail(GRL_EFORMAT, "%s:%ld: '%s' in tensor '%s' is not a number",
                    s->path, s->line, show(tok, len), t->name);
  }
}

/* Parse a header line "NAME D1 [D2 [D3]]" at s->p into t (data unset). */
static int parse_header(scanner *s, const grl_tensorfile *tf, grl_tensor *t,
                        const grl_tensor *prev)
{
  const char *tok;
  size_t len = next_token(s, &tok);

  if (!is_name(tok, len)) {
    if (is_decimal(tok, len) && prev)
      return grl_fail(GRL_EFORMAT,
                      "%s:%ld: numbers left over where a header should be: "
                      "tensor '%s' (line %ld) takes only %zu numbers",
                      s->path, s->line, prev->name, prev->line, prev->size);
    return grl_fail(GRL_EFORMAT,
                    "%s:%ld: malformed header: '%s' is not a tensor name "
                    "(expected NAME D1 [D2 [D3]], NAME = [A-Za-z_][A-Za-z0-9_]*)",
                    s->path, s->line, show(tok, len));
  }
  if (len >= GRL_NAME_MAX)
    return grl_fail(GRL_EFORMAT,
                    "%s:%ld: malformed header: tensor name '%s' is longer "
                    "than %d characters", s->path, s->line, show(tok, len),
                    GRL_NAME_MAX - 1);
  memcpy(t->name, tok, len);
  t->name[len] = '\0';
  t->line = s->line;

  for (size_t i = 0; i < tf->n; i++)
    if (strcmp(tf->t[i].name, t->name) == 0)
      return grl_fail(GRL_EFORMAT,
                      "%s:%ld: duplicate tensor '%s' (first defined at line %ld)",
                      s->path, s->line, t->name, tf->t[i].line);

  t->ndim = 0;
  t->dims[0] = t->dims[1] = t->dims[2] = 1;
  while ((len = next_token(s, &tok)) > 0) {
    /* "input 2 3 # note": the format has no trailing comments. */
    if (tok[0] == '#')
      return grl_fail(GRL_EFORMAT,
                      "%s:%ld: malformed header: '%s' after tensor '%s' is "
                      "not a dimension; comments must be on their own line",
                      s->path, s->line, show(tok, len), t->name);
    if (t->ndim == 3)
      return grl_fail(GRL_EFORMAT,
                      "%s:%ld: malformed header: tensor '%s' has more than "
                      "3 dimensions", s->path, s->line, t->name);
    int digits = 1;
    for (size_t i = 0; i < len; i++)
      if (!isdigit((unsigned char)tok[i]))
        digits = 0;
    char buf[32];
    unsigned long long d = 0;
    if (digits && len < sizeof buf) {
      memcpy(buf, tok, len);
      buf[len] = '\0';
      errno = 0;
      d = strtoull(buf, NULL, 10);
      if (errno || d > SIZE_MAX)
        return grl_fail(GRL_EFORMAT,
                        "%s:%ld: dimension %d of tensor '%s' is too large: %s",
                        s->path, s->line, t->ndim + 1, t->name, show(tok, len));
    }
    if (!digits || len >= sizeof buf || d == 0)
      return grl_fail(GRL_EFORMAT,
                      "%s:%ld: dimension %d of tensor '%s' is '%s'; "
                      "dimensions must be positive integers",
                      s->path, s->line, t->ndim + 1, t->name, show(tok, len));
    t->dims[t->ndim++] = (size_t)d;
  }
  if (t->ndim == 0)
    return grl_fail(GRL_EFORMAT,
                    "%s:%ld: malformed header: tensor '%s' has no dimensions "
                    "(expected NAME D1 [D2 [D3]])", s->path, s->line, t->name);

  /* size = D1*D2*D3, and size * sizeof(double) must fit in a size_t. */
  size_t size = 1;
  for (int k = 0; k < t->ndim; k++) {
    if (t->dims[k] > SIZE_MAX / sizeof(double) / size)
      return grl_fail(GRL_EFORMAT,
                      "%s:%ld: the element count of tensor '%s' overflows",
                      s->path, s->line, t->name);
    size *= t->dims[k];
  }
  t->size = size;
  return GRL_OK;
}

/* Append *t to tf->t, growing the array. */
static int push_tensor(grl_tensorfile *tf, size_t *cap, const grl_tensor *t)
{
  if (tf->n == *cap) {
    size_t nc = *cap ? 2 * *cap : 8;
    grl_tensor *nt = realloc(tf->t, nc * sizeof *nt);
    if (!nt)
      return grl_fail(GRL_ENOMEM, "%s: out of memory", tf->path);
    tf->t = nt;
    *cap = nc;
  }
  tf->t[tf->n++] = *t;
  return GRL_OK;
}

/* Read the numbers of t from the lines after its header.  The data array
 * grows with the numbers actually present, so a header that promises
 * 10^12 numbers in a small file fails as "too few", not as out of memory. */
static int parse_data(scanner *s, grl_tensor *t)
{
  size_t cap = 0, n = 0;
  t->data = NULL;
  next_line(s);
  while (n < t->size) {
    if (!next_content_line(s)) {
      free(t->data);
      t->data = NULL;
      return grl_fail(GRL_EFORMAT,
                      "%s:%ld: end of file after %zu of the %zu numbers of "
                      "tensor '%s' (line %ld)",
                      s->path, s->line, n, t->size, t->name, t->line);
    }
    const char *tok;
    size_t len;
    while (n < t->size && (len = next_token(s, &tok)) > 0) {
      if (n == cap) {
        size_t nc = cap ? 2 * cap : 64;
        if (nc > t->size)
          nc = t->size;
        double *nd = realloc(t->data, nc * sizeof *nd);
        if (!nd) {
          free(t->data);
          t->data = NULL;
          return grl_fail(GRL_ENOMEM, "%s:%ld: out of memory for tensor '%s'",
                          s->path, s->line, t->name);
        }
        t->data = nd;
        cap = nc;
      }
      int st = parse_number(s, tok, len, t, &t->data[n]);
      if (st) {
        free(t->data);
        t->data = NULL;
        return st;
      }
      n++;
    }
    if (n == t->size) {
      /* A header must start its own line. */
      len = next_token(s, &tok);
      if (len > 0) {
        free(t->data);
        t->data = NULL;
        if (grl_number_scan(tok, len, NULL) != GRL_NUM_SYNTAX)   /* even nan, inf */
          return grl_fail(GRL_EFORMAT,
                          "%s:%ld: numbers left over: tensor '%s' (line %ld) "
                          "takes only %zu numbers",
                          s->path, s->line, t->name, t->line, t->size);
        return grl_fail(GRL_EFORMAT,
                        "%s:%ld: '%s' follows the last number of tensor '%s' "
                        "(line %ld) on the same line; a header starts a line",
                        s->path, s->line, show(tok, len), t->name, t->line);
      }
    }
    next_line(s);
  }
  return GRL_OK;
}

/* next_content_line between tensors, keeping the model record: a comment
 * line "# grulab-model ...".  1: a header follows; 0: the end; -1: an
 * error (a second record, out of memory), message set. */
static int next_record_or_content(scanner *s, grl_tensorfile *tf)
{
  static const char key[] = "grulab-model";
  for (;;) {
    skip_blanks(s);
    if (s->p >= s->end)
      return 0;
    if (*s->p == '#') {
      const char *q = s->p + 1, *eol = memchr(q, '\n', (size_t)(s->end - q));
      if (!eol)
        eol = s->end;
      while (q < eol && is_blank(*q))
        q++;
      size_t k = sizeof key - 1;
      if ((size_t)(eol - q) >= k && memcmp(q, key, k) == 0
          && (q + k == eol || is_blank(q[k]))) {
        if (tf->record) {
          grl_fail(GRL_EFORMAT, "%s:%ld: a second model record (the first "
                   "is at line %ld)", s->path, s->line, tf->record_line);
          return -1;
        }
        q += k;
        while (q < eol && is_blank(*q))
          q++;
        const char *e = eol;
        while (e > q && is_blank(e[-1]))
          e--;
        if (!(tf->record = malloc((size_t)(e - q) + 1))) {
          grl_fail(GRL_ENOMEM, "%s: out of memory", s->path);
          return -1;
        }
        memcpy(tf->record, q, (size_t)(e - q));
        tf->record[e - q] = '\0';
        tf->record_line = s->line;
      }
      next_line(s);
      continue;
    }
    if (*s->p == '\n') {
      next_line(s);
      continue;
    }
    return 1;
  }
}

void grl_tensorfile_free(grl_tensorfile *tf)
{
  if (!tf)
    return;
  free(tf->record);
  for (size_t i = 0; i < tf->n; i++)
    free(tf->t[i].data);
  free(tf->t);
  free(tf->path);
  free(tf);
}

int grl_tensorfile_read(grl_tensorfile **out, const char *path)
{
  *out = NULL;
  if (!path || !*path)
    return grl_fail(GRL_EINVAL, "tensor file: empty path");

  char *buf = NULL;
  size_t len = 0, bufcap = 0;
  int st = grl_file_append(path, &buf, &len, &bufcap);
  if (st) {
    free(buf);
    return st;
  }
  if (memchr(buf, '\0', len)) {
    /* Count the line for the message. */
    const char *z = memchr(buf, '\0', len);
    long line = 1;
    for (const char *q = buf; q < z; q++)
      line += *q == '\n';
    free(buf);
    return grl_fail(GRL_EFORMAT, "%s:%ld: NUL byte: not a text file", path,
                    line);
  }

  grl_tensorfile *tf = calloc(1, sizeof *tf);
  char *pathcopy = tf ? malloc(strlen(path) + 1) : NULL;
  if (!tf || !pathcopy) {
    free(tf);
    free(buf);
    return grl_fail(GRL_ENOMEM, "%s: out of memory", path);
  }
  strcpy(pathcopy, path);
  tf->path = pathcopy;

  scanner s = {path, buf, buf + len, 1};
  size_t cap = 0;
  while ((st = next_record_or_content(&s, tf)) == 1) {
    grl_tensor t = {0};
    st = parse_header(&s, tf, &t, tf->n ? &tf->t[tf->n - 1] : NULL);
    if (!st)
      st = parse_data(&s, &t);
    if (!st) {
      st = push_tensor(tf, &cap, &t);
      if (st)
        free(t.data);
    }
    if (st) {
      grl_tensorfile_free(tf);
      free(buf);
      return st;
    }
  }
  free(buf);
  if (st < 0) {
    grl_tensorfile_free(tf);
    return GRL_EFORMAT;   /* the message is set */
  }
  if (tf->n == 0) {
    long line = s.line;
    grl_tensorfile_free(tf);
    if (len)
      return grl_fail(GRL_EFORMAT, "%s:%ld: no tensors in the file (only "
                      "blank lines and comments)", path, line);
    return grl_fail(GRL_EFORMAT, "%s:%ld: the file is empty; expected at "
                    "least one tensor", path, line);
  }
  *out = tf;
  return GRL_OK;
}

const grl_tensor *grl_tensorfile_find(const grl_tensorfile *tf,
                                      const char *name)
{
  if (!tf || !name)
    return NULL;
  for (size_t i = 0; i < tf->n; i++)
    if (strcmp(tf->t[i].name, name) == 0)
      return &tf->t[i];
  return NULL;
}

const char *grl_shape_format(char *buf, size_t n, int ndim,
                             const size_t *dims)
{
  size_t used = 0;
  buf[0] = '\0';
  for (int k = 0; k < ndim && used < n; k++) {
    int w = snprintf(buf + used, n - used, k ? "x%zu" : "%zu", dims[k]);
    if (w < 0)
      break;
    used += (size_t)w;
  }
  return buf;
}

int grl_tensorfile_get(const grl_tensorfile *tf, const char *name, int ndim,
                       const size_t *dims, const double **data)
{
  if (data)
    *data = NULL;
  if (!tf || !name || !dims || !data || ndim < 1 || ndim > 3)
    return grl_fail(GRL_EINVAL, "grl_tensorfile_get: bad arguments");
  const grl_tensor *t = grl_tensorfile_find(tf, name);
  if (!t)
    return grl_fail(GRL_EFORMAT, "%s: no tensor '%s'", tf->path, name);
  int same = t->ndim == ndim;
  for (int k = 0; same && k < ndim; k++)
    same = t->dims[k] == dims[k];
  if (!same) {
    char have[80], want[80];
    return grl_fail(GRL_EFORMAT, "%s:%ld: tensor '%s' has shape %s, expected %s",
                    tf->path, t->line, name,
                    grl_shape_format(have, sizeof have, t->ndim, t->dims),
                    grl_shape_format(want, sizeof want, ndim, dims));
  }
  *data = t->data;
  return GRL_OK;
}

/* ---- writing --------------------------------------------------------- */

/* Element (i, j) of a rows x cols table is data[i*rs + j*cs]. */
static int write_table(FILE *f, const char *name, int ndim, const size_t *dims,
                       const double *data, size_t rows, size_t cols,
                       size_t rs, size_t cs)
{
  size_t nlen = name ? strlen(name) : 0;
  if (!f || !data || !is_name(name ? name : "", nlen) || nlen >= GRL_NAME_MAX)
    return grl_fail(GRL_EINVAL, "cannot write tensor '%s': bad name "
                    "(NAME = [A-Za-z_][A-Za-z0-9_]*, at most %d characters)",
                    name ? show(name, nlen) : "(null)", GRL_NAME_MAX - 1);
  if (ndim < 1 || ndim > 3 || rows == 0 || cols == 0)
    return grl_fail(GRL_EINVAL, "cannot write tensor '%s': it needs 1 to 3 "
                    "positive dimensions", name);
  /* Check everything before writing anything: no half-written tensor. */
  for (size_t i = 0; i < rows; i++)
    for (size_t j = 0; j < cols; j++)
      if (!isfinite(data[i * rs + j * cs]))
        return grl_fail(GRL_ENONFINITE, "cannot write tensor '%s': element "
                        "%zu is not finite (%g)", name, i * cols + j,
                        data[i * rs + j * cs]);

  int bad = fprintf(f, "%s", name) < 0;
  for (int k = 0; k < ndim && !bad; k++)
    bad = fprintf(f, " %zu", dims[k]) < 0;
  bad = bad || putc('\n', f) == EOF;
  for (size_t i = 0; i < rows && !bad; i++) {
    for (size_t j = 0; j < cols && !bad; j++)
      bad = fprintf(f, j ? " %.17g" : "%.17g", data[i * rs + j * cs]) < 0;
    bad = bad || putc('\n', f) == EOF;
  }
  if (bad || ferror(f))
    return grl_fail(GRL_EIO, "cannot write tensor '%s': %s", name,
                    strerror(errno));
  return GRL_OK;
}

int grl_tensor_write(FILE *f, const char *name, int ndim, const size_t *dims,
                     const double *data)
{
  if (!dims || ndim < 1 || ndim > 3)
    return grl_fail(GRL_EINVAL, "cannot write tensor '%s': it needs 1 to 3 "
                    "dimensions", name ? name : "(null)");
  size_t size = 1;
  for (int k = 0; k < ndim; k++) {
    if (dims[k] == 0 || dims[k] > SIZE_MAX / sizeof(double) / size)
      return grl_fail(GRL_EINVAL, "cannot write tensor '%s': dimension %d "
                      "is 0 or too large", name ? name : "(null)", k + 1);
    size *= dims[k];
  }
  size_t cols = dims[ndim - 1];
  return write_table(f, name, ndim, dims, data, size / cols, cols, cols, 1);
}

int grl_tensor_write_matrix(FILE *f, const char *name, const gsl_matrix *m)
{
  if (!m)
    return grl_fail(GRL_EINVAL, "cannot write tensor '%s': no matrix",
                    name ? name : "(null)");
  size_t dims[2] = {m->size1, m->size2};
  return write_table(f, name, 2, dims, m->data, m->size1, m->size2, m->tda, 1);
}

int grl_tensor_write_vector(FILE *f, const char *name, const gsl_vector *v)
{
  if (!v)
    return grl_fail(GRL_EINVAL, "cannot write tensor '%s': no vector",
                    name ? name : "(null)");
  size_t dims[1] = {v->size};
  return write_table(f, name, 1, dims, v->data, 1, v->size, 0, v->stride);
}
