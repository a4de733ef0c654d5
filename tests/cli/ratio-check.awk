# ratio-check.awk -- does the printed ratio e agree with g / p, given that
# each of the three was printed rounded to its own number of decimals?
#   awk -v g=GFLOPS -v p=PEAK -v e=EFFICIENCY -f ratio-check.awk
# Exit 0 if e lies in the range that g / p can take when g and p are each
# moved by half a unit of their last printed digit, widened by e's own
# rounding; exit 1 otherwise (or if p is not positive).
function half_ulp(s,   d) {
  d = index(s, ".")
  return d ? 0.5 * 10 ^ -(length(s) - d) : 0.5
}
BEGIN {
  dg = half_ulp(g); dp = half_ulp(p); de = half_ulp(e)
  if (!(p - dp > 0)) exit 1
  lo = (g - dg) / (p + dp) - de
  hi = (g + dg) / (p - dp) + de
  exit !(e + 0 >= lo && e + 0 <= hi)
}
