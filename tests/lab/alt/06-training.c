/* A correct lab 6 written differently from lab/solutions/: the norm by
 * plain loops, Adam in PyTorch's own arrangement (the step size lr/(1 -
 * beta1^t), eps outside sqrt(v)/sqrt(1 - beta2^t)), and the training
 * step with its pieces in another order where the order is free. */
#include "lab.h"

double clip_global_norm(tensor_list *g, double max_norm)
{
  double sum = 0.0;
  for (size_t k = 0; k < g->n; k++)
    for (size_t i = 0; i < g->t[k]->size; i++)
      sum += gsl_vector_get(g->t[k], i) * gsl_vector_get(g->t[k], i);
  double norm = sqrt(sum);
  double scale = norm >= max_norm ? max_norm / norm : 1.0;
  for (size_t k = 0; k < g->n && scale != 1.0; k++)
    for (size_t i = 0; i < g->t[k]->size; i++)
      gsl_vector_set(g->t[k], i, gsl_vector_get(g->t[k], i) * scale);
  return norm;
}

void adam_step(adam_state *s, tensor_list *params, const tensor_list *grads)
{
  unsigned long t = ++s->t;
  double step = s->lr / (1.0 - pow(s->beta1, (double)t));
  double sc2 = sqrt(1.0 - pow(s->beta2, (double)t));
  for (size_t k = 0; k < params->n; k++) {
    gsl_vector *m = s->m.t[k], *v = s->v.t[k], *th = params->t[k];
    const gsl_vector *g = grads->t[k];
    gsl_vector_scale(m, s->beta1);
    gsl_blas_daxpy(1.0 - s->beta1, g, m);
    for (size_t i = 0; i < th->size; i++) {
      double gi = gsl_vector_get(g, i);
      gsl_vector_set(v, i, s->beta2 * gsl_vector_get(v, i) + (1.0 - s->beta2) * gi * gi);
      double denom = sqrt(gsl_vector_get(v, i)) / sc2 + s->eps;
      gsl_vector_set(th, i, gsl_vector_get(th, i) - step * gsl_vector_get(m, i) / denom);
    }
  }
}

double train_step(gru_net *net, gru_net *grad, adam_state *opt, train_work *w,
                  const gsl_matrix *xs, const gsl_matrix *y, double max_norm)
{
  size_t B = w->B, T = w->T, H = w->hs->size2;
  gru_forward(w->hs, w->caches, xs, w->h0, net->gru);
  gsl_matrix_set_zero(w->dhs);
  for (size_t k = 0; k < grad->all.n; k++)
    gsl_vector_set_zero(grad->all.t[k]);
  gsl_matrix_const_view last = gsl_matrix_const_submatrix(w->hs, (T - 1) * B, 0, B, H);
  double loss = readout_mse(grad, w->dhT, net, &last.matrix, y);
  for (size_t b = 0; b < B; b++)
    for (size_t j = 0; j < H; j++)
      gsl_matrix_set(w->dhs, (T - 1) * B + b, j, gsl_matrix_get(w->dhT, b, j));
  gru_backward(w->dxs, w->dh0, grad->gru, w->dhs, w->caches, xs, w->h0, w->hs,
               net->gru);
  clip_global_norm(&grad->all, max_norm);
  adam_step(opt, &net->all, &grad->all);
  return loss;
}
