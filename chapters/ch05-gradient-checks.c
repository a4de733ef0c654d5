/* ch05-gradient-checks.c -- Chapter 5: gradient checks.
 *
 * Chapter 4 derived BPTT and trusted it because two implementations
 * agreed.  Two implementations can share a mistake.  A numerical
 * derivative cannot: it only runs the forward pass.  This chapter checks
 * every entry of every gradient against four numerical derivatives, and
 * learns what each can and cannot see.
 *
 * What you will learn
 *   1. The four estimates of dL/dtheta_k, with a relative step h:
 *        forward   (L(theta + h) - L(theta)) / h          error O(h)   + eps/h
 *        central   (L(theta + h) - L(theta - h)) / 2h     error O(h^2) + eps/h
 *        gsl       gsl_deriv_central: Richardson extrapolation of a
 *                  5-point rule, with an error estimate
 *        complex   Im L(theta + i h) / h                  error O(h^2), and no
 *                  subtraction: no eps/h term at all (Squire & Trapp 1998)
 *   2. The V-curve.  Shrinking h trades truncation error for rounding error:
 *      forward is best near h = eps^(1/2) ~ 1.5e-8, central near
 *      eps^(1/3) ~ 6e-6, and the complex step keeps getting better and
 *      then stays at machine precision down to h = 1e-20.
 *   3. Per-tensor relative errors: every entry of every parameter, of the
 *      input and of h_0, for each method, against its tolerance.
 *   4. The relative error |a - n| / (|a| + |n|) misleads on tiny entries:
 *      a numerical derivative's rounding noise is ABSOLUTE, so on an entry
 *      near zero the ratio blows up although nothing is wrong.  The
 *      library divides by max(|a| + |n|, floor) with a floor tied to the
 *      tensor's own scale.
 *   5. A broken backward pass -- dq = da_n instead of da_n * r, the reset
 *      gate forgotten in one line -- is caught, and located.  And an error
 *      of 1e-4 in one entry is caught by central differences, while one of
 *      1e-9 only the complex step can see.
 *
 * The loss (grl_gradcheck.h): L = sum(g .* output) + 1/2 ||h_T||^2, with a
 * fixed random g, so that both the outputs and the final state are checked.
 *
 * Run it:
 *   chapters/ch05-gradient-checks [--seed N] [--outdir DIR] [--quick]
 *
 * Charts:
 *   ch05-v-curve     error against step size h, log-log, for forward,
 *                    central and complex-step differences
 *   ch05-per-tensor  the worst relative error of each tensor, per method,
 *                    with each method's tolerance
 *   ch05-floor       per entry, central differences: the absolute error,
 *                    the plain relative error and the floored one, against
 *                    the size of the gradient entry
 */
#include <config.h>
#include "grulab.h"
#include "grl_lesson.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_rng.h>

static const char *const charts[] = {"v-curve", "per-tensor", "floor", NULL};

static const grl_lesson_info chapter = {
  .name = "ch05-gradient-checks",
  .title = "Gradient checks: four numerical derivatives against BPTT",
  .summary =
    "Chapter 5 checks every entry of the GRU's BPTT gradient against four\n"
    "numerical derivatives: forward and central differences, GSL's\n"
    "Richardson extrapolation and the complex step.  It draws the V-curve\n"
    "of error against step size (truncation against rounding; optima near\n"
    "eps^1/2 and eps^1/3; the complex step flat at machine precision), the\n"
    "worst relative error per tensor and method, and shows why the plain\n"
    "per-entry relative error misleads on tiny entries.  Then it breaks the\n"
    "backward pass on purpose and watches the check catch and locate it.",
  .charts = charts,
  .seed = 5,
};

/* The gradient-check problem: a GRU and its inputs, all from --seed. */
typedef struct {
  grl_model *m;
  grl_gradcheck_problem *p;
} setup;

static int setup_alloc(setup *S, const grl_cell *cell, size_t I, size_t H,
                       size_t T, size_t B, unsigned long seed)
{
  memset(S, 0, sizeof *S);
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  if (!r)
    return grl_fail(GRL_ENOMEM, "ch05: out of memory");
  gsl_rng_set(r, seed);
  int rc = grl_model_alloc(&S->m, cell, I, H, 0);
  if (!rc)
    rc = grl_gradcheck_problem_alloc(&S->p, S->m, T, B, r);
  /* "high-entropy" parameters U(-0.9, 0.9): gates away from 1/2 */
  if (!rc)
    grl_gradcheck_randomize(S->m, r, 0.9);
  gsl_rng_free(r);
  return rc;
}

static void setup_free(setup *S)
{
  grl_gradcheck_problem_free(S->p);
  grl_model_free(S->m);
}

/* ------------------------------------------------------------------ */
/* 1. The V-curve                                                      */
/*                                                                     */
/* For one entry (the largest gradient of weight_ih_l0), every method  */
/* at h = 1e-1, 1e-2, ..., 1e-20, each against the analytic BPTT value */
/* -- a truth none of the three computed.  That BPTT deserves the role */
/* is checked first: the complex step at h = 1e-20 (no subtraction,    */
/* exact to rounding) must agree with it to ~1e-15.                    */
/*   forward:  error ~ (h/2)|L''| + eps |L| / h,  smallest at h ~ eps^1/2 */
/*   central:  error ~ (h^2/6)|L'''| + eps |L| / h, smallest at eps^1/3    */
/*   complex:  error ~ (h^2/6)|L'''|, nothing to round away             */
/* ------------------------------------------------------------------ */

static void v_curve(grl_lesson *L, setup *S)
{
  grl_lesson_section(L, "The V-curve: truncation against rounding");
  grl_gradcheck_sweep_result res;
  int rc = grl_gradcheck_sweep(&res, S->m, S->p, NULL, (size_t)-1);
  if (rc) {
    grl_lesson_error(L, rc, "grl_gradcheck_sweep");
    return;
  }
  grl_lesson_say(L, "entry %zu of %s (its largest gradient), theta = %.6f",
                 res.at, res.tensor, res.theta);
  /* the complex step at its smallest h, an independent witness for BPTT */
  const double cs20 = res.complex_step[GRL_GRADCHECK_SWEEP_N - 1];
  grl_lesson_versus(L, "dL/dtheta by BPTT", res.analytic, "complex, h=1e-20", cs20);
  grl_lesson_check(L, "BPTT vs complex step, relative",
                   fabs(res.analytic - cs20) / fabs(res.analytic), 1e-13);
  grl_lesson_say(L, "So BPTT's value is the reference: every curve below is\n"
                 "|estimate - BPTT| / |BPTT|, none measured against itself.");

  /* The best step of each method, on the decade grid. */
  int kf = 0, kc = 0;
  for (int k = 0; k < GRL_GRADCHECK_SWEEP_N; k++) {
    if (res.err_forward[k] < res.err_forward[kf]) kf = k;
    if (res.err_central[k] < res.err_central[kc]) kc = k;
  }
  double flat = 0.0;   /* the complex step's worst error for h <= 1e-8 */
  for (int k = 7; k < GRL_GRADCHECK_SWEEP_N; k++)
    flat = fmax(flat, res.err_complex_step[k]);
  /* The optimum sits where the two error terms are equal:
   *   forward  (h/2) |L''| = eps |L| / h       ->  h ~ eps^(1/2)
   *   central  (h^2/6) |L'''| = eps |L| / h    ->  h ~ eps^(1/3)
   * (up to factors of order one that depend on L's derivatives). */
  grl_lesson_say(L, "forward: best h on the decade grid %.0e, error %.2e "
                 "(theory: h near eps^1/2 = %.2e)", res.h[kf], res.err_forward[kf],
                 sqrt(DBL_EPSILON));
  grl_lesson_say(L, "central: best h on the decade grid %.0e, error %.2e "
                 "(theory: h near eps^1/3 = %.2e)", res.h[kc], res.err_central[kc],
                 cbrt(DBL_EPSILON));
  /* One grid point can be lucky (errors of the two arms cancel), so the
   * V is checked by its arms: a decade-grid optimum is only a hint. */
  grl_lesson_say(L, "(On a decade grid the best point can land a decade off when the\n"
                 "two error terms happen to cancel; the arms are what matter.)");
  grl_lesson_expect(L, res.err_forward[1] > 100 * res.err_forward[kf]
                    && res.err_forward[12] > 100 * res.err_forward[kf],
                    "forward: a V, 100x worse at h = 1e-2 and 1e-13");
  grl_lesson_expect(L, res.err_central[1] > 100 * res.err_central[kc]
                    && res.err_central[12] > 100 * res.err_central[kc],
                    "central: a V, 100x worse at h = 1e-2 and 1e-13");
  grl_lesson_value(L, "complex: worst error against BPTT, h <= 1e-8", flat);
  grl_lesson_check(L, "complex step flat at machine precision", flat, 1e-14);
  /* Errors of exactly 0 -- bitwise agreement with BPTT -- have no place
   * on a log axis: they are drawn at 1e-17, and the chart says so. */
  int exact = 0;
  for (int k = 0; k < GRL_GRADCHECK_SWEEP_N; k++)
    exact += (res.err_forward[k] == 0.0) + (res.err_central[k] == 0.0)
             + (res.err_complex_step[k] == 0.0);
  grl_lesson_expect(L, res.err_central[kc] < res.err_forward[kf],
                    "central's best beats forward's best");

  grl_chart *ch = grl_lesson_chart(L, "v-curve",
                                   "Error against step size: truncation meets rounding");
  grl_chart_param(ch, "tensor", "%s", res.tensor);
  grl_chart_param(ch, "entry", "%zu", res.at);
  grl_chart_param(ch, "reference", "analytic (BPTT): %.17g", res.reference);
  grl_chart_param(ch, "complex_h1e-20", "%.17g", cs20);
  if (exact)
    grl_chart_param(ch, "floor", "errors of exactly 0 (bitwise equal to BPTT) "
                    "are drawn at 1e-17");
  grl_chart_columns(ch, "h err_forward err_central err_complex");
  for (int k = 0; k < GRL_GRADCHECK_SWEEP_N; k++)
    grl_chart_row(ch, 4, (double[]){res.h[k], fmax(res.err_forward[k], 1e-17),
                                    fmax(res.err_central[k], 1e-17),
                                    fmax(res.err_complex_step[k], 1e-17)});
  grl_chart_gp(ch,
    "@log_x\n"
    "@log_y\n"
    "set xlabel 'relative step h'\n"
    "set ylabel '|estimate − BPTT| / |BPTT|'\n"
    "set xrange [1e-20:1e-1]\n"
    "set yrange [1e-18:10]\n"
    "set xtics 1e-20, 100, 1e-1\n"
    "set key at graph 0.02, graph 0.58 top left font font_small\n"
    "set arrow from %.3g, graph 0 to %.3g, graph 1 nohead lt 1 dt 3 lw 1.5\n"
    "set label 'ε^{1/2}' at %.3g, graph 0.95 right offset -0.5,0 tc lt 1\n"
    "set arrow from %.3g, graph 0 to %.3g, graph 1 nohead lt 2 dt 3 lw 1.5\n"
    "set label 'ε^{1/3}' at %.3g, graph 0.95 left offset 0.5,0 tc lt 2\n"
    "%s"
    "plot dat using 1:2 with linespoints lt 1 title 'forward (L(θ+h)-L(θ))/h', \\\n"
    "     dat using 1:3 with linespoints lt 2 title 'central (L(θ+h)-L(θ-h))/2h', \\\n"
    "     dat using 1:4 with linespoints lt 3 title 'complex step Im L(θ+ih)/h', \\\n"
    "     2.2e-16 with lines lt 8 dt 2 title 'machine ε'\n",
    sqrt(DBL_EPSILON), sqrt(DBL_EPSILON), sqrt(DBL_EPSILON),
    cbrt(DBL_EPSILON), cbrt(DBL_EPSILON), cbrt(DBL_EPSILON),
    exact ? "set label 'equal to BPTT bit for bit (error 0): drawn at 10^{-17}' "
            "at graph 0.02, graph 0.04 font font_small\n" : "");
  grl_lesson_chart_done(L, ch);
}

/* ------------------------------------------------------------------ */
/* 2. Every entry, every method                                        */
/*                                                                     */
/* grl_gradcheck_run perturbs each entry of each tensor in turn (in    */
/* parallel), and reports per tensor the worst relative error, where   */
/* it is, and the two values there.                                    */
/* ------------------------------------------------------------------ */

static void per_tensor(grl_lesson *L, setup *S)
{
  grl_lesson_section(L, "Every entry of every tensor, four methods");
  grl_gradcheck_report *rep[GRL_GC_NMETHOD] = {NULL};
  for (int k = 0; k < GRL_GC_NMETHOD; k++) {
    grl_gradcheck_opts o;
    grl_gradcheck_opts_init(&o, k);
    int rc = grl_gradcheck_run(&rep[k], S->m, S->p, &o);
    if (rc != GRL_OK && rc != GRL_EFAIL) {
      grl_lesson_error(L, rc, "grl_gradcheck_run");
      goto done;
    }
    char label[64];
    snprintf(label, sizeof label, "%s: worst of %zu entries", 
             grl_gradcheck_method_name(k), rep[k]->checked);
    grl_lesson_check(L, label, rep[k]->worst, rep[k]->tolerance);
  }
  grl_lesson_say(L, "\nThe library's own report, for central differences:");
  fflush(stdout);
  grl_gradcheck_report_write(stdout, rep[GRL_GC_CENTRAL]);

  grl_chart *ch = grl_lesson_chart(L, "per-tensor",
                                   "Worst relative error per tensor, per method");
  grl_chart_param(ch, "T", "%zu", rep[0]->T);
  grl_chart_param(ch, "B", "%zu", rep[0]->B);
  grl_chart_param(ch, "I", "%zu", rep[0]->I);
  grl_chart_param(ch, "H", "%zu", rep[0]->H);
  grl_chart_param(ch, "floor_rel", "%g", rep[0]->floor_rel);
  grl_chart_comment(ch, "row k is tensor k:");
  for (size_t i = 0; i < rep[0]->nrow; i++)
    grl_chart_comment(ch, "  %zu %s", i, rep[0]->row[i].name);
  grl_chart_columns(ch, "tensor forward central gsl complex");
  for (size_t i = 0; i < rep[0]->nrow; i++) {
    double row[1 + GRL_GC_NMETHOD] = {(double)i};
    for (int k = 0; k < GRL_GC_NMETHOD; k++)
      row[1 + k] = fmax(rep[k]->row[i].worst, 1e-17);
    grl_chart_row(ch, 1 + GRL_GC_NMETHOD, row);
  }
  grl_chart_gp(ch, "@log_y\n"
                   "set xtics noenhanced (");
  for (size_t i = 0; i < rep[0]->nrow; i++)
    grl_chart_gp(ch, "%s'%s' %zu", i ? ", " : "", rep[0]->row[i].name, i);
  grl_chart_gp(ch, ")\n"
    "set xrange [-0.5:%zu.5]\n"
    "set yrange [1e-17:1e3]\n"
    "set xlabel 'tensor'\n"
    "set ylabel 'worst relative error over its entries'\n"
    "set key at graph 0.5, graph 0.99 top center horizontal samplen 0.5 width -1 font font_small\n"
    "set label 'forward tolerance' at graph 0.99, first %g right offset 0,0.7 font font_small tc lt 1\n"
    "set label 'central and gsl tolerance' at graph 0.99, first %g right offset 0,0.7 font font_small tc lt 2\n"
    "set label 'complex-step tolerance' at graph 0.99, first %g right offset 0,0.7 font font_small tc lt 4\n"
    "plot dat using 1:2 with points lt 1 pt 7 ps 2 title 'forward', \\\n"
    "     dat using 1:3 with points lt 2 pt 5 ps 2 title 'central', \\\n"
    "     dat using 1:4 with points lt 3 pt 9 ps 2.4 title 'gsl (Richardson)', \\\n"
    "     dat using 1:5 with points lt 4 pt 11 ps 2.4 title 'complex step', \\\n"
    "     %g with lines lt 1 dt 2 notitle, \\\n"
    "     %g with lines lt 2 dt 2 notitle, \\\n"
    "     %g with lines lt 4 dt 2 notitle\n",
    rep[0]->nrow - 1, rep[GRL_GC_FORWARD]->tolerance, rep[GRL_GC_CENTRAL]->tolerance,
    rep[GRL_GC_COMPLEX]->tolerance, rep[GRL_GC_FORWARD]->tolerance, rep[GRL_GC_CENTRAL]->tolerance,
    rep[GRL_GC_COMPLEX]->tolerance);
  grl_lesson_chart_done(L, ch);
  grl_lesson_say(L,
    "The dashed lines are the default tolerances (gsl's equals central's).  Each method\n"
    "lands where the V-curve put it: forward near 1e-6..1e-8, central and\n"
    "Richardson near 1e-9, the complex step near 1e-15.");
done:
  for (int k = 0; k < GRL_GC_NMETHOD; k++)
    grl_gradcheck_report_free(rep[k]);
}

/* ------------------------------------------------------------------ */
/* 3. Why the plain relative error misleads on tiny entries            */
/*                                                                     */
/* Rounding noise in a difference quotient is about eps |L| / h: the    */
/* same ABSOLUTE size for every entry.  Divided by |a| + |n|, it grows  */
/* without bound as the entry shrinks -- a gradient of 1e-9 "fails" at */
/* 1e-3 relative error although it is right to 1e-12 absolute.  The   */
/* library's floor fixes the denominator at no less than floor_rel * S, */
/* S the tensor's largest gradient:                                    */
/*     rel = |a - n| / max(|a| + |n|, floor_rel * S)                   */
/* Below, one central run with a fixed tiny floor (floor_rel = 0) keeps */
/* every entry's a and n; both formulas are evaluated on them.         */
/* ------------------------------------------------------------------ */

static void floor_lesson(grl_lesson *L, size_t I, size_t H, size_t T,
                         size_t B)
{
  grl_lesson_section(L, "Why the plain relative error misleads on tiny entries");
  /* Tiny entries on purpose: keep only the last step's weights in g, so
   * the loss sits at the end and the gradients of early inputs fade
   * geometrically (chapter 4).  The same seed, otherwise. */
  setup F;
  grl_gradcheck_report *rep = NULL;
  int rc = setup_alloc(&F, &grl_cell_gru, I, H, T, B, L->seed + 1);
  if (rc) {
    grl_lesson_error(L, rc, "setting up");
    setup_free(&F);
    return;
  }
  memset(F.p->g, 0, (T - 1) * B * H * sizeof *F.p->g);   /* g_t = 0, t < T-1 */
  grl_lesson_say(L, "T = %zu; L = g_{T-1} . h_{T-1} + 1/2 ||h_T||^2: a loss at the end only.",
                 T);
  grl_gradcheck_opts o;
  grl_gradcheck_opts_init(&o, GRL_GC_CENTRAL);
  o.floor_rel = 0.0;   /* the plain formula: the floor only guards 0/0 */
  rc = grl_gradcheck_run(&rep, F.m, F.p, &o);
  if (rc != GRL_OK && rc != GRL_EFAIL) {
    grl_lesson_error(L, rc, "grl_gradcheck_run");
    setup_free(&F);
    return;
  }
  double tol = rep->tolerance;
  size_t fail_plain = 0, fail_floor = 0;
  double amin = INFINITY, amax = 0.0, abs_worst = 0.0;
  grl_chart *ch = grl_lesson_chart(L, "floor",
                                   "Central differences, entry by entry: absolute noise, relative blow-up");
  grl_chart_param(ch, "T", "%zu", T);
  grl_chart_param(ch, "floor_rel", "%g", GRL_GRADCHECK_FLOOR_REL);
  grl_chart_param(ch, "tolerance", "%g", tol);
  grl_chart_comment(ch, "one line per checked entry with a != 0 and a != n");
  grl_chart_columns(ch, "abs_analytic abs_error rel_plain rel_floored");
  grl_lesson_say(L, "\n  %-14s %12s %14s %14s", "tensor", "S = max|a|",
                 "plain > tol", "floored > tol");
  for (size_t i = 0; i < rep->nrow; i++) {
    const grl_gradcheck_row *w = &rep->row[i];
    double floor = GRL_GRADCHECK_FLOOR_REL * w->scale;
    size_t fp = 0, ff = 0;
    for (size_t k = 0; k < w->checked; k++) {
      double a = w->a[k], num = w->n[k], e = fabs(a - num);
      /* plain: |a-n| / (|a|+|n|);  floored: |a-n| / max(|a|+|n|, floor) */
      double plain = (fabs(a) + fabs(num)) > 0 ? e / (fabs(a) + fabs(num)) : 0.0;
      double floored = e > 0 ? e / fmax(fabs(a) + fabs(num), floor) : 0.0;
      fp += plain > tol;
      ff += floored > tol;
      if (a == 0.0 || e == 0.0)
        continue;
      amin = fmin(amin, fabs(a));
      amax = fmax(amax, fabs(a));
      abs_worst = fmax(abs_worst, e);
      grl_chart_row(ch, 4, (double[]){fabs(a), e, plain, floored});
    }
    grl_lesson_say(L, "  %-14s %12.3g %14zu %14zu", w->name, w->scale, fp, ff);
    fail_plain += fp;
    fail_floor += ff;
  }
  grl_lesson_value(L, "smallest |dL/dtheta|", amin);
  grl_lesson_value(L, "largest |dL/dtheta|", amax);
  grl_lesson_value(L, "largest absolute error |a - n|", abs_worst);
  grl_lesson_expect(L, fail_plain > fail_floor,
                    "the plain formula fails more correct entries");
  grl_lesson_say(L,
    "The absolute error is flat: rounding noise does not care how big the\n"
    "entry is.  The plain relative error therefore rises like 1/|a| as the\n"
    "entries shrink, and crosses the tolerance although nothing is wrong.\n"
    "The floor stops the rise at floor_rel * S.  It cannot help a tensor\n"
    "whose EVERY entry is below the noise, S itself tiny -- as h0 becomes\n"
    "when the loss sits many steps later (here S(h0) = %.2g).  There only a\n"
    "more accurate derivative helps: the complex step.", rep->row[rep->nrow - 1].scale);
  grl_gradcheck_report *rc_rep = NULL;
  grl_gradcheck_opts_init(&o, GRL_GC_COMPLEX);
  rc = grl_gradcheck_run(&rc_rep, F.m, F.p, &o);
  if (rc != GRL_OK && rc != GRL_EFAIL)
    grl_lesson_error(L, rc, "grl_gradcheck_run, complex");
  else
    grl_lesson_check(L, "complex step, every entry, floored", rc_rep->worst,
                     rc_rep->tolerance);
  grl_gradcheck_report_free(rc_rep);
  grl_chart_gp(ch,
    "@log_x\n"
    "@log_y\n"
    "set xlabel '|∂L/∂θ_k| (BPTT), one point per entry'\n"
    "set ylabel 'error of the central difference'\n"
    "set yrange [1e-20:10]\n"
    "set key bottom left font font_small\n"
    "plot dat using 1:3 with points lt 2 pt 7 ps 0.8 title 'relative, plain: |a-n|/(|a|+|n|)', \\\n"
    "     dat using 1:4 with points lt 1 pt 5 ps 0.8 title 'relative, floored: |a-n|/max(|a|+|n|, %g S)', \\\n"
    "     dat using 1:2 with points lt 8 pt 9 ps 0.8 title 'absolute |a-n|', \\\n"
    "     %g with lines lt 7 dt 2 title 'tolerance %g'\n",
    GRL_GRADCHECK_FLOOR_REL, tol, tol);
  grl_lesson_chart_done(L, ch);
  grl_gradcheck_report_free(rep);
  setup_free(&F);
}

/* ------------------------------------------------------------------ */
/* 4. Exact zeros: the article's unused output gate                    */
/* ------------------------------------------------------------------ */

static void exact_zeros(grl_lesson *L, unsigned long seed)
{
  grl_lesson_section(L, "Exact zeros are not failures: the seed cell's o gate");
  setup S;
  grl_gradcheck_report *rep = NULL;
  int rc = setup_alloc(&S, &grl_cell_seed, 3, 4, 6, 2, seed);
  grl_gradcheck_opts o;
  grl_gradcheck_opts_init(&o, GRL_GC_CENTRAL);
  if (!rc)
    rc = grl_gradcheck_run(&rep, S.m, S.p, &o);
  if (rc != GRL_OK) {
    grl_lesson_error(L, rc, "grl_gradcheck_run, seed cell");
  } else {
    fflush(stdout);
    grl_gradcheck_report_write(stdout, rep);
    int zero_o = 0;
    for (size_t i = 0; i < rep->nrow; i++)
      if (!strcmp(rep->row[i].name, "weight_o") || !strcmp(rep->row[i].name, "bias_o"))
        zero_o += rep->row[i].all_zero;
    grl_lesson_expect(L, zero_o == 2, "weight_o, bias_o: exactly zero on both sides");
  }
  grl_gradcheck_report_free(rep);
  setup_free(&S);
}

/* ------------------------------------------------------------------ */
/* 5. A broken backward pass                                           */
/*                                                                     */
/* The mistake: in the GRU's backward step, forward was                */
/*     a_n = W_in x + b_in + r * q,   q = W_hn h + b_hn                */
/* so dq = da_n * r.  Forget the r and write dq = da_n.  The broken    */
/* cell below runs the library's correct step and then adds what the   */
/* mistake adds, da_n * (1 - r), to every gradient that dq feeds:      */
/*     dW_hn += extra h^T,  db_hn += extra,  dh_prev += W_hn^T extra   */
/* The shipping cell is untouched: the checker accepts any grl_cell.   */
/* ------------------------------------------------------------------ */

static grl_cell broken_gru;   /* grl_cell_gru with broken_backward */

static void broken_backward(grl_step_grad *d, const grl_step *s,
                            const grl_const_views *p)
{
  grl_cell_gru.backward(d, s, p);
  size_t B = d->dh->size1, H = d->dh->size2;
  /* cache block 0 is r; dxp block 2 is da_n (the n gate's pre-activation);
   * dhp block 2 is dq, from which the driver makes dW_hn and db_hn */
  for (size_t b = 0; b < B; b++)
    for (size_t j = 0; j < H; j++) {
      double r = gsl_matrix_get(s->cache, b, j);
      double extra = gsl_matrix_get(d->dxp, b, 2 * H + j) * (1.0 - r);
      double *dq = gsl_matrix_ptr(d->dhp, b, 2 * H + j);
      *dq += extra;
      for (size_t k = 0; k < H; k++) {
        double *dhp = gsl_matrix_ptr(d->dh_prev, b, k);
        *dhp += gsl_matrix_get(&p->Wh.matrix, 2 * H + j, k) * extra;
      }
    }
}

/* The test hook: scale the largest entry of weight_hh_l0 by 1 + delta. */
typedef struct {
  double delta;
  size_t at;    /* the entry scaled */
} tamper_arg;

static void tamper(const char *tensor, double *grad, size_t size, void *arg)
{
  tamper_arg *t = arg;
  if (strcmp(tensor, "weight_hh_l0") != 0)
    return;
  t->at = 0;
  for (size_t k = 1; k < size; k++)
    if (fabs(grad[k]) > fabs(grad[t->at]))
      t->at = k;
  grad[t->at] *= 1.0 + t->delta;
}

static void broken(grl_lesson *L, setup *S)
{
  grl_lesson_section(L, "A broken backward pass, caught and located");
  size_t H = S->m->hidden_size, I = S->m->input_size;
  broken_gru = grl_cell_gru;
  broken_gru.name = "gru-broken";
  broken_gru.backward = broken_backward;
  grl_model *mb = NULL;
  grl_gradcheck_report *rep = NULL;
  int rc = grl_model_alloc(&mb, &broken_gru, I, H, 0);
  if (rc) {
    grl_lesson_error(L, rc, "grl_model_alloc");
    return;
  }
  memcpy(mb->theta, S->m->theta, S->m->n * sizeof *mb->theta);
  grl_gradcheck_opts o;
  grl_gradcheck_opts_init(&o, GRL_GC_CENTRAL);
  rc = grl_gradcheck_run(&rep, mb, S->p, &o);
  grl_lesson_say(L, "The bug: dq = da_n instead of dq = da_n * r.  Central differences\n"
                 "over the whole sequence:");
  if (rc != GRL_OK && rc != GRL_EFAIL) {
    grl_lesson_error(L, rc, "grl_gradcheck_run");
    goto done;
  }
  fflush(stdout);
  grl_gradcheck_report_write(stdout, rep);
  grl_lesson_say(L, "grl_gradcheck_run said: %s", rc == GRL_EFAIL ? grl_strerror() : "pass");
  grl_lesson_expect(L, rc == GRL_EFAIL, "the check fails");
  grl_gradcheck_report_free(rep);
  rep = NULL;

  /* Over 30 steps the wrong dh_prev reaches every earlier step, so every
   * tensor fails.  One step locates it: with T = 1 nothing flows back
   * through time, and only what dq feeds directly can be wrong. */
  setup S1;
  rc = setup_alloc(&S1, &grl_cell_gru, I, H, 1, S->p->B, L->seed);
  if (!rc) {
    memcpy(mb->theta, S1.m->theta, S1.m->n * sizeof *mb->theta);
    rc = grl_gradcheck_run(&rep, mb, S1.p, &o);
  }
  setup_free(&S1);
  if (rc != GRL_OK && rc != GRL_EFAIL) {
    grl_lesson_error(L, rc, "grl_gradcheck_run, T = 1");
    goto done;
  }
  grl_lesson_say(L, "\nThe same broken cell on a single step (T = 1):");
  fflush(stdout);
  grl_gradcheck_report_write(stdout, rep);
  for (size_t i = 0; i < rep->nrow; i++) {
    const grl_gradcheck_row *w = &rep->row[i];
    char label[160];
    if (!strcmp(w->name, "weight_hh_l0") || !strcmp(w->name, "bias_hh_l0")) {
      /* every failing entry must be in rows [2H, 3H): the n block */
      size_t bad = 0, outside = 0, cols = w->ndim == 2 ? w->dims[1] : 1;
      for (size_t k = 0; k < w->checked; k++)
        if (w->rel[k] > rep->tolerance) {
          bad++;
          size_t row = w->at[k] / cols;
          outside += row < 2 * H || row >= 3 * H;
        }
      snprintf(label, sizeof label, "%s: %zu entries fail, all in the n block",
               w->name, bad);
      grl_lesson_expect(L, bad > 0 && outside == 0, label);
    } else if (!strcmp(w->name, "h0")) {
      grl_lesson_expect(L, !w->pass, "h0 fails: dh_prev carries the bug");
    } else {
      snprintf(label, sizeof label, "%s passes", w->name);
      grl_lesson_expect(L, w->pass, label);
    }
  }
  grl_lesson_say(L,
    "Located: only W_hn, b_hn and h0 are wrong -- exactly what q = W_hn h + b_hn\n"
    "feeds.  The mistake is in dq.");
  grl_gradcheck_report_free(rep);
  rep = NULL;

  /* How small a bug can each method see?  Scale one entry by 1 + delta;
   * the relative error there is |a - n|/(|a| + |n|) = delta / (2 + delta). */
  grl_lesson_say(L, "\nOne entry of dL/dweight_hh_l0 scaled by (1 + delta):");
  const struct { int method; double delta; int caught; } trial[] = {
    {GRL_GC_CENTRAL, 1e-4, 1}, {GRL_GC_CENTRAL, 1e-9, 0},
    {GRL_GC_COMPLEX, 1e-9, 1},
  };
  for (size_t q = 0; q < sizeof trial / sizeof trial[0]; q++) {
    tamper_arg arg = {trial[q].delta, 0};
    grl_gradcheck_opts_init(&o, trial[q].method);
    o.tamper = tamper;
    o.tamper_arg = &arg;
    rc = grl_gradcheck_run(&rep, S->m, S->p, &o);
    if (rc != GRL_OK && rc != GRL_EFAIL) {
      grl_lesson_error(L, rc, "grl_gradcheck_run");
      goto done;
    }
    const grl_gradcheck_row *w = NULL;
    for (size_t i = 0; i < rep->nrow; i++)
      if (!strcmp(rep->row[i].name, "weight_hh_l0"))
        w = &rep->row[i];
    char label[160];
    snprintf(label, sizeof label, "%s, delta = %g: error there",
             grl_gradcheck_method_name(trial[q].method), trial[q].delta);
    /* the error the check sees at the scaled entry */
    double seen = NAN;
    for (size_t k = 0; w && k < w->checked; k++)
      if (w->at[k] == arg.at)
        seen = w->rel[k];
    grl_lesson_versus(L, label, seen, "delta/(2+delta)",
                      trial[q].delta / (2.0 + trial[q].delta));
    snprintf(label, sizeof label, "  %s (tolerance %g)",
             trial[q].caught ? "caught" : "missed", rep->tolerance);
    grl_lesson_expect(L, (rc == GRL_EFAIL) == trial[q].caught
                      && (!trial[q].caught || w->worst_at == arg.at), label);
    grl_gradcheck_report_free(rep);
    rep = NULL;
  }
  grl_lesson_say(L,
    "Central differences cannot see an error below their own noise (about\n"
    "1e-9 here, see the V-curve); the complex step, exact to rounding, sees\n"
    "an error of 1e-9 plainly.");
done:
  grl_gradcheck_report_free(rep);
  grl_model_free(mb);
}

int main(int argc, char **argv)
{
  gsl_set_error_handler_off();
  grl_lesson L;
  if (grl_lesson_begin(&L, argc, argv, &chapter))
    return L.exit_status;

  /* The check size: I=5, H=7, T=30, B=3 (quick: I=3, H=4, T=8, B=2). */
  size_t I = L.quick ? 3 : 5, H = L.quick ? 4 : 7, T = L.quick ? 8 : 30,
         B = L.quick ? 2 : 3;
  setup S;
  int rc = setup_alloc(&S, &grl_cell_gru, I, H, T, B, L.seed);
  if (rc) {
    grl_lesson_error(&L, rc, "setting up the problem");
    setup_free(&S);
    return grl_lesson_end(&L);
  }
  grl_lesson_param(&L, "cell", "%s", grl_cell_name(S.m->cell));
  grl_lesson_param(&L, "T", "%zu", T);
  grl_lesson_param(&L, "B", "%zu", B);
  grl_lesson_param(&L, "I", "%zu", I);
  grl_lesson_param(&L, "H", "%zu", H);
  grl_lesson_param(&L, "init", "U(-0.9, 0.9)");

  v_curve(&L, &S);
  per_tensor(&L, &S);
  /* Longer, so that early gradients fade to well below the noise. */
  floor_lesson(&L, I, H, L.quick ? 40 : 60, B);
  exact_zeros(&L, L.seed);
  broken(&L, &S);
  setup_free(&S);
  return grl_lesson_end(&L);
}
