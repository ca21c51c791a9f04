#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Draw the results of make bench (bench.csv) as an SVG bar chart.

Usage: bench-chart.py BENCH_CSV OUT_SVG

One group of bars per case that has an eBPF figure: each program's figure
as a ratio to eBPF's, for both clocks (wall-clock ns and guest instructions,
hatched), with a line at 1.  Written without a plotting package, so that the
build root needs none.
"""

import csv
import sys
from html import escape

COLORS = {"eBPF": "#4c72b0", "Rex C": "#dd8452", "Rex Rust": "#55a868"}


def load(path):
    """{case: {(clock, program): value}} of the cases with an eBPF figure."""
    cases = {}
    with open(path, newline="") as f:
        for row in csv.DictReader(f):
            cases.setdefault(row["case"], {})[(row["clock"], row["program"])] = int(row["value"])
    return {c: v for c, v in cases.items() if any(p == "eBPF" for _, p in v)}


def bars(cases):
    """(case, [(clock, program, ratio)]) for each case, in file order."""
    out = []
    for case, figures in cases.items():
        row = []
        for clock in ("wall", "icount"):
            base = figures.get((clock, "eBPF"))
            if not base:
                continue
            for prog in COLORS:
                if (clock, prog) in figures:
                    row.append((clock, prog, figures[(clock, prog)] / base))
        if row:
            out.append((case, row))
    return out


def svg(groups):
    width, left, top, bar, gap, scale_w = 900, 330, 40, 9, 14, 520
    top_ratio = max([r for _, row in groups for _, _, r in row] + [1.0]) * 1.1
    height = top + sum(len(row) * bar + gap for _, row in groups) + 40
    x = lambda r: left + r / top_ratio * scale_w
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           'font-family="sans-serif" font-size="11">',
           '<defs><pattern id="h" width="4" height="4" patternUnits="userSpaceOnUse">'
           '<path d="M0,4 L4,0" stroke="white" stroke-width="1"/></pattern></defs>',
           f'<text x="{left}" y="18" font-size="13">make bench: figure / eBPF\'s '
           '(solid: wall clock, hatched: guest instructions)</text>']
    y = top
    for case, row in groups:
        out.append(f'<text x="{left - 8}" y="{y + len(row) * bar / 2 + 4}" '
                   f'text-anchor="end">{escape(case)}</text>')
        for clock, prog, ratio in row:
            out.append(f'<rect x="{left}" y="{y}" width="{x(ratio) - left:.1f}" '
                       f'height="{bar - 1}" fill="{COLORS[prog]}"/>')
            if clock == "icount":
                out.append(f'<rect x="{left}" y="{y}" width="{x(ratio) - left:.1f}" '
                           f'height="{bar - 1}" fill="url(#h)"/>')
            out.append(f'<text x="{x(ratio) + 4:.1f}" y="{y + bar - 1}" font-size="9">'
                       f'{ratio:.2f}</text>')
            y += bar
        y += gap
    out.append(f'<line x1="{x(1):.1f}" y1="{top - 6}" x2="{x(1):.1f}" y2="{y}" '
               'stroke="black" stroke-dasharray="3,3"/>')
    lx = left
    for prog, color in COLORS.items():
        out.append(f'<rect x="{lx}" y="{y + 12}" width="10" height="10" fill="{color}"/>'
                   f'<text x="{lx + 14}" y="{y + 21}">{prog}</text>')
        lx += 90
    out.append("</svg>")
    return "\n".join(out) + "\n"


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    groups = bars(load(sys.argv[1]))
    if not groups:
        sys.exit(f"{sys.argv[1]}: no results with an eBPF figure")
    with open(sys.argv[2], "w") as f:
        f.write(svg(groups))


if __name__ == "__main__":
    main()
