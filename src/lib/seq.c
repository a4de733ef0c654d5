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
 * loop runs over a block of rows [b0, b1): the whole batch on the plain
 * path; on the fast backend's (backend.h) the rows may run as several
 * blocks, each through the whole loop on its own, in parallel when
 * OpenMP gives threads.
 * Stacked layers (m->layers = L > 1, PyTorch's nn.GRU(num_layers=L)):
 * layer l's output sequence is layer l+1's input x, so the forward runs
 * the loop above layer after layer, bottom up, and the backward top
 * down, each layer's dx (its dL/dinput) being the dL/doutput of the
 * layer below:
 *   forward:   out_0 = layer_0(x, h0[0]),  out_l = layer_l(out_{l-1}, h0[l])
 *   backward:  d_out_{L-1} = dout;  layer l's BPTT gives d_out_{l-1} += dx_l
 * Each layer keeps its own buffers (a grl_seq of its own, up[l]); the
 * initial and final states are (L, B, H), layer l in rows [l*B, (l+1)*B).
 * Nothing is allocated inside either loop: grl_seq_alloc sizes everything. */
#include <config.h>
#include "grulab.h"
#include "cell_impl.h"
#include "affine.h"
#include "backend.h"
#include "openblas.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

struct grl_seq {
  const grl_model *m;
  size_t T, B;
  gsl_matrix *XP;      /* (T*B, G*H) input projections x_t Wx^T + bx       */
  gsl_matrix *Hs;      /* ((T+1)*B, H) rows [0,B): h0; rows (t+1)*B+b: h_t */
  gsl_matrix *Cs;      /* ((T+1)*B, H) cell states like Hs, or NULL        */
  gsl_matrix *cache;   /* (T*B, K*H) per-step caches, rows t*B+b, or NULL  */
  gsl_matrix *dXP;     /* (T*B, G*H) dL/dxp for every step                 */
  gsl_matrix *dHP;     /* (T*B, G*H) dL/d(recurrent pre-activation) per
                        * step when the cell has own_dhp, else NULL (dXP)  */
  gsl_matrix *dHs;     /* (T*B, H) dL/dh_t for every step (total)          */
  gsl_matrix *dCs;     /* (T*B, H) dL/dc_t, or NULL                        */
  gsl_matrix *dh, *dc, *dh_prev, *dc_prev; /* (B, H)                      */
  gsl_matrix *scratch; /* (B, scratch*H) the cell's, or NULL               */
  gsl_matrix *dbsum;   /* (2*nblock, G*H) per block of rows: the sums of
                        * dxp and of dhp over its rows and steps           */
  size_t nblock;       /* blocks of rows: 1 on the plain path              */
  grl_backend *be;     /* the fast backend's plan, or NULL: the plain path */
  /* stacked layers: this struct is layer 0; up[l] layer l = 1 .. L-1 */
  size_t L;
  grl_seq *up[GRL_MAX_LAYERS];
  size_t off[GRL_MAX_LAYERS];   /* layer l's block in theta, dtheta      */
  gsl_matrix *dmid[2]; /* (T*B, H) dL/d(output of layer l-1), alternately */
  /* dropout (grl_seq_set_dropout), each layer's own; all NULL when off.
   * A mask has T*B rows (standard) or B (variational, row b reused at
   * every step). */
  double drop_p;
  grl_dropout_kind drop_kind;
  gsl_matrix *imask;   /* (rows, I) the layer's input mask               */
  gsl_matrix *xm;      /* (T*B, I) the dropped-out input x*mask          */
  gsl_matrix *dxm;     /* (T*B, I) dL/d(x*mask), before the mask         */
  gsl_matrix *rmask;   /* (B, H) variational: the recurrent state's mask */
  gsl_matrix *rwork;   /* (B, H) scratch of grl_recurrent_*              */
  gsl_matrix *Hm;      /* (T*B, H) h_{t-1}*mask for dW_h                 */
  gsl_matrix *cachem;  /* (T*B, K*H) the cache times the mask, for dW_h  */
  gsl_matrix *omask;   /* (rows, H) the top layer's output mask (layer 0's
                        * struct holds it)                               */
  gsl_matrix *Om;      /* (T*B, H) the dropped-out output                */
  gsl_matrix *doutm;   /* (T*B, H) dL/doutput times the mask             */
};

static void drop_free(grl_seq *s);

int grl_seq_alloc(grl_seq **out, const grl_model *m, size_t T, size_t B)
{
  return grl_seq_alloc_flags(out, m, T, B, 0);
}

static int seq_alloc_one(grl_seq **out, const grl_model *m, size_t T,
                         size_t B, unsigned flags);

int grl_seq_alloc_flags(grl_seq **out, const grl_model *m, size_t T,
                        size_t B, unsigned flags)
{
  int st = seq_alloc_one(out, m, T, B, flags);
  if (st)
    return st;
  grl_seq *s = *out;
  s->L = m->layers ? m->layers : 1;
  for (size_t l = 1; l < s->L && !st; l++) {
    grl_model_layer(m, l, &s->off[l]);
    st = seq_alloc_one(&s->up[l], m->upper, T, B, flags);
  }
  for (size_t k = 0; k < 2 && k + 1 < s->L && !st; k++)
    if (!(s->dmid[k] = gsl_matrix_alloc(T * B, m->hidden_size)))
      st = grl_fail(GRL_ENOMEM, "sequence: out of memory for T=%zu, B=%zu, "
                    "H=%zu", T, B, m->hidden_size);
  if (st) {
    grl_seq_free(s);
    *out = NULL;
  }
  return st;
}

static int seq_alloc_one(grl_seq **out, const grl_model *m, size_t T,
                         size_t B, unsigned flags)
{
  *out = NULL;
  if (T == 0 || B == 0)
    return grl_fail(GRL_EINVAL, "sequence: T and B must be positive "
                    "(got T=%zu, B=%zu)", T, B);
  if (T > 10000000 / B)
    return grl_fail(GRL_EINVAL, "sequence: T*B = %zu*%zu is too large", T, B);
  if (flags & ~(unsigned)GRL_SEQ_PLAIN)
    return grl_fail(GRL_EINVAL, "sequence: unknown flags 0x%x", flags);
  const grl_cell *c = m->cell;
  size_t H = m->hidden_size, GH = c->G * H;
  grl_seq *s = calloc(1, sizeof *s);
  if (!s)
    return grl_fail(GRL_ENOMEM, "sequence: out of memory");
  s->m = m;
  s->T = T;
  s->B = B;
  s->L = 1;
  s->nblock = 1;
  if (!(flags & GRL_SEQ_PLAIN)) {
    int st = grl_fast_seq_alloc(&s->be, T, B, m->input_size, H, c->G);
    if (st) {
      free(s);
      return st;
    }
    if (s->be)
      s->nblock = grl_fast_seq_blocks(s->be);
  }
  int bad = 0;
#define ALLOC(field, rows, cols) \
  do { if (!(s->field = gsl_matrix_calloc((rows), (cols)))) bad = 1; } while (0)
  ALLOC(XP, T * B, GH);
  ALLOC(dXP, T * B, GH);
  if (c->own_dhp)
    ALLOC(dHP, T * B, GH);
  ALLOC(Hs, (T + 1) * B, H);
  ALLOC(dHs, T * B, H);
  ALLOC(dbsum, 2 * s->nblock, GH);
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
  if (c->scratch)
    ALLOC(scratch, B, c->scratch * H);
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
  drop_free(s);
  for (size_t l = 1; l < GRL_MAX_LAYERS; l++)
    grl_seq_free(s->up[l]);
  gsl_matrix *all[] = {s->XP, s->Hs, s->Cs, s->cache, s->dXP, s->dHP, s->dHs,
                       s->dCs, s->dh, s->dc, s->dh_prev, s->dc_prev,
                       s->scratch, s->dbsum, s->dmid[0], s->dmid[1]};
  for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
    if (all[i])
      gsl_matrix_free(all[i]);
  if (s->be)
    grl_fast_seq_free(s->be);
  free(s);
}

const grl_model *grl_seq_model(const grl_seq *s) { return s->m; }
size_t grl_seq_length(const grl_seq *s) { return s->T; }
size_t grl_seq_batch(const grl_seq *s) { return s->B; }
size_t grl_seq_layers(const grl_seq *s) { return s->L; }
const char *grl_seq_path(const grl_seq *s)
{
  return s->be ? grl_fast_seq_describe(s->be) : "plain";
}
const gsl_matrix *grl_seq_states(const grl_seq *s) { return s->Hs; }
const gsl_matrix *grl_seq_cell_states(const grl_seq *s) { return s->Cs; }
const gsl_matrix *grl_seq_cache(const grl_seq *s) { return s->cache; }
gsl_matrix *grl_seq_input_proj(grl_seq *s) { return s->XP; }
const gsl_matrix *grl_seq_dstates(const grl_seq *s) { return s->dHs; }
const gsl_matrix *grl_seq_dcell_states(const grl_seq *s) { return s->dCs; }
const gsl_matrix *grl_seq_dinput_proj(const grl_seq *s) { return s->dXP; }

/* Run rows(ctx, k, b0, b1) over the batch: one block of all B rows on the
 * plain path, the backend's blocks on its. */
static void run_rows(const grl_seq *s, grl_rows_fn *rows, void *ctx)
{
  if (s->be)
    grl_fast_seq_run(s->be, s->B, rows, ctx);
  else
    rows(ctx, 0, 0, s->B);
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

/* Point a step at time t, rows [b0, b1), of the sequence buffers: xp_t,
 * h_{t-1} -> h_t (and c_{t-1} -> c_t), cache_t, the same rows of scratch.
 * Only views; nothing is copied. */
typedef struct {
  gsl_matrix_view xp, h, h_prev, c, c_prev, cache, scratch;
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
  if (c->scratch) {
    v->scratch = rows(s->scratch, 0, B, b0, b1);   /* (b1-b0, W*H) */
    st->work = &v->scratch.matrix;
  }
}

/* The recurrence for rows [b0, b1): h_t = cell(xp_t, h_{t-1}[, c_{t-1}]). */
typedef struct {
  grl_seq *s;
  const grl_const_views *p;
} forward_ctx;

/* The block's own copy of p when the recurrent state has a mask: the
 * mask's and the scratch's rows [b0, b1) (views kept in *mv, *wv). */
static const grl_const_views *block_views(const grl_seq *s,
                                          const grl_const_views *p,
                                          grl_const_views *own,
                                          gsl_matrix_view *mv,
                                          gsl_matrix_view *wv, size_t b0,
                                          size_t b1)
{
  if (!s->rmask)
    return p;
  *own = *p;
  *mv = rows(s->rmask, 0, s->B, b0, b1);
  *wv = rows(s->rwork, 0, s->B, b0, b1);
  own->rmask = &mv->matrix;
  own->rwork = &wv->matrix;
  return own;
}

static void forward_rows(void *ctx, size_t k, size_t b0, size_t b1)
{
  const forward_ctx *f = ctx;
  (void)k;
  grl_const_views own;
  gsl_matrix_view mv, wv;
  const grl_const_views *p = block_views(f->s, f->p, &own, &mv, &wv, b0, b1);
  for (size_t t = 0; t < f->s->T; t++) {
    grl_step st;
    step_views v;
    step_at(&st, &v, f->s, t, b0, b1);
    f->s->m->cell->forward(&st, p);
  }
}

/* a (T*B, n) = b (T*B, n) * mask, the mask's row t*B+b, or b when it has
 * B rows (variational: the same at every step) */
static void apply_mask(gsl_matrix *a, const gsl_matrix *b,
                       const gsl_matrix *mask)
{
  /* a mask of H columns on a cache of K*H: the same mask on every block */
  const size_t R = b->size1, n = b->size2, MR = mask->size1,
               MN = mask->size2;
  for (size_t r = 0; r < R; r++) {
    const double *br = grl_crow(b, r), *mr = grl_crow(mask, r % MR);
    double *ar = grl_row(a, r);
    if (MN == n)
      for (size_t j = 0; j < n; j++)
        ar[j] = br[j] * mr[j];
    else
      for (size_t j = 0; j < n; j++)
        ar[j] = br[j] * mr[j % MN];
  }
}

/* Layer l's driver: s itself for l = 0. */
static grl_seq *layer(grl_seq *s, size_t l)
{
  return l ? s->up[l] : s;
}

/* One layer's forward: the loop of the top of this file. */
static int forward_one(grl_seq *s, const double *theta, const double *x,
                       const double *h0, const double *c0, size_t l);

int grl_seq_forward(grl_seq *s, const double *theta, const double *x,
                    const double *h0, const double *c0)
{
  if (!theta)
    theta = s->m->theta;
  const size_t BH = s->B * s->m->hidden_size;
  int st = forward_one(s, theta, x, h0, c0, 0);
  /* layer l reads layer l-1's output, rows [B, (T+1)B) of its Hs */
  for (size_t l = 1; l < s->L && !st; l++) {
    const grl_seq *below = layer(s, l - 1);
    st = forward_one(s->up[l], theta + s->off[l], below->Hs->data + BH,
                     h0 ? h0 + l * BH : NULL, c0 ? c0 + l * BH : NULL, l);
  }
  /* dropout on the top layer's output: what grl_seq_output gives */
  if (!st && s->omask) {
    const grl_seq *top = layer(s, s->L - 1);
    gsl_matrix_const_view out = gsl_matrix_const_submatrix(
      top->Hs, s->B, 0, s->T * s->B, s->m->hidden_size);
    apply_mask(s->Om, &out.matrix, s->omask);
  }
  return st;
}

static int forward_one(grl_seq *s, const double *theta, const double *x,
                       const double *h0, const double *c0, size_t l)
{
  const grl_model *m = s->m;
  const grl_cell *c = m->cell;
  size_t T = s->T, B = s->B, H = m->hidden_size, I = m->input_size;
  grl_const_views p;
  grl_model_bind_const(m, theta ? theta : m->theta, &p);
  p.backend = s->be;

  int blas = grl_blas_one_thread();   /* once for the whole pass (affine.c) */
  /* the backend lays W_ih and W_hh out once per pass: the block theta
   * holds may differ from the last pass's */
  if (s->be)
    grl_fast_seq_prepare_forward(s->be, &p.Wx.matrix, &p.Wh.matrix);
  /* XP = X Wx^T + bx: every input projection at once, before the loop.
   * x == NULL: the caller has filled s->XP (e.g. a one-hot input done as
   * a gather of Wx's columns, grl_text_*). */
  if (x) {
    gsl_matrix_const_view X = gsl_matrix_const_view_array(x, T * B, I); /* (T*B, I) */
    const gsl_matrix *Xp = &X.matrix;
    /* dropout on the input: XP = (X * mask) Wx^T + bx */
    if (s->imask) {
      apply_mask(s->xm, Xp, s->imask);
      Xp = s->xm;
    }
    grl_affine_forward_on(s->be, GRL_W_IH, 0, c->G * H, s->XP, 0.0,
                          Xp, &p.Wx.matrix, &p.bx.vector);
  }

  set_state(s->Hs, h0, B, H);
  if (c->has_c)
    set_state(s->Cs, c0, B, H);

  forward_ctx f = {s, &p};
  run_rows(s, forward_rows, &f);
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
                          "t=%zu, batch %zu, unit %zu%s%.0zu (check the "
                          "inputs and parameters)",
                          k ? "cell state c_t" : "hidden state h_t",
                          r / B - 1, r % B, j, l ? ", layer " : "", l);
  }
  return GRL_OK;
}

gsl_matrix_view grl_seq_output(grl_seq *s)
{
  if (s->Om)    /* the dropped-out output */
    return gsl_matrix_submatrix(s->Om, 0, 0, s->T * s->B, s->m->hidden_size);
  grl_seq *top = layer(s, s->L - 1);
  return gsl_matrix_submatrix(top->Hs, s->B, 0, s->T * s->B,
                              s->m->hidden_size);
}

gsl_matrix_view grl_seq_hT(grl_seq *s)
{
  return at(layer(s, s->L - 1)->Hs, s->T, s->B);
}

gsl_matrix_view grl_seq_cT(grl_seq *s)
{
  return at(layer(s, s->L - 1)->Cs, s->T, s->B);
}

void grl_seq_final_states(grl_seq *s, double *hT, double *cT)
{
  const size_t BH = s->B * s->m->hidden_size;
  for (size_t l = 0; l < s->L; l++) {
    grl_seq *y = layer(s, l);
    /* rows [T*B, (T+1)*B) of a (., H) matrix with tda == H: contiguous */
    if (hT)
      memcpy(hT + l * BH, y->Hs->data + s->T * BH, BH * sizeof *hT);
    if (cT && y->Cs)
      memcpy(cT + l * BH, y->Cs->data + s->T * BH, BH * sizeof *cT);
  }
}

/* BPTT's time loop for block k, rows [b0, b1), from dh = dL/dh_T (and
 * dc) already in rows [b0, b1) of s->dh (s->dc); sum_x: sum the dxp rows
 * too.  Sets cur to the buffer that holds dL/dh_0 at the end: s->dh (0)
 * or s->dh_prev (1), the same for every block. */
typedef struct {
  grl_seq *s;
  const grl_const_views *p;
  const double *dout;
  int sum_x, cur;
} backward_ctx;

static void backward_rows(void *ctx, size_t k, size_t b0, size_t b1)
{
  backward_ctx *bw = ctx;
  grl_seq *s = bw->s;
  grl_const_views own;
  gsl_matrix_view mv, wv;
  const grl_const_views *p = block_views(s, bw->p, &own, &mv, &wv, b0, b1);
  const grl_cell *c = s->m->cell;
  size_t B = s->B, H = s->m->hidden_size, R = b1 - b0;
  /* the block's sums of dxp and dhp over its rows and steps: db_x, db_h */
  gsl_vector_view sx = gsl_matrix_row(s->dbsum, 2 * k),
                  sh = gsl_matrix_row(s->dbsum, 2 * k + 1);
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
    if (bw->dout) {
      gsl_matrix_const_view g =
        gsl_matrix_const_view_array(bw->dout + (t * B + b0) * H, R, H);
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
    if (bw->sum_x)
      grl_affine_bias_grad_on(s->be, &sx.vector, &dxp.matrix);
    if (s->dHP)
      grl_affine_bias_grad_on(s->be, &sh.vector, &dhp.matrix);
    /* Step back in time: what flowed into h_{t-1} is next step's dh. */
    cur = 1 - cur;
  }
  if (k == 0)
    bw->cur = cur;
}

static int backward_one(grl_seq *s, const double *theta, const double *x,
                        const double *dout, const double *dhT,
                        const double *dcT, double *dtheta, double *dx,
                        double *dh0, double *dc0);

int grl_seq_backward(grl_seq *s, const double *theta, const double *x,
                     const double *dout, const double *dhT, const double *dcT,
                     double *dtheta, double *dx, double *dh0, double *dc0)
{
  if (!theta)
    theta = s->m->theta;
  /* dropout on the output: forward was out * mask */
  if (s->omask && dout) {
    gsl_matrix_const_view D = gsl_matrix_const_view_array(
      dout, s->T * s->B, s->m->hidden_size);
    apply_mask(s->doutm, &D.matrix, s->omask);
    dout = s->doutm->data;
  }
  if (s->L == 1)
    return backward_one(s, theta, x, dout, dhT, dcT, dtheta, dx, dh0, dc0);
  /* top down: layer l's dx is the dL/doutput of layer l-1 */
  const size_t BH = s->B * s->m->hidden_size;
  const double *d = dout;
  for (size_t l = s->L - 1; l >= 1; l--) {
    gsl_matrix *dmid = s->dmid[(s->L - 1 - l) % 2];
    gsl_matrix_set_zero(dmid);
    const grl_seq *below = layer(s, l - 1);
    int st = backward_one(s->up[l], theta + s->off[l], below->Hs->data + BH,
                          d, dhT ? dhT + l * BH : NULL,
                          dcT ? dcT + l * BH : NULL, dtheta + s->off[l],
                          dmid->data, dh0 ? dh0 + l * BH : NULL,
                          dc0 ? dc0 + l * BH : NULL);
    if (st)
      return st;
    d = dmid->data;
  }
  return backward_one(s, theta, x, d, dhT, dcT, dtheta, dx, dh0, dc0);
}

static int backward_one(grl_seq *s, const double *theta, const double *x,
                        const double *dout, const double *dhT,
                        const double *dcT, double *dtheta, double *dx,
                        double *dh0, double *dc0)
{
  const grl_model *m = s->m;
  const grl_cell *c = m->cell;
  size_t T = s->T, B = s->B, H = m->hidden_size, I = m->input_size;
  grl_const_views p;
  grl_views dp;
  grl_model_bind_const(m, theta ? theta : m->theta, &p);
  grl_model_bind(m, dtheta, &dp);
  p.backend = s->be;

  set_state(s->dh, dhT, B, H);
  if (c->has_c)
    set_state(s->dc, dcT, B, H);
  /* the backend lays W_hh out for each step's dL/dh_{t-1}, once per pass */
  if (s->be)
    grl_fast_seq_prepare_backward(s->be, &p.Wh.matrix);

  /* the dxp sums make db_x when the driver made XP (x), and db_h when
   * dHP is dXP itself */
  backward_ctx bw = {.s = s, .p = &p, .dout = dout,
                     .sum_x = x || (!s->dHP && dp.has_bh)};
  int blas = grl_blas_one_thread();
  run_rows(s, backward_rows, &bw);
  /* (B, H), tda == H: dL/dh_0, dL/dc_0 */
  if (dh0)
    memcpy(dh0, (bw.cur ? s->dh_prev : s->dh)->data, B * H * sizeof *dh0);
  if (dc0 && c->has_c)
    memcpy(dc0, (bw.cur ? s->dc_prev : s->dc)->data, B * H * sizeof *dc0);

  /* db_h += 1^T dHP and db_x += 1^T dXP, block after block (dHP is dXP
   * for a cell without own_dhp) */
  for (size_t k = 0; k < s->nblock; k++) {
    gsl_vector_view sx = gsl_matrix_row(s->dbsum, 2 * k),
                    sh = gsl_matrix_row(s->dbsum, 2 * k + (s->dHP ? 1 : 0));
    if (dp.has_bh)
      gsl_vector_add(&dp.bh.vector, &sh.vector);
    if (x)
      gsl_vector_add(&dp.bx.vector, &sx.vector);
  }

  /* The recurrent side of every step at once.  Forward was, at each t,
   * a = h_{t-1} W_h^T + b_h (the cell may read another input, e.g.
   * gru-cho's r*h), so its gradients are one product over all T*B rows. */
  gsl_matrix_view Hprev = gsl_matrix_submatrix(s->Hs, 0, 0, T * B, H);
  const gsl_matrix *Hp = &Hprev.matrix, *cache = s->cache;
  if (s->rmask) {
    /* variational dropout: the products read h_{t-1}*mask, and a gated
     * state g*h_prev of the cache times the mask too (backward_weights
     * reads the cache for nothing else: every block may be masked) */
    apply_mask(s->Hm, Hp, s->rmask);
    Hp = s->Hm;
    if (cache) {
      apply_mask(s->cachem, cache, s->rmask);
      cache = s->cachem;
    }
  }
  c->backward_weights(&dp, s->dHP ? s->dHP : s->dXP, Hp, cache);

  /* The input side of every step at once.  Forward was XP = X Wx^T + bx, so
   *   dWx += dXP^T X,   dX += dXP Wx   (dbx += 1^T dXP: above).
   * x == NULL: the caller filled XP, so the caller reads s->dXP. */
  if (x) {
    gsl_matrix_const_view X = gsl_matrix_const_view_array(x, T * B, I);
    /* forward read X * mask, which xm still holds */
    const gsl_matrix *Xp = s->imask ? s->xm : &X.matrix;
    grl_affine_backward(s->dXP, Xp, NULL, &dp.Wx.matrix, NULL, NULL, 0.0);
    if (dx && s->imask) {
      /* dX += (dXP Wx) * mask */
      gsl_matrix_set_zero(s->dxm);
      grl_affine_dx_on(s->be, GRL_W_ANY, 0, 0, s->dxm, 1.0, s->dXP,
                       &p.Wx.matrix);
      gsl_matrix_view dX = gsl_matrix_view_array(dx, T * B, I);
      apply_mask(s->dxm, s->dxm, s->imask);
      gsl_matrix_add(&dX.matrix, s->dxm);
    } else if (dx) {
      gsl_matrix_view dX = gsl_matrix_view_array(dx, T * B, I);
      grl_affine_dx_on(s->be, GRL_W_ANY, 0, 0, &dX.matrix, 1.0, s->dXP,
                       &p.Wx.matrix);
    }
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

/* forward was a[0:k] = h_prev W_h[0:k]^T + ..., a[k:G] = (g*h_prev)
 * W_h[k:G]^T + ... at every step, g*h_prev in cache block kc, so
 *   dW_h[0:k] += dA[0:k]^T Hprev,  dW_h[k:G] += dA[k:G]^T GH */
void grl_backward_weights_reset(grl_views *dp, const gsl_matrix *dA,
                                const gsl_matrix *Hprev,
                                const gsl_matrix *cache, size_t k, size_t kc)
{
  const size_t H = Hprev->size2, N = dA->size1, G = dA->size2 / H;
  gsl_matrix *dW = &dp->Wh.matrix;
  gsl_matrix_view dW0 = gsl_matrix_submatrix(dW, 0, 0, k * H, H),
                  dW1 = gsl_matrix_submatrix(dW, k * H, 0, (G - k) * H, H);
  gsl_matrix_const_view dA0 = gsl_matrix_const_submatrix(dA, 0, 0, N, k * H),
    dA1 = gsl_matrix_const_submatrix(dA, 0, k * H, N, (G - k) * H),
    GHs = gsl_matrix_const_submatrix(cache, 0, kc * H, N, H);
  grl_affine_backward(&dA0.matrix, Hprev, NULL, &dW0.matrix, NULL, NULL, 0.0);
  grl_affine_backward(&dA1.matrix, &GHs.matrix, NULL, &dW1.matrix, NULL, NULL,
                      0.0);
}

double grl_seq_flops(const grl_model *m, size_t T, size_t B)
{
  double G = (double)m->cell->G, H = (double)m->hidden_size,
         I = (double)m->input_size;
  double L = (double)(m->layers ? m->layers : 1);
  /* layer 0 reads I inputs, every layer above reads H */
  return 6.0 * (double)T * (double)B * G * H * (I + H + (L - 1) * 2.0 * H);
}

/* ---- dropout ------------------------------------------------------------ */

const char *grl_dropout_kind_name(grl_dropout_kind k)
{
  return k == GRL_DROPOUT_VARIATIONAL ? "variational" : "standard";
}

int grl_dropout_kind_lookup(const char *name)
{
  if (strcmp(name, "standard") == 0)
    return GRL_DROPOUT_STANDARD;
  if (strcmp(name, "variational") == 0)
    return GRL_DROPOUT_VARIATIONAL;
  return -1;
}

static void drop_free_one(grl_seq *s)
{
  gsl_matrix **all[] = {&s->imask, &s->xm, &s->dxm, &s->rmask, &s->rwork,
                        &s->Hm, &s->cachem, &s->omask, &s->Om, &s->doutm};
  for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
    if (*all[i])
      gsl_matrix_free(*all[i]);
    *all[i] = NULL;
  }
  s->drop_p = 0.0;
}

static void drop_free(grl_seq *s)
{
  for (size_t l = 0; l < s->L; l++)
    if (layer(s, l))
      drop_free_one(layer(s, l));
}

/* (rows, cols) of ones */
static gsl_matrix *ones(size_t rows, size_t cols, int *bad)
{
  gsl_matrix *a = gsl_matrix_alloc(rows, cols);
  if (a)
    gsl_matrix_set_all(a, 1.0);
  else
    *bad = 1;
  return a;
}

static gsl_matrix *zeros(size_t rows, size_t cols, int *bad)
{
  gsl_matrix *a = gsl_matrix_calloc(rows, cols);
  if (!a)
    *bad = 1;
  return a;
}

int grl_seq_set_dropout(grl_seq *s, double p, grl_dropout_kind kind)
{
  if (!(p >= 0.0 && p < 1.0))
    return grl_fail(GRL_EINVAL, "dropout: p must be in [0, 1), got %g", p);
  if (kind != GRL_DROPOUT_STANDARD && kind != GRL_DROPOUT_VARIATIONAL)
    return grl_fail(GRL_EINVAL, "dropout: unknown kind %d", (int)kind);
  drop_free(s);
  if (p == 0.0)
    return GRL_OK;
  const int var = kind == GRL_DROPOUT_VARIATIONAL;
  const size_t T = s->T, B = s->B, TB = T * B, rows = var ? B : TB,
               H = s->m->hidden_size;
  int bad = 0;
  for (size_t l = 0; l < s->L; l++) {
    grl_seq *y = layer(s, l);
    const size_t I = y->m->input_size, K = y->m->cell->K;
    y->drop_p = p;
    y->drop_kind = kind;
    y->imask = ones(rows, I, &bad);
    y->xm = zeros(TB, I, &bad);
    y->dxm = zeros(TB, I, &bad);
    if (var) {
      y->rmask = ones(B, H, &bad);
      y->rwork = zeros(B, H, &bad);
      y->Hm = zeros(TB, H, &bad);
      if (K)
        y->cachem = zeros(TB, K * H, &bad);
    }
  }
  s->omask = ones(rows, H, &bad);
  s->Om = zeros(TB, H, &bad);
  s->doutm = zeros(TB, H, &bad);
  if (bad) {
    drop_free(s);
    return grl_fail(GRL_ENOMEM, "dropout: out of memory for T=%zu, B=%zu, "
                    "H=%zu", T, B, H);
  }
  return GRL_OK;
}

/* Inverted dropout: 0 with probability p, else 1/(1-p). */
static void draw(gsl_matrix *a, double p, gsl_rng *r)
{
  const double keep = 1.0 / (1.0 - p);
  for (size_t i = 0; i < a->size1; i++) {
    double *ar = grl_row(a, i);
    for (size_t j = 0; j < a->size2; j++)
      ar[j] = gsl_rng_uniform(r) < p ? 0.0 : keep;
  }
}

void grl_seq_draw_masks(grl_seq *s, gsl_rng *r)
{
  if (!s->omask)
    return;
  for (size_t l = 0; l < s->L; l++) {
    grl_seq *y = layer(s, l);
    draw(y->imask, y->drop_p, r);
    if (y->rmask)
      draw(y->rmask, y->drop_p, r);
  }
  draw(s->omask, s->drop_p, r);
}

gsl_matrix *grl_seq_mask(const grl_seq *s, int which, size_t l)
{
  if (which == GRL_MASK_OUTPUT)
    return s->omask;
  if (l >= s->L)
    return NULL;
  const grl_seq *y = l ? s->up[l] : s;   /* the masks are the caller's to write */
  return which == GRL_MASK_INPUT ? y->imask
       : which == GRL_MASK_RECURRENT ? y->rmask : NULL;
}
