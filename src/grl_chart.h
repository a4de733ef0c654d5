/* grl_chart.h -- chart writer and chapter (lesson) helpers: owned by the chapters engineer. Included by grulab.h. */
#ifndef GRULAB_GRL_CHART_H
#define GRULAB_GRL_CHART_H

#endif
