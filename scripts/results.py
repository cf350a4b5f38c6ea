#!/usr/bin/python3
#===- scripts/results.py - Generate docs/results.md ------------------------===#
#
# Part of the Mote project: an MLIR compiler for the Mote NPU.
#
#===----------------------------------------------------------------------===#
"""Compiles every reference model for every shipped target with `motec`,
simulates it and writes docs/results.md: latency, energy per inference,
average power, MAC utilisation and cycles over the compiler's roofline per
model and target; the trained Fashion-MNIST model's accuracy at every
precision with its simulated energy; and, beside the MLPerf Tiny models,
published MLPerf Tiny v1.0 figures of real devices for scale.

Models:
  fashion_mnist_cnn  the bundled trained model (models/); calibration on the
                     first 1,000 training images; top-1 on the 10,000 test
                     images, run on the simulator (bit-exact)
  resnet8, ds_cnn, mobilenet_v1_025, autoencoder
                     MLPerf Tiny reference architectures
                     (scripts/models/mlperf_tiny.py), random weights and
                     random calibration data
  resnet18, mobilenet_v2
                     torchvision, random weights, 1x3x224x224, a few random
                     calibration samples

Every figure comes from a `motec --report` JSON file; nothing is typed by
hand. A model that does not compile for a target appears in the table with
the first line of the compiler's error.

Usage: results.py [--build DIR] [--out docs/results.md] [--quick]
                  [--work DIR] [--threads N]
  --quick   1,000 test images, 200 calibration images, MLPerf Tiny and
            Fashion-MNIST only (no torchvision models): about a minute
"""

import argparse
import datetime
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
MODELS_DIR = os.path.join(HERE, "models")
PY = "/usr/bin/python3"

TARGETS = ["mote-default", "mote-d2", "mote-d8", "mote-small", "mote-large"]
MLPERF = ["resnet8", "ds_cnn", "mobilenet_v1_025", "autoencoder"]
TORCHVISION = ["resnet18", "mobilenet_v2"]

# MLPerf Tiny v1.0 inference results (closed division), as quoted in the
# project's issue 8 for image classification (ResNet-8 on CIFAR-10):
# (system, latency ms, energy µJ). Only figures known reliably are listed.
PUBLISHED = {
    "resnet8": [("GreenWaves GAP9", 0.96, 27.7),
                ("Syntiant NDP9120", 16.1, 101.8),
                ("ST STM32L4R5 (Cortex-M4)", 226.8, 10682.0)],
}

DESCRIPTIONS = {
    "fashion_mnist_cnn": "Fashion-MNIST CNN (trained, bundled)",
    "resnet8": "MLPerf Tiny IC: ResNet-8, CIFAR-10 1x3x32x32",
    "ds_cnn": "MLPerf Tiny KWS: DS-CNN, 1x1x49x10 MFCC",
    "mobilenet_v1_025": "MLPerf Tiny VWW: MobileNetV1 0.25, 1x3x96x96",
    "autoencoder": "MLPerf Tiny AD: FC autoencoder, 1x640",
    "resnet18": "torchvision ResNet-18, 1x3x224x224",
    "mobilenet_v2": "torchvision MobileNetV2, 1x3x224x224",
}


def log(msg):
    print(f"results.py: {msg}", file=sys.stderr, flush=True)


def run(cmd, check=True):
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True)
    if check and proc.returncode != 0:
        sys.exit(f"results.py: {' '.join(cmd)} failed:\n{proc.stderr}")
    return proc


def first_error(stderr):
    """The first line of a failing tool's message that names an error."""
    lines = [ln.strip() for ln in stderr.splitlines() if ln.strip()]
    for ln in lines:
        if "error:" in ln:
            ln = ln.replace(ROOT + "/", "").replace("|", "/").replace("`", "'")
            return ln if len(ln) <= 220 else ln[:217] + "..."
    return lines[-1] if lines else "(no message)"


class Motec:
    def __init__(self, build, work, threads):
        self.exe = os.path.join(build, "bin", "motec")
        if not os.access(self.exe, os.X_OK):
            sys.exit(f"results.py: {self.exe} not found; build it with "
                     f"`ninja -C {build} motec`")
        self.work = work
        self.threads = threads

    def __call__(self, tag, model, calib, target="mote-default",
                 precision="int8", extra=()):
        """Runs motec; returns (report dict, None) or (None, error line)."""
        out = os.path.join(self.work, tag)
        cmd = [self.exe, model] + (["--calib", calib] if calib else []) + [
               "--target", target,
               "--precision", precision, "-o", out + ".mbin",
               "--report", out + ".json", "--quiet", "--no-summary",
               "--threads", str(self.threads)] + list(extra)
        start = time.monotonic()
        proc = run(cmd, check=False)
        seconds = time.monotonic() - start
        if proc.returncode != 0:
            err = first_error(proc.stderr)
            log(f"{tag}: FAILED ({seconds:.1f} s): {err}")
            return None, err
        with open(out + ".json") as f:
            report = json.load(f)
        report["wall_seconds"] = seconds
        log(f"{tag}: {seconds:.1f} s")
        return report, None


def fmt(v, digits=1):
    return f"{v:,.{digits}f}"


def target_row(name, target, report, error):
    if error is not None:
        return (f"| {name} | {target} | **does not compile**: "
                f"`{error.replace('|', '/')}` | | | | | | |")
    t = report["simulator"]["total"]
    exact = ""
    data = report.get("data", {})
    if "simulator_vs_quantized" in data:
        exact = ("yes" if data["simulator_vs_quantized"]["bit_exact"]
                 else "**NO**")
    return (f"| {name} | {target} | {fmt(t['us'])} | {t['cycles']:,} | "
            f"{fmt(t['energy_uj'], 2)} | {fmt(t['average_power_mw'])} | "
            f"{100 * t['utilisation']:.1f} % | "
            f"{t['cycles_over_roofline']:.2f} | {exact} |")


def main():
    parser = argparse.ArgumentParser(description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--build", default=os.path.join(ROOT, "build"))
    parser.add_argument("--out", default=os.path.join(ROOT, "docs",
                                                      "results.md"))
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--work", help="keep models, reports and data here")
    parser.add_argument("--threads", type=int, default=0,
                        help="motec --threads (0 = all cores)")
    opts = parser.parse_args()
    build = os.path.abspath(opts.build)
    work = opts.work or tempfile.mkdtemp(prefix="mote-results.")
    os.makedirs(work, exist_ok=True)
    motec = Motec(build, work, opts.threads)
    begin = time.monotonic()

    test_count = 1000 if opts.quick else 10000
    calib_count = 200 if opts.quick else 1000

    # --- data and models ---------------------------------------------------
    fm_test = os.path.join(work, "fm-test")
    fm_calib = os.path.join(work, "fm-calib")
    run([PY, os.path.join(MODELS_DIR, "fashion_mnist.py"), fm_test, "--npy",
         "--count", str(test_count)])
    run([PY, os.path.join(MODELS_DIR, "fashion_mnist.py"), fm_calib, "--npy",
         "--split", "train", "--count", str(calib_count)])
    fm_model = os.path.join(ROOT, "models", "fashion_mnist_cnn.onnx")
    fm_images = os.path.join(fm_test, "images.npy")
    fm_labels = os.path.join(fm_test, "labels.npy")
    fm_cal = os.path.join(fm_calib, "images.npy")

    mt = os.path.join(work, "mlperf")
    mlperf_calib = 16
    run([PY, os.path.join(MODELS_DIR, "mlperf_tiny.py"), mt,
         "--calib", str(mlperf_calib)])
    models = []  # (name, onnx, calib, sample input)
    models.append(("fashion_mnist_cnn", fm_model, fm_cal,
                   os.path.join(work, "fm-sample.npy")))
    np.save(models[0][3], np.load(fm_images)[:1])
    for m in MLPERF:
        models.append((m, os.path.join(mt, m + ".onnx"),
                       os.path.join(mt, m + ".calib.npy"),
                       os.path.join(mt, m + ".input.npy")))
    tv_calib_count = 4
    if not opts.quick:
        tv = os.path.join(work, "torchvision")
        run([PY, os.path.join(MODELS_DIR, "export_torchvision.py"), tv,
             "--models", ",".join(TORCHVISION)])
        tv_calib = os.path.join(tv, "calib.npy")
        np.save(tv_calib, np.random.default_rng(5).standard_normal(
            (tv_calib_count, 3, 224, 224)).astype(np.float32))
        # Calibrated and quantized once with mote-opt (refinements on, with
        # their per-layer cost cap, as motec does), so that the per-target
        # runs below do not repeat it: motec then takes the quantized IR.
        bin_ = os.path.join(build, "bin")
        for m in TORCHVISION:
            onnx = os.path.join(tv, m + ".onnx")
            fl = os.path.join(tv, m + ".mlirbc")
            q = os.path.join(tv, m + ".int8.mlirbc")
            run([os.path.join(bin_, "mote-translate"), "--import-onnx", onnx,
                 "--emit-bytecode", "-o", fl])
            run([os.path.join(bin_, "mote-opt"), fl,
                 f"--mote-calibrate=data={tv_calib}",
                 f"--mote-quantize=precision=int8 data={tv_calib}",
                 "--emit-bytecode",
                 "-o", q])
            models.append((m, q, None, os.path.join(tv, m + ".input.npy")))

    # --- every model on every target (int8) --------------------------------
    # One sample through the simulator with --verify: the simulator must be
    # bit-exact with the quantized IR (column "bit-exact").
    per_target = {}
    for name, onnx, calib, sample in models:
        for target in TARGETS:
            per_target[(name, target)] = motec(
                f"{name}.{target}", onnx, calib, target,
                extra=["--input", sample, "--verify"])

    # --- Fashion-MNIST precisions on mote-default --------------------------
    precisions = [
        ("int8", "int8", []),
        ("int4", "int4", []),
        ("W4A8", "w4a8", []),
        ("mixed, budget 0.5", "mixed", ["--budget", "0.5"]),
        ("synthesized pow2 (2 x 4-bit terms)", "int8",
         ["--synth", "pow2", "--synth-terms", "2", "--synth-bits", "4"]),
        ("synthesized learned (4 x 1-bit terms)", "int8",
         ["--synth", "learned", "--synth-terms", "4", "--synth-bits", "1"]),
    ]
    fm_rows = []
    for label, prec, extra in precisions:
        verify = ["--verify"] if prec == "int8" and not extra else []
        tag = "fm-" + label.split(" ")[0].replace(",", "").lower() + (
            "-" + extra[1] if extra and extra[0] == "--synth" else "")
        report, err = motec(tag, fm_model, fm_cal, "mote-default", prec,
                            extra + ["--input", fm_images,
                                     "--labels", fm_labels] + verify)
        ir_top1 = None
        if err is not None:
            # No program: still measure the quantized (bit-lowered) IR's
            # accuracy on the reference interpreter.
            ir = os.path.join(work, tag + ".mlir")
            proc = run([motec.exe, fm_model, "--calib", fm_cal,
                        "--precision", prec, "--emit", "mote", "-o", ir,
                        "--quiet", "--threads", str(opts.threads)] + extra,
                       check=False)
            if proc.returncode == 0:
                outdir = os.path.join(work, tag + ".out")
                proc = run([os.path.join(build, "bin", "mote-run"), ir,
                            "--input", fm_images, "--output-dir", outdir,
                            "--threads", str(opts.threads)], check=False)
                if proc.returncode == 0:
                    logits = np.load(os.path.join(
                        outdir, sorted(os.listdir(outdir))[0]))
                    ir_top1 = 100.0 * float(np.mean(
                        logits.reshape(len(logits), -1).argmax(-1)
                        == np.load(fm_labels)))
        fm_rows.append((label, prec, extra, report, err, ir_top1))

    elapsed = time.monotonic() - begin

    # --- write docs/results.md ---------------------------------------------
    L = []
    w = L.append
    today = datetime.date.today().isoformat()
    w("# Results: latency, energy, power and accuracy on the Mote NPU")
    w("")
    w("<!-- Generated by scripts/results.py; do not edit by hand. -->")
    w("")
    cmdline = "scripts/results.py --build BUILD_DIR" + (
        " --quick" if opts.quick else "")
    w(f"Generated on {today} by `{PY} {cmdline}` "
      f"({elapsed / 60:.1f} min on {os.cpu_count()} cores, "
      f"{platform.machine()}). Regenerate with:")
    w("")
    w("    ninja -C build motec")
    w("    /usr/bin/python3 scripts/results.py --build build "
      "--out docs/results.md        # about 10 minutes on 2 cores")
    w("    /usr/bin/python3 scripts/results.py --build build --quick "
      "--out /tmp/results.md  # smaller subset")
    w("")
    w("Every figure below is **modelled**: it is what `mote-sim` (the "
      "bit-exact functional and timing simulator, docs/Simulator.md) reports "
      "for the program `motec` compiled, on the target described by "
      "`target/targets/NAME.json`. No Mote NPU silicon exists. The MLPerf "
      "Tiny figures in the second table are **measured silicon** from the "
      "published MLPerf Tiny v1.0 results and are shown for scale only.")
    w("")
    w("## Caveats")
    w("")
    w("- The energy model is the target file's `energy` table (pJ per "
      "digit-MAC, accumulator update, SRAM byte per buffer, DRAM byte, "
      "vector op; seeded from Horowitz, ISSCC 2014, 45 nm) applied to the "
      "events the simulator counts. It is a model, not a measurement.")
    w("- Energy per inference **includes static power** (`static_power_mw` "
      "× latency); average power = energy / latency.")
    w("- Weights are **resident** where they fit the weight buffer "
      "(`motec --weights=auto`, the default): they load once per program "
      "load, and that one-time cost (the simulator's `program_load`) is "
      "not in the per-inference figures. Where they do not fit "
      "(the autoencoder, ResNet-18, MobileNetV2 on mote-default) they are "
      "streamed per inference and included. The digit passes of a tile "
      "accumulate in the MAC array (MATMUL chains, docs/NPU.md).")
    w("- Host ops are **not** included: the final softmax of the "
      "classifiers (left out of the exported models, it does not change "
      "top-1) and any op the report lists as a host op would run on the "
      "host CPU.")
    w("- The MLPerf Tiny and torchvision models have **random weights** "
      "(seeded) and random calibration data: latency and energy do not "
      "depend on the weight values (the timing model is data-independent), "
      "but accuracy figures would be meaningless, so there are none. Only "
      "the Fashion-MNIST model is trained.")
    w("- Every model is quantized with the default teacher-guided "
      "refinements (weight-scale search, AdaRound-style rounding, bias "
      "correction; layers above `refine-max-gops` get bias correction "
      "only). The torchvision models are calibrated and quantized once by "
      "`mote-opt` and the quantized IR is compiled by `motec` per target "
      "(the same passes motec runs, done once to save time).")
    w("- Models are int8 (8-bit weights and activations, per-channel "
      "weights) unless stated; on 4-bit-digit targets an 8×8-bit product is "
      "four digit passes (docs/BitwidthLowering.md).")
    w("- Utilisation = digit-MACs / (cycles × MAC rows × cols); cycles / "
      "roofline = simulated cycles over the compiler's per-layer roofline "
      "bound (`--npu-estimate`), so 1.00 is the bound.")
    w("- bit-exact: one input ran through the simulator and through the "
      "reference interpreter on the quantized IR (`motec --verify`); *yes* "
      "means every output element is identical.")
    w("")

    # Fashion-MNIST accuracy table.
    w("## Fashion-MNIST (trained): accuracy and energy per precision, "
      "mote-default")
    w("")
    w(f"Calibration: the first {calib_count:,} training images. Top-1: "
      f"the first {test_count:,} test images, run on the simulator "
      "(`motec --input … --labels …`); float top-1 from the reference "
      "interpreter on the float model (`--verify`). Energy, latency and "
      "power from the simulator.")
    w("")
    w("| precision | top-1 (simulator) | vs float | energy µJ/inference | "
      "vs int8 | latency µs | avg power mW |")
    w("| --- | --- | --- | --- | --- | --- | --- |")
    float_top1 = None
    base_energy = None
    for label, prec, extra, report, err, _ in fm_rows:
        if report and "top1_float" in report.get("data", {}):
            float_top1 = report["data"]["top1_float"]
    if float_top1 is not None:
        w(f"| float (reference interpreter) | {float_top1:.2f} % | | — | | "
          "— | — |")
    for label, prec, extra, report, err, ir_top1 in fm_rows:
        if err is not None:
            acc = (f"{ir_top1:.2f} % (interpreter on the quantized IR)"
                   if ir_top1 is not None else "—")
            vs_f = (f"{ir_top1 - float_top1:+.2f}"
                    if ir_top1 is not None and float_top1 is not None else "")
            w(f"| {label} | {acc} | {vs_f} | **does not compile for the "
              f"NPU**: `{err}` | | | |")
            continue
        t = report["simulator"]["total"]
        acc = report["data"]["top1_simulator"]
        if prec == "int8" and not extra:
            base_energy = t["energy_uj"]
        vs_f = f"{acc - float_top1:+.2f}" if float_top1 is not None else ""
        vs_8 = (f"{100 * (t['energy_uj'] - base_energy) / base_energy:+.1f} %"
                if base_energy else "")
        w(f"| {label} | {acc:.2f} % | {vs_f} | {fmt(t['energy_uj'], 3)} | "
          f"{vs_8} | {fmt(t['us'])} | {fmt(t['average_power_mw'])} |")
    w("")
    int8 = fm_rows[0][3]
    if int8 and "top1_quantized_ir" in int8.get("data", {}):
        d = int8["data"]
        w(f"int8 on the reference interpreter (quantized IR): "
          f"{d['top1_quantized_ir']:.2f} %; simulator vs quantized IR "
          f"bit-exact on all {d['samples']:,} images: "
          f"{'yes' if d['simulator_vs_quantized']['bit_exact'] else 'NO'}.")
        w("")
    w("- pow2 synthesis with 2 × 4-bit terms is exactly the int8 weights "
      "split into two digit planes (lossless); learned is an LQ-Nets "
      "non-uniform 4-bit codebook of four 1-bit terms, each its own digit "
      "pass (docs/Synthesis.md). Mixed is the energy-aware per-layer search "
      "with a budget of 0.5 points of top-1 agreement with float on the "
      "calibration images (docs/MixedPrecision.md).")
    w("")

    # Per-target table.
    w("## Every model on every shipped target (int8, modelled Mote NPU)")
    w("")
    w("| model | target | latency µs | cycles | energy µJ | avg power mW | "
      "MAC utilisation | cycles / roofline | bit-exact |")
    w("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for name, *_ in models:
        for target in TARGETS:
            report, err = per_target[(name, target)]
            w(target_row(name, target, report, err))
    w("")
    w("Models: " + "; ".join(f"`{n}`: {DESCRIPTIONS[n]}"
                             for n, *_ in models) + ".")
    w(f"Calibration: MLPerf Tiny {mlperf_calib} random samples each"
      + ("" if opts.quick else
         f", torchvision {tv_calib_count} random 224×224 samples")
      + ", Fashion-MNIST as above.")
    w("")
    w("Targets (`target/targets/*.json`):")
    w("")
    for target in TARGETS:
        with open(os.path.join(ROOT, "target", "targets",
                               target + ".json")) as f:
            desc = json.load(f).get("description", "")
        w(f"- `{target}`: {desc}")
    w("")

    # MLPerf Tiny vs published silicon.
    w("## MLPerf Tiny: modelled Mote NPU vs measured silicon")
    w("")
    w("Rows marked *measured silicon (MLPerf Tiny v1.0)* are published "
      "results of real devices running trained models (latency and energy "
      "measured by the MLPerf Tiny harness). Rows marked *modelled Mote NPU "
      "(this simulator, random weights)* are this repository's simulator on "
      "the same architecture with random weights, int8, host softmax "
      "omitted. They are not an apples-to-apples comparison: trained versus "
      "random weights, different process nodes and clocks, and an energy "
      "model versus a power measurement.")
    w("")
    w("| benchmark | model | source | system | latency ms | energy µJ |")
    w("| --- | --- | --- | --- | --- | --- |")
    bench = {"resnet8": "image classification", "ds_cnn": "keyword spotting",
             "mobilenet_v1_025": "visual wake words",
             "autoencoder": "anomaly detection"}
    for m in MLPERF:
        for target in TARGETS:
            report, err = per_target[(m, target)]
            if err is not None:
                w(f"| {bench[m]} | {m} | modelled Mote NPU (this simulator, "
                  f"random weights) | {target} | does not compile | |")
                continue
            t = report["simulator"]["total"]
            w(f"| {bench[m]} | {m} | modelled Mote NPU (this simulator, "
              f"random weights) | {target} | {t['us'] / 1000:.3f} | "
              f"{fmt(t['energy_uj'], 1)} |")
        for system, ms, uj in PUBLISHED.get(m, []):
            w(f"| {bench[m]} | {m} | measured silicon (MLPerf Tiny v1.0) | "
              f"{system} | {ms:g} | {uj:,.1f} |")
    w("")
    w("Published figures for keyword spotting, visual wake words and "
      "anomaly detection are omitted: we only list numbers we can quote "
      "reliably (the image-classification figures above are the MLPerf Tiny "
      "v1.0 results quoted in the project's issue 8). See "
      "https://mlcommons.org/benchmarks/inference-tiny/ for the full "
      "results.")
    w("")

    # Compile wall time, for reference.
    w("## Compile + simulate wall time (this run)")
    w("")
    w("`motec` wall time per model on mote-default, including calibration "
      "and the one-sample `--verify`; per-stage seconds are in each report's "
      "`stages` (bench/compile_time.sh measures compile time and memory on "
      "its own).")
    w("")
    w("| model | seconds | slowest stage |")
    w("| --- | --- | --- |")
    for name, *_ in models:
        report, err = per_target[(name, "mote-default")]
        if err is not None:
            w(f"| {name} | failed | |")
            continue
        slow = max(report["stages"], key=lambda s: s["seconds"])
        w(f"| {name} | {report['wall_seconds']:.1f} | {slow['stage']} "
          f"({slow['seconds']:.1f} s) |")
    w("")

    text = "\n".join(L)
    work_tag = work.rstrip("/") + "/"
    text = text.replace(work_tag, "")  # no temporary paths in the page
    os.makedirs(os.path.dirname(os.path.abspath(opts.out)), exist_ok=True)
    with open(opts.out, "w") as f:
        f.write(text)
    log(f"wrote {opts.out} in {elapsed / 60:.1f} min")
    if not opts.work:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
