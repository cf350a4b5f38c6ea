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

Usage: distill_table.py OUT_DIR [--rows int4:10,w4a8:4,int8:2] [--jobs 2]
       distill_table.py OUT_DIR --table-only
Each row is PRECISION:EPOCHS. Results go to OUT_DIR/<precision>_<kd|qat>.json
with logs next to them; --table-only reprints the table.
"""

import argparse
import json
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def run_all(out, rows, jobs, extra):
    todo = []
    for prec, epochs in rows:
        for kind, alpha in (("kd", "0.7"), ("qat", "0")):
            base = os.path.join(out, f"{prec}_{kind}")
            if os.path.exists(base + ".json"):
                continue
            argv = [sys.executable, os.path.join(HERE,
                    "distill_fashion_mnist.py"), "--precision", prec,
                    "--epochs", str(epochs), "--alpha", alpha, "--threads",
                    "1", "--json", base + ".json", "--mlir", base + ".mlir",
                    *extra]
            todo.append((argv, base + ".log"))
    running = []
    start = time.time()
    while todo or running:
        while todo and len(running) < jobs:
            argv, log = todo.pop(0)
            print("run:", " ".join(argv[1:]), flush=True)
            running.append(subprocess.Popen(argv, stdout=open(log, "w"),
                                            stderr=subprocess.STDOUT))
        time.sleep(5)
        running = [p for p in running if p.poll() is None]
    print(f"all runs: {time.time() - start:.0f} s wall", flush=True)


def table(out, rows):
    lines = ["| student | precision | epochs | PTQ | QAT (no KD) | QAT + KD | "
             "KD − QAT | simulator == emulation | energy / inference | "
             "train time (KD) |",
             "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    for prec, epochs in rows:
        r = {}
        for kind in ("kd", "qat"):
            path = os.path.join(out, f"{prec}_{kind}.json")
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
        lines.append(
            f"| same as teacher | {prec} | {epochs} | "
            f"{pct(any_r.get('ptq_top1'))} | {pct(qat)} | {pct(kd)} | "
            f"{delta} | {'yes, all ' + str(any_r['test']) if exact else 'NO'}"
            f" | {any_r['energy_uj']:.3f} µJ | "
            f"{r['kd']['train_seconds']:.0f} s |" if 'kd' in r else " — |")
    return "\n".join(lines)


def main():
    p = argparse.ArgumentParser(description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("out")
    p.add_argument("--rows", default="int4:10,w4a8:4,int8:2")
    p.add_argument("--jobs", type=int, default=2)
    p.add_argument("--table-only", action="store_true")
    o, extra = p.parse_known_args()
    rows = [(r.split(":")[0], int(r.split(":")[1]))
            for r in o.rows.split(",")]
    os.makedirs(o.out, exist_ok=True)
    if not o.table_only:
        run_all(o.out, rows, o.jobs, extra)
    print(table(o.out, rows))


if __name__ == "__main__":
    main()
