#!/usr/bin/env python3
"""xref.py -- every cross-reference in the chapters points somewhere real,
and no chapter builds on a later one (TAP; tests/chapters/xref.sh runs it).

    xref.py SRCDIR BUILDDIR NAME... [--lab FILE...]

NAME... is the book's chapter list, in order (chNN-slug); FILE... the lab's
files (lab/local.mk's LAB_FILE_NAMES), whose "chapter N" and "chapter N §K"
must resolve too.  For each chapter:
  - its sections: the prose blocks that start "## K. Title", numbered
    1, 2, ... in order, as many as the source has grl_lesson_section
    calls (the run numbers its sections by those calls);
  - its opening prose block has a "**Prerequisites:**" line naming only
    earlier chapters ("none" in the first chapter);
  - every reference, in its source (prose, code comments and the strings
    it prints) and in what it prints (--help, and its --quick run), resolves:
      chapter N, chapters N-M, chapters N and M   chapter N exists
      chapter N §K, chapter N §J, §K              chapter N has section K
      §K, section K, sections J and K             this chapter has section K
    ("the article's section K" is the article's, not ours).
A self-check first shows that the checker catches a bad reference.
"""
import os
import re
import subprocess
import sys

# the TAP helpers the notebook's tests share
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "notebook"))
from tap import done, ok  # noqa: E402



def number(name):
    return int(re.match(r"ch(\d+)-", name).group(1))


def prose_blocks(src):
    return re.findall(r"(?ms)^/\*\n(.*?)\n\*/$", src)


def sections(src):
    """The K of every prose block that starts '## K. ', in order."""
    return [int(m.group(1)) for b in prose_blocks(src)
            for m in [re.match(r"## (\d+)\. ", b)] if m]


NUM = r"(\d+)"
SEC = r"§\s?(\d+)(?:\s?[-–]\s?§?\s?(\d+))?"
# "chapter 7", "chapter 7 §4", "chapter 1 §3, §5", "chapter 7 §1-§3"
CHAP = re.compile(r"\bchapter\s+" + NUM + r"((?:(?:\s*,\s*|\s+and\s+|\s+)" + SEC + r")*)",
                  re.I)
# "chapters 1-8", "chapters 7 and 8", "Chapters 1–7"
CHAPS = re.compile(r"\bchapters\s+" + NUM + r"\s*(?:[-–]|and|to)\s*" + NUM, re.I)
LONE = re.compile(SEC)
SECTION = re.compile(r"(article(?:'s)?\s+)?\bsections?\s+" + NUM +
                     r"(?:\s*(?:[-–]|and|to)\s*" + NUM + r")?", re.I)
SEC_IN = re.compile(SEC)


def references(text):
    """[(chapter or None for this one, section or None, the text)]"""
    refs = []
    spans = []
    for m in CHAPS.finditer(text):
        refs.append((int(m.group(1)), None, m.group(0)))
        refs.append((int(m.group(2)), None, m.group(0)))
        spans.append(m.span())
    for m in CHAP.finditer(text):
        ch = int(m.group(1))
        refs.append((ch, None, m.group(0)))
        for s in SEC_IN.finditer(m.group(2) or ""):
            for g in s.groups():
                if g:
                    refs.append((ch, int(g), m.group(0)))
        spans.append(m.span())
    for m in LONE.finditer(text):
        if any(a <= m.start() < b for a, b in spans):
            continue
        for g in m.groups():
            if g:
                refs.append((None, int(g), m.group(0)))
    for m in SECTION.finditer(text):
        if m.group(1):          # the article's sections
            continue
        for g in m.groups()[1:]:
            if g:
                refs.append((None, int(g), m.group(0)))
    return refs


def check_refs(where, this, text, nsec):
    """The references in text (of chapter `this`) that do not resolve."""
    bad = []
    for ch, sec, what in references(text):
        target = this if ch is None else ch
        if target not in nsec:
            bad.append("%s: '%s': there is no chapter %d" % (where, what, target))
        elif sec is not None and not 1 <= sec <= nsec[target]:
            bad.append("%s: '%s': chapter %d has %d sections"
                       % (where, what, target, nsec[target]))
    return sorted(set(bad))


def prerequisites(src):
    """The text of the opening block's '**Prerequisites:**' paragraph."""
    blocks = prose_blocks(src)
    if not blocks:
        return None
    m = re.search(r"(?ms)^\*\*Prerequisites:\*\*(.*?)(?:\n\s*\n|\Z)", blocks[0])
    return m.group(1).strip() if m else None


def check_prereq(this, text, first):
    if text is None:
        return ["no '**Prerequisites:**' line in the opening prose block"]
    if first:
        return [] if text.rstrip(".").strip().lower() == "none" else \
            ["the first chapter's prerequisites are 'none', not '%s'" % text]
    bad = []
    for ch, _, what in references(text):
        if ch is None:
            bad.append("'%s' in the prerequisites names no chapter" % what)
        elif ch >= this:
            bad.append("'%s': chapter %d is not an earlier chapter" % (what, ch))
    if not references(text):
        bad.append("the prerequisites name no chapter: '%s'" % text)
    return bad


def run(binary, args):
    p = subprocess.run([binary] + args, capture_output=True, text=True,
                       encoding="utf-8", errors="replace")
    return p.returncode, p.stdout


def quick_output(name):
    """The exit status and stdout (without the notebook's markers) of the
    chapter's --quick run that the tests share: $XREF_RUNS/NAME.rc and
    NAME.run (tests/chapters/xref.sh)."""
    runs = os.environ["XREF_RUNS"]
    with open(os.path.join(runs, name + ".rc"), encoding="utf-8") as f:
        rc = int(f.read())
    with open(os.path.join(runs, name + ".run"), encoding="utf-8",
              errors="replace") as f:
        out = "".join(l for l in f if not l.startswith("#grl:"))
    return rc, out


def self_check():
    """The checker itself catches a bad reference and a later prerequisite."""
    nsec = {1: 3, 2: 2}
    text = ("See chapter 1 §2, §3 and chapter 2; §2 here, section 1, the"
            " article's section 9.")
    ok(check_refs("good", 2, text, nsec) == [],
       "self-check: references that resolve pass",
       check_refs("good", 2, text, nsec))
    for bad in ("chapter 3", "chapter 1 §4", "chapter 1 §2, §7", "§3",
                "section 5", "chapters 1-4"):
        ok(check_refs("bad", 2, bad, nsec) != [],
           "self-check: '%s' in chapter 2 is caught" % bad)
    ok(check_prereq(1, "chapter 2 §1", False) != [],
       "self-check: a later chapter as a prerequisite is caught")
    ok(check_prereq(2, "chapter 1 §3", False) == [],
       "self-check: an earlier chapter as a prerequisite passes")


def main(argv):
    srcdir, builddir, names = argv[1], argv[2], argv[3:]
    labs = []
    if "--lab" in names:
        labs = names[names.index("--lab") + 1:]
        names = names[:names.index("--lab")]
    self_check()
    srcs, nsec = {}, {}
    for name in names:
        with open(os.path.join(srcdir, "chapters", name + ".c"),
                  encoding="utf-8") as f:
            srcs[name] = f.read()
    for name in names:
        src = srcs[name]
        ks = sections(src)
        calls = len(re.findall(r"\bgrl_lesson_section\s*\(", src))
        ok(ks == list(range(1, len(ks) + 1)) and len(ks) == calls,
           "%s: prose sections ## 1. .. ## %d. in order, one per"
           " grl_lesson_section call (%d)" % (name, len(ks), calls),
           "prose headings: %r" % ks)
        nsec[number(name)] = len(ks)
    for k, name in enumerate(names):
        this = number(name)
        bad = check_prereq(this, prerequisites(srcs[name]), k == 0)
        ok(not bad, "%s: its prerequisites are earlier chapters" % name, *bad)
        bad = check_refs("chapters/%s.c" % name, this, srcs[name], nsec)
        ok(not bad, "%s: every reference in its source resolves" % name, *bad)
        binary = os.path.join(builddir, "chapters", name)
        rc, help_text = run(binary, ["--help"])
        rc2, out = quick_output(name)
        bad = check_refs("%s output" % name, this, help_text + out, nsec)
        ok(rc == 0 and rc2 == 0 and not bad,
           "%s: every reference it prints (--help, --quick) resolves" % name,
           *(bad + (["--help exited %d, --quick %d" % (rc, rc2)]
                    if rc or rc2 else [])))
    for f in labs:
        with open(os.path.join(srcdir, "lab", f), encoding="utf-8") as fh:
            text = fh.read()
        # the lab's own sections are not the book's: only "chapter N (§K)"
        bad = [b for b in check_refs("lab/" + f, 0, text, nsec)
               if "there is no chapter 0" not in b]
        ok(not bad, "lab/%s: every chapter it names, and section, exists" % f,
           *bad)
    return done()


if __name__ == "__main__":
    sys.exit(main(sys.argv))
