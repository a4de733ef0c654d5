/* chart.c -- TAP tests of the chart writer (chapters/lib/chart.c): the
 * .dat header and layout, the .gp preamble, and whole-or-nothing output. */
#include <config.h>
#include "grulab.h"
#include "grl_chart.h"
#include "tap.h"

#include <dirent.h>
#include <ftw.h>
#include <gsl/gsl_errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[256];

/* The whole file as a string (static buffer), or NULL. */
static const char *slurp(const char *name)
{
  static char buf[8192];
  char path[512];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  FILE *f = fopen(path, "r");
  if (!f)
    return NULL;
  size_t n = fread(buf, 1, sizeof buf - 1, f);
  buf[n] = '\0';
  fclose(f);
  return buf;
}

static int exists(const char *name)
{
  char path[512];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  return access(path, F_OK) == 0;
}

/* Nothing but the committed files in dir: no temporaries left behind.
 * The number of entries other than . and .., or -1. */
static int count_files(void)
{
  DIR *d = opendir(dir);
  if (!d)
    return -1;
  int n = 0;
  for (struct dirent *e; (e = readdir(d));)
    if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
      n++;
  closedir(d);
  return n;
}

/* nftw's callback for removing the test directory, deepest first. */
static int remove_entry(const char *path, const struct stat *sb, int flag,
                        struct FTW *ftw)
{
  (void)sb;
  (void)flag;
  (void)ftw;
  return remove(path);
}

int main(void)
{
  gsl_set_error_handler_off();
  plan(34);
  snprintf(dir, sizeof dir, "%s/grulab-chart.XXXXXX",
           getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
  if (!mkdtemp(dir))
    bail("mkdtemp failed");

  /* A table: header, params, columns, two blocks. */
  grl_chart *ch;
  is_int(grl_chart_open(&ch, dir, "ch99-table", "A \"quoted\" title"), GRL_OK,
         "open a chart");
  grl_chart_param(ch, "seed", "%d", 17);
  grl_chart_columns(ch, "t value");
  grl_chart_row(ch, 2, (double[]){0.0, 2.385});
  grl_chart_row(ch, 2, (double[]){1.0, -0.731});
  grl_chart_block(ch, "second");
  grl_chart_row(ch, 2, (double[]){2.0, 1e-300});
  grl_chart_gp(ch, "plot dat using 1:2 title 'v'\n");
  ok(!exists("ch99-table.dat"), "nothing is visible before commit");
  is_int(grl_chart_commit(ch), GRL_OK, "commit");
  const char *dat = slurp("ch99-table.dat");
  ok(dat && strstr(dat, "# ch99-table: A \"quoted\" title\n") == dat,
     "the .dat opens with its name and title");
  ok(dat && strstr(dat, "# param seed = 17\n"), "a param line");
  ok(dat && strstr(dat, "# columns: t value\n"), "the columns line");
  ok(dat && strstr(dat, "0 2.385\n1 -0.731\n\n\n# block 1: second\n2 1e-300\n"),
     "rows, and blocks separated by two blank lines");
  const char *gp = slurp("ch99-table.gp");
  ok(gp && strstr(gp, "\nload 'style.gp'\n"), "the .gp loads style.gp");
  ok(gp && strstr(gp, "\ndat = 'ch99-table.dat'\n"), "the .gp names its data");
  ok(gp && strstr(gp, "chart_title = \"A \\\"quoted\\\" title\"\n"),
     "the title is a quoted gnuplot string");
  ok(gp && strstr(gp, "plot dat using 1:2 title 'v'\n"), "the chapter's text follows");
  is_int(count_files(), 2, "exactly two files, no temporaries");

  /* A matrix: two blocks of 2 x 3 from a strided (column-major) view. */
  const double m[6] = {1, 2, 3, 4, 5, 6};   /* element (i, j) at m[i + 2j] */
  is_int(grl_chart_open(&ch, dir, "ch99-matrix", "m"), GRL_OK, "open a matrix chart");
  grl_chart_matrix(ch, 2, 3);
  grl_chart_matrix_block(ch, "a", m, 1, 2);
  grl_chart_matrix_block(ch, "b", m, 1, 2);
  is_int(grl_chart_commit(ch), GRL_OK, "commit the matrix");
  dat = slurp("ch99-matrix.dat");
  ok(dat && strstr(dat, "# matrix: 2 3\n# block 0: a\n1 3 5\n2 4 6\n\n\n# block 1: b\n1 3 5\n"),
     "matrix blocks, transposed through the strides");

  /* Whole-or-nothing: a NaN, a wrong count, an incomplete block. */
  is_int(grl_chart_open(&ch, dir, "ch99-nan", "t"), GRL_OK, "open");
  grl_chart_columns(ch, "a b");
  grl_chart_row(ch, 2, (double[]){1.0, NAN});
  grl_chart_row(ch, 2, (double[]){1.0, 2.0});
  is_int(grl_chart_status(ch), GRL_ENONFINITE, "a NaN makes the status sticky");
  is_int(grl_chart_commit(ch), GRL_ENONFINITE, "commit reports it");
  ok(strstr(grl_strerror(), "ch99-nan.dat") && strstr(grl_strerror(), "column 2"),
     "the message names the chart and the column: %s", grl_strerror());
  ok(!exists("ch99-nan.dat") && !exists("ch99-nan.gp"), "neither file exists");

  is_int(grl_chart_open(&ch, dir, "ch99-count", "t"), GRL_OK, "open");
  grl_chart_columns(ch, "a b c");
  grl_chart_row(ch, 2, (double[]){1.0, 2.0});
  is_int(grl_chart_commit(ch), GRL_EINVAL, "a row of the wrong width fails");

  is_int(grl_chart_open(&ch, dir, "ch99-short", "t"), GRL_OK, "open");
  grl_chart_matrix(ch, 3, 1);
  grl_chart_row(ch, 1, (double[]){1.0});
  is_int(grl_chart_commit(ch), GRL_EINVAL, "an incomplete matrix block fails");
  is_int(count_files(), 4, "only the two committed charts remain");

  /* A template chart: settings, then the template loaded last. */
  is_int(grl_chart_open(&ch, dir, "ch99-tmpl", "t"), GRL_OK, "open");
  grl_chart_columns(ch, "a");
  grl_chart_row(ch, 1, (double[]){2.385});
  grl_chart_set(ch, "tmax", "%d", 40);
  grl_chart_set_text(ch, "title0", "z = %.2f, \"q\"", 0.731);
  grl_chart_template(ch, NULL);
  is_int(grl_chart_commit(ch), GRL_OK, "commit a template chart");
  gp = slurp("ch99-tmpl.gp");
  ok(gp && strstr(gp, "\ntmax = 40\n"), "a setting is a gnuplot assignment");
  ok(gp && strstr(gp, "\ntitle0 = \"z = 0.73, \\\"q\\\"\"\n"),
     "a text setting is a quoted, escaped string");
  ok(gp && strstr(gp, "\nload 'templates/ch99-tmpl.gp'\n")
        && strstr(gp, "title0") < strstr(gp, "load 'templates/"),
     "the template is loaded last, after the settings");
  is_int(grl_chart_open(&ch, dir, "ch99-badset", "t"), GRL_OK, "open");
  grl_chart_set(ch, "not a name", "%d", 1);
  is_int(grl_chart_status(ch), GRL_EINVAL, "a setting's key must be a gnuplot name");
  grl_chart_abort(ch);
  is_int(grl_chart_open(&ch, dir, "ch99-late", "t"), GRL_OK, "open");
  grl_chart_template(ch, "ch99-shared");
  grl_chart_set(ch, "x", "%d", 1);
  is_int(grl_chart_status(ch), GRL_EINVAL, "no setting after the template");
  grl_chart_abort(ch);

  if (nftw(dir, remove_entry, 8, FTW_DEPTH | FTW_PHYS) != 0)
    diag("could not remove %s", dir);
  return exit_status();
}
