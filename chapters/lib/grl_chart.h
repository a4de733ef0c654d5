/* grl_chart.h -- the chart writer: one .dat and one .gp per chart.
 * Part of the chapters' helpers (chapters/lib), not of libgrulab.
 *
 * A chart NAME of chapter chNN is two files in the output directory:
 *
 *   chNN-NAME.dat  a '#' header, then numbers.  The header records the
 *                  title, the run's parameters and the layout, in one of
 *                  two machine-checked forms:
 *                    # columns: x sigma dsigma     every data line has
 *                                                  exactly these fields
 *                    # matrix: R C                 every block is R lines
 *                                                  of C numbers (gnuplot
 *                                                  'matrix' format)
 *                  Blocks are separated by two blank lines (gnuplot's
 *                  'index'), and each is announced by "# block K: LABEL".
 *   chNN-NAME.gp   "load 'style.gp'", the variables dat (the data file's
 *                  name) and chart_title, the settings that vary from run
 *                  to run (grl_chart_set: "xmax = 6"), and finally
 *                  "load 'templates/chNN-NAME.gp'": the chart's fixed
 *                  gnuplot script, a committed file in plots/templates/
 *                  that a lecturer edits like any gnuplot script.  Both
 *                  style.gp and the template are found through gnuplot's
 *                  loadpath (make plots and the chapter tests set it to
 *                  $(top_srcdir)/plots).  A template documents, at its top,
 *                  the variables it expects.
 *
 * Both files are written whole-or-nothing: they appear together when the
 * chart is committed, and not at all if anything failed.  Chart calls keep
 * a sticky status, so a chapter can make a run of them and check once, at
 * grl_chart_commit (or grl_lesson_chart_done).  A NULL chart (one that
 * failed to open) is accepted everywhere and does nothing.
 */
#ifndef GRULAB_GRL_CHART_H
#define GRULAB_GRL_CHART_H

#include <stddef.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------ */
/* The chart writer (chart.c)                                          */
/* ------------------------------------------------------------------ */

typedef struct grl_chart grl_chart;

/* Open DIR/NAME.dat and DIR/NAME.gp (NAME is e.g. "ch01-activations").
 * The .dat starts with "# NAME: TITLE"; the .gp with load 'style.gp',
 * dat = 'NAME.dat' and chart_title = "TITLE" (gnuplot enhanced text). */
int grl_chart_open(grl_chart **ch, const char *dir, const char *name,
                   const char *title);
/* Record one run parameter in the .dat header: "# param KEY = VALUE".
 * Only before the layout is declared. */
void grl_chart_param(grl_chart *ch, const char *key, const char *fmt, ...)
  __attribute__((format(printf, 3, 4)));
/* A free-form comment line in the .dat header ("# TEXT"). */
void grl_chart_comment(grl_chart *ch, const char *fmt, ...)
  __attribute__((format(printf, 2, 3)));

/* Declare the layout, once, before the first data line.  Column names are
 * separated by spaces and contain none; they document the file, and the
 * chapter tests check every data line against their count. */
void grl_chart_columns(grl_chart *ch, const char *names);
void grl_chart_matrix(grl_chart *ch, size_t rows, size_t cols);

/* Start a new data block (index K = 0, 1, ...).  The first block needs no
 * call unless it deserves a label; later ones do. */
void grl_chart_block(grl_chart *ch, const char *label);
/* One data line of n numbers (n must equal the declared column count). */
void grl_chart_row(grl_chart *ch, size_t n, const double *v);
/* A whole matrix block: rows x cols numbers, element (i, j) at
 * data[i*stride + j*cstride].  A strided view lets a chapter write, e.g.,
 * hidden unit x time from a (T, K*H) cache without copying. */
void grl_chart_matrix_block(grl_chart *ch, const char *label,
                            const double *data, size_t stride,
                            size_t cstride);

/* One setting of the chart's script: "KEY = VALUE", a gnuplot variable
 * the template reads.  grl_chart_set writes VALUE as a gnuplot expression
 * (a number: grl_chart_set(ch, "tmax", "%zu", T)); grl_chart_set_text
 * writes it as a quoted string, escaped (a title or a label:
 * grl_chart_set_text(ch, "title0", "z = %.2f", z)).  KEY must be a
 * gnuplot identifier. */
void grl_chart_set(grl_chart *ch, const char *key, const char *fmt, ...)
  __attribute__((format(printf, 3, 4)));
void grl_chart_set_text(grl_chart *ch, const char *key, const char *fmt, ...)
  __attribute__((format(printf, 3, 4)));
/* The chart's fixed script: TEMPLATE (e.g. "ch07-lag", several charts may
 * share one), or NULL for the chart's own name; the .gp ends with
 * "load 'templates/TEMPLATE.gp'", after every setting.  Once per chart. */
void grl_chart_template(grl_chart *ch, const char *tmpl);
/* Append gnuplot text to the .gp (after the preamble).  For a script that
 * really varies with the run; a fixed one belongs in a template. */
void grl_chart_gp(grl_chart *ch, const char *fmt, ...)
  __attribute__((format(printf, 2, 3)));

/* The sticky status: GRL_OK, or the first failure. */
int grl_chart_status(const grl_chart *ch);
/* Publish both files (.dat first) and free ch.  Returns the sticky status
 * or the commit's; on failure neither file is left behind. */
int grl_chart_commit(grl_chart *ch);
/* Discard both files and free ch.  NULL is fine. */
void grl_chart_abort(grl_chart *ch);
/* ch's base name, e.g. "ch01-activations". */
const char *grl_chart_name(const grl_chart *ch);

#ifdef __cplusplus
}
#endif

#endif /* GRULAB_GRL_CHART_H */
