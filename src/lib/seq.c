/* seq.c -- the one sequence driver: the time loop, the caches, the initial
 * states and the gradient accumulation, for every cell.
 *
 * Forward, for a (T, B) batch:
 *   XP = X Wx^T + bx            all T input projections: ONE dgemm, hoisted
 *   for t = 0 .. T-1:           the recurrence; each step's recurrent
 *     h_t = cell(XP_t, h_{t-1}) product is one dgemm over the batch (in
 *                               the cell)
 * Backward (full BPTT), the mirror image:
 *   for t = T-1 .. 0:
 *     dh_t = dL/doutput_t + dh from step t+1
 *     cell backward: dXP_t, dHP_t (dL/d recurrent pre-activation), dh_{t-1}
 *     dbh += 1^T dHP_t,  dbx += 1^T dXP_t       while the rows are in cache
 *   dWh += dHP^T H_prev                                  one dgemm
 *   dWx += dXP^T X,  dX += dXP Wx                        two dgemms
 * The weight gradients wait for the end of the loop: one (G*H x T*B) by
 * (T*B x H) product runs at a far better rate than T small ones, and the
 * loop itself is then independent from batch row to batch row.  So the
 * rows run as nchunk blocks, each through the whole loop on its own, in
 * parallel when OpenMP gives threads; nchunk depends on the sizes alone
 * (B, and T, H and G through affine.c's choice of kernels), never on the
 * threads, so the result is the same bytes at any thread count.
 * Nothing is allocated inside either loop: grl_seq_alloc sizes everything. */
#include <config.h>
#include "grulab.h"
#include "cell_impl.h"
#include "openblas.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#ifdef _OPENMP
#include <omp.h>
#endif

/* Rows per block below which a batch is not split.  On one thread a split
 * only costs: each block's products run at a smaller M, and with
 * OpenBLAS each repacks the weights.  Measured on one thread (2026-12-01,
 * OpenBLAS SkylakeX kernels), two blocks made a training step of the
 * adding task (B = 50, H = 32) 35% slower and the (64, 512, 512, 50)
 * bench 7% slower, when every product went to OpenBLAS.  With each step's
 * product on a libxsmm kernel (affine.c), which packs nothing per step,
 * the same split cost the adding training 3.4% on one thread (median of
 * 6 pairs, 0.99 to 1.05), the (32, 128, 64, 100) bench nothing
 * measurable, and on two threads the training ran in 0.80 of its
 * one-thread time.  At H = 512, B = 32, whose steps then stayed with
 * OpenBLAS, it cost 30%; on W_hh in panels (affine.c) it costs about 5%
 * (273 against 260 ms, one thread) and two threads take 213 ms.
 * So a batch splits where each block keeps CHUNK_MIN_ROWS rows, or
 * CHUNK_SMALL_ROWS when the blocks' step products run on libxsmm
 * (grl_affine_small, grl_affine_panel_width).  The split depends on the
 * sizes alone: the same bytes at any thread count. */
#define CHUNK_MIN_ROWS 32
#define CHUNK_SMALL_ROWS 16
/* The shortest pass for which the driver keeps W_hh^T or W_hh in panels
 * (grl_seq_alloc), and splits a batch for its panels. */
#define WHT_MIN_T 8
#define CHUNK_MAX 2

int grl_seq_alloc(grl_seq **out, const grl_model *m, size_t T, size_t B)
{
  *out = NULL;
  if (T == 0 || B == 0)
    return grl_fail(GRL_EINVAL, "sequence: T and B must be positive "
                    "(got T=%zu, B=%zu)", T, B);
  if (T > 10000000 / B)
    return grl_fail(GRL_EINVAL, "sequence: T*B = %zu*%zu is too large", T, B);
  const grl_cell *c = m->cell;
  size_t H = m->hidden_size, GH = c->G * H;
  grl_seq *s = calloc(1, sizeof *s);
  if (!s)
    return grl_fail(GRL_ENOMEM, "sequence: out of memory");
  s->m = m;
  s->T = T;
  s->B = B;
  s->nchunk = B >= 2 * CHUNK_MIN_ROWS
              || (B >= 2 * CHUNK_SMALL_ROWS
                  && (grl_affine_small((B + 1) / 2, H, GH)
                      || (T >= WHT_MIN_T
                          && grl_affine_panel_width(H, GH, H)))) ? CHUNK_MAX : 1;
  int bad = 0;
#define ALLOC(field, rows, cols) \
  do { if (!(s->field = gsl_matrix_calloc((rows), (cols)))) bad = 1; } while (0)
  ALLOC(XP, T * B, GH);
  ALLOC(dXP, T * B, GH);
  if (c->own_dhp)
    ALLOC(dHP, T * B, GH);
  ALLOC(Hs, (T + 1) * B, H);
  ALLOC(dHs, T * B, H);
  ALLOC(dbacc, 2 * s->nchunk, GH);
  ALLOC(dh, B, H);
  ALLOC(dh_prev, B, H);
  if (c->has_c) {
    ALLOC(Cs, (T + 1) * B, H);
    ALLOC(dCs, T * B, H);
    ALLOC(dc, B, H);
    ALLOC(dc_prev, B, H);
  }
  if (c->K)
    ALLOC(cache, T * B, c->K * H);
  if (c->W)
    ALLOC(work, B, c->W * H);
  /* A step's recurrent product is (rows of a block, H) by (H, G*H): when
   * that is small enough for affine.c's JIT kernels, keep W_hh^T whole for
   * the forward's (the backward's reads W_hh itself); a larger W_hh goes
   * to the same kernels cut into column panels, W_hh^T for the forward's
   * products and W_hh for the backward's.  Copied once per pass; not for
   * a short pass (sampling runs T = 1, B = 1 a character at a time): the
   * copy costs about as much as one 1-row product. */
  if (T >= WHT_MIN_T)
    s->panel = grl_affine_small((B + s->nchunk - 1) / s->nchunk, H, GH)
               ? GH : grl_affine_panel_width(H, GH, H);
  for (int k = 0; s->panel && k < (s->panel < GH ? 2 : 1); k++)
    if (!(s->Whpk[k] = malloc(GH * H * sizeof(double))))
      bad = 1;
  /* ... and W_ih^T for the input projections of all steps at once */
  if (grl_affine_small(T * B, m->input_size, GH))
    ALLOC(WxT, m->input_size, GH);
#undef ALLOC
  if (bad) {
    grl_seq_free(s);
    return grl_fail(GRL_ENOMEM, "sequence: out of memory for T=%zu, B=%zu, "
                    "H=%zu", T, B, H);
  }
  *out = s;
  return GRL_OK;
}

void grl_seq_free(grl_seq *s)
{
  if (!s)
    return;
  gsl_matrix *all[] = {s->XP, s->Hs, s->Cs, s->cache, s->dXP, s->dHP, s->dHs,
                       s->dCs, s->dh, s->dc, s->dh_prev, s->dc_prev, s->work,
                       s->dbacc, s->WxT};
  for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
    if (all[i])
      gsl_matrix_free(all[i]);
  free(s->Whpk[0]);
  free(s->Whpk[1]);
  free(s);
}

/* Rows [t*B + b0, t*B + b1) of a (T*B, n) matrix: block [b0, b1) of the
 * batch at time t. */
static gsl_matrix_view rows(gsl_matrix *a, size_t t, size_t B, size_t b0,
                            size_t b1)
{
  return gsl_matrix_submatrix(a, t * B + b0, 0, b1 - b0, a->size2);
}

static gsl_matrix_view at(gsl_matrix *a, size_t t, size_t B)
{
  return rows(a, t, B, 0, B);
}

static void set_state(gsl_matrix *S, const double *init, size_t B, size_t H)
{
  gsl_matrix_view s0 = gsl_matrix_submatrix(S, 0, 0, B, H);
  if (init) {
    gsl_matrix_const_view v = gsl_matrix_const_view_array(init, B, H);
    gsl_matrix_memcpy(&s0.matrix, &v.matrix);
  } else {
    gsl_matrix_set_zero(&s0.matrix);
  }
}

/* The batch rows [b0, b1) of block k. */
static void chunk_rows(const grl_seq *s, size_t k, size_t *b0, size_t *b1)
{
  *b0 = k * s->B / s->nchunk;
  *b1 = (k + 1) * s->B / s->nchunk;
}

/* Point a step at time t, rows [b0, b1), of the sequence buffers: xp_t,
 * h_{t-1} -> h_t (and c_{t-1} -> c_t), cache_t, the same rows of work.
 * Only views; nothing is copied. */
typedef struct {
  gsl_matrix_view xp, h, h_prev, c, c_prev, cache, work;
} step_views;

static void step_at(grl_step *st, step_views *v, grl_seq *s, size_t t,
                    size_t b0, size_t b1)
{
  const grl_cell *c = s->m->cell;
  size_t B = s->B;
  v->xp = rows(s->XP, t, B, b0, b1);               /* (b1-b0, G*H) */
  v->h_prev = rows(s->Hs, t, B, b0, b1);           /* (b1-b0, H) h_{t-1} */
  v->h = rows(s->Hs, t + 1, B, b0, b1);            /* (b1-b0, H) h_t     */
  *st = (grl_step){.h = &v->h.matrix, .xp = &v->xp.matrix,
                   .h_prev = &v->h_prev.matrix};
  if (c->has_c) {
    v->c_prev = rows(s->Cs, t, B, b0, b1);         /* c_{t-1} */
    v->c = rows(s->Cs, t + 1, B, b0, b1);          /* c_t     */
    st->c = &v->c.matrix;
    st->c_prev = &v->c_prev.matrix;
  }
  if (c->K) {
    v->cache = rows(s->cache, t, B, b0, b1);       /* (b1-b0, K*H) */
    st->cache = &v->cache.matrix;
  }
  if (c->W) {
    v->work = rows(s->work, 0, B, b0, b1);         /* (b1-b0, W*H) */
    st->work = &v->work.matrix;
  }
}

/* How many threads run the blocks: one, unless OMP_NUM_THREADS asks for
 * more (OpenMP's spinning threads cost far more than they give on a
 * machine whose cores are busy with other work, so more is opt-in); at
 * most one per block, and one inside a parallel region (the gradient
 * check runs entries in parallel already).  Every product runs on one
 * BLAS thread (affine.c says why): the blocks are the parallelism. */
static int chunk_threads(const grl_seq *s)
{
#ifdef _OPENMP
  if (s->nchunk > 1 && !omp_in_parallel() && getenv("OMP_NUM_THREADS")) {
    int n = omp_get_max_threads();
    return n < (int)s->nchunk ? n : (int)s->nchunk;
  }
#else
  (void)s;
#endif
  return 1;
}

/* The recurrence for rows [b0, b1): h_t = cell(xp_t, h_{t-1}[, c_{t-1}]). */
static void forward_rows(grl_seq *s, const grl_const_views *p, size_t b0,
                         size_t b1)
{
  for (size_t t = 0; t < s->T; t++) {
    grl_step st;
    step_views v;
    step_at(&st, &v, s, t, b0, b1);
    s->m->cell->forward(&st, p);
  }
}

int grl_seq_forward(grl_seq *s, const double *theta, const double *x,
                    const double *h0, const double *c0)
{
  const grl_model *m = s->m;
  const grl_cell *c = m->cell;
  size_t T = s->T, B = s->B, H = m->hidden_size, I = m->input_size;
  grl_const_views p;
  grl_model_bind_const(m, theta ? theta : m->theta, &p);

  int blas = grl_blas_one_thread();   /* once for the whole pass (affine.c) */
  /* W_hh^T for the steps' products, once per pass: the block theta holds
   * may differ from the last pass's */
  if (s->panel)
    p.WhT = grl_wpanels_pack(s->Whpk[0], &p.Wh.matrix, s->panel, 1);
  /* XP = X Wx^T + bx: every input projection at once, before the loop.
   * x == NULL: the caller has filled s->XP (e.g. a one-hot input done as
   * a gather of Wx's columns, grl_text_*). */
  if (x) {
    gsl_matrix_const_view X = gsl_matrix_const_view_array(x, T * B, I); /* (T*B, I) */
    grl_wpanels wxt = {0};
    if (s->WxT) {
      gsl_matrix_transpose_memcpy(s->WxT, &p.Wx.matrix);
      wxt = grl_wpanels_plain(s->WxT);
    }
    grl_affine_forward_t(s->XP, 0.0, &X.matrix, &p.Wx.matrix, &wxt,
                         &p.bx.vector);
  }

  set_state(s->Hs, h0, B, H);
  if (c->has_c)
    set_state(s->Cs, c0, B, H);

  int nt = chunk_threads(s);
#ifdef _OPENMP
#pragma omp parallel for num_threads(nt) schedule(static) if (nt > 1)
#endif
  for (size_t k = 0; k < s->nchunk; k++) {
    size_t b0, b1;
    chunk_rows(s, k, &b0, &b1);
    forward_rows(s, &p, b0, b1);
  }
  grl_blas_threads_restore(blas);

  /* Never pass a NaN on silently: one scan of the states, outside the loop. */
  const gsl_matrix *S[2] = {s->Hs, s->Cs};
  for (int k = 0; k < 2; k++) {
    if (!S[k])
      continue;
    for (size_t r = B; r < (T + 1) * B; r++)
      for (size_t j = 0; j < H; j++)
        if (!isfinite(grl_crow(S[k], r)[j]))
          return grl_fail(GRL_ENONFINITE, "forward: %s is not finite at "
                          "t=%zu, batch %zu, unit %zu (check the inputs and "
                          "parameters)", k ? "cell state c_t" : "hidden state h_t",
                          r / B - 1, r % B, j);
  }
  return GRL_OK;
}

gsl_matrix_view grl_seq_output(grl_seq *s)
{
  return gsl_matrix_submatrix(s->Hs, s->B, 0, s->T * s->B, s->m->hidden_size);
}

gsl_matrix_view grl_seq_hT(grl_seq *s)
{
  return at(s->Hs, s->T, s->B);
}

gsl_matrix_view grl_seq_cT(grl_seq *s)
{
  return at(s->Cs, s->T, s->B);
}

/* BPTT's time loop for block k, rows [b0, b1), from dh = dL/dh_T (and
 * dc) already in rows [b0, b1) of s->dh (s->dc); sum_x: sum the dxp rows
 * too.  Returns the buffer that holds dL/dh_0 at the end: s->dh or
 * s->dh_prev (the same for every block). */
static int backward_rows(grl_seq *s, const grl_const_views *p,
                         const double *dout, size_t k, size_t b0, size_t b1,
                         int sum_x)
{
  const grl_cell *c = s->m->cell;
  size_t B = s->B, H = s->m->hidden_size, R = b1 - b0;
  /* the block's sums of dxp and dhp over its rows and steps: db_x, db_h */
  gsl_vector_view sx = gsl_matrix_row(s->dbacc, 2 * k),
                  sh = gsl_matrix_row(s->dbacc, 2 * k + 1);
  gsl_vector_set_zero(&sx.vector);
  gsl_vector_set_zero(&sh.vector);
  /* dh, dc: the gradient arriving at h_t, c_t from the future; the two
   * buffers swap roles every step */
  gsl_matrix_view bufs[4] = {
    rows(s->dh, 0, B, b0, b1), rows(s->dh_prev, 0, B, b0, b1)};
  if (c->has_c) {
    bufs[2] = rows(s->dc, 0, B, b0, b1);
    bufs[3] = rows(s->dc_prev, 0, B, b0, b1);
  }
  int cur = 0;
  for (size_t t = s->T; t-- > 0;) {
    gsl_matrix *dh = &bufs[cur].matrix, *dh_prev = &bufs[1 - cur].matrix;
    gsl_matrix *dc = c->has_c ? &bufs[2 + cur].matrix : NULL;
    gsl_matrix *dc_prev = c->has_c ? &bufs[3 - cur].matrix : NULL;
    /* The output h_t also feeds the loss directly: dh_t += dL/doutput_t. */
    if (dout) {
      gsl_matrix_const_view g =
        gsl_matrix_const_view_array(dout + (t * B + b0) * H, R, H);
      gsl_matrix_add(dh, &g.matrix);
    }
    gsl_matrix_view dHt = rows(s->dHs, t, B, b0, b1);
    gsl_matrix_memcpy(&dHt.matrix, dh);
    if (c->has_c) {
      gsl_matrix_view dCt = rows(s->dCs, t, B, b0, b1);
      gsl_matrix_memcpy(&dCt.matrix, dc);
    }
    grl_step st;
    step_views v;
    step_at(&st, &v, s, t, b0, b1);
    gsl_matrix_view dxp = rows(s->dXP, t, B, b0, b1);   /* (R, G*H) */
    gsl_matrix_view dhp = rows(s->dHP ? s->dHP : s->dXP, t, B, b0, b1);
    grl_step_grad d = {.dxp = &dxp.matrix, .dhp = &dhp.matrix,
                       .dh_prev = dh_prev, .dc_prev = dc_prev,
                       .dh = dh, .dc = dc};
    c->backward(&d, &st, p);
    /* the bias gradients, while the step's rows are in cache */
    if (sum_x)
      grl_affine_bias_grad(&sx.vector, &dxp.matrix);
    if (s->dHP)
      grl_affine_bias_grad(&sh.vector, &dhp.matrix);
    /* Step back in time: what flowed into h_{t-1} is next step's dh. */
    cur = 1 - cur;
  }
  return cur;
}

int grl_seq_backward(grl_seq *s, const double *theta, const double *x,
                     const double *dout, const double *dhT, const double *dcT,
                     double *dtheta, double *dx, double *dh0, double *dc0)
{
  const grl_model *m = s->m;
  const grl_cell *c = m->cell;
  size_t T = s->T, B = s->B, H = m->hidden_size, I = m->input_size;
  grl_const_views p;
  grl_views dp;
  grl_model_bind_const(m, theta ? theta : m->theta, &p);
  grl_model_bind(m, dtheta, &dp);

  set_state(s->dh, dhT, B, H);
  if (c->has_c)
    set_state(s->dc, dcT, B, H);
  /* W_hh in panels for each step's dL/dh_{t-1} (grl_seq_alloc) */
  if (s->panel && s->Whpk[1])
    p.Whk = grl_wpanels_pack(s->Whpk[1], &p.Wh.matrix, s->panel, 0);

  /* the dxp sums make db_x when the driver made XP (x), and db_h when
   * dHP is dXP itself */
  int sum_x = x || (!s->dHP && dp.has_bh);
  int nt = chunk_threads(s), blas = grl_blas_one_thread(), cur = 0;
#ifdef _OPENMP
#pragma omp parallel for num_threads(nt) schedule(static) if (nt > 1)
#endif
  for (size_t k = 0; k < s->nchunk; k++) {
    size_t b0, b1;
    chunk_rows(s, k, &b0, &b1);
    int last = backward_rows(s, &p, dout, k, b0, b1, sum_x);
    if (k == 0)
      cur = last;
  }
  /* (B, H), tda == H: dL/dh_0, dL/dc_0 */
  if (dh0)
    memcpy(dh0, (cur ? s->dh_prev : s->dh)->data, B * H * sizeof *dh0);
  if (dc0 && c->has_c)
    memcpy(dc0, (cur ? s->dc_prev : s->dc)->data, B * H * sizeof *dc0);

  /* db_h += 1^T dHP and db_x += 1^T dXP, block after block (dHP is dXP
   * for a cell without own_dhp) */
  for (size_t k = 0; k < s->nchunk; k++) {
    gsl_vector_view sx = gsl_matrix_row(s->dbacc, 2 * k),
                    sh = gsl_matrix_row(s->dbacc, 2 * k + (s->dHP ? 1 : 0));
    if (dp.has_bh)
      gsl_vector_add(&dp.bh.vector, &sh.vector);
    if (x)
      gsl_vector_add(&dp.bx.vector, &sx.vector);
  }

  /* The recurrent side of every step at once.  Forward was, at each t,
   * a = h_{t-1} W_h^T + b_h (the cell may read another input, e.g.
   * gru-cho's r*h), so its gradients are one product over all T*B rows. */
  gsl_matrix_view Hprev = gsl_matrix_submatrix(s->Hs, 0, 0, T * B, H);
  c->backward_weights(&dp, s->dHP ? s->dHP : s->dXP, &Hprev.matrix, s->cache);

  /* The input side of every step at once.  Forward was XP = X Wx^T + bx, so
   *   dWx += dXP^T X,   dX += dXP Wx   (dbx += 1^T dXP: above).
   * x == NULL: the caller filled XP, so the caller reads s->dXP. */
  if (x) {
    gsl_matrix_const_view X = gsl_matrix_const_view_array(x, T * B, I);
    gsl_matrix_view dX = gsl_matrix_view_array(dx ? dx : s->dXP->data, T * B, I);
    grl_affine_backward(s->dXP, &X.matrix, &p.Wx.matrix, &dp.Wx.matrix,
                        NULL, dx ? &dX.matrix : NULL, 1.0);
  }
  grl_blas_threads_restore(blas);
  return GRL_OK;
}

/* forward was a = h_prev W_h^T + b_h at every step, so
 *   dW_h += dA^T Hprev  (db_h += 1^T dA: the driver's, above) */
void grl_backward_weights_hh(grl_views *dp, const gsl_matrix *dA,
                             const gsl_matrix *Hprev, const gsl_matrix *cache)
{
  (void)cache;
  grl_affine_backward(dA, Hprev, NULL, &dp->Wh.matrix, NULL, NULL, 0.0);
}

double grl_seq_flops(const grl_model *m, size_t T, size_t B)
{
  double G = (double)m->cell->G, H = (double)m->hidden_size,
         I = (double)m->input_size;
  return 6.0 * (double)T * (double)B * G * H * (I + H);
}
