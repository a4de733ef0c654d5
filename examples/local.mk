# examples/local.mk -- programs that use libgrulab as a user would, through
# the public header alone.  Built in the tree (make), and against an
# installed prefix by tests/lib/install.sh.
noinst_PROGRAMS += examples/forward
examples_forward_LDADD = src/lib/libgrulab.la $(GRL_LIBS)
