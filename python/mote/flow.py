#===- python/mote/flow.py - compile() and CompiledModel --------------------===#
#
# Part of the Mote project: an MLIR compiler for the Mote NPU.
#
#===----------------------------------------------------------------------===#
"""The implementation behind mote.compile (see the package docstring)."""

import json
import os
import shutil
import subprocess
import tempfile

import numpy as np


class MoteError(RuntimeError):
    """A Mote tool failed; the message carries the tool's own error."""


def tool_path(name):
    """Where the Mote tool `name` lives: $MOTE_BIN, the build tree, PATH."""
    candidates = []
    if os.environ.get("MOTE_BIN"):
        candidates.append(os.path.join(os.environ["MOTE_BIN"], name))
    here = os.path.dirname(os.path.abspath(__file__))
    candidates.append(os.path.join(here, "..", "..", "build", "bin", name))
    for c in candidates:
        if os.access(c, os.X_OK):
            return os.path.normpath(c)
    found = shutil.which(name)
    if found:
        return found
    raise MoteError(f"cannot find the '{name}' tool: build Mote "
                    "(bash scripts/build.sh) or set MOTE_BIN")


def _run(argv):
    proc = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True)
    if proc.returncode != 0:
        raise MoteError(f"{os.path.basename(argv[0])} failed "
                        f"(exit {proc.returncode}):\n{proc.stderr.strip()}")
    return proc


def _as_numpy(x):
    if hasattr(x, "detach"):
        x = x.detach().cpu().numpy()
    return np.ascontiguousarray(np.asarray(x, dtype=np.float32))


def _export(model, example_inputs, path, opset):
    import torch
    if isinstance(example_inputs, (list, tuple)):
        args = tuple(torch.as_tensor(_as_numpy(a)) for a in example_inputs)
    else:
        args = (torch.as_tensor(_as_numpy(example_inputs)),)
    names = [f"input{i}" if len(args) > 1 else "input"
             for i in range(len(args))]
    was_training = model.training
    model.eval()
    with torch.no_grad():
        torch.onnx.export(model, args, path, input_names=names,
                          output_names=["output"], opset_version=opset,
                          do_constant_folding=True)
    model.train(was_training)
    return names


class CompiledModel:
    """A model compiled to an .mbin; run it on the simulator."""

    def __init__(self, mbin, input_names, report, workdir, keep):
        self.mbin = mbin
        self.input_names = input_names
        self._report = report
        self._workdir = workdir
        self._keep = keep

    def report(self):
        """motec's JSON report (latency, energy, power, per layer)."""
        return self._report

    def run(self, *inputs, stats=False):
        """Runs the program on the simulator. Each input is an array in the
        framework's layout; a leading dimension k times the model's runs k
        samples in parallel. Returns the output array (or a dict when the
        model has several outputs); with stats=True also the simulator's
        statistics."""
        if len(inputs) != len(self.input_names):
            raise MoteError(f"the model takes {len(self.input_names)} "
                            f"input(s), got {len(inputs)}")
        work = tempfile.mkdtemp(prefix="mote-run-", dir=self._workdir)
        argv = [tool_path("mote-sim"), self.mbin]
        for name, x in zip(self.input_names, inputs):
            path = os.path.join(work, name + ".npy")
            np.save(path, _as_numpy(x))
            argv += ["--input", f"{name}={path}"]
        out_dir = os.path.join(work, "out")
        stats_path = os.path.join(work, "stats.json")
        argv += ["--output-dir", out_dir, "--stats", stats_path]
        _run(argv)
        outputs = {os.path.splitext(f)[0]: np.load(os.path.join(out_dir, f))
                   for f in sorted(os.listdir(out_dir)) if f.endswith(".npy")}
        result = (next(iter(outputs.values())) if len(outputs) == 1
                  else outputs)
        if stats:
            with open(stats_path) as f:
                return result, json.load(f)
        return result

    def __del__(self):
        if not self._keep and self._workdir and os.path.isdir(self._workdir):
            shutil.rmtree(self._workdir, ignore_errors=True)


def compile(model, example_inputs=None, calib=None, target="mote-default",
            precision="int8", synth=None, plan=None, output=None, opset=13,
            input_shapes=None, extra_args=()):
    """Compiles `model` (a torch.nn.Module, or a path to an .onnx/.mlir
    file) for the Mote NPU.

    example_inputs: the input(s) torch.onnx.export traces with (modules
        only). calib: calibration data, an array [N, ...] in the model's
        input layout or a path (.npy/.npz/directory); default: the example
        inputs. target: a target name or JSON file. precision: int8, int4,
        w4a8 or mixed. synth: None, 'pow2', 'learned' or 'residual'.
        plan: a mixed-precision plan file. output: where to keep the .mbin
        (default: a temporary directory that lives as long as the result).
        input_shapes: {input name: shape tuple} for ONNX inputs with
        symbolic dimensions (motec --input-shape); a symbolic leading
        dimension defaults to 1.
    """
    workdir = tempfile.mkdtemp(prefix="mote-")
    keep = output is not None
    if isinstance(model, (str, os.PathLike)):
        model_path = os.fspath(model)
        input_names = None
    else:
        if example_inputs is None:
            raise MoteError("compiling a torch module needs example_inputs")
        model_path = os.path.join(workdir, "model.onnx")
        input_names = _export(model, example_inputs, model_path, opset)
    argv = [tool_path("motec"), model_path, "--target", str(target),
            "--precision", precision]
    if calib is None and example_inputs is not None:
        calib = example_inputs
    if calib is not None:
        if isinstance(calib, (str, os.PathLike)):
            argv += ["--calib", os.fspath(calib)]
        else:
            path = os.path.join(workdir, "calib.npy")
            np.save(path, _as_numpy(calib))
            argv += ["--calib", path]
    for name, shape in (input_shapes or {}).items():
        dims = tuple(shape)
        if not dims or not all(isinstance(d, (int, np.integer)) and d > 0
                               for d in dims):
            raise MoteError(f"input_shapes['{name}'] = {shape!r}: expected "
                            "a tuple of positive integers")
        argv += ["--input-shape",
                 f"{name}=" + "x".join(str(int(d)) for d in dims)]
    if synth:
        argv += ["--synth", synth]
    if plan:
        argv += ["--plan", os.fspath(plan)]
    mbin = os.fspath(output) if output else os.path.join(workdir, "model.mbin")
    report_path = os.path.join(workdir, "report.json")
    argv += ["-o", mbin, "--report", report_path, *extra_args]
    _run(argv)
    with open(report_path) as f:
        report = json.load(f)
    if input_names is None:
        # motec's report lists the program's I/O under "io".
        input_names = [io["name"] for io in report.get("io", [])
                       if io.get("direction") == "input"]
    return CompiledModel(mbin, input_names, report, workdir, keep)
