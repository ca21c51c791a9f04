#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Turn the TAP of the static checks and the serial log of the test VM into
one result list and the closing line "N passed, N failed, N skipped".

  summary.py [--times TIMES.tsv] CHECKS.tap SERIAL.log [SERIAL.log...] [kunit.log]
  summary.py --self-test

Each SERIAL.log is a VM's console, NAME-serial.log; its results are read
from NAME-out.log beside it when there is one (scripts/vm.sh, boot()).
Test results are read like KernelCI reads them: every "ok"/"not ok" line
at any nesting depth of the kselftest TAP is a result, except that a
passing test program whose subtests were counted is not counted again.
Any oops, BUG, WARNING, lockdep, KASAN or similar report in the kernel log
is a failure of its own, as is a VM that did not finish the run or came
up with fewer than two CPUs.  Each serial log is one boot; a boot that
prints "REX-RUN <name>" has its results named "<name>:..." so that the
same test run in two boots (for example with and without lockdown) gives
two results.
A log named kunit.log is the output of kunit.py (scripts/vm.sh
kernelci): its results are read from the kunit.json beside it, named
"kunit:SUITE.CASE", and a kunit.py that failed or found no Rex suite is a
failure.
With --times, the time breakdown of the run (scripts/lib.sh, timed())
is printed before the closing line.  Exits 1 when anything failed.
"""

import json
import os
import re
import sys

RESULT = re.compile(r"^((?:# )*)(not )?ok \d+ ([^#]*?)\s*(# (SKIP|TIMEOUT).*)?$")
SPLAT = re.compile(
    r"\] (WARNING:|BUG:|Oops|Kernel panic|general protection fault|"
    r"kernel BUG|UBSAN:|KASAN:|KFENCE:|INFO: task .* blocked|"
    r"WARNING: possible|WARNING: suspicious RCU|"
    r"watchdog: BUG|unreferenced object|kmemleak: .* new suspected)")


def parse(lines, prefix):
    """Yield (name, status) from TAP lines."""
    results = []
    pending = []    # subtest results of the program that is running
    for line in lines:
        line = line.rstrip("\r\n")
        m = RESULT.match(line)
        if not m:
            continue
        depth = len(m.group(1)) // 2
        status = "skip" if m.group(5) == "SKIP" else (
            "fail" if m.group(2) else "pass")
        name = m.group(3).strip()
        if depth >= 1:
            pending.append((prefix + name, status))
            continue
        # A top-level result closes a test program.
        results.extend(pending)
        if status != "pass" or not pending:
            results.append((prefix + name, status))
        pending = []
    return results + pending


def lines(path):
    """The lines of file @path, none if it does not exist."""
    try:
        with open(path, errors="replace") as f:
            return f.readlines()
    except FileNotFoundError:
        return []


def boot(serial):
    """Results of one VM boot from its serial log, NAME-serial.log (the
    console), and NAME-out.log beside it (what the VM's /init printed, on
    a port of its own, where no kernel message cuts into a result line).
    The results are read from the second if the VM wrote it, the kernel's
    reports from the first."""
    results = []
    console = lines(serial)
    log = []
    if serial.endswith("-serial.log"):
        log = lines(serial[:-len("-serial.log")] + "-out.log")
    if not any(l.startswith("REX-") for l in log):
        log = console
    runs = [l.split()[1] for l in log if l.startswith("REX-RUN ") and len(l.split()) > 1]
    run = runs[0] + ":" if runs else ""
    start = next((i for i, l in enumerate(log) if "REX-KSELFTEST-BEGIN" in l), None)
    end = next((i for i, l in enumerate(log) if "REX-KSELFTEST-END" in l), None)
    if start is None or end is None:
        results.append((run + "vm:run-complete", "fail"))
        print("# the VM did not complete the kselftest run; see %s" % serial)
        tap = log[start + 1:] if start is not None else []
    else:
        results.append((run + "vm:run-complete", "pass"))
        tap = log[start + 1:end]
    # The tests need a real SMP guest (QEMU runs with -smp 2).
    cpus = [int(l.split()[1]) for l in log if l.startswith("REX-CPUS ")]
    results.append((run + "vm:smp", "pass" if cpus and cpus[0] >= 2 else "fail"))
    results += parse(tap, run + "rex:")
    # Rex stacks are allocated by the first load, not at boot: none before
    # the suite, one per context level (4) of each CPU after it.
    boot = [l.split()[1:] for l in log if l.startswith("REX-STACKS-BOOT ")]
    after = [l.split()[1:] for l in log if l.startswith("REX-STACKS-AFTER ")]
    if boot and after and cpus:
        print("# Rex stacks: %s (%s bytes) at boot, %s (%s bytes) after the suite"
              % (boot[0][0], boot[0][1], after[0][0], after[0][1]))
        ok = boot[0][0] == "0" and int(after[0][0]) == 4 * cpus[0]
        results.append((run + "kernel:stacks-on-first-load", "pass" if ok else "fail"))
    # A debug boot reports the leaks kmemleak found after the suite.
    leaks = [l.split()[1] for l in log if l.startswith("REX-KMEMLEAK ")]
    if leaks:
        results.append((run + "kernel:kmemleak", "pass" if leaks[0] == "0" else "fail"))
    splats = [l.rstrip() for l in console if SPLAT.search(l)]
    for s in splats:
        print("# kernel: %s" % s)
    results.append((run + "kernel:log-clean", "fail" if splats else "pass"))
    return results


def kunit(log_path):
    """Results of kunit.py exec: every test case of its JSON report."""
    json_path = os.path.join(os.path.dirname(log_path), "kunit.json")
    try:
        with open(log_path, errors="replace") as f:
            log = f.readlines()
        with open(json_path) as f:
            report = json.load(f)
    except (FileNotFoundError, ValueError) as e:
        print("# kunit: no report (%s); see %s" % (e, log_path))
        return [("kunit:run-complete", "fail")]
    rcs = [l.split("rc=")[1].strip() for l in log if l.startswith("REX-KUNIT-END rc=")]
    results = [("kunit:run-complete", "pass" if rcs == ["0"] else "fail")]
    status = {"PASS": "pass", "SKIP": "skip"}

    def walk(group, prefix):
        for case in group.get("test_cases", []):
            results.append(("kunit:%s%s" % (prefix, case["name"]),
                            status.get(case["status"], "fail")))
        for sub in group.get("sub_groups", []):
            walk(sub, prefix + sub["name"] + ".")

    walk(report, "")
    if not any(name.startswith("kunit:rex_") for name, _ in results):
        print("# kunit: no Rex suite ran; see %s" % log_path)
        results.append(("kunit:rex-suites", "fail"))
    return results


def times(path):
    """Print the time breakdown of the run: the steps in the order they
    ran, steps of the same name (several boots, per-patch builds) summed."""
    order, secs, count = [], {}, {}
    try:
        with open(path) as f:
            for line in f:
                name, _, s = line.rstrip("\n").partition("\t")
                if not s.isdigit():
                    continue
                if name not in secs:
                    order.append(name)
                    secs[name], count[name] = 0, 0
                secs[name] += int(s)
                count[name] += 1
    except FileNotFoundError:
        return
    print("time breakdown (wall seconds; nested steps are part of their parent):")
    for name in order:
        note = " (%d runs)" % count[name] if count[name] > 1 else ""
        print("  %-24s %5d s  %5.1f min%s" % (name, secs[name], secs[name] / 60, note))


def self_test():
    """Check boot() on a VM's logs whose console has a result line cut by a
    kernel message: the results come whole from NAME-out.log, the kernel's
    report from the console; without NAME-out.log the cut result is lost
    (counted under a name that is not the test's).
    Exits 1 on a difference."""
    import tempfile

    tap = ["REX-CPUS 2", "REX-KSELFTEST-BEGIN", "TAP version 13", "1..2",
           "ok 1 selftests: rex: a", "not ok 2 selftests: rex: b",
           "REX-KSELFTEST-END rc=1"]
    console = tap[:4] + ["ok 1 sel[    3.100000] rex: program p panicked",
                         "ftests: rex: a"] + tap[5:] + \
        ["[    4.200000] BUG: kernel NULL pointer dereference, address: 0"]
    want = [("vm:run-complete", "pass"), ("vm:smp", "pass"),
            ("rex:selftests: rex: a", "pass"), ("rex:selftests: rex: b", "fail"),
            ("kernel:log-clean", "fail")]
    with tempfile.TemporaryDirectory() as d:
        serial = os.path.join(d, "vm-serial.log")
        with open(serial, "w") as f:
            f.write("\r\n".join(console) + "\r\n")
        alone = boot(serial)
        with open(os.path.join(d, "vm-out.log"), "w") as f:
            f.write("\r\n".join(tap) + "\r\n")
        both = boot(serial)
    ok = both == want and want[2] not in alone
    print("summary.py self-test: %s" % ("ok" if ok else "FAILED"))
    if not ok:
        print("with NAME-out.log: %s\nwithout: %s" % (both, alone))
    sys.exit(0 if ok else 1)


def main():
    args = sys.argv[1:]
    if args == ["--self-test"]:
        self_test()
    times_file = None
    if args[:1] == ["--times"]:
        times_file, args = args[1], args[2:]
    checks, serials = args[0], args[1:]
    results = []
    with open(checks, errors="replace") as f:
        results += parse(f, "")
    for serial in serials:
        if os.path.basename(serial) == "kunit.log":
            results += kunit(serial)
        else:
            results += boot(serial)

    for name, status in results:
        print("%-4s %s" % ({"pass": "PASS", "fail": "FAIL", "skip": "SKIP"}[status],
                           name))
    if times_file:
        times(times_file)
    npass = sum(1 for _, s in results if s == "pass")
    nfail = sum(1 for _, s in results if s == "fail")
    nskip = sum(1 for _, s in results if s == "skip")
    print("%d passed, %d failed, %d skipped" % (npass, nfail, nskip))
    sys.exit(1 if nfail else 0)


if __name__ == "__main__":
    main()
