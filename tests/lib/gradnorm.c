/* tests/lib/gradnorm.c -- the gradient-norm-against-lag analysis: a tanh RNN
 * with lambda_1 = 0.5 vanishes at least as fast as 0.5^k (Pascanu et al.
 * 2013), the step Jacobians are the true ones, and a GRU whose update
 * gate is biased towards keeping h carries the gradient much further. */
#include <config.h>
#include "grulab.h"
#include "tap.h"

#include <gsl/gsl_eigen.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_complex_math.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_errno.h>

static double sigma_max(const gsl_matrix *W)
{
  const size_t n = W->size2;
  gsl_matrix *A = gsl_matrix_alloc(W->size1, n), *V = gsl_matrix_alloc(n, n);
  gsl_vector *S = gsl_vector_alloc(n), *w = gsl_vector_alloc(n);
  gsl_matrix_memcpy(A, W);
  gsl_linalg_SV_decomp(A, V, S, w);
  double s = gsl_vector_get(S, 0);
  gsl_matrix_free(A);
  gsl_matrix_free(V);
  gsl_vector_free(S);
  gsl_vector_free(w);
  return s;
}

/* norm and jac (T) for a cell at PyTorch's init, then modified */
static grl_model *setup(const grl_cell *c, size_t H, gsl_rng *r)
{
  grl_model *m;
  if (grl_model_alloc(&m, c, 2, H, 0))
    bail("model: %s", grl_strerror());
  grl_model_init_uniform(m, r);
  return m;
}

static void run(grl_model *m, size_t T, size_t B, gsl_rng *r, double *norm,
                double *jac)
{
  grl_gradnorm *g;
  grl_task *t;
  if (grl_gradnorm_alloc(&g, m, T, B) || grl_task_alloc(&t, "adding", T, B))
    bail("gradnorm: %s", grl_strerror());
  grl_task_sample(t, r);
  if (grl_gradnorm_run(g, NULL, t->x->data, r, norm, jac))
    bail("gradnorm run: %s", grl_strerror());
  grl_task_free(t);
  grl_gradnorm_free(g);
}

int main(void)
{
  gsl_set_error_handler_off();
  plan(5 + 3 + 4 + 3);
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  gsl_rng_set(r, 2385);
  enum { T = 40, H = 24 };
  double norm[T], jac[T];

  /* ---- tanh RNN, lambda_1 = 0.5 --------------------------------------- */
  grl_model *m = setup(&grl_cell_rnn, H, r);
  if (grl_init_singular_value(m, 0.5))
    bail("%s", grl_strerror());
  grl_views v;
  grl_model_bind(m, m->theta, &v);
  is_double(sigma_max(&v.Wh.matrix), 0.5, 1e-13, "rnn: W_hh rescaled to largest singular value 0.5");
  run(m, T, 16, r, norm, jac);
  is_double(norm[0], 1.0, 1e-14, "lag 0: the unit gradient put on h_T");
  int under = 1, decays = 1;
  size_t worst_k = 0;
  for (size_t k = 0; k < T; k++) {
    /* Pascanu et al.: ||dL/dh_{T-k}|| <= (lambda_1 gamma)^k, gamma = 1 */
    if (norm[k] > pow(0.5, (double)k) * (1 + 1e-12)) {
      under = 0;
      worst_k = k;
    }
    if (k && !(norm[k] < norm[k - 1]))
      decays = 0;
  }
  ok(under, "rnn lambda1=0.5: ||dL/dh_{T-k}|| <= 0.5^k at every lag (first failure k=%zu)", worst_k);
  ok(decays && norm[T - 1] > 0, "and it decays monotonically, to %.3g at lag %d", norm[T - 1], T - 1);
  int jac_ok = 1;
  for (size_t k = 0; k < T; k++)
    jac_ok &= jac[k] <= 0.5 * (1 + 1e-12) && jac[k] > 0;
  ok(jac_ok, "every step Jacobian ||diag(1-h^2) W_hh|| <= lambda1 = 0.5");

  /* ---- the Jacobian is the true one: B = 1, by hand -------------------- */
  grl_model_init_uniform(m, r);
  grl_init_singular_value(m, 1.5);
  grl_model_bind(m, m->theta, &v);
  grl_seq *s;
  grl_task *t;
  grl_gradnorm *g;
  const size_t T1 = 6;
  grl_seq_alloc(&s, m, T1, 1);
  grl_task_alloc(&t, "adding", T1, 1);
  grl_gradnorm_alloc(&g, m, T1, 1);
  grl_task_sample(t, r);
  grl_gradnorm_run(g, NULL, t->x->data, r, norm, jac);
  grl_seq_forward(s, NULL, t->x->data, NULL, NULL);
  /* step 3 (h_3 = output of step index 2, lag T1-3): J = diag(1-h_3^2) W_hh */
  gsl_matrix *J = gsl_matrix_alloc(H, H);
  for (size_t i = 0; i < H; i++) {
    double hi = gsl_matrix_get(grl_seq_states(s), 3, i);
    for (size_t j = 0; j < H; j++)
      gsl_matrix_set(J, i, j, (1 - hi * hi) * gsl_matrix_get(&v.Wh.matrix, i, j));
  }
  is_double(jac[T1 - 3], sigma_max(J), 1e-12, "rnn: jacobian_norm at lag 3 = sigma_max(diag(1-h^2) W_hh), by hand");
  int chain = 1;
  for (size_t k = 0; k + 1 < T1; k++)
    chain &= norm[k + 1] <= jac[k] * norm[k] * (1 + 1e-12);
  ok(chain, "||dL/dh_{T-k-1}|| <= ||J_{T-k}|| ||dL/dh_{T-k}|| at every lag");
  ok(norm[T1 - 1] > 0 && isfinite(norm[T1 - 1]), "lambda1 = 1.5 gives finite norms");
  gsl_matrix_free(J);
  grl_seq_free(s);
  grl_task_free(t);
  grl_gradnorm_free(g);
  grl_model_free(m);

  /* ---- GRU: the update-gate bias keeps the gradient alive ------------- */
  double n0[T], n4[T], j4[T];
  m = setup(&grl_cell_gru, H, r);
  double *theta0 = malloc(m->n * sizeof *theta0);
  memcpy(theta0, m->theta, m->n * sizeof *theta0);
  if (grl_init_keep_gate_bias(m, 0.0))
    bail("%s", grl_strerror());
  const grl_param *bi = grl_model_param(m, "bias_ih_l0"), *bh = grl_model_param(m, "bias_hh_l0");
  ok(m->theta[bi->offset + H + 5] == 0.0 && m->theta[bh->offset + H + 5] == 0.0
     && m->theta[bi->offset + 5] == theta0[bi->offset + 5]
     && m->theta[bi->offset + 2 * H] == theta0[bi->offset + 2 * H],
     "gate bias touches b_iz and b_hz only");
  gsl_rng_set(r, 731);
  run(m, T, 16, r, n0, jac);
  grl_init_keep_gate_bias(m, 4.0);
  gsl_rng_set(r, 731);
  run(m, T, 16, r, n4, j4);
  ok(n4[T - 1] > 100 * n0[T - 1], "gru: b_z = 4 carries the gradient %d steps back %.0fx further than b_z = 0 (%.3g vs %.3g)",
     T - 1, n4[T - 1] / n0[T - 1], n4[T - 1], n0[T - 1]);
  /* z ~ sigma(4) = 0.982: dh_t/dh_{t-1} ~ diag(z), norm near 1 */
  ok(j4[T / 2] > 0.9 && j4[T / 2] < 1.2, "gru b_z = 4: step Jacobian norm %.3f is near sigma(4) = 0.982", j4[T / 2]);
  ok(n4[T - 1] > 0.3, "gru b_z = 4: the gradient at lag %d is still %.2f", T - 1, n4[T - 1]);
  grl_model_free(m);
  free(theta0);

  /* ---- the other initialisations -------------------------------------- */
  m = setup(&grl_cell_rnn, H, r);
  ok(grl_init_keep_gate_bias(m, 2.0) == GRL_EINVAL, "the rnn has no gate bias to set");
  grl_init_spectral_radius(m, 0.9);
  grl_model_bind(m, m->theta, &v);
  gsl_matrix *A = gsl_matrix_alloc(H, H);
  gsl_vector_complex *ev = gsl_vector_complex_alloc(H);
  gsl_eigen_nonsymm_workspace *ws = gsl_eigen_nonsymm_alloc(H);
  gsl_matrix_memcpy(A, &v.Wh.matrix);
  gsl_eigen_nonsymm(A, ev, ws);
  double rho = 0;
  for (size_t i = 0; i < H; i++)
    rho = fmax(rho, gsl_complex_abs(gsl_vector_complex_get(ev, i)));
  is_double(rho, 0.9, 1e-12, "spectral radius rescaled to 0.9");
  grl_model_free(m);
  m = setup(&grl_cell_lstm, 8, r);
  grl_init_keep_gate_bias(m, 3.0);
  bi = grl_model_param(m, "bias_ih_l0");
  ok(m->theta[bi->offset + 8] == 3.0 && m->theta[bi->offset + 15] == 3.0 && m->theta[bi->offset + 16] != 3.0,
     "lstm: gate bias sets the forget block b_if");
  gsl_matrix_free(A);
  gsl_vector_complex_free(ev);
  gsl_eigen_nonsymm_free(ws);
  grl_model_free(m);
  gsl_rng_free(r);
  return exit_status();
}
