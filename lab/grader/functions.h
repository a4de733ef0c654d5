/* functions.h -- the lab's functions, one list: lab, return type, name,
 * parameters, arguments.  grader.h makes the implementation table of it,
 * wrap.c the routed calls, and wrap-opts.h the linker's --wrap options
 * (lab/wrap.opts).  Each entry must say what lab.h says (grader.h checks
 * it with __typeof__). */
#define LAB_FUNCTIONS_1(X)                                                   \
  X(1, double, lab_sigmoid, (double a), (a))                                 \
  X(1, double, lab_tanh, (double a), (a))                                    \
  X(1, double, lab_dsigmoid, (double s), (s))                                \
  X(1, double, lab_dtanh, (double t), (t))
#define LAB_FUNCTIONS_2(X)                                                   \
  X(2, void, gru_step_forward, (gsl_matrix *h, gru_cache *cache,            \
    const gsl_matrix *x, const gsl_matrix *h_prev, const gru_params *p),     \
    (h, cache, x, h_prev, p))
#define LAB_FUNCTIONS_3(X)                                                   \
  X(3, void, gru_step_backward, (gsl_matrix *dx, gsl_matrix *dh_prev,       \
    gru_params *dp, const gsl_matrix *dh, const gru_cache *cache,            \
    const gsl_matrix *x, const gsl_matrix *h_prev, const gru_params *p),     \
    (dx, dh_prev, dp, dh, cache, x, h_prev, p))
#define LAB_FUNCTIONS_4(X)                                                   \
  X(4, void, gru_forward, (gsl_matrix *hs, gru_cache *caches,               \
    const gsl_matrix *xs, const gsl_matrix *h0, const gru_params *p),        \
    (hs, caches, xs, h0, p))                                                 \
  X(4, void, gru_backward, (gsl_matrix *dxs, gsl_matrix *dh0, gru_params *dp,\
    const gsl_matrix *dhs, const gru_cache *caches, const gsl_matrix *xs,    \
    const gsl_matrix *h0, const gsl_matrix *hs, const gru_params *p),        \
    (dxs, dh0, dp, dhs, caches, xs, h0, hs, p))
#define LAB_FUNCTIONS_5(X)                                                   \
  X(5, double, rel_error, (double a, double n, double floor), (a, n, floor)) \
  X(5, void, numerical_gradient, (double *grad, loss_fn f, void *arg,       \
    double *theta, size_t n, double h), (grad, f, arg, theta, n, h))         \
  X(5, int, gradient_check, (size_t *worst, double *worst_rel,              \
    const double *analytic, const double *numeric, size_t n, double tol,     \
    double floor_rel), (worst, worst_rel, analytic, numeric, n, tol, floor_rel))
#define LAB_FUNCTIONS_6(X)                                                   \
  X(6, double, clip_global_norm, (tensor_list *g, double max_norm),         \
    (g, max_norm))                                                           \
  X(6, void, adam_step, (adam_state *s, tensor_list *params,                \
    const tensor_list *grads), (s, params, grads))                           \
  X(6, double, train_step, (gru_net *net, gru_net *grad, adam_state *opt,   \
    train_work *w, const gsl_matrix *xs, const gsl_matrix *y,                \
    double max_norm), (net, grad, opt, w, xs, y, max_norm))
#define LAB_FUNCTIONS_7(X)                                                   \
  X(7, void, lstm_step_forward, (lstm_state *next, lstm_cache *cache,       \
    const gsl_matrix *x, const lstm_state *prev, const lstm_params *p),      \
    (next, cache, x, prev, p))                                               \
  X(7, void, lstm_step_backward, (gsl_matrix *dx, lstm_state *dprev,        \
    lstm_params *dp, const lstm_state *dnext, const lstm_cache *cache,       \
    const gsl_matrix *x, const lstm_state *prev, const lstm_params *p),      \
    (dx, dprev, dp, dnext, cache, x, prev, p))
#define LAB_FUNCTIONS(X) LAB_FUNCTIONS_1(X) LAB_FUNCTIONS_2(X)                \
  LAB_FUNCTIONS_3(X) LAB_FUNCTIONS_4(X) LAB_FUNCTIONS_5(X)                    \
  LAB_FUNCTIONS_6(X) LAB_FUNCTIONS_7(X)
