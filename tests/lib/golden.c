/* golden.c -- the cells against PyTorch, forward and full BPTT.
 *
 * Each tests/data/golden-CELL-TtBbIiHh.txt was written by
 * tests/reference/make-golden.py with torch in float64 (mgu, which torch
 * lacks: make-golden-mgu.py, forward in NumPy, gradients by torch's
 * autograd): the parameters
 * under their state_dict names, input (T,B,I), h0 (B,H), c0 (lstm),
 * grad_output (T,B,H), and what torch computed: output, h_n, c_n and the
 * gradients grad_X = dL/dX of L = sum(grad_output * output).
 *
 * For every file we build the model from the file (grl_model_read), run
 * grl_seq_forward and grl_seq_backward, and compare every tensor with
 * torch's.  The error of a tensor is its worst entry relative to the
 * tensor's scale, max_i |got_i - want_i| / max_i |want_i|, and each test
 * line reports it.  A tensor that torch says is exactly zero (the seed
 * cell's o gate) must be exactly zero here too.
 *
 * The naive reference (plain loops, grl_naive_forward) must equal the BLAS
 * path to 1e-13, and the golden output to 1e-10. */
#include <config.h>
#include "grulab.h"
#include "tap.h"
#include "golden_util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TOL_TORCH 1e-10  /* us against torch                    */
#define TOL_NAIVE 1e-13  /* naive loops against the BLAS path   */

/* Every golden file, listed explicitly: cell and shape. */
static const struct {
  const char *cell;
  size_t T, B, I, H;
} cases[] = {
  {"gru", 1, 1, 1, 1},     {"gru", 7, 3, 5, 4},     {"gru", 23, 2, 3, 6},
  {"gru-cho", 1, 1, 1, 1}, {"gru-cho", 7, 3, 5, 4}, {"gru-cho", 23, 2, 3, 6},
  {"rnn", 1, 1, 1, 1},     {"rnn", 7, 3, 5, 4},     {"rnn", 23, 2, 3, 6},
  {"lstm", 1, 1, 1, 1},    {"lstm", 7, 3, 5, 4},    {"lstm", 23, 2, 3, 6},
  {"seed", 1, 1, 1, 1},    {"seed", 7, 3, 5, 4},    {"seed", 23, 2, 3, 6},
  {"mgu", 1, 1, 1, 1},     {"mgu", 7, 3, 5, 4},     {"mgu", 23, 2, 3, 6},
};
#define NCASES (sizeof cases / sizeof cases[0])


static void run_case(size_t k)
{
  const size_t T = cases[k].T, B = cases[k].B, I = cases[k].I, H = cases[k].H;
  char rel[128], tag[64];
  snprintf(rel, sizeof rel, "tests/data/golden-%s-T%zuB%zuI%zuH%zu.txt",
           cases[k].cell, T, B, I, H);
  snprintf(tag, sizeof tag, "%s T%zuB%zuI%zuH%zu", cases[k].cell, T, B, I, H);

  grl_tensorfile *tf = NULL;
  if (grl_tensorfile_read(&tf, tap_srcpath(rel)) != GRL_OK)
    bail("%s", grl_strerror());
  const grl_cell *cell = grl_cell_lookup(cases[k].cell);
  if (!cell)
    bail("no cell '%s'", cases[k].cell);
  grl_model *m = NULL;
  if (grl_model_alloc(&m, cell, I, H, 0) != GRL_OK)
    bail("%s", grl_strerror());
  int st = grl_model_read(m, tf);
  ok(st == GRL_OK, "%s: the model reads torch's parameters%s%s", tag,
     st ? ": " : "", st ? grl_strerror() : "");

  const int lstm = cell->has_c;
  const double *x = need(tf, "input", 3, T, B, I);          /* (T*B, I) */
  const double *h0 = need(tf, "h0", 2, B, H, 1);            /* (B, H)   */
  const double *c0 = lstm ? need(tf, "c0", 2, B, H, 1) : NULL;
  const double *dout = need(tf, "grad_output", 3, T, B, H); /* (T*B, H) */
  const double *want_out = need(tf, "output", 3, T, B, H);  /* (T*B, H) */
  const double *want_hn = need(tf, "h_n", 2, B, H, 1);      /* (B, H)   */
  const double *want_cn = lstm ? need(tf, "c_n", 2, B, H, 1) : NULL;

  double worst = 0.0;

  /* ---- forward: output, h_n, c_n */
  grl_seq *s = NULL;
  if (grl_seq_alloc(&s, m, T, B) != GRL_OK)
    bail("%s", grl_strerror());
  st = grl_seq_forward(s, NULL, x, h0, c0);
  ok(st == GRL_OK, "%s: forward runs%s%s", tag, st ? ": " : "",
     st ? grl_strerror() : "");
  double *out = zalloc(T * B * H); /* (T*B, H) */
  double *hn = zalloc(B * H);      /* (B, H)   */
  double *cn = zalloc(B * H);      /* (B, H)   */
  gsl_matrix_view ov = grl_seq_output(s), hv = grl_seq_hT(s);
  dense(out, &ov.matrix);
  dense(hn, &hv.matrix);
  check(tag, "output", out, want_out, T * B * H, TOL_TORCH, &worst);
  check(tag, "h_n", hn, want_hn, B * H, TOL_TORCH, &worst);
  if (lstm) {
    gsl_matrix_view cv = grl_seq_cT(s);
    dense(cn, &cv.matrix);
    check(tag, "c_n", cn, want_cn, B * H, TOL_TORCH, &worst);
  }

  /* ---- full BPTT of L = sum(grad_output * output) */
  double *dtheta = zalloc(m->n);   /* (n) like m->theta, accumulated  */
  double *dx = zalloc(T * B * I);  /* (T*B, I) accumulated            */
  double *dh0 = zalloc(B * H);     /* (B, H) overwritten              */
  double *dc0 = zalloc(B * H);     /* (B, H) overwritten              */
  st = grl_seq_backward(s, NULL, x, dout, NULL, NULL, dtheta, dx, dh0,
                        lstm ? dc0 : NULL);
  ok(st == GRL_OK, "%s: backward runs%s%s", tag, st ? ": " : "",
     st ? grl_strerror() : "");
  check_param_grads(tag, m, tf, dtheta, TOL_TORCH, &worst);
  check(tag, "grad_input", dx, need(tf, "grad_input", 3, T, B, I), T * B * I,
        TOL_TORCH, &worst);
  check(tag, "grad_h0", dh0, need(tf, "grad_h0", 2, B, H, 1), B * H,
        TOL_TORCH, &worst);
  if (lstm)
    check(tag, "grad_c0", dc0, need(tf, "grad_c0", 2, B, H, 1), B * H,
          TOL_TORCH, &worst);
  diag("%s: worst relative error against torch over all tensors: %.2e", tag,
       worst);

  /* ---- backward accumulates into dtheta and dx, overwrites dh0 */
  double *dtheta1 = zalloc(m->n), *dx1 = zalloc(T * B * I), *dh01 = zalloc(B * H);
  memcpy(dtheta1, dtheta, m->n * sizeof *dtheta);
  memcpy(dx1, dx, T * B * I * sizeof *dx);
  memcpy(dh01, dh0, B * H * sizeof *dh0);
  for (size_t i = 0; i < m->n; i++)
    dtheta1[i] *= 2.0;
  for (size_t i = 0; i < T * B * I; i++)
    dx1[i] *= 2.0;
  st = grl_seq_backward(s, NULL, x, dout, NULL, NULL, dtheta, dx, dh0,
                        lstm ? dc0 : NULL);
  size_t at;
  int z;
  double e = fmax(rel_err(dtheta, dtheta1, m->n, &at, &z),
                  rel_err(dx, dx1, T * B * I, &at, &z));
  e = fmax(e, rel_err(dh0, dh01, B * H, &at, &z));
  ok(st == GRL_OK && e <= 1e-13,
     "%s: a second backward doubles dtheta and dx, and rewrites dh0 (%.1e)",
     tag, e);

  /* ---- the naive reference: plain loops, one row at a time */
  double *nout = zalloc(T * B * H), *nhn = zalloc(B * H), *ncn = zalloc(B * H);
  grl_naive_forward(m, T, B, m->theta, x, h0, c0, nout, nhn,
                    lstm ? ncn : NULL, NULL);
  check(tag, "naive output vs BLAS path", nout, out, T * B * H, TOL_NAIVE, NULL);
  check(tag, "naive h_n vs BLAS path", nhn, hn, B * H, TOL_NAIVE, NULL);
  if (lstm)
    check(tag, "naive c_n vs BLAS path", ncn, cn, B * H, TOL_NAIVE, NULL);
  check(tag, "naive output vs torch", nout, want_out, T * B * H, TOL_TORCH,
        NULL);

  free(nout); free(nhn); free(ncn);
  free(dtheta1); free(dx1); free(dh01);
  free(dtheta); free(dx); free(dh0); free(dc0);
  free(out); free(hn); free(cn);
  grl_seq_free(s);
  grl_model_free(m);
  grl_tensorfile_free(tf);
}

int main(void)
{
  gsl_set_error_handler_off();
  /* Per case: parameters read, forward, output, h_n, [c_n], backward, one
   * per parameter tensor, grad_input, grad_h0, [grad_c0], the second
   * backward, naive output, naive h_n, [naive c_n], naive vs torch:
   * 11 + nparam + 3 has_c, three shapes per cell: gru, gru-cho, rnn, mgu
   * 3 (11 + 4); lstm 3 (11 + 4 + 3); seed 3 (11 + 8). */
  plan(3 * (4 * 15 + 18 + 19));
  for (size_t k = 0; k < NCASES; k++)
    run_case(k);
  return exit_status();
}
