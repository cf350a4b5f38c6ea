#===- python/mote/distill.py - mote.distill --------------------------------===#
#
# Part of the Mote project: an MLIR compiler for the Mote NPU.
#
#===----------------------------------------------------------------------===#
"""mote.distill: a float teacher trains a quantized student whose forward
pass is the chip's integer arithmetic (docs/Distillation.md).

The flow, and why each step is there:

1. PTQ by Mote itself. The student is exported to ONNX and quantized by
   `motec` (calibration, quantization with its teacher-guided refinement),
   stopped before bit-width lowering (`--emit mote` on the 8-bit-digit
   target mote-d8, where no product is split into digit planes; the
   quantized IR does not depend on the target). Training starts from those
   scales, zero points and rounded weights, read back from the IR.
2. QuantGraph (qat.py) trains that IR: LSQ-style step sizes, straight-
   through gradients, and an exact integer forward (numerics.py, a port of
   Numerics.h) whose values are the chip's.
3. The loss is (1−α)·CE + α·T²·KL(teacher ‖ student); the first
   `qat_epochs` epochs are plain QAT (α = 0), the teacher stays in eval
   mode.
4. The trained integers and scales are written back into the IR, which
   `motec` compiles for the requested target without recalibration. The
   result is a CompiledModel (simulator, report) that can also emulate
   itself and save ONNX.

Every accuracy the flow reports is the integer emulation's.
"""

import math
import os
import shutil
import subprocess
import tempfile
import time

import numpy as np

from .flow import CompiledModel, MoteError, _as_numpy, _export, _run, tool_path

PRECISIONS = ("int8", "w4a8", "int4", "mixed")
# The quantized IR is read on a target whose MAC digit is 8 bits, so that no
# product is split into digit planes; quantization itself ignores the target.
IR_TARGET = "mote-d8"


class DistilledModel(CompiledModel):
    """What mote.distill returns: a CompiledModel (run on the simulator,
    report) plus the trained QuantGraph, its integer emulation and export."""

    def __init__(self, compiled, graph, ir_text, history, precision):
        super().__init__(compiled.mbin, compiled.input_names,
                         compiled.report(), compiled._workdir, compiled._keep)
        compiled._keep = True  # the directory now belongs to this object
        self.graph = graph
        self.ir_text = ir_text
        self.history = history
        self.precision = precision

    def emulate(self, images, batch=500):
        """Integer-emulated logits (float32, as the simulator returns them)
        and output storage integers for `images`."""
        import torch
        outs, ints = [], []
        self.graph.eval()
        with torch.no_grad():
            for i in range(0, len(images), batch):
                x = torch.from_numpy(_as_numpy(images[i:i + batch]))
                outs.append(self.graph(x, exact=True).float().numpy())
                ints.append(self.graph.last_ints.numpy())
        return np.concatenate(outs), np.concatenate(ints)

    def save_mlir(self, path):
        """The trained quantized IR (what motec compiled)."""
        _atomic_write_text(path, self.ir_text)

    def save_onnx(self, path):
        """An ONNX QDQ model (sub-byte: QuantizeLinear → Clip →
        DequantizeLinear) with the trained integers and scales: see
        onnx_export.py and docs/ONNX.md."""
        from .onnx_export import save_qdq
        save_qdq(self.graph.export_ir(), path)


def _atomic_write_text(path, text):
    tmp = f"{path}.tmp{os.getpid()}"
    try:
        with open(tmp, "w") as f:
            f.write(text)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


#===----------------------------------------------------------------------===#
# Argument checks
#===----------------------------------------------------------------------===#

def _check_args(precision, plan, epochs, temperature, alpha, qat_epochs,
                float_epochs=0, ema=None):
    if precision not in PRECISIONS:
        raise MoteError(f"distill: precision '{precision}' is not one of "
                        + ", ".join(PRECISIONS))
    if precision == "mixed" and not plan:
        raise MoteError("distill: precision 'mixed' needs plan= (a plan file "
                        "as written by motec --precision mixed)")
    if plan and not os.path.isfile(os.fspath(plan)):
        raise MoteError(f"distill: plan file '{plan}' does not exist")
    if not isinstance(epochs, int) or epochs < 1:
        raise MoteError(f"distill: epochs must be a positive integer, got "
                        f"{epochs!r}")
    if not (temperature > 0):
        raise MoteError(f"distill: temperature must be > 0, got {temperature}")
    if not (0.0 <= alpha <= 1.0):
        raise MoteError(f"distill: alpha must be in [0, 1], got {alpha}")
    if qat_epochs is not None and not (0 <= qat_epochs <= epochs):
        raise MoteError(f"distill: qat_epochs must be in [0, epochs], got "
                        f"{qat_epochs}")
    if not isinstance(float_epochs, int) or float_epochs < 0:
        raise MoteError(f"distill: float_epochs must be a non-negative "
                        f"integer, got {float_epochs!r}")
    if ema is not None and not (0.0 < ema < 1.0):
        raise MoteError(f"distill: ema must be a decay in (0, 1) or None, "
                        f"got {ema}")


class _Data:
    """train_data as batches: (images, labels) numpy arrays, or a torch
    DataLoader yielding (images, labels)."""

    def __init__(self, train_data, batch_size, seed):
        import torch
        self.loader = None
        if isinstance(train_data, torch.utils.data.DataLoader):
            self.loader = train_data
            first = next(iter(train_data))
            if not isinstance(first, (list, tuple)) or len(first) != 2:
                raise MoteError("distill: the DataLoader must yield "
                                "(images, labels) pairs")
            self.sample = _as_numpy(first[0][:1])
            self.n = len(train_data.dataset)
            return
        if not isinstance(train_data, (list, tuple)) or len(train_data) != 2:
            raise MoteError("distill: train_data must be (images, labels) "
                            "numpy arrays or a torch DataLoader")
        images, labels = train_data
        images = _as_numpy(images)
        labels = np.asarray(labels)
        if labels.ndim != 1 or not np.issubdtype(labels.dtype, np.integer):
            raise MoteError(f"distill: labels must be a 1-D integer array, "
                            f"got shape {labels.shape} dtype {labels.dtype}")
        if len(images) != len(labels):
            raise MoteError(f"distill: {len(images)} training images but "
                            f"{len(labels)} labels")
        if len(images) == 0:
            raise MoteError("distill: no training images")
        self.images, self.labels = images, labels.astype(np.int64)
        self.sample = images[:1]
        self.n = len(images)
        self.batch_size = batch_size
        self.rng = np.random.RandomState(seed)
        self.teacher_logits = None

    def cache_teacher(self, teacher, batch=1000):
        """The teacher's logits on every training image, once: the teacher
        is fixed and numpy data has no augmentation, so every epoch would
        recompute the same values (a DataLoader may augment: no cache)."""
        import torch
        if self.loader is not None or teacher is None:
            return
        outs = []
        with torch.no_grad():
            for i in range(0, self.n, batch):
                outs.append(teacher(torch.from_numpy(
                    self.images[i:i + batch])).double())
        self.teacher_logits = torch.cat(outs)

    def batches(self, teacher=None):
        """(images, labels, teacher logits or None) per batch."""
        import torch
        if self.loader is not None:
            for x, y in self.loader:
                x = torch.as_tensor(_as_numpy(x))
                t = None
                if teacher is not None:
                    with torch.no_grad():
                        t = teacher(x).double()
                yield x, torch.as_tensor(np.asarray(y, dtype=np.int64)), t
            return
        order = self.rng.permutation(self.n)
        for i in range(0, self.n, self.batch_size):
            idx = order[i:i + self.batch_size]
            x = torch.from_numpy(self.images[idx])
            t = None
            if teacher is not None:
                if self.teacher_logits is not None:
                    t = self.teacher_logits[torch.from_numpy(idx)]
                else:
                    with torch.no_grad():
                        t = teacher(x).double()
            yield x, torch.from_numpy(self.labels[idx]), t

    def calib(self, count=1000):
        if self.loader is not None:
            xs, n = [], 0
            for x, _ in self.loader:
                xs.append(_as_numpy(x))
                n += len(xs[-1])
                if n >= count:
                    break
            return np.concatenate(xs)[:count]
        return self.images[:count]


def _probe(module, sample, what):
    import torch
    try:
        with torch.no_grad():
            out = module(torch.from_numpy(sample))
    except Exception as e:  # the module's own error, named
        raise MoteError(f"distill: the {what} cannot run on the training "
                        f"images of shape {tuple(sample.shape[1:])} (per "
                        f"sample): {type(e).__name__}: {e}") from None
    if not hasattr(out, "shape"):
        raise MoteError(f"distill: the {what} must return one tensor")
    return tuple(out.shape)


#===----------------------------------------------------------------------===#
# PTQ by Mote
#===----------------------------------------------------------------------===#

def quantized_ir(model, sample, calib, precision, plan, workdir):
    """Mote's PTQ of `model` (a torch module or an .onnx path): the
    quantized, not bit-lowered IR text."""
    if isinstance(model, (str, os.PathLike)):
        onnx_path = os.fspath(model)
    else:
        onnx_path = os.path.join(workdir, "student.onnx")
        _export(model, sample, onnx_path, 13)
    calib_path = os.path.join(workdir, "calib.npy")
    np.save(calib_path, _as_numpy(calib))
    ir_path = os.path.join(workdir, "ptq.mlir")
    argv = [tool_path("motec"), onnx_path, "--calib", calib_path,
            "--precision", precision, "--target", IR_TARGET, "--emit", "mote",
            "-o", ir_path, "--quiet", "--no-summary"]
    if plan:
        argv += ["--plan", os.fspath(plan)]
    _run(argv)
    with open(ir_path) as f:
        return f.read()


def compile_ir(ir_text, target, workdir, input_names):
    """motec on trained IR (already quantized: no recalibration)."""
    path = os.path.join(workdir, "student.mlir")
    with open(path, "w") as f:
        f.write(ir_text)
    mbin = os.path.join(workdir, "student.mbin")
    report_path = os.path.join(workdir, "student.report.json")
    _run([tool_path("motec"), path, "--target", str(target), "-o", mbin,
          "--report", report_path, "--quiet", "--no-summary"])
    import json
    with open(report_path) as f:
        report = json.load(f)
    names = [io["name"] for io in report.get("io", [])
             if io.get("direction") == "input"] or input_names
    return CompiledModel(mbin, names, report, workdir, False)


#===----------------------------------------------------------------------===#
# Training
#===----------------------------------------------------------------------===#

def kd_loss(student, teacher, labels, temperature, alpha):
    """(1−α)·CE + α·T²·KL(softmax(t/T) ‖ softmax(s/T))."""
    import torch.nn.functional as F
    ce = F.cross_entropy(student, labels)
    if alpha == 0.0:
        return ce
    t = temperature
    kl = F.kl_div(F.log_softmax(student / t, dim=1),
                  F.log_softmax(teacher / t, dim=1), reduction="batchmean",
                  log_target=True)
    return (1.0 - alpha) * ce + alpha * t * t * kl


def float_pretrain(teacher, student, train_data, *, epochs, lr=1e-2,
                   temperature=4.0, alpha=0.7, seed=0, batch_size=128,
                   log=print):
    """Trains the float `student` in place (and returns it, in eval mode)
    by distillation from `teacher` ((1−α)·CE + α·T²·KL; plain CE without a
    teacher or with α = 0) for `epochs` epochs: Adam, one-cycle schedule
    peaking at `lr`, batch norm in train mode. train_data as for distill.
    What it is for (distill's float_epochs): a student that does not start
    as a copy of the teacher (fewer channels, random init) is first brought
    close to the teacher in float, where an epoch costs a fraction of an
    integer one, so that Mote's PTQ and the quantized training start from
    a trained network instead of noise."""
    data = train_data if isinstance(train_data, _Data) else \
        _Data(train_data, batch_size, seed)
    if teacher is not None and alpha > 0:
        teacher.eval()
        if data.teacher_logits is None:
            data.cache_teacher(teacher)
    else:
        teacher = None
    import torch
    torch.manual_seed(seed)
    opt = torch.optim.Adam(student.parameters(), lr=lr)
    steps = epochs * math.ceil(data.n / data.batch_size) \
        if data.loader is None else epochs * len(data.loader)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, lr, steps)
    for epoch in range(epochs):
        student.train()
        t0 = time.time()
        tot = n = ok = 0
        for b, (x, y, t_logits) in enumerate(data.batches(teacher)):
            s_logits = student(x).double()
            a = alpha if t_logits is not None else 0.0
            loss = kd_loss(s_logits, t_logits, y, temperature, a)
            if not torch.isfinite(loss):
                raise MoteError(f"distill: the float pre-training loss is "
                                f"{loss.item()} at epoch {epoch + 1}, batch "
                                f"{b + 1}: lower float_lr (now {lr:g}) or "
                                "check the data")
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            tot += loss.item() * len(y)
            n += len(y)
            ok += int((s_logits.detach().argmax(1) == y).sum())
        log(f"distill: float epoch {epoch + 1}/{epochs} "
            f"{'KD' if alpha > 0 and teacher is not None else 'CE'}: loss "
            f"{tot / n:.4f}, train top-1 student (float) {100 * ok / n:.2f}%"
            f" ({time.time() - t0:.0f} s)")
    student.eval()
    return student


class _Ema:
    """An exponential moving average of the QuantGraph's trained values
    (latent weights, biases, log step sizes), updated after every step;
    `swap()` exchanges it with the live values."""

    def __init__(self, params, decay):
        self.params = params
        self.decay = decay
        self.shadow = [p.detach().clone() for p in params]
        self.count = 0

    def update(self):
        import torch
        self.count += 1
        # the usual warm-up: early on, average over the steps seen so far
        d = min(self.decay, (1.0 + self.count) / (10.0 + self.count))
        with torch.no_grad():
            for s, p in zip(self.shadow, self.params):
                s.mul_(d).add_(p.detach(), alpha=1.0 - d)

    def swap(self):
        import torch
        with torch.no_grad():
            for s, p in zip(self.shadow, self.params):
                tmp = p.detach().clone()
                p.copy_(s)
                s.copy_(tmp)


def _emulated_top1(graph, images, labels, batch=1000):
    import torch
    ok = 0
    graph.eval()
    with torch.no_grad():
        for i in range(0, len(images), batch):
            x = torch.from_numpy(_as_numpy(images[i:i + batch]))
            ok += int((graph(x, exact=True).argmax(1).numpy()
                       == labels[i:i + batch]).sum())
    return ok / len(images)


def distill(teacher, student, train_data, *, precision, target, epochs,
            lr=None, temperature=4.0, alpha=0.7, calib=None, plan=None,
            seed=0, qat_epochs=None, exact_epochs=1, batch_size=128,
            float_epochs=0, float_lr=1e-2, float_alpha=None, ema=None,
            val_data=None, scale_lr=None,
            output=None, log=print):
    """Trains `student` (a torch.nn.Module, possibly a copy of `teacher`)
    at `precision` on Mote's integer numerics, distilled from `teacher`
    (a torch.nn.Module in eval mode; None or alpha=0 for plain QAT), and
    compiles it for `target`.

    train_data: (images, labels) numpy arrays (images in the model's input
        layout) or a torch DataLoader of (images, labels).
    precision: int8, w4a8, int4, or mixed (reads `plan`).
    epochs: training epochs; the first `qat_epochs` (default: 1 if
        epochs > 1, else 0) are plain QAT. lr: Adam's rate for the latent
        weights (default 1e-4 for 8-bit weights, 2e-4 below); step sizes
        and biases use 10x (scale_lr: their rate instead). calib: PTQ
        calibration data (default: the first
        1000 training images). seed: torch and shuffling seed.
    exact_epochs: the last epochs whose forward is the exact integer
        emulation (default 1; None: all). Earlier epochs round the
        requantization in float (half to even instead of the chip's half
        up, which differs on exact ties only) and run about 40 % faster.
    float_epochs: epochs of float training of (a copy of) the student
        before Mote's PTQ, with the same loss and α (CE only without a
        teacher or with α = 0), Adam with a one-cycle schedule peaking at
        `float_lr` (default 0: the student is used as given, e.g. a copy
        of the trained teacher). float_alpha: α of those float epochs
        (default: `alpha`; 0 trains them on the labels alone).
    ema: if a decay (e.g. 0.999), the returned student is the exponential
        moving average of the trained values (latent weights, biases, log
        step sizes) over the quantized training's steps, not the last
        step's values (default None: the last step's).
    val_data: optional held-out (images, labels) numpy arrays: the integer
        emulation's top-1 on them is logged after training (of the last
        step's values and, with `ema`, of the average) and kept in
        .validation. Never used for any choice inside distill.
    output: where to keep the .mbin (default: a temporary directory).

    Returns a DistilledModel: .run(images) on the simulator, .report(),
    .emulate(images), .save_onnx(path), .save_mlir(path), .history,
    .validation, .float_student (the float module Mote's PTQ started from:
    the student itself, or its float-trained copy).
    """
    import copy
    import torch
    from .qat import QuantGraph
    from .qir import IRError, Module

    _check_args(precision, plan, epochs, temperature, alpha, qat_epochs,
                float_epochs, ema)
    if float_alpha is not None and not (0.0 <= float_alpha <= 1.0):
        raise MoteError(f"distill: float_alpha must be in [0, 1], got "
                        f"{float_alpha}")
    if not isinstance(student, torch.nn.Module):
        raise MoteError("distill: the student must be a torch.nn.Module")
    if teacher is not None and not isinstance(teacher, torch.nn.Module):
        raise MoteError("distill: the teacher must be a torch.nn.Module or "
                        "None")
    if qat_epochs is None:
        qat_epochs = 1 if epochs > 1 else 0
    if teacher is None:
        alpha = 0.0
    torch.manual_seed(seed)
    data = _Data(train_data, batch_size, seed)
    s_shape = _probe(student, data.sample, "student")
    if teacher is not None:
        t_shape = _probe(teacher, data.sample, "teacher")
        if t_shape != s_shape:
            raise MoteError(f"distill: the student's output shape {s_shape} "
                            f"differs from the teacher's {t_shape}")
    if len(s_shape) != 2:
        raise MoteError(f"distill: the student's output {s_shape} is not "
                        "[batch, classes] logits")
    if val_data is not None:
        if not isinstance(val_data, (list, tuple)) or len(val_data) != 2 \
                or len(val_data[0]) != len(val_data[1]):
            raise MoteError("distill: val_data must be (images, labels) "
                            "numpy arrays of equal length")
        val_x, val_y = _as_numpy(val_data[0]), np.asarray(val_data[1])

    workdir = tempfile.mkdtemp(prefix="mote-distill-")
    try:
        start = time.time()
        if teacher is not None:
            teacher.eval()
            data.cache_teacher(teacher)  # also logged with alpha = 0
        if float_epochs:
            f_alpha = alpha if float_alpha is None else float_alpha
            log(f"distill: float pre-training, {float_epochs} epoch(s), "
                f"lr={float_lr:g}, alpha={f_alpha}")
            student = float_pretrain(teacher, copy.deepcopy(student),
                                     data, epochs=float_epochs, lr=float_lr,
                                     temperature=temperature, alpha=f_alpha,
                                     seed=seed, batch_size=batch_size,
                                     log=log)
        ir_text = quantized_ir(student, data.sample,
                               data.calib() if calib is None else calib,
                               precision, plan, workdir)
        try:
            graph = QuantGraph(Module(ir_text))
        except IRError as e:
            raise MoteError(f"distill: the student's quantized IR: {e}") \
                from None
        wbits = min(graph.ir.types[k].quant.bits for k in
                    ("%" + n for n in graph.weights.keys()))
        if lr is None:
            lr = 1e-4 if wbits >= 8 else 2e-4
        trained_params = list(graph.weights.values()) + \
            list(graph.biases.values()) + [graph.log_scales] + \
            list(graph.weight_log_scales.values())
        s_lr = 10 * lr if scale_lr is None else scale_lr
        opt = torch.optim.Adam([
            {"params": list(graph.weights.values()), "lr": lr},
            {"params": list(graph.biases.values()), "lr": s_lr},
            {"params": [graph.log_scales] +
             list(graph.weight_log_scales.values()), "lr": s_lr}])
        steps = epochs * math.ceil(data.n / batch_size)
        sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, steps)
        averager = _Ema(trained_params, ema) if ema else None
        history = []
        log(f"distill: {precision}, {data.n} images, {epochs} epoch(s) "
            f"({qat_epochs} plain QAT), T={temperature}, alpha={alpha}, "
            f"lr={lr:g} (scales, biases {s_lr:g}), ema={ema}, seed={seed}; "
            f"{'float pre-training and ' if float_epochs else ''}PTQ in "
            f"{time.time() - start:.1f} s")
        for epoch in range(epochs):
            graph.train()
            a = 0.0 if epoch < qat_epochs else alpha
            exact = exact_epochs is None or epoch >= epochs - exact_epochs
            t0 = time.time()
            tot = n = s_ok = t_ok = 0
            for b, (x, y, t_logits) in enumerate(data.batches(teacher)):
                if t_logits is not None:
                    t_ok += int((t_logits.argmax(1) == y).sum())
                try:
                    s_logits = graph(x, exact=exact)
                except (OverflowError, IRError) as e:
                    raise MoteError(f"distill: epoch {epoch + 1}, batch "
                                    f"{b + 1}: {e}") from None
                loss = kd_loss(s_logits, t_logits, y, temperature, a) \
                    if t_logits is not None else kd_loss(s_logits, None, y,
                                                         temperature, 0.0)
                if not torch.isfinite(loss):
                    raise MoteError(f"distill: the loss is {loss.item()} at "
                                    f"epoch {epoch + 1}, batch {b + 1}: lower "
                                    f"lr (now {lr:g}) or check the data")
                opt.zero_grad()
                loss.backward()
                opt.step()
                sched.step()
                if averager is not None:
                    averager.update()
                tot += loss.item() * len(y)
                n += len(y)
                s_ok += int((s_logits.detach().argmax(1) == y).sum())
            rec = {"epoch": epoch + 1, "alpha": a, "exact": exact,
                   "loss": tot / n,
                   "student_top1": s_ok / n,
                   "teacher_top1": t_ok / n if teacher is not None else None,
                   "seconds": time.time() - t0}
            history.append(rec)
            log(f"distill: epoch {epoch + 1}/{epochs} "
                f"{'KD' if a > 0 else 'QAT'}: loss {rec['loss']:.4f}, train "
                f"top-1 student ({'integer' if exact else 'float-rounded'}) "
                f"{100 * rec['student_top1']:.2f}%"
                + (f", teacher {100 * rec['teacher_top1']:.2f}%"
                   if teacher is not None else "")
                + f" ({rec['seconds']:.0f} s)")
        if val_data is not None:
            rec = {"val_top1_last": _emulated_top1(graph, val_x, val_y)}
            msg = f"last step {100 * rec['val_top1_last']:.2f}%"
        if averager is not None:
            averager.swap()  # the average is the result
            if val_data is not None:
                rec["val_top1_ema"] = _emulated_top1(graph, val_x, val_y)
                msg += f", average (ema {ema}) " \
                    f"{100 * rec['val_top1_ema']:.2f}%"
        if val_data is not None:
            log(f"distill: held-out top-1 (integer emulation, {len(val_y)} "
                f"images): {msg}")
        graph.eval()
        trained = graph.export_ir().text()
        compiled = compile_ir(trained, target, workdir, ["input"])
        if output:
            shutil.copyfile(compiled.mbin, os.fspath(output) + ".tmp")
            os.replace(os.fspath(output) + ".tmp", os.fspath(output))
            compiled.mbin = os.fspath(output)
        result = DistilledModel(compiled, graph, trained, history, precision)
        result.validation = rec if val_data is not None else None
        result.float_student = student  # what Mote's PTQ quantized
        return result
    except BaseException:
        shutil.rmtree(workdir, ignore_errors=True)
        raise
