#===- python/mote/__init__.py - The Mote framework flow --------------------===#
#
# Part of the Mote project: an MLIR compiler for the Mote NPU.
#
#===----------------------------------------------------------------------===#
"""Compile a PyTorch module or an ONNX file for the Mote NPU and run it on
the bit-exact simulator, from Python.

    import mote
    net = mote.compile(torch_module, example_inputs, calib=calib_array,
                       target="mote-default", precision="int8")
    logits = net.run(images)          # numpy in, numpy out (simulator)
    print(net.report()["simulator"]["total"]["energy_uj"])

    # Quantization-aware training distilled from a float teacher, on the
    # chip's exact integer numerics (docs/Distillation.md):
    net = mote.distill(teacher, student, (images, labels), precision="int4",
                       target="mote-default", epochs=3)
    net.save_onnx("student.onnx")

Pure Python on Debian's python3-torch and python3-numpy; no pip. The heavy
lifting is done by the `motec` and `mote-sim` tools: torch modules are
exported with torch.onnx.export, arrays travel as .npy files. The tools are
found in $MOTE_BIN, else in the build tree next to this package
(build/bin), else on PATH.
"""

from .flow import CompiledModel, MoteError, compile, tool_path
from .distill import DistilledModel, distill

__all__ = ["compile", "distill", "CompiledModel", "DistilledModel",
           "MoteError", "tool_path"]
