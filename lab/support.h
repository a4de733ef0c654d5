/* support.h -- the lab support's calls for the grader (not for students). */
#ifndef GRULAB_LAB_SUPPORT_H
#define GRULAB_LAB_SUPPORT_H

#include "lab.h"
#include "grulab.h"

/* Called by lab_todo() with the name of the function that is not written
 * yet; NULL: LAB_TODO() does nothing. */
extern void (*lab_todo_hook)(const char *function);

/* Append a flat view of data (n doubles) to a list; free the views. */
void tensor_list_add(tensor_list *l, const char *name, double *data, size_t n);
void tensor_list_free(tensor_list *l);

/* The library's model behind a net (gru, readout of one output), and the
 * net's six tensors into or out of a block laid out like that model's. */
const grl_model *gru_net_model(const gru_net *net);
void gru_net_to_block(const gru_net *net, const grl_model *m, double *block);
void gru_net_from_block(gru_net *net, const grl_model *m, double *block);

#endif
