/* cmd_forward_backward.c -- grulab forward | backward.
 *
 *   grulab forward  [--cell C] --params FILE --data FILE
 *   grulab backward [--cell C] --params FILE --data FILE
 *
 * The cell over a batch of sequences, on files in the named-tensor text
 * format with PyTorch's state_dict names: forward prints output, h_n (and
 * c_n); backward runs full BPTT of L = sum(grad_output * output) and
 * prints every gradient.  The two share everything up to the run.
 *
 * The tensors go into cli_stdout_begin()'s buffer, and only a complete
 * answer reaches stdout.  Errors are one line on stderr naming the file and
 * the tensor (exit 1) or the flag (exit 2). */
#include <config.h>
#include "cli.h"

#include <stdlib.h>
#include <string.h>

/* ---- reading a model and a data file ------------------------------------ */

/* What forward and backward read from --data, shapes checked against the
 * model: input (T, B, I) fixes T and B; h0, c0 (B, H) are optional. */
typedef struct {
  grl_tensorfile *tf;
  size_t T, B;
  const double *x;     /* (T*B, I) */
  const double *h0;    /* (B, H) or NULL = zeros */
  const double *c0;    /* (B, H) or NULL = zeros; LSTM only */
  const double *dout;  /* (T*B, H) grad_output, if asked for */
} seqdata;

/* grl_tensorfile_get, with where the expected shape came from. */
static int get_shaped(const grl_tensorfile *tf, const char *name, int ndim,
                      size_t d0, size_t d1, size_t d2, const char *why,
                      const double **data)
{
  const size_t dims[3] = {d0, d1, d2};
  int st = grl_tensorfile_get(tf, name, ndim, dims, data);
  if (st) {
    char msg[1024];
    snprintf(msg, sizeof msg, "%s", grl_strerror());
    return grl_fail(st, "%s (%s)", msg, why);
  }
  return GRL_OK;
}

static int load_data(seqdata *d, const grl_model *m, const char *params,
                     const char *path, int need_dout)
{
  const size_t I = m->input_size, H = m->hidden_size;
  char why[512];
  memset(d, 0, sizeof *d);
  int st = grl_tensorfile_read(&d->tf, path);
  if (st)
    return st;
  const grl_tensor *in = grl_tensorfile_find(d->tf, "input");
  if (!in)
    return grl_fail(GRL_EINVAL, "%s: no tensor 'input' (T, B, I)", path);
  if (in->ndim != 3 || in->dims[2] != I) {
    /* the dimensions as the file wrote them: "2x2", not "2x2x1" */
    char shape[96];
    return grl_fail(GRL_EINVAL, "%s:%ld: tensor 'input' has shape %s, "
                    "expected T x B x %zu (I=%zu from %s)", path, in->line,
                    grl_shape_format(shape, sizeof shape, in->ndim, in->dims),
                    I, I, params);
  }
  d->T = in->dims[0];
  d->B = in->dims[1];
  d->x = in->data;
  snprintf(why, sizeof why, "B=%zu from 'input', H=%zu from %s", d->B, H,
           params);
  /* the states: (B, H), or (L, B, H) for L > 1 layers, like PyTorch's */
  const size_t L = m->layers;
  const int sd = L > 1 ? 3 : 2;
  const size_t s0 = L > 1 ? L : d->B, s1 = L > 1 ? d->B : H,
               s2 = L > 1 ? H : 1;
  if (L > 1)
    snprintf(why, sizeof why, "L=%zu from %s, B=%zu from 'input', H=%zu "
             "from %s", L, params, d->B, H, params);
  if (grl_tensorfile_find(d->tf, "h0")) {
    st = get_shaped(d->tf, "h0", sd, s0, s1, s2, why, &d->h0);
    if (st)
      return st;
  }
  const grl_tensor *c0 = grl_tensorfile_find(d->tf, "c0");
  if (c0 && !m->cell->has_c)
    return grl_fail(GRL_EINVAL, "%s:%ld: tensor 'c0' is only for the lstm "
                    "cell, not %s", path, c0->line, grl_cell_name(m->cell));
  if (c0) {
    st = get_shaped(d->tf, "c0", sd, s0, s1, s2, why, &d->c0);
    if (st)
      return st;
  }
  if (need_dout) {
    snprintf(why, sizeof why, "T=%zu, B=%zu from 'input', H=%zu from %s",
             d->T, d->B, H, params);
    if (!grl_tensorfile_find(d->tf, "grad_output"))
      return grl_fail(GRL_EINVAL, "%s: no tensor 'grad_output' (T, B, H) = "
                      "(%zu, %zu, %zu); backward needs dL/doutput",
                      path, d->T, d->B, H);
    st = get_shaped(d->tf, "grad_output", 3, d->T, d->B, H, why, &d->dout);
    if (st)
      return st;
  }
  return GRL_OK;
}

/* Write a matrix view as a tensor of the given shape (it may be strided). */
static int write_view(FILE *f, const char *name, int ndim, const size_t *dims,
                      const gsl_matrix *v)
{
  double *buf = malloc(v->size1 * v->size2 * sizeof *buf);  /* dense copy */
  if (!buf)
    return grl_fail(GRL_ENOMEM, "out of memory writing '%s'", name);
  for (size_t i = 0; i < v->size1; i++)
    for (size_t j = 0; j < v->size2; j++)
      buf[i * v->size2 + j] = gsl_matrix_get(v, i, j);
  int st = grl_tensor_write(f, name, ndim, dims, buf);
  free(buf);
  return st;
}


/* ---- grulab forward / backward ------------------------------------------ */

static void help_forward(FILE *f, const grl_opt *opts)
{
  fprintf(f,
    "Usage: grulab forward [--cell C] --params FILE --data FILE\n"
    "Run cell C over a batch of sequences and print, in the named-tensor\n"
    "text format:\n"
    "  output (T, B, H)   h_t for every step\n"
    "  h_n (B, H)         the last hidden state\n"
    "  c_n (B, H)         the last cell state (lstm only)\n"
    "A model of L > 1 stacked layers (weight_ih_l1, ... in --params):\n"
    "h0, c0, h_n and c_n are (L, B, H); output is the top layer's.\n\n");
  grl_opt_help(f, opts);
  fprintf(f, "\n");
  cli_help_cells(f);
  fprintf(f, "\nExit status: 0 success, 1 bad or inconsistent files, "
             "2 bad flags.\n");
}

static void help_backward(FILE *f, const grl_opt *opts)
{
  fprintf(f,
    "Usage: grulab backward [--cell C] --params FILE --data FILE\n"
    "Full backpropagation through time of L = sum(grad_output * output),\n"
    "printed in the named-tensor text format:\n"
    "  each parameter's own name   dL/dparameter, with its shape\n"
    "  input (T, B, I)             dL/dinput\n"
    "  h0 (B, H)                   dL/dh0\n"
    "  c0 (B, H)                   dL/dc0 (lstm only)\n"
    "A model of L > 1 stacked layers: h0 and c0 are (L, B, H).\n\n");
  grl_opt_help(f, opts);
  fprintf(f, "\n");
  cli_help_cells(f);
  fprintf(f, "\nExit status: 0 success, 1 bad or inconsistent files, "
             "2 bad flags.\n");
}

/* forward (backward == 0) and backward (backward == 1) share everything
 * up to the run. */
static int forward_backward(int argc, char **argv, int backward)
{
  const char *cmd = argv[0];
  const grl_cell *cell = NULL;
  const char *params = NULL, *data = NULL;
  size_t layers = 0;
  const grl_opt opts[] = {
    CLI_OPT_CELL_FILE(&cell),
    {"layers", GRL_OPT_SIZE, &layers, "L",
     .help = "the stacked layers the file must hold (the file says\n"
     "how many: weight_ih_l1, ...; default: whatever it holds)",
     .lo = 1, .hi = GRL_MAX_LAYERS},
    {"params", GRL_OPT_STRING, &params, "FILE",
     .help = backward ? "the cell's parameters, PyTorch state_dict names"
              : "the cell's parameters, PyTorch state_dict names\n"
                "(as written by 'grulab init'); I and H come from them",
     .flags = GRL_OPT_REQUIRED},
    {"data", GRL_OPT_STRING, &data, "FILE",
     .help = backward ? "input (T, B, I), grad_output (T, B, H); optional\n"
                "h0 (B, H) and, for the lstm, c0 (B, H)"
              : "input (T, B, I); optional h0 (B, H) and, for the\n"
                "lstm, c0 (B, H); missing states are zeros",
     .flags = GRL_OPT_REQUIRED},
    CLI_OPT_END};
  int rc = cli_options(opts, argc, argv,
                       backward ? help_backward : help_forward);
  if (rc >= 0)
    return rc;

  grl_model *m = NULL;
  grl_model_info info;
  grl_seq *s = NULL;
  seqdata d = {0};
  double *dtheta = NULL;  /* (n) parameter gradients    */
  double *dx = NULL;      /* (T*B, I) dL/dinput         */
  double *dh0 = NULL;     /* (L*B, H) dL/dh0            */
  double *dc0 = NULL;     /* (L*B, H) dL/dc0, lstm only */
  /* --params and --data may be one file (tests/data/golden-*.txt): then
   * its data tensors are no stray tensors. */
  int st = grl_model_open(&m, cell, params,
                          strcmp(params, data) == 0 ? GRL_LOAD_SHARED : 0,
                          &info);
  if (!st && info.note[0])
    cli_error("%s: note: %s%s", cmd, info.note,
              cell ? "" : "; give --cell if it is another");
  if (!st && layers && m->layers != layers)
    st = grl_fail(GRL_EINVAL, "%s holds a model of %zu layer%s, but --layers "
                  "%zu was given", params, m->layers, m->layers == 1 ? "" : "s",
                  layers);
  if (!st)
    st = load_data(&d, m, params, data, backward);
  if (!st)
    st = grl_seq_alloc(&s, m, d.T, d.B);
  if (!st)
    st = grl_seq_forward(s, NULL, d.x, d.h0, d.c0);
  const size_t T = d.T, B = d.B, I = m ? m->input_size : 0,
               H = m ? m->hidden_size : 0, L = m ? m->layers : 1;
  if (!st) {
    /* the final states, or the states' gradients: (L*B, H) */
    dh0 = calloc(L * B * H, sizeof *dh0);
    dc0 = calloc(L * B * H, sizeof *dc0);
    if (!dh0 || !dc0)
      st = grl_fail(GRL_ENOMEM, "out of memory");
  }
  if (!st && backward) {
    dtheta = calloc(m->n, sizeof *dtheta);
    dx = calloc(T * B * I, sizeof *dx);
    if (!dtheta || !dx || !dh0 || !dc0)
      st = grl_fail(GRL_ENOMEM, "out of memory");
    if (!st)
      st = grl_seq_backward(s, NULL, d.x, d.dout, NULL, NULL, dtheta, dx,
                            dh0, m->cell->has_c ? dc0 : NULL);
  }
  if (!st) {
    FILE *f = cli_stdout_begin();
    const size_t tbh[3] = {T, B, H}, tbi[3] = {T, B, I};
    /* states: (B, H), or (L, B, H) for L > 1 */
    const size_t bh[3] = {L > 1 ? L : B, L > 1 ? B : H, L > 1 ? H : 1};
    const int sd = L > 1 ? 3 : 2;
    if (!f) {
      st = grl_fail(GRL_ENOMEM, "out of memory");
    } else if (!backward) {
      gsl_matrix_view out = grl_seq_output(s);
      grl_seq_final_states(s, dh0, dc0);
      st = write_view(f, "output", 3, tbh, &out.matrix);
      if (!st)
        st = grl_tensor_write(f, "h_n", sd, bh, dh0);
      if (!st && m->cell->has_c)
        st = grl_tensor_write(f, "c_n", sd, bh, dc0);
    } else {
      st = grl_model_write(f, m, dtheta);
      if (!st)
        st = grl_tensor_write(f, "input", 3, tbi, dx);
      if (!st)
        st = grl_tensor_write(f, "h0", sd, bh, dh0);
      if (!st && m->cell->has_c)
        st = grl_tensor_write(f, "c0", sd, bh, dc0);
    }
  }
  free(dtheta);
  free(dx);
  free(dh0);
  free(dc0);
  grl_seq_free(s);
  grl_tensorfile_free(d.tf);
  grl_model_free(m);
  return cli_end(cmd, st, CLI_OK);
}

int cmd_forward(int argc, char **argv)
{
  return forward_backward(argc, argv, 0);
}

int cmd_backward(int argc, char **argv)
{
  return forward_backward(argc, argv, 1);
}

