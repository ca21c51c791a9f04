#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""rex-tracepoint.py: Rust record types for tracepoints, from the kernel's
description of each event (the "format" file of tracefs).

  rex-tracepoint.py [--tracefs DIR] [-o FILE] EVENT...

EVENT is "category:name" (read from DIR/events/category/name/format; DIR
defaults to /sys/kernel/tracing, so the running kernel describes its own
events) or the path of a format file.  The output is Rust source: for each
event a struct declared with rex::pod!, named after the event in camel case
(sched_switch: SchedSwitch), with every field of the format at its offset,
explicit padding where the record has a gap, and the record's size (the
end of its last field, which is what the kernel lets a program read), so that
`rex::Tracepoint<SchedSwitch>` reads named fields and the kernel checks at
attach that the record is as large as the struct.  rex-build.sh --tracepoint
compiles it into the crate rex_tp of the program.

Field types follow the format's size and sign: integers of 1, 2, 4 and 8
bytes, arrays of them ("char comm[16]": [u8; 16]); pointers and
"__data_loc" fields are their integer (an address to read with
rex::helpers::probe_read_*, an offset and length in the record); a field
that is not naturally aligned, or of another size, is bytes.
"""

import argparse
import os
import re
import sys

FIELD = re.compile(r"^\s*field:(.*);\s*offset:(\d+);\s*size:(\d+);\s*signed:(\d+);")
INTS = {1: "8", 2: "16", 4: "32", 8: "64"}
KEYWORDS = {
    "as", "break", "const", "continue", "crate", "else", "enum", "extern", "false",
    "fn", "for", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut",
    "pub", "ref", "return", "self", "static", "struct", "super", "trait", "true",
    "type", "unsafe", "use", "where", "while", "async", "await", "dyn", "abstract",
    "become", "box", "do", "final", "macro", "override", "priv", "typeof",
    "unsized", "virtual", "yield", "try", "gen",
}


def die(msg):
    sys.stderr.write("rex-tracepoint.py: %s\n" % msg)
    sys.exit(1)


def camel(name):
    return "".join(p[:1].upper() + p[1:] for p in re.split(r"[^A-Za-z0-9]+", name) if p)


def parse(text, where):
    """The event's name and its fields: (decl, offset, size, signed)."""
    name = None
    fields = []
    for line in text.splitlines():
        if line.startswith("name:"):
            name = line.split(":", 1)[1].strip()
        m = FIELD.match(line)
        if m:
            fields.append((m.group(1).strip(), int(m.group(2)), int(m.group(3)),
                           m.group(4) == "1"))
    if not name or not fields:
        die("%s is not a tracepoint format (no name or no fields)" % where)
    return name, fields


def rust_field(decl, offset, size, signed):
    """(name, type, doc) of one field."""
    m = re.match(r"^(.*?)([A-Za-z_][A-Za-z0-9_]*)\s*(\[(\d*)\])?$", decl)
    if not m:
        die("cannot read the field declaration '%s'" % decl)
    ctype, fname, array, count = m.group(1).strip(), m.group(2), m.group(3), m.group(4)
    if fname in KEYWORDS:
        fname = "r#" + fname
    doc = "`%s` (offset %d, %d byte%s)" % (decl, offset, size, "" if size == 1 else "s")
    if "__data_loc" in ctype:
        doc += ": the data's offset in the record (low 16 bits) and length (high 16)"
    elif "*" in ctype:
        doc += ": an address, for rex::helpers::probe_read_*"
    elem = size
    n = 1
    if array is not None and count:
        n = int(count)
        elem = size // n if n and size % n == 0 else 0
    sign = "i" if signed and "char" not in ctype else "u"
    if elem in INTS and offset % elem == 0:
        t = sign + INTS[elem]
        if array is not None and count:
            t = "[%s; %d]" % (t, n)
        return fname, t, doc, elem
    return fname, "[u8; %d]" % size, doc, 1


def event_struct(text, where):
    name, fields = parse(text, where)
    out = []
    pos = 0
    align = 1
    pads = 0
    for decl, offset, size, signed in sorted(fields, key=lambda f: f[1]):
        if offset < pos:
            die("%s: field '%s' overlaps the one before it" % (where, decl))
        if offset > pos:
            out.append(("_pad%d" % pads, "[u8; %d]" % (offset - pos), "padding"))
            pads += 1
        fname, t, doc, a = rust_field(decl, offset, size, signed)
        out.append((fname, t, doc))
        align = max(align, a)
        pos = offset + size
    # The kernel lets a program read up to the end of the last field, not
    # to the end of a C struct's tail padding: a record that ends off its
    # fields' alignment is packed to an alignment that ends it there (its
    # wider fields are then read by value, not by reference).
    end = pos
    pack = align
    while end % pack:
        pack //= 2
    lines = ["rex::pod! {",
             "    /// The record of the tracepoint %s (%d bytes)." % (name, end)]
    if pack < align:
        lines.append("    #[repr(packed(%d))]" % pack)
    lines.append("    pub struct %s {" % camel(name))
    for fname, t, doc in out:
        lines.append("        /// %s" % doc)
        lines.append("        pub %s: %s," % (fname, t))
    lines += ["    }", "}", "",
              "const _: () = assert!(core::mem::size_of::<%s>() == %d);" % (camel(name), end),
              ""]
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--tracefs", default=None,
                    help="tracefs mount (default /sys/kernel/tracing)")
    ap.add_argument("-o", dest="out", default="-")
    ap.add_argument("events", nargs="+")
    args = ap.parse_args()
    tracefs = args.tracefs
    if tracefs is None:
        tracefs = "/sys/kernel/tracing"
        if not os.path.isdir(os.path.join(tracefs, "events")):
            tracefs = "/sys/kernel/debug/tracing"
    parts = ["// SPDX-License-Identifier: GPL-2.0",
             "// Generated by rex-tracepoint.py (tools/lib/rex); do not edit.",
             "//! Tracepoint records: %s." % ", ".join(args.events),
             "#![no_std]",
             "#![allow(dead_code, non_snake_case)]", ""]
    seen = set()
    for ev in args.events:
        if os.path.isfile(ev):
            path = ev
        elif re.match(r"^[A-Za-z0-9_]+:[A-Za-z0-9_]+$", ev):
            path = os.path.join(tracefs, "events", *ev.split(":"), "format")
        else:
            die("'%s' is neither category:name nor a format file" % ev)
        try:
            text = open(path).read()
        except OSError as e:
            die("cannot read the format of %s: %s" % (ev, e))
        name = parse(text, path)[0]
        if name in seen:
            continue
        seen.add(name)
        parts.append(event_struct(text, path))
    src = "\n".join(parts)
    if args.out == "-":
        sys.stdout.write(src)
    else:
        with open(args.out, "w") as f:
            f.write(src)


if __name__ == "__main__":
    main()
