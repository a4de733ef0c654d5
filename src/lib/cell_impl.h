/* cell_impl.h -- what the cells share inside the library (not installed). */
#ifndef GRULAB_CELL_IMPL_H
#define GRULAB_CELL_IMPL_H

#include "grulab.h"

/* PyTorch's layout for nn.RNN/GRU/LSTM with G gate blocks:
 *   weight_ih_l0 (G*H, I), weight_hh_l0 (G*H, H), bias_ih_l0 (G*H),
 *   bias_hh_l0 (G*H), in that order in the block.                     */
enum { P_WIH = 0, P_WHH, P_BIH, P_BHH };
void grl_layout_pytorch(grl_model *m);

/* Row b of a (B, n) matrix as a plain array: the cells' element loops. */
static inline double *grl_row(gsl_matrix *a, size_t b)
{
  return a->data + b * a->tda;
}
static inline const double *grl_crow(const gsl_matrix *a, size_t b)
{
  return a->data + b * a->tda;
}

/* Gate blocks [k0, k1) of a (B, .*H) matrix's columns, or of a (.*H)
 * bias: columns or entries [k0*H, k1*H). */
static inline gsl_matrix_view grl_cols(gsl_matrix *a, size_t k0, size_t k1,
                                       size_t H)
{
  return gsl_matrix_submatrix(a, 0, k0 * H, a->size1, (k1 - k0) * H);
}
static inline _gsl_vector_const_view grl_gates(const gsl_vector *v, size_t k0,
                                               size_t k1, size_t H)
{
  return gsl_vector_const_subvector(v, k0 * H, (k1 - k0) * H);
}

/* The naive reference steps (naive_scalar.h), each cell's compiled for
 * double and for double _Complex (naive_double.c, naive_complex.c):
 * declared for every cell of the list. */
#define GRL_CELL(id)                                                          \
  void grl_naive_##id(const grl_model *m, const double *theta,                \
                      const double *x, const double *h_prev,                  \
                      const double *c_prev, double *h, double *c,             \
                      double *gates);                                         \
  void grl_naive_##id##_c(const grl_model *m, const double _Complex *theta,   \
                          const double _Complex *x,                           \
                          const double _Complex *h_prev,                      \
                          const double _Complex *c_prev, double _Complex *h,  \
                          double _Complex *c, double _Complex *gates);
#include "grl_cells.h"
#undef GRL_CELL

#endif
