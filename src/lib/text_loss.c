/* text_loss.c -- the text loss: the one-hot input as a gather of Wx's
 * columns and its mirror, the scatter; the softmax readout at every step
 * and the mean cross-entropy of the next byte, with its gradient through
 * BPTT from a carried-in state.  Training, evaluation and the gradient
 * check all differentiate this one function.  See grl_text.h. */
#include <config.h>
#include "grulab.h"

#include <math.h>

void grl_text_gather(const grl_model *m, const double *theta, grl_seq *s,
                     const unsigned char *ids)
{
  grl_views p;
  grl_model_bind(m, (double *)(theta ? theta : m->theta), &p);
  const size_t R = grl_seq_length(s) * grl_seq_batch(s),
               GH = m->cell->G * m->hidden_size;
  gsl_matrix *XP = grl_seq_input_proj(s);             /* (T*B, G*H) */
  const gsl_matrix *Wx = &p.Wx.matrix;                /* (G*H, V) */
  const gsl_vector *bx = &p.bx.vector;                /* (G*H)    */
  /* dropout on the one-hot input: only its one entry, id, can matter */
  const gsl_matrix *mask = grl_seq_mask(s, GRL_MASK_INPUT, 0);
  for (size_t r = 0; r < R; r++) {
    double *xp = gsl_matrix_ptr(XP, r, 0);            /* (G*H) row r */
    const double *col = Wx->data + ids[r];            /* Wx[:, id], stride tda */
    if (mask) {
      /* xp = Wx (onehot(id) * mask) + bx = mask[id] Wx[:, id] + bx */
      const double md = gsl_matrix_get(mask, r % mask->size1, ids[r]);
      for (size_t j = 0; j < GH; j++)
        xp[j] = md * col[j * Wx->tda] + bx->data[j * bx->stride];
      continue;
    }
    /* xp = Wx onehot(id) + bx = Wx[:, id] + bx */
    for (size_t j = 0; j < GH; j++)
      xp[j] = col[j * Wx->tda] + bx->data[j * bx->stride];
  }
}

void grl_text_scatter(const grl_model *m, double *dtheta, const grl_seq *s,
                      const unsigned char *ids)
{
  grl_views dp;
  grl_model_bind(m, dtheta, &dp);
  const size_t R = grl_seq_length(s) * grl_seq_batch(s),
               GH = m->cell->G * m->hidden_size;
  const gsl_matrix *dXP = grl_seq_dinput_proj(s);     /* (T*B, G*H) */
  gsl_matrix *dWx = &dp.Wx.matrix;                    /* (G*H, V) */
  gsl_vector *dbx = &dp.bx.vector;                    /* (G*H)    */
  const gsl_matrix *mask = grl_seq_mask(s, GRL_MASK_INPUT, 0);
  for (size_t r = 0; r < R; r++) {
    const double *dxp = gsl_matrix_const_ptr(dXP, r, 0);
    double *col = dWx->data + ids[r];
    /* forward was xp = md Wx[:, id] + bx (md = 1 without dropout), so
     * dWx[:, id] += md dxp, dbx += dxp */
    const double md = mask ? gsl_matrix_get(mask, r % mask->size1, ids[r])
                           : 1.0;
    for (size_t j = 0; j < GH; j++) {
      col[j * dWx->tda] += md * dxp[j];
      dbx->data[j * dbx->stride] += dxp[j];
    }
  }
}

int grl_text_loss(const grl_model *m, const double *theta, grl_seq *s,
                  const unsigned char *in, const size_t *target,
                  const double *h0, const double *c0, gsl_matrix *logits,
                  double *loss, double *dtheta, gsl_matrix *dlogits,
                  gsl_matrix *dout, double *dh0, double *dc0)
{
  if (!theta)
    theta = m->theta;
  grl_text_gather(m, theta, s, in);
  int st = grl_seq_forward(s, theta, NULL, h0, m->cell->has_c ? c0 : NULL);
  if (st)
    return st;
  /* z = h Wo^T + bo for all T*B rows at once: one GEMM */
  gsl_matrix_view out = grl_seq_output(s);            /* (T*B, H) */
  grl_readout_forward(m, theta, &out.matrix, logits);
  *loss = grl_loss_xent(logits, target, dtheta ? dlogits : NULL);
  if (!dtheta || !isfinite(*loss))
    return GRL_OK;
  /* forward was z = h Wo^T + bo: dWo, dbo accumulate; dout = dz Wo */
  grl_readout_backward(m, theta, dtheta, &out.matrix, dlogits, dout);
  st = grl_seq_backward(s, theta, NULL, dout->data, NULL, NULL, dtheta, NULL,
                        dh0, dc0);
  if (st)
    return st;
  grl_text_scatter(m, dtheta, s, in);
  return GRL_OK;
}
