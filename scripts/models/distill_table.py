#!/usr/bin/python3
#===- scripts/models/distill_table.py - docs/Distillation.md's table ------===#
#
# Part of the Mote project: an MLIR compiler for the Mote NPU.
#
#===----------------------------------------------------------------------===#
"""Runs distill_fashion_mnist.py for every cell of the results table (PTQ,
QAT without KD and QAT with KD at equal epochs, per precision), two runs
at a time (one torch thread each), and prints the markdown table of
docs/Distillation.md from their JSON results.

Usage: distill_table.py OUT_DIR [--rows ROWS] [--jobs 2] [EXTRA ARGS]
       distill_table.py OUT_DIR --rows ROWS --table-only
ROWS is a comma-separated list of [half-]PRECISION[+TAG]:EPOCHS[:OPT=VALUE...]:
`half-` trains the half-width student (--half), `+TAG` only names a row
(two rows of one precision, e.g. mixed+lsq:4:plan=FILE), each OPT=VALUE is
passed as --OPT VALUE to that row's runs (e.g. half-int8:4:float-epochs=15),
and
EXTRA ARGS go to every run (e.g. --ema 0.999). Results go to
OUT_DIR/<row>_<kd|qat>.json with logs next to them; existing results are
kept (delete them to rerun); --table-only reprints the table.
"""

import argparse
import json
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def parse_rows(text):
    """[(name, precision, epochs, half, [extra argv])]."""
    rows = []
    for spec in text.split(","):
        fields = spec.split(":")
        name, epochs = fields[0], int(fields[1])
        half = name.startswith("half-")
        prec = (name[len("half-"):] if half else name).split("+")[0]
        argv = ["--half"] if half else []
        for opt in fields[2:]:
            k, v = opt.split("=", 1)
            argv += [f"--{k}", v]
        rows.append((name, prec, epochs, half, argv))
    return rows


def run_all(out, rows, jobs, extra):
    todo = []
    for name, prec, epochs, half, row_argv in rows:
        for kind, alpha in (("kd", "0.7"), ("qat", "0")):
            base = os.path.join(out, f"{name}_{kind}")
            if os.path.exists(base + ".json"):
                continue
            argv = [sys.executable, os.path.join(HERE,
                    "distill_fashion_mnist.py"), "--precision", prec,
                    "--epochs", str(epochs), "--alpha", alpha, "--threads",
                    "1", "--json", base + ".json", "--mlir", base + ".mlir",
                    *row_argv, *extra]
            if "--float-epochs" in row_argv:
                # one float-trained student per (width, float recipe, KD or
                # not), shared by the rows' precisions: the float epochs do
                # not depend on the precision
                fe = row_argv[row_argv.index("--float-epochs") + 1]
                fa = row_argv[row_argv.index("--float-alpha") + 1] \
                    if "--float-alpha" in row_argv and kind == "kd" else alpha
                argv += ["--float-student", os.path.join(
                    out, f"float_{'half' if half else 'full'}_{fe}_a{fa}.pt")]
            todo.append((argv, base + ".log"))
    def float_student(argv):
        return argv[argv.index("--float-student") + 1] \
            if "--float-student" in argv else None
    # Runs that train a float student first: the runs sharing it wait.
    todo.sort(key=lambda t: not (float_student(t[0]) and
                                 not os.path.exists(float_student(t[0]))))
    running = []  # (process, the float student it is training, if any)
    start = time.time()
    while todo or running:
        # A run whose float student another running run is still training
        # waits for it, then loads it instead of training it again.
        busy = {f for _, f in running if f}
        ready = [t for t in todo if float_student(t[0]) not in busy]
        while ready and len(running) < jobs:
            argv, log = ready.pop(0)
            todo.remove((argv, log))
            f = float_student(argv)
            print("run:", " ".join(argv[1:]), flush=True)
            running.append((subprocess.Popen(argv, stdout=open(log, "w"),
                                             stderr=subprocess.STDOUT),
                            f if f and not os.path.exists(f) else None))
            busy = {g for _, g in running if g}
            ready = [t for t in ready if float_student(t[0]) not in busy]
        time.sleep(5)
        running = [(p, f) for p, f in running if p.poll() is None]
    print(f"all runs: {time.time() - start:.0f} s wall", flush=True)


def table(out, rows):
    lines = ["| student | precision | epochs | PTQ | QAT (no KD) | QAT + KD | "
             "KD − QAT | simulator == emulation | energy / inference | "
             "train time (KD) |",
             "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    notes = []
    for name, prec, epochs, half, _ in rows:
        r = {}
        for kind in ("kd", "qat"):
            path = os.path.join(out, f"{name}_{kind}.json")
            if os.path.exists(path):
                with open(path) as f:
                    r[kind] = json.load(f)
        if not r:
            continue
        any_r = r.get("kd") or r.get("qat")

        def pct(v):
            return f"{100 * v:.2f} %" if v is not None else "—"
        kd = r.get("kd", {}).get("sim_top1")
        qat = r.get("qat", {}).get("sim_top1")
        exact = all(x.get("bit_exact") for x in r.values())
        delta = f"{100 * (kd - qat):+.2f}" if kd is not None and \
            qat is not None else "—"
        fe = any_r.get("float_epochs") or 0
        who = "same as teacher"
        if half:
            who = "half width (8/16 ch)"
        if fe:
            who += f", {fe} float epochs first"
        # PTQ: of the float student the quantized training started from
        # (KD-trained in float for the KD run when there are float epochs)
        ptq = pct(any_r.get("ptq_top1"))
        shared = fe and "kd" in r and "qat" in r and \
            r["kd"].get("float_alpha") == r["qat"].get("float_alpha")
        if shared:
            notes.append(f"{name}: one float-trained student (torch) "
                         f"{pct(r['qat'].get('float_student_top1'))}, "
                         f"float alpha {r['qat'].get('float_alpha')}, "
                         f"for both runs")
        elif fe and "kd" in r and "qat" in r:
            ptq = (f"{pct(r['qat'].get('ptq_top1'))} / "
                   f"{pct(r['kd'].get('ptq_top1'))}")
            notes.append(f"{name}: float-trained student (torch) "
                         f"{pct(r['qat'].get('float_student_top1'))} "
                         f"(CE) / {pct(r['kd'].get('float_student_top1'))} "
                         f"(KD); PTQ column: of each")
        train = "—"
        if "kd" in r:
            k = r["kd"]
            secs = k["train_seconds"] + k.get("float_seconds", 0)
            train = f"{secs:.0f} s"
            if k.get("float_student_loaded"):
                train += " (float student shared)"
        if any_r.get("plan"):
            prec = f"{prec} (`{os.path.basename(any_r['plan'])}`)"
        lines.append(
            f"| {who} | {prec} | {epochs} | {ptq} | {pct(qat)} | {pct(kd)} "
            f"| {delta} | "
            f"{'yes, all ' + str(any_r['test']) if exact else 'NO'} | "
            f"{any_r['energy_uj']:.3f} µJ | {train} |")
    return "\n".join(lines + [""] + notes)


def main():
    p = argparse.ArgumentParser(description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("out")
    p.add_argument("--rows", default="int4:8,w4a8:4,int8:3,"
                   "half-int8:4:float-epochs=15,half-w4a8:4:float-epochs=15")
    p.add_argument("--jobs", type=int, default=2)
    p.add_argument("--table-only", action="store_true")
    o, extra = p.parse_known_args()
    rows = parse_rows(o.rows)
    os.makedirs(o.out, exist_ok=True)
    if not o.table_only:
        run_all(o.out, rows, o.jobs, extra)
    print(table(o.out, rows))


if __name__ == "__main__":
    main()
