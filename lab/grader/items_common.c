/* items_common.c -- the labs, and what their items share: random
 * problems, parameter copies, and the equation lines of the lab files. */
#include <config.h>
#include "grader.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* deps: bit k set = the lab calls lab k's functions (wrap.c routes them) */
const lab_lab lab_labs[8] = {
  [1] = {1, "Gates", "01-gates.c", 0},
  [2] = {2, "One GRU step forward", "02-gru-forward.c", 1u << 1},
  [3] = {3, "One GRU step backward", "03-gru-backward.c", 1u << 1},
  [4] = {4, "Backpropagation through time", "04-bptt.c",
         1u << 1 | 1u << 2 | 1u << 3},
  [5] = {5, "Your own gradient checker", "05-gradcheck.c", 0},
  [6] = {6, "Training", "06-training.c", 1u << 1 | 1u << 2 | 1u << 3 | 1u << 4},
  [7] = {7, "An LSTM step (stretch)", "07-lstm.c", 1u << 1},
};

const char *const lab_gates_gru[] = {"r", "z", "n", NULL};
const char *const lab_gates_lstm[] = {"i", "f", "g", "o", NULL};

#ifndef LAB_SRCDIR
#define LAB_SRCDIR "lab"
#endif
const char *lab_src_dir = LAB_SRCDIR;
int lab_hint;

int lab_eq_line(int lab, const char *text)
{
  char path[4096];
  snprintf(path, sizeof path, "%s/%s", lab_src_dir, lab_labs[lab].file);
  FILE *f = fopen(path, "r");
  if (!f)
    return 0;
  char line[1024];
  int n = 0, found = 0;
  while (!found && fgets(line, sizeof line, f)) {
    n++;
    if (strstr(line, text))
      found = n;
  }
  fclose(f);
  return found;
}

gsl_rng *lab_rng(unsigned long seed)
{
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  if (!r) {
    fputs("lab grader: out of memory\n", stderr);
    abort();
  }
  gsl_rng_set(r, seed);
  return r;
}

void lab_fill_matrix(gsl_matrix *m, gsl_rng *r, double lo, double hi)
{
  for (size_t i = 0; i < m->size1; i++)
    for (size_t j = 0; j < m->size2; j++)
      gsl_matrix_set(m, i, j, lo + (hi - lo) * gsl_rng_uniform(r));
}

void lab_fill_vector(gsl_vector *v, gsl_rng *r, double lo, double hi)
{
  for (size_t i = 0; i < v->size; i++)
    gsl_vector_set(v, i, lo + (hi - lo) * gsl_rng_uniform(r));
}

void lab_fill_params(cell_params *p, gsl_rng *r, double lo, double hi)
{
  lab_fill_matrix(p->W_ih, r, lo, hi);
  lab_fill_matrix(p->W_hh, r, lo, hi);
  lab_fill_vector(p->b_ih, r, lo, hi);
  lab_fill_vector(p->b_hh, r, lo, hi);
}

void lab_problem_alloc(lab_problem *q, size_t G, size_t T, size_t B, size_t I,
                       size_t H, unsigned long seed)
{
  *q = (lab_problem){.G = G, .T = T, .B = B, .I = I, .H = H};
  q->r = lab_rng(seed);
  q->p = cell_params_alloc(G, I, H);
  q->xs = gsl_matrix_alloc(T * B, I);
  q->h0 = gsl_matrix_alloc(B, H);
  lab_fill_params(q->p, q->r, -0.9, 0.9);
  lab_fill_matrix(q->xs, q->r, -0.9, 0.9);
  lab_fill_matrix(q->h0, q->r, -0.9, 0.9);
  if (G == 4) {
    q->c0 = gsl_matrix_alloc(B, H);
    lab_fill_matrix(q->c0, q->r, -0.9, 0.9);
  }
}

void lab_problem_free(lab_problem *q)
{
  gsl_rng_free(q->r);
  cell_params_free(q->p);
  gsl_matrix_free(q->xs);
  gsl_matrix_free(q->h0);
  if (q->c0)
    gsl_matrix_free(q->c0);
}

static const char *const block_names[] = {
  "weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0"};

static double *tensor_of(const cell_params *p, int k)
{
  switch (k) {
  case 0: return p->W_ih->data;
  case 1: return p->W_hh->data;
  case 2: return p->b_ih->data;
  default: return p->b_hh->data;
  }
}

static size_t size_of(const cell_params *p, int k)
{
  size_t GH = p->G * p->H;
  return k == 0 ? GH * p->I : k == 1 ? GH * p->H : GH;
}

void lab_params_to_block(const cell_params *p, const grl_model *m, double *block)
{
  for (int k = 0; k < 4; k++)
    memcpy(grl_model_tensor(m, block, block_names[k]), tensor_of(p, k),
           size_of(p, k) * sizeof(double));
}

void lab_params_from_block(cell_params *p, const grl_model *m, const double *block)
{
  for (int k = 0; k < 4; k++)
    memcpy(tensor_of(p, k), grl_model_tensor(m, (double *)block, block_names[k]),
           size_of(p, k) * sizeof(double));
}

void lab_params_copy(cell_params *dst, const cell_params *src)
{
  gsl_matrix_memcpy(dst->W_ih, src->W_ih);
  gsl_matrix_memcpy(dst->W_hh, src->W_hh);
  gsl_vector_memcpy(dst->b_ih, src->b_ih);
  gsl_vector_memcpy(dst->b_hh, src->b_hh);
}
