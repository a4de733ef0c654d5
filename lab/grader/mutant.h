/* mutant.h -- included first by each generated mutant (lab/mutants/ID.c):
 * renames the functions of the mutant's lab, LAB_MUTANT_LAB, to
 * LAB_MUTANT_PREFIX name (m03_z_swapped_gru_step_backward), so that every
 * mutant links into one grader beside the student's own functions.  Its
 * calls to earlier labs keep their names and are routed (wrap.c).  The
 * lists are grader.h's LAB_FUNCTIONS_N; a name missing here shows at link
 * time as a second definition. */
#ifndef GRULAB_LAB_MUTANT_H
#define GRULAB_LAB_MUTANT_H

/* a mistake may leave a parameter or a variable unused */
#pragma GCC diagnostic ignored "-Wunused-parameter"
#pragma GCC diagnostic ignored "-Wunused-variable"
#pragma GCC diagnostic ignored "-Wunused-but-set-variable"

#define LAB_MCAT_(a, b) a##b
#define LAB_MCAT(a, b) LAB_MCAT_(a, b)
#define LAB_M(name) LAB_MCAT(LAB_MUTANT_PREFIX, name)

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

#endif
