/* tests/lib/optim.c -- the optimisers take PyTorch's steps, clipping caps
 * the norm and keeps the direction, the readout and the losses have
 * PyTorch's values and gradients, and the gradient check of a function
 * (grl_gradcheck_fn_run) passes a right gradient and catches a wrong one.
 *
 * The golden vectors were written by tests/reference/make-optim.py with
 * torch.optim, torch.nn.Linear and torch.nn.functional in float64:
 *   tests/data/optim-CONFIG.txt  30 steps of one optimiser on 7 parameters,
 *                                from given gradients that span decades
 *                                (one entry 1e-6 of the others, one exactly
 *                                0 at every fourth step)
 *   tests/data/readout-loss.txt  a readout under the MSE and under softmax
 *                                cross-entropy, with dL/dWo, dL/dbo, dL/dh,
 *                                and the MSE's Hessian in one output's
 *                                readout row and bias
 * Every step of every configuration is compared, entry by entry: the error
 * of a step is max |got - want| / max |want| over its entries. */
#include <config.h>
#include "grulab.h"
#include "tap.h"

#include <complex.h>
#undef I /* complex.h's imaginary unit; not used here */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_errno.h>

#define TOL_TORCH 1e-14   /* us against torch, per step (relative)   */

static const struct {
  const char *file;       /* tests/data/optim-FILE.txt */
  const char *name;       /* grl_optim_alloc's name     */
} configs[] = {
  {"sgd", "sgd"},
  {"momentum", "momentum"},
  {"momentum-mu0.5", "momentum"},
  {"rmsprop", "rmsprop"},
  {"rmsprop-alpha0.9-eps1e-3", "rmsprop"},
  {"adam", "adam"},
  {"adam-b0.8-0.99-eps1e-4", "adam"},
  {"sgd-wd0.1", "sgd"},
  {"momentum-wd0.05", "momentum"},
  {"rmsprop-wd0.01", "rmsprop"},
  {"adam-wd0.1", "adam"},
  {"adamw", "adamw"},
  {"adamw-wd0.3-b0.8-0.99", "adamw"},
  {"adagrad", "adagrad"},
  {"adagrad-eps1e-3-wd0.05", "adagrad"},
};
#define NCONFIG (sizeof configs / sizeof configs[0])
#define TESTS_PER_CONFIG 3

static grl_tensorfile *open_data(const char *rel)
{
  grl_tensorfile *tf = NULL;
  if (grl_tensorfile_read(&tf, tap_srcpath(rel)) != GRL_OK)
    bail("%s", grl_strerror());
  return tf;
}

/* The tensor NAME, which must have exactly this shape. */
static const double *need(const grl_tensorfile *tf, const char *name, int ndim,
                          size_t d0, size_t d1)
{
  const size_t dims[3] = {d0, d1, 1};
  const double *p = NULL;
  if (grl_tensorfile_get(tf, name, ndim, dims, &p) != GRL_OK)
    bail("%s", grl_strerror());
  return p;
}

static double scalar(const grl_tensorfile *tf, const char *name)
{
  return need(tf, name, 1, 1, 1)[0];
}

/* max |got - want| / max |want| */
static double step_error(const double *got, const double *want, size_t n)
{
  double e = 0.0, s = 0.0;
  for (size_t i = 0; i < n; i++) {
    s = fmax(s, fabs(want[i]));
    double d = fabs(got[i] - want[i]);
    e = d > e || isnan(d) ? d : e;
  }
  return s > 0.0 ? e / s : e;
}

/* One configuration: every step against torch; after a reset the first
 * step again; the first step by hand (m^ = g and v^ = g^2 there). */
static void check_config(size_t c)
{
  char rel[128];
  snprintf(rel, sizeof rel, "tests/data/optim-%s.txt", configs[c].file);
  grl_tensorfile *tf = open_data(rel);
  const grl_tensor *th = grl_tensorfile_find(tf, "theta");
  if (!th || th->ndim != 2)
    bail("%s: no (S, n) tensor 'theta'", rel);
  const size_t S = th->dims[0], n = th->dims[1];
  const double *theta0 = need(tf, "theta0", 1, n, 1);   /* (n)    */
  const double *grad = need(tf, "grad", 2, S, n);       /* (S, n) */
  const double *want = th->data;                        /* (S, n) */
  grl_optim *o;
  const char *name = configs[c].name;
  const int is_momentum = !strcmp(name, "momentum"), is_rmsprop = !strcmp(name, "rmsprop"),
            is_adam = !strcmp(name, "adam") || !strcmp(name, "adamw"),
            is_adamw = !strcmp(name, "adamw"), is_adagrad = !strcmp(name, "adagrad");
  if (grl_optim_alloc(&o, name, n, scalar(tf, "lr")))
    bail("%s: %s", rel, grl_strerror());
  if (is_momentum)
    o->momentum = scalar(tf, "momentum");
  if (is_rmsprop) {
    o->alpha = scalar(tf, "alpha");
    o->eps = scalar(tf, "eps");
  }
  if (is_adagrad)
    o->eps = scalar(tf, "eps");
  if (is_adam) {
    o->beta1 = scalar(tf, "beta1");
    o->beta2 = scalar(tf, "beta2");
    o->eps = scalar(tf, "eps");
  }
  /* weight decay: the file's, else none -- but adamw's default is
   * torch's 0.01, which optim-adamw.txt holds and grl_optim_alloc sets */
  if (grl_tensorfile_find(tf, "weight_decay"))
    o->weight_decay = is_adamw && !strcmp(configs[c].file, "adamw")
                      ? o->weight_decay : scalar(tf, "weight_decay");
  if (is_adamw && !strcmp(configs[c].file, "adamw"))
    ok(o->weight_decay == scalar(tf, "weight_decay"),
       "adamw: grl_optim_alloc's default weight decay is torch's, %g",
       o->weight_decay);
  double *theta = malloc(n * sizeof *theta);   /* (n) */
  if (!theta)
    bail("out of memory");
  memcpy(theta, theta0, n * sizeof *theta);
  double worst = 0.0;
  size_t worst_step = 0;
  for (size_t s = 0; s < S; s++) {
    grl_optim_step(o, theta, grad + s * n);
    double e = step_error(theta, want + s * n, n);
    if (!(e <= worst)) {
      worst = e;
      worst_step = s + 1;
    }
  }
  if (!ok(worst <= TOL_TORCH, "%s: %zu steps match torch.optim (worst "
          "relative error %.2e, step %zu)", configs[c].file, S, worst, worst_step))
    diag("tolerance %.0e", TOL_TORCH);

  /* reset forgets the moments and the step count: step 1 again */
  grl_optim_reset(o);
  memcpy(theta, theta0, n * sizeof *theta);
  grl_optim_step(o, theta, grad);
  ok(step_error(theta, want, n) <= TOL_TORCH && o->t == 1,
     "%s: after a reset, step 1 again", configs[c].file);

  /* Step 1 by hand, from the formulas, not from torch:
   *   sgd, momentum  theta - lr g                (b = g at the first step)
   *   rmsprop        theta - lr g / (sqrt(1-alpha) |g| + eps)
   *   adam           theta - lr g / (|g| + eps)   (m^ = g, sqrt(v^) = |g|)
   * with weight decay wd: L2 takes g + wd theta for g; adamw starts from
   * (1 - lr wd) theta. */
  double hand = 0.0;
  const double wd = o->weight_decay;
  for (size_t i = 0; i < n; i++) {
    double g = grad[i] + (is_adamw ? 0.0 : wd * theta0[i]), d = o->lr * g;
    const double t0 = is_adamw ? (1.0 - o->lr * wd) * theta0[i] : theta0[i];
    if (is_rmsprop)
      d = o->lr * g / (sqrt(1.0 - o->alpha) * fabs(g) + o->eps);
    if (is_adam || is_adagrad)   /* adagrad: the sum is g^2 */
      d = o->lr * g / (fabs(g) + o->eps);
    hand = fmax(hand, fabs(t0 - d - want[i]) / fmax(1.0, fabs(want[i])));
  }
  ok(hand <= 1e-15, "%s: torch's step 1 is the formula's, by hand (%.2e)",
     configs[c].file, hand);
  free(theta);
  grl_optim_free(o);
  grl_tensorfile_free(tf);
}

/* ---- the readout and the losses -------------------------------------- */

static void check_readout_losses(void)
{
  grl_tensorfile *tf = open_data("tests/data/readout-loss.txt");
  const grl_tensor *ht = grl_tensorfile_find(tf, "h");
  const grl_tensor *wt = grl_tensorfile_find(tf, "xent_weight");
  if (!ht || !wt || ht->ndim != 2 || wt->ndim != 2)
    bail("readout-loss.txt: no tensors 'h' and 'xent_weight'");
  const size_t R = ht->dims[0], H = ht->dims[1], C = wt->dims[0];
  const grl_tensor *mw = grl_tensorfile_find(tf, "mse_weight");
  if (!mw)
    bail("readout-loss.txt: no tensor 'mse_weight'");
  const size_t O = mw->dims[0];
  gsl_matrix_const_view h = gsl_matrix_const_view_array(ht->data, R, H);

  for (int loss = 0; loss < 2; loss++) {
    const char *tag = loss ? "xent" : "mse";
    const size_t K = loss ? C : O;   /* readout outputs */
    char nm[64];
    grl_model *m;
    if (grl_model_alloc(&m, &grl_cell_gru, 1, H, K))
      bail("%s", grl_strerror());
    snprintf(nm, sizeof nm, "%s_weight", tag);
    memcpy(grl_model_tensor(m, m->theta, "readout_weight"),
           need(tf, nm, 2, K, H), K * H * sizeof(double));
    snprintf(nm, sizeof nm, "%s_bias", tag);
    memcpy(grl_model_tensor(m, m->theta, "readout_bias"), need(tf, nm, 1, K, 1),
           K * sizeof(double));
    gsl_matrix *y = gsl_matrix_alloc(R, K), *dy = gsl_matrix_alloc(R, K);
    gsl_matrix *dh = gsl_matrix_alloc(R, H);
    double *dtheta = calloc(m->n, sizeof *dtheta);
    size_t *labels = malloc(R * sizeof *labels);
    if (!y || !dy || !dh || !dtheta || !labels)
      bail("out of memory");
    grl_readout_forward(m, NULL, &h.matrix, y);
    snprintf(nm, sizeof nm, "%s_%s", tag, loss ? "z" : "y");
    double e = step_error(y->data, need(tf, nm, 2, R, K), R * K);
    ok(e <= TOL_TORCH, "%s: the readout's output matches nn.Linear (%.2e)", tag, e);
    double L;
    if (loss) {
      const double *lab = need(tf, "xent_labels", 1, R, 1);
      for (size_t r = 0; r < R; r++)
        labels[r] = (size_t)lab[r];
      L = grl_loss_xent(y, labels, dy);
    } else {
      gsl_matrix_const_view t =
        gsl_matrix_const_view_array(need(tf, "mse_target", 2, R, K), R, K);
      L = grl_loss_mse(y, &t.matrix, dy);
    }
    snprintf(nm, sizeof nm, "%s_loss", tag);
    is_double(L, scalar(tf, nm), TOL_TORCH, "%s: the loss matches torch", tag);
    grl_readout_backward(m, NULL, dtheta, &h.matrix, dy, dh);
    snprintf(nm, sizeof nm, "%s_grad_weight", tag);
    e = step_error(grl_model_tensor(m, dtheta, "readout_weight"),
                   need(tf, nm, 2, K, H), K * H);
    ok(e <= TOL_TORCH, "%s: dL/dWo matches torch (%.2e)", tag, e);
    snprintf(nm, sizeof nm, "%s_grad_bias", tag);
    e = step_error(grl_model_tensor(m, dtheta, "readout_bias"),
                   need(tf, nm, 1, K, 1), K);
    ok(e <= TOL_TORCH, "%s: dL/dbo matches torch (%.2e)", tag, e);
    snprintf(nm, sizeof nm, "%s_grad_h", tag);
    e = step_error(dh->data, need(tf, nm, 2, R, H), R * H);
    ok(e <= TOL_TORCH, "%s: dL/dh matches torch (%.2e)", tag, e);
    if (!loss) {
      /* the MSE's Hessian in one output's (Wo row, bo entry) */
      gsl_matrix *A = gsl_matrix_alloc(H + 1, H + 1);
      if (!A)
        bail("out of memory");
      grl_readout_mse_hessian(&h.matrix, K, A);
      e = step_error(A->data, need(tf, "mse_hessian", 2, H + 1, H + 1), (H + 1) * (H + 1));
      ok(e <= TOL_TORCH, "mse: the Hessian in (Wo[0,:], bo[0]) matches torch's (%.2e)", e);
      gsl_matrix_free(A);
    }
    gsl_matrix_free(y);
    gsl_matrix_free(dy);
    gsl_matrix_free(dh);
    free(dtheta);
    free(labels);
    grl_model_free(m);
  }
  grl_tensorfile_free(tf);

  /* logits of 1e4 overflow a naive exp; logsumexp does not */
  double big[3] = {1.0e4, -3.0e3, 0.0}, dbig[3];
  size_t lab1 = 1;
  gsl_matrix_view zb = gsl_matrix_view_array(big, 1, 3), dzb = gsl_matrix_view_array(dbig, 1, 3);
  double L = grl_loss_xent(&zb.matrix, &lab1, &dzb.matrix);
  is_double(L, 1.3e4, 1e-15, "cross-entropy is stable for logits of 1e4");
  is_double(dbig[0] + dbig[1] + dbig[2], 0.0, 1e-15, "its gradient sums to 0");
}

/* ---- clipping by global norm (Pascanu et al. 2013, Algorithm 1) ------- */

static void check_clipping(void)
{
  double g[3] = {3.117, -4.206, 0.573}, g0[3];
  memcpy(g0, g, sizeof g);
  double n0 = sqrt(3.117 * 3.117 + 4.206 * 4.206 + 0.573 * 0.573);
  int clipped = -1;
  double before = grl_clip_global_norm(g, 3, 1.25, &clipped);
  is_double(before, n0, 1e-15, "clip returns the norm before clipping");
  is_int(clipped, 1, "a gradient above the threshold is clipped");
  is_double(grl_norm(g, 3), 1.25, 1e-15, "clipped norm equals the threshold");
  double dot = 0;
  for (int i = 0; i < 3; i++)
    dot += g[i] * g0[i];
  is_double(dot / (grl_norm(g, 3) * n0), 1.0, 1e-15, "clipping keeps the direction (cosine 1)");
  is_double(g[1] / g[0], g0[1] / g0[0], 1e-15, "clipping scales every entry alike");
  memcpy(g, g0, sizeof g);
  grl_clip_global_norm(g, 3, 7.5, &clipped);
  ok(clipped == 0 && memcmp(g, g0, sizeof g) == 0, "a gradient below the threshold is untouched");
  grl_clip_global_norm(g, 3, 0.0, &clipped);
  ok(clipped == 0 && memcmp(g, g0, sizeof g) == 0, "threshold 0 turns clipping off");
  double huge[2] = {3.7e300, -2.9e300};
  before = grl_clip_global_norm(huge, 2, 1.0, &clipped);
  ok(isfinite(before), "the norm of entries near 1e300 does not overflow (%g)", before);
  is_double(grl_norm(huge, 2), 1.0, 1e-14, "and clipping brings it to the threshold");
  is_double(huge[0] / huge[1], 3.7 / -2.9, 1e-14, "and keeps its direction");
  ok(grl_all_finite(g0, 3), "grl_all_finite: finite");
  g0[2] = NAN;
  ok(!grl_all_finite(g0, 3), "grl_all_finite: NaN found");
}

/* ---- the gradient check of a function ---------------------------------
 * L(u) = sum_i c_i exp(a_i u_i) + (u_0 u_1 u_2)^2, a curved function of
 * a (2, 2) tensor "w" and a (3) tensor "b"; its gradient by hand. */
static const double fn_a[7] = {0.731, -1.29, 0.447, 2.385, -0.612, 1.118, 0.293};
static const double fn_c[7] = {1.13, 0.58, -0.77, 0.241, 1.91, -0.35, 0.66};

static double fn_loss(const double *u, void *ctx)
{
  (void)ctx;
  double L = 0.0, p = u[0] * u[1] * u[2];
  for (int i = 0; i < 7; i++)
    L += fn_c[i] * exp(fn_a[i] * u[i]);
  return L + p * p;
}

static double _Complex fn_loss_c(const double _Complex *u, void *ctx)
{
  (void)ctx;
  double _Complex L = 0.0, p = u[0] * u[1] * u[2];
  for (int i = 0; i < 7; i++)
    L += fn_c[i] * cexp(fn_a[i] * u[i]);
  return L + p * p;
}

static void fn_grad(const double *u, double *g)
{
  double p = u[0] * u[1] * u[2];
  for (int i = 0; i < 7; i++)
    g[i] = fn_c[i] * fn_a[i] * exp(fn_a[i] * u[i]);
  /* d(p^2)/du_0 = 2 p u_1 u_2, ... */
  g[0] += 2.0 * p * u[1] * u[2];
  g[1] += 2.0 * p * u[0] * u[2];
  g[2] += 2.0 * p * u[0] * u[1];
}

/* The tamper hook: add *(double *)arg to entry 1 of tensor "b". */
static void bump_b1(const char *tensor, double *grad, size_t size, void *arg)
{
  if (strcmp(tensor, "b") == 0 && size > 1)
    grad[1] += *(const double *)arg;
}

static void check_fn(void)
{
  static const grl_gradcheck_fn_tensor ts[2] = {{"w", 2, {2, 2, 1}},
                                                {"b", 1, {3, 1, 1}}};
  grl_gradcheck_fn f = {"test function", 2, ts, fn_loss, fn_loss_c, NULL};
  const double u[7] = {0.913, -1.472, 0.208, 0.64, -0.385, 1.21, -0.77};
  double g[7];
  fn_grad(u, g);
  static const int methods[4] = {GRL_GC_FORWARD, GRL_GC_CENTRAL, GRL_GC_GSL,
                                 GRL_GC_COMPLEX};
  for (int k = 0; k < 4; k++) {
    grl_gradcheck_opts o;
    grl_gradcheck_opts_init(&o, methods[k]);
    grl_gradcheck_report *rep = NULL;
    int st = grl_gradcheck_fn_run(&rep, &f, u, g, &o);
    ok(st == GRL_OK && rep && rep->pass && rep->checked == 7 && rep->nrow == 2,
       "fn check, %s: a right gradient passes (worst %.2e <= %.0e)",
       grl_gradcheck_method_name(methods[k]), rep ? rep->worst : NAN,
       rep ? rep->tolerance : NAN);
    grl_gradcheck_report_free(rep);
  }
  /* An error of 1e-4 on b[1] fails central differences, which name it;
   * one of 1e-9 passes them and fails the complex step. */
  const double big = 1e-4 * fabs(g[5]), tiny = 1e-9 * fabs(g[5]);
  for (int k = 0; k < 2; k++) {
    grl_gradcheck_opts o;
    grl_gradcheck_opts_init(&o, k ? GRL_GC_COMPLEX : GRL_GC_CENTRAL);
    o.tamper = bump_b1;
    o.tamper_arg = (void *)(k ? &tiny : &big);
    grl_gradcheck_report *rep = NULL;
    int st = grl_gradcheck_fn_run(&rep, &f, u, g, &o);
    ok(st == GRL_EFAIL && rep && rep->worst_row == 1 && rep->row[1].worst_at == 1
       && strstr(grl_strerror(), "b[1]"),
       "fn check, %s: an error of %s on b[1] fails and is located (%s)",
       k ? "complex" : "central", k ? "1e-9" : "1e-4", grl_strerror());
    grl_gradcheck_report_free(rep);
  }
  {
    grl_gradcheck_opts o;
    grl_gradcheck_opts_init(&o, GRL_GC_CENTRAL);
    o.tamper = bump_b1;
    o.tamper_arg = (void *)&tiny;
    grl_gradcheck_report *rep = NULL;
    ok(grl_gradcheck_fn_run(&rep, &f, u, g, &o) == GRL_OK,
       "fn check, central: the 1e-9 error passes (below its tolerance)");
    grl_gradcheck_report_free(rep);
  }
  /* no complex form: the complex step is refused by name */
  grl_gradcheck_fn f2 = f;
  f2.loss_complex = NULL;
  grl_gradcheck_opts o;
  grl_gradcheck_opts_init(&o, GRL_GC_COMPLEX);
  grl_gradcheck_report *rep = NULL;
  ok(grl_gradcheck_fn_run(&rep, &f2, u, g, &o) == GRL_EINVAL && !rep
     && strstr(grl_strerror(), "test function"),
     "fn check: the complex step without a complex form is refused by name");
  /* sampling checks only some entries */
  grl_gradcheck_opts_init(&o, GRL_GC_CENTRAL);
  o.sample = 2;
  ok(grl_gradcheck_fn_run(&rep, &f, u, g, &o) == GRL_OK && rep
     && rep->row[0].checked == 2 && rep->row[1].checked == 2,
     "fn check: sample = 2 checks two entries of each tensor");
  grl_gradcheck_report_free(rep);
}

int main(void)
{
  gsl_set_error_handler_off();
  plan(TESTS_PER_CONFIG * (int)NCONFIG + 1 + 2 + 2 * 5 + 1 + 2 + 12 + 4 + 2 + 1 + 2);

  for (size_t c = 0; c < NCONFIG; c++)
    check_config(c);

  grl_optim *bad;
  ok(grl_optim_alloc(&bad, "adadelta", 2, 0.1) == GRL_EINVAL
     && strstr(grl_strerror(), "adadelta"), "unknown optimizer is refused by name");
  ok(grl_optim_alloc(&bad, "sgd", 2, -0.1) == GRL_EINVAL, "negative learning rate is refused");

  check_readout_losses();
  check_clipping();
  check_fn();
  return exit_status();
}
