#===- test/python/Inputs/distill_numerics.py - Numerics port vs C++ -------===#
#
# Part of the Mote project: an MLIR compiler for the Mote NPU.
#
#===----------------------------------------------------------------------===#
"""Checks python/mote/numerics.py (the port mote.distill emulates with)
against Numerics.h as the compiler runs it: random requantization ratios,
exact ties, tiny ratios (shift 62), multipliers rounding up to 2^31, and
saturation, through `mote.requant` and `mote.quantize` on mote-run.

Usage: distill_numerics.py PYTHON_DIR WORK_DIR
"""

import os
import subprocess
import sys

import numpy as np

sys.path.insert(0, sys.argv[1])
import torch  # noqa: E402

from mote import numerics as nm  # noqa: E402
from mote.flow import tool_path  # noqa: E402

work = sys.argv[2]
os.makedirs(work, exist_ok=True)
rng = np.random.RandomState(1)

# Ratios: random over 2^-40 .. 2^10, ties-prone powers of two and halves,
# a multiplier that rounds up to 2^31, and tiny ratios (shift clamps at 62).
ratios = list(np.exp(rng.uniform(np.log(2.0 ** -40), np.log(2.0 ** 10), 40)))
ratios += [0.5, 0.25, 0.75, 0.125, 1.5, 2.0 ** -31, 2.0 ** -34, 3 * 2.0 ** -36,
           1.0 - 2.0 ** -40, 0.999999999999]
# Inputs: random int32-range values, and small odd values (exact ties for
# the power-of-two ratios).
v = np.concatenate([rng.randint(-2 ** 24, 2 ** 24, 40),
                    np.arange(-9, 10), [2 ** 24 - 1, -2 ** 24]]).astype(np.int64)
n = len(v)
outs = []
lines = ["module {", f"  func.func @main(%arg0: tensor<{n}xf32>) -> ("
         + ", ".join(f"tensor<{n}xf32>" for _ in ratios) + ") {",
         f"    %q = mote.quantize %arg0 : (tensor<{n}xf32>) -> "
         f"tensor<{n}x!quant.uniform<i32:f32, 1.0>>"]
cases = []
for i, r in enumerate(ratios):
    s_out = 1.0 / float(r)
    # 8-bit outputs with a zero point exercise saturation; the rest 32-bit.
    if i % 3 == 0:
        st, zp, lo, hi = "i8", 5, -128, 127
    else:
        st, zp, lo, hi = "i32", 0, -2 ** 31, 2 ** 31 - 1
    t = f"tensor<{n}x!quant.uniform<{st}:f32, {s_out!r}" + \
        (f":{zp}>>" if zp else ">>")
    lines.append(f"    %r{i} = mote.requant %q : (tensor<{n}x!quant.uniform<"
                 f"i32:f32, 1.0>>) -> {t}")
    lines.append(f"    %d{i} = mote.dequantize %r{i} : ({t}) -> "
                 f"tensor<{n}xf32>")
    outs.append(f"%d{i}")
    cases.append((1.0 / s_out, zp, lo, hi, s_out))
lines.append("    return " + ", ".join(outs) + " : " +
             ", ".join(f"tensor<{n}xf32>" for _ in ratios))
lines += ["  }", "}"]
path = os.path.join(work, "requant.mlir")
with open(path, "w") as f:
    f.write("\n".join(lines) + "\n")
np.save(os.path.join(work, "v.npy"), v.astype(np.float32))
out_dir = os.path.join(work, "out")
subprocess.run([tool_path("mote-run"), path, "--input",
                os.path.join(work, "v.npy"), "--output-dir", out_dir],
               check=True)
bad = ties = 0
for i, (ratio, zp, lo, hi, s_out) in enumerate(cases):
    got = np.load(os.path.join(out_dir, f"output_{i}.npy")).astype(np.float64)
    got_q = np.round(got / s_out).astype(np.int64) + zp
    m = nm.compute_scale_multiplier(ratio)
    want = np.array([nm.requantize(int(x), 0, m, zp, lo, hi) for x in v])
    # The vectorised torch form used by the emulating forward.
    tv = nm.apply_scale_t(torch.from_numpy(v), torch.tensor(m[0]),
                          torch.tensor(m[1]))
    want_t = torch.clamp(tv + zp, lo, hi).numpy()
    for x in v:
        prod = int(x) * m[0]
        if prod % (1 << m[1]) == 1 << (m[1] - 1):
            ties += 1
    # The float32 output holds integers exactly only below 2^24.
    keep = np.abs(want - zp) < 2 ** 23
    if not np.array_equal(got_q[keep], want[keep]) or \
            not np.array_equal(want_t, want):
        bad += 1
        print(f"numerics: MISMATCH ratio {ratio!r}: M,S = {m}")
print(f"numerics: {len(cases)} ratios x {n} values, {ties} exact ties, "
      f"{bad} mismatches")

# quantize: round half to even on ties (x / s exactly k + 0.5).
xs = np.array([0.25, 0.75, 1.25, -0.25, -0.75, 2.5, 3.0, -1.25, 1000.0,
               -1000.0], np.float32)
qpath = os.path.join(work, "quantize.mlir")
with open(qpath, "w") as f:
    f.write(f"""module {{
  func.func @main(%arg0: tensor<10xf32>) -> tensor<10xf32> {{
    %q = mote.quantize %arg0 : (tensor<10xf32>) -> tensor<10x!quant.uniform<i8:f32, 0.5:3>>
    %d = mote.dequantize %q : (tensor<10x!quant.uniform<i8:f32, 0.5:3>>) -> tensor<10xf32>
    return %d : tensor<10xf32>
  }}
}}
""")
np.save(os.path.join(work, "x.npy"), xs)
subprocess.run([tool_path("mote-run"), qpath, "--input",
                os.path.join(work, "x.npy"), "--output-dir",
                os.path.join(work, "qout")], check=True)
got = np.load(os.path.join(work, "qout", "output_0.npy"))
got_q = np.round(got / 0.5).astype(np.int64) + 3
want = np.array([nm.quantize(float(x), 0.5, 3, -128, 127) for x in xs])
print("numerics: quantize ties", "ok" if np.array_equal(got_q, want)
      else f"MISMATCH {got_q} vs {want}")
print("numerics: ok" if bad == 0 and np.array_equal(got_q, want) else
      "numerics: FAILED")
