/* tests/lib/optim.c -- the optimisers take PyTorch's steps, clipping caps the
 * norm and keeps the direction, and the losses have the right values and
 * gradients.
 *
 * The expected numbers come from torch.optim and torch.nn.functional in
 * float64 (Debian's python3-torch), on a 2-parameter problem with three
 * fixed gradients:
 *   theta0 = (2.385, -0.731)
 *   g1 = (0.413, -1.27), g2 = (-0.29, 0.655), g3 = (1.843, 0.097)
 *   SGD(lr=0.137), SGD(lr=0.137, momentum=0.9), RMSprop(lr=0.0213),
 *   Adam(lr=0.0213), everything else at torch's defaults. */
#include <config.h>
#include "grulab.h"
#include "tap.h"

#include <math.h>
#include <string.h>
#include <gsl/gsl_errno.h>

static const double theta0[2] = {2.385, -0.731};
static const double grads[3][2] = {{0.413, -1.27}, {-0.29, 0.655}, {1.843, 0.097}};

static void check_optim(const char *name, double lr, const double want[3][2])
{
  grl_optim *o;
  if (grl_optim_alloc(&o, name, 2, lr)) {
    ok(0, "%s: alloc: %s", name, grl_strerror());
    return;
  }
  double theta[2];
  memcpy(theta, theta0, sizeof theta);
  for (int s = 0; s < 3; s++) {
    grl_optim_step(o, theta, grads[s]);
    for (int i = 0; i < 2; i++)
      is_double(theta[i], want[s][i], 1e-14, "%s step %d theta[%d] matches torch.optim", name, s + 1, i);
  }
  /* reset forgets the moments: the first step again */
  grl_optim_reset(o);
  memcpy(theta, theta0, sizeof theta);
  grl_optim_step(o, theta, grads[0]);
  is_double(theta[0], want[0][0], 1e-14, "%s: after reset, step 1 again", name);
  grl_optim_free(o);
}

int main(void)
{
  gsl_set_error_handler_off();
  plan(4 * 7 + 4 + 12 + 9);

  static const double sgd[3][2] = {
    {2.3284189999999998, -0.55701000000000001},
    {2.3681489999999998, -0.64674500000000001},
    {2.1156579999999998, -0.66003400000000001}};
  static const double momentum[3][2] = {
    {2.3284189999999998, -0.55701000000000001},
    {2.3172260999999996, -0.49015399999999998},
    {2.0546614899999995, -0.44327259999999996}};
  static const double rmsprop[3][2] = {
    {2.1720000515738374, -0.51800001677165231},
    {2.2948142978677595, -0.61602189463250057},
    {2.0892573731855992, -0.6305771385981449}};
  static const double adam[3][2] = {
    {2.3637000005157383, -0.7097000001677165},
    {2.3611330831428252, -0.70428493216763255},
    {2.3474850576224289, -0.70103104395514881}};
  check_optim("sgd", 0.137, sgd);
  check_optim("momentum", 0.137, momentum);
  check_optim("rmsprop", 0.0213, rmsprop);
  check_optim("adam", 0.0213, adam);

  /* By hand: Adam's first step is lr * sign(g) (m^ / sqrt(v^) = g/|g|)
   * and RMSProp's is lr g / (sqrt(0.01 g^2)) = 10 lr sign(g), each short
   * of that only through eps = 1e-8 in the denominator. */
  is_double(adam[0][0], theta0[0] - 0.0213, 1e-9, "hand: adam step 1 moves by lr against the gradient");
  is_double(rmsprop[0][1], theta0[1] + 10 * 0.0213, 1e-6, "hand: rmsprop step 1 moves by 10 lr");

  grl_optim *bad;
  ok(grl_optim_alloc(&bad, "adagrad", 2, 0.1) == GRL_EINVAL
     && strstr(grl_strerror(), "adagrad"), "unknown optimizer is refused by name");
  ok(grl_optim_alloc(&bad, "sgd", 2, -0.1) == GRL_EINVAL, "negative learning rate is refused");

  /* ---- clipping by global norm (Pascanu et al. 2013, Algorithm 1) -- */
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

  /* ---- losses, against torch.nn.functional -------------------------- */
  double yv[3] = {0.913, 1.472, -0.208}, tv[3] = {1.1, 0.37, 0.64}, dyv[3];
  gsl_matrix_view y = gsl_matrix_view_array(yv, 3, 1), t = gsl_matrix_view_array(tv, 3, 1),
                  dy = gsl_matrix_view_array(dyv, 3, 1);
  double L = grl_loss_mse(&y.matrix, &t.matrix, &dy.matrix);
  is_double(L, 0.65615899999999994, 1e-15, "mse_loss matches torch");
  is_double(dyv[0], -0.1246666666666667, 1e-14, "mse gradient [0] matches torch");
  is_double(dyv[2], -0.5653333333333332, 1e-14, "mse gradient [2] matches torch");

  double zv[6] = {2.385, -0.731, 0.112, -1.29, 0.447, 3.018}, dzv[6];
  size_t labels[2] = {0, 2};
  gsl_matrix_view z = gsl_matrix_view_array(zv, 2, 3), dz = gsl_matrix_view_array(dzv, 2, 3);
  L = grl_loss_xent(&z.matrix, labels, &dz.matrix);
  is_double(L, 0.11177365728401825, 1e-14, "cross_entropy matches torch");
  is_double(dzv[0], -0.06420819555937723, 1e-13, "cross-entropy gradient [0,0] matches torch");
  is_double(dzv[1], 0.019320459585149344, 1e-13, "cross-entropy gradient [0,1] matches torch");
  is_double(dzv[5], -0.04125052005938645, 1e-13, "cross-entropy gradient [1,2] matches torch");
  /* logits of 1e4 overflow a naive exp; logsumexp does not */
  double big[3] = {1.0e4, -3.0e3, 0.0}, dbig[3];
  size_t lab1 = 1;
  gsl_matrix_view zb = gsl_matrix_view_array(big, 1, 3), dzb = gsl_matrix_view_array(dbig, 1, 3);
  L = grl_loss_xent(&zb.matrix, &lab1, &dzb.matrix);
  is_double(L, 1.3e4, 1e-15, "cross-entropy is stable for logits of 1e4");
  is_double(dbig[0] + dbig[1] + dbig[2], 0.0, 1e-15, "its gradient sums to 0");

  return exit_status();
}
