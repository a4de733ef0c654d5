/* golden-layers.c -- stacked layers against PyTorch, forward and full
 * BPTT through the stack.
 *
 * Each tests/data/golden-CELL-TtBbIiHhLl.txt was written by
 * tests/reference/make-golden-layers.py: torch's nn.RNN/GRU/LSTM(num_layers
 * = L) for rnn, gru and lstm; make-golden.py's explicit torch code stacked
 * layer after layer for gru-cho and seed; make-golden-mgu.py's NumPy
 * forward stacked (gradients by torch autograd) for mgu.  The file holds
 * the parameters under their state_dict names (weight_ih_l1, ...), input
 * (T,B,I), h0 (L,B,H), c0 (lstm), grad_output (T,B,H), and the expected
 * output (the top layer's), h_n (L,B,H), c_n, and the gradients of
 * L = sum(grad_output * output).
 *
 * For every file: grl_model_load reads the model and finds L from the
 * names; grl_seq_forward and grl_seq_backward run the stack; every tensor
 * is compared with torch's, worst entry relative to the tensor's scale,
 * to 1e-12.  The naive reference, stacked too, must equal the BLAS path
 * to 1e-13. */
#include <config.h>
#include "grulab.h"
#include "tap.h"
#include "golden_util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TOL_TORCH 1e-12  /* us against torch                    */
#define TOL_NAIVE 1e-13  /* naive loops against the BLAS path   */

/* Every golden file, listed explicitly: cell and shape. */
static const struct {
  const char *cell;
  size_t T, B, I, H, L;
} cases[] = {
#define SHAPES(c) {c, 1, 1, 1, 1, 2}, {c, 7, 3, 5, 4, 2}, {c, 6, 2, 3, 5, 3}
  SHAPES("rnn"), SHAPES("gru"), SHAPES("gru-cho"), SHAPES("lstm"),
  SHAPES("seed"), SHAPES("mgu"),
#undef SHAPES
};
#define NCASES (sizeof cases / sizeof cases[0])


static void run_case(size_t k)
{
  const size_t T = cases[k].T, B = cases[k].B, I = cases[k].I, H = cases[k].H,
               L = cases[k].L, LBH = L * B * H;
  char rel[128], tag[64];
  snprintf(rel, sizeof rel, "tests/data/golden-%s-T%zuB%zuI%zuH%zuL%zu.txt",
           cases[k].cell, T, B, I, H, L);
  snprintf(tag, sizeof tag, "%s T%zuB%zuI%zuH%zuL%zu", cases[k].cell, T, B, I,
           H, L);

  grl_tensorfile *tf = NULL;
  if (grl_tensorfile_read(&tf, tap_srcpath(rel)) != GRL_OK)
    bail("%s", grl_strerror());
  const grl_cell *cell = grl_cell_lookup(cases[k].cell);
  if (!cell)
    bail("no cell '%s'", cases[k].cell);
  grl_model *m = NULL;
  /* the file holds the data too: GRL_LOAD_SHARED */
  int st = grl_model_open(&m, cell, tap_srcpath(rel), GRL_LOAD_SHARED, NULL);
  ok(st == GRL_OK && m->layers == L && m->input_size == I
     && m->hidden_size == H,
     "%s: the model loads torch's parameters, %zu layers%s%s", tag,
     st ? (size_t)0 : m->layers, st ? ": " : "", st ? grl_strerror() : "");
  if (st)
    bail("%s", grl_strerror());

  const int lstm = cell->has_c;
  const double *x = need(tf, "input", 3, T, B, I);          /* (T*B, I)   */
  const double *h0 = need(tf, "h0", 3, L, B, H);            /* (L*B, H)   */
  const double *c0 = lstm ? need(tf, "c0", 3, L, B, H) : NULL;
  const double *dout = need(tf, "grad_output", 3, T, B, H); /* (T*B, H)   */
  const double *want_out = need(tf, "output", 3, T, B, H);  /* (T*B, H)   */
  const double *want_hn = need(tf, "h_n", 3, L, B, H);      /* (L*B, H)   */
  const double *want_cn = lstm ? need(tf, "c_n", 3, L, B, H) : NULL;

  double worst = 0.0;

  /* ---- forward: output, h_n, c_n */
  grl_seq *s = NULL;
  if (grl_seq_alloc(&s, m, T, B) != GRL_OK)
    bail("%s", grl_strerror());
  st = grl_seq_forward(s, NULL, x, h0, c0);
  ok(st == GRL_OK, "%s: forward runs%s%s", tag, st ? ": " : "",
     st ? grl_strerror() : "");
  double *out = zalloc(T * B * H); /* (T*B, H) */
  double *hn = zalloc(LBH);        /* (L*B, H) */
  double *cn = zalloc(LBH);        /* (L*B, H) */
  gsl_matrix_view ov = grl_seq_output(s);
  dense(out, &ov.matrix);
  grl_seq_final_states(s, hn, lstm ? cn : NULL);
  check(tag, "output", out, want_out, T * B * H, TOL_TORCH, &worst);
  check(tag, "h_n", hn, want_hn, LBH, TOL_TORCH, &worst);
  if (lstm)
    check(tag, "c_n", cn, want_cn, LBH, TOL_TORCH, &worst);

  /* ---- full BPTT through the stack of L = sum(grad_output * output) */
  double *dtheta = zalloc(m->n);   /* (n) like m->theta, accumulated  */
  double *dx = zalloc(T * B * I);  /* (T*B, I) accumulated            */
  double *dh0 = zalloc(LBH);       /* (L*B, H) overwritten            */
  double *dc0 = zalloc(LBH);       /* (L*B, H) overwritten            */
  st = grl_seq_backward(s, NULL, x, dout, NULL, NULL, dtheta, dx, dh0,
                        lstm ? dc0 : NULL);
  ok(st == GRL_OK, "%s: backward runs%s%s", tag, st ? ": " : "",
     st ? grl_strerror() : "");
  check_param_grads(tag, m, tf, dtheta, TOL_TORCH, &worst);
  check(tag, "grad_input", dx, need(tf, "grad_input", 3, T, B, I), T * B * I,
        TOL_TORCH, &worst);
  check(tag, "grad_h0", dh0, need(tf, "grad_h0", 3, L, B, H), LBH, TOL_TORCH,
        &worst);
  if (lstm)
    check(tag, "grad_c0", dc0, need(tf, "grad_c0", 3, L, B, H), LBH,
          TOL_TORCH, &worst);
  diag("%s: worst relative error against torch over all tensors: %.2e", tag,
       worst);

  /* ---- a second backward accumulates into dtheta and dx, overwrites dh0 */
  double *dtheta1 = zalloc(m->n), *dx1 = zalloc(T * B * I), *dh01 = zalloc(LBH);
  memcpy(dtheta1, dtheta, m->n * sizeof *dtheta);
  memcpy(dx1, dx, T * B * I * sizeof *dx);
  memcpy(dh01, dh0, LBH * sizeof *dh0);
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
  e = fmax(e, rel_err(dh0, dh01, LBH, &at, &z));
  ok(st == GRL_OK && e <= 1e-13,
     "%s: a second backward doubles dtheta and dx, and rewrites dh0 (%.1e)",
     tag, e);

  /* ---- the naive reference, stacked: plain loops, one row at a time */
  double *nout = zalloc(T * B * H), *nhn = zalloc(LBH), *ncn = zalloc(LBH);
  grl_naive_forward(m, T, B, m->theta, x, h0, c0, nout, nhn,
                    lstm ? ncn : NULL, NULL);
  check(tag, "naive output vs BLAS path", nout, out, T * B * H, TOL_NAIVE, NULL);
  check(tag, "naive h_n vs BLAS path", nhn, hn, LBH, TOL_NAIVE, NULL);
  if (lstm)
    check(tag, "naive c_n vs BLAS path", ncn, cn, LBH, TOL_NAIVE, NULL);

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
  /* Per case: load, forward, output, h_n, [c_n], backward, one per
   * parameter tensor (4 per layer; seed 8), grad_input, grad_h0,
   * [grad_c0], the second backward, naive output, naive h_n, [naive c_n]:
   * 10 + nparam + 3 has_c.  Shapes: L = 2, 2, 3. */
  int n = 0;
  for (size_t k = 0; k < NCASES; k++) {
    const grl_cell *c = grl_cell_lookup(cases[k].cell);
    n += 10 + (c == &grl_cell_seed ? 8 : 4) * (int)cases[k].L
         + (c && c->has_c ? 3 : 0);
  }
  plan(n);
  for (size_t k = 0; k < NCASES; k++)
    run_case(k);
  return exit_status();
}
