/*
# Chapter 3: The article's cell against the real GRU and the LSTM

**Prerequisites:** chapter 1 §1, §3, §5 (σ′ and tanh′ from the outputs;
one GRU step; which way z points), chapter 2 §1, §3 (the update as an
interpolation; the pulse-and-sine input).

grulab grew out of a Chinese blog-style article that presents a "GRU"
with a forget, an input and an output gate; `doc/article.md` quotes the
passages this chapter examines, with a translation.  This chapter
takes that cell seriously: it runs it (the library's `seed` cell), shows
what its code gets wrong, places it between the LSTM and the GRU, and
compares the two GRUs that are both called "the GRU".  Then it meets the
LSTM whose gates the article borrowed: its memory $c$ is the article's
$h$, and what it adds is the state $h = o ⊙ \tanh(c)$ its gates read.
Last, the LSTM's backward step, derived and checked on every entry: the
course's first backward derivation, which chapter 4 repeats for the GRU
over a whole sequence.

### What you will learn

1. The article's cell.  With $v = [h_{t-1}; x_t]$ ($h$ first):

   $$f = σ(W_f v + b_f) \qquad i = σ(W_i v + b_i) \qquad o = σ(W_o v + b_o)$$
   $$h_t = f ⊙ h_{t−1} + i ⊙ \tanh(W_c v + b_c)$$

   Its numpy code differs from its equations twice: every gate uses
   `np.tanh`, so a "gate" can be negative: $f < 0$ flips the sign of the
   kept state at every step, which a pulse followed by silence shows; and
   `np.concatenate((h_prev, x), axis=1)` on two 1-D arrays raises numpy's
   `AxisError`, so the code cannot run as published.
2. Where it sits.  $f$ and $i$ are the LSTM's forget and input gates, but
   applied to $h$ itself: $h$ is the only state and plays the LSTM's cell
   $c$, and $o$ is computed and thrown away.  A GRU *couples* the two: $f = z$ and $i = 1 - z$, which
   keeps $|h| ≤ 1$ (so does the minimal gated unit, one gate doing both).
   With independent $f$ and $i$ held constant, $|h|$ can grow to
   $i/(1 - f)$; but the article's gates read $h$, so $f$ and $i$ change as
   $h$ grows, and no such level holds: with a forget bias of 2 or more
   $|h|$ climbs far past it, to hundreds within 1000 steps, by up to 1 a
   step.  Over seeds 1..60 (three runs of this chapter) it passed that
   level in 60 at $b_f = 2$, in 21 at $b_f = 1$ (there the draw decides)
   and in none at $b_f = 0$; §3 prints the counts of its own 20.  With
   $W_i = -W_f$, $b_i = -b_f$ (so $i = 1 - f$) the article's cell
   reproduces a GRU whose reset gate is held open, to rounding.
3. Nothing reads $o$, so $∂L/∂W_o$ and $∂L/∂b_o$ are exactly 0: the
   library's backward pass (BPTT, which chapter 4 derives) says
   so, and so does a finite difference, exactly; redrawing $W_o$ and $b_o$
   leaves every $h_t$ bit-identical.
4. `gru` (PyTorch, reset after the product: $r ⊙ (W_{hn} h + b_{hn})$)
   and `gru-cho` (Cho et al. 2014, reset before:
   $W_{hn} (r ⊙ h) + b_{hn}$) share every parameter and compute $r$ and
   $z$ by the same formulas, and still give different outputs (their
   gates agree only while their states do: at step 1 from $h_0 = 0$).
   The chapter measures by how much, over 5 seeds.
5. The LSTM (PyTorch's `nn.LSTM`): $c' = f ⊙ c + i ⊙ g$,
   $h' = o ⊙ \tanh(c')$.  Its memory $c$ is the article's $h$; what it
   adds is the state its gates read, $h = o ⊙ \tanh(c)$, below 1 in size.
   That line is where $o$ works, and the article, having no such line, has
   nothing for its $o$ to do.  Given the article's own gates, the LSTM's
   memory stays bounded where the article's grows.
6. The LSTM's step backward, derived line by line as the mirror of its
   forward (the course's first backward derivation; chapter 4 derives the
   GRU's the same way), and checked on every entry by central differences and against
   the library's backward; over a whole sequence, the library's gradient
   check (central differences and the complex step, chapter 5's tools,
   previewed here) passes on every entry of the LSTM and of the MGU.

Time steps: $h_0$ is the initial state (0 here); step $t = 1..T$ reads
$x_t$ and $h_{t-1}$ and writes $h_t$.

### Run it

    chapters/ch03-article-cell [--seed N] [--outdir DIR] [--quick]

### Charts

- `ch03-tanh-gates`: the article's code (tanh gates) against its
  equations (sigmoid gates): a gate and a state over time.
- `ch03-sign-flip`: one unit, two pulses then silence: with tanh gates
  ($f < 0$) $h$ alternates in sign, with sigmoid gates not.
- `ch03-seed-growth`: the article's cell with its gates reading $h$: the
  largest $|h_t|$ over the units at each of 1000 steps for forget biases
  0, 2 and 4 (mean and range over 20 seeds), against the level that would
  bound it with constant gates and the one-step bound $|h_t| < t$.
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

static const char *const charts[] = {"tanh-gates", "sign-flip", "seed-growth",
                                     "seed-gates", "gru-vs-cho", NULL};

/* Exercises, easy to hard.  One text for the notebook page, --help and
 * --answer; each numeric answer is computed here, never quoted. */
static int ex1_answer(double *v)   /* gru-cho's pre-activation minus gru's, h = 0 */
{
  const double r = 0.3, b_hn = 0.25;
  *v = b_hn - r * b_hn;            /* cho: W_hn(r*0) + b_hn  minus  gru: r*(W_hn 0 + b_hn) */
  return GRL_OK;
}

static int ex2_answer(double *v)   /* the uncoupled cell's bound i/(1-f) */
{
  const double f = grl_sigmoid(2.5), i = grl_sigmoid(2.5);
  *v = i / (1.0 - f);
  return GRL_OK;
}

/* Section 8's check of one LSTM step (defined there): the worst tensor's
 * difference between the derivation and central differences of step eps. */
static int lstm_step_worst(unsigned long seed, double eps, double *worst);

static int ex4_answer(double *v)   /* section 8's worst tensor at eps = 1e-3 */
{
  return lstm_step_worst(3, 1e-3, v);   /* 3: the chapter's default seed */
}

static const grl_exercise exercises[] = {
  {"Predict the step-1 difference between gru and gru-cho.  From h_0 = 0,\n"
   "by how much do the two candidates' pre-activations differ for a unit\n"
   "with r = 0.3 and b_hn = 0.25 (gru-cho's minus gru's)?  The section\n"
   "\"gru against gru-cho\" checks the formula you need.", ex1_answer, 0.01, 0},
  {"With constant gates (W_f = W_i = 0) and b_f = b_i = b, the article's\n"
   "uncoupled cell can grow up to i/(1 − f).  Predict that bound for\n"
   "b = 2.5 (three significant figures), then set `uncoupled_bias` (b,\n"
   "4 as shipped) to 2.5 and check in the section \"Between the LSTM and\n"
   "the GRU\" that the largest |h_t| stays under it.",
   ex2_answer, 0.005, 0},
  {"Run `grulab gradcheck --cell seed` and find the tensors whose gradient\n"
   "is exactly zero.  Why does the check still pass, and what would you\n"
   "change in the article's equations so that o is used?", NULL, 0, 0},
  {"Section 8 checks the LSTM's derived backward against central\n"
   "differences with the step eps = 1e-5.  Set eps = 1e-3 in\n"
   "`lstm_step_check` (its tolerance, 100 eps^2, follows) and rerun at the\n"
   "default seed.  What is the worst tensor's difference now (two\n"
   "significant figures)?  Truncation alone would grow by\n"
   "(1e-3/1e-5)^2 = 10^4: it grew by less.  What else made up the\n"
   "difference at eps = 1e-5?", ex4_answer, 0.05, 0},
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
    "i = 1 - z), reproduces a GRU with it, measures how far |h| grows when\n"
    "its gates read h (20 seeds, forget biases 0 to 4), shows that its\n"
    "output gate gets exactly zero gradient, and measures how far PyTorch's\n"
    "GRU and Cho et al.'s GRU drift apart on the same parameters.  Then the\n"
    "LSTM: its memory c is the article's h, and it adds the state its gates\n"
    "read, h = o * tanh(c); and its step backward, derived and\n"
    "checked on every entry (central differences, the library's backward,\n"
    "and the library's gradient check over a sequence).",
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
    "(numpy.exceptions.AxisError from numpy 1.25): the code cannot run as\n"
    "published.  With axis=0 it runs, and then its tanh gates differ from\n"
    "the equations:");

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
    " (down to %.2f), while σ gates stay positive (smallest %.3f); unit 0's state changes"
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
--------  --------------------------------------  ----------------------
LSTM:     $c_t = f ⊙ c_{t-1} + i ⊙ g$             $h_t = o ⊙ \tanh(c_t)$
article:  $h_t = f ⊙ h_{t-1} + i ⊙ \tilde c$      ($o$ computed, unused)
GRU:      $h_t = z ⊙ h_{t-1} + (1 - z) ⊙ n$       $r$ inside $n$
MGU:      $h_t = (1 - f) ⊙ h_{t-1} + f ⊙ n$       $f$ inside $n$ too
--------  --------------------------------------  ----------------------
:::

The article's cell is the LSTM's cell-state update applied to $h$, with
the output gate dropped (§7 meets the LSTM properly).  The GRU is that
update with the two gates *coupled*, $f = z$ and $i = 1 - z$ (and a reset
gate inside $n$).  The minimal gated unit (MGU, Zhou et al. 2016, the
library's `mgu`) couples them too and goes one step further: its one gate
$f$ both writes ($h_t = (1-f) ⊙ h_{t-1} + f ⊙ n$) and resets what the
candidate reads, $n = \tanh(W_{in} x + b_{in} + W_{hn} (f ⊙ h) + b_{hn})$.
Coupling makes $h_t$ a convex combination of $h_{t-1}$ and $n$, both in
[−1, 1], so from $h_0 = 0$, $|h_t| ≤ 1$ forever.

Uncoupled, nothing holds $|h|$ below 1.  With *constant* gates (no
weights on $v$, only biases) $h_t = f h_{t-1} + i \tilde c$ with
$|\tilde c| < 1$ climbs towards $i \tilde c/(1 - f)$, so $i/(1-f)$ bounds
it.  But the article's gates read $v = [h_{t-1}; x_t]$, $h$ included:
$f$ and $i$ change as $h$ grows, and $i/(1-f)$ bounds nothing.  The only
bound left is one step's: $|h_t| ≤ f |h_{t-1}| + i |\tilde c| < |h_{t-1}| + 1$,
so from $h_0 = 0$, $|h_t| < t$.  The section measures where $|h|$ goes
between the two, on the set-up chapter 7 uses for this cell: $H = 32$,
PyTorch's initialisation, the forget bias $b_f$ set on top, and the
adding problem's input (a value in [0, 1] and a marker channel at every
step; chapter 6 §3 defines the task).

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

/* Where |h| goes when the gates read h: one run of the article's cell as
 * chapter 7 sets it up (PyTorch's initialisation drawn from `seed`, the
 * forget bias b_f on top, one sequence of the adding problem's input, T
 * steps from h_0 = 0), and the same gate parameters through an LSTM
 * (section 7).  What each run leaves: */
typedef struct {
  double *seed_h;   /* (T) max_j |h_t| of the article's cell, t = 1..T     */
  double *lstm_c;   /* (T) max_j |c_t| of the LSTM with its gates, or NULL */
  double *lstm_h;   /* (T) max_j |h_t| of that LSTM, or NULL               */
  double lstm_fmax; /* the LSTM's largest f over units and steps           */
  double top_f, top_i, top_c; /* the article's cell at step T: f, i, c~ of
                                 its largest unit                          */
  size_t mark[2];   /* the two steps t (1..T) whose marker input is 1      */
} growth;

/* Copy the article's gates into an LSTM (PyTorch's order i, f, g, o):
 * block k of weight_hh_l0 is W_k's h-columns, of weight_ih_l0 its
 * x-columns, bias_ih_l0 is b_k and bias_hh_l0 is 0.  Then the two cells
 * differ only in what their gates read: the LSTM's read h = o * tanh(c),
 * the article's read the memory itself. */
static void seed_to_lstm(const grl_model *ms, grl_model *ml)
{
  size_t H = ms->hidden_size, I = ms->input_size, V = H + I;
  /* LSTM block k takes the article's gate from[k]: i, f, c~ (as g), o */
  const char *wn[4] = {"weight_i", "weight_f", "weight_c", "weight_o"};
  const char *bn[4] = {"bias_i", "bias_f", "bias_c", "bias_o"};
  double *Wih = grl_model_tensor(ml, ml->theta, "weight_ih_l0");   /* (4H, I) */
  double *Whh = grl_model_tensor(ml, ml->theta, "weight_hh_l0");   /* (4H, H) */
  double *bih = grl_model_tensor(ml, ml->theta, "bias_ih_l0");     /* (4H) */
  double *bhh = grl_model_tensor(ml, ml->theta, "bias_hh_l0");     /* (4H) */
  for (size_t k = 0; k < 4; k++) {
    const double *W = grl_model_tensor(ms, ms->theta, wn[k]);      /* (H, H+I) */
    const double *b = grl_model_tensor(ms, ms->theta, bn[k]);      /* (H) */
    for (size_t j = 0; j < H; j++) {
      for (size_t q = 0; q < H; q++)
        Whh[(k * H + j) * H + q] = W[j * V + q];
      for (size_t q = 0; q < I; q++)
        Wih[(k * H + j) * I + q] = W[j * V + H + q];
      bih[k * H + j] = b[j];
      bhh[k * H + j] = 0.0;
    }
  }
}

static double row_absmax(size_t n, const double *a)
{
  double m = 0.0;
  for (size_t k = 0; k < n; k++)
    m = fmax(m, fabs(a[k]));
  return m;
}

static double row_absmin(size_t n, const double *a)
{
  double m = INFINITY;
  for (size_t k = 0; k < n; k++)
    m = fmin(m, fabs(a[k]));
  return m;
}

static int growth_run(growth *g, double bf, unsigned long seed, size_t H,
                      size_t T)
{
  const size_t I = 2;
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  grl_model *ms = NULL, *ml = NULL;
  grl_task *task = NULL;
  grl_seq *ss = NULL, *sl = NULL;
  int rc = r ? GRL_OK : grl_fail(GRL_ENOMEM, "ch03: out of memory");
  if (!rc) {
    gsl_rng_set(r, seed);
    rc = grl_model_alloc(&ms, &grl_cell_seed, I, H, 0);
  }
  if (!rc) {
    grl_model_init_uniform(ms, r);          /* U(-1/sqrt(H), 1/sqrt(H)) */
    rc = grl_init_keep_gate_bias(ms, bf);   /* bias_f = b_f */
  }
  if (!rc)
    rc = grl_task_alloc(&task, "adding", T, 1);
  if (!rc) {
    grl_task_sample(task, r);               /* x_t = (value, marker) */
    size_t nm = 0;
    for (size_t t = 1; t <= T; t++)
      if (gsl_matrix_get(task->x, t - 1, 1) != 0.0 && nm < 2)
        g->mark[nm++] = t;
    rc = grl_seq_alloc(&ss, ms, T, 1);
  }
  if (!rc)
    rc = grl_seq_forward(ss, NULL, task->x->data, NULL, NULL);
  if (!rc) {
    gsl_matrix_view o = grl_seq_output(ss);            /* (T, H) h_1..h_T */
    const gsl_matrix *cache = grl_seq_cache(ss);       /* (T, 4H) f i o c~ */
    size_t top = 0;
    for (size_t t = 0; t < T; t++)
      g->seed_h[t] = row_absmax(H, o.matrix.data + t * H);
    for (size_t j = 1; j < H; j++)
      if (fabs(gsl_matrix_get(&o.matrix, T - 1, j)) > fabs(gsl_matrix_get(&o.matrix, T - 1, top)))
        top = j;
    g->top_f = gsl_matrix_get(cache, T - 1, top);
    g->top_i = gsl_matrix_get(cache, T - 1, H + top);
    g->top_c = gsl_matrix_get(cache, T - 1, 3 * H + top);
  }
  if (!rc && g->lstm_c) {
    rc = grl_model_alloc(&ml, &grl_cell_lstm, I, H, 0);
    if (!rc) {
      seed_to_lstm(ms, ml);
      rc = grl_seq_alloc(&sl, ml, T, 1);
    }
    if (!rc)
      rc = grl_seq_forward(sl, NULL, task->x->data, NULL, NULL);
    if (!rc) {
      gsl_matrix_view o = grl_seq_output(sl);          /* (T, H) h_1..h_T */
      const gsl_matrix *C = grl_seq_cell_states(sl);   /* (T+1, H) c_0..c_T */
      const gsl_matrix *cache = grl_seq_cache(sl);     /* (T, 5H) i f g o tanh c */
      g->lstm_fmax = 0.0;
      for (size_t t = 0; t < T; t++) {
        g->lstm_h[t] = row_absmax(H, o.matrix.data + t * H);
        g->lstm_c[t] = row_absmax(H, gsl_matrix_const_ptr(C, t + 1, 0));
        for (size_t j = 0; j < H; j++)
          g->lstm_fmax = fmax(g->lstm_fmax, gsl_matrix_get(cache, t, H + j));
      }
    }
  }
  grl_seq_free(sl);
  grl_seq_free(ss);
  grl_model_free(ml);
  grl_model_free(ms);
  grl_task_free(task);
  if (r)
    gsl_rng_free(r);
  return rc;
}

/* The forget biases and seeds of the measurement (section 3), and the
 * LSTM's comparison (section 7); the largest H of section 8's one step. */
enum { NBF = 6, NSEED_MAX = 20, STEP_HMAX = 8 };
static const double growth_bf[NBF] = {0.0, 1.0, 1.5, 2.0, 3.0, 4.0};
enum { BF0, BF1, BF15, BF2, BF3, BF4 };   /* their rows */

typedef struct { double mean, lo, hi; } spread;

static spread spread_of(size_t n, const double *v)
{
  spread s = {0.0, INFINITY, -INFINITY};
  for (size_t k = 0; k < n; k++) {
    s.mean += v[k] / (double)n;
    s.lo = fmin(s.lo, v[k]);
    s.hi = fmax(s.hi, v[k]);
  }
  return s;
}

static void seed_growth(grl_lesson *L)
{
  /* T1 = 100 steps, as chapter 7 measures; T2 = 1000 to see whether |h|
   * still grows after them.  Both runs of a seed reseed the generator
   * with it: the same parameters and the same first 100 input values;
   * only the two marker steps move (they are drawn after the values). */
  const size_t H = 32, T1 = 100, T2 = L->quick ? 200 : 1000;
  const size_t NS = L->quick ? 3 : NSEED_MAX, TT = T1 + T2, NSHOW = 5;
  double *m = malloc(NBF * NS * TT * sizeof *m);  /* (NBF, NS, T1 + T2): max_j |h_t| of
                                                     the T1 run, then of the T2 run */
  double top[NSEED_MAX][3];                       /* b_f = 2: f, i, c~ at the end */
  size_t mark[NSEED_MAX][2];                      /* b_f = 2, T2 run: marker steps */
  grl_chart *ch = NULL;
  if (!m) {
    grl_lesson_error(L, grl_fail(GRL_ENOMEM, "ch03: out of memory"), "allocation");
    return;
  }
  int under_t = 1;   /* |h_t| < t in every run */
  for (size_t b = 0; b < NBF; b++)
    for (size_t s = 0; s < NS; s++) {
      double *mt = m + (b * NS + s) * TT;
      for (int run = 0; run < 2; run++) {
        const size_t T = run ? T2 : T1;
        growth g = {.seed_h = run ? mt + T1 : mt};
        int rc = growth_run(&g, growth_bf[b], L->seed + s, H, T);
        if (rc) {
          grl_lesson_error(L, rc, "the article's cell, growth");
          goto done;
        }
        if (b == BF2 && run) {
          top[s][0] = g.top_f; top[s][1] = g.top_i; top[s][2] = g.top_c;
          mark[s][0] = g.mark[0]; mark[s][1] = g.mark[1];
        }
        for (size_t t = 1; t <= T; t++)
          under_t &= g.seed_h[t - 1] < (double)t;
      }
    }
  grl_lesson_say(L,
    "\nWhen the gates read h: the article's cell with PyTorch's initialisation\n"
    "(H = %zu, seeds %lu..%lu), the forget bias b_f set on top (b_i stays as\n"
    "drawn), the adding problem's input, h_0 = 0.  Per seed, M = the largest\n"
    "|h_t| over the units and the steps of one sequence; mean and range over\n"
    "the %zu seeds, and in how many seeds M is above 1/(1 - sigma(b_f)),\n"
    "which would bound |h| if f were the constant sigma(b_f), whatever i:",
    H, L->seed, L->seed + NS - 1, NS);
  grl_lesson_say(L, "\n   b_f  1/(1-sig)   M, T = %zu: mean (min .. max)  above"
                    "     M, T = %zu: mean (min .. max)  above", T1, T2);
  spread M1[NBF], M2[NBF];
  size_t above[NBF], above2[NBF], over100[NBF];
  double below_hi[NBF];   /* T2: the largest M among the seeds not above */
  for (size_t b = 0; b < NBF; b++) {
    double v1[NSEED_MAX], v2[NSEED_MAX];
    const double bound = 1.0 / (1.0 - grl_sigmoid(growth_bf[b]));
    above[b] = above2[b] = over100[b] = 0;
    below_hi[b] = 0.0;
    for (size_t s = 0; s < NS; s++) {
      const double *mt = m + (b * NS + s) * TT;
      v1[s] = row_absmax(T1, mt);
      v2[s] = row_absmax(T2, mt + T1);
      above[b] += v1[s] > bound;
      above2[b] += v2[s] > bound;
      over100[b] += v2[s] > 100.0;
      if (v2[s] <= bound)
        below_hi[b] = fmax(below_hi[b], v2[s]);
    }
    M1[b] = spread_of(NS, v1);
    M2[b] = spread_of(NS, v2);
    grl_lesson_say(L, "  %4g  %9.2f   %7.2f (%6.2f .. %6.2f)  %2zu of %zu"
                      "   %7.1f (%6.1f .. %6.1f)  %2zu of %zu",
                    growth_bf[b], bound, M1[b].mean, M1[b].lo, M1[b].hi,
                    above[b], NS, M2[b].mean, M2[b].lo, M2[b].hi, above2[b], NS);
  }
  grl_lesson_expect(L, under_t, "|h_t| < t in every run (one step adds less than 1)");
  size_t shut = 0;   /* b_f = 2: the largest unit's f within 1e-6 of 1 */
  grl_lesson_say(L, "\nb_f = 2, T = %zu: the unit with the largest |h| at the last step,\n"
                    "its gates there (1 - f = 0: f rounds to 1 in double)%s:", T2,
                 NS > NSHOW ? ", the first seeds" : "");
  for (size_t s = 0; s < NS; s++) {
    if (s < NSHOW)
      grl_lesson_say(L, "  seed %lu: 1 - f = %8.2e   i = %.4f   c~ = % .4f", L->seed + s,
                     1.0 - top[s][0], top[s][1], top[s][2]);
    shut += 1.0 - top[s][0] < 1e-6;
  }
  size_t rising[NBF] = {0};       /* T2 run: a new largest |h| in its last 100 steps */
  for (size_t b = 0; b < NBF; b++)
    for (size_t s = 0; s < NS; s++) {
      const double *mt = m + (b * NS + s) * TT + T1;
      rising[b] += row_absmax(100, mt + T2 - 100) > row_absmax(T2 - 100, mt);
    }
  const double lim1 = 1.0 / (1.0 - grl_sigmoid(1.0)), lim15 = 1.0 / (1.0 - grl_sigmoid(1.5)),
               lim2 = 1.0 / (1.0 - grl_sigmoid(2.0));
  grl_lesson_say(L,
    "So i/(1-f) is a bound only for constant gates.  Here f reads h: at\n"
    "b_f = 2 the largest |h| over %zu steps is %.1f on average (%.1f to %.1f),\n"
    "above 1/(1-sigma(2)) = %.2f in %zu of %zu seeds.  At the last step the\n"
    "largest unit's f is within 1e-6 of 1 in %zu of %zu seeds: that unit keeps\n"
    "all of its h.",
    T1, M1[BF2].mean, M1[BF2].lo, M1[BF2].hi, lim2, above[BF2], NS, shut, NS);
  grl_lesson_say(L,
    "Nor does it stop there: over %zu steps it reaches %.0f (%.0f to %.0f),\n"
    "and in %zu of %zu seeds the last 100 steps still set a new largest |h|\n"
    "(b_f = 3: %zu, b_f = 4: %zu).",
    T2, M2[BF2].mean, M2[BF2].lo, M2[BF2].hi, rising[BF2], NS, rising[BF3],
    rising[BF4]);
  /* Lower biases, worded from the counts: whether the runaway starts. */
  if (above2[BF0] == 0)
    grl_lesson_say(L, "At b_f = 0 it stays small: M is at most %.2f in all %zu seeds,\n"
                      "below 1/(1-sigma(0)) = 2.", M2[BF0].hi, NS);
  else
    grl_lesson_say(L, "Even at b_f = 0, M passes 1/(1-sigma(0)) = 2 in %zu of %zu seeds\n"
                      "(largest %.2f).", above2[BF0], NS, M2[BF0].hi);
  if (above2[BF1] == 0)
    grl_lesson_say(L, "At b_f = 1 no seed of %zu passes 1/(1-sigma(1)) = %.2f over %zu\n"
                      "steps (M at most %.2f); %zu seeds are too few to say it never does.",
                   NS, lim1, T2, M2[BF1].hi, NS);
  else if (above2[BF1] < NS)
    grl_lesson_say(L, "At b_f = 1 the draw decides: over %zu steps %zu of %zu seeds pass\n"
                      "1/(1-sigma(1)) = %.2f, %zu of them also 100 (largest M %.3g),\n"
                      "while the other %zu stay at most %.2f.",
                   T2, above2[BF1], NS, lim1, over100[BF1], M2[BF1].hi,
                   NS - above2[BF1], below_hi[BF1]);
  else
    grl_lesson_say(L, "At b_f = 1 every seed of %zu passes 1/(1-sigma(1)) = %.2f over\n"
                      "%zu steps, %zu of them also 100 (largest M %.3g).",
                   NS, lim1, T2, over100[BF1], M2[BF1].hi);
  grl_lesson_say(L, "At b_f = 1.5, %zu of %zu pass 1/(1-sigma(1.5)) = %.2f (mean M %.0f).\n"
                    "Once it starts, one step adds less than 1, so the growth is at\n"
                    "most linear, |h_t| < t.",
                 above2[BF15], NS, lim15, M2[BF15].mean);
  if (L->quick)
    grl_lesson_say(L, "--quick runs 3 seeds over %zu steps only: too few to say\n"
                      "where |h| goes on longer sequences, or how often.", T2);

  /* max_j |h_t| is not a running maximum: it can fall.  Its largest fall
   * from one step to the next at b_f = 2, over the seeds of the T2 run. */
  double fall = 0.0, fall_from = 0.0, fall_to = 0.0;
  size_t fall_s = 0, fall_t = 0;
  for (size_t s = 0; s < NS; s++) {
    const double *mt = m + (BF2 * NS + s) * TT + T1;
    for (size_t t = 2; t <= T2; t++)
      if (mt[t - 2] - mt[t - 1] > fall) {
        fall = mt[t - 2] - mt[t - 1];
        fall_from = mt[t - 2]; fall_to = mt[t - 1];
        fall_s = s; fall_t = t;
      }
  }
  const int fall_marked = fall_t == mark[fall_s][0] || fall_t == mark[fall_s][1];
  /* |h_t| > f |h_t-1| - 1 for the unit that held the maximum: a bound on
   * its f at the fall */
  const double fcap = (fall_to + 1.0) / fall_from;
  grl_lesson_say(L,
    "M is the largest over all steps; step by step, max_j |h_t| does not only\n"
    "climb.  At b_f = 2 its largest fall from one step to the next is from\n"
    "%.1f to %.1f (seed %lu, t = %zu, %s).",
    fall_from, fall_to, L->seed + fall_s, fall_t,
    fall_marked ? "a marker step" : "not a marker step");
  if (fcap < 0.95)
    grl_lesson_say(L, "Since |h_t| > f |h_t-1| - 1, the unit that held %.1f had f < %.2f\n"
                      "at that step: its own forget gate let go.", fall_from, fcap);
  else
    grl_lesson_say(L, "Here |h_t| > f |h_t-1| - 1 only gives f < %.3g: a fall this small\n"
                      "needs no gate to let go.", fcap);
  grl_lesson_say(L, "The chart draws max_j |h_t| step by step, so its curves can dip\n"
                    "where the table's M cannot.");

  {
    /* The chart: max_j |h_t| over t of the T2 run, mean and range over the
     * seeds, per b_f. */
    ch = grl_lesson_chart_own(L, "seed-growth",
                              "The article's cell: |h| when the gates read h");
    grl_chart_param(ch, "cell", "seed");
    grl_chart_param(ch, "H", "%zu", H);
    grl_chart_param(ch, "T", "%zu", T2);
    grl_chart_param(ch, "init", "PyTorch's U(-1/sqrt(H), 1/sqrt(H)), then bias_f = b_f");
    grl_chart_param(ch, "input", "the adding problem's, one sequence per seed");
    grl_chart_param(ch, "seeds", "%lu..%lu", L->seed, L->seed + NS - 1);
    grl_chart_comment(ch, "max_j |h_t| per step (not a running maximum): mean, min and "
                          "max over the seeds, for b_f = 0 1 1.5 2 3 4");
    grl_chart_columns(ch, "t mean_b0 min_b0 max_b0 mean_b1 min_b1 max_b1 "
                          "mean_b1p5 min_b1p5 max_b1p5 "
                          "mean_b2 min_b2 max_b2 mean_b3 min_b3 max_b3 "
                          "mean_b4 min_b4 max_b4");
    for (size_t t = 1; t <= T2; t++) {
      double row[1 + 3 * NBF] = {(double)t};
      for (size_t b = 0; b < NBF; b++) {
        double v[NSEED_MAX];
        for (size_t s = 0; s < NS; s++)
          v[s] = m[(b * NS + s) * TT + T1 + t - 1];
        spread sp = spread_of(NS, v);
        row[1 + 3 * b] = sp.mean;
        row[2 + 3 * b] = sp.lo;
        row[3 + 3 * b] = sp.hi;
      }
      grl_chart_row(ch, 1 + 3 * NBF, row);
    }
    grl_chart_set(ch, "bound0", "%.6g", 1.0 / (1.0 - grl_sigmoid(growth_bf[BF0])));
    grl_chart_set(ch, "bound2", "%.6g", 1.0 / (1.0 - grl_sigmoid(growth_bf[BF2])));
    grl_chart_set(ch, "bound4", "%.6g", 1.0 / (1.0 - grl_sigmoid(growth_bf[BF4])));
    grl_chart_set(ch, "nseeds", "%zu", NS);
    grl_chart_set(ch, "tmax", "%zu", T2);
    grl_chart_template(ch, NULL);
    grl_lesson_chart_done(L, ch);
    char at1[160];   /* b_f = 1, worded from its count */
    if (above2[BF1] == 0)
      snprintf(at1, sizeof at1, "stays below %.2f in all %zu seeds", lim1, NS);
    else if (above2[BF1] < NS)
      snprintf(at1, sizeof at1, "passes %.2f in %zu of %zu seeds: there the draw decides",
               lim1, above2[BF1], NS);
    else
      snprintf(at1, sizeof at1, "passes %.2f in all %zu seeds", lim1, NS);
    grl_lesson_takeaway(L, "seed-growth",
      "With the gates reading $h$, $i/(1-f)$ bounds nothing: at $b_f = 2$ the"
      " largest $|h_t|$ reaches %.0f on average over %zu steps (%.0f to %.0f,"
      " %zu seeds), against %.2f for constant gates and the one-step bound"
      " $|h_t| < t$.  At $b_f = 0$ it stays at most %.2f; at $b_f = 1$ it %s."
      "  The curves are $\\max_j |h_t|$ step by step, which can dip (the"
      " table's $M$ is the largest over all steps).",
      M2[BF2].mean, T2, M2[BF2].lo, M2[BF2].hi, NS, lim2, M2[BF0].hi, at1);
  }
done:
  free(m);
}

/* Section 3's uncoupled run: constant gates with b_f = b_i = this bias
 * (exercise 2 sets it to 2.5). */
static const double uncoupled_bias = 4.0;

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
    "MGU:      h_t = (1-f)*h_t-1 + f*n      (one gate, also inside n: coupled)\n"
    "A GRU with its reset gate held open (b_ir = 40, r = 1 in double), copied\n"
    "into the article's cell as W_f = [W_hz | W_iz], b_f = b_iz + b_hz,\n"
    "W_i = -W_f, b_i = -b_f (so i = 1-f), W_c = [W_hn | W_in],\n"
    "b_c = b_in + b_hn, on the chapter's input, T = %zu, H = %zu.  The\n"
    "normwise relative difference of the two cells' h_1..h_T:", T, H);
  grl_lesson_check(L, "article's cell with i = 1-f vs GRU (r = 1)",
                   grl_lesson_reldiff(T * H, og.matrix.data, oa.matrix.data),
                   1e-14);

  const double bu = uncoupled_bias;
  grl_lesson_say(L,
    "Coupled, h_t is a convex combination of h_t-1 and n, both in [-1, 1],\n"
    "so |h_t| <= 1.  Uncoupled, with constant gates (W_f = W_i = 0) and\n"
    "b_f = b_i = %g, so f = i = sigma(%g) = %.4f at every step,\n"
    "h_t = f*h_t-1 + i*c~ climbs towards i*c~/(1-f), at most e^%g in size:",
    bu, bu, grl_sigmoid(bu), bu);
  /* Uncoupled: W_f = W_i = 0 and b_f = b_i = b, so f = i = sigma(b) at
   * every step.  Then h_t = f h_{t-1} + i c~ with |c~| < 1 climbs towards
   * i c~ / (1 - f): up to sigma(b)/(1 - sigma(b)) = e^b (54.6 at b = 4). */
  for (size_t j = 0; j < H; j++) {
    for (size_t q = 0; q < V; q++)
      Wi[j * V + q] = Wf[j * V + q] = 0.0;
    bf[j] = bu;
    bi[j] = bu;
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
  char label[64];
  snprintf(label, sizeof label, "article, b_f = b_i = %g: largest |h_t|", bu);
  grl_lesson_value(L, label, hmax_a);
  double bound = grl_sigmoid(bu) / (1.0 - grl_sigmoid(bu));
  snprintf(label, sizeof label, "  its bound i/(1-f) = e^%g", bu);
  grl_lesson_value(L, label, bound);
  grl_lesson_expect(L, hmax_g <= 1.0, "coupled (GRU): |h| <= 1");
  grl_lesson_expect(L, hmax_a > 1.0 && hmax_a < bound,
                    "uncoupled (article): 1 < |h| < i/(1-f)");
  seed_growth(L);
done:
  twin_free(&w);
}

/*
## 4. Why the output gate o gets no gradient

$h_t = f ⊙ h_{t-1} + i ⊙ \tilde c$ does not contain $o$.  So no path leads
from the loss to $W_o$ or $b_o$, and the library's backward pass through
time (`grl_seq_backward`; chapter 4 derives it) gives $∂L/∂W_o = 0$
exactly.
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
    "below 1 either: here the largest |h_t| is %.2f.  Section 3 measured how\n"
    "far it climbs: to i/(1-f) with constant gates; with gates that read h,\n"
    "often on past it, by up to 1 a step, how often depending on the\n"
    "forget bias and the draw.", hmax);
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

Same parameters, and the same formulas for $r$ and $z$; only the
candidate differs:

::: equations
---------  --------------------------------------------------------  --------
`gru`      $n = \tanh(W_{in} x + b_{in} + r ⊙ (W_{hn} h + b_{hn}))$  PyTorch
`gru-cho`  $n = \tanh(W_{in} x + b_{in} + W_{hn} (r ⊙ h) + b_{hn})$  Cho 2014
---------  --------------------------------------------------------  --------
:::

From $h_0 = 0$ the first step already differs by $(1 - r)\,b_{hn}$ inside
the tanh, unless $b_{hn} = 0$; then step 1 agrees exactly and the two
drift apart from step 2 on.  From then on their states differ, so their
gates $r$ and $z$, which read the state, differ too: the same formulas,
not the same values.
*/

/* What one draw of the two GRUs leaves, like with like: the rms over the
 * units of the difference against the rms of the state itself, and the
 * max against the max. */
typedef struct {
  double mean_d, mean_h;   /* mean over t of rms_j (h_gru - h_cho), of rms_j h_gru */
  double worst, hworst;    /* max over t, j of |h_gru - h_cho|, of |h_gru|        */
  double top, ylo, yhi;    /* the chart's scales                                   */
} cho_stats;

/* The stats of outputs oa (gru) and ob (gru-cho), (T, H) each; with a
 * chart, its rows too. */
static cho_stats cho_compare(const double *oa, const double *ob, size_t T,
                             size_t H, grl_chart *ch)
{
  cho_stats c = {0};
  for (size_t t = 1; t <= T; t++) {
    const double *ga = oa + (t - 1) * H, *gb = ob + (t - 1) * H;
    double d2 = 0.0, h2 = 0.0;
    for (size_t j = 0; j < H; j++) {
      d2 += (ga[j] - gb[j]) * (ga[j] - gb[j]) / (double)H;
      h2 += ga[j] * ga[j] / (double)H;
      c.hworst = fmax(c.hworst, fabs(ga[j]));
    }
    c.worst = fmax(c.worst, grl_lesson_absdiff(H, ga, gb));
    c.mean_d += sqrt(d2) / (double)T;
    c.mean_h += sqrt(h2) / (double)T;
    c.top = fmax(c.top, fmax(sqrt(d2), sqrt(h2)));
    c.ylo = fmin(c.ylo, fmin(ga[0], gb[0]));
    c.yhi = fmax(c.yhi, fmax(ga[0], gb[0]));
    if (ch)
      grl_chart_row(ch, 5, (double[]){(double)t, ga[0], gb[0], sqrt(d2), sqrt(h2)});
  }
  return c;
}

/* The seeds the two GRUs are compared over (the first is charted). */
enum { CHO_NSEED = 5 };

static void two_grus(grl_lesson *L)
{
  grl_lesson_section(L, "gru against gru-cho: same parameters, different outputs");
  size_t I = 2, H = L->quick ? 8 : 32, T = L->quick ? 40 : 160;
  const size_t NS = L->quick ? 3 : CHO_NSEED;
  twin w;
  if (twin_alloc(L, &w, &grl_cell_gru, &grl_cell_gru_cho, I, H, T))
    return;
  grl_model *a = w.m[0], *b = w.m[1];
  grl_seq *sa = w.s[0], *sb = w.s[1];
  const double *x = w.x;                    /* (T, I) */
  int rc;
  /* one generator per seed: the first seed's draw is the one examined and
   * charted, the others give the spread of the measure */
  gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
  if (!rng) {
    grl_lesson_error(L, grl_fail(GRL_ENOMEM, "ch03: out of memory"), "allocation");
    goto done;
  }
  gsl_rng_set(rng, L->seed);
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
  const cho_stats c = cho_compare(oa.matrix.data, ob.matrix.data, T, H, ch);
  grl_lesson_say(L, "Seed %lu, the draw charted (ch03-gru-vs-cho):", L->seed);
  grl_lesson_value(L, "mean over t of rms_j (h_gru - h_cho)", c.mean_d);
  grl_lesson_value(L, "mean over t of rms_j h_gru", c.mean_h);
  grl_lesson_value(L, "  ratio", c.mean_d / c.mean_h);
  grl_lesson_value(L, "max over t, j of |h_gru - h_cho|", c.worst);
  grl_lesson_value(L, "max over t, j of |h_gru|", c.hworst);

  /* The same measure over the other seeds: each draws new parameters
   * (the same for both cells) on the same input. */
  double ratio[CHO_NSEED], worst[CHO_NSEED];
  ratio[0] = c.mean_d / c.mean_h;
  worst[0] = c.worst;
  for (size_t s = 1; s < NS; s++) {
    gsl_rng_set(rng, L->seed + s);
    grl_model_init_uniform(a, rng);
    memcpy(b->theta, a->theta, a->n * sizeof *a->theta);
    rc = grl_seq_forward(sa, NULL, x, NULL, NULL);
    if (!rc)
      rc = grl_seq_forward(sb, NULL, x, NULL, NULL);
    if (rc) {
      grl_lesson_error(L, rc, "grl_seq_forward");
      goto done;
    }
    const cho_stats cs = cho_compare(grl_seq_output(sa).matrix.data,
                                     grl_seq_output(sb).matrix.data, T, H, NULL);
    ratio[s] = cs.mean_d / cs.mean_h;
    worst[s] = cs.worst;
  }
  const spread sr = spread_of(NS, ratio), sw = spread_of(NS, worst);
  grl_lesson_say(L, "\nThe ratio and the largest difference over seeds %lu..%lu, mean (min .. max):\n"
                    "  mean rms difference / mean rms state   %.2f (%.2f .. %.2f)\n"
                    "  max over t, j of |h_gru - h_cho|       %.3f (%.3f .. %.3f)",
                 L->seed, L->seed + NS - 1, sr.mean, sr.lo, sr.hi, sw.mean, sw.lo, sw.hi);
  grl_lesson_takeaway(L, "gru-vs-cho",
    "With the same parameters the two GRUs' states differ by %.0f%% of the"
    " state's rms on average, and by up to %.2f in one unit (seed %lu, the"
    " draw charted); over seeds %lu..%lu the share is %.0f%% to %.0f%%.",
    100.0 * c.mean_d / c.mean_h, c.worst, L->seed, L->seed, L->seed + NS - 1,
    100.0 * sr.lo, 100.0 * sr.hi);
  grl_lesson_say(L,
    "Differences of this size are not rounding: the two cells are different\n"
    "functions of the same parameters.  A model trained as one computes\n"
    "something else when its parameters are loaded into the other (Keras'\n"
    "reset_after=False is Cho's; PyTorch and cuDNN are reset-after).");
  grl_chart_set(ch, "tmax", "%zu", T);
  grl_chart_set(ch, "hlo", "%.3f", c.ylo - 0.05);
  grl_chart_set(ch, "hhi", "%.3f", c.yhi + 0.45 * (c.yhi - c.ylo));
  grl_chart_set(ch, "units", "%zu", H);
  grl_chart_set(ch, "dmax", "%.3f", 1.35 * c.top);
  grl_chart_template(ch, NULL);
  grl_lesson_chart_done(L, ch);
done:
  if (rng)
    gsl_rng_free(rng);
  twin_free(&w);
}

/*
## 7. The LSTM: what the article's cell leaves out

The article names an LSTM's three gates (its §1.2 and §2; `doc/article.md`)
and keeps one state, which it calls $h$.  Its update is the LSTM's memory
update, so its $h$ is the LSTM's *cell* $c$; what it leaves out is the
LSTM's other state, the $h = o ⊙ \tanh(c)$ that the gates read, and with
it the one line where $o$ works.  The LSTM as PyTorch's `nn.LSTM`
computes it (the library's `lstm`), with $h$ and $x$ read by separate
weights and two biases per gate:

::: equations
------------------------------------------------------------  --------------------------
$i = σ(W_{ii} x + b_{ii} + W_{hi} h + b_{hi})$                input gate
$f = σ(W_{if} x + b_{if} + W_{hf} h + b_{hf})$                forget gate
$g = \tanh(W_{ig} x + b_{ig} + W_{hg} h + b_{hg})$            candidate
$o = σ(W_{io} x + b_{io} + W_{ho} h + b_{ho})$                output gate
$c' = f ⊙ c + i ⊙ g$                                          the memory
$h' = o ⊙ \tanh(c')$                                          what is shown
------------------------------------------------------------  --------------------------
:::

The fifth line is the article's update with $c$ in place of $h$ (and $g$
for its $\tilde c$): $c$ is carried by $f$, written by $i ⊙ g$, and never
squashed, so it can hold a value for as long as $f$ stays near 1.  What
$c$ adds is the sixth line.  The state that leaves the cell, and that
every gate reads at the next step, is not the memory itself but
$h = o ⊙ \tanh(c)$: the memory squashed into $(-1, 1)$ and shown as much
as $o$ allows.  That is where the output gate works, and why nothing
reads the article's $o$: in the article the memory *is* the output,
$h_t = f ⊙ h_{t-1} + i ⊙ \tilde c$, so there is no second line for $o$ to
gate.  Its §2.3 says $o$ "maps the
hidden state to the output space", but no formula of the article does so.

Because the LSTM's gates read a bounded $h$, their pre-activations stay
bounded, $f$ stays below some $f_{max} < 1$, and then
$|c_t| ≤ f_{max} |c_{t-1}| + 1$ gives $|c_t| < 1/(1 - f_{max})$: the
runaway of §3 cannot start.  The section measures it: the article's
gates from §3 (the same draws, $b_f$ = 2 and 4, the same inputs) copied
into an LSTM, so that the two cells differ only in what their gates read.
*/

static void lstm_memory(grl_lesson *L)
{
  grl_lesson_section(L, "The LSTM: what the article's cell leaves out");
  grl_lesson_say(L, "%s", grl_cell_lstm.title);

  /* The cells side by side: gate blocks and parameters at one size. */
  const size_t I = 2, H = 32;
  const char *names[] = {"rnn", "gru", "mgu", "seed", "lstm"};
  grl_lesson_say(L, "\nParameters at I = %zu, H = %zu (the library's count, m->n):", I, H);
  for (size_t k = 0; k < sizeof names / sizeof *names; k++) {
    const grl_cell *c = grl_cell_lookup(names[k]);
    grl_model *m = NULL;
    int rc = c ? grl_model_alloc(&m, c, I, H, 0) : GRL_EINVAL;
    if (rc) {
      grl_lesson_error(L, rc, "grl_model_alloc");
      return;
    }
    grl_lesson_say(L, "  %-5s %zu gate blocks  %5zu parameters  state %s", names[k],
                   c->G, m->n, c->has_c ? "h and c" : "h");
    grl_model_free(m);
  }

  /* The article's gates, then the same gates in an LSTM. */
  const size_t T = L->quick ? 200 : 1000, NS = L->quick ? 3 : NSEED_MAX;
  const double bfs[2] = {2.0, 4.0};
  double *buf = malloc(3 * T * sizeof *buf);   /* (3, T) seed h, LSTM c, LSTM h */
  if (!buf) {
    grl_lesson_error(L, grl_fail(GRL_ENOMEM, "ch03: out of memory"), "allocation");
    return;
  }
  grl_lesson_say(L,
    "\nThe article's gates of section 3 (H = %zu, seeds %lu..%lu, T = %zu, the\n"
    "adding problem's input), and the same gates in an LSTM.  Per seed the\n"
    "largest |h| or |c| over units and steps; mean and range over the seeds:\n",
    H, L->seed, L->seed + NS - 1, T);
  grl_lesson_say(L, "\n  %4s   %-23s   %-22s   %-19s   %s", "b_f", "article max |h|",
                 "LSTM max |c|", "LSTM max |h|", "LSTM largest f");
  int bounded = 1;   /* |c| < 1/(1 - f_max) and |h| < 1 in every LSTM run */
  spread sa[2], sc[2], sh[2], sf[2];
  for (size_t b = 0; b < 2; b++) {
    double va[NSEED_MAX], vc[NSEED_MAX], vh[NSEED_MAX], vf[NSEED_MAX];
    for (size_t s = 0; s < NS; s++) {
      growth g = {.seed_h = buf, .lstm_c = buf + T, .lstm_h = buf + 2 * T};
      int rc = growth_run(&g, bfs[b], L->seed + s, H, T);
      if (rc) {
        grl_lesson_error(L, rc, "the article's gates in an LSTM");
        free(buf);
        return;
      }
      va[s] = row_absmax(T, g.seed_h);
      vc[s] = row_absmax(T, g.lstm_c);
      vh[s] = row_absmax(T, g.lstm_h);
      vf[s] = g.lstm_fmax;
      bounded &= vh[s] < 1.0 && vc[s] < 1.0 / (1.0 - vf[s]);
    }
    sa[b] = spread_of(NS, va);
    sc[b] = spread_of(NS, vc);
    sh[b] = spread_of(NS, vh);
    sf[b] = spread_of(NS, vf);
    grl_lesson_say(L, "  %4.0f   %6.1f (%5.1f .. %5.1f)   %5.2f (%5.2f .. %5.2f)"
                      "   %4.2f (%4.2f .. %4.2f)   %.4f (of all seeds)",
                    bfs[b], sa[b].mean, sa[b].lo, sa[b].hi, sc[b].mean, sc[b].lo,
                    sc[b].hi, sh[b].mean, sh[b].lo, sh[b].hi, sf[b].hi);
  }
  free(buf);
  grl_lesson_expect(L, bounded, "every LSTM run: |h| < 1 and |c| < 1/(1 - its largest f)");
  grl_lesson_say(L,
    "Same gate weights, same inputs: read through o * tanh(c), the memory\n"
    "stays below %.1f at b_f = 4, where the article's cell, whose gates read\n"
    "the memory itself, reaches %.0f on average.  The LSTM's largest f is at\n"
    "most %.4f, so 1/(1 - f) bounds its c; nothing bounds the article's f\n"
    "away from 1.",
    sc[1].hi, sa[1].mean, fmax(sf[0].hi, sf[1].hi));
}

/*
## 8. The LSTM's step backward, derived and checked

A loss reads the step's outputs $h'$ and $c'$ (here
$L = g_h · h' + g_c · c'$ with fixed random weights $g_h$, $g_c$; inside a
sequence they are what the later steps send back).  Given
$δh = ∂L/∂h'$ and $δc = ∂L/∂c'$, read each forward line backwards, as
chapter 1 §1 taught for one σ: the derivative of a product is the other
factor, $σ' = s(1-s)$ and $\tanh' = 1 - t^2$ from the outputs.

    forward                        backward (the mirror)
    h' = o * tanh(c')              do  = dh * tanh(c')
                                   dc' = dc + dh * o * (1 - tanh^2(c'))
    c' = f * c + i * g             df  = dc' * c      di = dc' * g
                                   dg  = dc' * i      dc_prev = dc' * f
    i, f, o = sigma(a),            da_{i,f,o} = d{i,f,o} * s (1 - s)
    g = tanh(a_g)                  da_g = dg * (1 - g^2)
    a = W_ih x + b_ih              dW_ih += da x^T    db_ih += da   dx = W_ih^T da
      + W_hh h + b_hh              dW_hh += da h^T    db_hh += da   dh_prev = W_hh^T da

This is the course's first backward derivation; chapter 4 reads the
GRU's forward the same way and chains the steps over a sequence (BPTT).

Two paths lead back to the old memory: $dc_{prev} = dc' ⊙ f$ is the
direct one, through the forget gate alone (chapter 7 follows it over many
steps), and $dh_{prev}$ reaches $c$ of the step before only through that
step's $h = o ⊙ \tanh(c)$.  `lstm_step_backward` is the mirror as plain
loops, one unit at a time; `src/lib/cell_lstm.c` does the same over a
batch, each line quoting the forward line it inverts.

To check it, move every number the step reads, one at a time, by $±ε$
and take the central difference $(L(θ + ε) - L(θ - ε))/2ε$: every
weight, every bias, and the inputs $x$, $h$ and $c$.  The derivation is
right when every difference agrees with it to about $ε^2$ (the
difference's truncation) plus rounding.  The run prints the agreement per
tensor, normwise, and for the worst single entry relative to itself,
which is larger where a gradient is small.  Then the same gradients from
the library's backward at $T = 1$.
*/

/* The gradients of one LSTM step, laid out like the model (dtheta) and
 * like its inputs. */
typedef struct {
  double *dtheta;   /* (n) weight_ih (4H, I), weight_hh (4H, H), bias_ih, bias_hh */
  double *dx;       /* (I) */
  double *dh;       /* (H) dL/dh_prev */
  double *dc;       /* (H) dL/dc_prev */
} lstm_grads;

/* The mirror of one naive LSTM step, for one row: gradients OVERWRITTEN.
 * gates (4H) are the forward's i, f, g, o; c_new its c'. */
static void lstm_step_backward(lstm_grads *d, const grl_model *m,
                               const double *x, const double *h,
                               const double *c, const double *gates,
                               const double *c_new, const double *dh_new,
                               const double *dc_new)
{
  const size_t I = m->input_size, H = m->hidden_size;
  const double *Wih = grl_model_tensor(m, m->theta, "weight_ih_l0");  /* (4H, I) */
  const double *Whh = grl_model_tensor(m, m->theta, "weight_hh_l0");  /* (4H, H) */
  double *dWih = grl_model_tensor(m, d->dtheta, "weight_ih_l0");
  double *dWhh = grl_model_tensor(m, d->dtheta, "weight_hh_l0");
  double *dbih = grl_model_tensor(m, d->dtheta, "bias_ih_l0");
  double *dbhh = grl_model_tensor(m, d->dtheta, "bias_hh_l0");
  double da[4 * STEP_HMAX];   /* (4H) da_i da_f da_g da_o */
  for (size_t j = 0; j < H; j++) {
    const double i = gates[j], f = gates[H + j], g = gates[2 * H + j],
                 o = gates[3 * H + j], tc = tanh(c_new[j]);
    /* forward was h' = o * tanh(c'): do = dh tanh(c'), and c' gets
     * dh o (1 - tanh^2 c') on top of the dc that came in */
    const double d_o = dh_new[j] * tc;
    const double dct = dc_new[j] + dh_new[j] * o * grl_dtanh(tc);
    /* forward was c' = f c + i g */
    const double df = dct * c[j], di = dct * g, dg = dct * i;
    d->dc[j] = dct * f;
    /* forward was i, f, o = sigma(a), g = tanh(a) */
    da[j] = di * grl_dsigmoid(i);
    da[H + j] = df * grl_dsigmoid(f);
    da[2 * H + j] = dg * grl_dtanh(g);
    da[3 * H + j] = d_o * grl_dsigmoid(o);
  }
  /* forward was a = W_ih x + b_ih + W_hh h + b_hh */
  for (size_t r = 0; r < 4 * H; r++) {
    for (size_t k = 0; k < I; k++)
      dWih[r * I + k] = da[r] * x[k];        /* dW_ih = da x^T */
    for (size_t k = 0; k < H; k++)
      dWhh[r * H + k] = da[r] * h[k];        /* dW_hh = da h^T */
    dbih[r] = da[r];
    dbhh[r] = da[r];
  }
  for (size_t k = 0; k < I; k++) {           /* dx = W_ih^T da */
    d->dx[k] = 0.0;
    for (size_t r = 0; r < 4 * H; r++)
      d->dx[k] += Wih[r * I + k] * da[r];
  }
  for (size_t k = 0; k < H; k++) {           /* dh_prev = W_hh^T da */
    d->dh[k] = 0.0;
    for (size_t r = 0; r < 4 * H; r++)
      d->dh[k] += Whh[r * H + k] * da[r];
  }
}

/* L = g_h . h' + g_c . c' of one naive step from (x, h, c), theta = m->theta. */
static double lstm_step_loss(const grl_model *m, const double *x,
                             const double *h, const double *c,
                             const double *gh, const double *gc)
{
  const size_t H = m->hidden_size;
  double hn[STEP_HMAX], cn[STEP_HMAX], gates[4 * STEP_HMAX];
  m->cell->naive(m, m->theta, x, h, c, hn, cn, gates);
  double L = 0.0;
  for (size_t j = 0; j < H; j++)
    L += gh[j] * hn[j] + gc[j] * cn[j];
  return L;
}

/* Central differences of L for every entry of v (n), which the loss reads:
 * num[k] = (L(v_k + eps) - L(v_k - eps)) / 2 eps. */
static void lstm_step_numeric(grl_model *m, double *v, size_t n, double *num,
                              const double *x, const double *h,
                              const double *c, const double *gh,
                              const double *gc, double eps)
{
  for (size_t k = 0; k < n; k++) {
    const double keep = v[k];
    v[k] = keep + eps;
    const double Lp = lstm_step_loss(m, x, h, c, gh, gc);
    v[k] = keep - eps;
    const double Lm = lstm_step_loss(m, x, h, c, gh, gc);
    v[k] = keep;
    num[k] = (Lp - Lm) / (2.0 * eps);
  }
}

/* What section 8 measures on one step: per tensor (the model's, then x,
 * h, c) the normwise relative difference of the derivation against the
 * central differences and against the library's backward, and entry by
 * entry |a - b| / |a| against the differences. */
enum { STEP_NTENSOR = 7 };   /* the LSTM's 4 tensors, x, h, c */
typedef struct {
  size_t I, H, n;
  const char *name[STEP_NTENSOR];
  size_t len[STEP_NTENSOR];
  double vs_num[STEP_NTENSOR], vs_lib[STEP_NTENSOR];
  double entry_num[STEP_NTENSOR];   /* worst entry's |a - b| / |a|        */
  double worst_num, worst_lib, worst_entry;
  double gmin;                      /* smallest |gradient| of all entries */
} step_result;

/* The worst |a_k - b_k| / |a_k| of n entries (0 where they are equal). */
static double entrywise_worst(size_t n, const double *a, const double *b)
{
  double w = 0.0;
  for (size_t k = 0; k < n; k++)
    if (a[k] != b[k])
      w = fmax(w, fabs(a[k] - b[k]) / fabs(a[k]));
  return w;
}

/* One LSTM step, I = 3, H = 4, drawn from `seed`, checked with step eps. */
static int lstm_step_run(step_result *res, unsigned long seed, double eps)
{
  const size_t I = 3, H = 4;   /* H <= STEP_HMAX */
  gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
  grl_model *m = NULL;
  grl_seq *s = NULL;
  double *buf = NULL;
  int rc = rng ? grl_model_alloc(&m, &grl_cell_lstm, I, H, 0)
               : grl_fail(GRL_ENOMEM, "ch03: out of memory");
  const size_t n = rc ? 0 : m->n;
  /* x h c g_h g_c (I + 4H); the derivation's, the differences' and the
   * library's gradients, each (n + I + 2H): dtheta dx dh dc */
  const size_t G = n + I + 2 * H;
  if (!rc) {
    buf = calloc(I + 4 * H + 3 * G, sizeof *buf);
    rc = buf ? GRL_OK : grl_fail(GRL_ENOMEM, "ch03: out of memory");
  }
  if (!rc)
    rc = grl_seq_alloc(&s, m, 1, 1);
  if (rc)
    goto done;
  double *x = buf, *h = x + I, *c = h + H, *gh = c + H, *gc = gh + H;   /* (I) (H) (H) (H) (H) */
  double *an = gc + H, *nu = an + G, *li = nu + G;                      /* (G) each */
  gsl_rng_set(rng, seed);
  grl_gradcheck_randomize(m, rng, 0.9);        /* every entry ~ U(-0.9, 0.9) */
  for (size_t k = 0; k < I + 2 * H; k++)
    x[k] = 1.8 * gsl_rng_uniform(rng) - 0.9;   /* x, h, c */
  for (size_t k = 0; k < 2 * H; k++)
    gh[k] = 2.0 * gsl_rng_uniform(rng) - 1.0;  /* g_h, g_c */

  /* The derivation: forward, then its mirror with dh' = g_h, dc' = g_c. */
  double hn[STEP_HMAX], cn[STEP_HMAX], gates[4 * STEP_HMAX];
  m->cell->naive(m, m->theta, x, h, c, hn, cn, gates);
  lstm_grads d = {an, an + n, an + n + I, an + n + I + H};
  lstm_step_backward(&d, m, x, h, c, gates, cn, gh, gc);

  /* Every entry by central differences: theta, then x, h, c. */
  lstm_step_numeric(m, m->theta, n, nu, x, h, c, gh, gc, eps);
  lstm_step_numeric(m, x, I + 2 * H, nu + n, x, h, c, gh, gc, eps);

  /* The library's backward at T = 1: dout = g_h, dc_T = g_c. */
  rc = grl_seq_forward(s, NULL, x, h, c);
  if (!rc)
    rc = grl_seq_backward(s, NULL, x, gh, NULL, gc, li, li + n, li + n + I,
                          li + n + I + H);
  if (rc)
    goto done;
  *res = (step_result){.I = I, .H = H, .n = G, .gmin = INFINITY};
  for (size_t t = 0; t < STEP_NTENSOR; t++) {
    /* the model's tensors, in their order in theta, then x, h and c */
    const grl_param *P = t < m->nparam ? &m->param[t] : NULL;
    const size_t e = P ? 0 : t - m->nparam;   /* 0, 1, 2: x, h, c */
    static const char *const extra[3] = {"x", "h (h_prev)", "c (c_prev)"};
    const size_t at = P ? P->offset : n + (e == 0 ? 0 : I + (e - 1) * H);
    res->name[t] = P ? P->name : extra[e];
    res->len[t] = P ? P->rows * P->cols : e == 0 ? I : H;
    res->vs_num[t] = grl_lesson_reldiff(res->len[t], an + at, nu + at);
    res->vs_lib[t] = grl_lesson_reldiff(res->len[t], an + at, li + at);
    res->entry_num[t] = entrywise_worst(res->len[t], an + at, nu + at);
    res->worst_num = fmax(res->worst_num, res->vs_num[t]);
    res->worst_lib = fmax(res->worst_lib, res->vs_lib[t]);
    res->worst_entry = fmax(res->worst_entry, res->entry_num[t]);
    res->gmin = fmin(res->gmin, row_absmin(res->len[t], an + at));
  }
done:
  grl_seq_free(s);
  grl_model_free(m);
  free(buf);
  if (rng)
    gsl_rng_free(rng);
  return rc;
}

static int lstm_step_worst(unsigned long seed, double eps, double *worst)
{
  step_result r = {0};
  int rc = lstm_step_run(&r, seed, eps);
  *worst = r.worst_num;
  return rc;
}

static void lstm_step_check(grl_lesson *L)
{
  grl_lesson_section(L, "The LSTM's step backward, derived and checked");
  const double eps = 1e-5;
  step_result r = {0};
  int rc = lstm_step_run(&r, L->seed, eps);
  if (rc) {
    grl_lesson_error(L, rc, "one LSTM step");
    return;
  }
  grl_lesson_say(L,
    "One LSTM step, I = %zu, H = %zu, every parameter ~ U(-0.9, 0.9), x, h, c\n"
    "~ U(-0.9, 0.9), L = g_h . h' + g_c . c'.  %zu numbers, each moved by\n"
    "+-%g.  Per tensor, the normwise relative difference max|a - b| / max|a|\n"
    "of the derivation a against the central differences and against the\n"
    "library's backward; and, entry by entry, the worst |a - b| / |a|\n"
    "against the differences:\n", r.I, r.H, r.n, eps);
  grl_lesson_say(L, "  %-13s %-11s   %-14s   %-10s   %s", "tensor", "", "vs differences",
                 "vs library", "worst entry vs differences");
  for (size_t t = 0; t < STEP_NTENSOR; t++)
    grl_lesson_say(L, "  %-13s %3zu entries   %14.1e   %10.1e   %11.1e",
                   r.name[t], r.len[t], r.vs_num[t], r.vs_lib[t], r.entry_num[t]);
  /* a central difference's truncation grows as eps^2: so does the
   * tolerance against it (exercise 4 changes eps) */
  const double tol_num = 100.0 * eps * eps;
  grl_lesson_say(L, "Against the differences the tolerance is 100 eps^2 = %.0e per tensor,\n"
                    "100 times that for a single entry: a central difference's\n"
                    "truncation error grows as eps^2.", tol_num);
  grl_lesson_check(L, "derivation vs central differences, worst tensor", r.worst_num, tol_num);
  grl_lesson_check(L, "derivation vs central differences, worst entry", r.worst_entry,
                   100.0 * tol_num);
  grl_lesson_check(L, "derivation vs the library's backward, worst tensor", r.worst_lib, 1e-14);
  char label[64];
  snprintf(label, sizeof label, "smallest |gradient| of the %zu entries", r.n);
  grl_lesson_value(L, label, r.gmin);
  grl_lesson_say(L,
    "The differences agree to %.1e per tensor, and to %.1e on the worst\n"
    "single entry, relative to that entry (the smallest gradient is %.1e):\n"
    "a central difference is off by about eps^2 |L'''|/6 from its\n"
    "truncation, plus about 1e-16 |L|/eps from rounding (chapter 5 measures\n"
    "both), and those are larger against a small entry.  The library\n"
    "computes the same products in another order, and agrees to rounding.",
    r.worst_num, r.worst_entry, r.gmin);
}

/*
## 9. A whole sequence: the library's gradient check, a preview

One step is checked; a sequence chains $T$ of them, each step's $dh_{prev}$
and $dc_{prev}$ becoming the next one back's $δh$ and $δc$ (that chain is
BPTT, chapter 4).  The library's gradient check (`grl_gradcheck_run`)
tests it on every entry: it moves each weight, bias, input $x_t$ and
initial state $h_0$, $c_0$ in turn, takes the change of the loss
$L = \sum_t g_t · h_t + \frac12 \|h_T\|^2$ by two methods, and compares
each with the backward pass.  The central difference
$(L(θ+ε) - L(θ-ε))/2ε$ loses digits to the subtraction; the complex step
$\operatorname{Im} L(θ + iε)/ε$, which runs the forward pass in complex
numbers, subtracts nothing and agrees to machine precision.  Chapter 5
explains both, their steps, tolerances and the relative error they
report; here we only read the verdict, for the LSTM and, for comparison,
the minimal gated unit.
*/

static void lstm_sequence_check(grl_lesson *L, gsl_rng *rng)
{
  grl_lesson_section(L, "A whole sequence: the library's gradient check, a preview");
  const size_t I = 3, H = 5, T = L->quick ? 6 : 20, B = 2;
  const char *cells[2] = {"lstm", "mgu"};
  const int methods[2] = {GRL_GC_CENTRAL, GRL_GC_COMPLEX};
  grl_lesson_say(L, "I = %zu, H = %zu, T = %zu, B = %zu, every parameter ~ U(-0.9, 0.9);"
                    " every entry checked.", I, H, T, B);
  for (size_t k = 0; k < 2; k++) {
    grl_model *m = NULL;
    grl_gradcheck_problem *p = NULL;
    int rc = grl_model_alloc(&m, grl_cell_lookup(cells[k]), I, H, 0);
    if (!rc)
      rc = grl_gradcheck_problem_alloc(&p, m, T, B, rng);   /* x, h0, c0, g */
    if (rc) {
      grl_lesson_error(L, rc, "allocation");
      grl_model_free(m);
      return;
    }
    grl_gradcheck_randomize(m, rng, 0.9);
    grl_lesson_say(L, "\n%s: %zu parameters", m->cell->title, m->n);
    for (size_t q = 0; q < 2; q++) {
      grl_gradcheck_opts o;
      grl_gradcheck_opts_init(&o, methods[q]);
      grl_gradcheck_report *rep = NULL;
      rc = grl_gradcheck_run(&rep, m, p, &o);
      if (rc != GRL_OK && rc != GRL_EFAIL) {
        grl_lesson_error(L, rc, "grl_gradcheck_run");
        break;
      }
      for (size_t r = 0; r < rep->nrow; r++)
        grl_lesson_say(L, "  %-8s %-13s %4zu entries   worst relative error %8.1e",
                       grl_gradcheck_method_name(methods[q]), rep->row[r].name,
                       rep->row[r].checked, rep->row[r].worst);
      char label[80];
      snprintf(label, sizeof label, "%s, %s: worst of %zu entries", cells[k],
               grl_gradcheck_method_name(methods[q]), rep->checked);
      grl_lesson_check(L, label, rep->worst, rep->tolerance);
      grl_gradcheck_report_free(rep);
    }
    grl_gradcheck_problem_free(p);
    grl_model_free(m);
  }
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
    two_grus(&L);
    lstm_memory(&L);
    lstm_step_check(&L);
    lstm_sequence_check(&L, rng);
  }
  grl_model_free(m);
  free(x);
  if (rng)
    gsl_rng_free(rng);
  return grl_lesson_end(&L);
}
