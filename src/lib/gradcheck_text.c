/* gradcheck_text.c -- the gradient check of the text loss: softmax
 * cross-entropy at every step over a window with a carried-in h0 (c0).
 *
 *   L = (1/(T*B)) sum_{t,b} [ logsumexp(z_tb) - z_tb[target_tb] ],
 *   z_tb = Wo h_tb + bo,  h_t = cell(Wx[:, in_tb] + bx, h_{t-1}),  h_0 given
 *
 * The analytic side is grl_text_loss (gather, BPTT from the carried-in
 * state, scatter).  Every entry of theta, h0 and c0 is checked two ways:
 * the central difference of the real loss, and the complex step, for which
 * the loss is computed in double _Complex through the cell's naive step
 * (grl_naive_forward_c with one-hot inputs), a complex readout, and the
 * complex exp and log: L stays analytic, so Im L(t + ih) / h = dL/dt to
 * rounding.  See grl_text.h. */
#include <config.h>
#include "grulab.h"

#include <complex.h>
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef double _Complex cplx;

/* The problem and its buffers, allocated once. */
typedef struct {
  const grl_model *m;
  size_t T, B, V, H, n;
  unsigned char *in;     /* (T*B) input ids            */
  size_t *target;        /* (T*B) next-byte ids        */
  double *h0, *c0;       /* (B, H) carried-in state    */
  grl_seq *s;
  gsl_matrix *logits, *dlogits, *dout;
  double *theta;         /* (n) perturbed copy         */
  cplx *thc, *xc, *h0c, *c0c, *outc;  /* complex copies */
} problem;

/* The real loss at theta, h0, c0 (perturbed copies allowed). */
static double loss_real(problem *p, const double *theta, const double *h0,
                        const double *c0)
{
  double L = NAN;
  if (grl_text_loss(p->m, theta, p->s, p->in, p->target, h0, c0, p->logits,
                    &L, NULL, NULL, NULL, NULL, NULL))
    return NAN;
  return L;
}

/* The complex loss at p->thc, p->h0c, p->c0c. */
static cplx loss_complex(problem *p)
{
  const grl_model *m = p->m;
  const size_t T = p->T, B = p->B, V = p->V, H = p->H, R = T * B;
  if (grl_naive_forward_c(m, T, B, p->thc, p->xc, p->h0c,
                          m->cell->has_c ? p->c0c : NULL, p->outc, NULL, NULL,
                          NULL))
    return NAN;
  const grl_param *wo = grl_model_param(m, "readout_weight");
  const grl_param *bo = grl_model_param(m, "readout_bias");
  cplx L = 0;
  for (size_t r = 0; r < R; r++) {
    const cplx *h = p->outc + r * H;
    cplx z[256];
    double zmax = -INFINITY;
    for (size_t k = 0; k < V; k++) {
      /* z = Wo h + bo */
      cplx a = p->thc[bo->offset + k];
      for (size_t j = 0; j < H; j++)
        a += p->thc[wo->offset + k * H + j] * h[j];
      z[k] = a;
      if (creal(a) > zmax)
        zmax = creal(a);
    }
    /* logsumexp(z) = zmax + log sum exp(z - zmax): analytic in z */
    cplx sum = 0;
    for (size_t k = 0; k < V; k++)
      sum += cexp(z[k] - zmax);
    L += zmax + clog(sum) - z[p->target[r]];
  }
  return L / (double)R;
}

static void problem_free(problem *p)
{
  free(p->in);
  free(p->target);
  free(p->h0);
  free(p->c0);
  grl_seq_free(p->s);
  gsl_matrix *all[] = {p->logits, p->dlogits, p->dout};
  for (int i = 0; i < 3; i++)
    if (all[i])
      gsl_matrix_free(all[i]);
  free(p->theta);
  free(p->thc);
  free(p->xc);
  free(p->h0c);
  free(p->c0c);
  free(p->outc);
}

/* Which tensor entry k of the concatenation theta | h0 | c0 is. */
static void entry_name(const problem *p, size_t k, char *buf, size_t len)
{
  const size_t BH = p->B * p->H;
  if (k >= p->n + BH) {
    snprintf(buf, len, "c0[%zu]", k - p->n - BH);
    return;
  }
  if (k >= p->n) {
    snprintf(buf, len, "h0[%zu]", k - p->n);
    return;
  }
  const grl_model *m = p->m;
  for (size_t i = 0; i < m->nparam; i++) {
    const grl_param *q = &m->param[i];
    if (k >= q->offset && k < q->offset + q->rows * q->cols) {
      snprintf(buf, len, "%s[%zu]", q->name, k - q->offset);
      return;
    }
  }
  snprintf(buf, len, "theta[%zu]", k);
}

/* The tensor index of entry k: params 0..nparam-1, then h0, then c0. */
static size_t tensor_of(const problem *p, size_t k)
{
  const size_t BH = p->B * p->H;
  if (k >= p->n + BH)
    return p->m->nparam + 1;
  if (k >= p->n)
    return p->m->nparam;
  for (size_t i = 0; i < p->m->nparam; i++)
    if (k < p->m->param[i].offset + p->m->param[i].rows * p->m->param[i].cols)
      return i;
  return 0;
}

int grl_gradcheck_text(grl_gradcheck_text_result *res, const grl_model *m,
                       size_t T, size_t B, gsl_rng *r, size_t tamper_at,
                       double tamper)
{
  memset(res, 0, sizeof *res);
  problem p = {0};
  const size_t V = m->input_size, H = m->hidden_size, n = m->n;
  if (m->output_size != V || V > 256 || V < 2)
    return grl_fail(GRL_EINVAL, "text gradcheck: the model needs input size V = readout outputs, 2..256 (got %zu and %zu)",
                    V, m->output_size);
  if (T == 0 || B == 0 || T * B > 100000)
    return grl_fail(GRL_EINVAL, "text gradcheck: T and B must be positive and T*B at most 100000 (got T=%zu, B=%zu)", T, B);
  const int has_c = m->cell->has_c;
  const size_t R = T * B, BH = B * H, N = n + BH * (has_c ? 2 : 1);
  p.m = m; p.T = T; p.B = B; p.V = V; p.H = H; p.n = n;
  p.in = malloc(R);
  p.target = malloc(R * sizeof *p.target);
  p.h0 = malloc(BH * sizeof *p.h0);
  p.c0 = calloc(BH, sizeof *p.c0);
  p.logits = gsl_matrix_alloc(R, V);
  p.dlogits = gsl_matrix_alloc(R, V);
  p.dout = gsl_matrix_alloc(R, H);
  p.theta = malloc(n * sizeof *p.theta);
  p.thc = malloc(n * sizeof *p.thc);
  p.xc = calloc(R * V, sizeof *p.xc);
  p.h0c = malloc(BH * sizeof *p.h0c);
  p.c0c = malloc(BH * sizeof *p.c0c);
  p.outc = malloc(R * H * sizeof *p.outc);
  double *a = calloc(N, sizeof *a);        /* analytic: theta | h0 | c0 */
  double *num[2] = {calloc(N, sizeof *num[0]), calloc(N, sizeof *num[1])};
  double *h0p = malloc(BH * sizeof *h0p), *c0p = malloc(BH * sizeof *c0p);
  int st = grl_seq_alloc(&p.s, m, T, B);
  if (!st && (!p.in || !p.target || !p.h0 || !p.c0 || !p.logits || !p.dlogits
              || !p.dout || !p.theta || !p.thc || !p.xc || !p.h0c || !p.c0c
              || !p.outc || !a || !num[0] || !num[1] || !h0p || !c0p))
    st = grl_fail(GRL_ENOMEM, "text gradcheck: out of memory");
  if (st)
    goto done;

  /* the problem: random ids, targets and carried-in state */
  for (size_t i = 0; i < R; i++) {
    p.in[i] = (unsigned char)gsl_rng_uniform_int(r, V);
    p.target[i] = gsl_rng_uniform_int(r, V);
    p.xc[i * V + p.in[i]] = 1.0;
  }
  for (size_t i = 0; i < BH; i++)
    p.h0[i] = 0.9 * (2 * gsl_rng_uniform(r) - 1);
  if (has_c)
    for (size_t i = 0; i < BH; i++)
      p.c0[i] = 0.9 * (2 * gsl_rng_uniform(r) - 1);

  /* analytic */
  double L0;
  if ((st = grl_text_loss(m, m->theta, p.s, p.in, p.target, p.h0,
                          has_c ? p.c0 : NULL, p.logits, &L0, a, p.dlogits,
                          p.dout, a + n, has_c ? a + n + BH : NULL)))
    goto done;
  if (tamper_at < n)
    a[tamper_at] *= 1 + tamper;

  /* numeric, entry by entry */
  const double hc = cbrt(DBL_EPSILON), hz = 1e-20;
  for (size_t k = 0; k < N; k++) {
    memcpy(p.theta, m->theta, n * sizeof *p.theta);
    memcpy(h0p, p.h0, BH * sizeof *h0p);
    memcpy(c0p, p.c0, BH * sizeof *c0p);
    double *x = k < n ? &p.theta[k] : k < n + BH ? &h0p[k - n] : &c0p[k - n - BH];
    const double x0 = *x, step = hc * fmax(1.0, fabs(x0));
    /* central: the step actually taken is the representable one */
    volatile double up = x0 + step, dn = x0 - step;
    *x = up;
    double Lp = loss_real(&p, p.theta, h0p, has_c ? c0p : NULL);
    *x = dn;
    double Lm = loss_real(&p, p.theta, h0p, has_c ? c0p : NULL);
    *x = x0;
    num[0][k] = (Lp - Lm) / (up - dn);
    /* complex step */
    for (size_t i = 0; i < n; i++)
      p.thc[i] = m->theta[i];
    for (size_t i = 0; i < BH; i++) {
      p.h0c[i] = p.h0[i];
      p.c0c[i] = p.c0[i];
    }
    cplx *xz = k < n ? &p.thc[k] : k < n + BH ? &p.h0c[k - n] : &p.c0c[k - n - BH];
    *xz += I * hz;
    num[1][k] = cimag(loss_complex(&p)) / hz;
    if (!isfinite(num[0][k]) || !isfinite(num[1][k])) {
      char where[96];
      entry_name(&p, k, where, sizeof where);
      st = grl_fail(GRL_ENONFINITE, "text gradcheck: the numerical derivative of %s is not finite", where);
      goto done;
    }
  }

  /* relative errors with the per-tensor floor */
  const size_t ntensor = m->nparam + 2;
  res->tol[0] = grl_gradcheck_default_tolerance(GRL_GC_CENTRAL);
  res->tol[1] = grl_gradcheck_default_tolerance(GRL_GC_COMPLEX);
  res->nchecked = N;
  res->pass = 1;
  for (int q = 0; q < 2; q++) {
    double S[GRL_MAX_PARAMS + 2] = {0};
    for (size_t k = 0; k < N; k++) {
      size_t t = tensor_of(&p, k);
      S[t] = fmax(S[t], fmax(fabs(a[k]), fabs(num[q][k])));
    }
    size_t worst_k = 0;
    res->worst[q] = 0;
    for (size_t k = 0; k < N; k++) {
      double floor = fmax(GRL_GRADCHECK_FLOOR_REL * S[tensor_of(&p, k)],
                          GRL_GRADCHECK_FLOOR_ABS);
      double d = fabs(a[k] - num[q][k]);
      double rel = d == 0 ? 0 : d / fmax(fabs(a[k]) + fabs(num[q][k]), floor);
      if (rel > res->worst[q] || k == 0) {
        res->worst[q] = rel;
        worst_k = k;
      }
    }
    (void)ntensor;
    entry_name(&p, worst_k, res->where[q], sizeof res->where[q]);
    if (!(res->worst[q] <= res->tol[q]))
      res->pass = 0;
  }
  if (!res->pass)
    st = grl_fail(GRL_EFAIL, "text gradcheck: worst relative error central %.2g at %s (tol %g), complex %.2g at %s (tol %g)",
                  res->worst[0], res->where[0], res->tol[0], res->worst[1],
                  res->where[1], res->tol[1]);
done:
  problem_free(&p);
  free(a);
  free(num[0]);
  free(num[1]);
  free(h0p);
  free(c0p);
  return st;
}
