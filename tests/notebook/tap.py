"""tap.py -- TAP for the notebook's Python tests (notebook_check.py,
notebook_browser.py): ok() prints one result, done() the plan at the end.
"""
import sys

_n = 0
_failed = 0


def ok(cond, name, *diag):
    """One test: "ok N - NAME", or "not ok" and each line of diag as "# "."""
    global _n, _failed
    _n += 1
    print("%s %d - %s" % ("ok" if cond else "not ok", _n, name), flush=True)
    if not cond:
        _failed += 1
        for d in diag:
            for line in str(d).split("\n"):
                print("# " + line)
    return cond


def done():
    """The plan, 1..N, after the last test; the exit status (1 if any failed)."""
    print("1..%d" % _n)
    return 1 if _failed else 0


def skip_all(reason):
    """Nothing can run here: say why, and exit as TAP's skip."""
    print("1..0 # SKIP %s" % reason)
    sys.exit(0)
