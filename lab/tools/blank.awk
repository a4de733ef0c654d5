# blank.awk -- a lab file's blank from its solution: the lines between a
# "/* YOUR CODE */" line and the next "/* END YOUR CODE */" line become one
# LAB_TODO(); at the marker's indentation.  Everything else is kept as it
# is, so lab/NN-x.c (the blank a student edits) is exactly
#   awk -f lab/tools/blank.awk lab/solutions/NN-x.c
# An unclosed region is an error (exit status 1).
/^[ \t]*\/\* YOUR CODE \*\/[ \t]*$/ {
  if (inside) { print FILENAME ":" FNR ": YOUR CODE inside YOUR CODE" > "/dev/stderr"; bad = 1 }
  print
  indent = $0
  sub(/[^ \t].*$/, "", indent)
  print indent "LAB_TODO();"
  inside = 1
  regions++
  next
}
/^[ \t]*\/\* END YOUR CODE \*\/[ \t]*$/ {
  if (!inside) { print FILENAME ":" FNR ": END YOUR CODE without YOUR CODE" > "/dev/stderr"; bad = 1 }
  inside = 0
}
!inside { print }
END {
  if (inside) { print FILENAME ": a YOUR CODE region is not closed" > "/dev/stderr"; bad = 1 }
  if (regions == 0) { print FILENAME ": no YOUR CODE region" > "/dev/stderr"; bad = 1 }
  exit bad
}
