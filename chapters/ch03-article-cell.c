/*
# Chapter 3: The article's cell against the real GRU and the LSTM

**Prerequisites:** chapter 1 §3, §5 (one GRU step; which way z points),
chapter 2 §1, §3 (the update as an interpolation; the pulse-and-sine
input).

grulab grew out of a blog article (shared/seed/gru-article.zh.md) that
presents a "GRU" with a forget, an input and an output gate.  This chapter
takes that cell seriously: it runs it (the library's `seed` cell), shows
what its code gets wrong, places it between the LSTM and the GRU, and then
compares the two GRUs that are both called "the GRU".

### What you will learn

1. The article's cell.  With $v = [h_{t-1}; x_t]$ ($h$ first):

   $$f = σ(W_f v + b_f) \qquad i = σ(W_i v + b_i) \qquad o = σ(W_o v + b_o)$$
   $$h_t = f ⊙ h_{t−1} + i ⊙ \tanh(W_c v + b_c)$$

   Its numpy code differs from its equations twice: every gate uses
   `np.tanh`, so a "gate" can be negative: $f < 0$ flips the sign of the
   kept state at every step, which a pulse followed by silence shows; and
   `np.concatenate((h_prev, x), axis=1)` on two 1-D arrays raises numpy's
   `AxisError`, so the code never ran.
2. Where it sits.  $f$ and $i$ are the LSTM's forget and input gates, but
   applied to $h$ itself: there is no cell state, and $o$ is computed and
   thrown away.  A GRU *couples* the two: $f = z$ and $i = 1 - z$, which
   keeps $|h| ≤ 1$; with independent $f$ and $i$, $|h|$ can grow to
   $i/(1 - f)$.  With $W_i = -W_f$, $b_i = -b_f$ (so $i = 1 - f$) the
   article's cell reproduces a GRU whose reset gate is held open, to
   rounding.
3. Nothing reads $o$, so $∂L/∂W_o$ and $∂L/∂b_o$ are exactly 0: BPTT says
   so, and so does a finite difference, exactly; redrawing $W_o$ and $b_o$
   leaves every $h_t$ bit-identical.
4. `gru` (PyTorch, reset after the product: $r ⊙ (W_{hn} h + b_{hn})$)
   and `gru-cho` (Cho et al. 2014, reset before:
   $W_{hn} (r ⊙ h) + b_{hn}$) share every parameter and every $r$ and $z$,
   and still give different outputs.  The chapter measures by how much.

Time steps: $h_0$ is the initial state (0 here); step $t = 1..T$ reads
$x_t$ and $h_{t-1}$ and writes $h_t$.

### Run it

    chapters/ch03-article-cell [--seed N] [--outdir DIR] [--quick]

### Charts

- `ch03-tanh-gates`: the article's code (tanh gates) against its
  equations (sigmoid gates): a gate and a state over time.
- `ch03-sign-flip`: one unit, two pulses then silence: with tanh gates
  ($f < 0$) $h$ alternates in sign, with sigmoid gates not.
- `ch03-seed-gates`: heatmaps of $f$, $i$, $o$ and the candidate of the
  article's cell (hidden unit × time), $o$ included though nothing reads
  it, and of $|h|$, which nothing bounds by 1.
- `ch03-gru-vs-cho`: the same parameters through `gru` and `gru-cho`: one
  unit's state, and the rms difference against the rms state over time.
*/
#include <config.h>
#include "grulab.h"
#include "grl_lesson.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

static const char *const charts[] = {"tanh-gates", "sign-flip", "seed-gates",
                                     "gru-vs-cho", NULL};

/* Exercises, easy to hard.  One text for the notebook page, --help and
 * --answer; each numeric answer is computed here, never quoted. */
static int ex1_answer(double *v)   /* reset-after minus reset-before, h = 0 */
{
  const double r = 0.3, b_hn = 0.25;
  *v = b_hn - r * b_hn;            /* W_hn(r*0) + b_hn  -  r*(W_hn 0 + b_hn) */
  return GRL_OK;
}

static int ex2_answer(double *v)   /* the uncoupled cell's bound i/(1-f) */
{
  const double f = grl_sigmoid(2.5), i = grl_sigmoid(2.5);
  *v = i / (1.0 - f);
  return GRL_OK;
}

static const grl_exercise exercises[] = {
  {"Predict the step-1 difference between gru and gru-cho.  From h_0 = 0,\n"
   "by how much do the two candidates' pre-activations differ for a unit\n"
   "with r = 0.3 and b_hn = 0.25 (gru-cho's minus gru's)?  The section\n"
   "\"gru against gru-cho\" checks the formula you need.", ex1_answer, 0.01, 0},
  {"The article's uncoupled cell with b_f = b_i = b can grow up to\n"
   "i/(1 − f).  Predict that bound for b = 2.5, then set both biases to\n"
   "2.5 in the section \"Between the LSTM and the GRU\" and check that the\n"
   "largest |h_t| stays under it.",
   ex2_answer, 0.005, 0},
  {"Run `grulab gradcheck --cell seed` and find the tensors whose gradient\n"
   "is exactly zero.  Why does the check still pass, and what would you\n"
   "change in the article's equations so that o is used?", NULL, 0, 0},
  {NULL, NULL, 0, 0}
};

static const grl_lesson_info chapter = {
  .exercises = exercises,
  .name = "ch03-article-cell",
  .title = "The article's cell against the real GRU and the LSTM",
  .summary =
    "Chapter 3 runs the cell that the source article calls a GRU (forget,\n"
    "input and output gates on v = [h; x]) and shows what its code gets\n"
    "wrong: tanh for the gates (a negative forget gate flips the kept state\n"
    "at every step, shown on a pulse followed by silence), and a numpy\n"
    "AxisError that stops it from running at all.  It relates the cell's f\n"
    "and i to the LSTM's gates and to the GRU's coupled gate (f = z,\n"
    "i = 1 - z), reproduces a GRU with it, shows that its output gate gets\n"
    "exactly zero gradient, and measures how far PyTorch's GRU and Cho et\n"
    "al.'s GRU drift apart on the same parameters.",
  .charts = charts,
  .seed = 3,
};

/* Two cells side by side, B = 1, on one structured input of T steps: the
 * set-up of the sections that compare cells.  Reports and returns non-zero
 * if an allocation fails (after freeing what it had). */
typedef struct {
  grl_model *m[2];
  grl_seq *s[2];
  double *x;   /* (T, I) */
} twin;

static void twin_free(twin *w)
{
  for (int k = 0; k < 2; k++) {
    grl_seq_free(w->s[k]);
    grl_model_free(w->m[k]);
  }
  free(w->x);
}

static int twin_alloc(grl_lesson *L, twin *w, const grl_cell *a,
                      const grl_cell *b, size_t I, size_t H, size_t T)
{
  const grl_cell *cells[2] = {a, b};
  memset(w, 0, sizeof *w);
  w->x = malloc(T * I * sizeof *w->x);
  int rc = w->x ? GRL_OK : grl_fail(GRL_ENOMEM, "ch03: out of memory");
  for (int k = 0; k < 2 && !rc; k++) {
    rc = grl_model_alloc(&w->m[k], cells[k], I, H, 0);
    if (!rc)
      rc = grl_seq_alloc(&w->s[k], w->m[k], T, 1);
  }
  if (rc) {
    grl_lesson_error(L, rc, "allocation");
    twin_free(w);
    return rc;
  }
  grl_lesson_pulse_sine(w->x, T, 1, I);   /* chapter 2's input */
  return GRL_OK;
}

/*
## 1. The article's cell, and what its code gets wrong

The library's `seed` cell follows the article's *equations*: sigmoid
gates.  The article's *code* computes every gate with `np.tanh`:

    f = np.tanh(W_f . concat(h_prev, x) + b_f)    (and i, o alike)

A tanh "gate" lives in (−1, 1).  When $f < 0$, $h_t = f h_{t-1} + \dots$
flips the sign of the remembered state at every step: that is not
forgetting, it is oscillation.  Below, `article_code_step` is that code,
transcribed (with the concatenation fixed so that it runs).
*/

/* One step of the article's numpy code for one row: all four with tanh.
 * theta is laid out like the seed cell's block; v = [h; x]. */
static void article_code_step(const grl_model *m, const double *theta,
                              const double *x, const double *h_prev,
                              double *h, double *f_out)
{
  size_t H = m->hidden_size, I = m->input_size, V = H + I;
  const char *wn[4] = {"weight_f", "weight_i", "weight_o", "weight_c"};
  const char *bn[4] = {"bias_f", "bias_i", "bias_o", "bias_c"};
  for (size_t j = 0; j < H; j++) {
    double a[4];   /* z_f, z_i, z_o, z_c of the article's code */
    for (size_t k = 0; k < 4; k++) {
      const double *w = theta + grl_model_param(m, wn[k])->offset + j * V;
      /* z_k = W_k . concatenate((h_prev, x)) + b_k */
      double s = theta[grl_model_param(m, bn[k])->offset + j];
      for (size_t q = 0; q < H; q++)
        s += w[q] * h_prev[q];
      for (size_t q = 0; q < I; q++)
        s += w[H + q] * x[q];
      a[k] = s;
    }
    /* f = np.tanh(z_f); i = np.tanh(z_i); c = np.tanh(z_c);  h = f*h_prev + i*c */
    double f = tanh(a[0]), i = tanh(a[1]), c = tanh(a[3]);
    h[j] = f * h_prev[j] + i * c;
    f_out[j] = f;
  }
}

static void article(grl_lesson *L, const grl_model *m, const double *x,
                    size_t T)
{
  grl_lesson_section(L, "The article's cell, and what its code gets wrong");
  grl_lesson_say(L,
    "Equations (article sections 2 and 3.3), v = [h_{t-1}; x_t]:\n"
    "  f = sigma(W_f v + b_f)   i = sigma(W_i v + b_i)   o = sigma(W_o v + b_o)\n"
    "  h_t = f * h_{t-1} + i * tanh(W_c v + b_c)\n"
    "Its code (section 4) instead:\n"
    "  z_f = np.dot(self.W_f, np.concatenate((h_prev, x), axis=1)) + self.b_f\n"
    "  f = np.tanh(z_f)                      # and i, o the same way\n"
    "h_prev and x are 1-D arrays: they have no axis 1, and numpy stops with\n"
    "  numpy.AxisError: axis 1 is out of bounds for array of dimension 1\n"
    "(numpy.exceptions.AxisError from numpy 1.25).  The code never ran.  With\n"
    "axis=0 it runs, and then its tanh gates differ from the equations:");

  size_t H = m->hidden_size, I = m->input_size;
  double *hs = calloc(H, sizeof *hs), *ht = calloc(H, sizeof *ht); /* (H) states */
  double *hn = malloc(H * sizeof *hn);                               /* (H) next   */
  double *fs = malloc(4 * H * sizeof *fs);   /* (4H) seed gates f, i, o, c~ */
  double *ft = malloc(H * sizeof *ft);       /* (H) the code's f            */
  grl_chart *ch = NULL;
  if (!hs || !ht || !hn || !fs || !ft) {
    grl_lesson_error(L, grl_fail(GRL_ENOMEM, "ch03: out of memory"), "allocation");
    goto done;
  }
  /* Run both from h_0 = 0; count the code's negative "forget" values. */
  ch = grl_lesson_chart(L, "tanh-gates",
                        "The article's code (tanh gates) against its equations (σ gates)");
  grl_chart_comment(ch, "unit 0 of the article's cell, on the chapter's input");
  grl_chart_columns(ch, "t f_sigmoid f_tanh h_sigmoid h_tanh");
  size_t negative_f = 0, neg_f0 = 0, flips_s = 0, flips_t = 0;
  double fmin_t = 1.0, fmin_s = 1.0, hlo = 0.0, hhi = 0.0;
  for (size_t t = 1; t <= T; t++) {
    /* step t reads x_t (row t-1) and h_{t-1}, writes h_t */
    const double *xt = x + (t - 1) * I;
    double hs0 = hs[0], ht0 = ht[0];
    m->cell->naive(m, m->theta, xt, hs, NULL, hn, NULL, fs);
    memcpy(hs, hn, H * sizeof *hs);
    article_code_step(m, m->theta, xt, ht, hn, ft);
    memcpy(ht, hn, H * sizeof *ht);
    flips_s += hs0 * hs[0] < 0.0;   /* unit 0's state changed sign */
    flips_t += ht0 * ht[0] < 0.0;
    neg_f0 += ft[0] < 0.0;
    for (size_t j = 0; j < H; j++) {
      negative_f += ft[j] < 0.0;
      fmin_t = fmin(fmin_t, ft[j]);
      fmin_s = fmin(fmin_s, fs[j]);
    }
    hlo = fmin(hlo, fmin(hs[0], ht[0]));
    hhi = fmax(hhi, fmax(hs[0], ht[0]));
    grl_chart_row(ch, 5, (double[]){(double)t, fs[0], ft[0], hs[0], ht[0]});
  }
  grl_lesson_value(L, "smallest f, sigmoid (equations)", fmin_s);
  grl_lesson_value(L, "smallest f, tanh (the code)", fmin_t);
  grl_lesson_value(L, "fraction of f < 0, tanh", (double)negative_f / (double)(H * T));
  grl_lesson_value(L, "unit 0: steps with f < 0, tanh", (double)neg_f0);
  grl_lesson_value(L, "unit 0: sign changes of h_t, tanh", (double)flips_t);
  grl_lesson_value(L, "unit 0: sign changes of h_t, sigmoid", (double)flips_s);
  grl_lesson_say(L,
    "A negative 'forget gate' multiplies the KEPT part of the state, f*h_t-1,\n"
    "by a negative number.  But on this input the new term i*c~ is written\n"
    "at every step too, and c~ takes either sign: unit 0's f is\n"
    "negative on %zu of %zu steps and its state changes sign %zu times, while\n"
    "with sigma gates (f never negative) it changes sign %zu times.  This run\n"
    "cannot tell the two causes apart (ch03-tanh-gates); the next section\n"
    "isolates the kept part.",
    neg_f0, T, flips_t, flips_s);
  grl_lesson_expect(L, fmin_s > 0.0, "sigmoid gates stay in (0, 1)");
  grl_lesson_expect(L, negative_f > 0, "the code's tanh 'forget gate' goes negative");
  grl_lesson_takeaway(L, "tanh-gates",
    "The code's tanh \"forget gate\" is negative in %.0f%% of unit-steps"
    " (down to %.2f), while σ gates stay above %.2f; unit 0's state changes"
    " sign %zu times with tanh gates and %zu times with σ gates.",
    100.0 * (double)negative_f / (double)(H * T), fmin_t, fmin_s, flips_t,
    flips_s);
  grl_chart_set(ch, "tmax", "%zu", T);
  grl_chart_set(ch, "hlo", "%.3f", hlo - 0.05);
  grl_chart_set(ch, "hhi", "%.3f", hhi + 0.5 * (hhi - hlo));
  grl_chart_template(ch, NULL);
  grl_lesson_chart_done(L, ch);
done:
  free(hs); free(ht); free(hn); free(fs); free(ft);
}

/*
## 2. A pulse, then silence: a negative forget gate flips the state

To see the kept part alone, take one unit and an input that speaks twice
and then falls silent: $x_t = 1$ at $t = 1$ and 2, then 0.  The candidate
is $\tilde c = \tanh(2x)$, so it is 0 once the input is silent, and from
$t = 3$ on the equations reduce to $h_t = f h_{t-1}$.  The gates are
constants (no weights on $v$, only biases):

::: equations
-------------  ------------------------------------------------------
$b_f = -1.5$:  σ gives $f = 0.18$ (keep a little);
               tanh gives $f = -0.91$ (keep almost all, sign flipped)
$b_i = +2$:    $i = 0.88$ (σ) or 0.96 (tanh)
-------------  ------------------------------------------------------
:::

The same parameters through the equations (the library's seed cell) and
through the article's code.
*/

static void sign_flip(grl_lesson *L)
{
  grl_lesson_section(L, "A pulse, then silence: a negative forget gate flips the state");
  enum { T1 = 12 };
  grl_model *m;
  int rc = grl_model_alloc(&m, &grl_cell_seed, 1, 1, 0);
  if (rc) {
    grl_lesson_error(L, rc, "allocation");
    return;
  }
  /* every weight 0; the biases set the constant gates */
  memset(m->theta, 0, m->n * sizeof *m->theta);
  *grl_model_tensor(m, m->theta, "bias_f") = -1.5;
  *grl_model_tensor(m, m->theta, "bias_i") = 2.0;
  grl_model_tensor(m, m->theta, "weight_c")[1] = 2.0;   /* v = [h; x]: x's column */
  grl_lesson_say(L,
    "One unit, every weight 0 except W_c's input column (2), b_f = -1.5 and\n"
    "b_i = 2.  Input x_t = 1 at t = 1 and 2, then 0, so c~ = tanh(2 x_t) is\n"
    "0 from t = 3 on and h_t = f h_t-1 there.  h_0 = 0.");
  grl_lesson_value(L, "f = sigma(-1.5), equations", grl_sigmoid(-1.5));
  grl_lesson_value(L, "f = tanh(-1.5), the article's code", tanh(-1.5));

  /* one hand-set unit, not the lesson's random cell: its own parameters */
  grl_chart *ch = grl_lesson_chart_own(L, "sign-flip",
                                       "A pulse, then silence: σ gates against the article's tanh gates");
  grl_chart_param(ch, "cell", "%s", grl_cell_name(m->cell));
  grl_chart_param(ch, "T", "%d", (int)T1);
  grl_chart_param(ch, "H", "1");
  grl_chart_param(ch, "I", "1");
  grl_chart_param(ch, "init", "hand-set: b_f = -1.5, b_i = 2, W_c = [0 2], every other weight 0");
  grl_chart_comment(ch, "one unit; x_t = 1 at t = 1, 2, then 0; b_f = -1.5, b_i = 2, "
                    "W_c = [0 2], every other weight 0");
  grl_chart_columns(ch, "t x h_sigmoid h_tanh");
  grl_chart_row(ch, 4, (double[]){0.0, 0.0, 0.0, 0.0});   /* h_0 = 0 */
  grl_lesson_say(L, "\n     t    x_t    h_t, sigma gates   h_t, tanh gates (code)");
  double hs = 0.0, ht = 0.0, h1s = 0.0, h1t = 0.0, h2s = 0.0, h2t = 0.0;
  size_t flips_t = 0, flips_s = 0, silent = 0;
  for (size_t t = 1; t <= T1; t++) {
    double x = t <= 2 ? 1.0 : 0.0, hn, gates[4], f;
    m->cell->naive(m, m->theta, &x, &hs, NULL, &hn, NULL, gates);
    double hs_prev = hs, ht_prev = ht;
    hs = hn;
    article_code_step(m, m->theta, &x, &ht_prev, &hn, &f);
    ht = hn;
    if (t == 1) { h1s = hs; h1t = ht; }
    if (t == 2) { h2s = hs; h2t = ht; }
    if (t >= 3) {   /* the silent steps: only the kept part is left */
      silent++;
      flips_s += hs * hs_prev < 0.0;
      flips_t += ht * ht_prev < 0.0;
    }
    grl_lesson_say(L, "  %4zu   %4.1f   % 16.6e   % 16.6e", t, x, hs, ht);
    grl_chart_row(ch, 4, (double[]){(double)t, x, hs, ht});
  }
  grl_chart_set(ch, "tmax", "%d", T1);
  grl_chart_template(ch, NULL);
  grl_lesson_chart_done(L, ch);
  grl_lesson_value(L, "silent steps t = 3..12", (double)silent);
  grl_lesson_value(L, "  sign changes of h, tanh gates", (double)flips_t);
  grl_lesson_value(L, "  sign changes of h, sigma gates", (double)flips_s);
  grl_lesson_value(L, "second pulse: h_2 / h_1, sigma", h2s / h1s);
  grl_lesson_value(L, "second pulse: h_2 / h_1, tanh", h2t / h1t);
  grl_lesson_expect(L, flips_t == silent && flips_s == 0,
                    "with the input silent, tanh gates flip h at every step, sigma gates never");
  grl_lesson_expect(L, h2s > h1s && fabs(h2t) < fabs(h1t),
                    "a second equal pulse adds to h with sigma gates, cancels with tanh");
  grl_lesson_takeaway(L, "sign-flip",
    "With the input silent, tanh gates flip $h$ at %zu of %zu steps and σ"
    " gates at %zu; a second equal pulse gives $h_2/h_1$ = %.2f with σ gates"
    " and %.2f with tanh gates.", flips_t, silent, flips_s, h2s / h1s,
    h2t / h1t);
  grl_lesson_say(L,
    "With sigma gates the state keeps its sign and a second pulse adds to\n"
    "the first (h_2/h_1 = %.2f).  With the code's tanh gates, f = %.2f keeps\n"
    "%.0f%% of the state but flips its sign, so h alternates at every silent\n"
    "step, and the second pulse mostly cancels the first (h_2/h_1 = %.2f):\n"
    "two equal pieces of evidence on consecutive steps do not add up.",
    h2s / h1s, tanh(-1.5), 100.0 * fabs(tanh(-1.5)), h2t / h1t);
  grl_model_free(m);
}

/*
## 3. Between the LSTM and the GRU

::: equations
--------  ----------------------------------  ----------------------
LSTM:     $c_t = f ⊙ c_{t-1} + i ⊙ g$         $h_t = o ⊙ \tanh(c_t)$
article:  $h_t = f ⊙ h_{t-1} + i ⊙ \tilde c$  ($o$ computed, unused)
GRU:      $h_t = z ⊙ h_{t-1} + (1 - z) ⊙ n$
--------  ----------------------------------  ----------------------
:::

The article's cell is the LSTM's cell-state update applied to $h$, with
the output gate dropped.  The GRU is that update with the two gates
*coupled*, $f = z$ and $i = 1 - z$ (and a reset gate inside $n$).
Coupling makes $h_t$ a convex combination of $h_{t-1}$ and $n$, both in
[−1, 1], so $|h_t| ≤ 1$ forever.  Uncoupled, $f$ near 1 and $i$ near 1 add
up: $|h|$ approaches $i/(1 - f)$.

And the coupling can be built *into* the article's cell.  Take a GRU and
hold its reset gate open ($b_{ir} = +40$, so $r = 1$ in double).  Set

::: equations
--------------------------------------------------  --------------------------------
$W_f = [W_{hz} | W_{iz}]$, $b_f = b_{iz} + b_{hz}$  so $f = z$
$W_i = -W_f$, $b_i = -b_f$                          so $i = σ(-a) = 1-z$
$W_c = [W_{hn} | W_{in}]$, $b_c = b_{in} + b_{hn}$  so $\tilde c = n$ (with $r = 1$)
--------------------------------------------------  --------------------------------
:::

and the article's cell computes the GRU.
*/

static void between(grl_lesson *L, gsl_rng *rng)
{
  grl_lesson_section(L, "Between the LSTM and the GRU");
  size_t I = 2, H = 4, T = L->quick ? 30 : 100;
  twin w;
  if (twin_alloc(L, &w, &grl_cell_gru, &grl_cell_seed, I, H, T))
    return;
  grl_model *gru = w.m[0], *art = w.m[1];
  grl_seq *sg = w.s[0], *sa = w.s[1];
  const double *x = w.x;                     /* (T, I) */
  int rc;
  grl_model_init_uniform(gru, rng);
  double *Wih = grl_model_tensor(gru, gru->theta, "weight_ih_l0");  /* (3H, I) r z n */
  double *Whh = grl_model_tensor(gru, gru->theta, "weight_hh_l0");  /* (3H, H) */
  double *bih = grl_model_tensor(gru, gru->theta, "bias_ih_l0");    /* (3H) */
  double *bhh = grl_model_tensor(gru, gru->theta, "bias_hh_l0");    /* (3H) */
  for (size_t j = 0; j < H; j++)
    bih[j] = 40.0;                          /* r = sigma(40 + ...) = 1 */

  size_t V = H + I;
  double *Wf = grl_model_tensor(art, art->theta, "weight_f"), *bf = grl_model_tensor(art, art->theta, "bias_f");
  double *Wi = grl_model_tensor(art, art->theta, "weight_i"), *bi = grl_model_tensor(art, art->theta, "bias_i");
  double *Wo = grl_model_tensor(art, art->theta, "weight_o"), *bo = grl_model_tensor(art, art->theta, "bias_o");
  double *Wc = grl_model_tensor(art, art->theta, "weight_c"), *bc = grl_model_tensor(art, art->theta, "bias_c");
  for (size_t j = 0; j < H; j++) {
    for (size_t q = 0; q < H; q++) {
      /* W_f = [W_hz | W_iz],  W_c = [W_hn | W_in]: the h-columns first */
      Wf[j * V + q] = Whh[(H + j) * H + q];
      Wc[j * V + q] = Whh[(2 * H + j) * H + q];
    }
    for (size_t q = 0; q < I; q++) {
      Wf[j * V + H + q] = Wih[(H + j) * I + q];
      Wc[j * V + H + q] = Wih[(2 * H + j) * I + q];
    }
    for (size_t q = 0; q < V; q++) {
      Wi[j * V + q] = -Wf[j * V + q];       /* W_i = -W_f */
      Wo[j * V + q] = 0.5;                  /* anything: nothing reads o */
    }
    bf[j] = bih[H + j] + bhh[H + j];        /* b_f = b_iz + b_hz */
    bi[j] = -bf[j];                         /* b_i = -b_f         */
    bo[j] = 0.0;
    bc[j] = bih[2 * H + j] + bhh[2 * H + j]; /* b_c = b_in + b_hn */
  }
  rc = grl_seq_forward(sg, NULL, x, NULL, NULL);
  if (!rc)
    rc = grl_seq_forward(sa, NULL, x, NULL, NULL);
  if (rc) {
    grl_lesson_error(L, rc, "grl_seq_forward");
    goto done;
  }
  gsl_matrix_view og = grl_seq_output(sg), oa = grl_seq_output(sa);
  grl_lesson_say(L,
    "LSTM:     c_t = f*c_t-1 + i*g          h_t = o*tanh(c_t)\n"
    "article:  h_t = f*h_t-1 + i*c~         (o computed, never used)\n"
    "GRU:      h_t = z*h_t-1 + (1-z)*n      (f = z, i = 1-z: coupled)\n"
    "A GRU with its reset gate held open (b_ir = 40, r = 1 in double), copied\n"
    "into the article's cell as W_f = [W_hz | W_iz], b_f = b_iz + b_hz,\n"
    "W_i = -W_f, b_i = -b_f (so i = 1-f), W_c = [W_hn | W_in],\n"
    "b_c = b_in + b_hn, on the chapter's input, T = %zu, H = %zu.  The\n"
    "normwise relative difference of the two cells' h_1..h_T:", T, H);
  grl_lesson_check(L, "article's cell with i = 1-f vs GRU (r = 1)",
                   grl_lesson_reldiff(T * H, og.matrix.data, oa.matrix.data),
                   1e-14);

  grl_lesson_say(L,
    "Coupled, h_t is a convex combination of h_t-1 and n, both in [-1, 1],\n"
    "so |h_t| <= 1.  Uncoupled, with W_f = W_i = 0 and b_f = b_i = 4, so\n"
    "f = i = sigma(4) = %.4f at every step, h_t = f*h_t-1 + i*c~ climbs\n"
    "towards i*c~/(1-f), at most e^4 in size:", grl_sigmoid(4.0));
  /* Uncoupled: W_f = W_i = 0 and b_f = b_i = +4, so f = i = sigma(4)
   * at every step.  Then h_t = f h_{t-1} + i c~ with |c~| < 1 climbs
   * towards i c~ / (1 - f): up to sigma(4)/(1 - sigma(4)) = e^4 = 54.6. */
  for (size_t j = 0; j < H; j++) {
    for (size_t q = 0; q < V; q++)
      Wi[j * V + q] = Wf[j * V + q] = 0.0;
    bf[j] = 4.0;
    bi[j] = 4.0;
  }
  rc = grl_seq_forward(sa, NULL, x, NULL, NULL);
  if (rc) {
    grl_lesson_error(L, rc, "grl_seq_forward");
    goto done;
  }
  double hmax_a = 0.0, hmax_g = 0.0;
  for (size_t k = 0; k < T * H; k++) {
    hmax_a = fmax(hmax_a, fabs(oa.matrix.data[k]));
    hmax_g = fmax(hmax_g, fabs(og.matrix.data[k]));
  }
  grl_lesson_value(L, "GRU: largest |h_t|", hmax_g);
  grl_lesson_value(L, "article, b_f = b_i = 4: largest |h_t|", hmax_a);
  double bound = grl_sigmoid(4.0) / (1.0 - grl_sigmoid(4.0));
  grl_lesson_value(L, "  its bound i/(1-f) = e^4", bound);
  grl_lesson_expect(L, hmax_g <= 1.0, "coupled (GRU): |h| <= 1");
  grl_lesson_expect(L, hmax_a > 1.0 && hmax_a < bound,
                    "uncoupled (article): 1 < |h| < i/(1-f)");
done:
  twin_free(&w);
}

/*
## 4. Why the output gate o gets no gradient

$h_t = f ⊙ h_{t-1} + i ⊙ \tilde c$ does not contain $o$.  So no path leads
from the loss to $W_o$ or $b_o$, and BPTT gives $∂L/∂W_o = 0$ exactly.
The numbers agree: moving an entry of $W_o$ changes the loss by exactly
nothing, not by something small.
*/

static void unused_gate(grl_lesson *L, grl_model *m, const double *x, size_t T)
{
  grl_lesson_section(L, "Why the output gate o gets no gradient");
  size_t H = m->hidden_size, I = m->input_size;
  grl_seq *s = NULL;
  double *g = malloc(T * H * sizeof *g);          /* (T, H) dL/doutput */
  double *dtheta = calloc(m->n, sizeof *dtheta);  /* (n) */
  double *th = malloc(m->n * sizeof *th);         /* (n) a perturbed copy */
  int rc = (!g || !dtheta || !th) ? grl_fail(GRL_ENOMEM, "ch03: out of memory") : GRL_OK;
  if (!rc)
    rc = grl_seq_alloc(&s, m, T, 1);
  if (rc) {
    grl_lesson_error(L, rc, "allocation");
    goto done;
  }
  for (size_t k = 0; k < T * H; k++)
    g[k] = sin(0.7 * (double)k + 0.3);     /* any fixed weights will do */
  /* L = sum(g .* output) + 1/2 ||h_T||^2:  dL/doutput = g, dL/dh_T = h_T */
  rc = grl_seq_forward(s, NULL, x, NULL, NULL);
  gsl_matrix_view hT = grl_seq_hT(s);
  if (!rc)
    rc = grl_seq_backward(s, NULL, x, g, hT.matrix.data, NULL, dtheta, NULL,
                          NULL, NULL);
  if (rc) {
    grl_lesson_error(L, rc, "BPTT");
    goto done;
  }
  grl_lesson_say(L, "L = sum(g * h_t) + 1/2 ||h_T||^2, BPTT over T = %zu steps:", T);
  for (size_t p = 0; p < m->nparam; p++) {
    const grl_param *P = &m->param[p];
    double nrm = 0.0;
    for (size_t k = 0; k < P->rows * P->cols; k++)
      nrm += dtheta[P->offset + k] * dtheta[P->offset + k];
    char label[64];
    snprintf(label, sizeof label, "||dL/d%s||", P->name);
    grl_lesson_value(L, label, sqrt(nrm));
  }
  const grl_param *wo = grl_model_param(m, "weight_o");
  const grl_param *bo = grl_model_param(m, "bias_o");
  int zero = 1;
  for (size_t k = 0; k < wo->rows * wo->cols; k++)
    zero &= dtheta[wo->offset + k] == 0.0;
  for (size_t k = 0; k < bo->rows; k++)
    zero &= dtheta[bo->offset + k] == 0.0;
  grl_lesson_expect(L, zero, "dL/dweight_o and dL/dbias_o are exactly 0.0");

  /* Central difference on W_o[0][0]: (L(+h) - L(-h)) / 2h. */
  double L0, Lp, Lm, hstep = 1e-3;
  L0 = grl_gradcheck_loss(s, g);
  memcpy(th, m->theta, m->n * sizeof *th);
  th[wo->offset] += hstep;
  rc = grl_seq_forward(s, th, x, NULL, NULL);
  Lp = grl_gradcheck_loss(s, g);
  th[wo->offset] -= 2.0 * hstep;
  if (!rc)
    rc = grl_seq_forward(s, th, x, NULL, NULL);
  Lm = grl_gradcheck_loss(s, g);
  if (rc) {
    grl_lesson_error(L, rc, "grl_seq_forward");
    goto done;
  }
  grl_lesson_value(L, "L", L0);
  grl_lesson_say(L, "A central difference on W_o[0][0], h = %g ('known' is the exact\n"
                    "0 that BPTT gives; error = computed - known):", hstep);
  grl_lesson_known(L, "(L(W_o+h) - L(W_o-h)) / 2h", (Lp - Lm) / (2.0 * hstep), 0.0);
  grl_lesson_expect(L, Lp == L0 && Lm == L0, "moving W_o[0][0] leaves L bit-identical");
  (void)I;
done:
  grl_seq_free(s);
  free(g);
  free(dtheta);
  free(th);
}

/*
## 5. The article's gates and its state over time

The gates of the article's cell, as heatmaps.  The driver caches $f$, $i$,
$o$ and $\tilde c$ for every step (`cell->gate_names`).  $o$ is there too:
computed at every step, read by nothing.
*/

static void seed_heatmaps(grl_lesson *L, grl_model *m, const double *x, size_t T)
{
  grl_lesson_section(L, "The article's gates and its state over time");
  size_t H = m->hidden_size;
  grl_seq *s = NULL;
  double *h = malloc(T * H * sizeof *h);         /* (T, H) h_1..h_T */
  double *absh = malloc(T * H * sizeof *absh);   /* (T, H) |h_t| */
  double *th = malloc(m->n * sizeof *th);        /* (n) W_o, b_o redrawn */
  int rc = (!h || !absh || !th) ? grl_fail(GRL_ENOMEM, "ch03: out of memory") : GRL_OK;
  if (!rc)
    rc = grl_seq_alloc(&s, m, T, 1);
  /* o is never read: redraw W_o and b_o (any values will do) and run the
   * same input again; h must not change in a single bit. */
  double o_moves = 0.0;
  if (!rc) {
    memcpy(th, m->theta, m->n * sizeof *th);
    const char *on[2] = {"weight_o", "bias_o"};
    for (int q = 0; q < 2; q++) {
      const grl_param *P = grl_model_param(m, on[q]);
      for (size_t k = 0; k < P->rows * P->cols; k++)
        th[P->offset + k] = 3.0 * sin(1.7 * (double)k + 0.4 + (double)q);
    }
    rc = grl_seq_forward(s, th, x, NULL, NULL);
  }
  if (!rc) {
    gsl_matrix_view o = grl_seq_output(s);   /* (T, H) */
    memcpy(h, o.matrix.data, T * H * sizeof *h);
    rc = grl_seq_forward(s, NULL, x, NULL, NULL);
  }
  if (rc) {
    grl_lesson_error(L, rc, "grl_seq_forward");
    goto done;
  }
  gsl_matrix_view o = grl_seq_output(s);     /* (T, H), rows t-1 = h_t */
  double hmax = 0.0;
  for (size_t k = 0; k < T * H; k++) {
    o_moves = fmax(o_moves, fabs(o.matrix.data[k] - h[k]));
    absh[k] = fabs(o.matrix.data[k]);
    hmax = fmax(hmax, absh[k]);
  }

  const grl_cell *c = m->cell;
  grl_chart *ch = grl_lesson_chart(L, "seed-gates",
                                   "The article's cell: gates f, i, o, the candidate, and |h|");
  grl_chart_comment(ch, "rows: hidden unit j = 0..%zu, columns: time step t = 1..%zu",
                    H - 1, T);
  grl_chart_matrix(ch, H, T);
  for (size_t k = 0; k < c->ngate; k++) {
    grl_chart_matrix_block(ch, c->gate_names[k], grl_seq_cache(s)->data + k * H, 1,
                           grl_seq_cache(s)->tda);
    double mean = 0.0;
    for (size_t t = 0; t < T; t++)
      for (size_t j = 0; j < H; j++)
        mean += gsl_matrix_get(grl_seq_cache(s), t, k * H + j) / (double)(T * H);
    char label[64];
    snprintf(label, sizeof label, "mean %s over units and steps", c->gate_names[k]);
    grl_lesson_value(L, label, mean);
  }
  grl_chart_matrix_block(ch, "|h|", absh, 1, H);
  grl_lesson_value(L, "largest |h_t|", hmax);
  grl_lesson_value(L, "W_o, b_o redrawn: max |h change|", o_moves);
  grl_lesson_expect(L, o_moves == 0.0, "redrawing o's parameters leaves every h_t bit-identical");
  grl_lesson_takeaway(L, "seed-gates",
    "$o$ is computed at every step and read by nothing: redrawing its"
    " parameters moves no $h_t$ (largest change %g); nothing bounds $|h|$"
    " by 1, and the largest $|h_t|$ is %.2f.", o_moves, hmax);
  grl_lesson_say(L,
    "o is computed at every step and read by nothing.  Nothing holds |h|\n"
    "below 1 either: its bound is i/(1-f), here the largest |h_t| is %.2f,\n"
    "and section 3 measured how far it climbs when f = i = sigma(4).", hmax);
  grl_chart_set(ch, "unit_step", "%d", H > 8 ? 4 : 2);
  grl_chart_set(ch, "tmax", "%zu", T);
  grl_chart_set(ch, "hmax", "%.3g", hmax);
  grl_chart_template(ch, NULL);
  grl_lesson_chart_done(L, ch);
done:
  grl_seq_free(s);
  free(h);
  free(absh);
  free(th);
}

/*
## 6. gru against gru-cho: same parameters, different outputs

Same parameters, same $r$ and $z$.  Only the candidate differs:

::: equations
---------  --------------------------------------------------------  --------
`gru`      $n = \tanh(W_{in} x + b_{in} + r ⊙ (W_{hn} h + b_{hn}))$  PyTorch
`gru-cho`  $n = \tanh(W_{in} x + b_{in} + W_{hn} (r ⊙ h) + b_{hn})$  Cho 2014
---------  --------------------------------------------------------  --------
:::

From $h_0 = 0$ the first step already differs by $(1 - r)\,b_{hn}$ inside
the tanh, unless $b_{hn} = 0$; then step 1 agrees exactly and the two
drift apart from step 2 on.
*/

static void two_grus(grl_lesson *L, gsl_rng *rng)
{
  grl_lesson_section(L, "gru against gru-cho: same parameters, different outputs");
  size_t I = 2, H = L->quick ? 8 : 32, T = L->quick ? 40 : 160;
  twin w;
  if (twin_alloc(L, &w, &grl_cell_gru, &grl_cell_gru_cho, I, H, T))
    return;
  grl_model *a = w.m[0], *b = w.m[1];
  grl_seq *sa = w.s[0], *sb = w.s[1];
  const double *x = w.x;                    /* (T, I) */
  int rc;
  grl_model_init_uniform(a, rng);
  /* The same layout, so the same block: copy it. */
  memcpy(b->theta, a->theta, a->n * sizeof *a->theta);
  grl_lesson_say(L, "%s\n%s", a->cell->title, b->cell->title);
  grl_lesson_param(L, "cell", "gru and gru-cho");
  grl_lesson_param(L, "H", "%zu", H);
  grl_lesson_param(L, "T", "%zu", T);
  grl_lesson_param(L, "init", "PyTorch's U(-1/sqrt(H), 1/sqrt(H))");

  /* With b_hn = 0, step 1 from h_0 = 0 is identical. */
  double *bhn_a = grl_model_tensor(a, a->theta, "bias_hh_l0") + 2 * H;   /* (H) b_hn */
  double *bhn_b = grl_model_tensor(b, b->theta, "bias_hh_l0") + 2 * H;
  double *keep = malloc(H * sizeof *keep);
  if (!keep) {
    grl_lesson_error(L, grl_fail(GRL_ENOMEM, "ch03: out of memory"), "allocation");
    goto done;
  }
  memcpy(keep, bhn_a, H * sizeof *keep);
  memset(bhn_a, 0, H * sizeof *bhn_a);
  memset(bhn_b, 0, H * sizeof *bhn_b);
  rc = grl_seq_forward(sa, NULL, x, NULL, NULL);
  if (!rc)
    rc = grl_seq_forward(sb, NULL, x, NULL, NULL);
  if (rc) {
    free(keep);
    grl_lesson_error(L, rc, "grl_seq_forward");
    goto done;
  }
  gsl_matrix_view oa = grl_seq_output(sa), ob = grl_seq_output(sb);  /* (T, H) */
  grl_lesson_say(L, "With b_hn = 0 the two candidates agree at step 1 from h_0 = 0\n"
                    "('known' 0; error = computed - known), and differ from step 2:");
  grl_lesson_known(L, "b_hn = 0: step 1, max |h_gru - h_cho|",
                   grl_lesson_absdiff(H, oa.matrix.data, ob.matrix.data), 0.0);
  grl_lesson_value(L, "b_hn = 0: step 2, max |h_gru - h_cho|",
                   grl_lesson_absdiff(H, oa.matrix.data + H, ob.matrix.data + H));

  /* The real thing: b_hn as initialised. */
  memcpy(bhn_a, keep, H * sizeof *keep);
  memcpy(bhn_b, keep, H * sizeof *keep);
  free(keep);
  rc = grl_seq_forward(sa, NULL, x, NULL, NULL);
  if (!rc)
    rc = grl_seq_forward(sb, NULL, x, NULL, NULL);
  if (rc) {
    grl_lesson_error(L, rc, "grl_seq_forward");
    goto done;
  }
  /* Step 1 from h_0 = 0: the candidates differ by (1 - r) * b_hn inside tanh. */
  int kr = -1, kn = -1;
  for (size_t k = 0; k < a->cell->ngate; k++) {
    if (!strcmp(a->cell->gate_names[k], "r")) kr = (int)k;
    if (!strcmp(a->cell->gate_names[k], "n")) kn = (int)k;
  }
  double worst_n = 0.0;
  for (size_t j = 0; j < H; j++) {
    double r = gsl_matrix_get(grl_seq_cache(sa), 0, (size_t)kr * H + j);
    double na = gsl_matrix_get(grl_seq_cache(sa), 0, (size_t)kn * H + j);
    double nb = gsl_matrix_get(grl_seq_cache(sb), 0, (size_t)kn * H + j);
    /* atanh(n_cho) - atanh(n_gru) = (1 - r) b_hn */
    worst_n = fmax(worst_n, fabs((atanh(nb) - atanh(na)) - (1.0 - r) * bhn_a[j]));
  }
  grl_lesson_check(L, "step 1: atanh(n_cho)-atanh(n_gru) = (1-r) b_hn",
                   worst_n, 1e-12);

  grl_chart *ch = grl_lesson_chart(L, "gru-vs-cho",
                                   "Same parameters, two GRUs: PyTorch's reset-after vs Cho's reset-before");
  grl_chart_columns(ch, "t h_gru_unit0 h_cho_unit0 rms_diff rms_h_gru");
  /* Like with like: the rms over the units of the difference against the
   * rms of the state itself, and the max against the max. */
  double worst = 0.0, hworst = 0.0, mean_d = 0.0, mean_h = 0.0, top = 0.0,
         ylo = 0.0, yhi = 0.0;
  for (size_t t = 1; t <= T; t++) {
    const double *ga = oa.matrix.data + (t - 1) * H, *gb = ob.matrix.data + (t - 1) * H;
    double d2 = 0.0, h2 = 0.0;
    for (size_t j = 0; j < H; j++) {
      d2 += (ga[j] - gb[j]) * (ga[j] - gb[j]) / (double)H;
      h2 += ga[j] * ga[j] / (double)H;
      hworst = fmax(hworst, fabs(ga[j]));
    }
    worst = fmax(worst, grl_lesson_absdiff(H, ga, gb));
    mean_d += sqrt(d2) / (double)T;
    mean_h += sqrt(h2) / (double)T;
    top = fmax(top, fmax(sqrt(d2), sqrt(h2)));
    ylo = fmin(ylo, fmin(ga[0], gb[0]));
    yhi = fmax(yhi, fmax(ga[0], gb[0]));
    grl_chart_row(ch, 5, (double[]){(double)t, ga[0], gb[0], sqrt(d2), sqrt(h2)});
  }
  grl_lesson_value(L, "mean over t of rms_j (h_gru - h_cho)", mean_d);
  grl_lesson_value(L, "mean over t of rms_j h_gru", mean_h);
  grl_lesson_value(L, "  ratio", mean_d / mean_h);
  grl_lesson_value(L, "max over t, j of |h_gru - h_cho|", worst);
  grl_lesson_value(L, "max over t, j of |h_gru|", hworst);
  grl_lesson_takeaway(L, "gru-vs-cho",
    "With the same parameters the two GRUs' states differ by %.0f%% of the"
    " state's rms on average, and by up to %.2f in one unit.",
    100.0 * mean_d / mean_h, worst);
  grl_lesson_say(L,
    "Differences of this size are not rounding: the two cells are different\n"
    "functions of the same parameters.  A model trained as one cannot be\n"
    "loaded as the other (Keras' reset_after=False is Cho's; PyTorch and\n"
    "cuDNN are reset-after).");
  grl_chart_set(ch, "tmax", "%zu", T);
  grl_chart_set(ch, "hlo", "%.3f", ylo - 0.05);
  grl_chart_set(ch, "hhi", "%.3f", yhi + 0.45 * (yhi - ylo));
  grl_chart_set(ch, "units", "%zu", H);
  grl_chart_set(ch, "dmax", "%.3f", 1.35 * top);
  grl_chart_template(ch, NULL);
  grl_lesson_chart_done(L, ch);
done:
  twin_free(&w);
}

int main(int argc, char **argv)
{
  gsl_set_error_handler_off();
  grl_lesson L;
  if (grl_lesson_begin(&L, argc, argv, &chapter))
    return L.exit_status;

  /* The article's cell, H = 8 (quick: 4), on the structured input.  Its
   * code draws weights from np.random.randn; scaled by 1/sqrt(H + I) here,
   * so that the gates are not all saturated. */
  size_t I = 2, H = L.quick ? 4 : 8, T = L.quick ? 40 : 120;
  gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
  grl_model *m = NULL;
  double *x = malloc(T * I * sizeof *x);    /* (T, I) */
  int rc = (!rng || !x) ? grl_fail(GRL_ENOMEM, "ch03: out of memory") : GRL_OK;
  if (!rc)
    rc = grl_model_alloc(&m, &grl_cell_seed, I, H, 0);
  if (rc) {
    grl_lesson_error(&L, rc, "allocation");
  } else {
    gsl_rng_set(rng, L.seed);
    for (size_t k = 0; k < m->n; k++)
      m->theta[k] = gsl_ran_gaussian(rng, 1.0) / sqrt((double)(H + I));
    grl_lesson_pulse_sine(x, T, 1, I);   /* chapter 2's input */
    grl_lesson_param(&L, "cell", "%s", grl_cell_name(m->cell));
    grl_lesson_param(&L, "H", "%zu", H);
    grl_lesson_param(&L, "I", "%zu", I);
    grl_lesson_param(&L, "T", "%zu", T);
    grl_lesson_param(&L, "init", "randn/sqrt(H+I)");

    article(&L, m, x, T);
    sign_flip(&L);
    between(&L, rng);
    unused_gate(&L, m, x, T);
    seed_heatmaps(&L, m, x, T);
    two_grus(&L, rng);
  }
  grl_model_free(m);
  free(x);
  if (rng)
    gsl_rng_free(rng);
  return grl_lesson_end(&L);
}
