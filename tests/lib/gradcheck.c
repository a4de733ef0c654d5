/* tests/lib/gradcheck.c -- the gradient checker, as a TAP program.
 *
 *  1. every cell x every method on I=3 H=4 T=6 B=2, every entry checked,
 *     within the default tolerances;
 *  2. a longer run, T=50 with central, for gru and lstm;
 *  3. the seed cell's output gate: exactly zero on both sides, reported as
 *     such, and not a failure;
 *  4. it catches bugs: an analytic entry scaled by (1 + 1e-4) (central
 *     catches it) and by (1 + 1e-9) (only complex does), through the
 *     opts.tamper hook -- on the largest entry, and on entries about 3%,
 *     1% and 1e-4 of the tensor's largest, where the floor's detection
 *     threshold says whether it must be caught and how large it shows;
 *     a check whose every entry is exactly 0 (saturated units) fails;
 *     and a broken cell -- a copy of grl_cell_gru whose
 *     backward drops the z*dh term of dh_prev -- that a single-step check
 *     without h0 misses and a two-step check catches; a perturbed pass
 *     that turns non-finite is reported with its entry and its reason;
 *  5. the report is the same for 1 and 2 threads; sampling; the floor;
 *     the step sweep's V shape against BPTT; bad options.
 *
 * Expected values are derived from the injected errors, never copied from
 * a run of this code. */
#include <config.h>
#include "grulab.h"
#include "grl_gcreport.h"
#include "tap.h"

#include <gsl/gsl_errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* A model with "high-entropy" parameters ~ U(-0.9, 0.9) and a problem
 * (x, h0, c0, g), all drawn from one seed. */
typedef struct {
  grl_model *m;
  grl_gradcheck_problem *p;
} setup;

static setup make(const grl_cell *cell, size_t I, size_t H, size_t T,
                  size_t B, unsigned long seed)
{
  setup s = {NULL, NULL};
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  gsl_rng_set(r, seed);
  if (grl_model_alloc(&s.m, cell, I, H, 0) ||
      grl_gradcheck_problem_alloc(&s.p, s.m, T, B, r))
    bail("setup for %s failed: %s", cell->name, grl_strerror());
  grl_gradcheck_randomize(s.m, r, 0.9);
  gsl_rng_free(r);
  return s;
}

static void unmake(setup *s)
{
  grl_gradcheck_problem_free(s->p);
  grl_model_free(s->m);
}

static const grl_gradcheck_row *row_named(const grl_gradcheck_report *rep,
                                          const char *name)
{
  for (size_t i = 0; i < rep->nrow; i++)
    if (strcmp(rep->row[i].name, name) == 0)
      return &rep->row[i];
  return NULL;
}

/* Entries a full check must visit: every cell parameter, x, h0 (, c0). */
static size_t expected_entries(const grl_model *m, size_t T, size_t B)
{
  size_t n = m->ncell + T * B * m->input_size + B * m->hidden_size;
  if (m->cell->has_c)
    n += B * m->hidden_size;
  return n;
}

/* ---- 1, 2: every cell x every method ------------------------------------ */

static void test_all_cells_methods(void)
{
  for (const grl_cell *const *c = grl_cell_all(); *c; c++) {
    setup s = make(*c, 3, 4, 6, 2, 2385);
    for (int k = 0; k < GRL_GC_NMETHOD; k++) {
      grl_gradcheck_opts o;
      grl_gradcheck_report *rep = NULL;
      grl_gradcheck_opts_init(&o, k);
      int st = grl_gradcheck_run(&rep, s.m, s.p, &o);
      ok(st == GRL_OK && rep && rep->pass,
         "%s, %s: worst %.3g <= tolerance %.0e", (*c)->name,
         grl_gradcheck_method_name(k), rep ? rep->worst : NAN,
         grl_gradcheck_default_tolerance(k));
      if (st)
        diag("%s", grl_strerror());
      is_int(rep ? (long)rep->checked : -1,
             (long)expected_entries(s.m, 6, 2), "%s, %s: every entry checked",
             (*c)->name, grl_gradcheck_method_name(k));
      grl_gradcheck_report_free(rep);
    }
    unmake(&s);
  }
}

static void test_long(void)
{
  const char *cells[] = {"gru", "lstm"};
  for (int i = 0; i < 2; i++) {
    setup s = make(grl_cell_lookup(cells[i]), 3, 4, 50, 2, 731);
    grl_gradcheck_opts o;
    grl_gradcheck_report *rep = NULL;
    grl_gradcheck_opts_init(&o, GRL_GC_CENTRAL);
    int st = grl_gradcheck_run(&rep, s.m, s.p, &o);
    ok(st == GRL_OK && rep->pass && rep->checked == expected_entries(s.m, 50, 2),
       "%s, T=50, central: %zu entries, worst %.3g <= 1e-6", cells[i],
       rep ? rep->checked : 0, rep ? rep->worst : NAN);
    grl_gradcheck_report_free(rep);
    unmake(&s);
  }
}

/* ---- 3: the seed cell's output gate -------------------------------------- */

static void test_seed_zero(void)
{
  setup s = make(&grl_cell_seed, 3, 4, 6, 2, 4417);
  for (int k = 0; k < GRL_GC_NMETHOD; k++) {
    grl_gradcheck_opts o;
    grl_gradcheck_report *rep = NULL;
    grl_gradcheck_opts_init(&o, k);
    int st = grl_gradcheck_run(&rep, s.m, s.p, &o);
    const char *names[] = {"weight_o", "bias_o"};
    for (int i = 0; i < 2; i++) {
      const grl_gradcheck_row *w = row_named(rep, names[i]);
      int zero = w != NULL;
      for (size_t e = 0; w && e < w->checked; e++)
        zero &= w->a[e] == 0.0 && w->n[e] == 0.0;
      ok(st == GRL_OK && zero && w->all_zero && w->nzero == w->checked &&
         w->pass && w->worst == 0.0,
         "seed, %s: %s exactly zero on both sides, reported, not a failure",
         grl_gradcheck_method_name(k), names[i]);
    }
    /* ...while the gates that are read have non-zero gradients. */
    const grl_gradcheck_row *wf = row_named(rep, "weight_f");
    ok(wf && !wf->all_zero && wf->scale > 0.0,
       "seed, %s: weight_f is not zero", grl_gradcheck_method_name(k));
    grl_gradcheck_report_free(rep);
  }
  unmake(&s);
}

/* ---- 4a: injected errors through the tamper hook ------------------------- */

typedef struct {
  const char *tensor;
  double factor;     /* the entry is multiplied by this */
  size_t at;         /* chosen by the hook: the entry of largest |a| */
  double before;     /* its value before tampering */
} tamper_spec;

static void scale_largest(const char *tensor, double *grad, size_t size,
                          void *arg)
{
  tamper_spec *t = arg;
  if (strcmp(tensor, t->tensor) != 0)
    return;
  t->at = 0;
  for (size_t k = 1; k < size; k++)
    if (fabs(grad[k]) > fabs(grad[t->at]))
      t->at = k;
  t->before = grad[t->at];
  grad[t->at] *= t->factor;
}

/* How a message must name entry at of row w, worked out here from the
 * shape rather than by the library's formatter: rows and columns from 0;
 * the input (T, B, I) by its time step from 1, as the prose counts it:
 * [7,0,1] is x_8. */
static void expected_entry(const grl_gradcheck_row *w, size_t at, char *buf,
                           size_t len)
{
  if (!w)
    snprintf(buf, len, "(no row)");
  else if (w->ndim == 3)
    snprintf(buf, len, "%s x_%zu[%zu,%zu]", w->name,
             at / (w->dims[1] * w->dims[2]) + 1, (at / w->dims[2]) % w->dims[1],
             at % w->dims[2]);
  else if (w->ndim == 2)
    snprintf(buf, len, "%s[%zu,%zu]", w->name, at / w->dims[1],
             at % w->dims[1]);
  else
    snprintf(buf, len, "%s[%zu]", w->name, at);
}

static void test_tamper(void)
{
  setup s = make(&grl_cell_gru, 3, 4, 6, 2, 6113);
  struct {
    const char *tensor;
    double delta;
    int method;
    int caught;
  } cases[] = {
    {"weight_hh_l0", 1e-4, GRL_GC_CENTRAL, 1},
    {"weight_hh_l0", 1e-4, GRL_GC_COMPLEX, 1},
    {"bias_ih_l0", 1e-4, GRL_GC_GSL, 1},
    {"input", 1e-4, GRL_GC_CENTRAL, 1},
    {"weight_hh_l0", 1e-9, GRL_GC_CENTRAL, 0},   /* the lesson: below noise */
    {"weight_hh_l0", 1e-9, GRL_GC_COMPLEX, 1},   /* ...but not the complex step's */
    {"h0", 1e-9, GRL_GC_COMPLEX, 1},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    tamper_spec t = {cases[i].tensor, 1.0 + cases[i].delta, 0, 0.0};
    grl_gradcheck_opts o;
    grl_gradcheck_report *rep = NULL;
    grl_gradcheck_opts_init(&o, cases[i].method);
    o.tamper = scale_largest;
    o.tamper_arg = &t;
    int st = grl_gradcheck_run(&rep, s.m, s.p, &o);
    const char *mname = grl_gradcheck_method_name(cases[i].method);
    if (!cases[i].caught) {
      ok(st == GRL_OK && rep && rep->pass,
         "%s * (1 + %.0e), %s: NOT caught (worst %.3g <= %.0e)",
         cases[i].tensor, cases[i].delta, mname, rep ? rep->worst : NAN,
         rep ? rep->tolerance : NAN);
      grl_gradcheck_report_free(rep);
      continue;
    }
    const grl_gradcheck_row *w = rep ? &rep->row[rep->worst_row] : NULL;
    ok(st == GRL_EFAIL && rep && !rep->pass,
       "%s * (1 + %.0e), %s: the check fails", cases[i].tensor,
       cases[i].delta, mname);
    is_string(w ? w->name : "", cases[i].tensor, "  ...and names the tensor");
    is_int(w ? (long)w->worst_at : -1, (long)t.at, "  ...and the entry");
    /* |a(1+d) - n| / (|a(1+d)| + |n|) with n = a: d / (2 + d) */
    double want = cases[i].delta / (2.0 + cases[i].delta);
    is_double(w ? w->worst : NAN, want, 1e-3,
              "  ...with relative error d/(2+d) = %.4g", want);
    is_double(w ? w->analytic : NAN, t.before * t.factor, 1e-15,
              "  ...and reports the tampered analytic value");
    char frag[160];
    expected_entry(w, t.at, frag, sizeof frag);
    ok(strstr(grl_strerror(), frag) != NULL, "  ...and the message names %s",
       frag);
    grl_gradcheck_report_free(rep);
  }
  unmake(&s);
}

/* ---- 4a': the detection threshold: injected errors below the largest entry */

/* grl_gradcheck.h, DETECTION THRESHOLD: an analytic entry a scaled by
 * (1 + d), with n = a, shows as
 *     rel = d |a| / max((2 + d) |a|, floor_rel * S),   S = max |a| of the tensor,
 * i.e. 10 d |a| / S on entries below S/20.  The hook scales the entry whose
 * |a|/S is nearest (in log) to a target ratio. */
typedef struct {
  const char *tensor;
  double target;     /* wanted |a|/S */
  double factor;     /* 1 + d */
  size_t at;         /* chosen entry */
  double before;     /* a there, before tampering */
  double S;          /* max |a| over the tensor */
} ratio_spec;

static void scale_at_ratio(const char *tensor, double *grad, size_t size,
                           void *arg)
{
  ratio_spec *t = arg;
  if (strcmp(tensor, t->tensor) != 0)
    return;
  t->S = 0.0;
  for (size_t k = 0; k < size; k++)
    t->S = fmax(t->S, fabs(grad[k]));
  double best = INFINITY;
  for (size_t k = 0; k < size; k++) {
    double dist = grad[k] != 0.0 ? fabs(log(fabs(grad[k]) / t->S / t->target))
                                  : INFINITY;
    if (dist < best) {
      best = dist;
      t->at = k;
    }
  }
  t->before = grad[t->at];
  grad[t->at] *= t->factor;
}

static void test_threshold(void)
{
  /* The size, so that there are entries at every ratio: s[0] is
   * the standard problem; s[1] puts the loss at the end (g_t = 0 for
   * t < T-1), so that early inputs' gradients fade far below S. */
  setup s[2] = {make(&grl_cell_gru, 5, 7, 30, 3, 6113),
                make(&grl_cell_gru, 5, 7, 30, 3, 6113)};
  memset(s[1].p->g, 0, 29 * 3 * 7 * sizeof *s[1].p->g);
  struct {
    int setup;
    const char *tensor;
    double target, lo, hi;   /* |a|/S wanted, and the band it must land in */
    double delta;
    int method;
  } cases[] = {
    {0, "weight_hh_l0", 3e-2, 2e-2, 5e-2, 1e-4, GRL_GC_CENTRAL},
    {0, "weight_hh_l0", 3e-2, 2e-2, 5e-2, 1e-9, GRL_GC_COMPLEX},
    {0, "weight_hh_l0", 1e-2, 7e-3, 1.4e-2, 1e-4, GRL_GC_CENTRAL},
    {0, "weight_hh_l0", 1e-2, 7e-3, 1.4e-2, 1e-9, GRL_GC_COMPLEX},
    {0, "input", 1e-2, 7e-3, 1.4e-2, 1e-4, GRL_GC_CENTRAL},
    {0, "input", 1e-2, 7e-3, 1.4e-2, 1e-9, GRL_GC_COMPLEX},
    {1, "input", 1e-2, 7e-3, 1.4e-2, 1e-4, GRL_GC_CENTRAL},
    /* below the threshold floor_rel * tol * S / d = 1e-3 S: not seen */
    {1, "input", 1e-4, 5e-5, 2e-4, 1e-4, GRL_GC_CENTRAL},
    {1, "input", 1e-4, 5e-5, 2e-4, 1e-9, GRL_GC_COMPLEX},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    const double d = cases[i].delta;
    ratio_spec t = {cases[i].tensor, cases[i].target, 1.0 + d, 0, 0.0, 0.0};
    grl_gradcheck_opts o;
    grl_gradcheck_report *rep = NULL;
    grl_gradcheck_opts_init(&o, cases[i].method);
    o.tamper = scale_at_ratio;
    o.tamper_arg = &t;
    const setup *su = &s[cases[i].setup];
    int st = grl_gradcheck_run(&rep, su->m, su->p, &o);
    const char *mname = grl_gradcheck_method_name(cases[i].method);
    const double ratio = fabs(t.before) / t.S, tol = rep ? rep->tolerance : NAN;
    /* the prediction, from a, d and S alone */
    const double want = d * fabs(t.before) /
                        fmax((2.0 + d) * fabs(t.before), GRL_GRADCHECK_FLOOR_REL * t.S);
    const double threshold = GRL_GRADCHECK_FLOOR_REL * tol / d;   /* in units of S */
    const int must = ratio > threshold;
    ok(ratio >= cases[i].lo && ratio <= cases[i].hi && (must ? want > 3 * tol
                                                           : want < tol / 3),
       "%s%s, |a| = %.3g S (threshold %.0e S), d = %.0e, %s: predicted rel "
       "%.3g %s tolerance %.0e", cases[i].setup ? "loss at the end, " : "",
       cases[i].tensor, ratio, threshold, d, mname, want,
       must ? ">" : "<", tol);
    const grl_gradcheck_row *w = rep ? row_named(rep, cases[i].tensor) : NULL;
    double seen = NAN;
    for (size_t k = 0; w && k < w->checked; k++)
      if (w->at[k] == t.at)
        seen = w->rel[k];
    /* the method's own error is < 1e-8 (central) / 1e-14 (complex) here:
     * 1e-2 of the predicted rel */
    is_double(seen, want, 1e-2, "  rel at the tampered entry is "
              "d|a|/max((2+d)|a|, S/10) = %.4g", want);
    if (!must) {
      ok(st == GRL_OK && rep && rep->pass,
         "  below the threshold: not caught (worst %.3g <= %.0e)",
         rep ? rep->worst : NAN, tol);
    } else {
      const grl_gradcheck_row *ww = rep ? &rep->row[rep->worst_row] : NULL;
      char frag[160];
      expected_entry(w, t.at, frag, sizeof frag);
      ok(st == GRL_EFAIL && rep && !rep->pass && ww == w &&
         ww->worst_at == t.at && strstr(grl_strerror(), frag) != NULL,
         "  caught, at %s, and the message names it", frag);
      is_double(ww ? ww->worst : NAN, want, 1e-2,
                "  ...reporting the predicted size as the worst error");
    }
    grl_gradcheck_report_free(rep);
  }
  unmake(&s[0]);
  unmake(&s[1]);
}

/* ---- 4a'': a check that compares nothing fails ---------------------------- */

static void test_nothing_compared(void)
{
  /* Parameters ~1e200: every pre-activation is huge, every tanh saturated
   * to exactly +-1, so every gradient -- analytic and numeric -- is
   * exactly 0.  All zeros is no evidence that the gradient is right. */
  setup s = make(&grl_cell_rnn, 3, 4, 6, 2, 8123);
  for (size_t k = 0; k < s.m->n; k++)
    s.m->theta[k] *= 2.385e200;
  const unsigned whats[] = {GRL_GC_ALL, GRL_GC_PARAMS};
  for (int i = 0; i < 2; i++) {
    grl_gradcheck_opts o;
    grl_gradcheck_report *rep = NULL;
    grl_gradcheck_opts_init(&o, GRL_GC_CENTRAL);
    o.what = whats[i];
    int st = grl_gradcheck_run(&rep, s.m, s.p, &o);
    const char *msg = grl_strerror();
    ok(st == GRL_EFAIL && rep && !rep->pass && rep->worst == 0.0 &&
       rep->checked > 0 && rep->nzero == rep->checked &&
       strstr(msg, "nothing was compared"),
       "saturated rnn, %s: every entry exactly 0 on both sides: the check "
       "FAILS (%s)", i ? "params" : "all tensors", msg);
    if (i == 0 && rep) {
      FILE *f = tmpfile();
      char line[512];
      int said = 0, no_excuse = 1;
      if (f && grl_gradcheck_report_write(f, rep) == GRL_OK) {
        rewind(f);
        while (fgets(line, sizeof line, f)) {
          said |= line[0] == '#' && strstr(line, "nothing was compared") != NULL;
          no_excuse &= strstr(line, "not a failure") == NULL;
        }
      }
      if (f)
        fclose(f);
      ok(said && no_excuse, "  the report says so on a '#' line, and calls no "
         "row 'not a failure'");
    }
    grl_gradcheck_report_free(rep);
  }
  unmake(&s);
}

/* ---- 4b: a broken cell: a wrong dh_prev ----------------------------------- */

/* grl_cell_gru with one bug in its backward: forward was
 * h = (1-z)*n + z*h_prev, so dh_prev must include dh*z -- this copy drops
 * that term.  The shipping cell is untouched; the checker sees this cell
 * through m->cell like any other. */
static void gru_backward_no_z(grl_step_grad *d, const grl_step *s,
                              const grl_const_views *p)
{
  grl_cell_gru.backward(d, s, p);
  size_t H = d->dh->size2;
  for (size_t b = 0; b < d->dh->size1; b++)
    for (size_t j = 0; j < H; j++) {
      double z = gsl_matrix_get(s->cache, b, H + j);   /* gate 1 = z */
      gsl_matrix_set(d->dh_prev, b, j,
                     gsl_matrix_get(d->dh_prev, b, j) - z * gsl_matrix_get(d->dh, b, j));
    }
}

static void test_broken_cell(void)
{
  grl_cell broken = grl_cell_gru;
  broken.backward = gru_backward_no_z;
  struct {
    size_t T;
    unsigned what;
    int caught;
    const char *where;
  } cases[] = {
    {1, GRL_GC_PARAMS | GRL_GC_INPUT, 0, "a single step, h0 unchecked"},
    {1, GRL_GC_ALL, 1, "a single step, h0 checked"},
    {2, GRL_GC_PARAMS, 1, "two steps, parameters only"},
    {6, GRL_GC_PARAMS | GRL_GC_INPUT, 1, "six steps, h0 unchecked"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    setup s = make(&broken, 3, 4, cases[i].T, 2, 9901);
    grl_gradcheck_opts o;
    grl_gradcheck_report *rep = NULL;
    grl_gradcheck_opts_init(&o, GRL_GC_CENTRAL);
    o.what = cases[i].what;
    int st = grl_gradcheck_run(&rep, s.m, s.p, &o);
    if (cases[i].caught)
      ok(st == GRL_EFAIL && rep && !rep->pass && rep->worst > 1e-3,
         "wrong dh_prev, %s: caught (worst %.3g in %s)", cases[i].where,
         rep ? rep->worst : NAN, rep ? rep->row[rep->worst_row].name : "-");
    else
      ok(st == GRL_OK && rep && rep->pass,
         "wrong dh_prev, %s: missed, as a one-step check must (worst %.3g)",
         cases[i].where, rep ? rep->worst : NAN);
    if (i == 1)
      is_string(rep ? rep->row[rep->worst_row].name : "", "h0",
                "  ...at one step only dh0 is wrong");
    grl_gradcheck_report_free(rep);
    unmake(&s);
  }
}

/* ---- 4c: a perturbed pass that fails names its entry and its reason ------ */

/* grl_cell_gru whose step writes a NaN once weight_hh_l0[0,0] differs from
 * its unperturbed value: the unperturbed passes are finite, the passes that
 * perturb that one entry are not. */
static double poison_ref;

static void gru_forward_poisoned(grl_step *s, const grl_const_views *p)
{
  grl_cell_gru.forward(s, p);
  if (gsl_matrix_get(&p->Wh.matrix, 0, 0) != poison_ref)
    gsl_matrix_set(s->h, 0, 0, NAN);
}

static void test_failed_pass(void)
{
  grl_cell poisoned = grl_cell_gru;
  poisoned.forward = gru_forward_poisoned;
  setup s = make(&poisoned, 3, 4, 6, 2, 2385);
  poison_ref = grl_model_tensor(s.m, s.m->theta, "weight_hh_l0")[0];
  grl_gradcheck_opts o;
  grl_gradcheck_report *rep = NULL;
  grl_gradcheck_opts_init(&o, GRL_GC_CENTRAL);
  o.what = GRL_GC_PARAMS;
  o.threads = 2;
  int st = grl_gradcheck_run(&rep, s.m, s.p, &o);
  is_int(st, GRL_ENONFINITE, "a perturbed pass turns non-finite: GRL_ENONFINITE");
  ok(rep == NULL, "  and no report");
  const char *msg = grl_strerror();
  ok(strstr(msg, "perturbing weight_hh_l0[0,0]: ") && strstr(msg, "not finite")
     && !strstr(msg, "memory"),
     "  the message names the entry and the pass's own reason: %s", msg);
  grl_gradcheck_report_free(rep);
  unmake(&s);
}

/* ---- 5: threads, sampling, floor, sweep, bad options --------------------- */

static int same_report(const grl_gradcheck_report *a,
                       const grl_gradcheck_report *b)
{
  if (a->nrow != b->nrow || a->checked != b->checked)
    return 0;
  for (size_t i = 0; i < a->nrow; i++) {
    const grl_gradcheck_row *x = &a->row[i], *y = &b->row[i];
    if (x->checked != y->checked ||
        memcmp(x->n, y->n, x->checked * sizeof *x->n) != 0 ||
        memcmp(x->a, y->a, x->checked * sizeof *x->a) != 0 ||
        memcmp(&x->worst, &y->worst, sizeof x->worst) != 0)
      return 0;
  }
  return 1;
}

static void test_threads(void)
{
  setup s = make(&grl_cell_lstm, 4, 5, 9, 3, 1729);
  for (int k = 0; k < GRL_GC_NMETHOD; k++) {
    grl_gradcheck_opts o;
    grl_gradcheck_report *r1 = NULL, *r2 = NULL;
    grl_gradcheck_opts_init(&o, k);
    o.threads = 1;
    grl_gradcheck_run(&r1, s.m, s.p, &o);
    o.threads = 2;
    grl_gradcheck_run(&r2, s.m, s.p, &o);
#ifdef _OPENMP
    const int want_threads = 2;
#else
    const int want_threads = 1;   /* built without OpenMP: always one */
#endif
    ok(r1 && r2 && r2->threads == want_threads && same_report(r1, r2),
       "lstm, %s: 1 and 2 threads give bitwise the same report",
       grl_gradcheck_method_name(k));
    grl_gradcheck_report_free(r1);
    grl_gradcheck_report_free(r2);
  }
  unmake(&s);
}

static void test_sample_floor(void)
{
  setup s = make(&grl_cell_gru_cho, 3, 4, 6, 2, 3571);
  grl_gradcheck_opts o;
  grl_gradcheck_report *rep = NULL;
  grl_gradcheck_opts_init(&o, GRL_GC_CENTRAL);
  o.sample = 5;
  o.sample_seed = 17;
  int st = grl_gradcheck_run(&rep, s.m, s.p, &o);
  int good = st == GRL_OK && rep;
  for (size_t i = 0; good && i < rep->nrow; i++) {
    const grl_gradcheck_row *w = &rep->row[i];
    good &= w->checked == (w->size < 5 ? w->size : 5);
    for (size_t k = 1; k < w->checked; k++)
      good &= w->at[k] > w->at[k - 1] && w->at[k] < w->size;
  }
  ok(good, "--sample 5: at most 5 distinct entries per tensor, and it passes");
  grl_gradcheck_report_free(rep);

  /* The floor is max(1e-1 * S, 1e-300) per tensor, S its largest |gradient|. */
  grl_gradcheck_opts_init(&o, GRL_GC_CENTRAL);
  grl_gradcheck_run(&rep, s.m, s.p, &o);
  good = rep != NULL;
  for (size_t i = 0; good && i < rep->nrow; i++) {
    const grl_gradcheck_row *w = &rep->row[i];
    double S = 0.0;
    for (size_t k = 0; k < w->checked; k++)
      S = fmax(S, fmax(fabs(w->a[k]), fabs(w->n[k])));
    good &= w->scale == S && w->floor == fmax(1e-1 * S, 1e-300);
    for (size_t k = 0; k < w->checked; k++)
      good &= w->rel[k] == (w->a[k] == w->n[k] ? 0.0
              : fabs(w->a[k] - w->n[k]) / fmax(fabs(w->a[k]) + fabs(w->n[k]),
                                               w->floor));
  }
  ok(good, "floor = max(1e-1 * S, 1e-300) per tensor; rel = |a-n|/max(|a|+|n|, floor)");
  double scaled = rep ? rep->worst : NAN;
  grl_gradcheck_report_free(rep);
  o.floor_rel = 0.0;   /* the naive fixed floor */
  grl_gradcheck_run(&rep, s.m, s.p, &o);
  ok(rep && rep->worst >= scaled,
     "a fixed tiny floor never reports a smaller error (%.3g >= %.3g)",
     rep ? rep->worst : NAN, scaled);
  grl_gradcheck_report_free(rep);
  unmake(&s);

  /* A readout does not enter this loss and is not checked. */
  grl_model *m = NULL;
  grl_gradcheck_problem *p = NULL;
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  grl_model_alloc(&m, &grl_cell_rnn, 3, 4, 2);
  grl_gradcheck_problem_alloc(&p, m, 5, 2, r);
  grl_gradcheck_randomize(m, r, 0.9);
  grl_gradcheck_opts_init(&o, GRL_GC_COMPLEX);
  st = grl_gradcheck_run(&rep, m, p, &o);
  ok(st == GRL_OK && rep->checked == expected_entries(m, 5, 2) &&
     !row_named(rep, "readout_weight"),
     "a model with a readout: only the cell's own tensors are checked");
  grl_gradcheck_report_free(rep);
  grl_gradcheck_problem_free(p);
  grl_model_free(m);
  gsl_rng_free(r);
}

static void test_sweep(void)
{
  setup s = make(&grl_cell_gru, 3, 4, 6, 2, 2385);
  grl_gradcheck_sweep_result r;
  int st = grl_gradcheck_sweep(&r, s.m, s.p, "weight_hh_l0", (size_t)-1);
  ok(st == GRL_OK, "sweep over weight_hh_l0's largest entry runs");
  /* The reference is BPTT, which none of the three estimates computed. */
  ok(r.reference == r.analytic, "  the reference is the analytic value");
  int defined = 1;
  const double a = r.analytic;
  for (int k = 0; k < GRL_GRADCHECK_SWEEP_N; k++)
    defined &= r.err_forward[k] == fabs(r.forward[k] - a) / fabs(a) &&
               r.err_central[k] == fabs(r.central[k] - a) / fabs(a) &&
               r.err_complex_step[k] == fabs(r.complex_step[k] - a) / fabs(a);
  ok(defined, "  every error is |estimate - analytic| / |analytic|");
  is_double(r.complex_step[GRL_GRADCHECK_SWEEP_N - 1], r.analytic, 1e-13,
            "  the complex step at h=1e-20 agrees with BPTT");
  is_double(r.h[0], 1e-1, 1e-15, "  h starts at 1e-1");
  is_double(r.h[GRL_GRADCHECK_SWEEP_N - 1], 1e-20, 1e-15, "  ...ends at 1e-20");
  /* The V: truncation falls as h shrinks, then rounding rises again. */
  int k2 = 1, k5 = 4, k8 = 7, k12 = 11;   /* h = 1e-2, 1e-5, 1e-8, 1e-12 */
  ok(r.err_central[k2] > 1e-6 && r.err_central[k5] < 1e-8 &&
     r.err_central[k12] > r.err_central[k5],
     "  central: %.2g at 1e-2, %.2g at 1e-5, %.2g at 1e-12", r.err_central[k2],
     r.err_central[k5], r.err_central[k12]);
  ok(r.err_forward[k2] > r.err_forward[k8] &&
     r.err_forward[k12] > r.err_forward[k8] && r.err_forward[k8] < 1e-5,
     "  forward: %.2g at 1e-2, %.2g at 1e-8, %.2g at 1e-12", r.err_forward[k2],
     r.err_forward[k8], r.err_forward[k12]);
  int flat = 1;
  for (int k = 7; k < GRL_GRADCHECK_SWEEP_N; k++)
    flat &= r.err_complex_step[k] < 1e-13;
  ok(flat && r.err_complex_step[0] > 1e-6,
     "  complex: truncation at 1e-1 (%.2g), within 1e-13 of BPTT for h <= 1e-8",
     r.err_complex_step[0]);
  ok(r.err_forward[GRL_GRADCHECK_SWEEP_N - 1] == 1.0 &&
     r.err_central[GRL_GRADCHECK_SWEEP_N - 1] == 1.0,
     "  at h = 1e-20, theta + h == theta: the differences see no change");
  st = grl_gradcheck_sweep(&r, s.m, s.p, "weight_xx", 0);
  ok(st == GRL_EINVAL && strstr(grl_strerror(), "weight_xx"),
     "sweep of an unknown tensor fails naming it");
  st = grl_gradcheck_sweep(&r, s.m, s.p, "h0", 8);
  ok(st == GRL_EINVAL && strstr(grl_strerror(), "h0"),
     "sweep of an index out of range fails naming the tensor");
  unmake(&s);
}

static void test_bad_options(void)
{
  setup s = make(&grl_cell_rnn, 3, 4, 6, 2, 11);
  grl_gradcheck_opts o;
  grl_gradcheck_report *rep = (grl_gradcheck_report *)&o;
  grl_gradcheck_opts_init(&o, 7);
  ok(grl_gradcheck_run(&rep, s.m, s.p, &o) == GRL_EINVAL && rep == NULL,
     "an unknown method is GRL_EINVAL, with no report");
  grl_gradcheck_opts_init(&o, GRL_GC_CENTRAL);
  o.step = -1e-6;
  ok(grl_gradcheck_run(&rep, s.m, s.p, &o) == GRL_EINVAL && rep == NULL,
     "a negative step is GRL_EINVAL");
  grl_gradcheck_opts_init(&o, GRL_GC_CENTRAL);
  o.what = 0;
  ok(grl_gradcheck_run(&rep, s.m, s.p, &o) == GRL_EINVAL,
     "checking nothing is GRL_EINVAL");
  o.what = GRL_GC_C0;
  ok(grl_gradcheck_run(&rep, s.m, s.p, &o) == GRL_EINVAL,
     "c0 of a cell without a cell state: nothing to check");
  unmake(&s);
}

/* Any scalar function through the same engine: L(u) = sum_k c_k u_k^3 +
 * u_0 u_1 over a 2x3 "weight" and a 2-entry "bias", with its gradient
 * worked out by hand, dL/du_k = 3 c_k u_k^2 (+ u_1 at 0, + u_0 at 1).
 * The function keeps a call count in its ctx: the entries run on one
 * thread. */
typedef struct {
  double c[8];
  long calls;
} cubic;

static double cubic_loss(const double *u, void *ctx)
{
  cubic *q = ctx;
  q->calls++;
  double L = u[0] * u[1];
  for (int k = 0; k < 8; k++)
    L += q->c[k] * u[k] * u[k] * u[k];
  return L;
}

static double _Complex cubic_loss_c(const double _Complex *u, void *ctx)
{
  cubic *q = ctx;
  q->calls++;
  double _Complex L = u[0] * u[1];
  for (int k = 0; k < 8; k++)
    L += q->c[k] * u[k] * u[k] * u[k];
  return L;
}

static void scale_entry3(const char *tensor, double *grad, size_t size,
                         void *arg)
{
  if (!strcmp(tensor, "weight") && size > 3)
    grad[3] *= *(const double *)arg;
}

static void test_function(void)
{
  cubic q = {{0.731, -1.29, 0.417, 2.385, -0.643, 1.11, 0.0593, -0.872}, 0};
  const double u[8] = {0.31, -0.77, 1.4, 0.52, -1.13, 0.88, -0.29, 0.65};
  double g[8];
  for (int k = 0; k < 8; k++)
    g[k] = 3 * q.c[k] * u[k] * u[k];
  g[0] += u[1];
  g[1] += u[0];
  const grl_gradcheck_fn_tensor t[2] = {{"weight", 2, {2, 3, 1}},
                                        {"bias", 1, {2, 1, 1}}};
  grl_gradcheck_fn f = {"a cubic", 2, t, cubic_loss, cubic_loss_c, &q};
  const int methods[4] = {GRL_GC_FORWARD, GRL_GC_CENTRAL, GRL_GC_GSL,
                          GRL_GC_COMPLEX};
  for (int k = 0; k < 4; k++) {
    grl_gradcheck_opts o;
    grl_gradcheck_opts_init(&o, methods[k]);
    grl_gradcheck_report *rep = NULL;
    q.calls = 0;
    int st = grl_gradcheck_fn_run(&rep, &f, u, g, &o);
    ok(st == GRL_OK && rep && rep->pass && rep->checked == 8 && rep->nrow == 2
       && !strcmp(rep->cell, "a cubic") && rep->passes == (double)q.calls,
       "a function, %s: all 8 entries in 2 rows pass (worst %.2g), and the report counts its %ld calls",
       grl_gradcheck_method_name(methods[k]), rep ? rep->worst : NAN, q.calls);
    grl_gradcheck_report_free(rep);
  }
  /* an error of 1e-4 in weight[3] (=[1,0]): central catches it there */
  double scale = 1 + 1e-4;
  grl_gradcheck_opts o;
  grl_gradcheck_opts_init(&o, GRL_GC_CENTRAL);
  o.tamper = scale_entry3;
  o.tamper_arg = &scale;
  grl_gradcheck_report *rep = NULL;
  int st = grl_gradcheck_fn_run(&rep, &f, u, g, &o);
  const grl_gradcheck_row *w = rep ? &rep->row[rep->worst_row] : NULL;
  ok(st == GRL_EFAIL && w && !strcmp(w->name, "weight") && w->worst_at == 3
     && g[3] == 3 * q.c[3] * u[3] * u[3],
     "an error of 1e-4 in weight[1,0] is caught there (%.2g), the caller's gradient untouched",
     rep ? rep->worst : NAN);
  grl_gradcheck_report_free(rep);
  /* no complex form: the complex step is refused */
  f.loss_complex = NULL;
  grl_gradcheck_opts_init(&o, GRL_GC_COMPLEX);
  ok(grl_gradcheck_fn_run(&rep, &f, u, g, &o) == GRL_EINVAL && !rep
     && strstr(grl_strerror(), "no complex form"),
     "without a complex form the complex step is refused: '%s'", grl_strerror());
}

int main(void)
{
  gsl_set_error_handler_off();
  /* in the order below: every cell x 4 methods x 2, long, seed zero,
   * tamper, threshold, nothing compared, broken cell, failed pass, threads,
   * sample and floor, sweep, bad options, any function */
  int ncell = 0;
  for (const grl_cell *const *c = grl_cell_all(); *c; c++)
    ncell++;
  plan(ncell * GRL_GC_NMETHOD * 2 + 2 + 12 + 37 + 34 + 3 + 5 + 3 + 4 + 4 + 12
       + 4 + 6);
  test_all_cells_methods();
  test_long();
  test_seed_zero();
  test_tamper();
  test_threshold();
  test_nothing_compared();
  test_broken_cell();
  test_failed_pass();
  test_threads();
  test_sample_floor();
  test_sweep();
  test_bad_options();
  test_function();
  return exit_status();
}
