#!/usr/bin/python3
#===- scripts/onnx/compare_ort.py - mote-run against onnxruntime ----------===#
#
# Part of the Mote project: an MLIR compiler for the Mote NPU.
#
#===----------------------------------------------------------------------===#
"""Runs an ONNX model on Mote's reference interpreter (mote-run) and on an
independent runtime, onnxruntime-node (scripts/onnx/ort_run.js), on the same
inputs, and compares every output: the figure is

    max |mote - ort| / max |ort|       (per output, over all its elements)

and a model agrees when that is at most --tol (default 1e-4) for every
output, with equal shapes. Prints one line per output and a verdict per model.

One model:
  compare_ort.py MODEL.onnx --input [NAME=]FILE.npy ... [--input-shape NAME=AxB]
A directory of models (as scripts/models/export_torchvision.py and
scripts/onnx/make_op_models.py write them: NAME.onnx with NAME.input.npy, or
NAME.input.<input name>.npy for several inputs):
  compare_ort.py --dir DIR --models a,b,c [--suite LABEL]
  compare_ort.py --dir DIR --all [--suite LABEL]

With --expect FILE (an expected-failure list: lines `LABEL: MESSAGE`, `#`
comments; LABEL is SUITE/NAME) a model listed there must fail, and its
failure reason must contain MESSAGE: a listed model that now agrees fails the
run ("remove LABEL from FILE"), one that fails differently fails it too
("update the list"), and so does any unlisted failure. Listed labels of
models this run did not cover are ignored. Without --expect any failure
fails the run. Exit code: 0 when everything is as expected, 1 otherwise,
2 on bad usage (or when onnxruntime-node is not installed).

--input-shape NAME=AxBxC is passed to mote-run when it supports the option
(for models with symbolic dimensions); otherwise mote-run runs without it
(and reports the dynamic dimension), with a note.
"""

import argparse
import glob
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


def file_name_for(name):
    """The file name mote-run (and ort_run.js) give an output."""
    out = re.sub(r"[^A-Za-z0-9._-]", "_", name)
    return out or "output"


def first_error(text, model):
    """The line of a tool's stderr that says what went wrong, made stable:
    directory prefixes of the model's path are dropped."""
    lines = [l.strip() for l in text.splitlines() if l.strip()]
    pick = next((l for l in lines if "error" in l.lower()), None)
    if pick is None:
        pick = lines[-1] if lines else "(no message)"
    d = os.path.dirname(os.path.abspath(model))
    pick = pick.replace(d + os.sep, "").replace(os.path.dirname(model) + os.sep, "")
    return pick


class Runner:
    def __init__(self, opts):
        self.opts = opts
        self.mote_run = opts.mote_run
        self._mote_help = None

    def mote_supports(self, option):
        if self._mote_help is None:
            try:
                self._mote_help = subprocess.run(
                    [self.mote_run, "--help"], capture_output=True, text=True,
                    timeout=60).stdout
            except OSError:
                self._mote_help = ""
        return ("-" + option) in self._mote_help

    def run(self, cmd, timeout):
        t0 = time.time()
        try:
            p = subprocess.run(cmd, capture_output=True, text=True,
                               timeout=timeout)
        except subprocess.TimeoutExpired:
            return None, f"timed out after {timeout} s", time.time() - t0
        except OSError as e:
            return None, f"cannot run {cmd[0]}: {e}", time.time() - t0
        return p, None, time.time() - t0

    def run_ort(self, jobs, work):
        """Runs every model on onnxruntime in one ort_run.js process
        (--jobs). Returns None, or an error that applies to all of them."""
        spec = []
        for i, (_, model, inputs, _) in enumerate(jobs):
            d = os.path.join(work, str(i))
            shutil.rmtree(d, ignore_errors=True)
            spec.append({"model": model, "inputs": inputs,
                         "outputDir": os.path.join(d, "ort")})
        path = os.path.join(work, "ort-jobs.json")
        with open(path, "w") as f:
            json.dump(spec, f, indent=1)
        p, err, _ = self.run([self.opts.node, self.opts.ort_run, "--jobs",
                              path, "--threads", str(self.opts.threads)],
                             self.opts.timeout * max(len(jobs), 1))
        if err:
            return err
        if p.returncode != 0:
            return first_error(p.stderr, path)
        return None

    def compare(self, model, inputs, input_shapes, work, label):
        """Returns (ok, reason, lines); onnxruntime's outputs are already in
        work/ort (run_ort)."""
        lines = []
        mote_out = os.path.join(work, "mote")
        ort_out = os.path.join(work, "ort")
        shutil.rmtree(mote_out, ignore_errors=True)
        mote_cmd = [self.mote_run, model, "--output-dir", mote_out]
        if self.opts.threads:
            mote_cmd.append(f"--threads={self.opts.threads}")
        for spec in inputs:
            mote_cmd += ["--input", spec]
        for spec in input_shapes:
            if self.mote_supports("input-shape"):
                mote_cmd.append(f"--input-shape={spec}")
            else:
                lines.append(f"  note: mote-run has no --input-shape; "
                             f"running without {spec}")
        mote_cmd += self.opts.mote_arg

        err_file = os.path.join(ort_out, "ERROR")
        if os.path.exists(err_file):
            with open(err_file) as f:
                return False, "onnxruntime: " + first_error(f.read(), model), \
                    lines
        t_ort = float("nan")
        try:
            with open(os.path.join(ort_out, "summary.txt")) as f:
                for l in f:
                    if l.startswith("time "):
                        t_ort = float(l.split()[1])
        except OSError:
            return False, "onnxruntime: ort_run.js left no result", lines
        p, err, t_mote = self.run(mote_cmd, self.opts.timeout)
        if err:
            return False, "mote-run: " + err, lines
        if p.returncode < 0:
            return False, f"mote-run: crashed (signal {-p.returncode})", lines
        if p.returncode != 0:
            return False, "mote-run: " + first_error(p.stderr, model), lines
        lines.append(f"  time: onnxruntime {t_ort:.2f} s (run), mote-run "
                     f"{t_mote:.2f} s (process)")

        worst = 0.0
        problems = []
        ort_files = sorted(glob.glob(os.path.join(ort_out, "*.npy")))
        if not ort_files:
            return False, "onnxruntime wrote no output", lines
        for f in ort_files:
            name = os.path.basename(f)[:-4]
            ref = np.load(f)
            mf = os.path.join(mote_out, name + ".npy")
            if not os.path.exists(mf):
                have = sorted(os.path.basename(x)[:-4] for x in
                              glob.glob(os.path.join(mote_out, "*.npy")))
                problems.append(f"mote-run wrote no output '{name}' "
                                f"(it wrote: {', '.join(have) or 'none'})")
                continue
            act = np.load(mf)
            if act.shape != ref.shape:
                problems.append(f"output '{name}' has shape {act.shape}, "
                                f"onnxruntime {ref.shape}")
                continue
            r = ref.astype(np.float64)
            a = act.astype(np.float64)
            scale = float(np.abs(r).max(initial=0.0))
            if not np.all(np.isfinite(a)) or not np.all(np.isfinite(r)):
                same = np.array_equal(np.isnan(a), np.isnan(r)) and \
                    np.array_equal(a[~np.isfinite(a)], r[~np.isfinite(r)])
                if not same:
                    problems.append(f"output '{name}': non-finite values differ")
                    continue
                fin = np.isfinite(r)
                r, a = r[fin], a[fin]
                scale = float(np.abs(r).max(initial=0.0))
            err_abs = float(np.abs(a - r).max(initial=0.0))
            rel = err_abs / scale if scale > 0 else (0.0 if err_abs == 0
                                                     else float("inf"))
            worst = max(worst, rel)
            verdict = "ok" if rel <= self.opts.tol else "TOO LARGE"
            lines.append(f"  {name}: shape {list(ref.shape)}, max|ort| "
                         f"{scale:.4g}, max abs err {err_abs:.3g}, "
                         f"err/max|out| {rel:.3g} [{verdict}]")
            if rel > self.opts.tol:
                problems.append(f"output '{name}' differs: max abs err "
                                f"{err_abs:.3g} = {rel:.3g} of max|out| "
                                f"(tolerance {self.opts.tol:g})")
        if problems:
            return False, "disagrees: " + "; ".join(problems), lines
        return True, f"agrees, err/max|out| {worst:.3g}", lines


def read_expect(path):
    expected = {}
    with open(path) as f:
        for n, line in enumerate(f, 1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            label, sep, msg = line.partition(":")
            if not sep or not msg.strip():
                raise SystemExit(f"{path}:{n}: expected 'LABEL: MESSAGE', "
                                 f"got '{line}'")
            expected[label.strip()] = msg.strip()
    return expected


def model_inputs(d, name):
    single = os.path.join(d, name + ".input.npy")
    if os.path.exists(single):
        return [single]
    files = sorted(glob.glob(os.path.join(d, glob.escape(name) + ".input.*.npy")))
    prefix = len(name + ".input.")
    return [f"{os.path.basename(f)[prefix:-4]}={f}" for f in files]


def main():
    parser = argparse.ArgumentParser(description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("model", nargs="?", help="one MODEL.onnx")
    parser.add_argument("--input", action="append", default=[],
                        help="[NAME=]FILE.npy (one model)")
    parser.add_argument("--input-shape", action="append", default=[],
                        help="NAME=AxBxC for mote-run (one model)")
    parser.add_argument("--label", help="label of the one model "
                        "(default SUITE/basename)")
    parser.add_argument("--dir", help="a directory of NAME.onnx models")
    parser.add_argument("--models", help="comma-separated names in --dir")
    parser.add_argument("--all", action="store_true",
                        help="every NAME.onnx in --dir")
    parser.add_argument("--suite", default="", help="label prefix")
    parser.add_argument("--expect", help="expected-failure list")
    parser.add_argument("--tol", type=float, default=1e-4,
                        help="max abs error / max |output| (default 1e-4)")
    parser.add_argument("--mote-run",
                        default=os.path.join(os.environ.get(
                            "MOTE_BUILD_DIR", os.path.join(ROOT, "build")),
                            "bin", "mote-run"))
    parser.add_argument("--mote-arg", action="append", default=[],
                        help="extra mote-run argument (repeatable)")
    parser.add_argument("--ort-run", default=os.path.join(HERE, "ort_run.js"))
    parser.add_argument("--node", default=shutil.which("node") or "node")
    parser.add_argument("--threads", type=int, default=1,
                        help="threads for each runtime (default 1; lit runs "
                        "tests in parallel)")
    parser.add_argument("--timeout", type=int, default=600,
                        help="seconds per run (default 600)")
    parser.add_argument("--work", help="keep outputs here (default: a "
                        "temporary directory)")
    opts = parser.parse_args()

    if bool(opts.model) == bool(opts.dir):
        parser.error("give one MODEL.onnx or --dir DIR")
    if opts.dir and not (opts.models or opts.all):
        parser.error("--dir needs --models or --all")
    if not shutil.which(opts.node) and not os.path.exists(opts.node):
        print(f"compare_ort: node not found ({opts.node})", file=sys.stderr)
        return 2

    jobs = []  # (label, model, inputs, input_shapes)
    prefix = opts.suite + "/" if opts.suite else ""
    if opts.model:
        base = os.path.splitext(os.path.basename(opts.model))[0]
        jobs.append((opts.label or prefix + base, opts.model, opts.input,
                     opts.input_shape))
    else:
        if opts.all:
            names = sorted(os.path.basename(f)[:-5] for f in
                           glob.glob(os.path.join(opts.dir, "*.onnx")))
        else:
            names = [n for n in opts.models.split(",") if n]
        for n in names:
            model = os.path.join(opts.dir, n + ".onnx")
            if not os.path.exists(model):
                raise SystemExit(f"compare_ort: {model}: no such model")
            ins = model_inputs(opts.dir, n)
            if not ins:
                raise SystemExit(f"compare_ort: {model}: no input "
                                 f"({n}.input.npy or {n}.input.NAME.npy)")
            jobs.append((prefix + n, model, ins, []))

    expected = read_expect(opts.expect) if opts.expect else {}
    runner = Runner(opts)
    work = opts.work or tempfile.mkdtemp(prefix="compare_ort.")
    passed, failed = [], []
    status = 0
    try:
        ort_error = runner.run_ort(jobs, work)
        if ort_error:
            print(f"compare_ort: onnxruntime: {ort_error}")
            return 1
        for i, (label, model, ins, shapes) in enumerate(jobs):
            ok, reason, lines = runner.compare(
                model, ins, shapes, os.path.join(work, f"{i}"), label)
            for l in lines:
                print(l)
            want = expected.get(label)
            if ok and want is None:
                print(f"PASS {label}: {reason}")
                passed.append(label)
            elif ok:
                print(f"UNEXPECTED PASS {label}: {reason} (remove {label} "
                      f"from {opts.expect})")
                status = 1
                passed.append(label)
            elif want is None:
                print(f"FAIL {label}: {reason}")
                status = 1
                failed.append(label)
            elif want in reason:
                print(f"XFAIL {label}: {reason}")
                failed.append(label)
            else:
                print(f"FAIL {label}: {reason} (listed in {opts.expect} as "
                      f"failing with '{want}': update the list)")
                status = 1
                failed.append(label)
            sys.stdout.flush()
    finally:
        if not opts.work:
            shutil.rmtree(work, ignore_errors=True)
    print(f"compare_ort: {len(passed)} agree, {len(failed)} fail, "
          f"{'as expected' if status == 0 else 'NOT as expected'}")
    return status


if __name__ == "__main__":
    sys.exit(main())
