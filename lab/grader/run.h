/* run.h -- one item in a child process (run.c), graded by diagnose.c. */
#ifndef GRULAB_LAB_RUN_H
#define GRULAB_LAB_RUN_H

#include "grader.h"

typedef struct {
  int status;             /* LAB_PASS ... LAB_TIMEOUT                  */
  double seconds;         /* wall time of the child                    */
  unsigned long used_ref; /* bit f: function f ran as the library's     */
  char todo[64];          /* the function not written yet, if any       */
  char mutant[64];        /* the mistake it matched, if any             */
  char brief[256];        /* one line, for a CSV                        */
  char text[LAB_TEXT_MAX];/* the diagnosis, lines                       */
} lab_outcome;

/* Grade item it of impl student in a child with a time limit of
 * timeout * it->time_scale seconds.  0, or -1 if no child could be made
 * (out says why). */
int lab_run_item(const lab_item *it, const lab_impl *student, int timeout,
                 lab_outcome *out);

/* In the child: grade it, writing lab_sh; the status. */
int lab_grade(const lab_item *it, const lab_impl *student);

#endif
