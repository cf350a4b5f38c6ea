"""Appends a Softmax (and, with --middle, a first Softmax that the chip
cannot run followed by a Mul by 3 that it can) to an ONNX classifier: the host-segment
end-to-end test's models, built from a trained model nobody here wrote for
this purpose."""
import argparse

import onnx
from onnx import helper

p = argparse.ArgumentParser()
p.add_argument("model")
p.add_argument("out")
p.add_argument("--middle", action="store_true",
               help="also route the logits through Softmax (host) then "
                    "Mul by 3 (NPU) before the last Softmax (host)")
a = p.parse_args()
m = onnx.load(a.model)
g = m.graph
out = g.output[0]
name = out.name
nodes = []
src = name
if a.middle:
    nodes.append(helper.make_node("Softmax", [src], [name + "_soft"], name="soft", axis=1))
    g.initializer.append(helper.make_tensor("three", onnx.TensorProto.FLOAT, [], [3.0]))
    nodes.append(helper.make_node("Mul", [name + "_soft", "three"], [name + "_relu"], name="scale"))
    src = name + "_relu"
nodes.append(helper.make_node("Softmax", [src], ["prob"], name="prob", axis=1))
g.node.extend(nodes)
prob = helper.make_tensor_value_info("prob", out.type.tensor_type.elem_type,
                                     [d.dim_value for d in out.type.tensor_type.shape.dim])
g.output.remove(out)
g.output.append(prob)
onnx.checker.check_model(m)
onnx.save(m, a.out)
