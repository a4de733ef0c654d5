/* grl_gcreport.h -- a gradient check's report (grl_gradcheck.h) as the
 * table `grulab gradcheck` and chapter 5 print.  Not part of libgrulab,
 * which never prints. */
#ifndef GRULAB_GRL_GCREPORT_H
#define GRULAB_GRL_GCREPORT_H

#include <stdio.h>
#include "grulab.h"

/* The per-tensor table (without its final "worst relative error" line,
 * which grl_gradcheck_report_summary formats).  GRL_EIO if writing
 * fails. */
int grl_gradcheck_report_write(FILE *f, const grl_gradcheck_report *rep);
/* "worst relative error: E (cell C, method M, step h, N entries)" into
 * buf (no newline). */
void grl_gradcheck_report_summary(const grl_gradcheck_report *rep, char *buf,
                                  size_t len);

#endif
