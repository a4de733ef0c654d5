/* tests/lib/tensor.c -- the named-tensor text format and whole-or-nothing
 * output files: exact round trips, every malformed file refused with its
 * "FILE:LINE: what is wrong" message, and shape-checked lookups. */
#include <config.h>
#include "grulab.h"
#include "tap.h"

#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <dirent.h>
#include <gsl/gsl_errno.h>

static char dir[4096];      /* a fresh temporary directory */
static char pathbuf[4600];  /* the last path made by path_of() */

static const char *path_of(const char *name)
{
  snprintf(pathbuf, sizeof pathbuf, "%s/%s", dir, name);
  return pathbuf;
}

/* Write text (len bytes) into dir/name and return its path. */
static const char *put(const char *name, const char *text, size_t len)
{
  const char *p = path_of(name);
  FILE *f = fopen(p, "wb");
  if (!f || fwrite(text, 1, len, f) != len || fclose(f) != 0)
    bail("cannot write %s", p);
  return p;
}

static const char *puts_file(const char *name, const char *text)
{
  return put(name, text, strlen(text));
}

/* The file must be refused with exactly "PATH<suffix>", and nothing
 * must be returned. */
static void refused_n(const char *name, const char *text, size_t len,
                      const char *suffix, const char *what)
{
  const char *p = put(name, text, len);
  char want[8192];
  snprintf(want, sizeof want, "%s%s", p, suffix);
  grl_tensorfile *tf = (grl_tensorfile *)1;
  int st = grl_tensorfile_read(&tf, p);
  if (!ok(st != GRL_OK && tf == NULL, "%s: refused, nothing returned", what))
    grl_tensorfile_free(tf != (grl_tensorfile *)1 ? tf : NULL);
  is_string(grl_strerror(), want, "%s: message", what);
}

static void refused(const char *name, const char *text, const char *suffix,
                    const char *what)
{
  refused_n(name, text, strlen(text), suffix, what);
}

static int same_bits(double a, double b)
{
  return memcmp(&a, &b, sizeof a) == 0;
}

static int count_lines(const char *p)
{
  FILE *f = fopen(p, "r");
  int n = 0, c;
  if (!f)
    return -1;
  while ((c = getc(f)) != EOF)
    n += c == '\n';
  fclose(f);
  return n;
}

static int dir_entries(void)
{
  DIR *d = opendir(dir);
  int n = 0;
  struct dirent *e;
  if (!d)
    return -1;
  while ((e = readdir(d)))
    n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
  closedir(d);
  return n;
}

static void test_round_trip(void)
{
  /* Values whose decimal form is not short: %.17g must keep every bit. */
  const double v[12] = {0.1, 1.0 / 3.0, 1e-300, -0.0, 5e-324, DBL_MAX,
                        -DBL_MIN, 2.385, -0.731, 6.02214076e23, -DBL_MAX,
                        0.30000000000000004};
  const size_t d1[1] = {12}, d2[2] = {3, 4}, d3[3] = {2, 3, 2};
  const char *p = path_of("round.txt");
  FILE *f = fopen(p, "w");
  if (!f)
    bail("cannot write %s", p);
  fputs("# written by tests/tensor.c\n", f);
  ok(grl_tensor_write(f, "flat", 1, d1, v) == GRL_OK, "write a 1-d tensor");
  ok(grl_tensor_write(f, "matrix_2", 2, d2, v) == GRL_OK, "write a 2-d tensor");
  ok(grl_tensor_write(f, "_cube", 3, d3, v) == GRL_OK, "write a 3-d tensor");
  fclose(f);
  /* 1 comment + (1 + 1) + (1 + 3) + (1 + 6): one row of the last dim per line */
  is_int(count_lines(p), 14, "one header plus one row of the last dimension per line");

  grl_tensorfile *tf = NULL;
  int st = grl_tensorfile_read(&tf, p);
  if (!ok(st == GRL_OK && tf, "read the round-trip file back"))
    diag("%s", grl_strerror());
  if (!tf) {
    skip("no file");
    return;
  }
  is_int((long)tf->n, 3, "three tensors, in file order");
  const char *names[3] = {"flat", "matrix_2", "_cube"};
  const int ndims[3] = {1, 2, 3};
  const long lines[3] = {2, 4, 8};
  for (int k = 0; k < 3 && k < (int)tf->n; k++) {
    const grl_tensor *t = &tf->t[k];
    int bits = t->size == 12;
    for (size_t i = 0; bits && i < 12; i++)
      bits = same_bits(t->data[i], v[i]);
    ok(strcmp(t->name, names[k]) == 0 && t->ndim == ndims[k]
       && t->line == lines[k] && bits,
       "'%s': name, ndim, header line and all 12 values bit for bit", names[k]);
  }
  const grl_tensor *c = grl_tensorfile_find(tf, "_cube");
  ok(c && c->dims[0] == 2 && c->dims[1] == 3 && c->dims[2] == 2,
     "find '_cube' with dims 2x3x2");
  ok(grl_tensorfile_find(tf, "flat") && grl_tensorfile_find(tf, "flat")->dims[1] == 1
     && grl_tensorfile_find(tf, "flat")->dims[2] == 1, "unused dims are 1");
  ok(signbit(tf->t[0].data[3]) && tf->t[0].data[3] == 0.0, "-0.0 keeps its sign");
  ok(tf->t[0].data[4] > 0.0 && tf->t[0].data[4] < DBL_MIN, "5e-324 stays subnormal");
  ok(grl_tensorfile_find(tf, "missing") == NULL, "find of an absent name is NULL");

  /* Shape-checked lookups. */
  const double *data = NULL;
  const size_t want2[2] = {3, 4}, bad2[2] = {3, 5}, want1[1] = {12};
  ok(grl_tensorfile_get(tf, "matrix_2", 2, want2, &data) == GRL_OK
     && data == grl_tensorfile_find(tf, "matrix_2")->data, "get 'matrix_2' as 3x4");
  char want[8192];
  st = grl_tensorfile_get(tf, "matrix_2", 2, bad2, &data);
  snprintf(want, sizeof want, "%s:4: tensor 'matrix_2' has shape 3x4, expected 3x5", p);
  ok(st != GRL_OK && data == NULL, "get 'matrix_2' as 3x5 fails");
  is_string(grl_strerror(), want, "wrong shape message");
  st = grl_tensorfile_get(tf, "matrix_2", 1, want1, &data);
  snprintf(want, sizeof want, "%s:4: tensor 'matrix_2' has shape 3x4, expected 12", p);
  ok(st != GRL_OK, "get 'matrix_2' as 12 fails (same size, other ndim)");
  is_string(grl_strerror(), want, "wrong ndim message");
  st = grl_tensorfile_get(tf, "weight_hh_l0", 2, want2, &data);
  snprintf(want, sizeof want, "%s: no tensor 'weight_hh_l0'", p);
  ok(st != GRL_OK && data == NULL, "get of an absent tensor fails");
  is_string(grl_strerror(), want, "absent tensor message");
  grl_tensorfile_free(tf);
}

static void test_gsl_writers(void)
{
  /* A 2x3 submatrix of a 4x5 matrix (tda 5) and a strided vector. */
  gsl_matrix *m = gsl_matrix_alloc(4, 5);
  for (size_t i = 0; i < 4; i++)
    for (size_t j = 0; j < 5; j++)
      gsl_matrix_set(m, i, j, 2.385 * (double)i - 0.731 * (double)j + 0.1);
  gsl_matrix_view sub = gsl_matrix_submatrix(m, 1, 2, 2, 3);
  gsl_vector_view col = gsl_matrix_column(m, 3);  /* stride 5 */
  const char *p = path_of("gsl.txt");
  FILE *f = fopen(p, "w");
  if (!f)
    bail("cannot write %s", p);
  ok(grl_tensor_write_matrix(f, "sub", &sub.matrix) == GRL_OK, "write a submatrix view");
  ok(grl_tensor_write_vector(f, "col", &col.vector) == GRL_OK, "write a strided vector");
  fclose(f);
  grl_tensorfile *tf = NULL;
  grl_tensorfile_read(&tf, p);
  const double *a = NULL, *b = NULL;
  const size_t ds[2] = {2, 3}, dc[1] = {4};
  int st = tf ? grl_tensorfile_get(tf, "sub", 2, ds, &a) : -1;
  int good = st == GRL_OK;
  for (size_t i = 0; good && i < 2; i++)
    for (size_t j = 0; j < 3; j++)
      good = good && same_bits(a[i * 3 + j], gsl_matrix_get(m, 1 + i, 2 + j));
  ok(good, "submatrix read back as 2x3, exactly");
  st = tf ? grl_tensorfile_get(tf, "col", 1, dc, &b) : -1;
  good = st == GRL_OK;
  for (size_t i = 0; good && i < 4; i++)
    good = same_bits(b[i], gsl_matrix_get(m, i, 3));
  ok(good, "strided vector read back as 4, exactly");
  grl_tensorfile_free(tf);
  gsl_matrix_free(m);
}

static void test_writer_refuses(void)
{
  const size_t d[1] = {3}, d0[1] = {0};
  const double x[3] = {2.385, NAN, -0.731};
  FILE *f = fopen(path_of("refuse.txt"), "w");
  if (!f)
    bail("cannot write");
  ok(grl_tensor_write(f, "x", 1, d, x) == GRL_ENONFINITE, "writer refuses NaN");
  is_string(grl_strerror(), "cannot write tensor 'x': element 1 is not finite (nan)",
            "writer's NaN message");
  ok(grl_tensor_write(f, "9x", 1, d, x) == GRL_EINVAL, "writer refuses a bad name");
  ok(grl_tensor_write(f, "x", 1, d0, x) == GRL_EINVAL, "writer refuses a zero dim");
  ok(grl_tensor_write(f, "x", 4, d, x) == GRL_EINVAL, "writer refuses 4 dims");
  fclose(f);
  is_int(count_lines(path_of("refuse.txt")), 0, "nothing was written by refused writes");
}

static void test_accepts(void)
{
  /* CRLF, comments between numbers, indented headers, blank lines, and
   * every accepted spelling of a number. */
  const char *crlf =
    "# made on Windows\r\n\r\n  w 2 3\r\n2.385 -0.731\r\n\t# halfway\r\n"
    "+1.5 .5\r\n5. -1E3\r\n   \r\nb 1\r\n1e-400\r\n";
  const char *p = puts_file("crlf.txt", crlf);
  grl_tensorfile *tf = NULL;
  int st = grl_tensorfile_read(&tf, p);
  if (!ok(st == GRL_OK && tf && tf->n == 2, "CRLF file with comments and blank lines"))
    diag("%s", grl_strerror());
  const double want[6] = {2.385, -0.731, 1.5, 0.5, 5.0, -1000.0};
  int good = tf && tf->t[0].size == 6 && tf->t[0].line == 3;
  for (int i = 0; good && i < 6; i++)
    good = tf->t[0].data[i] == want[i];
  ok(good, "CRLF file: values of 'w' and its header line");
  ok(tf && tf->n == 2 && tf->t[1].line == 9 && tf->t[1].data[0] == 0.0,
     "1e-400 underflows to 0 and is accepted");
  grl_tensorfile_free(tf);

  /* One very long line: 200000 numbers. */
  size_t n = 200000;
  char *big = malloc(n * 8 + 64);
  size_t len = (size_t)sprintf(big, "long %zu\n", n);
  for (size_t i = 0; i < n; i++)
    len += (size_t)sprintf(big + len, "%zu.25 ", i % 1000);
  p = put("long.txt", big, len);  /* no final newline either */
  free(big);
  tf = NULL;
  st = grl_tensorfile_read(&tf, p);
  ok(st == GRL_OK && tf && tf->t[0].size == n && tf->t[0].data[n - 1] == 999.25
     && tf->t[0].data[1234] == 234.25, "a 1.4 MB line of 200000 numbers");
  grl_tensorfile_free(tf);
}

static void test_refuses(void)
{
  char want[8192];
  grl_tensorfile *tf = (grl_tensorfile *)1;
  const char *p = path_of("no-such-file.txt");
  int st = grl_tensorfile_read(&tf, p);
  snprintf(want, sizeof want, "%s: cannot open: No such file or directory", p);
  ok(st == GRL_EIO && tf == NULL, "missing file: refused, nothing returned");
  is_string(grl_strerror(), want, "missing file: message");
  st = grl_tensorfile_read(&tf, dir);
  snprintf(want, sizeof want, "%s: is a directory", dir);
  ok(st == GRL_EIO && tf == NULL, "a directory: refused");
  is_string(grl_strerror(), want, "a directory: message");

  refused("empty.txt", "", ":1: the file is empty; expected at least one tensor",
          "empty file");
  refused("comments.txt", "# only\n\n   # comments\n",
          ":3: no tensors in the file (only blank lines and comments)",
          "file of comments");
  refused("badname.txt", "w 1\n0.5\n1w 2\n1 2\n",
          ":3: malformed header: '1w' is not a tensor name (expected NAME D1 "
          "[D2 [D3]], NAME = [A-Za-z_][A-Za-z0-9_]*)", "bad name");
  refused("dash.txt", "weight-ih 2\n1 2\n",
          ":1: malformed header: 'weight-ih' is not a tensor name (expected NAME "
          "D1 [D2 [D3]], NAME = [A-Za-z_][A-Za-z0-9_]*)", "name with a dash");
  refused("firstnum.txt", "# header missing\n2.385 -0.731\n",
          ":2: malformed header: '2.385' is not a tensor name (expected NAME "
          "D1 [D2 [D3]], NAME = [A-Za-z_][A-Za-z0-9_]*)", "numbers before any header");
  refused("nodims.txt", "bias\n0.1 0.2\n",
          ":1: malformed header: tensor 'bias' has no dimensions (expected NAME "
          "D1 [D2 [D3]])", "header without dims");
  refused("zero.txt", "w 3 0\n",
          ":1: dimension 2 of tensor 'w' is '0'; dimensions must be positive integers",
          "zero dim");
  refused("neg.txt", "w -3 2\n1 2 3 4 5 6\n",
          ":1: dimension 1 of tensor 'w' is '-3'; dimensions must be positive integers",
          "negative dim");
  refused("frac.txt", "w 2.5\n1 2\n",
          ":1: dimension 1 of tensor 'w' is '2.5'; dimensions must be positive integers",
          "non-integer dim");
  refused("word.txt", "w 2 three\n",
          ":1: dimension 2 of tensor 'w' is 'three'; dimensions must be positive integers",
          "non-numeric dim");
  refused("four.txt", "w 2 2 2 2\n",
          ":1: malformed header: tensor 'w' has more than 3 dimensions", "four dims");
  refused("trailing.txt", "input 1 1 2 # note\n2.385 -0.731\n",
          ":1: malformed header: '#' after tensor 'input' is not a dimension; "
          "comments must be on their own line", "a comment after a 3-D header");
  refused("trailing1.txt", "w 2 #two\n2.385 -0.731\n",
          ":1: malformed header: '#two' after tensor 'w' is not a dimension; "
          "comments must be on their own line", "a comment after a 1-D header");
  refused("overflow.txt", "big 4294967296 4294967296 2\n1\n",
          ":1: the element count of tensor 'big' overflows", "element count overflow");
  refused("hugedim.txt", "big 123456789012345678901234567890\n",
          ":1: dimension 1 of tensor 'big' is too large: 123456789012345678901234567890",
          "dimension beyond size_t");
  refused("few.txt", "w 2 3\n1 2 3\n\n4 5\n# end\n",
          ":5: end of file after 5 of the 6 numbers of tensor 'w' (line 1)",
          "too few numbers");
  refused("huge.txt", "w 1000000 1000000\n2.385\n",
          ":2: end of file after 1 of the 1000000000000 numbers of tensor 'w' (line 1)",
          "too few numbers for a huge header, without allocating it");
  refused("left.txt", "a 2\n1 2\n3\nb 1\n4\n",
          ":3: numbers left over where a header should be: tensor 'a' (line 1) "
          "takes only 2 numbers", "numbers left over on a later line");
  refused("left2.txt", "a 2\n1 2 3\n",
          ":2: numbers left over: tensor 'a' (line 1) takes only 2 numbers",
          "numbers left over on the same line");
  refused("sameline.txt", "a 1\n2.385 b 1\n0.5\n",
          ":2: 'b' follows the last number of tensor 'a' (line 1) on the same "
          "line; a header starts a line", "header on a data line");
  refused("word2.txt", "w 2 2\n1 2\n3 abc\n",
          ":3: 'abc' in tensor 'w' is not a number", "non-numeric token");
  refused("hex.txt", "w 2\n0x10 1\n",
          ":2: '0x10' in tensor 'w' is not a number", "hex float refused");
  refused("comma.txt", "w 2\n1,5 2\n",
          ":2: '1,5' in tensor 'w' is not a number", "decimal comma refused");
  refused("exp.txt", "w 2\n1.5e 2\n",
          ":2: '1.5e' in tensor 'w' is not a number", "exponent without digits");
  refused("nan.txt", "w 2\n1 nan\n",
          ":2: 'nan' in tensor 'w' is not a finite number (NaN and Inf are not allowed)",
          "nan");
  refused("nan2.txt", "w 1 2\n-NaN 1\n",
          ":2: '-NaN' in tensor 'w' is not a finite number (NaN and Inf are not allowed)",
          "-NaN");
  refused("inf.txt", "w 2\ninf 1\n",
          ":2: 'inf' in tensor 'w' is not a finite number (NaN and Inf are not allowed)",
          "inf");
  refused("inf2.txt", "w 2\n2 -Infinity\n",
          ":2: '-Infinity' in tensor 'w' is not a finite number (NaN and Inf are not allowed)",
          "-Infinity");
  refused("big.txt", "w 2\n1 1e999\n",
          ":2: '1e999' in tensor 'w' is not a finite number (it overflows a double)",
          "1e999 overflows");
  refused("dup.txt", "w 1\n2.385\nb 1\n1\nw 1\n-0.731\n",
          ":5: duplicate tensor 'w' (first defined at line 1)", "duplicate name");
  refused("midcomment.txt", "w 3\n1 2 # not a comment\n",
          ":2: '#' in tensor 'w' is not a number", "'#' after numbers is not a comment");
  refused_n("nul.txt", "w 2\n1 2\n\0\n", 9, ":3: NUL byte: not a text file", "NUL byte");
  refused("long.txt",
          "a_name_that_goes_on_and_on_and_on_and_on_and_on_and_on_and_on_and_on 1\n1\n",
          ":1: malformed header: tensor name 'a_name_that_goes_on_and_on_and_on_and_on"
          "...' is longer than 63 characters", "name too long");
  /* The refusal happens after a good tensor: nothing half-read. */
  refused("late.txt", "good 2\n1 2\nbad 2\n1 nan\n",
          ":4: 'nan' in tensor 'bad' is not a finite number (NaN and Inf are not allowed)",
          "error after a good tensor returns nothing");
}

static void test_outfile(void)
{
  grl_outfile *o = NULL;
  FILE *f = NULL;
  const char *p = path_of("out.txt");
  char path[4600];
  snprintf(path, sizeof path, "%s", p);
  remove(path);
  int before = dir_entries();
  ok(grl_outfile_open(&o, &f, path) == GRL_OK && f, "outfile: open");
  const size_t d[1] = {2};
  const double x[2] = {2.385, -0.731};
  grl_tensor_write(f, "x", 1, d, x);
  ok(access(path, F_OK) != 0, "outfile: nothing at the path before commit");
  ok(grl_outfile_commit(o) == GRL_OK, "outfile: commit");
  grl_tensorfile *tf = NULL;
  ok(grl_tensorfile_read(&tf, path) == GRL_OK && tf->t[0].data[1] == -0.731,
     "outfile: the committed file reads back");
  grl_tensorfile_free(tf);
  struct stat st;
  mode_t mask = umask(0);
  umask(mask);
  ok(stat(path, &st) == 0 && (st.st_mode & 0777) == (0666 & ~mask),
     "outfile: mode is 0666 minus the umask, like fopen");
  is_int(dir_entries(), before + 1, "outfile: no temporary left behind");

  ok(grl_outfile_open(&o, &f, path) == GRL_OK, "outfile: open over an existing file");
  fputs("half a file", f);
  grl_outfile_abort(o);
  tf = NULL;
  ok(grl_tensorfile_read(&tf, path) == GRL_OK && tf->n == 1,
     "outfile: abort keeps the old file");
  grl_tensorfile_free(tf);
  is_int(dir_entries(), before + 1, "outfile: abort removes the temporary");

  char want[8192];
  snprintf(want, sizeof want, "%s/nodir/x.txt", dir);
  ok(grl_outfile_open(&o, &f, want) != GRL_OK && !o && !f,
     "outfile: a missing directory fails at open");
  char msg[8300];
  snprintf(msg, sizeof msg,
           "%s: cannot create a temporary file beside it: No such file or directory", want);
  is_string(grl_strerror(), msg, "outfile: the message names the path");

  ok(grl_outfile_open(&o, &f, "/dev/null") == GRL_OK, "outfile: /dev/null is written directly");
  fputs("discarded", f);
  ok(grl_outfile_commit(o) == GRL_OK, "outfile: commit to /dev/null");
  struct stat sn;
  ok(stat("/dev/null", &sn) == 0 && S_ISCHR(sn.st_mode), "outfile: /dev/null is still a device");

  if (access("/dev/full", W_OK) == 0) {
    ok(grl_outfile_open(&o, &f, "/dev/full") == GRL_OK, "outfile: open /dev/full");
    fputs("no space", f);
    ok(grl_outfile_commit(o) == GRL_EIO, "outfile: commit reports ENOSPC");
    is_string(grl_strerror(), "/dev/full: cannot write: No space left on device",
              "outfile: ENOSPC message names the path");
  } else {
    skip("no /dev/full");
    skip("no /dev/full");
    skip("no /dev/full");
  }
  grl_outfile_abort(NULL);
}

static void cleanup(void)
{
  DIR *d = opendir(dir);
  struct dirent *e;
  if (!d)
    return;
  while ((e = readdir(d)))
    if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
      remove(path_of(e->d_name));
  closedir(d);
  rmdir(dir);
}

/* The one shape formatter, as messages and reports write shapes. */
static void test_shape_format(void)
{
  char buf[64];
  const size_t d[3] = {12, 3, 4};
  is_string(grl_shape_format(buf, sizeof buf, 2, d), "12x3", "a matrix is 12x3");
  is_string(grl_shape_format(buf, sizeof buf, 1, d), "12", "a vector is 12");
  is_string(grl_shape_format(buf, sizeof buf, 3, d), "12x3x4", "three dimensions");
  is_string(grl_shape_format(buf, 4, 3, d), "12x", "a short buffer is cut, not overrun");
}

int main(void)
{
  gsl_set_error_handler_off();
  const char *tmp = getenv("TMPDIR");
  snprintf(dir, sizeof dir, "%s/grulab-tensor.XXXXXX", tmp && *tmp ? tmp : "/tmp");
  if (!mkdtemp(dir))
    bail("cannot make a temporary directory in %s", tmp && *tmp ? tmp : "/tmp");
  plan(21 + 4 + 6 + 4 + 72 + 17 + 4);   /* round trip ... shapes, in order */
  test_round_trip();
  test_gsl_writers();
  test_writer_refuses();
  test_accepts();
  test_refuses();
  test_outfile();
  test_shape_format();
  cleanup();
  return exit_status();
}
