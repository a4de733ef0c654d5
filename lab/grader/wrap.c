/* wrap.c -- a call from one lab into another, routed.
 *
 * The grader is linked with --wrap=NAME for every lab function (LAB_WRAP
 * in lab/local.mk): a call to NAME from another object file -- lab 4's
 * time loop calling gru_step_forward of lab 2, or a mutant of lab 3
 * calling lab_dsigmoid of lab 1 -- reaches __wrap_NAME here, which runs
 * the student's own NAME (__real_NAME) when it passes its item, and the
 * library's (ref_NAME) when it does not.  So each lab is graded on its
 * own, on the student's earlier labs where they are right.  Calls inside
 * one file are not undefined in it, so --wrap cannot route them: in the
 * item's child process, lab_route_within() makes each of the lab's own
 * functions that did not pass (rel_error, clip_global_norm, adam_step:
 * LAB_OWN in lab.h keeps them real calls) jump to __wrap_NAME, so that
 * gradient_check and train_step are graded on the library's where the
 * student's is wrong (x86 only; elsewhere such calls stay the student's).
 *
 * Every routed call is also put on the record's stack, so a crash names
 * the function it happened in. */
#include <config.h>
#include "grader.h"

#include <stdint.h>
#include <string.h>
#if defined __x86_64__ || defined __i386__
#include <sys/mman.h>
#include <unistd.h>
#endif

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

static void *const lab_real[LAB_NFN] = {
#define X(lab, ret, fn, params, args) (void *)(uintptr_t)__real_##fn,
  LAB_FUNCTIONS(X)
#undef X
};

static void *const lab_wrapper[LAB_NFN] = {
#define X(lab, ret, fn, params, args) (void *)(uintptr_t)__wrap_##fn,
  LAB_FUNCTIONS(X)
#undef X
};

/* Only the LAB_OWN functions of lab.h: those that an item calls directly
 * (gradient_check for "your checker on a GRU", train_step for the
 * training) are what it grades, the student's own, passed or not. */

/* Overwrite the start of function from with a jump to to. */
static int patch_jump(void *from, void *to)
{
#if defined __x86_64__ || defined __i386__
  unsigned char *p = from;
  intptr_t rel = (intptr_t)to - ((intptr_t)p + 5);
  if (rel != (intptr_t)(int32_t)rel)
    return -1;
  uintptr_t pg = (uintptr_t)sysconf(_SC_PAGESIZE);
  uintptr_t start = (uintptr_t)p & ~(pg - 1);
  size_t len = (uintptr_t)p + 5 - start;
  if (mprotect((void *)start, len, PROT_READ | PROT_WRITE | PROT_EXEC) != 0)
    return -1;
  int32_t r = (int32_t)rel;
  p[0] = 0xE9;                   /* jmp rel32 */
  memcpy(p + 1, &r, 4);
  mprotect((void *)start, len, PROT_READ | PROT_EXEC);
  __builtin___clear_cache((char *)p, (char *)p + 5);
  return 0;
#else
  (void)from, (void)to;
  return -1;
#endif
}

void lab_route_within(const lab_item *it)
{
  for (int f = 0; f < LAB_NFN; f++)
    if ((f == LAB_FN_rel_error || f == LAB_FN_clip_global_norm ||
         f == LAB_FN_adam_step) &&
        lab_fn_lab[f] == it->lab && f != it->fn && !lab_route_student[f])
      patch_jump(lab_real[f], lab_wrapper[f]);
}
