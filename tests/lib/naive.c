/* naive.c -- the batched BLAS path equals the naive element-by-element
 * reference for every cell, and BPTT's gradients agree with central
 * differences of the BLAS forward on a few entries of every tensor.
 * (The exhaustive checks live in the gradcheck and golden tests.) */
#include <config.h>
#include "grulab.h"
#include "tap.h"

#include <gsl/gsl_errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static double *rand_vec(gsl_rng *r, size_t n, double scale)
{
  double *v = malloc(n * sizeof *v);
  if (!v)
    bail("out of memory");
  for (size_t i = 0; i < n; i++)
    v[i] = scale * (2.0 * gsl_rng_uniform(r) - 1.0);
  return v;
}

/* The larger of a and b, NaN if either is NaN (fmax drops NaN: a NaN
 * gradient would pass a "worst < tol" test). */
static double worst_of(double a, double b)
{
  return isnan(a) || isnan(b) ? NAN : a > b ? a : b;
}

static double max_rel(const double *a, const double *b, size_t n)
{
  double worst = 0.0;
  for (size_t i = 0; i < n; i++) {
    double d = fabs(a[i] - b[i]) / fmax(1.0, fabs(b[i]));
    worst = worst_of(worst, d);
  }
  return worst;
}

/* L = sum g*out + 0.5*|h_T|^2 through the BLAS forward; NaN if it fails. */
static double loss(grl_seq *s, const double *theta, const double *x,
                   const double *h0, const double *c0, const double *g)
{
  if (grl_seq_forward(s, theta, x, h0, c0) != GRL_OK)
    return NAN;
  return grl_gradcheck_loss(s, g);
}

static double central(grl_seq *s, double *v, size_t i, double *theta,
                      const double *x, const double *h0, const double *c0,
                      const double *g)
{
  double keep = v[i], h = 6e-6 * fmax(1.0, fabs(keep));
  v[i] = keep + h;
  double up = loss(s, theta, x, h0, c0, g);
  v[i] = keep - h;
  double dn = loss(s, theta, x, h0, c0, g);
  v[i] = keep;
  return (up - dn) / (2.0 * h);
}

/* One forward and backward pass of a (T, B) batch through s, into
 * out (T*B*H) and grads (dtheta, dx, dh0[, dc0]) as one array. */
static void pass(grl_seq *s, const double *x, const double *h0,
                 const double *c0, const double *g, double *out,
                 double *grads)
{
  const grl_model *m = grl_seq_model(s);
  size_t T = grl_seq_length(s), B = grl_seq_batch(s), H = m->hidden_size,
         I = m->input_size;
  double *dx = grads + m->n, *dh0 = dx + T * B * I, *dc0 = dh0 + B * H;
  if (grl_seq_forward(s, NULL, x, h0, c0) != GRL_OK
      || grl_seq_backward(s, NULL, x, g, NULL, NULL, grads, dx, dh0,
                          c0 ? dc0 : NULL) != GRL_OK)
    bail("pass: %s", grl_strerror());
  gsl_matrix_view o = grl_seq_output(s);
  memcpy(out, o.matrix.data, T * B * H * sizeof *out);
}

/* With the fast backend, each step's recurrent product runs on libxsmm's
 * kernels: on W_hh^T as it is for a small W_hh, in column panels for a
 * larger one, with the batch split into two blocks.  Both give what the
 * plain path gives (GRL_SEQ_PLAIN: every product on the CBLAS, the batch
 * in one block, so the bias sums' blocks are checked too), for every
 * cell, forward and backward. */
static void kernel_paths(gsl_rng *rng, const grl_cell *cell, size_t T,
                         size_t B, size_t H, int panels)
{
  const size_t I = 3;
  grl_model *m;
  grl_seq *s, *ref;
  if (grl_model_alloc(&m, cell, I, H, 0) || grl_seq_alloc(&s, m, T, B)
      || grl_seq_alloc_flags(&ref, m, T, B, GRL_SEQ_PLAIN))
    bail("alloc: %s", grl_strerror());
  const char *what = panels ? "W_hh in panels" : "W_hh^T whole";
  if (!grl_products_name()) {
    /* both would be the CBLAS path: nothing to compare */
    for (int k = 0; k < 3; k++)
      skip("%s (T=%zu, B=%zu, H=%zu): built without the fast backend's "
           "kernels", cell->name, T, B, H);
    grl_seq_free(s);
    grl_seq_free(ref);
    grl_model_free(m);
    return;
  }
  const char *path = grl_seq_path(s);
  ok(strstr(path, what) && strstr(path, "; 2 blocks")
     && !strcmp(grl_seq_path(ref), "plain"), "%s (T=%zu, B=%zu, H=%zu): "
     "the steps run on %s, in 2 blocks (%s), the reference on the plain "
     "path", cell->name, T, B, H, what, path);
  for (size_t i = 0; i < m->n; i++)
    m->theta[i] = 2.0 / sqrt((double)H) * (2.0 * gsl_rng_uniform(rng) - 1.0);
  double *x = rand_vec(rng, T * B * I, 1.0), *h0 = rand_vec(rng, B * H, 0.8);
  double *c0 = cell->has_c ? rand_vec(rng, B * H, 0.8) : NULL;
  double *g = rand_vec(rng, T * B * H, 1.0);
  size_t nout = T * B * H, ngrad = m->n + T * B * I + 2 * B * H;
  double *out[2], *grads[2];
  for (int k = 0; k < 2; k++) {
    out[k] = malloc(nout * sizeof **out);
    grads[k] = calloc(ngrad, sizeof **grads);
    if (!out[k] || !grads[k])
      bail("out of memory");
    pass(k ? ref : s, x, h0, c0, g, out[k], grads[k]);
  }
  double e = max_rel(out[0], out[1], nout);
  ok(e <= 1e-13, "%s: %s, outputs == the reference's (max rel diff %.2e)",
     cell->name, what, e);
  e = max_rel(grads[0], grads[1], ngrad);
  ok(e <= 1e-12, "%s: %s, every gradient == the reference's (max rel diff "
     "%.2e)", cell->name, what, e);
  for (int k = 0; k < 2; k++) {
    free(out[k]);
    free(grads[k]);
  }
  free(x); free(h0); free(c0); free(g);
  grl_seq_free(s);
  grl_seq_free(ref);
  grl_model_free(m);
}

int main(void)
{
  gsl_set_error_handler_off();
  /* Per cell: forward, naive forward, output, [c_T: lstm], [cached gates:
   * every gated cell], backward, dtheta, dx/dh0; then the kernel paths,
   * 2 x 3. */
  int n = 0;
  for (const grl_cell *const *cp = grl_cell_all(); *cp; cp++)
    n += 6 + ((*cp)->has_c != 0) + ((*cp)->ngate > 0) + 2 * 3;
  plan(n);
  gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
  gsl_rng_set(rng, 2385);
  const size_t T = 9, B = 3, I = 5, H = 4;
  for (const grl_cell *const *cp = grl_cell_all(); *cp; cp++) {
    const grl_cell *cell = *cp;
    grl_model *m;
    grl_seq *s;
    if (grl_model_alloc(&m, cell, I, H, 0) || grl_seq_alloc(&s, m, T, B))
      bail("alloc: %s", grl_strerror());
    for (size_t i = 0; i < m->n; i++)
      m->theta[i] = 0.9 * (2.0 * gsl_rng_uniform(rng) - 1.0);
    double *x = rand_vec(rng, T * B * I, 1.3), *h0 = rand_vec(rng, B * H, 0.8);
    double *c0 = rand_vec(rng, B * H, 0.8), *g = rand_vec(rng, T * B * H, 1.0);
    const double *c0p = cell->has_c ? c0 : NULL;

    /* 1. BLAS forward against the naive reference. */
    ok(grl_seq_forward(s, NULL, x, h0, c0p) == GRL_OK, "%s: forward runs", cell->name);
    size_t NG = cell->ngate * H;
    double *out = malloc(T * B * H * sizeof *out), *hT = malloc(B * H * sizeof *hT);
    double *cT = malloc(B * H * sizeof *cT);
    double *gates = malloc((NG ? T * B * NG : 1) * sizeof *gates);
    ok(grl_naive_forward(m, T, B, m->theta, x, h0, c0p, out, hT, cT,
                         NG ? gates : NULL) == GRL_OK, "%s: naive forward runs", cell->name);
    gsl_matrix_view o = grl_seq_output(s);
    double e = max_rel(o.matrix.data, out, T * B * H);
    ok(e <= 1e-13, "%s: naive output == BLAS output (max rel diff %.2e)", cell->name, e);
    if (cell->has_c) {
      gsl_matrix_view c = grl_seq_cT(s);
      e = max_rel(c.matrix.data, cT, B * H);
      ok(e <= 1e-13, "%s: naive c_T == BLAS c_T (max rel diff %.2e)", cell->name, e);
    }
    /* The driver's cache holds the same gate activations, gate k in
     * columns [k*H, (k+1)*H). */
    if (NG) {
      double worst = 0.0;
      for (size_t row = 0; row < T * B; row++)
        for (size_t k = 0; k < NG; k++)
          worst = worst_of(worst, fabs(gsl_matrix_get(grl_seq_cache(s), row, k) - gates[row * NG + k]));
      ok(worst <= 1e-13, "%s: cached gates == naive gates (max diff %.2e)", cell->name, worst);
    }

    /* 2. BPTT against central differences, a few entries of each tensor. */
    double *dtheta = calloc(m->n, sizeof *dtheta), *dx = calloc(T * B * I, sizeof *dx);
    double *dh0 = calloc(B * H, sizeof *dh0), *dc0 = calloc(B * H, sizeof *dc0);
    loss(s, NULL, x, h0, c0p, g);
    gsl_matrix_view hTv = grl_seq_hT(s);
    double *dhT = malloc(B * H * sizeof *dhT);
    memcpy(dhT, hTv.matrix.data, B * H * sizeof *dhT);
    ok(grl_seq_backward(s, NULL, x, g, dhT, NULL, dtheta, dx, dh0,
                        cell->has_c ? dc0 : NULL) == GRL_OK, "%s: backward runs", cell->name);
    double worst = 0.0;
    for (size_t p = 0; p < m->nparam; p++) {
      const grl_param *P = &m->param[p];
      size_t cnt = P->rows * P->cols;
      for (size_t k = 0; k < cnt; k += 1 + cnt / 4) {
        size_t i = P->offset + k;
        double num = central(s, m->theta, i, m->theta, x, h0, c0p, g);
        worst = worst_of(worst, fabs(num - dtheta[i]) / fmax(1.0, fabs(num)));
      }
    }
    ok(worst < 1e-7, "%s: dtheta matches central differences (worst %.2e)", cell->name, worst);
    worst = 0.0;
    for (size_t i = 0; i < T * B * I; i += 7)
      worst = worst_of(worst, fabs(central(s, x, i, m->theta, x, h0, c0p, g) - dx[i]));
    for (size_t i = 0; i < B * H; i += 2)
      worst = worst_of(worst, fabs(central(s, h0, i, m->theta, x, h0, c0p, g) - dh0[i]));
    if (cell->has_c)
      for (size_t i = 0; i < B * H; i += 2)
        worst = worst_of(worst, fabs(central(s, c0, i, m->theta, x, h0, c0p, g) - dc0[i]));
    ok(worst < 1e-7, "%s: dx, dh0%s match central differences (worst %.2e)",
       cell->name, cell->has_c ? ", dc0" : "", worst);

    free(out); free(hT); free(cT); free(gates); free(dtheta); free(dx);
    free(dh0); free(dc0); free(dhT); free(x); free(h0); free(c0); free(g);
    grl_seq_free(s);
    grl_model_free(m);
  }
  /* 3. The kernel paths: H = 320 makes every cell's W_hh too large for
   * the small path (G*H*H > 256*384); B = 32 and B = 40 split the batch
   * into two blocks. */
  for (const grl_cell *const *cp = grl_cell_all(); *cp; cp++) {
    kernel_paths(rng, *cp, 9, 32, 320, 1);
    kernel_paths(rng, *cp, 9, 40, 16, 0);
  }
  gsl_rng_free(rng);
  return exit_status();
}
