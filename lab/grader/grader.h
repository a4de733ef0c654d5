/* grader.h -- the lab's grader: what its parts share.
 *
 *   main.c     options, the order of the items, routing, the summary
 *   run.c      one item in a child process: time limit, crash report
 *   compare.c  results as named tensors; comparison and localisation
 *   report.c   the text a student (or make check's TAP) reads
 *   ref.c      the reference: each lab function on the library's calls
 *   wrap.c     a call from one lab into an earlier one, routed to the
 *              student's function or to the library's
 *   items_*.c  each lab's items: problems, runs, equations, hints
 *   catalogue  the mutants (generated from lab/mutants/ *.patch)
 */
#ifndef GRULAB_LAB_GRADER_H
#define GRULAB_LAB_GRADER_H

#define LAB_GRADER 1   /* lab.h: the grader keeps its warnings */
#include "lab.h"
#include "support.h"
#include "grulab.h"

#include <stddef.h>

/* ------------------------------------------------------------------ */
/* The student's functions: one list, lab by lab                      */
/* ------------------------------------------------------------------ */

#include "functions.h"

#define LAB_CAT_(a, b) a##b
#define LAB_CAT(a, b) LAB_CAT_(a, b)

enum {
#define X(lab, ret, fn, params, args) LAB_FN_##fn,
  LAB_FUNCTIONS(X)
#undef X
  LAB_NFN
};

/* One implementation of the lab functions: the student's (the real
 * definitions, __real_NAME under the linker's --wrap), the reference
 * (ref_NAME, on the library), or a mutant (only its lab's functions). */
typedef struct {
#define X(lab, ret, fn, params, args) ret (*fn) params;
  LAB_FUNCTIONS(X)
#undef X
} lab_impl;

/* the list says what lab.h says: a mismatch is a compile error here */
#define X(lab, ret, fn, params, args) \
  extern __typeof__(fn) __real_##fn, ref_##fn; \
  extern ret __real_##fn params, ref_##fn params;
LAB_FUNCTIONS(X)
#undef X

extern const lab_impl lab_student, lab_reference;
extern const char *const lab_fn_name[LAB_NFN];
extern const int lab_fn_lab[LAB_NFN];

/* ------------------------------------------------------------------ */
/* Routing and the record of a child (run.c, wrap.c)                   */
/* ------------------------------------------------------------------ */

/* route_student[f]: a call into function f from another lab goes to the
 * student's f (it passes), else to the library's.  Set before a fork. */
extern int lab_route_student[LAB_NFN];

/* What a child shares with its parent: one page, mapped before the fork. */
#define LAB_TEXT_MAX 24576
typedef struct {
  int done;               /* the child finished and wrote its verdict */
  int status;             /* LAB_PASS, LAB_FAIL, LAB_TODO             */
  int phase;              /* 1 reference, 2 mutants, 3 the student's  */
  int depth;              /* the student's calls under way: a stack  */
  int stack[16];
  int stack_ref[16];      /* 1: the library's function in its place  */
  unsigned long used_ref; /* bit f: function f ran as the library's   */
  char todo[64];          /* the first function that called LAB_TODO */
  char gsl_error[256];    /* the first error GSL reported, if any      */
  char mutant[64];        /* the id of the mutant it matched, if any   */
  char brief[256];        /* one line: the diagnosis, for a CSV        */
  char text[LAB_TEXT_MAX];/* the diagnosis, lines                      */
  size_t len;
} lab_shared;
extern lab_shared *lab_sh;

enum { LAB_PASS = 0, LAB_FAIL, LAB_TODO, LAB_CRASH, LAB_TIMEOUT };

/* Around every call of a student's (or routed) function. */
void lab_enter(int fn, int via_ref);
void lab_leave(void);
/* Call fn of impl, recorded on the stack, e.g.
 *   LAB_CALL(impl, gru_step_forward, (h, c, x, hp, p));               */
#define LAB_CALL(impl, fn, args) \
  (lab_enter(LAB_FN_##fn, 0), (impl)->fn args, lab_leave())
#define LAB_CALLV(var, impl, fn, args) \
  (lab_enter(LAB_FN_##fn, 0), (var) = (impl)->fn args, lab_leave())

/* Append to the diagnosis (lab_sh->text). */
void lab_say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* ------------------------------------------------------------------ */
/* Results as named tensors, and their comparison (compare.c)          */
/* ------------------------------------------------------------------ */

#define LAB_MAX_TENSORS_RESULT 48
/* The gate blocks' names, NULL-ended. */
extern const char *const lab_gates_gru[], *const lab_gates_lstm[];
#define LAB_GATES_GRU lab_gates_gru
#define LAB_GATES_LSTM lab_gates_lstm

typedef struct {
  char name[40];        /* "dW_hh", "cache.z", "h", "values" ...          */
  int group;            /* problem or T it belongs to; 0: one problem    */
  size_t rows, cols;
  double *data;         /* (rows, cols) row-major, owned                  */
  size_t gate_rows;     /* rows per gate block (H), 0: no gate blocks     */
  const char *const *gates; /* their names                                */
  size_t step_rows;     /* rows per time step (B), 0: no time axis        */
  double tol;           /* an entry is wrong when rel > tol               */
  double floor_rel;     /* rel's floor: floor_rel * S, S = max |reference| */
  const double *floors; /* NULL, or a floor per entry, raising the above    */
  const char *const *labels; /* per entry (cols of one row), or NULL      */
} lab_tensor;

typedef struct {
  size_t n;
  lab_tensor t[LAB_MAX_TENSORS_RESULT];
  double seconds;       /* training: wall time                           */
} lab_result;

void lab_result_clear(lab_result *r);
/* Add a tensor (copied), tolerance tol, floor 1e-3 * S. */
lab_tensor *lab_add(lab_result *r, const char *name, int group,
                    const double *data, size_t rows, size_t cols, double tol);
lab_tensor *lab_add_matrix(lab_result *r, const char *name, int group,
                           const gsl_matrix *m, double tol);
lab_tensor *lab_add_vector(lab_result *r, const char *name, int group,
                           const gsl_vector *v, double tol);
/* A cell's parameters (or their gradients) as four gated tensors named
 * PREFIX W_ih, W_hh, b_ih, b_hh; minus (or NULL) is subtracted first. */
void lab_add_params(lab_result *r, const char *prefix, int group,
                    const cell_params *p, const cell_params *minus,
                    const char *const *gates, double tol);

/* Per tensor and gate block: how many entries are wrong, the worst. */
typedef struct {
  size_t wrong, total;
  double worst;         /* worst relative error (inf: a NaN or Inf)    */
  size_t worst_at;      /* its flat index                              */
} lab_count;

typedef struct {
  lab_count all;
  lab_count gate[8];
  size_t ngate;
  size_t nstep;                 /* steps on the time axis, or 0 */
  unsigned char step_wrong[64]; /* step s (from 0) has a wrong entry */
} lab_cmp;

/* Compare got with want, tensor by tensor (same layout).  Returns the
 * number of wrong entries over all tensors; cmp (may be NULL) receives
 * one lab_cmp per tensor. */
size_t lab_compare(const lab_result *got, const lab_result *want,
                   lab_cmp *cmp);
/* rel = |a - b| / max(|a| + |b|, floor), 0 when a == b (the same
 * infinity) or both are NaN; inf when only one is not finite. */
double lab_rel(double a, double b, double floor);

/* ------------------------------------------------------------------ */
/* Labs, items and mutants                                             */
/* ------------------------------------------------------------------ */

typedef struct {
  int n;                /* 1 .. 7                                         */
  const char *title;    /* "Gates"                                        */
  const char *file;     /* "01-gates.c"                                   */
  unsigned deps;        /* bit k: the lab uses lab k's functions          */
} lab_lab;
extern const lab_lab lab_labs[8];   /* [1..7] */

/* An equation line of a lab file, for the pointers of hints and known
 * mistakes: the text as it stands in the file's comment. */
typedef struct {
  const char *key;      /* a gate ("z"), a tensor ("dh_prev") or "" (any) */
  const char *text;     /* "dz      = delta * (h_prev - n)"              */
} lab_eq;

typedef struct lab_item lab_item;
struct lab_item {
  int lab;
  const char *name;     /* "gru_step_backward"; the TAP test's name       */
  const char *what;     /* one line: what it checks                       */
  int fn;               /* the function it grades (routing), or -1        */
  /* Run impl on the item's problems into res.  The student's run and the
   * reference's go through the same code. */
  void (*run)(lab_result *res, const lab_impl *impl);
  /* Outcome items (training): no reference to compare with; judge the
   * student's result alone, writing the diagnosis; returns LAB_PASS or
   * LAB_FAIL.  NULL for the others. */
  int (*judge)(const lab_result *res);
  const char *sizes;    /* "B = 3, I = 5, H = 4 and B = 2, I = 3, H = 6" */
  const char *grows;    /* non-NULL: results are grouped by T; this names
                           the group ("T")                               */
  const char *hint;     /* hint level 1                                   */
  const lab_eq *eqs;    /* hint level 2 pointers, {NULL, NULL}-ended      */
  double time_scale;    /* of the time limit (training: more)             */
  int no_naming;        /* its result is a few verdicts that several known
                           mistakes share: name none of them here        */
};
extern const lab_item *const lab_items[];  /* NULL-ended, in order */
/* in an item's child: the lab's own functions that did not pass, routed */
void lab_route_within(const lab_item *it);

typedef struct {
  const char *id;       /* "03-z-swapped"                                  */
  int lab;
  const char *item;     /* the item it is named at                         */
  const char *title;    /* the mistake, one line                           */
  const char *eq;       /* the equation line it breaks (text in the file)  */
  const char *hint;     /* why, one or two lines                           */
  lab_impl impl;        /* its lab's functions                             */
} lab_mutant;
extern const lab_mutant lab_mutants[];     /* id == NULL ends it */

/* Find the equation text in the lab file: its line number, or 0. */
int lab_eq_line(int lab, const char *text);
/* The directory of the lab files the equations are looked up in. */
extern const char *lab_src_dir;

/* ------------------------------------------------------------------ */
/* Shared pieces of the items (items_common.c)                         */
/* ------------------------------------------------------------------ */

/* mt19937 seeded with seed; uniform in [lo, hi). */
gsl_rng *lab_rng(unsigned long seed);
void lab_fill_matrix(gsl_matrix *m, gsl_rng *r, double lo, double hi);
void lab_fill_vector(gsl_vector *v, gsl_rng *r, double lo, double hi);
void lab_fill_params(cell_params *p, gsl_rng *r, double lo, double hi);
/* Copy a cell's parameters into / out of a block laid out like the
 * library's model m (weight_ih_l0, weight_hh_l0, bias_ih_l0, bias_hh_l0). */
void lab_params_to_block(const cell_params *p, const grl_model *m, double *block);
void lab_params_from_block(cell_params *p, const grl_model *m, const double *block);
void lab_params_copy(cell_params *dst, const cell_params *src);

/* A problem for a cell: parameters ~ U(-0.9, 0.9), a sequence xs (T*B, I)
 * and initial states h0 (and c0 for the LSTM, G = 4) ~ U(-0.9, 0.9), all
 * drawn in that order from r = mt19937(seed), which the item then goes on
 * drawing from.  A step is T = 1: xs is x, h0 is h_prev. */
typedef struct {
  size_t G, T, B, I, H;
  gsl_rng *r;
  cell_params *p;
  gsl_matrix *xs, *h0, *c0;   /* c0: NULL unless G == 4 */
} lab_problem;
void lab_problem_alloc(lab_problem *q, size_t G, size_t T, size_t B, size_t I,
                       size_t H, unsigned long seed);
void lab_problem_free(lab_problem *q);

/* The value student code leaves in an output it does not write. */
#define LAB_GARBAGE 7.125

/* Run time limit and hint level, for the items' texts. */
extern int lab_hint;

#endif
