#!/usr/bin/python3
"""Generates a one-tile quantized convolution as a Mote NPU program.

Usage: gen_conv.py OUTDIR TARGET HASH DIGIT_BITS SEED [depthwise] [signed]
       [stride2] [dilate] [relu] [chain] [drain]

Writes OUTDIR/prog.masm (load weights/records/input with a zero-point
border, one MATMUL per (activation digit, weight digit) pass (with
`chain`: the passes form one MATMUL chain, accumulating in the array), VEC
requantize (with `drain`: the last pass drains its sums into it instead
of writing the accumulator buffer), STORE), OUTDIR/x.npy (int storage, NCHW) and
OUTDIR/expected.npy (int8, NCHW) computed directly in numpy with Python
integers: conv of (x - zp) with int8 weights, + bias, TOSA single-round
apply_scale, + zp_out, clamp. Independent of the simulator's code.
"""
import os
import sys

import numpy as np


def align(v, a):
    return (v + a - 1) // a * a


def apply_scale(v, m, s):
    return (v * m + (1 << (s - 1))) >> s


def main():
    out, target, thash, d, seed = sys.argv[1:6]
    flags = set(sys.argv[6:])
    d = int(d)
    rng = np.random.default_rng(int(seed))
    depthwise = "depthwise" in flags
    signed = "signed" in flags
    stride = 2 if "stride2" in flags else 1
    dil = 2 if "dilate" in flags else 1
    H, W = int(rng.integers(5, 9)), int(rng.integers(5, 9))
    C = int(rng.integers(1, 6))
    O = C if depthwise else int(rng.integers(1, 12))
    KH, KW = int(rng.integers(1, 4)), int(rng.integers(1, 4))
    pt, pb, pl, pr = (int(v) for v in rng.integers(0, 2, 4))
    HP, WP = H + pt + pb, W + pl + pr
    OH = (HP - dil * (KH - 1) - 1) // stride + 1
    OW = (WP - dil * (KW - 1) - 1) // stride + 1
    assert OH > 0 and OW > 0
    if signed:
        x = rng.integers(-128, 128, (1, C, H, W)).astype(np.int8)
        zp = int(rng.integers(-20, 21))
    else:
        x = rng.integers(0, 256, (1, C, H, W)).astype(np.uint8)
        zp = int(rng.integers(0, 40))
    Cg = 1 if depthwise else C
    w = rng.integers(-127, 128, (O, KH, KW, Cg)).astype(np.int64)
    bias = rng.integers(-2000, 2001, O)
    mults = rng.integers(1 << 30, 1 << 31, O)
    shifts = rng.integers(15, 23, O)
    zpo = int(rng.integers(-10, 11))
    lo, hi = (zpo, 127) if "relu" in flags else (-128, 127)

    # Reference.
    xn = np.transpose(x.astype(np.int64), (0, 2, 3, 1))[0]  # HWC
    xp = np.full((HP, WP, C), zp, dtype=np.int64)
    xp[pt:pt + H, pl:pl + W, :] = xn
    v = xp - zp
    acc = np.zeros((OH, OW, O), dtype=object)
    for oy in range(OH):
        for ox in range(OW):
            for o in range(O):
                s = 0
                for ky in range(KH):
                    for kx in range(KW):
                        iy, ix = oy * stride + ky * dil, ox * stride + kx * dil
                        if depthwise:
                            s += int(v[iy, ix, o]) * int(w[o, ky, kx, 0])
                        else:
                            s += int(np.dot(v[iy, ix, :], w[o, ky, kx, :]))
                acc[oy, ox, o] = s
    y = np.zeros((OH, OW, O), dtype=np.int64)
    for oy in range(OH):
        for ox in range(OW):
            for o in range(O):
                r = apply_scale(int(acc[oy, ox, o]) + int(bias[o]),
                                int(mults[o]), int(shifts[o])) + zpo
                y[oy, ox, o] = min(max(r, lo), hi)
    expected = np.transpose(y, (2, 0, 1))[None].astype(np.int8)

    # Digits: activations v in [-255, 255] need ceil(9/d) digits, the top
    # one signed; int8 weights ceil(8/d), the top one signed.
    nA = -(-9 // d)
    nW = -(-8 // d)
    mask = (1 << d) - 1
    K = KH * KW * Cg
    row_bytes = (K * d + 7) // 8

    const = bytearray()
    plane_dram = []
    for j in range(nW):
        plane = bytearray()
        for o in range(O):
            bits = 0
            flat = w[o].reshape(-1)
            for k in range(K):
                digit = int(flat[k]) >> (d * j)
                if j < nW - 1:
                    digit &= mask
                bits |= (digit & mask) << (d * k)
            plane += bits.to_bytes(row_bytes, "little")
        plane_dram.append(len(const))
        const += plane
        const += bytes(align(len(const), 32) - len(const))
    rq_dram = len(const)
    for o in range(O):
        for val in (int(bias[o]), int(mults[o]), int(shifts[o])):
            const += int(val).to_bytes(4, "little", signed=True)
    x_dram = align(len(const), 64)
    y_dram = align(x_dram + H * W * C, 64)
    dram = align(y_dram + OH * OW * O, 64)

    # SRAM layout.
    plane_w = []
    addr = 0
    for j in range(nW):
        plane_w.append(addr)
        addr = align(addr + O * row_bytes, 32)
    rq_w = addr
    tile = HP * WP * C
    out_a = align(tile, 16)

    L = []
    L.append(f'.target "{target}" {thash}')
    L.append(f".dram {dram}")
    dt = "i8" if signed else "u8"
    L.append(f'.input name="x" shape=[1,{C},{H},{W}] perm=[0,2,3,1] '
             f'layout="NCHW" dtype="{dt}" addr={x_dram} bytes={H*W*C} '
             f'scale=0.5 zp={zp}')
    L.append(f'.output name="y" shape=[1,{O},{OH},{OW}] perm=[0,2,3,1] '
             f'layout="NCHW" dtype="i8" addr={y_dram} bytes={OH*OW*O} '
             f'scale=0.25 zp={zpo}')
    body = []
    for j in range(nW):
        body.append(f"load buffer=weight sram_addr={plane_w[j]} "
                    f"dram_addr={plane_dram[j]} rows=1 cols=1 "
                    f"elem_bytes={O*row_bytes}")
    body.append(f"load buffer=weight sram_addr={rq_w} dram_addr={rq_dram} "
                f"rows=1 cols=1 elem_bytes={12*O}")
    body.append(f"config engine=load reg=LD_ROW_STRIDE value={W*C}")
    body.append(f"config engine=load reg=LD_PIX_STRIDE value={C}")
    body.append(f"config engine=load reg=LD_PAD_VALUE value={zp}")
    body.append(f"load buffer=activation sram_addr=0 dram_addr={x_dram} "
                f"rows={H} cols={W} elem_bytes={C} pad_top={pt} "
                f"pad_bottom={pb} pad_left={pl} pad_right={pr} push_next")
    regs = dict(MM_IN_W=WP, MM_IN_C=C, MM_IN_C0=0, MM_IN_CG=Cg, MM_KH=KH,
                MM_KW=KW, MM_STRIDE_H=stride, MM_STRIDE_W=stride,
                MM_DIL_H=dil, MM_DIL_W=dil, MM_IN_ZP=zp,
                MM_IN_SIGNED=int(signed), VEC_ZP_OUT=zpo, VEC_CLAMP_LO=lo,
                VEC_CLAMP_HI=hi, VEC_OUT_SIGNED=1)
    first = True
    for name, val in regs.items():
        body.append(f"config engine=execute reg={name} value={val}"
                    + (" pop_prev" if first else ""))
        first = False
    first = True
    chain = "chain" in flags
    drain = "drain" in flags
    for a in range(nA):
        for j in range(nW):
            last = a == nA - 1 and j == nW - 1
            flagsA = " a_signed" if a == nA - 1 else ""
            flagsW = " w_signed" if j == nW - 1 else ""
            body.append(f"matmul act_addr=0 wgt_addr={plane_w[j]} acc_addr=0 "
                        f"out_h={OH} out_w={OW} out_c={O} a_digit={a} "
                        f"w_digit={j} shift={d*(a+j)}{flagsA}{flagsW}"
                        + ("" if first else " accumulate")
                        + (" depthwise" if depthwise else "")
                        + (" chain" if chain and not last else "")
                        + (" drain" if drain and last else ""))
            first = False
    body.append(f"vec op=requantize src_a=0 src_b={rq_w} out_h={OH} "
                f"out_w={OW} channels={O} dst_addr={out_a} a_acc"
                + (" a_drain" if drain else "") + " push_next")
    body.append(f"config engine=store reg=ST_ROW_STRIDE value={OW*O} pop_prev")
    body.append(f"config engine=store reg=ST_PIX_STRIDE value={O}")
    body.append(f"store buffer=activation sram_addr={out_a} "
                f"dram_addr={y_dram} rows={OH} cols={OW} elem_bytes={O}")
    body.append("finish")
    L.append(f'.layer name="conv" kind="conv2d" first=0 count={len(body)} '
             f'macs={OH*OW*O*K} digit_macs={OH*OW*O*K*nA*nW} dram_bytes=0 '
             f'roofline_cycles=100')
    for i in range(0, len(const), 64):
        L.append(".const " + const[i:i + 64].hex())
    L += body
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "prog.masm"), "w") as f:
        f.write("\n".join(L) + "\n")
    np.save(os.path.join(out, "x.npy"), x)
    np.save(os.path.join(out, "expected.npy"), expected)


main()
