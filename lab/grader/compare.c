/* compare.c -- results as named tensors, compared entry by entry.
 *
 * An entry is right when its relative error
 *     rel = |a - b| / max(|a| + |b|, floor),    floor = floor_rel * S,
 * S the largest |entry| of the tensor's reference, is at most the
 * tensor's tolerance -- the relative error of chapter 5 and lab 5, with a
 * floor so that rounding on an entry far below the tensor's scale is not
 * mistaken for a wrong entry.  Wrong entries are counted per gate block
 * and per time step, which is how a report localises a mistake. */
#include <config.h>
#include "grader.h"

#include <float.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void lab_result_clear(lab_result *r)
{
  for (size_t k = 0; k < r->n; k++)
    free(r->t[k].data);
  memset(r, 0, sizeof *r);
}

lab_tensor *lab_add(lab_result *r, const char *name, int group,
                    const double *data, size_t rows, size_t cols, double tol)
{
  if (r->n >= LAB_MAX_TENSORS_RESULT) {
    fputs("lab grader: too many tensors in one result\n", stderr);
    abort();
  }
  lab_tensor *t = &r->t[r->n++];
  memset(t, 0, sizeof *t);
  snprintf(t->name, sizeof t->name, "%s", name);
  t->group = group;
  t->rows = rows;
  t->cols = cols;
  t->tol = tol;
  t->floor_rel = 1e-3;
  size_t size = rows * cols;
  t->data = malloc((size ? size : 1) * sizeof(double));
  if (!t->data) {
    fputs("lab grader: out of memory\n", stderr);
    abort();
  }
  if (data)
    memcpy(t->data, data, rows * cols * sizeof(double));
  else
    memset(t->data, 0, rows * cols * sizeof(double));
  return t;
}

lab_tensor *lab_add_matrix(lab_result *r, const char *name, int group,
                           const gsl_matrix *m, double tol)
{
  lab_tensor *t = lab_add(r, name, group, NULL, m->size1, m->size2, tol);
  for (size_t i = 0; i < m->size1; i++)
    memcpy(t->data + i * m->size2, m->data + i * m->tda, m->size2 * sizeof(double));
  return t;
}

lab_tensor *lab_add_vector(lab_result *r, const char *name, int group,
                           const gsl_vector *v, double tol)
{
  lab_tensor *t = lab_add(r, name, group, NULL, v->size, 1, tol);
  for (size_t i = 0; i < v->size; i++)
    t->data[i] = gsl_vector_get(v, i);
  return t;
}

void lab_add_params(lab_result *r, const char *prefix, int group,
                    const cell_params *p, const cell_params *minus,
                    const char *const *gates, double tol)
{
  cell_params *d = cell_params_alloc(p->G, p->I, p->H);
  lab_params_copy(d, p);
  if (minus) {
    gsl_matrix_sub(d->W_ih, minus->W_ih);
    gsl_matrix_sub(d->W_hh, minus->W_hh);
    gsl_vector_sub(d->b_ih, minus->b_ih);
    gsl_vector_sub(d->b_hh, minus->b_hh);
  }
  char name[40];
  lab_tensor *t[4];
  snprintf(name, sizeof name, "%sW_ih", prefix);
  t[0] = lab_add_matrix(r, name, group, d->W_ih, tol);
  snprintf(name, sizeof name, "%sW_hh", prefix);
  t[1] = lab_add_matrix(r, name, group, d->W_hh, tol);
  snprintf(name, sizeof name, "%sb_ih", prefix);
  t[2] = lab_add_vector(r, name, group, d->b_ih, tol);
  snprintf(name, sizeof name, "%sb_hh", prefix);
  t[3] = lab_add_vector(r, name, group, d->b_hh, tol);
  for (int k = 0; k < 4; k++) {
    t[k]->gate_rows = p->H;
    t[k]->gates = gates;
  }
  cell_params_free(d);
}

double lab_rel(double a, double b, double floor)
{
  if (a == b)
    return 0.0;
  if (!isfinite(a) || !isfinite(b)) {
    /* a NaN where the reference has one too is what was expected */
    if (isnan(a) && isnan(b))
      return 0.0;
    return INFINITY;
  }
  return fabs(a - b) / fmax(fabs(a) + fabs(b), floor);
}

static void count(lab_count *c, double rel, size_t at, int wrong)
{
  c->total++;
  if (wrong) {
    c->wrong++;
    if (!(rel <= c->worst)) {
      c->worst = rel;
      c->worst_at = at;
    }
  }
}

size_t lab_compare(const lab_result *got, const lab_result *want,
                   lab_cmp *cmp)
{
  size_t wrong = 0;
  for (size_t k = 0; k < want->n && k < got->n; k++) {
    const lab_tensor *a = &got->t[k], *b = &want->t[k];
    lab_cmp c;
    memset(&c, 0, sizeof c);
    size_t n = b->rows * b->cols;
    double S = 0.0;
    for (size_t i = 0; i < n; i++)
      if (isfinite(b->data[i]))
        S = fmax(S, fabs(b->data[i]));
    double floor = fmax(b->floor_rel * S, DBL_MIN);
    if (b->gate_rows && b->gates)
      while (b->gates[c.ngate] && c.ngate < 8)
        c.ngate++;
    if (b->step_rows)
      c.nstep = b->rows / b->step_rows;
    for (size_t i = 0; i < n; i++) {
      double rel = lab_rel(a->data[i], b->data[i],
                           b->floors ? fmax(floor, b->floors[i]) : floor);
      int bad = !(rel <= b->tol);
      size_t row = i / b->cols;
      count(&c.all, rel, i, bad);
      if (c.ngate)
        count(&c.gate[(row / b->gate_rows) % c.ngate], rel, i, bad);
      if (bad && c.nstep && row / b->step_rows < 64)
        c.step_wrong[row / b->step_rows] = 1;
    }
    wrong += c.all.wrong;
    if (cmp)
      cmp[k] = c;
  }
  return wrong;
}
