/* text.c -- the corpus of a character-level language model: a text as
 * bytes, its vocabulary (the distinct bytes, sorted) and its split into
 * training and validation (90/10 by position, or whole files held out),
 * read from a file, a glob of files or memory; and the vocabulary in a
 * parameter file.  See grl_text.h. */
#include <config.h>
#include "grulab.h"
#include "file.h"

#include <fnmatch.h>
#include <glob.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------ */
/* The corpus                                                          */
/* ------------------------------------------------------------------ */

static void vocab_index(grl_vocab *v)
{
  for (int b = 0; b < 256; b++)
    v->id[b] = -1;
  for (size_t k = 0; k < v->V; k++)
    v->id[v->byte[k]] = (int)k;
}

int grl_text_from_split(grl_text **out, const unsigned char *bytes, size_t n,
                        size_t ntrain, const char *name)
{
  *out = NULL;
  if (!name)
    name = "text";
  if (n == 0)
    return grl_fail(GRL_EINVAL, "%s: empty", name);
  if (n < GRL_TEXT_MIN_BYTES)
    return grl_fail(GRL_EINVAL, "%s: %zu byte%s; a text needs at least %d, so that its validation tenth has two",
                    name, n, n == 1 ? "" : "s", GRL_TEXT_MIN_BYTES);
  /* The vocabulary: the distinct bytes, in ascending order. */
  size_t count[256] = {0};
  for (size_t i = 0; i < n; i++)
    count[bytes[i]]++;
  grl_vocab v = {0};
  for (int b = 0; b < 256; b++)
    if (count[b])
      v.byte[v.V++] = (unsigned char)b;
  if (v.V < 2)
    return grl_fail(GRL_EINVAL, "%s: only one distinct byte (0x%02x); there is nothing to predict",
                    name, bytes[0]);
  if (ntrain > n || ntrain < 2 || n - ntrain < 2)
    return grl_fail(GRL_EINVAL, "%s: a split of %zu training and %zu validation bytes; each needs at least 2",
                    name, ntrain, n - ntrain);
  vocab_index(&v);

  grl_text *t = calloc(1, sizeof *t);
  if (!t)
    return grl_fail(GRL_ENOMEM, "%s: out of memory", name);
  t->name = strdup(name);
  t->bytes = malloc(n);
  t->ids = malloc(n);
  if (!t->name || !t->bytes || !t->ids) {
    grl_text_free(t);
    return grl_fail(GRL_ENOMEM, "%s: out of memory for %zu bytes", name, n);
  }
  memcpy(t->bytes, bytes, n);
  for (size_t i = 0; i < n; i++)
    t->ids[i] = (unsigned char)v.id[bytes[i]];
  t->n = n;
  t->vocab = v;
  t->ntrain = ntrain;
  *out = t;
  return GRL_OK;
}

int grl_text_from_bytes(grl_text **out, const unsigned char *bytes, size_t n,
                        const char *name)
{
  /* 90/10 by position: the validation split is the last tenth. */
  return grl_text_from_split(out, bytes, n, n - n / 10, name);
}

void grl_text_free(grl_text *t)
{
  if (!t)
    return;
  free(t->name);
  free(t->bytes);
  free(t->ids);
  free(t);
}

size_t grl_text_nvalid(const grl_text *t)
{
  return t->n - t->ntrain;
}

int grl_text_read(grl_text **t, const char *path)
{
  *t = NULL;
  char *buf = NULL;
  size_t n = 0, cap = 0;
  int st = grl_file_append(path, &buf, &n, &cap);
  if (!st)
    st = grl_text_from_bytes(t, (unsigned char *)buf, n, path);
  free(buf);
  return st;
}

static int by_name(const void *a, const void *b)
{
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The files matching pattern in strcmp order, those whose base name
 * matches holdout (fnmatch) after all the others; NULL: none held out. */
static int read_files(grl_text **t, const char *pattern, const char *holdout)
{
  *t = NULL;
  glob_t g;
  int rc = glob(pattern, GLOB_NOSORT, NULL, &g);
  if (rc == GLOB_NOMATCH)
    return grl_fail(GRL_EIO, "%s: no file matches", pattern);
  if (rc)
    return grl_fail(GRL_EIO, "%s: cannot list the files", pattern);
  /* strcmp order, whatever the locale */
  qsort(g.gl_pathv, g.gl_pathc, sizeof *g.gl_pathv, by_name);
  char *buf = NULL;
  size_t n = 0, cap = 0, ntrain = 0, nheld = 0;
  int st = GRL_OK;
  /* pass 0: the training files; pass 1: the held-out ones */
  for (int pass = 0; pass < (holdout ? 2 : 1) && !st; pass++) {
    for (size_t i = 0; i < g.gl_pathc && !st; i++) {
      const char *slash = strrchr(g.gl_pathv[i], '/');
      const char *base = slash ? slash + 1 : g.gl_pathv[i];
      int held = holdout && fnmatch(holdout, base, 0) == 0;
      if (held == pass) {
        st = grl_file_append(g.gl_pathv[i], &buf, &n, &cap);
        nheld += held;
      }
    }
    if (pass == 0)
      ntrain = n;
  }
  if (!st && holdout && (nheld == 0 || ntrain == 0))
    st = grl_fail(GRL_EINVAL, "%s: %s of its files match the held-out pattern %s; the split needs both kinds",
                  pattern, nheld ? "all" : "none", holdout);
  if (!st)
    st = holdout ? grl_text_from_split(t, (unsigned char *)buf, n, ntrain, pattern)
                 : grl_text_from_bytes(t, (unsigned char *)buf, n, pattern);
  free(buf);
  globfree(&g);
  return st;
}

int grl_text_read_glob(grl_text **t, const char *pattern)
{
  return read_files(t, pattern, NULL);
}

int grl_text_read_split(grl_text **t, const char *pattern, const char *holdout)
{
  return read_files(t, pattern, holdout);
}

int grl_text_read_default(grl_text **t)
{
  return read_files(t, GRL_TEXT_DEFAULT_GLOB, GRL_TEXT_DEFAULT_HOLDOUT);
}

int grl_vocab_write(FILE *f, const grl_vocab *v)
{
  double b[256];
  for (size_t k = 0; k < v->V; k++)
    b[k] = v->byte[k];
  size_t dims[1] = {v->V};
  return grl_tensor_write(f, "vocabulary", 1, dims, b);
}

int grl_vocab_read(grl_vocab *v, const grl_tensorfile *tf)
{
  const grl_tensor *t = grl_tensorfile_find(tf, "vocabulary");
  if (!t)
    return grl_fail(GRL_EFORMAT, "%s: no tensor 'vocabulary' (a text model's file has one)",
                    tf->path);
  if (t->ndim != 1 || t->size < 2 || t->size > 256)
    return grl_fail(GRL_EFORMAT, "%s:%ld: tensor 'vocabulary' must be a vector of 2 to 256 bytes",
                    tf->path, t->line);
  v->V = t->size;
  for (size_t k = 0; k < t->size; k++) {
    double x = t->data[k];
    if (!(x >= 0 && x <= 255 && x == floor(x)) || (k && x <= t->data[k - 1]))
      return grl_fail(GRL_EFORMAT, "%s:%ld: vocabulary entry %zu is %g; want integers 0..255 in ascending order",
                      tf->path, t->line, k, x);
    v->byte[k] = (unsigned char)x;
  }
  vocab_index(v);
  return GRL_OK;
}

