/* cell_naive.h -- to be written */
