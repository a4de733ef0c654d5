# code.awk -- a lab file without its prose: prose blocks (a "/*" line and
# a "*/" line, each alone at column 0, and what is between) and empty
# lines left out.  The grader's tests compare the code of the blank a
# student gets, lab/NN-x.c, with the blank of lab/solutions/NN-x.c:
#   awk -f code.awk lab/NN-x.c
#   awk -f blank.awk lab/solutions/NN-x.c | awk -f code.awk
/^\/\*$/ { prose = 1; next }
prose && /^\*\/$/ { prose = 0; next }
prose || /^[ \t]*$/ { next }
{ print }
