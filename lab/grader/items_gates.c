/* items_gates.c -- lab 1: sigma, tanh and their derivatives, at points
 * from -800 to 800 (sigma, tanh) and over their outputs' ranges (the
 * derivatives), against the library's to 1e-12, relatively (the
 * derivatives against their exact values, allowing one rounding of s^2 or
 * t^2).  sigma and
 * tanh are also watched for the overflow and invalid-operation flags:
 * "numerically stable" means neither is ever raised. */
#include <config.h>
#include "grader.h"

#include <fenv.h>
#include <float.h>
#include <stdio.h>

/* The points: where the tempting forms fail (chapter 1 §2) and around. */
static const double points_a[] = {
  -800, -745, -720, -709.7, -40, -10, -2.385, -1, -1e-3, -1e-10, -1e-17,
  -1e-300, 0, 1e-300, 1e-17, 1e-10, 1e-3, 0.5, 1, 2.385, 10, 19.5, 40, 354,
  360, 709.7, 720, 800};
static const double points_s[] = {   /* sigma's outputs */
  1e-300, 1e-10, 0.01, 0.2, 0.5, 0.731, 0.99, 1 - 1e-10, 1};
static const double points_t[] = {   /* tanh's outputs */
  -1, -0.999, -0.5, -1e-8, 0, 0.3, 0.76, 0.999999, 1};
#define N_A (sizeof points_a / sizeof points_a[0])
#define N_S (sizeof points_s / sizeof points_s[0])
#define N_T (sizeof points_t / sizeof points_t[0])

static char label_buf[3][32][32];
static const char *labels_a[N_A + 1], *labels_s[N_S + 1], *labels_t[N_T + 1];

static const char *const *labels(int which)
{
  const double *pts = which == 0 ? points_a : which == 1 ? points_s : points_t;
  size_t n = which == 0 ? N_A : which == 1 ? N_S : N_T;
  const char **out = which == 0 ? labels_a : which == 1 ? labels_s : labels_t;
  const char *var = which == 0 ? "a" : which == 1 ? "s" : "t";
  if (!out[0])
    for (size_t i = 0; i < n; i++) {
      snprintf(label_buf[which][i], sizeof label_buf[which][i], "%s = %.10g",
               var, pts[i]);
      out[i] = label_buf[which][i];
    }
  return out;
}

/* f at every point, with the floating-point flags each call raised. */
static void run_points(lab_result *res, const lab_impl *impl, int fn)
{
  int which = fn == LAB_FN_lab_dsigmoid ? 1 : fn == LAB_FN_lab_dtanh ? 2 : 0;
  const double *pts = which == 0 ? points_a : which == 1 ? points_s : points_t;
  size_t n = which == 0 ? N_A : which == 1 ? N_S : N_T;
  double v[32], ovf[32], inv[32];
  for (size_t i = 0; i < n; i++) {
    volatile double a = pts[i];
    feclearexcept(FE_ALL_EXCEPT);
    switch (fn) {
    case LAB_FN_lab_sigmoid: LAB_CALLV(v[i], impl, lab_sigmoid, (a)); break;
    case LAB_FN_lab_tanh: LAB_CALLV(v[i], impl, lab_tanh, (a)); break;
    case LAB_FN_lab_dsigmoid: LAB_CALLV(v[i], impl, lab_dsigmoid, (a)); break;
    default: LAB_CALLV(v[i], impl, lab_dtanh, (a)); break;
    }
    ovf[i] = fetestexcept(FE_OVERFLOW) ? 1.0 : 0.0;
    inv[i] = fetestexcept(FE_INVALID) ? 1.0 : 0.0;
  }
  lab_tensor *t = lab_add(res, "value", 0, v, 1, n, 1e-12);
  t->floor_rel = 0.0;              /* every value relative to itself */
  t->labels = labels(which);
  if (which) {
    /* The derivatives are checked against their exact values, correctly
     * rounded (ref.c), and may be off by one rounding of s^2 or t^2, an
     * absolute eps s^2: s(1 - s), s - s*s, 1 - t*t and (1 - t)(1 + t)
     * all pass.  As a floor of rel: |a - b| <= tol * eps x^2 / tol. */
    static double floors[2][32];
    for (size_t i = 0; i < n; i++)
      floors[which - 1][i] = DBL_EPSILON * pts[i] * pts[i] / 1e-12;
    t->floors = floors[which - 1];
  }
  if (which == 0) {                /* sigma and tanh must never overflow */
    t = lab_add(res, "overflow flag", 0, ovf, 1, n, 0.0);
    t->labels = labels(which);
    t = lab_add(res, "invalid flag (NaN)", 0, inv, 1, n, 0.0);
    t->labels = labels(which);
  }
}

static void run_sigmoid(lab_result *r, const lab_impl *i) { run_points(r, i, LAB_FN_lab_sigmoid); }
static void run_tanh(lab_result *r, const lab_impl *i) { run_points(r, i, LAB_FN_lab_tanh); }
static void run_dsigmoid(lab_result *r, const lab_impl *i) { run_points(r, i, LAB_FN_lab_dsigmoid); }
static void run_dtanh(lab_result *r, const lab_impl *i) { run_points(r, i, LAB_FN_lab_dtanh); }

const lab_item lab_item_sigmoid = {
  .lab = 1, .name = "lab_sigmoid", .fn = LAB_FN_lab_sigmoid,
  .what = "sigma at 28 points from a = -800 to 800, and the overflow flag",
  .run = run_sigmoid, .sizes = "28 points",
  .hint = "Each form of sigma overflows e^x on one side of 0 only: chapter 1 §2 "
          "measured where.  Branch on the sign of a so that the exponent is never positive.",
  .eqs = (const lab_eq[]){{"", "sigma(a) = 1 / (1 + e^-a)"}, {NULL, NULL}},
  .time_scale = 1,
};

const lab_item lab_item_tanh = {
  .lab = 1, .name = "lab_tanh", .fn = LAB_FN_lab_tanh,
  .what = "tanh at 28 points from a = -800 to 800, and the overflow flag",
  .run = run_tanh, .sizes = "28 points",
  .hint = "Two things go wrong with exponentials: e^2a overflows for large a "
          "(then inf/inf is NaN), and 1 - e^-2a cancels for tiny a (a = 1e-10 "
          "keeps six digits).  Work with |a| and expm1.",
  .eqs = (const lab_eq[]){{"", "-u / (2 + u),   u = e^-2a - 1 = expm1(-2a)"},
                          {NULL, NULL}},
  .time_scale = 1,
};

const lab_item lab_item_dsigmoid = {
  .lab = 1, .name = "lab_dsigmoid", .fn = LAB_FN_lab_dsigmoid,
  .what = "sigma' from sigma's output s, at 9 values of s in [0, 1]",
  .run = run_dsigmoid, .sizes = "9 values of s",
  .hint = "The argument is the OUTPUT s = sigma(a), not a: no exponential is needed.",
  .eqs = (const lab_eq[]){{"", "sigma'(a) = s (1 - s)"}, {NULL, NULL}},
  .time_scale = 1,
};

const lab_item lab_item_dtanh = {
  .lab = 1, .name = "lab_dtanh", .fn = LAB_FN_lab_dtanh,
  .what = "tanh' from tanh's output t, at 9 values of t in [-1, 1]",
  .run = run_dtanh, .sizes = "9 values of t",
  .hint = "Differentiate tanh(a) = sinh(a)/cosh(a): the result is 1/cosh^2(a), "
          "and 1/cosh^2 = 1 - tanh^2.",
  .eqs = (const lab_eq[]){{"", "tanh'(a) = 1 - t^2"}, {NULL, NULL}},
  .time_scale = 1,
};
