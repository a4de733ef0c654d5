/* support.c -- what the lab supplies around the functions you write:
 * allocation of parameters, caches and work space, LAB_TODO's record, and
 * the readout and loss of lab 6 on the library's own (grl_readout_*,
 * grl_loss_mse).  Not yours to edit; read it if you like. */
#include <config.h>
#include "lab.h"
#include "support.h"
#include "grulab.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void (*lab_todo_hook)(const char *function);

void lab_todo(const char *function)
{
  if (lab_todo_hook)
    lab_todo_hook(function);
}

/* Allocation failures here are the machine's, not the student's: say so
 * and stop (the grader runs every lab in a child process of its own). */
static void *need(void *p)
{
  if (!p) {
    fputs("lab: out of memory\n", stderr);
    abort();
  }
  return p;
}

static gsl_matrix *mat(size_t rows, size_t cols)
{
  return need(gsl_matrix_calloc(rows, cols));
}

static gsl_vector *vec(size_t n)
{
  return need(gsl_vector_calloc(n));
}

cell_params *cell_params_alloc(size_t G, size_t I, size_t H)
{
  cell_params *p = need(calloc(1, sizeof *p));
  p->G = G;
  p->I = I;
  p->H = H;
  p->W_ih = mat(G * H, I);
  p->W_hh = mat(G * H, H);
  p->b_ih = vec(G * H);
  p->b_hh = vec(G * H);
  return p;
}

void cell_params_free(cell_params *p)
{
  if (!p)
    return;
  gsl_matrix_free(p->W_ih);
  gsl_matrix_free(p->W_hh);
  gsl_vector_free(p->b_ih);
  gsl_vector_free(p->b_hh);
  free(p);
}

void cell_params_zero(cell_params *p)
{
  gsl_matrix_set_zero(p->W_ih);
  gsl_matrix_set_zero(p->W_hh);
  gsl_vector_set_zero(p->b_ih);
  gsl_vector_set_zero(p->b_hh);
}

gru_cache *gru_cache_alloc(size_t T, size_t B, size_t H)
{
  gru_cache *c = need(calloc(T, sizeof *c));
  for (size_t t = 0; t < T; t++) {
    c[t].r = mat(B, H);
    c[t].z = mat(B, H);
    c[t].n = mat(B, H);
    c[t].q = mat(B, H);
  }
  return c;
}

void gru_cache_free(gru_cache *c, size_t T)
{
  if (!c)
    return;
  for (size_t t = 0; t < T; t++) {
    gsl_matrix_free(c[t].r);
    gsl_matrix_free(c[t].z);
    gsl_matrix_free(c[t].n);
    gsl_matrix_free(c[t].q);
  }
  free(c);
}

lstm_cache *lstm_cache_alloc(size_t B, size_t H)
{
  lstm_cache *c = need(calloc(1, sizeof *c));
  c->i = mat(B, H);
  c->f = mat(B, H);
  c->g = mat(B, H);
  c->o = mat(B, H);
  c->tc = mat(B, H);
  return c;
}

void lstm_cache_free(lstm_cache *c)
{
  if (!c)
    return;
  gsl_matrix_free(c->i);
  gsl_matrix_free(c->f);
  gsl_matrix_free(c->g);
  gsl_matrix_free(c->o);
  gsl_matrix_free(c->tc);
  free(c);
}

/* ---- tensor lists ------------------------------------------------------ */

/* A view of a whole matrix or vector as one flat vector: the matrices
 * here are allocated whole, so their rows are contiguous (tda == size2). */
static gsl_vector *flat(double *data, size_t n)
{
  gsl_vector *v = need(malloc(sizeof *v));
  *v = gsl_vector_view_array(data, n).vector;
  return v;
}

void tensor_list_add(tensor_list *l, const char *name, double *data, size_t n)
{
  if (l->n >= LAB_MAX_TENSORS) {
    fputs("lab: too many tensors in a list\n", stderr);
    abort();
  }
  l->name[l->n] = name;
  l->t[l->n++] = flat(data, n);
}

void tensor_list_free(tensor_list *l)
{
  for (size_t k = 0; k < l->n; k++)
    free(l->t[k]);
  l->n = 0;
}

adam_state *adam_state_alloc(const tensor_list *params, double lr)
{
  adam_state *s = need(calloc(1, sizeof *s));
  s->lr = lr;
  s->beta1 = 0.9;      /* torch.optim.Adam's defaults */
  s->beta2 = 0.999;
  s->eps = 1e-8;
  for (size_t k = 0; k < params->n; k++) {
    size_t n = params->t[k]->size;
    tensor_list_add(&s->m, params->name[k], need(calloc(n, sizeof(double))), n);
    tensor_list_add(&s->v, params->name[k], need(calloc(n, sizeof(double))), n);
  }
  return s;
}

void adam_state_free(adam_state *s)
{
  if (!s)
    return;
  /* the moments' storage is the views' own (calloc above) */
  for (size_t k = 0; k < s->m.n; k++) {
    free(s->m.t[k]->data);
    free(s->v.t[k]->data);
  }
  tensor_list_free(&s->m);
  tensor_list_free(&s->v);
  free(s);
}

/* ---- the network of lab 6 ---------------------------------------------- */

/* The library's model (gru cell, readout of one output) behind a net: its
 * parameter block theta and a gradient block, for grl_readout_*. */
typedef struct {
  grl_model *m;
  double *theta, *dtheta;   /* (m->n) each */
  gsl_matrix *yhat, *dy;    /* (B, 1), reallocated when B changes */
} net_lib;

gru_net *gru_net_alloc(size_t I, size_t H)
{
  gru_net *net = need(calloc(1, sizeof *net));
  net->gru = cell_params_alloc(3, I, H);
  net->W_o = mat(1, H);
  net->b_o = vec(1);
  tensor_list *l = &net->all;
  tensor_list_add(l, "W_ih", net->gru->W_ih->data, 3 * H * I);
  tensor_list_add(l, "W_hh", net->gru->W_hh->data, 3 * H * H);
  tensor_list_add(l, "b_ih", net->gru->b_ih->data, 3 * H);
  tensor_list_add(l, "b_hh", net->gru->b_hh->data, 3 * H);
  tensor_list_add(l, "W_o", net->W_o->data, H);
  tensor_list_add(l, "b_o", net->b_o->data, 1);
  net_lib *lib = need(calloc(1, sizeof *lib));
  if (grl_model_alloc(&lib->m, grl_cell_lookup("gru"), I, H, 1)) {
    fprintf(stderr, "lab: %s\n", grl_strerror());
    abort();
  }
  lib->theta = need(calloc(lib->m->n, sizeof *lib->theta));
  lib->dtheta = need(calloc(lib->m->n, sizeof *lib->dtheta));
  net->lib = lib;
  return net;
}

void gru_net_free(gru_net *net)
{
  if (!net)
    return;
  net_lib *lib = net->lib;
  grl_model_free(lib->m);
  free(lib->theta);
  free(lib->dtheta);
  gsl_matrix_free(lib->yhat);
  gsl_matrix_free(lib->dy);
  free(lib);
  tensor_list_free(&net->all);
  cell_params_free(net->gru);
  gsl_matrix_free(net->W_o);
  gsl_vector_free(net->b_o);
  free(net);
}

void gru_net_zero(gru_net *net)
{
  for (size_t k = 0; k < net->all.n; k++)
    gsl_vector_set_zero(net->all.t[k]);
}

/* Copy a net's tensors into (to != 0) or out of a block laid out like the
 * library's model: weight_ih_l0, ..., readout_weight, readout_bias. */
static const char *const lib_names[] = {
  "weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0",
  "readout_weight", "readout_bias"};

void gru_net_to_block(const gru_net *net, const grl_model *m, double *block)
{
  for (size_t k = 0; k < 6; k++) {
    const gsl_vector *v = net->all.t[k];
    memcpy(grl_model_tensor(m, block, lib_names[k]), v->data,
           v->size * sizeof(double));
  }
}

void gru_net_from_block(gru_net *net, const grl_model *m, double *block)
{
  for (size_t k = 0; k < 6; k++) {
    gsl_vector *v = net->all.t[k];
    memcpy(v->data, grl_model_tensor(m, block, lib_names[k]),
           v->size * sizeof(double));
  }
}

const grl_model *gru_net_model(const gru_net *net)
{
  return ((const net_lib *)net->lib)->m;
}

double readout_mse(gru_net *grad, gsl_matrix *dhT, const gru_net *net,
                   const gsl_matrix *hT, const gsl_matrix *y)
{
  net_lib *lib = net->lib;
  const grl_model *m = lib->m;
  size_t B = hT->size1;
  if (!lib->yhat || lib->yhat->size1 != B) {
    gsl_matrix_free(lib->yhat);
    gsl_matrix_free(lib->dy);
    lib->yhat = mat(B, 1);
    lib->dy = mat(B, 1);
  }
  /* the readout's two tensors into the library's block */
  size_t H = m->hidden_size;
  memcpy(grl_model_tensor(m, lib->theta, "readout_weight"), net->W_o->data,
         H * sizeof(double));
  memcpy(grl_model_tensor(m, lib->theta, "readout_bias"), net->b_o->data,
         sizeof(double));
  /* y_hat = h_T W_o^T + b_o;  L = mean (y_hat - y)^2,  dy = 2 (y_hat - y) / B */
  grl_readout_forward(m, lib->theta, hT, lib->yhat);
  double L = grl_loss_mse(lib->yhat, y, lib->dy);
  /* dW_o = dy^T h_T, db_o = sum dy, dL/dh_T = dy W_o */
  double *dWo = grl_model_tensor(m, lib->dtheta, "readout_weight");
  double *dbo = grl_model_tensor(m, lib->dtheta, "readout_bias");
  memset(dWo, 0, H * sizeof(double));
  *dbo = 0.0;
  grl_readout_backward(m, lib->theta, lib->dtheta, hT, lib->dy, dhT);
  for (size_t j = 0; j < H; j++)
    grad->W_o->data[j] += dWo[j];
  grad->b_o->data[0] += *dbo;
  return L;
}

train_work *train_work_alloc(size_t T, size_t B, size_t I, size_t H)
{
  train_work *w = need(calloc(1, sizeof *w));
  w->T = T;
  w->B = B;
  w->hs = mat(T * B, H);
  w->caches = gru_cache_alloc(T, B, H);
  w->h0 = mat(B, H);
  w->dhs = mat(T * B, H);
  w->dhT = mat(B, H);
  w->dxs = mat(T * B, I);
  w->dh0 = mat(B, H);
  return w;
}

void train_work_free(train_work *w)
{
  if (!w)
    return;
  gsl_matrix_free(w->hs);
  gru_cache_free(w->caches, w->T);
  gsl_matrix_free(w->h0);
  gsl_matrix_free(w->dhs);
  gsl_matrix_free(w->dhT);
  gsl_matrix_free(w->dxs);
  gsl_matrix_free(w->dh0);
  free(w);
}
