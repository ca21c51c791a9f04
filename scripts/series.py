#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Turn the pristine kernel tree plus patches/series.manifest into the Rex
patch series.

  series.py build            commit the series onto the pristine tree in
                             $REX_CACHE/series with the identity of the
                             committed one, print the head commit
  series.py generate [DIR]   build, then write format-patch output into DIR
                             (default: patches/ of this repository)
  series.py check            fail if patches/ is stale, does not apply with
                             git am, or checkpatch --strict reports errors
                             or warnings (CHECKs are listed)
  series.py postable [--self-test]
                             fail if patches/ is not fit to post: made
                             without an identity, or a patch lacks its
                             author's Signed-off-by

The series' author, who signs off every patch and is the M: of the
MAINTAINERS entry, is whoever generates it: REX_SERIES_AUTHOR ("Name
<email>"), else git's user.name and user.email (scripts/rex.sh passes
the host's).  Without one, or with an address in a domain reserved by
RFC 2606 (example, invalid, test, localhost), the series is made for
review and testing only: the author is NO_AUTHOR, the patches carry no Signed-off-by (a
sign-off is a person's), the subjects say DO NOT POST and "postable"
fails.  "check" makes the series again with the identity of the
committed one, so that it checks what the series is, not who made it.
"""

import filecmp
import hashlib
import io
import csv
import os
import re
import shutil
import subprocess
import sys
import tempfile

SRC = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CACHE = os.environ.get("REX_CACHE", os.path.expanduser("~/.cache/rex"))
TREE = os.path.join(CACHE, "linux")
WORK = os.path.join(CACHE, "series")
MANIFEST = os.path.join(SRC, "patches", "series.manifest")
DIFFS = os.path.join(SRC, "patches", "diffs")
DATE = "2026-01-01T00:00:00Z"
# Identity and dates of the generated commits, fixed so that the series is
# reproducible; the author is set by build().
IDENT = {"GIT_AUTHOR_DATE": DATE, "GIT_COMMITTER_DATE": DATE,
         "GIT_AUTHOR_NAME": "Rex tooling", "GIT_AUTHOR_EMAIL": "rex@localhost",
         "GIT_COMMITTER_NAME": "Rex tooling",
         "GIT_COMMITTER_EMAIL": "rex@localhost"}
# The author of a series made without an identity: no person, no list.
NO_AUTHOR = "DO NOT POST <do-not-post@invalid>"
AUTHOR_RE = r"[^<>@]*[^<>@\s] <[^<>@\s]+@[^<>@\s]+>"
# Addresses in the domains RFC 2606 reserves reach no one: an identity
# with one is a placeholder (a machine's or a test's), not a person who
# can sign off.
PLACEHOLDER_RE = (r"@(?:[^>]*\.)?(?:example(?:\.(?:com|net|org))?|invalid|test|"
                  r"localhost|localdomain)>$")
# Where overlay files live; each must belong to exactly one patch.
OVERLAY_ROOTS = ("arch", "Documentation", "include", "kernel", "samples",
                 "tools")


def die(msg):
    sys.exit("series: " + msg)


def git(*args, cwd=TREE, stdin=None):
    r = subprocess.run(["git"] + list(args), cwd=cwd, input=stdin, text=True,
                       env=dict(os.environ, **IDENT),
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if r.returncode:
        die("git %s failed:\n%s%s" % (" ".join(args), r.stdout or "",
                                      r.stderr or ""))
    return (r.stdout or "").strip()


def identity():
    """The series' author as "Name <email>", or None: REX_SERIES_AUTHOR,
    else git's user.name and user.email as seen from this repository."""
    author = os.environ.get("REX_SERIES_AUTHOR", "").strip()
    if not author:
        conf = [subprocess.run(["git", "config", "--get", k], cwd=SRC, text=True,
                               stdout=subprocess.PIPE).stdout.strip()
                for k in ("user.name", "user.email")]
        author = "%s <%s>" % tuple(conf) if all(conf) else ""
    if author and (not re.fullmatch(AUTHOR_RE, author) or author == NO_AUTHOR):
        die("the series' author must be \"Name <email>\", not \"%s\"" % author)
    if author and re.search(PLACEHOLDER_RE, author):
        print("series: %s is no one's address (a reserved domain): the series "
              "is made DO NOT POST" % author, file=sys.stderr)
        return None
    return author or None


def committed_author(patches=os.path.join(SRC, "patches")):
    """The author of the series in @patches (None if it was made without
    one), from the From: line of its cover letter."""
    cover = [f for f in os.listdir(patches)
             if f.startswith("0000-") and f.endswith(".patch")]
    if not cover:
        return None
    with open(os.path.join(patches, cover[0])) as f:
        m = re.search(r"^From: (.*)$", f.read(), re.M)
    return m.group(1) if m and m.group(1) != NO_AUTHOR else None


def parse_manifest():
    """Return (series, patches): dicts with headers and a 'body'."""
    blocks, cur = [], None
    with open(MANIFEST) as f:
        for line in f:
            line = line.rstrip("\n")
            if line.startswith("#") and cur is None:
                continue
            m = re.fullmatch(r"\[(series|patch)\]", line)
            if m:
                cur = {"kind": m.group(1), "body": [], "in_body": False}
                blocks.append(cur)
                continue
            if cur is None:
                continue
            if not cur["in_body"]:
                if line == "":
                    cur["in_body"] = True
                    continue
                key, _, val = line.partition(":")
                cur[key.strip()] = val.strip()
            else:
                cur["body"].append(line)
    for b in blocks:
        b["body"] = "\n".join(b["body"]).strip() + "\n"
    series = [b for b in blocks if b["kind"] == "series"]
    patches = [b for b in blocks if b["kind"] == "patch"]
    if len(series) != 1 or not patches:
        die("manifest needs one [series] and at least one [patch]")
    return series[0], patches


def overlay_files():
    """Files of this repository that belong in the kernel tree."""
    out = subprocess.run(["git", "ls-files", "-co", "--exclude-standard", "--"]
                         + list(OVERLAY_ROOTS), cwd=SRC, text=True,
                         stdout=subprocess.PIPE, check=True).stdout
    return sorted(p for p in out.split() if os.path.isfile(os.path.join(SRC, p)))


def patch_files(patch, all_files):
    files = []
    for spec in patch.get("files", "").split():
        spec = spec.rstrip("/")
        hit = [p for p in all_files if p == spec or p.startswith(spec + "/")]
        if not hit:
            die("%s: no file matches '%s'" % (patch["subject"], spec))
        files += hit
    return files


def update_maintainers(path, author):
    """Write the Rex entry of MAINTAINERS-snippet into @path, in order,
    with only the F: patterns that exist in the tree so far, so that every
    patch that adds files also covers them (checkpatch FILE_PATH_CHANGES);
    its M: @AUTHOR@ is @author, and is left out without one."""
    top = os.path.dirname(path)
    with open(os.path.join(SRC, "MAINTAINERS-snippet")) as f:
        entry = [l.replace("@AUTHOR@", author or "")
                 for l in f.read().rstrip("\n").split("\n")
                 if (not l.startswith("F:\t") or
                     os.path.exists(os.path.join(top, l[3:]))) and
                 (author or "@AUTHOR@" not in l)]
    name = entry[0]
    with open(path) as f:
        lines = f.read().split("\n")
    if name in lines:
        i = lines.index(name)
        j = lines.index("", i)
        del lines[i:j + 1]
    # An entry header is a non-field line after a blank line, followed by
    # a field line ("X:<tab>...").  Insert before the header that follows
    # the greatest header sorting before ours.
    headers = [i for i in range(1, len(lines) - 1)
               if lines[i - 1] == "" and lines[i] and
               not re.match(r"[A-Z]:\t", lines[i]) and
               re.match(r"[A-Z]:\t", lines[i + 1])]
    before = [i for i in headers if lines[i].upper() < name.upper()]
    if not before:
        die("no place for the MAINTAINERS entry")
    prev = max(before, key=lambda i: lines[i].upper())
    nxt = min(i for i in headers if i > prev)
    lines[nxt:nxt] = entry + [""]
    with open(path, "w") as f:
        f.write("\n".join(lines))


def worktree(path):
    """Make @path a worktree of the kernel tree, unless it is one already.

    A worktree whose metadata was pruned (for example by git run outside
    the environment, where the cache has another path) is made again.
    """
    ok = os.path.isdir(path) and subprocess.run(
        ["git", "rev-parse", "--git-dir"], cwd=path, stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL).returncode == 0
    if not ok:
        shutil.rmtree(path, ignore_errors=True)
        git("worktree", "prune")
        git("worktree", "add", "-f", "--detach", path, "pristine")


def inputs_key(all_files, author):
    """A digest of everything the series is made from: the pristine
    commit, the author, this script, the manifest, the diffs, the
    MAINTAINERS entry and the overlay files (names and contents)."""
    h = hashlib.sha256(git("rev-parse", "pristine").encode())
    h.update(b"\0" + (author or "").encode())
    paths = [os.path.abspath(__file__), MANIFEST,
             os.path.join(SRC, "MAINTAINERS-snippet")]
    paths += sorted(os.path.join(DIFFS, d) for d in os.listdir(DIFFS))
    paths += [os.path.join(SRC, f) for f in all_files]
    for p in paths:
        h.update(b"\0" + os.path.relpath(p, SRC).encode() + b"\0")
        with open(p, "rb") as f:
            h.update(f.read())
    return h.hexdigest()


def build(author):
    """Commit the series of @author (None: NO_AUTHOR's) onto the pristine
    tree as the branch "rex" and return (series, patches, head).  The
    commits are reproducible; when nothing they are made from changed
    since the last build, the branch is reused instead of made again."""
    series, patches = parse_manifest()
    if not os.path.isdir(os.path.join(TREE, ".git")):
        die("no kernel tree in %s (run scripts/fetch-kernel.sh)" % TREE)
    # The identity of the commits and of the cover letter, also when the
    # commits are reused.
    name, email = re.fullmatch(r"(.*) <(.*)>", author or NO_AUTHOR).groups()
    for k in ("AUTHOR", "COMMITTER"):
        IDENT["GIT_%s_NAME" % k] = name
        IDENT["GIT_%s_EMAIL" % k] = email
    all_files = overlay_files()
    key = inputs_key(all_files, author)
    stamp = os.path.join(TREE, ".git", "rex-series-key")
    try:
        with open(stamp) as f:
            old_key, old_head = f.read().split()
    except (OSError, ValueError):
        old_key = old_head = None
    if old_key == key and subprocess.run(
            ["git", "rev-parse", "-q", "--verify", "rex"], cwd=TREE, text=True,
            stdout=subprocess.PIPE).stdout.strip() == old_head:
        return series, patches, old_head

    worktree(WORK)
    git("checkout", "-q", "-f", "--detach", "pristine", cwd=WORK)
    git("clean", "-q", "-fdx", cwd=WORK)

    claimed = {}
    for p in patches:
        for f in patch_files(p, all_files):
            if f in claimed:
                die("%s belongs to two patches" % f)
            claimed[f] = p["subject"]
            dst = os.path.join(WORK, f)
            os.makedirs(os.path.dirname(dst), exist_ok=True)
            shutil.copy2(os.path.join(SRC, f), dst)
            git("add", "-f", f, cwd=WORK)
        for d in p.get("diffs", "").split():
            git("apply", "--index", "--whitespace=nowarn",
                os.path.join(DIFFS, d), cwd=WORK)
        if p.get("files"):
            update_maintainers(os.path.join(WORK, "MAINTAINERS"), author)
            git("add", "MAINTAINERS", cwd=WORK)
        msg = "%s\n\n%s" % (p["subject"], p["body"])
        if author:
            msg += "\nSigned-off-by: %s\n" % author
        git("commit", "-q", "-F", "-", cwd=WORK, stdin=msg)
    missing = [f for f in all_files if f not in claimed]
    if missing:
        die("files in no patch of the manifest: " + " ".join(missing))
    head = git("rev-parse", "HEAD", cwd=WORK)
    git("update-ref", "refs/heads/rex", head)
    with open(stamp, "w") as f:
        f.write("%s %s\n" % (key, head))
    return series, patches, head


def bench_table(path):
    """The figures of make bench's results file @path for the cover
    letter: per case, eBPF's guest instructions per run and Rex's with the
    ratio, then the wall-clock ratio of the same boot."""
    if not os.path.exists(path):
        return "  (no results: run make bench, then make series)"
    vals, order = {}, []
    with open(path, newline="") as f:
        for row in csv.DictReader(f):
            key = (row["clock"], row["case"])
            if row["case"] not in order:
                order.append(row["case"])
            vals.setdefault(key, {})[row["program"]] = float(row["value"])

    def ratio(d, p):
        return d[p] / d["eBPF"] if p in d and d.get("eBPF") else None
    lines = ["  %-34s %9s %7s %8s  %s" % ("", "eBPF", "Rex C", "Rex Rust", "wall-clock"),
             "  %-34s %9s %7s %8s  %s" % ("case", "insns", "/eBPF", "/eBPF", "C/Rust")]
    for case in order:
        ic = vals.get(("icount", case), {})
        wall = vals.get(("wall", case), {})
        if "eBPF" not in ic:
            continue
        cols = [_ratio_text(ratio(ic, p)) for p in ("Rex C", "Rex Rust")]
        w = [_ratio_text(ratio(wall, p)) for p in ("Rex C", "Rex Rust")]
        lines.append("  %-34s %9d %7s %8s  %s" % (case[:34], ic["eBPF"], cols[0], cols[1],
                                                 "/".join(x for x in w if x)))
    for case in order:
        ic = vals.get(("icount", case), {})
        if case.startswith("termination") and "median" in ic:
            lines.append("  %s: %.2f ms past the budget (median)"
                         % (case, ic["median"] / 1e6))
    loc = vals.get(("source", "memcached cache: lines of code"), {})
    if loc:
        lines.append("  memcached cache, lines of code: eBPF C %d, Rex Rust %d"
                     % (loc.get("eBPF", 0), loc.get("Rex Rust", 0)))
    return "\n".join(lines)


def _ratio_text(r):
    if r is None:
        return ""
    return "%.4f" % r if r < 0.01 else "%.2f" % r


def generate(outdir, author):
    """Write the series of @author (None: made without one) into @outdir."""
    series, patches, head = build(author)
    prefix = series["prefix"] if author else "DO NOT POST " + series["prefix"]
    tmp = tempfile.mkdtemp(prefix="rex-series-")
    try:
        git("format-patch", "-q", "--cover-letter", "--zero-commit",
            "--no-signature", "--base=pristine", "--subject-prefix=" +
            prefix, "-o", tmp, "pristine.." + head)
        cover = os.path.join(tmp, sorted(os.listdir(tmp))[0])
        with open(cover) as f:
            text = f.read()
        text = text.replace("*** SUBJECT HERE ***", series["subject"])
        body = series["body"].rstrip("\n").replace(
            "@BENCH@", bench_table(os.path.join(SRC, "patches", "bench.csv")))
        text = text.replace("*** BLURB HERE ***", body)
        with open(cover, "w") as f:
            f.write(text)
        os.makedirs(outdir, exist_ok=True)
        for old in os.listdir(outdir):
            if old.endswith(".patch"):
                os.unlink(os.path.join(outdir, old))
        for new in sorted(os.listdir(tmp)):
            shutil.copy(os.path.join(tmp, new), outdir)
    finally:
        shutil.rmtree(tmp)
    return head


def run_checkpatch(paths, signed, dest=sys.stdout):
    """checkpatch --strict on @paths; of a series made without an identity
    (not @signed), the missing sign-offs are not reported."""
    bad = False
    ignore = [] if signed else ["--ignore", "MISSING_SIGN_OFF"]
    for p in paths:
        r = subprocess.run(["perl", os.path.join(TREE, "scripts/checkpatch.pl"),
                            "--strict", "--show-types", "--terse"] + ignore + [p],
                           cwd=TREE, text=True, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT)
        out = r.stdout.strip()
        errs = [l for l in out.splitlines() if " ERROR:" in l or
                " WARNING:" in l]
        checks = [l for l in out.splitlines() if " CHECK:" in l]
        name = os.path.basename(p)
        if errs:
            bad = True
            print("checkpatch: %s:\n  %s" % (name, "\n  ".join(errs)), file=dest)
        for c in checks:
            print("checkpatch: %s: %s" % (name, c), file=dest)
    return not bad


REX_ENTRY = "REX (NATIVELY COMPILED BPF PROGRAMS)"
ENTRY_PROBE = "Rex Entry Probe <rex-entry-probe@invalid>"


def run_get_maintainer(tree, paths, dest=sys.stdout):
    """Does get_maintainer.pl send every patch of @paths to the Rex entry,
    by the files it touches (F:) or by the Rex names it adds (K:)?  Asked
    in @tree, where the series is applied, with a made-up M: line in the
    entry that shows whether the entry matched: its list is shared with
    other BPF entries, and get_maintainer.pl names one role per address."""
    mnt = os.path.join(tree, "MAINTAINERS")
    with open(mnt) as f:
        text = f.read()
    head = "\n" + REX_ENTRY + "\n"
    if head not in text:
        print("get_maintainer: MAINTAINERS has no %s entry" % REX_ENTRY, file=dest)
        return False
    with open(mnt, "w") as f:
        f.write(text.replace(head, head + "M:\t" + ENTRY_PROBE + "\n", 1))
    missed = []
    try:
        for p in paths:
            r = subprocess.run(["perl", "scripts/get_maintainer.pl", "--no-git",
                                "--no-git-fallback", p], cwd=tree, text=True,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
            if ENTRY_PROBE not in r.stdout:
                missed.append(os.path.basename(p))
    finally:
        with open(mnt, "w") as f:
            f.write(text)
    for name in missed:
        print("get_maintainer: %s does not reach the %s entry" % (name, REX_ENTRY),
              file=dest)
    if not missed:
        print("get_maintainer: every patch reaches the %s entry" % REX_ENTRY, file=dest)
    return not missed


def check():
    ok = True
    committed = os.path.join(SRC, "patches")
    author = committed_author()
    if not author:
        print("series: made without an identity: DO NOT POST, no sign-offs "
              "(see series.py postable)")
    tmp = tempfile.mkdtemp(prefix="rex-check-")
    try:
        generate(tmp, author)
        want = sorted(f for f in os.listdir(tmp) if f.endswith(".patch"))
        have = sorted(f for f in os.listdir(committed) if f.endswith(".patch"))
        if want != have or any(not filecmp.cmp(os.path.join(tmp, f),
                                               os.path.join(committed, f),
                                               shallow=False) for f in want):
            print("series: patches/ is stale: run 'make series' and commit")
            ok = False
        else:
            print("series: patches/ is up to date (%d patches)" % (len(have) - 1))

        paths = [os.path.join(committed, f) for f in have
                 if not f.startswith("0000-")]
        # git am and checkpatch depend only on the patches, the pristine
        # tree and checkpatch itself: a series that passed them before is
        # not checked again (the stamp keeps what they printed).
        key = hashlib.sha256(git("rev-parse", "pristine").encode())
        for path in [os.path.abspath(__file__),
                     os.path.join(TREE, "scripts", "checkpatch.pl")] + paths:
            with open(path, "rb") as f:
                key.update(f.read())
        key = key.hexdigest()
        stamp = os.path.join(TREE, ".git", "rex-series-checked")
        try:
            with open(stamp) as f:
                old = f.read().split("\n", 1)
        except OSError:
            old = None
        if old and old[0] == key:
            print("series: git am and checkpatch passed before for these patches:")
            print(old[1], end="")
            return ok
        out = io.StringIO()

        # The committed series must apply to the pristine tree.
        am = os.path.join(CACHE, "series-am")
        worktree(am)
        subprocess.run(["git", "am", "--abort"], cwd=am,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        git("checkout", "-q", "-f", "--detach", "pristine", cwd=am)
        git("clean", "-q", "-fdx", cwd=am)
        r = subprocess.run(["git", "am", "-q"] + paths, cwd=am, text=True,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           env=dict(os.environ, **IDENT))
        passed = True
        if r.returncode:
            print("series: git am of patches/ onto pristine failed:\n" + r.stdout)
            subprocess.run(["git", "am", "--abort"], cwd=am)
            passed = False
        else:
            print("series: git am onto pristine: ok", file=out)
            if not run_get_maintainer(am, paths, out):
                passed = False

        if run_checkpatch(paths, author is not None, out):
            print("series: checkpatch --strict: no errors or warnings", file=out)
        else:
            passed = False
        print(out.getvalue(), end="")
        if passed:
            with open(stamp, "w") as f:
                f.write(key + "\n" + out.getvalue())
        ok = ok and passed
    finally:
        shutil.rmtree(tmp)
    return ok


def postable(committed=os.path.join(SRC, "patches")):
    """Is the series in @committed fit to post?  It is not when it was made
    without an identity, or when a patch lacks its author's sign-off."""
    author = committed_author(committed)
    if not author:
        print("series: patches/ was made without an identity (From: %s, no "
              "Signed-off-by, DO NOT POST in every subject): set git's "
              "user.name and user.email, or REX_SERIES_AUTHOR, and run "
              "'make series'" % NO_AUTHOR)
        return False
    ok = True
    for f in sorted(os.listdir(committed)):
        if not f.endswith(".patch") or f.startswith("0000-"):
            continue
        with open(os.path.join(committed, f)) as p:
            text = p.read()
        if ("\nSigned-off-by: %s\n" % author not in text or
                re.search(r"^Subject: \[DO NOT POST", text, re.M)):
            print("series: %s: no Signed-off-by: %s, or marked DO NOT POST"
                  % (f, author))
            ok = False
    if ok:
        print("series: patches/ is signed off by %s" % author)
    return ok


def postable_self_test():
    """postable() on series made up here: one made without an identity,
    one signed off, one with a patch whose sign-off is not its author's.
    Exits 1 unless it refuses the first and the last."""
    def series(author, signers):
        d = tempfile.mkdtemp(prefix="rex-postable-")
        prefix = "RFC PATCH" if author else "DO NOT POST RFC PATCH"
        for i, signer in enumerate([None] + signers):
            with open(os.path.join(d, "%04d-x.patch" % i), "w") as f:
                f.write("From: %s\nSubject: [%s %d/%d] x\n\nWhy.\n\n%s---\n"
                        % (author or NO_AUTHOR, prefix, i, len(signers),
                           "Signed-off-by: %s\n" % signer if signer else ""))
        return d

    jane = "Jane Doe <jane@kernel.org>"
    cases = [(series(None, [None, None]), False), (series(jane, [jane, jane]), True),
             (series(jane, [jane, "John Roe <john@kernel.org>"]), False)]
    got = []
    for d, _ in cases:
        got.append(postable(d))
        shutil.rmtree(d)
    ok = got == [want for _, want in cases]
    print("series.py postable self-test: %s" % ("ok" if ok else "FAILED: %s" % got))
    sys.exit(0 if ok else 1)


def main():
    cmd = sys.argv[1] if len(sys.argv) > 1 else "generate"
    if cmd == "build":
        print(build(committed_author())[2])
    elif cmd == "generate":
        out = sys.argv[2] if len(sys.argv) > 2 else os.path.join(SRC, "patches")
        print(generate(out, identity()))
    elif cmd == "check":
        sys.exit(0 if check() else 1)
    elif cmd == "postable" and sys.argv[2:] == ["--self-test"]:
        postable_self_test()
    elif cmd == "postable":
        sys.exit(0 if postable() else 1)
    else:
        die("usage: series.py build | generate [DIR] | check | postable")


if __name__ == "__main__":
    main()
