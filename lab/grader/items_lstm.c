/* items_lstm.c -- lab 7: one LSTM step forward and backward, against the
 * library's LSTM (one step of grl_seq_forward and grl_seq_backward). */
#include <config.h>
#include "grader.h"

#define TOL_FORWARD 1e-12
#define TOL_GRAD 1e-10

typedef struct { size_t B, I, H; unsigned long seed; } lstm_problem;
static const lstm_problem problems[] = {{3, 5, 4, 7101}, {2, 3, 6, 7102}};

static gsl_matrix *garbage(size_t rows, size_t cols)
{
  gsl_matrix *m = gsl_matrix_alloc(rows, cols);
  gsl_matrix_set_all(m, LAB_GARBAGE);
  return m;
}

static void run_forward(lab_result *res, const lab_impl *impl)
{
  for (int k = 0; k < 2; k++) {
    const lstm_problem *pr = &problems[k];
    lab_problem in;
    lab_problem_alloc(&in, 4, 1, pr->B, pr->I, pr->H, pr->seed);
    lstm_state prev = {in.h0, in.c0};
    lstm_state next = {garbage(pr->B, pr->H), garbage(pr->B, pr->H)};
    lstm_cache *c = lstm_cache_alloc(pr->B, pr->H);
    gsl_matrix *const parts[] = {c->i, c->f, c->g, c->o, c->tc};
    for (int j = 0; j < 5; j++)
      gsl_matrix_set_all(parts[j], LAB_GARBAGE);
    LAB_CALL(impl, lstm_step_forward, (&next, c, in.xs, &prev, in.p));
    lab_add_matrix(res, "h", k + 1, next.h, TOL_FORWARD);
    lab_add_matrix(res, "c", k + 1, next.c, TOL_FORWARD);
    static const char *const names[] = {"cache.i", "cache.f", "cache.g", "cache.o", "cache.tc"};
    for (int j = 0; j < 5; j++)
      lab_add_matrix(res, names[j], k + 1, parts[j], TOL_FORWARD);
    lstm_cache_free(c);
    gsl_matrix_free(next.h);
    gsl_matrix_free(next.c);
    lab_problem_free(&in);
  }
}

static void run_backward(lab_result *res, const lab_impl *impl)
{
  for (int k = 0; k < 2; k++) {
    const lstm_problem *pr = &problems[k];
    size_t B = pr->B, I = pr->I, H = pr->H;
    lab_problem in;
    lab_problem_alloc(&in, 4, 1, B, I, H, pr->seed);
    gsl_rng *r = in.r;
    lstm_state prev = {in.h0, in.c0};
    /* the library's forward and cache: this item does not use yours */
    lstm_state next = {gsl_matrix_alloc(B, H), gsl_matrix_alloc(B, H)};
    lstm_cache *c = lstm_cache_alloc(B, H);
    ref_lstm_step_forward(&next, c, in.xs, &prev, in.p);
    lstm_state dnext = {gsl_matrix_alloc(B, H), gsl_matrix_alloc(B, H)};
    lab_fill_matrix(dnext.h, r, -1.0, 1.0);
    lab_fill_matrix(dnext.c, r, -1.0, 1.0);
    lstm_params *before = cell_params_alloc(4, I, H), *dp = cell_params_alloc(4, I, H);
    lab_fill_params(before, r, -1.0, 1.0);
    lab_params_copy(dp, before);
    gsl_matrix *dx = garbage(B, I);
    lstm_state dprev = {garbage(B, H), garbage(B, H)};
    LAB_CALL(impl, lstm_step_backward, (dx, &dprev, dp, &dnext, c, in.xs, &prev, in.p));
    lab_add_matrix(res, "dx", k + 1, dx, TOL_GRAD);
    lab_add_matrix(res, "dprev.h", k + 1, dprev.h, TOL_GRAD);
    lab_add_matrix(res, "dprev.c", k + 1, dprev.c, TOL_GRAD);
    lab_add_params(res, "d", k + 1, dp, before, LAB_GATES_LSTM, TOL_GRAD);
    gsl_matrix_free(dx);
    gsl_matrix_free(dprev.h);
    gsl_matrix_free(dprev.c);
    cell_params_free(before);
    cell_params_free(dp);
    gsl_matrix_free(dnext.h);
    gsl_matrix_free(dnext.c);
    lstm_cache_free(c);
    gsl_matrix_free(next.h);
    gsl_matrix_free(next.c);
    lab_problem_free(&in);
  }
}

const lab_item lab_item_lstm_forward = {
  .lab = 7, .name = "lstm_step_forward", .fn = LAB_FN_lstm_step_forward,
  .what = "h, c and the cache (i, f, g, o, tanh c) of one step, against grl_seq_forward",
  .run = run_forward, .sizes = "B = 3, I = 5, H = 4 and B = 2, I = 3, H = 6",
  .hint = "PyTorch stacks the gates i, f, g, o -- g, the candidate, third, and "
          "it alone goes through tanh.  h reads tanh(c), not c.",
  .eqs = (const lab_eq[]){
    {"i", "i = sigma(a_i)   f = sigma(a_f)   g = tanh(a_g)   o = sigma(a_o)"},
    {"f", "i = sigma(a_i)   f = sigma(a_f)   g = tanh(a_g)   o = sigma(a_o)"},
    {"g", "i = sigma(a_i)   f = sigma(a_f)   g = tanh(a_g)   o = sigma(a_o)"},
    {"o", "i = sigma(a_i)   f = sigma(a_f)   g = tanh(a_g)   o = sigma(a_o)"},
    {"c", "c = f * c_prev + i * g"},
    {"h", "h = o * tanh(c)"},
    {"", "a_i, a_f, a_g, a_o = x W_i.^T + b_i. + h_prev W_h.^T + b_h."},
    {NULL, NULL}},
  .time_scale = 1,
};

const lab_item lab_item_lstm_backward = {
  .lab = 7, .name = "lstm_step_backward", .fn = LAB_FN_lstm_step_backward,
  .what = "dx, dprev (h and c) and the parameter gradients of one step, against grl_seq_backward",
  .run = run_backward, .sizes = "B = 3, I = 5, H = 4 and B = 2, I = 3, H = 6",
  .hint = "Two gradients arrive, dh and dc.  c feeds h through tanh, so the "
          "total gradient of c is dc plus what comes through h; everything "
          "else starts from that total.",
  .eqs = (const lab_eq[]){
    {"i", "di = dct * g    df = dct * c_prev    dg = dct * i"},
    {"f", "di = dct * g    df = dct * c_prev    dg = dct * i"},
    {"g", "da_g = dg * (1 - g^2)   da_o = do * o (1 - o)"},
    {"o", "do  = dh * tc"},
    {"dprev.c", "dc_prev = dct * f"},
    {"", "dct = dc + dh * o * (1 - tc^2)      (the total gradient of c)"},
    {NULL, NULL}},
  .time_scale = 1,
};
