/* wrap.c -- a call from one lab into another, routed.
 *
 * The grader is linked with --wrap=NAME for every lab function (LAB_WRAP
 * in lab/local.mk): a call to NAME from another object file -- lab 4's
 * time loop calling gru_step_forward of lab 2, or a mutant of lab 3
 * calling lab_dsigmoid of lab 1 -- reaches __wrap_NAME here, which runs
 * the student's own NAME (__real_NAME) when it passes its item, and the
 * library's (ref_NAME) when it does not.  So each lab is graded on its
 * own, on the student's earlier labs where they are right.  Calls inside
 * one file are not routed (they are not undefined in it).
 *
 * Every routed call is also put on the record's stack, so a crash names
 * the function it happened in. */
#include <config.h>
#include "grader.h"

int lab_route_student[LAB_NFN];

const lab_impl lab_student = {
#define X(lab, ret, fn, params, args) .fn = __real_##fn,
  LAB_FUNCTIONS(X)
#undef X
};

const lab_impl lab_reference = {
#define X(lab, ret, fn, params, args) .fn = ref_##fn,
  LAB_FUNCTIONS(X)
#undef X
};

const char *const lab_fn_name[LAB_NFN] = {
#define X(lab, ret, fn, params, args) #fn,
  LAB_FUNCTIONS(X)
#undef X
};

const int lab_fn_lab[LAB_NFN] = {
#define X(lab, ret, fn, params, args) lab,
  LAB_FUNCTIONS(X)
#undef X
};

void lab_enter(int fn, int via_ref)
{
  if (!lab_sh)
    return;
  int d = lab_sh->depth++;
  if (d >= 0 && d < 16) {
    lab_sh->stack[d] = fn;
    lab_sh->stack_ref[d] = via_ref;
  }
  if (via_ref)
    lab_sh->used_ref |= 1ul << fn;
}

void lab_leave(void)
{
  if (lab_sh && lab_sh->depth > 0)
    lab_sh->depth--;
}

/* The dispatch of one call: the student's function or the library's. */
#define LAB_ROUTE(fn, args)                                              \
  int ref_ = !lab_route_student[LAB_FN_##fn];                            \
  lab_enter(LAB_FN_##fn, ref_)
#define ROUTE_void(fn, args)                                             \
  LAB_ROUTE(fn, args);                                                   \
  if (ref_)                                                              \
    ref_##fn args;                                                       \
  else                                                                   \
    __real_##fn args;                                                    \
  lab_leave()
#define ROUTE_VALUE(type, fn, args)                                      \
  LAB_ROUTE(fn, args);                                                   \
  type v_ = ref_ ? ref_##fn args : __real_##fn args;                     \
  lab_leave();                                                           \
  return v_
#define ROUTE_double(fn, args) ROUTE_VALUE(double, fn, args)
#define ROUTE_int(fn, args) ROUTE_VALUE(int, fn, args)

#define X(lab, ret, fn, params, args)                                    \
  ret __wrap_##fn params;                                                \
  ret __wrap_##fn params { ROUTE_##ret(fn, args); }
LAB_FUNCTIONS(X)
#undef X
