/* golden-dropout.c -- dropout against torch, with the same masks.
 *
 * Each tests/data/golden-dropout-CELL-KIND.txt was written by
 * tests/reference/make-golden-dropout.py: a two-layer model whose steps
 * torch computes with the masks the file holds, standard (a mask row per
 * step on every layer's input and on the top output) or variational (a
 * mask row per sequence, reused at every step, on those and on h_{t-1}
 * where it enters W_hh).  Here grl_seq_set_dropout makes the driver's
 * masks, the file's masks are written into them (grl_seq_mask), and the
 * forward (the dropped-out output, h_n) and full BPTT (every parameter,
 * the input, h0, c0) must equal torch's to 1e-12 relative to each
 * tensor's scale. */
#include <config.h>
#include "grulab.h"
#include "tap.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_errno.h>

#define TOL 1e-12

static const char *const cells[] = {"rnn", "gru", "gru-cho", "lstm", "seed",
                                    "mgu"};
static const char *const kinds[] = {"standard", "variational"};

static double rel_err(const double *got, const double *want, size_t n)
{
  double scale = 0.0, worst = 0.0;
  for (size_t i = 0; i < n; i++)
    scale = fmax(scale, fabs(want[i]));
  for (size_t i = 0; i < n; i++) {
    double e = fabs(got[i] - want[i]);
    if (!(e <= worst))
      worst = e;
  }
  return scale > 0.0 ? worst / scale : worst;
}

static const grl_tensor *need(const grl_tensorfile *tf, const char *name)
{
  const grl_tensor *t = grl_tensorfile_find(tf, name);
  if (!t)
    bail("%s: no tensor '%s'", tf->path, name);
  return t;
}

/* Copy the file's mask NAME into the driver's mask M, shapes checked. */
static void load_mask(gsl_matrix *M, const grl_tensorfile *tf,
                      const char *name)
{
  const grl_tensor *t = need(tf, name);
  if (!M || t->size != M->size1 * M->size2 || t->dims[0] != M->size1)
    bail("%s: mask '%s' does not fit the driver's", tf->path, name);
  for (size_t i = 0; i < M->size1; i++)
    for (size_t j = 0; j < M->size2; j++)
      gsl_matrix_set(M, i, j, t->data[i * M->size2 + j]);
}

static void run_case(const char *cell, const char *kind)
{
  char rel[128], tag[64], name[GRL_NAME_MAX + 8];
  snprintf(rel, sizeof rel, "tests/data/golden-dropout-%s-%s.txt", cell, kind);
  snprintf(tag, sizeof tag, "%s %s", cell, kind);
  grl_tensorfile *tf = NULL;
  grl_model *m = NULL;
  if (grl_tensorfile_read(&tf, tap_srcpath(rel))
      || grl_model_open(&m, grl_cell_lookup(cell), tap_srcpath(rel),
                        GRL_LOAD_SHARED, NULL))
    bail("%s", grl_strerror());
  const grl_tensor *in = need(tf, "input");
  const size_t T = in->dims[0], B = in->dims[1], I = in->dims[2],
               H = m->hidden_size, L = m->layers, LBH = L * B * H;
  const int var = !strcmp(kind, "variational"), has_c = m->cell->has_c;
  grl_seq *s = NULL;
  if (grl_seq_alloc(&s, m, T, B)
      || grl_seq_set_dropout(s, 0.35, var ? GRL_DROPOUT_VARIATIONAL
                                          : GRL_DROPOUT_STANDARD))
    bail("%s", grl_strerror());
  for (size_t l = 0; l < L; l++) {
    snprintf(name, sizeof name, "mask_input_l%zu", l);
    load_mask(grl_seq_mask(s, GRL_MASK_INPUT, l), tf, name);
    if (var) {
      snprintf(name, sizeof name, "mask_recurrent_l%zu", l);
      load_mask(grl_seq_mask(s, GRL_MASK_RECURRENT, l), tf, name);
    }
  }
  load_mask(grl_seq_mask(s, GRL_MASK_OUTPUT, 0), tf, "mask_output");

  const double *h0 = need(tf, "h0")->data, *c0 = has_c ? need(tf, "c0")->data : NULL;
  int st = grl_seq_forward(s, NULL, in->data, h0, c0);
  double *out = calloc(T * B * H, sizeof *out), *hn = calloc(LBH, sizeof *hn);
  gsl_matrix_view ov = grl_seq_output(s);
  for (size_t r = 0; r < T * B; r++)
    for (size_t j = 0; j < H; j++)
      out[r * H + j] = gsl_matrix_get(&ov.matrix, r, j);
  grl_seq_final_states(s, hn, NULL);
  double e = fmax(rel_err(out, need(tf, "output")->data, T * B * H),
                  rel_err(hn, need(tf, "h_n")->data, LBH));
  ok(!st && e <= TOL, "%s: the dropped-out output and h_n are torch's "
     "(worst %.1e)", tag, e);

  double *dtheta = calloc(m->n, sizeof *dtheta), *dx = calloc(T * B * I, sizeof *dx);
  double *dh0 = calloc(LBH, sizeof *dh0), *dc0 = calloc(LBH, sizeof *dc0);
  st = grl_seq_backward(s, NULL, in->data, need(tf, "grad_output")->data, NULL,
                        NULL, dtheta, dx, dh0, has_c ? dc0 : NULL);
  double worst = 0.0;
  for (size_t i = 0; i < m->nparam; i++) {
    const grl_param *q = &m->param[i];
    snprintf(name, sizeof name, "grad_%s", q->name);
    worst = fmax(worst, rel_err(dtheta + q->offset, need(tf, name)->data,
                                q->rows * q->cols));
  }
  worst = fmax(worst, rel_err(dx, need(tf, "grad_input")->data, T * B * I));
  worst = fmax(worst, rel_err(dh0, need(tf, "grad_h0")->data, LBH));
  if (has_c)
    worst = fmax(worst, rel_err(dc0, need(tf, "grad_c0")->data, LBH));
  ok(!st && worst <= TOL, "%s: BPTT through the masks gives torch's gradients "
     "of every parameter, the input, h0%s (worst %.1e)", tag,
     has_c ? ", c0" : "", worst);
  free(out); free(hn); free(dtheta); free(dx); free(dh0); free(dc0);
  grl_seq_free(s);
  grl_model_free(m);
  grl_tensorfile_free(tf);
}

int main(void)
{
  gsl_set_error_handler_off();
  plan(2 * 2 * 6);
  for (size_t c = 0; c < 6; c++)
    for (size_t k = 0; k < 2; k++)
      run_case(cells[c], kinds[k]);
  return exit_status();
}
