/* forward.c -- libgrulab from outside the tree: one cell's forward pass
 * and full BPTT over a batch, through the public header alone.
 *
 *   cc forward.c $(pkg-config --cflags --libs grulab) -o forward
 *   ./forward [CELL]            (default gru; any of grulab --help's cells)
 *
 * A model with I = 3 inputs and H = 4 hidden units, PyTorch's default
 * initialisation drawn from seed 42, runs over a batch of B = 2 random
 * sequences of T = 5 steps; then BPTT of L = sum(h_T) gives dL/dtheta.
 * It prints h_T, and each parameter tensor's gradient norm. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_rng.h>

#include "grulab.h"

enum { I = 3, H = 4, T = 5, B = 2 };

int main(int argc, char **argv)
{
  gsl_set_error_handler_off();
  const char *name = argc > 1 ? argv[1] : "gru";
  const grl_cell *cell = grl_cell_lookup(name);
  if (!cell) {
    fprintf(stderr, "forward: no cell '%s' (grulab --help lists them)\n", name);
    return 2;
  }
  grl_model *m = NULL;
  grl_seq *s = NULL;
  double x[T * B * I], dhT[B * H], *dtheta = NULL;
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  int st = r ? grl_model_alloc(&m, cell, I, H, 0) : GRL_ENOMEM;
  if (!st)
    st = grl_seq_alloc(&s, m, T, B);
  if (!st && !(dtheta = calloc(m->n, sizeof *dtheta)))
    st = GRL_ENOMEM;
  if (!st) {
    gsl_rng_set(r, 42);
    grl_model_init_uniform(m, r);
    for (size_t k = 0; k < T * B * I; k++)   /* x (T*B, I) ~ U(-1, 1) */
      x[k] = 2.0 * gsl_rng_uniform(r) - 1.0;
    st = grl_seq_forward(s, NULL, x, NULL, NULL);
  }
  if (!st) {
    gsl_matrix_view hT = grl_seq_hT(s);          /* (B, H) */
    printf("%s: %s\n", grl_cell_name(cell), cell->title);
    for (size_t b = 0; b < B; b++) {
      printf("h_T[%zu] =", b);
      for (size_t j = 0; j < H; j++)
        printf(" %9.6f", gsl_matrix_get(&hT.matrix, b, j));
      printf("\n");
    }
    /* L = sum(h_T), so dL/dh_T = 1 */
    for (size_t k = 0; k < B * H; k++)
      dhT[k] = 1.0;
    st = grl_seq_backward(s, NULL, x, NULL, dhT, NULL, dtheta, NULL, NULL,
                          NULL);
  }
  if (!st)
    for (size_t p = 0; p < m->nparam; p++) {
      const grl_param *P = &m->param[p];
      double sq = 0.0;
      for (size_t k = 0; k < P->rows * P->cols; k++)
        sq += dtheta[P->offset + k] * dtheta[P->offset + k];
      printf("|dL/d%s| = %.6f\n", P->name, sqrt(sq));
    }
  if (st)
    fprintf(stderr, "forward: %s\n", st == GRL_ENOMEM && !*grl_strerror()
            ? "out of memory" : grl_strerror());
  free(dtheta);
  grl_seq_free(s);
  grl_model_free(m);
  gsl_rng_free(r);
  return st ? 1 : 0;
}
