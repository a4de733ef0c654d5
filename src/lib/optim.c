/* optim.c -- SGD, momentum, RMSProp, Adam, AdamW and Adagrad over the flat
 * parameter block, with weight decay, and gradient clipping by global
 * norm.
 *
 * Each optimiser is one loop over the n entries of theta.  The formulas
 * are PyTorch's (torch.optim.SGD, RMSprop, Adam, AdamW, Adagrad; no
 * nesterov, no centering, no amsgrad, no lr_decay, Adagrad's sum starting
 * at 0), weight decay included, so a run here and a run
 * there take the same steps from the same gradients.
 *
 * Weight decay wd, two ways (tests/data/optim-*-wd*.txt, optim-adamw*):
 *   L2 in the loss (sgd, momentum, rmsprop, adam, adagrad): the gradient of
 *     (wd/2) ||theta||^2 joins g before the update, g <- g + wd theta,
 *     as torch.optim's weight_decay does;
 *   decoupled (adamw; Loshchilov and Hutter 2019): theta <- (1 - lr wd)
 *     theta, then Adam's step on g alone, so the decay is not divided by
 *     Adam's sqrt(v) and every weight shrinks at the same rate. */
#include <config.h>
#include "grulab.h"

#include <gsl/gsl_blas.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static const struct {
  const char *name;
  grl_optim_kind kind;
} optims[] = {
  {"sgd", GRL_OPTIM_SGD},
  {"momentum", GRL_OPTIM_MOMENTUM},
  {"rmsprop", GRL_OPTIM_RMSPROP},
  {"adam", GRL_OPTIM_ADAM},
  {"adamw", GRL_OPTIM_ADAMW},
  {"adagrad", GRL_OPTIM_ADAGRAD},
};

const char *grl_optim_names(void)
{
  return "sgd|momentum|rmsprop|adam|adamw|adagrad";
}

int grl_optim_alloc(grl_optim **out, const char *name, size_t n, double lr)
{
  *out = NULL;
  size_t k = 0;
  while (k < sizeof optims / sizeof optims[0]
         && strcmp(optims[k].name, name ? name : "") != 0)
    k++;
  if (k == sizeof optims / sizeof optims[0])
    return grl_fail(GRL_EINVAL, "optimizer must be one of %s, got '%s'",
                    grl_optim_names(), name ? name : "");
  if (!(lr > 0.0) || !isfinite(lr))
    return grl_fail(GRL_EINVAL, "learning rate must be a finite number > 0, got %g", lr);
  if (n == 0)
    return grl_fail(GRL_EINVAL, "optimizer: no parameters to optimise");

  grl_optim *o = calloc(1, sizeof *o);
  if (!o)
    return grl_fail(GRL_ENOMEM, "optimizer: out of memory");
  o->kind = optims[k].kind;
  o->n = n;
  o->lr = lr;
  o->momentum = 0.9;     /* a common choice; torch's SGD has no default */
  o->alpha = 0.99;       /* torch.optim.RMSprop                         */
  o->beta1 = 0.9;        /* torch.optim.Adam                            */
  o->beta2 = 0.999;
  o->eps = 1e-8;
  if (o->kind == GRL_OPTIM_ADAGRAD)
    o->eps = 1e-10;      /* torch.optim.Adagrad                         */
  /* torch.optim.AdamW's default decay; the others' is 0 */
  o->weight_decay = o->kind == GRL_OPTIM_ADAMW ? 1e-2 : 0.0;
  /* State is allocated once, here: the step itself never allocates. */
  const int adam = o->kind == GRL_OPTIM_ADAM || o->kind == GRL_OPTIM_ADAMW;
  int need_m = o->kind == GRL_OPTIM_MOMENTUM || adam;
  int need_v = o->kind == GRL_OPTIM_RMSPROP || adam
               || o->kind == GRL_OPTIM_ADAGRAD;
  if ((need_m && !(o->m = calloc(n, sizeof *o->m)))
      || (need_v && !(o->v = calloc(n, sizeof *o->v)))) {
    grl_optim_free(o);
    return grl_fail(GRL_ENOMEM, "optimizer: out of memory for %zu parameters", n);
  }
  *out = o;
  return GRL_OK;
}

void grl_optim_free(grl_optim *o)
{
  if (!o)
    return;
  free(o->m);
  free(o->v);
  free(o);
}

void grl_optim_reset(grl_optim *o)
{
  o->t = 0;
  if (o->m)
    memset(o->m, 0, o->n * sizeof *o->m);
  if (o->v)
    memset(o->v, 0, o->n * sizeof *o->v);
}

void grl_optim_step(grl_optim *o, double *theta, const double *g)
{
  const size_t n = o->n;
  const double lr = o->lr;
  double *m = o->m; /* (n) first moment / momentum buffer */
  double *v = o->v; /* (n) second moment                  */
  o->t++;
  /* L2: g <- g + wd theta (gi below); decoupled: theta <- (1 - lr wd) theta */
  const double wd = o->kind == GRL_OPTIM_ADAMW ? 0.0 : o->weight_decay;
  if (o->kind == GRL_OPTIM_ADAMW && o->weight_decay != 0.0) {
    const double keep = 1.0 - lr * o->weight_decay;
    for (size_t i = 0; i < n; i++)
      theta[i] *= keep;
  }

  switch (o->kind) {
  case GRL_OPTIM_SGD:
    /* theta <- theta - lr (g + wd theta) */
    for (size_t i = 0; i < n; i++)
      theta[i] -= lr * (g[i] + wd * theta[i]);
    break;

  case GRL_OPTIM_MOMENTUM: {
    /* b <- mu b + g  (torch starts with b = g, the same as b = 0 here);
     * theta <- theta - lr b */
    const double mu = o->momentum;
    for (size_t i = 0; i < n; i++) {
      m[i] = mu * m[i] + (g[i] + wd * theta[i]);
      theta[i] -= lr * m[i];
    }
    break;
  }

  case GRL_OPTIM_RMSPROP: {
    /* v <- alpha v + (1 - alpha) g^2;  theta <- theta - lr g / (sqrt(v) + eps) */
    const double a = o->alpha, eps = o->eps;
    for (size_t i = 0; i < n; i++) {
      const double gi = g[i] + wd * theta[i];
      v[i] = a * v[i] + (1.0 - a) * gi * gi;
      theta[i] -= lr * gi / (sqrt(v[i]) + eps);
    }
    break;
  }

  case GRL_OPTIM_ADAM:
  case GRL_OPTIM_ADAMW: {
    /* m <- b1 m + (1-b1) g;  v <- b2 v + (1-b2) g^2;
     * theta <- theta - lr/(1-b1^t) * m / (sqrt(v)/sqrt(1-b2^t) + eps)
     * (torch's arrangement of the bias corrections; eps sits outside the
     * corrected square root exactly as there) */
    const double b1 = o->beta1, b2 = o->beta2, eps = o->eps;
    const double c1 = 1.0 - pow(b1, (double)o->t);
    const double sc2 = sqrt(1.0 - pow(b2, (double)o->t));
    const double step = lr / c1;
    for (size_t i = 0; i < n; i++) {
      const double gi = g[i] + wd * theta[i];
      m[i] = b1 * m[i] + (1.0 - b1) * gi;
      v[i] = b2 * v[i] + (1.0 - b2) * gi * gi;
      theta[i] -= step * m[i] / (sqrt(v[i]) / sc2 + eps);
    }
    break;
  }

  case GRL_OPTIM_ADAGRAD: {
    /* v <- v + g^2;  theta <- theta - lr g / (sqrt(v) + eps)
     * (Duchi, Hazan and Singer 2011; the sum never decays, so every
     * entry's steps only shrink) */
    const double eps = o->eps;
    for (size_t i = 0; i < n; i++) {
      const double gi = g[i] + wd * theta[i];
      v[i] += gi * gi;
      theta[i] -= lr * gi / (sqrt(v[i]) + eps);
    }
    break;
  }
  }
}

double grl_norm(const double *g, size_t n)
{
  if (n == 0)
    return 0.0;
  /* dnrm2 scales as it sums, so entries near 1e300 do not overflow. */
  gsl_vector_const_view gv = gsl_vector_const_view_array(g, n);
  return gsl_blas_dnrm2(&gv.vector);
}

double grl_clip_global_norm(double *g, size_t n, double threshold,
                            int *clipped)
{
  double norm = grl_norm(g, n);
  int c = 0;
  /* Pascanu et al. 2013, Algorithm 1:
   *   if ||g|| >= threshold then g <- (threshold / ||g||) g */
  if (threshold > 0.0 && norm >= threshold && isfinite(norm) && norm > 0.0) {
    const double s = threshold / norm;
    for (size_t i = 0; i < n; i++)
      g[i] *= s;
    c = 1;
  }
  if (clipped)
    *clipped = c;
  return norm;
}

int grl_all_finite(const double *a, size_t n)
{
  for (size_t i = 0; i < n; i++)
    if (!isfinite(a[i]))
      return 0;
  return 1;
}
