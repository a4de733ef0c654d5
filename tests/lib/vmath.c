/* tests/lib/vmath.c -- grl_sigmoid_n and grl_tanh_n, the array forms the cells
 * use, and grl_loss_xent's rows (SLEEF's vector exp and expm1 when the
 * build and CPU have them):
 * sigma within 2 ULP of the scalar grl_sigmoid (SLEEF's exp, 1 ULP, plus
 * glibc's) and tanh within 3 ULP of grl_tanh (expm1's 1 ULP, an add and a
 * divide, plus glibc's; over 4 million points the worst seen was 3, at 90
 * of them) at every point of a grid over [-800, 800], every
 * array length 1..19 (whole vectors and the padded tail), clean
 * saturation without an overflow flag, NaN kept, and y aliasing x.
 * The cross-entropy against the plain loop written out below with libm's
 * exp: every row width 1..19 and 94 (the text model's), its loss and
 * gradient (within XENT_ULP units of the last place), the same loss
 * without the gradient and in place, logits of 1e4 and -1e300 without an
 * overflow or invalid flag, and a NaN or +inf logit giving a NaN loss. */
#include <config.h>
#include "grulab.h"
#include "tap.h"

#include <fenv.h>
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_errno.h>

#define N 16001
#define XENT_ULP 4.0

/* |got - want| in units of the last place of want */
static double ulps(double got, double want)
{
  if (got == want)
    return 0.0;
  double u = nextafter(fabs(want), INFINITY) - fabs(want);
  return fabs(got - want) / (want == 0.0 ? DBL_TRUE_MIN : u);
}

/* grl_loss_xent's plain loop (loss.c), as the chapters explain it */
static double xent_plain(const double *z, size_t R, size_t C,
                         const size_t *labels, double *dz)
{
  double L = 0.0;
  for (size_t r = 0; r < R; r++) {
    const double *zr = z + r * C;
    double zmax = zr[0];
    for (size_t c = 1; c < C; c++)
      if (zr[c] > zmax)
        zmax = zr[c];
    double s = 0.0;
    for (size_t c = 0; c < C; c++)
      s += exp(zr[c] - zmax);
    L += zmax + log(s) - zr[labels[r]];
    for (size_t c = 0; c < C; c++)
      dz[r * C + c] = (exp(zr[c] - zmax) / s - (c == labels[r])) / (double)R;
  }
  return L / (double)R;
}

/* The worst error of grl_loss_xent against xent_plain over R rows of C
 * logits z: the loss's and every gradient entry's, in units of the last
 * place of the larger of the value and (gradient) 1/R, the scale of the
 * label's entry, where e/s - 1 cancels. */
static double xent_worst(const double *z, size_t R, size_t C,
                         const size_t *labels, int *nograd_same)
{
  double *dz = malloc(R * C * sizeof *dz), *want = malloc(R * C * sizeof *want);
  if (!dz || !want)
    bail("out of memory");
  gsl_matrix_const_view zv = gsl_matrix_const_view_array(z, R, C);
  gsl_matrix_view dzv = gsl_matrix_view_array(dz, R, C);
  double L = grl_loss_xent(&zv.matrix, labels, &dzv.matrix);
  double Lw = xent_plain(z, R, C, labels, want);
  *nograd_same &= grl_loss_xent(&zv.matrix, labels, NULL) == L;
  double w = ulps(L, Lw);
  const double u = nextafter(1.0 / (double)R, INFINITY) - 1.0 / (double)R;
  for (size_t i = 0; i < R * C; i++) {
    double e = ulps(dz[i], want[i]);
    double a = fabs(dz[i] - want[i]) / u;
    e = e < a ? e : a;
    if (!(e <= w))
      w = e;
  }
  free(dz);
  free(want);
  return w;
}

static double worst(void (*fn)(double *, const double *, size_t),
                    double (*ref)(double), const double *x, double *y,
                    size_t n, size_t *at)
{
  fn(y, x, n);
  double w = 0.0;
  for (size_t i = 0; i < n; i++) {
    double e = ulps(y[i], ref(x[i]));
    if (!(e <= w)) {   /* NaN counts as worst */
      w = e;
      *at = i;
    }
  }
  return w;
}

int main(void)
{
  gsl_set_error_handler_off();
  plan(15);
  diag("vector kernel: %s", grl_vmath_name());
  double *x = malloc(N * sizeof *x), *y = malloc(N * sizeof *y);
  if (!x || !y)
    bail("out of memory");
  /* -800 .. 800, step 0.1, shifted off the round numbers */
  for (size_t i = 0; i < N; i++)
    x[i] = -800.0 + 0.1 * (double)i + 0.0137;
  size_t at = 0;
  double w = worst(grl_sigmoid_n, grl_sigmoid, x, y, N, &at);
  ok(w <= 2.0, "sigmoid_n within 2 ULP of grl_sigmoid on [-800, 800] (worst %.2g ULP at x = %.17g)", w, x[at]);
  w = worst(grl_tanh_n, grl_tanh, x, y, N, &at);
  ok(w <= 3.0, "tanh_n within 3 ULP of grl_tanh on [-800, 800] (worst %.2g ULP at x = %.17g)", w, x[at]);

  /* every length 1..19 from an odd offset: the tail path */
  const double pts[] = {2.385, -0.731, 7.919, -4.2617, 0.0137, -13.05, 31.7,
                        -709.5, 710.2, 0.5, -2.25, 19.3, -19.3, 1e-9, -1e-300,
                        88.8, -37.1, 3.3, -0.0};
  int lengths_ok = 1;
  for (size_t n = 1; n <= sizeof pts / sizeof pts[0]; n++) {
    double out[32];
    grl_sigmoid_n(out, pts, n);
    for (size_t i = 0; i < n; i++)
      lengths_ok &= ulps(out[i], grl_sigmoid(pts[i])) <= 2.0;
    grl_tanh_n(out, pts, n);
    for (size_t i = 0; i < n; i++)
      lengths_ok &= ulps(out[i], grl_tanh(pts[i])) <= 3.0;
  }
  ok(lengths_ok, "every length 1..19: the padded tail agrees too");

  /* saturation, no overflow */
  double big[4] = {-800.0, 800.0, -DBL_MAX, DBL_MAX}, s[4], t[4];
  feclearexcept(FE_ALL_EXCEPT);
  grl_sigmoid_n(s, big, 4);
  grl_tanh_n(t, big, 4);
  ok(!fetestexcept(FE_OVERFLOW), "no overflow flag at +-800 and +-DBL_MAX");
  ok(s[0] >= 0.0 && s[0] < 1e-300 && s[2] == 0.0 && s[1] == 1.0 && s[3] == 1.0,
     "sigmoid_n saturates: %g %g %g %g", s[0], s[1], s[2], s[3]);
  ok(t[0] == -1.0 && t[1] == 1.0 && t[2] == -1.0 && t[3] == 1.0,
     "tanh_n saturates to -1, 1 exactly");
  is_double(s[0], grl_sigmoid(-800.0), 1e-12, "sigmoid_n(-800) = e^-800, as the scalar form");

  /* NaN stays NaN; y may alias x */
  double nan2[2] = {NAN, 0.0};
  grl_sigmoid_n(nan2, nan2, 2);
  ok(isnan(nan2[0]) && nan2[1] == 0.5, "sigmoid_n: NaN stays NaN, sigma(0) = 0.5 in place");
  double tn[2] = {NAN, 0.0};
  grl_tanh_n(tn, tn, 2);
  ok(isnan(tn[0]) && tn[1] == 0.0, "tanh_n: NaN stays NaN, tanh(0) = 0 in place");

  /* the cross-entropy: 5 rows of logits spread over +-12, every width */
  double xz[5 * 94];
  size_t lab[5];
  unsigned long long st = 12345;
  for (size_t i = 0; i < 5 * 94; i++) {
    st = st * 6364136223846793005ULL + 1442695040888963407ULL;
    xz[i] = 24.0 * ((double)(st >> 11) / 9007199254740992.0) - 12.0;
  }
  double xw = -1.0;
  size_t xw_at = 0;
  int nograd_same = 1;
  for (size_t C = 1; C <= 94; C = C < 19 ? C + 1 : 94) {
    for (size_t r = 0; r < 5; r++)
      lab[r] = (r * 37 + 11) % C;
    double wc = xent_worst(xz, 5, C, lab, &nograd_same);
    if (!(wc <= xw)) {
      xw = wc;
      xw_at = C;
    }
    if (C == 94)
      break;
  }
  ok(xw <= XENT_ULP, "cross-entropy: loss and gradient within %g ULP of the plain loop, widths 1..19 and 94 (worst %.2g, width %zu)", XENT_ULP, xw, xw_at);
  ok(nograd_same, "cross-entropy: the same loss without the gradient");
  {
    double zs[5 * 94], dzs[5 * 94];
    memcpy(zs, xz, sizeof zs);
    gsl_matrix_view a = gsl_matrix_view_array(xz, 5, 94), b = gsl_matrix_view_array(zs, 5, 94),
                    db = gsl_matrix_view_array(dzs, 5, 94);
    double La = grl_loss_xent(&a.matrix, lab, &db.matrix);
    double Lb = grl_loss_xent(&b.matrix, lab, &b.matrix);   /* dz is z */
    ok(La == Lb && memcmp(zs, dzs, sizeof zs) == 0,
       "cross-entropy: in place (dz = z) the same loss and gradient");
  }
  double zb[2 * 3] = {1.0e4, -3.0e3, 0.0, -1e300, 2.5, -1e300}, dzb[6];
  size_t labb[2] = {1, 0};
  gsl_matrix_view zbv = gsl_matrix_view_array(zb, 2, 3), dzbv = gsl_matrix_view_array(dzb, 2, 3);
  feclearexcept(FE_ALL_EXCEPT);
  double Lb = grl_loss_xent(&zbv.matrix, labb, &dzbv.matrix);
  ok(!fetestexcept(FE_OVERFLOW | FE_INVALID), "cross-entropy: no overflow or invalid flag at logits 1e4 and -1e300");
  is_double(Lb, (1.3e4 + (2.5 + 1e300)) / 2.0, 1e-15, "cross-entropy: logits 1e4 and -1e300 give the exact loss (%.17g)", Lb);
  double zn[2 * 3] = {0.5, NAN, -1.0, 0.5, INFINITY, -1.0};
  size_t labn[2] = {0, 0};
  gsl_matrix_const_view znv = gsl_matrix_const_view_array(zn, 1, 3),
                        ziv = gsl_matrix_const_view_array(zn + 3, 1, 3);
  ok(isnan(grl_loss_xent(&znv.matrix, labn, NULL)) && isnan(grl_loss_xent(&ziv.matrix, labn, NULL)),
     "cross-entropy: a NaN or +inf logit gives a NaN loss, as the plain loop does");
  free(x);
  free(y);
  return exit_status();
}
