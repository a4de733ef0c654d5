/* items_gru.c -- labs 2 to 4: the GRU step forward and backward, and
 * BPTT over a sequence.
 *
 * Every problem is drawn from a fixed seed: parameters, inputs and states
 * ~ U(-0.9, 0.9) ("high-entropy" values: gates away from 0.5, nothing
 * symmetric to cancel), incoming gradients ~ U(-1, 1).  Outputs start as
 * LAB_GARBAGE, so an entry left unwritten shows; parameter gradients
 * start as random values, so a backward that overwrites them (instead of
 * adding to them) shows.  The sizes differ (I != H != B) so that a
 * transposed index or a wrong dimension shows too. */
#include <config.h>
#include "grader.h"

#define TOL_FORWARD 1e-12
#define TOL_GRAD 1e-10

typedef struct { size_t B, I, H; unsigned long seed; } step_problem;
static const step_problem step_problems[] = {{3, 5, 4, 2101}, {2, 3, 6, 2102}};
#define N_STEP_PROBLEMS 2

static gsl_matrix *garbage(size_t rows, size_t cols)
{
  gsl_matrix *m = gsl_matrix_alloc(rows, cols);
  gsl_matrix_set_all(m, LAB_GARBAGE);
  return m;
}

static void cache_garbage(gru_cache *c, size_t T)
{
  for (size_t t = 0; t < T; t++) {
    gsl_matrix_set_all(c[t].r, LAB_GARBAGE);
    gsl_matrix_set_all(c[t].z, LAB_GARBAGE);
    gsl_matrix_set_all(c[t].n, LAB_GARBAGE);
    gsl_matrix_set_all(c[t].q, LAB_GARBAGE);
  }
}

/* The T caches as four time-stacked (T*B, H) tensors cache.r ... cache.q. */
static void add_caches(lab_result *res, int group, const gru_cache *c,
                       size_t T, size_t B, size_t H)
{
  static const char *const names[] = {"cache.r", "cache.z", "cache.n", "cache.q"};
  for (int k = 0; k < 4; k++) {
    gsl_matrix *all = gsl_matrix_alloc(T * B, H);
    for (size_t t = 0; t < T; t++) {
      const gsl_matrix *src = k == 0 ? c[t].r : k == 1 ? c[t].z : k == 2 ? c[t].n : c[t].q;
      gsl_matrix_view dst = gsl_matrix_submatrix(all, t * B, 0, B, H);
      gsl_matrix_memcpy(&dst.matrix, src);
    }
    lab_tensor *tn = lab_add_matrix(res, names[k], group, all, TOL_FORWARD);
    if (T > 1)
      tn->step_rows = B;
    gsl_matrix_free(all);
  }
}

static void step_alloc(lab_problem *q, int k)
{
  const step_problem *pr = &step_problems[k];
  lab_problem_alloc(q, 3, 1, pr->B, pr->I, pr->H, pr->seed);
}

/* ---- lab 2: one step forward ------------------------------------------- */

static void run_step_forward(lab_result *res, const lab_impl *impl)
{
  for (int k = 0; k < N_STEP_PROBLEMS; k++) {
    lab_problem in;
    step_alloc(&in, k);
    gsl_matrix *h = garbage(in.B, in.H);
    gru_cache *c = gru_cache_alloc(1, in.B, in.H);
    cache_garbage(c, 1);
    LAB_CALL(impl, gru_step_forward, (h, c, in.xs, in.h0, in.p));
    lab_add_matrix(res, "h", k + 1, h, TOL_FORWARD);
    add_caches(res, k + 1, c, 1, in.B, in.H);
    gru_cache_free(c, 1);
    gsl_matrix_free(h);
    lab_problem_free(&in);
  }
}

const lab_item lab_item_step_forward = {
  .lab = 2, .name = "gru_step_forward", .fn = LAB_FN_gru_step_forward,
  .what = "h and the cache (r, z, n, q) of one step, against grl_seq_forward",
  .run = run_step_forward,
  .sizes = "B = 3, I = 5, H = 4 and B = 2, I = 3, H = 6",
  .hint = "Check the gates one at a time: the cache shows which of r, z, n, q "
          "differ.  Then the two conventions: r multiplies (W_hn h + b_hn), "
          "bias included, after the product; z is the part of h_prev KEPT.",
  .eqs = (const lab_eq[]){
    {"r", "a_r = x W_ir^T + b_ir + h_prev W_hr^T + b_hr"},
    {"z", "a_z = x W_iz^T + b_iz + h_prev W_hz^T + b_hz"},
    {"q", "q   = h_prev W_hn^T + b_hn"},
    {"n", "a_n = x W_in^T + b_in + r * q"},
    {"h", "h   = (1 - z) * n + z * h_prev"},
    {"", "a_r = x W_ir^T + b_ir + h_prev W_hr^T + b_hr"},
    {NULL, NULL}},
  .time_scale = 1,
};

/* ---- lab 3: one step backward ------------------------------------------ */

static void run_step_backward(lab_result *res, const lab_impl *impl)
{
  for (int k = 0; k < N_STEP_PROBLEMS; k++) {
    lab_problem in;
    step_alloc(&in, k);
    size_t B = in.B, I = in.I, H = in.H;
    /* the cache of the library's forward: this lab does not use lab 2's */
    gsl_matrix *h = gsl_matrix_alloc(B, H);
    gru_cache *c = gru_cache_alloc(1, B, H);
    ref_gru_step_forward(h, c, in.xs, in.h0, in.p);
    gsl_matrix *dh = gsl_matrix_alloc(B, H);
    lab_fill_matrix(dh, in.r, -1.0, 1.0);
    gru_params *before = cell_params_alloc(3, I, H), *dp = cell_params_alloc(3, I, H);
    lab_fill_params(before, in.r, -1.0, 1.0);
    lab_params_copy(dp, before);
    gsl_matrix *dx = garbage(B, I), *dhp = garbage(B, H);
    LAB_CALL(impl, gru_step_backward, (dx, dhp, dp, dh, c, in.xs, in.h0, in.p));
    lab_add_matrix(res, "dx", k + 1, dx, TOL_GRAD);
    lab_add_matrix(res, "dh_prev", k + 1, dhp, TOL_GRAD);
    lab_add_params(res, "d", k + 1, dp, before, LAB_GATES_GRU, TOL_GRAD);
    gsl_matrix_free(dx);
    gsl_matrix_free(dhp);
    cell_params_free(before);
    cell_params_free(dp);
    gsl_matrix_free(dh);
    gru_cache_free(c, 1);
    gsl_matrix_free(h);
    lab_problem_free(&in);
  }
}

const lab_item lab_item_step_backward = {
  .lab = 3, .name = "gru_step_backward", .fn = LAB_FN_gru_step_backward,
  .what = "dx, dh_prev and the parameter gradients of one step, against grl_seq_backward",
  .run = run_step_backward,
  .sizes = "B = 3, I = 5, H = 4 and B = 2, I = 3, H = 6",
  .hint = "Read the forward lines backwards, one at a time (chapter 4): each "
          "forward line hands a gradient to each of its inputs.  The table "
          "shows which gate's blocks are wrong; start from that gate's lines.",
  .eqs = (const lab_eq[]){
    {"r", "dr      = da_n * q"},
    {"r", "da_r    = dr * r * (1 - r)"},
    {"z", "dz      = delta * (h_prev - n)"},
    {"z", "da_z    = dz * z * (1 - z)"},
    {"n", "dn      = delta * (1 - z)"},
    {"n", "da_n    = dn * (1 - n^2)"},
    {"n", "dq      = da_n * r"},
    {"dh_prev", "dh_prev = delta * z"},
    {"dh_prev", "dh_prev += da_r W_hr + da_z W_hz + dq W_hn"},
    {"dx", "dx       = da_r W_ir + da_z W_iz + da_n W_in"},
    {"", "dn      = delta * (1 - z)"},
    {NULL, NULL}},
  .time_scale = 1,
};

/* ---- lab 4: BPTT over T = 1, 3 and 9 steps ---------------------------------- */

static const size_t seq_T[] = {1, 3, 9};
#define N_SEQ 3
#define SEQ_B 2
#define SEQ_I 3
#define SEQ_H 4

static void seq_alloc(lab_problem *q, size_t k)
{
  lab_problem_alloc(q, 3, seq_T[k], SEQ_B, SEQ_I, SEQ_H, 4100 + k);
}

static void run_seq_forward(lab_result *res, const lab_impl *impl)
{
  for (size_t k = 0; k < N_SEQ; k++) {
    lab_problem q;
    seq_alloc(&q, k);
    size_t T = q.T;
    gsl_matrix *hs = garbage(T * SEQ_B, SEQ_H);
    gru_cache *c = gru_cache_alloc(T, SEQ_B, SEQ_H);
    cache_garbage(c, T);
    LAB_CALL(impl, gru_forward, (hs, c, q.xs, q.h0, q.p));
    lab_tensor *t = lab_add_matrix(res, "hs", (int)T, hs, TOL_FORWARD);
    t->step_rows = SEQ_B;
    add_caches(res, (int)T, c, T, SEQ_B, SEQ_H);
    gru_cache_free(c, T);
    gsl_matrix_free(hs);
    lab_problem_free(&q);
  }
}

static void run_seq_backward(lab_result *res, const lab_impl *impl)
{
  for (size_t k = 0; k < N_SEQ; k++) {
    lab_problem q;
    seq_alloc(&q, k);
    size_t T = q.T, B = SEQ_B;
    /* the library's forward: this item does not use your gru_forward */
    gsl_matrix *hs = gsl_matrix_alloc(T * B, SEQ_H);
    gru_cache *c = gru_cache_alloc(T, B, SEQ_H);
    ref_gru_forward(hs, c, q.xs, q.h0, q.p);
    gsl_matrix *dhs = gsl_matrix_alloc(T * B, SEQ_H);
    lab_fill_matrix(dhs, q.r, -1.0, 1.0);
    gru_params *before = cell_params_alloc(3, SEQ_I, SEQ_H);
    gru_params *dp = cell_params_alloc(3, SEQ_I, SEQ_H);
    lab_fill_params(before, q.r, -1.0, 1.0);
    lab_params_copy(dp, before);
    gsl_matrix *dxs = garbage(T * B, SEQ_I), *dh0 = garbage(B, SEQ_H);
    LAB_CALL(impl, gru_backward, (dxs, dh0, dp, dhs, c, q.xs, q.h0, hs, q.p));
    lab_tensor *t = lab_add_matrix(res, "dxs", (int)T, dxs, TOL_GRAD);
    t->step_rows = B;
    lab_add_matrix(res, "dh0", (int)T, dh0, TOL_GRAD);
    lab_add_params(res, "d", (int)T, dp, before, LAB_GATES_GRU, TOL_GRAD);
    gsl_matrix_free(dxs);
    gsl_matrix_free(dh0);
    cell_params_free(before);
    cell_params_free(dp);
    gsl_matrix_free(dhs);
    gru_cache_free(c, T);
    gsl_matrix_free(hs);
    lab_problem_free(&q);
  }
}

const lab_item lab_item_seq_forward = {
  .lab = 4, .name = "gru_forward", .fn = LAB_FN_gru_forward,
  .what = "hs and every step's cache, against grl_seq_forward",
  .run = run_seq_forward, .grows = "T",
  .sizes = "B = 2, I = 3, H = 4, T = 1, 3 and 9",
  .hint = "Step t (from 1) is row block t - 1; it reads x_t and the state step "
          "t - 1 wrote (h_0 for the first step), and writes h_t and cache t.",
  .eqs = (const lab_eq[]){
    {"", "for t = 1 .. T:   h_t = GRU(x_t, h_{t-1})"},
    {NULL, NULL}},
  .time_scale = 1,
};

const lab_item lab_item_seq_backward = {
  .lab = 4, .name = "gru_backward", .fn = LAB_FN_gru_backward,
  .what = "dxs, dh0 and the parameter gradients over the sequence, against grl_seq_backward",
  .run = run_seq_backward, .grows = "T",
  .sizes = "B = 2, I = 3, H = 4, T = 1, 3 and 9",
  .hint = "Walk t = T .. 1.  What reaches h_t is the loss's own dhs_t PLUS what "
          "step t + 1 sent back; step t's backward needs x_t, h_{t-1} (not h_t) "
          "and cache t; and dp must collect every step's share.",
  .eqs = (const lab_eq[]){
    {"dxs", "delta_t = dhs_t + (dL/dh_t sent back by step t+1;  0 for t = T)"},
    {"dh0", "dh0 = what step 1 sent back"},
    {"", "delta_t = dhs_t + (dL/dh_t sent back by step t+1;  0 for t = T)"},
    {"", "step t backward on delta_t, with x_t, h_{t-1} and cache t:"},
    {NULL, NULL}},
  .time_scale = 1,
};
