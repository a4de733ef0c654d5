/* grulab.h -- the public interface of libgrulab.
 *
 * libgrulab is the "finished" code that grulab's chapters explain: a tensor
 * text format, activations, six recurrent cells, one sequence driver with
 * full backpropagation through time (BPTT), losses and readouts,
 * optimisers, gradient checks, tasks and a chart writer.
 *
 * Manners (after GSL):
 *  - names are module_verb: grl_tensorfile_read, grl_seq_forward, ...
 *  - allocation comes in _alloc/_free pairs; workspaces are allocated once,
 *    outside any time loop;
 *  - functions return an int status (GRL_OK = 0) and write results through
 *    pointers.  On failure the status is non-zero and grl_strerror() holds a
 *    one-line message that names the file, line, tensor or flag.  The library
 *    never prints, exits or aborts on bad input.
 *
 * Layout conventions:
 *  - matrices are row-major (gsl_matrix); a sequence tensor (T, B, n) is
 *    stored as a (T*B, n) matrix whose row t*B+b is time t, batch item b;
 *  - gate blocks are stacked along rows: a (G*H, n) weight holds gate g in
 *    rows [g*H, (g+1)*H), in PyTorch's order (gru: r, z, n; lstm: i, f, g, o);
 *  - gradients take a d prefix and backward passes ACCUMULATE (+=) into
 *    parameter gradients, so zeroing them is an explicit step.
 */
#ifndef GRULAB_H
#define GRULAB_H

#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_vector.h>
#include <gsl/gsl_rng.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------ */
/* Errors (error.c)                                                    */
/* ------------------------------------------------------------------ */

enum grl_status {
  GRL_OK = 0,
  GRL_EINVAL,      /* bad argument, flag or shape          */
  GRL_EIO,         /* a file could not be read or written   */
  GRL_EFORMAT,     /* malformed tensor file                 */
  GRL_ENOMEM,      /* allocation failed                     */
  GRL_ENONFINITE,  /* a NaN or Inf appeared                 */
  GRL_EFAIL,       /* a check did not pass (gradcheck)      */
  GRL_EINTR        /* stopped because the caller asked      */
};

/* Record a one-line message for this thread and return status. */
int grl_fail(int status, const char *fmt, ...)
  __attribute__((format(printf, 2, 3)));
/* The last message recorded in this thread ("" if none). */
const char *grl_strerror(void);

/* Strict numbers (parse.c): the whole string, digits first for an
 * unsigned integer (" -1" and "+7" are refused); a double in the one
 * grammar the command line and the tensor reader share, decimal
 * [+-] (D+ [. D*] | . D+) [(e|E) [+-] D+], rounded as strtod rounds it (an
 * underflow such as 1e-400 is 0), with overflow, NaN, Inf, hexadecimal
 * and blanks refused.  GRL_OK, or GRL_EINVAL with no message recorded. */
int grl_parse_ulong(const char *s, unsigned long *v);
int grl_parse_double(const char *s, double *v);

/* ------------------------------------------------------------------ */
/* Activations (activation.c)                                          */
/* ------------------------------------------------------------------ */

/* sigma(x) = 1/(1+e^{-x}), evaluated without overflow for any finite x. */
double grl_sigmoid(double x);
/* tanh(x), saturating cleanly to +-1. */
double grl_tanh(double x);
/* The same over arrays, y[i] = f(x[i]) for i < n (y may be x): the cells'
 * gate loops.  sigma keeps the stable form above lane by lane, so no
 * finite x overflows; both are vectorised with SLEEF when the build has
 * it and the CPU has AVX2 or AVX-512 (sigma on SLEEF's exp, within 2 ULP
 * of the scalar form; tanh on its expm1, within 3 ULP), else they loop
 * over the scalar functions.  grl_vmath_name(): "sleef-avx512", "sleef-avx2" or
 * "libm", the kernel this process uses. */
void grl_sigmoid_n(double *y, const double *x, size_t n);
void grl_tanh_n(double *y, const double *x, size_t n);
const char *grl_vmath_name(void);
/* Derivatives from the cached OUTPUTS: sigma' = s(1-s), tanh' = 1-t^2. */
static inline double grl_dsigmoid(double s) { return s * (1.0 - s); }
static inline double grl_dtanh(double t) { return 1.0 - t * t; }

/* ------------------------------------------------------------------ */
/* Named-tensor text format (tensor.c)                                 */
/*   # comment lines and blank lines are ignored                       */
/*   NAME D1 [D2 [D3]]      header, NAME = [A-Za-z_][A-Za-z0-9_]*       */
/*   D1*D2*D3 numbers, row-major, separated by any whitespace          */
/* ------------------------------------------------------------------ */

#define GRL_NAME_MAX 64

typedef struct {
  char name[GRL_NAME_MAX];
  int ndim;          /* 1..3 */
  size_t dims[3];    /* unused dims are 1 */
  size_t size;       /* dims[0]*dims[1]*dims[2] */
  long line;         /* line of the header in its file */
  double *data;      /* (size) row-major */
} grl_tensor;

typedef struct {
  char *path;        /* as given to grl_tensorfile_read */
  size_t n;
  grl_tensor *t;     /* (n) in file order */
  /* The model record: the text after "# grulab-model" on a comment line
   * of its own ("version=1 cell=gru ..."), or NULL when the file has none.
   * Any other comment is ignored; a second record is an error. */
  char *record;
  long record_line;
} grl_tensorfile;

/* Read a whole file.  On error *out is NULL and the message is
 * "FILE:LINE: what is wrong". */
int grl_tensorfile_read(grl_tensorfile **out, const char *path);
void grl_tensorfile_free(grl_tensorfile *tf);
/* NULL if absent (no error recorded). */
const grl_tensor *grl_tensorfile_find(const grl_tensorfile *tf,
                                      const char *name);
/* Shape-checked lookup: the tensor must exist with exactly ndim/dims.
 * Errors: "FILE: no tensor 'NAME'" and
 *         "FILE:LINE: tensor 'NAME' has shape 3x4, expected 3x5". */
int grl_tensorfile_get(const grl_tensorfile *tf, const char *name, int ndim,
                       const size_t *dims, const double **data);
/* "3x4": ndim dimensions as grulab writes a shape everywhere (messages,
 * reports, lessons), into buf; returns buf. */
const char *grl_shape_format(char *buf, size_t len, int ndim,
                             const size_t *dims);

/* Write one tensor: its header, then one row of the last dimension per
 * line, each number printed with %.17g so that it round-trips exactly. */
int grl_tensor_write(FILE *f, const char *name, int ndim, const size_t *dims,
                     const double *data);
int grl_tensor_write_matrix(FILE *f, const char *name, const gsl_matrix *m);
int grl_tensor_write_vector(FILE *f, const char *name, const gsl_vector *v);

/* ------------------------------------------------------------------ */
/* Whole-or-nothing output files (outfile.c)                           */
/* Write to a temporary file beside PATH; commit renames it into place,*/
/* abort removes it.  A reader never sees a half-written file.         */
/* ------------------------------------------------------------------ */

typedef struct grl_outfile grl_outfile;
int grl_outfile_open(grl_outfile **o, FILE **fp, const char *path);
int grl_outfile_commit(grl_outfile *o);   /* frees o */
void grl_outfile_abort(grl_outfile *o);   /* frees o; NULL is fine */
/* The temporary file's name, or NULL when PATH is written directly (a
 * device, a FIFO); valid until commit or abort.  A program whose signal
 * handler unlink()s it copies the name first. */
const char *grl_outfile_tmpname(const grl_outfile *o);

/* ------------------------------------------------------------------ */
/* The affine map of a batch of rows and its mirror (affine.c)        */
/*   y (B, n), x (B, m), W (n, m), b (n) or NULL                      */
/* ------------------------------------------------------------------ */

/* y = beta*y + x W^T + 1 b^T: one dgemm over the batch. */
void grl_affine_forward(gsl_matrix *y, double beta, const gsl_matrix *x,
                        const gsl_matrix *W, const gsl_vector *b);
/* The fast backend's kernels for the products it takes ("libxsmm 1.17"),
 * or NULL: every product runs on the CBLAS. */
const char *grl_products_name(void);
/* The kernel family the CBLAS runs when it is OpenBLAS ("Zen",
 * "SkylakeX"; OPENBLAS_CORETYPE chooses it when the process starts), or
 * NULL for another CBLAS. */
const char *grl_blas_kernels(void);
/* Every product of the library runs on one BLAS thread (the same bytes at
 * any thread count).  A program whose own threads share the work calls
 * this once, first: OpenBLAS on one thread for the whole process. */
void grl_blas_set_one_thread(void);
/* db += 1^T dy alone, row after row. */
void grl_affine_bias_grad(gsl_vector *db, const gsl_matrix *dy);
/* dW += dy^T x (dW may be NULL, then x is not read),  db += 1^T dy (db
 * may be NULL),  dx = beta_x*dx + dy W (dx may be NULL). */
void grl_affine_backward(const gsl_matrix *dy, const gsl_matrix *x,
                         const gsl_matrix *W, gsl_matrix *dW, gsl_vector *db,
                         gsl_matrix *dx, double beta_x);

/* ------------------------------------------------------------------ */
/* Models: a cell's parameters in one contiguous block (model.c)      */
/* ------------------------------------------------------------------ */

typedef struct grl_cell grl_cell;

/* Stacked layers (grl_model_alloc_layers): at most GRL_MAX_LAYERS, each
 * with the cell's tensors (at most 8: the seed cell's), then the readout. */
#define GRL_MAX_LAYERS 8
#define GRL_MAX_PARAMS (8 * GRL_MAX_LAYERS + 2)

/* Where one named view sits in a block: its first element, its shape and
 * its row stride (tda == cols unless the view is a column slice). */
typedef struct {
  size_t offset, rows, cols, tda;
} grl_slot;

/* One named tensor inside the parameter block. */
typedef struct {
  const char *name;  /* PyTorch state_dict name, e.g. "weight_ih_l0" */
  int ndim;          /* 1 or 2 */
  size_t rows, cols; /* cols == 1 when ndim == 1 */
  size_t offset;     /* index of its first element in the block */
} grl_param;

typedef struct grl_model grl_model;
struct grl_model {
  const grl_cell *cell;
  size_t input_size;   /* I */
  size_t hidden_size;  /* H */
  size_t output_size;  /* O, readout outputs (0: no readout) */
  size_t n;          /* total parameter count, readout included */
  size_t ncell;      /* parameters of the cell alone: theta[0, ncell) */
  size_t nparam;     /* named tensors, readout included */
  grl_param param[GRL_MAX_PARAMS];
  /* The named views of grl_model_bind: Wx (G*H, I), Wh (G*H, H), bx, bh
   * (G*H) set by the cell's layout (has_bh == 0: no recurrent bias);
   * Wo (O, H), bo (O) by grl_model_alloc when O > 0. */
  struct { grl_slot Wx, Wh, bx, bh, Wo, bo; int has_bh; } view;
  double *theta;     /* (n) the parameter block itself */
  /* Stacked layers, PyTorch's nn.GRU(num_layers=L): layer l's h sequence
   * is layer l+1's input.  Layer 0 is the cell of input size I, laid out
   * and bound as above (view); layer l >= 1 is a cell of input size H
   * whose tensors sit at theta + layer_offset[l], laid out like upper's
   * block, under the names with _l0 made _l<l> (the seed cell's names,
   * which have no _l0, get _l<l> appended).  ncell counts every layer's
   * parameters; the readout reads the top layer's h. */
  size_t layers;                         /* L >= 1                       */
  size_t layer_offset[GRL_MAX_LAYERS];   /* layer l's first entry        */
  grl_model *upper;  /* the cell at I = H (one layer, no readout): the
                        layout of every layer l >= 1; NULL when L == 1 */
  char pname[GRL_MAX_PARAMS][GRL_NAME_MAX]; /* names of layers >= 1      */
};

/* Named BLAS views into a parameter block laid out like a model's.  The
 * same binding works for theta, for a gradient block dtheta, or for a
 * perturbed copy, so optimisers and gradient checks see one flat array
 * while every tensor keeps its name.  grl_views writes (gradients,
 * initialisations); grl_const_views only reads (the parameters of a
 * forward or backward pass). */
typedef struct {
  gsl_matrix_view Wx;  /* (G*H, I) input weights, gate blocks stacked  */
  gsl_matrix_view Wh;  /* (G*H, H) recurrent weights                   */
  gsl_vector_view bx;  /* (G*H) input-side bias                        */
  gsl_vector_view bh;  /* (G*H) recurrent bias; has_bh == 0: unused    */
  int has_bh;
  gsl_matrix_view Wo;  /* (O, H) readout weight, if O > 0              */
  gsl_vector_view bo;  /* (O) readout bias                             */
} grl_views;

/* GSL's const views are const-qualified types; the struct holds the
 * unqualified type that gsl_matrix_const_view_array() returns, so that a
 * binding can fill it.  Through a const grl_const_views * every matrix
 * is a const gsl_matrix *. */
typedef struct {
  _gsl_matrix_const_view Wx;  /* (G*H, I) */
  _gsl_matrix_const_view Wh;  /* (G*H, H) */
  _gsl_vector_const_view bx;  /* (G*H)    */
  _gsl_vector_const_view bh;  /* (G*H); has_bh == 0: unused */
  int has_bh;
  _gsl_matrix_const_view Wo;  /* (O, H)   */
  _gsl_vector_const_view bo;  /* (O)      */
  /* Which code runs the steps' recurrent products: the build's fast
   * backend as grl_model_bind_const sets it, the driver's own for a pass,
   * NULL for the plain CBLAS path.  Opaque; a cell never reads it, it
   * hands p to grl_recurrent_forward and grl_recurrent_backward. */
  const struct grl_backend *backend;
  /* Variational dropout on the recurrent state (grl_seq_set_dropout):
   * the driver's mask for the step's rows (R, H), and scratch of the same
   * shape; NULL: none.  A cell never reads them either. */
  const gsl_matrix *rmask;
  gsl_matrix *rwork;
} grl_const_views;

/* Look a cell up by its command-line name ("gru", "gru-cho", ...: every
 * cell of grl_cells.h).  NULL if unknown (no error recorded). */
const grl_cell *grl_cell_lookup(const char *name);
/* NULL-terminated list of all cells, in teaching order. */
const grl_cell *const *grl_cell_all(void);
const char *grl_cell_name(const grl_cell *c);

/* The largest input, hidden or output size a model may have; the
 * command line refuses bigger sizes as a usage error. */
#define GRL_SIZE_MAX 100000
int grl_model_alloc(grl_model **m, const grl_cell *cell, size_t input_size,
                    size_t hidden_size, size_t output_size);
/* The same with L stacked layers, 1 <= L <= GRL_MAX_LAYERS
 * (grl_model_alloc is L = 1). */
int grl_model_alloc_layers(grl_model **m, const grl_cell *cell,
                           size_t input_size, size_t hidden_size,
                           size_t output_size, size_t layers);
/* Layer l's own model (m itself for l = 0, m->upper above) and, in
 * *offset, where its block starts in a block laid out like m->theta. */
const grl_model *grl_model_layer(const grl_model *m, size_t l,
                                 size_t *offset);
void grl_model_free(grl_model *m);
const grl_param *grl_model_param(const grl_model *m, const char *name);
/* The tensor NAME inside BLOCK, a block laid out like m->theta (theta
 * itself, a gradient dtheta, a perturbed copy): its first entry, the
 * tensor row-major (rows, cols) from there.  NULL if m has no NAME. */
double *grl_model_tensor(const grl_model *m, double *block, const char *name);
void grl_model_bind(const grl_model *m, double *block, grl_views *v);
void grl_model_bind_const(const grl_model *m, const double *block,
                          grl_const_views *v);
/* PyTorch's default: every entry ~ U(-1/sqrt(H), 1/sqrt(H)), drawn in
 * block order from r. */
void grl_model_init_uniform(grl_model *m, gsl_rng *r);
/* Read every tensor of the model from tf, by name, shapes checked.
 * A file for another cell fails naming the first missing tensor. */
int grl_model_read(grl_model *m, const grl_tensorfile *tf);
/* Read a parameter file for cell into a new model sized by the file:
 * I and H from weight_ih_l0 and weight_hh_l0 (the seed cell: weight_f,
 * (H, H+I)), the layers L from weight_hh_l1, weight_hh_l2, ... (seed:
 * weight_f_l1, ...); with readout != 0, also readout_weight (O, H) and
 * readout_bias if the file has them.  A file for another cell fails
 * naming the tensor that gives it away. */
int grl_model_load(grl_model **m, const grl_cell *cell, const char *path,
                   int readout);

/* A model file says what it is: a record on its own comment line before
 * the tensors,
 *   # grulab-model version=1 cell=gru input_size=3 hidden_size=6
 *     num_layers=1 readout=linear output_size=65 vocabulary=65
 * (one line): the cell, the sizes and layer count, the readout ("linear":
 * readout_weight (O, H) and readout_bias (O); "none": output_size=0) and
 * a text model's vocabulary size V (the tensor 'vocabulary', else 0).
 * Readers that predate it skip it as a comment. */
#define GRL_MODEL_FORMAT 1
typedef struct {
  int version;          /* the record's format version; 0: no record */
  const grl_cell *cell; /* the cell the file was read as */
  size_t layers;        /* layer count: the record's, or without one the
                           _l1, _l2, ... tensors' (the model's layers) */
  size_t vocabulary;    /* V, the record's or the 'vocabulary' tensor's; 0 */
  char note[512];       /* "" or what was assumed, for the caller to show:
                         * a file without a record names no cell */
} grl_model_info;
enum {
  GRL_LOAD_READOUT = 1,  /* read the readout if the file has one */
  GRL_LOAD_SHARED = 2    /* the file holds data the caller reads too:
                          * tensors the model does not use are no error */
};
/* grl_model_load, checking the record.  cell may be NULL: the record's
 * cell, or gru (the default) for a file without a record.  Every field
 * of the record must agree with the caller's cell and with the tensors;
 * a disagreement is one error naming both sides ("FILE:LINE: the record
 * says cell=gru, but cell gru-cho was asked for").  A record of a later
 * version, a tensor the model does not use (weight_ih_l1 in a file
 * whose record says num_layers=1, a misspelt name) are errors too, the
 * second unless GRL_LOAD_SHARED.  The layers L are the record's
 * num_layers, or without a record as many as the file has weight_hh_l0,
 * weight_hh_l1, ... (seed: weight_f, weight_f_l1, ...).  A file without a record is read as before, with
 * info->note saying which cell was assumed.  info may be NULL. */
int grl_model_open(grl_model **m, const grl_cell *cell, const char *path,
                   int flags, grl_model_info *info);
/* Write the record of m (vocabulary: V of a text model, or 0), then
 * write the tensors with grl_model_write (and a text model's
 * vocabulary with grl_vocab_write). */
int grl_model_write_record(FILE *f, const grl_model *m, size_t vocabulary);
/* Write every tensor of the block (theta, or a gradient) by name. */
int grl_model_write(FILE *f, const grl_model *m, const double *block);

/* ------------------------------------------------------------------ */
/* Cells (cell_*.c).  A cell supplies only its single-step forward and */
/* backward; the sequence driver owns the time loop.                   */
/* ------------------------------------------------------------------ */

/* One step of a cell for a batch of B rows: outputs first, then inputs.
 * The driver points every field at row block t of its sequence buffers. */
typedef struct {
  gsl_matrix *h;             /* (B, H)    h_t, written                      */
  gsl_matrix *c;             /* (B, H)    c_t, written (LSTM), else NULL    */
  gsl_matrix *cache;         /* (B, K*H)  what backward needs, written;
                              *           gate k in columns [k*H, (k+1)*H)  */
  const gsl_matrix *xp;      /* (B, G*H)  x_t Wx^T + bx, hoisted out of the
                              *           time loop                         */
  const gsl_matrix *h_prev;  /* (B, H)    h_{t-1}                           */
  const gsl_matrix *c_prev;  /* (B, H)    c_{t-1} (LSTM), else NULL         */
  gsl_matrix *work;          /* (B, scratch*H) the cell's scratch, or NULL  */
} grl_step;

/* The gradient of one step, the mirror of grl_step: what backward writes
 * first, then what it reads.  A step makes no parameter gradient: it
 * leaves dL/da for the recurrent pre-activation a = (h_prev) W_h^T + b_h
 * in dhp, and the driver turns every step's dhp into dW_h with one
 * level-3 call after the time loop (the cell's backward_weights); it sums
 * db_h and db_x step by step, while the rows are still in cache. */
typedef struct {
  gsl_matrix *dxp;           /* (B, G*H)  dL/dxp_t, OVERWRITTEN; the driver
                              *           turns all steps' dxp into dWx and
                              *           dx with level-3 calls (and sums
                              *           dbx step by step)                 */
  gsl_matrix *dhp;           /* (B, G*H)  dL/d(recurrent pre-activation),
                              *           OVERWRITTEN; the same matrix as
                              *           dxp unless the cell has own_dhp    */
  gsl_matrix *dh_prev;       /* (B, H)    dL/dh_{t-1}, OVERWRITTEN          */
  gsl_matrix *dc_prev;       /* (B, H)    dL/dc_{t-1}, OVERWRITTEN, or NULL */
  const gsl_matrix *dh;      /* (B, H)    dL/dh_t (total: output + future)  */
  const gsl_matrix *dc;      /* (B, H)    dL/dc_t (LSTM), else NULL         */
} grl_step_grad;

/* A step reaches its recurrent weight W_h (G*H, H) through these two
 * calls, a block of gates at a time: gate blocks [k0, k1), rows
 * [k0*H, k1*H) of W_h.  Under variational dropout (p->rmask) the product
 * reads the dropped-out state m*h instead of h, and backward gives
 * m*(da W_h[k0:k1]): the mask sits on the recurrent connection alone, so
 * a cell's elementwise paths (z*h_prev, f*c_prev) keep the whole state.  How the product runs (the CBLAS, or the fast
 * backend on a copy of W_h laid out for its kernels) is not the cell's
 * business.
 *   forward:  y (B, (k1-k0)*H) = beta*y + h W_h[k0:k1]^T + 1 b^T,
 *             h (B, H), b ((k1-k0)*H) or NULL;
 *   backward: dh (B, H) = beta*dh + da W_h[k0:k1], da (B, (k1-k0)*H):
 *             dL/dh_{t-1} through those gates.  The weights' gradient
 *             dW_h += da^T h is the driver's, after the time loop. */
void grl_recurrent_forward(gsl_matrix *y, double beta, const gsl_matrix *h,
                           const grl_const_views *p, size_t k0, size_t k1,
                           const gsl_vector *b);
void grl_recurrent_backward(gsl_matrix *dh, double beta, const gsl_matrix *da,
                            const grl_const_views *p, size_t k0, size_t k1);

struct grl_cell {
  const char *name;        /* "gru" */
  const char *title;       /* one line for --help and chart titles */
  size_t G;                /* gate blocks stacked in Wx and Wh */
  int has_c;               /* carries a cell state c (LSTM) */
  size_t K;                /* cache columns per row, in units of H */
  size_t scratch;          /* scratch columns per row (grl_step.work), in
                            * units of H */
  size_t ngate;            /* gates shown in charts; gate k is cache    */
  const char *const *gate_names; /* columns [k*H, (k+1)*H)              */
  /* The gate that keeps the old state, for grl_init_keep_gate_bias: gate
   * block keep_gate (of the biases, and of the cache), whose sigma is the
   * fraction of h (or c) kept (keep_sign +1: gru's z, lstm's f) or the
   * fraction written (-1: mgu's f); keep_sign 0: none (rnn). */
  int keep_gate, keep_sign;

  /* Fill m->param[0..), m->ncell and m->view for the cell's own tensors. */
  void (*layout)(grl_model *m);

  /* One step: s->h, s->c and s->cache from s->xp, s->h_prev, s->c_prev. */
  void (*forward)(grl_step *s, const grl_const_views *p);
  /* The mirror of forward, after it, with the same step s (read only,
   * except its work scratch): d->dxp, d->dhp, d->dh_prev, d->dc_prev from
   * d->dh, d->dc. */
  void (*backward)(grl_step_grad *d, const grl_step *s,
                   const grl_const_views *p);
  /* own_dhp: the recurrent pre-activation's gradient differs from dxp
   * (gru: r multiplies the n block's recurrent product), so the driver
   * keeps a separate (T*B, G*H) record of it. */
  int own_dhp;
  /* The recurrent weights' gradients of all T steps at once, ACCUMULATED:
   *   dA (T*B, G*H) every step's dhp, Hprev (T*B, H) every step's h_prev,
   *   cache (T*B, K*H) every step's cache (or NULL).
   * grl_backward_weights_hh: dW_h += dA^T Hprev.  Not db_h = 1^T dA: the
   * driver sums it as the steps go. */
  void (*backward_weights)(grl_views *dp, const gsl_matrix *dA,
                           const gsl_matrix *Hprev, const gsl_matrix *cache);

  /* The naive reference step for ONE row, plain loops over elements,
   * written once over a scalar type (naive_scalar.h) and compiled for
   * double and for double _Complex.  theta is laid out like m->theta.
   * gates (ngate*H, at least H) receives the gate activations and is
   * also the step's scratch, so it is required.  h must not alias
   * h_prev, nor c alias c_prev.                                       */
  void (*naive)(const grl_model *m, const double *theta, const double *x,
                const double *h_prev, const double *c_prev, double *h,
                double *c, double *gates);
  void (*naive_c)(const grl_model *m, const double _Complex *theta,
                  const double _Complex *x, const double _Complex *h_prev,
                  const double _Complex *c_prev, double _Complex *h,
                  double _Complex *c, double _Complex *gates);
};

/* A cell's backward_weights when every gate block's recurrent product
 * reads h_prev: dW_h += dA^T Hprev. */
void grl_backward_weights_hh(grl_views *dp, const gsl_matrix *dA,
                             const gsl_matrix *Hprev, const gsl_matrix *cache);
/* ... when gate blocks [0, k) read h_prev and blocks [k, G) read a gated
 * state g*h_prev kept in cache block kc ("reset before": gru-cho's r*h,
 * mgu's f*h): dW_h[0:k] += dA[0:k]^T Hprev, dW_h[k:G] += dA[k:G]^T GH. */
void grl_backward_weights_reset(grl_views *dp, const gsl_matrix *dA,
                                const gsl_matrix *Hprev,
                                const gsl_matrix *cache, size_t k, size_t kc);

/* Every cell of the list (grl_cells.h): grl_cell_gru, grl_cell_rnn, ... */
#define GRL_CELL(id) extern const grl_cell grl_cell_##id;
#include "grl_cells.h"
#undef GRL_CELL

/* ------------------------------------------------------------------ */
/* The sequence driver and BPTT (seq.c)                                */
/* ------------------------------------------------------------------ */

/* The driver's state for one (T, B) batch shape: every buffer of the
 * forward and backward passes, allocated once (grl_seq_alloc).  Opaque;
 * the accessors below read it. */
typedef struct grl_seq grl_seq;

/* How the driver runs, for grl_seq_alloc_flags:
 *   0              the default: the build's fast backend (src/fast/) runs
 *                  the products it runs faster (libxsmm kernels on W_hh
 *                  laid out once per pass) and splits a large batch into
 *                  blocks, on two threads when OMP_NUM_THREADS allows;
 *   GRL_SEQ_PLAIN  the path the chapters explain: every product is one
 *                  CBLAS call over the whole batch, the batch one block.
 * Both give the same results to within rounding (~1e-13, tests/lib/
 * naive.c); sigma and tanh over arrays take the build's vector kernels
 * either way (grl_vmath_name). */
enum { GRL_SEQ_PLAIN = 1 };

int grl_seq_alloc(grl_seq **s, const grl_model *m, size_t T, size_t B);
int grl_seq_alloc_flags(grl_seq **s, const grl_model *m, size_t T, size_t B,
                        unsigned flags);
void grl_seq_free(grl_seq *s);

const grl_model *grl_seq_model(const grl_seq *s);
size_t grl_seq_length(const grl_seq *s);   /* T */
size_t grl_seq_batch(const grl_seq *s);    /* B */
/* What runs the products: "plain", or the fast backend's plan, e.g.
 * "libxsmm 1.17: W_hh in panels of 16; 2 blocks". */
const char *grl_seq_path(const grl_seq *s);

/* Run the recurrence over x (T*B, I) from h0, c0 ((B, H) each, NULL =
 * zeros; a model of L layers: (L, B, H), layer l in rows [l*B, (l+1)*B),
 * like PyTorch's h_0).  theta is a block laid out like m->theta (NULL = m->theta).
 * Fails with GRL_ENONFINITE if a state is not finite. */
int grl_seq_forward(grl_seq *s, const double *theta, const double *x,
                    const double *h0, const double *c0);
/* Views of the last forward: output (T*B, H) and the final states, the
 * top layer's. */
gsl_matrix_view grl_seq_output(grl_seq *s);
gsl_matrix_view grl_seq_hT(grl_seq *s);
gsl_matrix_view grl_seq_cT(grl_seq *s);   /* LSTM only */
/* Every layer's final state, PyTorch's h_n and c_n: hT, cT (L*B, H),
 * layer l in rows [l*B, (l+1)*B) (either may be NULL; cT is not written
 * for a cell without a cell state). */
void grl_seq_final_states(grl_seq *s, double *hT, double *cT);
/* The model's layers L (m->layers). */
size_t grl_seq_layers(const grl_seq *s);
/* Layer 0's (the only layer of a one-layer model) states of the last
 * forward: ((T+1)*B, H), rows [0, B) h_0 and row
 * (t+1)*B + b h_t of batch item b (cell states c_t alike, LSTM only, else
 * NULL); and the cell's cache, (T*B, K*H), row t*B + b, gate k in columns
 * [k*H, (k+1)*H), NULL when the cell keeps none (K == 0). */
const gsl_matrix *grl_seq_states(const grl_seq *s);
const gsl_matrix *grl_seq_cell_states(const grl_seq *s);
const gsl_matrix *grl_seq_cache(const grl_seq *s);
/* The input projections XP = X W_ih^T + b_ih, (T*B, G*H).  A forward with
 * x == NULL runs on what the caller wrote here (a one-hot input as a
 * gather of W_ih's columns, grl_text_*). */
gsl_matrix *grl_seq_input_proj(grl_seq *s);

/* Full BPTT after grl_seq_forward with the same theta and x.
 *   dout (T*B, H) dL/doutput, or NULL;  dhT, dcT (B, H) dL/dh_T, or NULL
 *                 (L layers: dout is the top layer's; dhT, dcT, dh0, dc0
 *                 are (L*B, H), layer by layer)
 *   dtheta (n)    parameter gradients ACCUMULATED (+=)
 *   dx (T*B, I)   ACCUMULATED, or NULL
 *   dh0, dc0 (B,H) OVERWRITTEN, or NULL
 * x == NULL (the caller filled grl_seq_input_proj): no dW_ih, db_ih or dx;
 * the caller reads dL/dXP from grl_seq_dinput_proj. */
int grl_seq_backward(grl_seq *s, const double *theta, const double *x,
                     const double *dout, const double *dhT, const double *dcT,
                     double *dtheta, double *dx, double *dh0, double *dc0);
/* After grl_seq_backward, layer 0's: dL/dh_t (T*B, H) for every t (total: from the
 * output and from step t+1), dL/dc_t likewise (LSTM, else NULL), and
 * dL/dXP (T*B, G*H). */
const gsl_matrix *grl_seq_dstates(const grl_seq *s);
const gsl_matrix *grl_seq_dcell_states(const grl_seq *s);
const gsl_matrix *grl_seq_dinput_proj(const grl_seq *s);

/* The naive reference over a whole sequence, one row at a time, with
 * the cell's naive step (double and double _Complex).  out (T*B, H),
 * hT, cT (B, H) may be NULL; gates (T*B, ngate*H) or NULL.  Returns
 * GRL_ENOMEM if its small scratch cannot be allocated. */
int grl_naive_forward(const grl_model *m, size_t T, size_t B,
                       const double *theta, const double *x, const double *h0,
                       const double *c0, double *out, double *hT, double *cT,
                       double *gates);
int grl_naive_forward_c(const grl_model *m, size_t T, size_t B,
                         const double _Complex *theta, const double _Complex *x,
                         const double _Complex *h0, const double _Complex *c0,
                         double _Complex *out, double _Complex *hT,
                         double _Complex *cT, double _Complex *gates);

/* ---- Dropout (seq.c) --------------------------------------------------
 * GRL_DROPOUT_STANDARD (Zaremba, Sutskever and Vinyals 2014): on the
 *   non-recurrent connections only, the input of every layer (x, then
 *   layer l-1's output) and the top layer's output (what a readout
 *   reads); a fresh mask at every step t.
 * GRL_DROPOUT_VARIATIONAL (Gal and Ghahramani 2016): one mask per
 *   sequence b, the same at every step, on the same inputs and outputs
 *   and also on the recurrent state h_{t-1} where it enters W_h.
 * Inverted scaling: a mask entry is 0 with probability p, else 1/(1-p),
 * so E[mask] = 1 and evaluation runs with no dropout and no rescaling
 * (a grl_seq without dropout, or p = 0).
 * A mask is row t*B+b of a (T*B, n) matrix (standard) or row b of a
 * (B, n) one (variational); n is the layer's input size (INPUT), H
 * (OUTPUT, RECURRENT).  Masks are drawn by grl_seq_draw_masks from a
 * generator, in a fixed order (layer by layer: input, recurrent; then
 * the output; row-major), so the same seed gives the same masks on any
 * number of threads; they stay fixed until the next draw, so a gradient
 * check sees one differentiable function. */
typedef enum {
  GRL_DROPOUT_STANDARD = 0,
  GRL_DROPOUT_VARIATIONAL = 1
} grl_dropout_kind;
enum { GRL_MASK_INPUT = 0, GRL_MASK_RECURRENT, GRL_MASK_OUTPUT };
/* Set dropout p in [0, 1) of the kind on s, allocating its masks here
 * (the passes never allocate); p = 0 turns it off.  The masks are all
 * ones until the first grl_seq_draw_masks. */
int grl_seq_set_dropout(grl_seq *s, double p, grl_dropout_kind kind);
/* Draw every mask afresh from r (no-op without dropout). */
void grl_seq_draw_masks(grl_seq *s, gsl_rng *r);
/* Mask `which` of layer l (GRL_MASK_OUTPUT: the top layer's, l unused),
 * or NULL when there is none.  A caller may write masks of its own into
 * it (tests/lib/golden-dropout.c loads torch's). */
gsl_matrix *grl_seq_mask(const grl_seq *s, int which, size_t l);
/* "standard" or "variational"; parse: 0, or -1 for an unknown name. */
const char *grl_dropout_kind_name(grl_dropout_kind k);
int grl_dropout_kind_lookup(const char *name);

/* GEMM flops of one forward plus full BPTT: 6*T*B*G*H*(I+H). */
double grl_seq_flops(const grl_model *m, size_t T, size_t B);

#ifdef __cplusplus
}
#endif

/* The rest of the library, one header per concept. */
#include "grl_gradcheck.h"   /* gradient checks                              */
#include "grl_train.h"       /* readouts, losses, optimisers, tasks, training */
#include "grl_text.h"        /* character-level language models on bytes      */

#endif /* GRULAB_H */
