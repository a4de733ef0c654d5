/* fast.h -- inside the fast backend (not installed): the weight operands
 * its product kernels read, and its state for a sequence driver.  The
 * library sees only backend.h. */
#ifndef GRULAB_FAST_H
#define GRULAB_FAST_H

#include "backend.h"

/* A weight operand for the JIT kernels (libxsmm), which read their
 * operands where they are and take none transposed: x (M, K) times this
 * (K, N), cut into npanel column panels of P columns each; panel j is a
 * row-major (K, P) block at data + j*stride, row stride ld.  A plain
 * row-major (K, N) matrix is one panel of P = N columns. */
typedef struct {
  const double *data;   /* NULL: none */
  size_t K, P, npanel, ld, stride;
} grl_wpanels;

/* A (K, N) as it is: one panel. */
grl_wpanels grl_wpanels_plain(const gsl_matrix *A);
/* A (K, N) copied into buf (K*N doubles) as panels of P columns (P
 * divides N); with transpose, A is (N, K) and its transpose is packed. */
grl_wpanels grl_wpanels_pack(double *buf, const gsl_matrix *A, size_t P,
                             int transpose);

/* Whether the kernels run a product of (M, K) by (K, N) whole: built with
 * libxsmm, and the shape small (kernels.c, GRL_SMALL_KN). */
int grl_fast_small(size_t M, size_t K, size_t N);
/* The panel width for a (K, N) W too large for that, whose N splits at
 * multiples of unit (a gate block): 0 when no panels. */
size_t grl_fast_panel_width(size_t K, size_t N, size_t unit);

/* The backend's state (backend.h).  The default one lays nothing out. */
struct grl_backend {
  /* the plan, fixed by grl_fast_seq_alloc */
  size_t nblock;       /* the batch's rows run as nblock blocks           */
  size_t panel;        /* W_hh's panel width: G*H (W_hh^T whole), or 16,
                        * or 0 (W_hh not laid out)                        */
  double *whpk[2];     /* (G*H*H) W_hh^T, and (panels only) W_hh          */
  gsl_matrix *WxT;     /* (I, G*H) W_ih^T, or NULL                        */
  char what[96];       /* grl_fast_seq_describe                           */
  /* this pass's operands (.data NULL: none) */
  grl_wpanels WhT, Whk, WxTp;
};

#endif
