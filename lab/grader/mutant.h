/* mutant.h -- included first by each generated mutant (lab/mutants/ID.c):
 * renames the functions of the mutant's lab, LAB_MUTANT_LAB, to
 * LAB_MUTANT_PREFIX name (m03_z_swapped_gru_step_backward), so that every
 * mutant links into one grader beside the student's own functions.  Its
 * calls to earlier labs keep their names and are routed (wrap.c).  The
 * lists are grader.h's LAB_FUNCTIONS_N; a name missing here shows at link
 * time as a second definition.
 *
 * The mutants of one lab are compiled as one file, lab/mutants/NN-all.c,
 * which includes them one after another: so this header is read again
 * for each, and makes its renames anew.  lab.h is read once, for the
 * first, and declares that mutant's functions; for each later one, the
 * declarations lab.h would give are made here, from the same list.  A
 * solution that defines a name of its own at file scope (a static
 * helper) needs a rename here too, in its lab's list below, or the
 * mutants' copies of it clash in NN-all.c. */
#ifndef GRULAB_LAB_MUTANT_H
#define GRULAB_LAB_MUTANT_H

/* a mistake may leave a parameter or a variable unused */
#pragma GCC diagnostic ignored "-Wunused-parameter"
#pragma GCC diagnostic ignored "-Wunused-variable"
#pragma GCC diagnostic ignored "-Wunused-but-set-variable"

#define LAB_MCAT_(a, b) a##b
#define LAB_MCAT(a, b) LAB_MCAT_(a, b)
#define LAB_M(name) LAB_MCAT(LAB_MUTANT_PREFIX, name)

#endif

/* the previous mutant's renames, if any */
#undef lab_sigmoid
#undef lab_tanh
#undef lab_dsigmoid
#undef lab_dtanh
#undef gru_step_forward
#undef gru_step_backward
#undef gru_forward
#undef gru_backward
#undef rel_error
#undef numerical_gradient
#undef gradient_check
#undef clip_global_norm
#undef adam_step
#undef train_step
#undef lstm_step_forward
#undef lstm_step_backward

#if LAB_MUTANT_LAB == 1
#define lab_sigmoid LAB_M(lab_sigmoid)
#define lab_tanh LAB_M(lab_tanh)
#define lab_dsigmoid LAB_M(lab_dsigmoid)
#define lab_dtanh LAB_M(lab_dtanh)
#elif LAB_MUTANT_LAB == 2
#define gru_step_forward LAB_M(gru_step_forward)
#elif LAB_MUTANT_LAB == 3
#define gru_step_backward LAB_M(gru_step_backward)
#elif LAB_MUTANT_LAB == 4
#define gru_forward LAB_M(gru_forward)
#define gru_backward LAB_M(gru_backward)
#elif LAB_MUTANT_LAB == 5
#define rel_error LAB_M(rel_error)
#define numerical_gradient LAB_M(numerical_gradient)
#define gradient_check LAB_M(gradient_check)
#elif LAB_MUTANT_LAB == 6
#define clip_global_norm LAB_M(clip_global_norm)
#define adam_step LAB_M(adam_step)
#define train_step LAB_M(train_step)
#elif LAB_MUTANT_LAB == 7
#define lstm_step_forward LAB_M(lstm_step_forward)
#define lstm_step_backward LAB_M(lstm_step_backward)
#else
#error "LAB_MUTANT_LAB must be a lab number from 1 to 7"
#endif

#ifndef GRULAB_LAB_H
#include "lab.h"        /* its declarations take the renames above */
#else
/* lab.h was read for an earlier mutant: its declarations of this lab's
 * functions, under this mutant's names (LAB_OWN: as lab.h has it) */
#include "functions.h"
#undef LAB_MDECL
#define LAB_MDECL(lab, ret, fn, params, args) ret fn params;
#if LAB_MUTANT_LAB == 1
LAB_FUNCTIONS_1(LAB_MDECL)
#elif LAB_MUTANT_LAB == 2
LAB_FUNCTIONS_2(LAB_MDECL)
#elif LAB_MUTANT_LAB == 3
LAB_FUNCTIONS_3(LAB_MDECL)
#elif LAB_MUTANT_LAB == 4
LAB_FUNCTIONS_4(LAB_MDECL)
#elif LAB_MUTANT_LAB == 5
LAB_FUNCTIONS_5(LAB_MDECL)
LAB_OWN __typeof__(rel_error) rel_error;
#elif LAB_MUTANT_LAB == 6
LAB_FUNCTIONS_6(LAB_MDECL)
LAB_OWN __typeof__(clip_global_norm) clip_global_norm;
LAB_OWN __typeof__(adam_step) adam_step;
#elif LAB_MUTANT_LAB == 7
LAB_FUNCTIONS_7(LAB_MDECL)
#endif
#endif
