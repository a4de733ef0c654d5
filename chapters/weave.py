#!/usr/bin/env python3
"""weave.py -- the notebook weaver: one HTML page per chapter, built from
the chapter's source and a real run of it.

    weave.py run  BINARY RUNDIR [--quick]
        Run one chapter with GRULAB_MARKERS=1, its charts into RUNDIR/NAME/
        and its output into RUNDIR/NAME.txt (written whole, at the end).
        Prints each section's title as the chapter reaches it.
    weave.py book --srcdir DIR --rundir DIR --out DIR [--quick] [--pdf] NAME...
        Render each chapter's charts to SVG (gnuplot's svg terminal and
        plots/style.gp), weave NAME.html per chapter and index.html, and,
        with --pdf, print pdf/NAME.pdf from each page (headless chromium).

How a page is put together -- nothing is guessed:
  * The run's output carries markers (chapters/lib/grl_lesson.h lists
    them: "#grl:section K LINE<TAB>TITLE", "#grl:chart NAME",
    "#grl:end", "#grl:exercise K TOL<TAB>TEXT").  Every section's output is
    the text between its marker and the next one, exactly as printed.
  * The source is cut into cells at its section banners: a top-level box
        /* ------------------------------------------------------------- */
        /* 3. Title                                                       */
        /* Prose ...                                                      */
        /* ------------------------------------------------------------- */
    and an inline banner inside a function,  /* ---- 3. title ----- ... */.
    A section's output goes to the cell that holds the source LINE of its
    grl_lesson_section call (the marker names it), with its charts.
  * Comments become Markdown by a few fixed rules (comment_markdown below):
    paragraphs, numbered lists, a one-line paragraph directly above an
    indented block is a heading, an indented block of lines that each start
    with $...$ is a column of equations (TeX, typeset by pandoc as MathML),
    any other indented block is shown as it is, in a fixed-width font.
  * pandoc does all the Markdown and HTML: this script only writes Markdown.

Why Python: the weaver is text plumbing around pandoc, gnuplot and chromium
(running programs, reading their output, writing Markdown); Python 3's
standard library does that in a few hundred lines.  It needs no module
outside the standard library; the browser test (tests/notebook/notebook-browser.sh)
is Python too.
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import time

MARK = "#grl:"
QUICK_NOTE = "quick run: numbers are not the chapter's results"

# Debian packages that provide the programs the notebook runs.
PACKAGES = {"pandoc": "pandoc", "gnuplot": "gnuplot-nox",
            "chromium": "chromium"}


def die(msg):
    sys.stderr.write("make notebook: %s\n" % msg)
    sys.exit(1)


def need(prog):
    path = shutil.which(prog)
    if not path:
        die("%s is missing; install the Debian package '%s'"
            " (apt-get install %s), or run ./bootstrap"
            % (prog, PACKAGES[prog], PACKAGES[prog]))
    return path


def write_whole(path, text):
    """Write text to path through a temporary file: whole or not at all."""
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(tmp, path)


# ---------------------------------------------------------------------------
# Running a chapter
# ---------------------------------------------------------------------------

def run_chapter(binary, rundir, quick):
    name = os.path.basename(binary)
    os.makedirs(os.path.join(rundir, name), exist_ok=True)
    args = [os.path.abspath(binary), "--outdir", name]
    if quick:
        args.append("--quick")
    env = dict(os.environ, GRULAB_MARKERS="1")
    print("  RUN      %s%s" % (name, " --quick" if quick else
                                " (default size)"), flush=True)
    t0 = time.monotonic()
    started = time.time()
    p = subprocess.Popen(args, cwd=rundir, env=env, stdout=subprocess.PIPE,
                         text=True, encoding="utf-8")
    out = []
    for line in p.stdout:
        out.append(line)
        if line.startswith(MARK + "section "):
            k, rest = line[len(MARK) + 8:].split(" ", 1)
            title = rest.split("\t", 1)[1].rstrip("\n")
            print("           %5.0fs  [%s] %s" % (time.monotonic() - t0, k,
                                                 title), flush=True)
    rc = p.wait()
    if rc != 0:
        die("%s exited with status %d; its output is in %s"
            % (name, rc, write_failed(rundir, name, out)))
    print("           %5.0fs  done" % (time.monotonic() - t0), flush=True)
    txt = os.path.join(rundir, name + ".txt")
    write_whole(txt, "".join(out))
    # Dated when the run STARTED: a program rebuilt while it ran is newer
    # than its output, so make runs it again.
    os.utime(txt, (started, started))


def write_failed(rundir, name, out):
    path = os.path.join(rundir, name + ".failed.txt")
    write_whole(path, "".join(out))
    return path


# ---------------------------------------------------------------------------
# Reading a run's output
# ---------------------------------------------------------------------------

class Section:
    def __init__(self, k, line, title):
        self.k, self.line, self.title = k, line, title
        self.lines = []      # the output, as printed, minus the rule line
        self.charts = []


def parse_run(text):
    run = {"name": None, "title": None, "head": [], "sections": [],
           "tail": [], "exercises": []}
    cur = run["head"]
    sec = None
    for line in text.split("\n"):
        if line.startswith(MARK):
            kind, _, rest = line[len(MARK):].partition(" ")
            if kind == "chapter":
                run["name"], run["title"] = rest.split("\t", 1)
            elif kind == "section":
                head, title = rest.split("\t", 1)
                k, ln = head.split()
                sec = Section(int(k), int(ln), title)
                run["sections"].append(sec)
                cur = sec.lines
            elif kind == "chart":
                if sec is None:
                    die("chart %s before the first section" % rest)
                sec.charts.append(rest.strip())
            elif kind == "end":
                cur = run["tail"]
            elif kind == "exercise":
                head, body = rest.split("\t", 1)
                k, tol = head.split()
                run["exercises"].append((int(k), float(tol),
                                         body.replace("\\n", "\n")))
            else:
                die("unknown marker '%s'" % line)
            continue
        cur.append(line)
    for s in run["sections"]:
        # Drop the section's own rule "== [K] Title ===" and blank edges.
        s.lines = [l for l in s.lines
                   if not l.startswith("== [%d] " % s.k)]
        s.lines = trim(s.lines)
    run["head"] = trim(run["head"])
    run["tail"] = trim(run["tail"])
    if not run["name"]:
        die("no #grl:chapter marker: was the chapter run by `weave.py run`?")
    return run


def trim(lines):
    while lines and not lines[0].strip():
        lines = lines[1:]
    while lines and not lines[-1].strip():
        lines = lines[:-1]
    return lines


# ---------------------------------------------------------------------------
# Reading a chapter's source
# ---------------------------------------------------------------------------

RULE = re.compile(r"^/\* -{20,} \*/\s*$")
BOXLINE = re.compile(r"^/\*(.*?)\*/\s*$")
INLINE = re.compile(r"^(\s+)/\* -{3,} (.*)$")


class Cell:
    def __init__(self, start, prose, title):
        self.start = start   # first source line (1-based) of the cell
        self.prose = prose   # comment lines, without the comment marks
        self.title = title
        self.code = []
        self.sections = []


def parse_source(text):
    lines = text.split("\n")
    # The opening comment.
    if not lines[0].startswith("/*"):
        die("a chapter must open with its comment")
    i = 0
    header = []
    while True:
        l = lines[i]
        end = "*/" in l
        l = l.split("*/")[0]
        l = re.sub(r"^/\* ?|^ \* ?|^ \*$", "", l)
        header.append(l.rstrip())
        i += 1
        if end:
            break
    cells = [Cell(i + 1, [], None)]   # the declarations before the first banner
    while i < len(lines):
        l = lines[i]
        m = INLINE.match(l)
        if RULE.match(l):
            prose = []
            j = i + 1
            while j < len(lines) and not RULE.match(lines[j]) \
                    and BOXLINE.match(lines[j]):
                prose.append(BOXLINE.match(lines[j]).group(1)[1:].rstrip())
                j += 1
            if j < len(lines) and RULE.match(lines[j]) and prose:
                cells.append(Cell(i + 1, prose[1:], prose[0].strip()))
                i = j + 1
                continue
            # A rule that opens no box is a separator: it stays in the code.
        if m:
            indent, rest = m.groups()
            prose = []
            first = rest
            j = i
            if "*/" in first:
                first = first.split("*/")[0]
            else:
                j += 1
                while j < len(lines) and "*/" not in lines[j]:
                    prose.append(re.sub(r"^\s*\* ?", "", lines[j]).rstrip())
                    j += 1
                last = re.sub(r"^\s*\* ?", "", lines[j].split("*/")[0]).rstrip()
                if last:
                    prose.append(last)
            title = re.sub(r"\s*-+\s*$", "", first).strip()
            cell = Cell(i + 1, prose, title)
            cell.indent = len(indent)
            cells.append(cell)
            i = j + 1
            continue
        cells[-1].code.append(l)
        i += 1
    for c in cells:
        c.code = trim(c.code)
        if getattr(c, "indent", 0):
            c.code = [l[c.indent:] if l[:c.indent].strip() == "" else l
                      for l in c.code]
    # The first paragraph is the file's title line ("chNN-slug.c -- Chapter
    # N: ..."), however many lines it wraps over: the page has its title.
    while header and header[0].strip():
        header = header[1:]
    return header, cells


# ---------------------------------------------------------------------------
# Comments to Markdown
# ---------------------------------------------------------------------------

SPAN = re.compile(r"(`[^`]+`|\$[^$\s](?:[^$]*[^$\s])?\$(?!\d))")
ITEM = re.compile(r"^(\d+)\.\s+")


TEXWORD = re.compile(r"(?<![^\s(\[])([^\s()\[\]]*[_^]\{[^\s]*?)(?=[.,;:)\]]*(?:\s|$))")


def texwords(text):
    """A word holding a TeX group, h_{t-1} or e^{-a}, is math: $h_{t-1}$.
    (Only words whose braces balance; anything else stays prose.)"""
    def wrap(m):
        w = m.group(1)
        return "$%s$" % w if w.count("{") == w.count("}") else w
    return TEXWORD.sub(wrap, text)


def escape(text):
    """Plain prose to Markdown: every character pandoc could read as markup
    is escaped, except `code` spans and $math$ spans, which pass through,
    and words with a TeX group (texwords), which become $math$."""
    text = "".join(texwords(part) if k % 2 == 0 else part
                   for k, part in enumerate(SPAN.split(text)))
    out = []
    for k, part in enumerate(SPAN.split(text)):
        if k % 2:
            out.append(part)
        else:
            out.append(re.sub(r"([\\`*_\[\]<>#|~^$@{}])", r"\\\1", part))
    s = "".join(out)
    # A paragraph that starts like a list item or a heading stays prose.
    s = re.sub(r"^(\d+)\.", r"\1\\.", s)
    s = re.sub(r"^([-+])", r"\\\1", s)
    return s


def indent_of(l):
    return len(l) - len(l.lstrip(" "))


def dedent(lines):
    n = min((indent_of(l) for l in lines if l.strip()), default=0)
    return [l[n:] for l in lines]


def comment_markdown(lines, heading="###"):
    """The Markdown of a comment's text (comment marks already removed)."""
    lines = dedent(trim(list(lines)))
    md = []
    i = 0
    while i < len(lines):
        l = lines[i]
        if not l.strip():
            i += 1
            continue
        if indent_of(l) > 0:
            j = i
            while j < len(lines) and (indent_of(lines[j]) > 0 or
                                      (not lines[j].strip() and j + 1 < len(lines)
                                       and indent_of(lines[j + 1]) > 0)):
                j += 1
            md.append(indented_markdown(dedent(lines[i:j]), heading))
            i = j
            continue
        if ITEM.match(l):
            items = []
            while i < len(lines) and ITEM.match(lines[i]):
                col = ITEM.match(lines[i]).end()
                body = [lines[i][col:]]
                i += 1
                while i < len(lines) and (indent_of(lines[i]) > 0 or
                                          (not lines[i].strip() and i + 1 < len(lines)
                                           and indent_of(lines[i + 1]) > 0)):
                    l2 = lines[i]
                    body.append(l2[min(col, indent_of(l2)):] if l2.strip() else "")
                    i += 1
                items.append(comment_markdown(body, None))
                while i < len(lines) and not lines[i].strip() and \
                        i + 1 < len(lines) and ITEM.match(lines[i + 1]):
                    i += 1
            for k, it in enumerate(items):
                body = it.strip("\n").split("\n")
                md.append("%-4s%s" % ("%d." % (k + 1), body[0]) + "".join(
                    "\n" + ("    " + b if b else "") for b in body[1:]))
            continue
        j = i
        while j < len(lines) and lines[j].strip() and indent_of(lines[j]) == 0 \
                and (j == i or not ITEM.match(lines[j])):
            j += 1
        para = " ".join(x.strip() for x in lines[i:j])
        if heading and j == i + 1 and j < len(lines) and lines[j].strip() \
                and indent_of(lines[j]) > 0 and len(para) < 60:
            md.append("%s %s" % (heading, escape(para.rstrip(":"))))
        else:
            md.append(escape(para))
        i = j
    return "\n\n".join(md) + "\n"


EQ = re.compile(r"^(\$[^$]+\$)(.*)$")


def indented_markdown(lines, heading):
    if ITEM.match(lines[0]):
        return comment_markdown(lines, heading)
    # Groups of lines between blank lines: a group of equations is typeset,
    # the other groups (with the blank lines between them) shown as they are.
    groups, cur = [], []
    for l in lines + [""]:
        if l.strip():
            cur.append(l)
        elif cur:
            groups.append(cur)
            cur = []
    out, plain = [], []
    for g in groups:
        if all(EQ.match(l) for l in g):
            if plain:
                out.append(fence(plain[:-1], "block"))
                plain = []
            out.append(equations(g))
        else:
            plain += g + [""]
    if plain:
        out.append(fence(plain[:-1], "block"))
    return "\n\n".join(out)


def equations(body):
    """A column of equations, each with its note beside it: a headerless
    pandoc table, so that the notes line up."""
    rows = []
    for l in body:
        math, note = EQ.match(l).groups()
        rows.append(("$\\displaystyle " + math[1:], escape(note.strip())))
    w = max(len(m) for m, _ in rows) + 2
    wn = max([len(n) for _, n in rows] + [4])
    rule = "-" * w + " " + "-" * wn
    out = ["::: equations", rule]
    out += [m.ljust(w) + " " + n for m, n in rows]
    out += [rule, ":::"]
    return "\n".join(out)


def fence(lines, cls):
    return "~~~~~~~~ {.%s}\n%s\n~~~~~~~~" % (cls, "\n".join(lines))


# ---------------------------------------------------------------------------
# Weaving a page
# ---------------------------------------------------------------------------

def learning_goals(header):
    """The items under "What you will learn", as Markdown (for the index)."""
    try:
        i = next(k for k, l in enumerate(header)
                 if l.strip().lower().startswith("what you will learn"))
    except StopIteration:
        return ""
    j = i + 1
    while j < len(header) and (not header[j].strip() or indent_of(header[j]) > 0):
        if not header[j].strip() and j + 1 < len(header) and \
                indent_of(header[j + 1]) == 0:
            break
        j += 1
    return comment_markdown(header[i + 1:j])


def nav(prev, nxt, index="index.html"):
    parts = []
    parts.append("[← %s](%s)" % (escape(prev[1]), prev[0]) if prev else
                 "[← Contents](%s)" % index)
    parts.append("[Contents](%s)" % index)
    parts.append("[%s →](%s)" % (escape(nxt[1]), nxt[0]) if nxt else
                 "[Contents →](%s)" % index)
    return "::: nav\n" + " · ".join(parts) + "\n:::\n"


def number_of(name):
    m = re.match(r"ch(\d+)", name)
    return int(m.group(1)) if m else 0


def weave_page(name, src_text, run, rundir, out, quick, prev, nxt):
    header, cells = parse_source(src_text)
    src_lines = src_text.split("\n")
    # Each section goes to the cell holding its grl_lesson_section line.
    for s in run["sections"]:
        if not (0 < s.line <= len(src_lines) and
                "grl_lesson_section" in src_lines[s.line - 1]):
            die("%s: section %d's marker names line %d, which does not call"
                " grl_lesson_section: the run is older than the source (run"
                " the chapter again)" % (name, s.k, s.line))
        owner = cells[0]
        for c in cells:
            if c.start <= s.line:
                owner = c
        owner.sections.append(s)
    md = []
    if quick:
        md.append("::: quick\n%s\n:::\n" % QUICK_NOTE)
    md.append(nav(prev, nxt))
    md.append(comment_markdown(header))
    md.append("::: source\nSource: [chapters/%s.c](src/%s.c.html) · "
              "the exact run below: `%s`\n:::\n"
              % (name, name, " ".join(["chapters/" + name] +
                                      (["--quick"] if quick else []))))
    md.append("## The run\n")
    md.append(fence(run["head"], "output"))
    cells[0].title = "The chapter's declarations"
    md.extend(cells_markdown(cells, run["sections"], name, rundir))
    md.append("## The end of the run\n")
    md.append(fence(run["tail"], "output"))
    if run["exercises"]:
        md.append("## Exercises\n")
        for k, tol, text in run["exercises"]:
            body = comment_markdown(text.split("\n"), "####")
            if tol > 0:
                body += ("\nCheck your number: `chapters/%s --answer %d VALUE`"
                         " (right within %g%%).\n" % (name, k, tol * 100))
            lines = body.strip("\n").split("\n")
            md.append("%-4s%s" % ("%d." % k, lines[0]) + "".join(
                "\n" + ("    " + b if b else "") for b in lines[1:]))
    md.append(nav(prev, nxt))
    return "\n\n".join(md) + "\n"


def cell_head(c):
    """A cell's heading, prose and code (its outputs come separately)."""
    md = []
    title = c.title or ""
    if len(c.sections) == 1:
        s = c.sections[0]
        md.append("## %d. %s {#s%d}\n" % (s.k, escape(s.title), s.k))
    else:
        t = re.sub(r"^(\d+|and\b|[\s.,:\-–])+", "", title)
        t = t[:1].upper() + t[1:]
        md.append("%s %s\n" % ("##" if c.sections else "###", escape(t)))
    if c.prose:
        md.append(comment_markdown(c.prose, "####"))
    if c.code:
        code = fence(c.code, "c")
        if title == "The chapter's declarations":
            code = ("<details><summary>the includes, the chapter's options,"
                    " charts and exercises</summary>\n\n" + code +
                    "\n\n</details>")
        md.append(code)
    return md


def section_output(c, s, name, rundir, level):
    """Section s's output and charts; a heading of its own (at level) when
    its cell holds more than one section."""
    md = []
    if len(c.sections) > 1:
        md.append("%s %d. %s {#s%d}\n" % (level, s.k, escape(s.title), s.k))
    md.append("::: {.outlabel}\noutput of section %d\n:::\n" % s.k)
    md.append(fence(s.lines, "output"))
    for chart in s.charts:
        svg = "charts/%s.svg" % chart
        dat = os.path.join(rundir, name, chart + ".dat")
        if not os.path.exists(dat):
            die("%s: chart %s has no data file %s" % (name, chart, dat))
        # The chart's title is drawn in the chart itself; the caption
        # names the chart and links its numbers and its script.
        md.append("![chart %s: [the numbers](charts/%s.dat), [the gnuplot"
                  " script](charts/%s.gp)](%s){.chart}\n"
                  % (chart, chart, chart, svg))
    return md


def cells_markdown(cells, sections, name, rundir):
    """The page follows the run: for each section in the order it printed,
    its cell (prose and code) if not yet shown, then its output.  Cells
    without a section (helpers) come just before the first shown cell
    that follows them in the source; any left over come at the end."""
    md, shown, last = [], set(), None
    def show(c):
        shown.add(id(c))
        if c.code or c.sections:
            md.extend(cell_head(c))
    for s in sections:
        owner = next(c for c in cells if s in c.sections)
        if id(owner) not in shown:
            for c in cells:
                if c is owner:
                    break
                if id(c) not in shown and not c.sections:
                    show(c)
            show(owner)
        # An output that no longer sits under its own cell gets a heading
        # of the top level.
        level = "###" if last in (None, owner) else "##"
        if len(owner.sections) > 1 and last is not owner and \
                owner.sections[0] is not s:
            level = "##"
        md.extend(section_output(owner, s, name, rundir, level))
        last = owner
    for c in cells:
        if id(c) not in shown:
            show(c)
    return md


def pandoc(md, out_html, title, srcdir, extra_css=""):
    template = os.path.join(srcdir, "chapters", "notebook", "template.html")
    args = [need("pandoc"), "--from", "markdown+tex_math_dollars",
            "--to", "html5", "--standalone", "--mathml",
            "--template", template, "--highlight-style", "tango",
            "--metadata", "title=" + title, "--metadata", "lang=en",
            "--variable", "pagecss=" + extra_css, "--output", out_html]
    p = subprocess.run(args, input=md, text=True, encoding="utf-8",
                       capture_output=True)
    if p.returncode != 0 or p.stderr.strip():
        sys.stderr.write(p.stderr)
        die("pandoc failed on %s" % out_html)


def render_charts(rundir, name, out, srcdir):
    gnuplot = need("gnuplot")
    d = os.path.join(rundir, name)
    for gp in sorted(os.listdir(d)):
        if not gp.endswith(".gp"):
            continue
        base = gp[:-3]
        svg = os.path.join(out, "charts", base + ".svg")
        for ext in (".dat", ".gp"):
            shutil.copyfile(os.path.join(d, base + ext),
                            os.path.join(out, "charts", base + ext))
        p = subprocess.run(
            [gnuplot, "-e", "set loadpath '%s'" % os.path.join(srcdir, "plots"),
             "-e", "grl_term='svg'; grl_output='%s'" % (svg + ".tmp"), gp],
            cwd=d, capture_output=True, text=True)
        if p.returncode != 0 or p.stderr.strip():
            sys.stderr.write(p.stderr)
            die("gnuplot failed or warned on %s/%s" % (d, gp))
        os.replace(svg + ".tmp", svg)


def page_css(number, title, quick):
    """The handout's running header: the chapter, on every printed page."""
    head = "grulab · Chapter %d: %s%s" % (number, title,
                                          " · " + QUICK_NOTE if quick else "")
    head = head.replace("\\", "\\\\").replace('"', '\\"')
    return "@page { @top-center { content: \"%s\"; } }" % head


def print_pdf(html_path, pdf_path):
    chromium = need("chromium")
    tmp = pdf_path + ".tmp.pdf"
    args = [chromium, "--headless", "--no-sandbox", "--disable-gpu",
            "--no-pdf-header-footer", "--run-all-compositor-stages-before-draw",
            "--virtual-time-budget=5000", "--print-to-pdf=" + tmp,
            "file://" + os.path.abspath(html_path)]
    p = subprocess.run(args, capture_output=True, text=True)
    if p.returncode != 0 or not os.path.exists(tmp):
        sys.stderr.write(p.stderr)
        die("chromium could not print %s" % html_path)
    os.replace(tmp, pdf_path)


def book(srcdir, rundir, out, quick, pdf, names):
    shown = out
    srcdir, rundir, out = (os.path.abspath(d) for d in (srcdir, rundir, out))
    for sub in ("charts", "src", "pdf"):
        os.makedirs(os.path.join(out, sub), exist_ok=True)
    shutil.copyfile(os.path.join(srcdir, "chapters", "notebook", "notebook.css"),
                    os.path.join(out, "notebook.css"))
    runs, titles = {}, {}
    for name in names:
        txt = os.path.join(rundir, name + ".txt")
        if not os.path.exists(txt):
            die("%s was not run (no %s)" % (name, txt))
        with open(txt, encoding="utf-8") as f:
            runs[name] = parse_run(f.read())
        titles[name] = runs[name]["title"]
    pages = []
    for k, name in enumerate(names):
        print("  WEAVE    %s/%s.html" % (shown, name), flush=True)
        render_charts(rundir, name, out, srcdir)
        src = os.path.join(srcdir, "chapters", name + ".c")
        with open(src, encoding="utf-8") as f:
            src_text = f.read()
        shutil.copyfile(src, os.path.join(out, "src", name + ".c"))
        source_page(name, src_text, out, srcdir, quick)
        prev = (names[k - 1] + ".html", "Chapter %d" % number_of(names[k - 1])) \
            if k > 0 else None
        nxt = (names[k + 1] + ".html", "Chapter %d" % number_of(names[k + 1])) \
            if k + 1 < len(names) else None
        md = weave_page(name, src_text, runs[name], rundir, out, quick, prev, nxt)
        title = "Chapter %d: %s" % (number_of(name), titles[name])
        html_path = os.path.join(out, name + ".html")
        pandoc(md, html_path, title, srcdir,
               page_css(number_of(name), titles[name], quick))
        pages.append((name, title, html_path, parse_source(src_text)[0]))
    print("  WEAVE    %s/index.html" % shown, flush=True)
    index(srcdir, out, quick, pages, pdf)
    if pdf:
        for name, title, html_path, _ in pages:
            print("  PDF      %s/pdf/%s.pdf" % (shown, name), flush=True)
            print_pdf(html_path, os.path.join(out, "pdf", name + ".pdf"))
    print("make notebook: open %s" % os.path.join(shown, "index.html"))


def source_page(name, src_text, out, srcdir, quick):
    md = ("::: quick\n%s\n:::\n\n" % QUICK_NOTE if quick else "") + \
        ("::: nav\n[← the chapter](../%s.html) · [plain text](%s.c)\n:::\n\n"
         % (name, name)) + fence(src_text.rstrip("\n").split("\n"), "c .numberLines")
    pandoc(md, os.path.join(out, "src", name + ".c.html"),
           "chapters/%s.c" % name, srcdir,
           "@page { @top-center { content: \"chapters/%s.c\"; } }" % name)
    # the page lives one level down: point it at the shared style sheet
    p = os.path.join(out, "src", name + ".c.html")
    with open(p, encoding="utf-8") as f:
        t = f.read()
    write_whole(p, t.replace('href="notebook.css"', 'href="../notebook.css"'))


def index(srcdir, out, quick, pages, pdf):
    with open(os.path.join(srcdir, "chapters", "notebook", "index.md"),
              encoding="utf-8") as f:
        intro = f.read()
    md = []
    if quick:
        md.append("::: quick\n%s\n:::\n" % QUICK_NOTE)
    md.append(intro)
    md.append("## The chapters\n")
    for name, title, _, header in pages:
        goals = learning_goals(header)
        md.append("### [%s](%s.html)\n" % (escape(title), name))
        md.append("::: goals\n" + goals + "\n:::\n")
        links = ["[read it](%s.html)" % name]
        if pdf:
            links.append("[the handout (PDF, A4)](pdf/%s.pdf)" % name)
        links.append("[the source](src/%s.c.html)" % name)
        md.append(" · ".join(links) + "\n")
    pandoc("\n\n".join(md), os.path.join(out, "index.html"),
           "grulab: a GRU, step by step", srcdir,
           "@page { @top-center { content: \"grulab\"; } }")


def main(argv):
    ap = argparse.ArgumentParser(prog="weave.py",
                                 description="the grulab notebook weaver")
    sub = ap.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("run", help="run one chapter with its markers")
    r.add_argument("binary")
    r.add_argument("rundir")
    r.add_argument("--quick", action="store_true")
    b = sub.add_parser("book", help="weave the pages, charts and PDFs")
    b.add_argument("--srcdir", required=True)
    b.add_argument("--rundir", required=True)
    b.add_argument("--out", required=True)
    b.add_argument("--quick", action="store_true")
    b.add_argument("--pdf", action="store_true")
    b.add_argument("names", nargs="+", metavar="NAME")
    t = sub.add_parser("check-tools", help="say which package is missing")
    t.add_argument("--pdf", action="store_true")
    a = ap.parse_args(argv[1:])
    if a.cmd == "check-tools":
        for prog in ["pandoc", "gnuplot"] + (["chromium"] if a.pdf else []):
            need(prog)
    elif a.cmd == "run":
        run_chapter(a.binary, a.rundir, a.quick)
    else:
        book(a.srcdir, a.rundir, a.out, a.quick, a.pdf,
             [os.path.basename(n) for n in a.names])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
