//===- NPUOps.td - NPU dialect operations ------------------*- tablegen -*-===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//

#ifndef MOTE_DIALECT_NPUOPS_TD
#define MOTE_DIALECT_NPUOPS_TD

include "NPUBase.td"

//===----------------------------------------------------------------------===//
// Program structure
//===----------------------------------------------------------------------===//

def NPU_ProgramOp : NPU_Op<"program", [IsolatedFromAbove, NoTerminator,
                                       SingleBlock]> {
  let summary = "a compiled Mote NPU program";
  let description = [{
    The whole program for one target. `target` (`#npu.target`) is what
    verification needs of the target description: its name and hash, the
    digit width and each SRAM buffer's size and alignment; `dram_bytes`
    bounds every DRAM address the program touches. The verifier checks,
    against that attribute and without reading any file, every
    instruction's SRAM bounds and alignment, digit fields, and that each of
    the four token queues sees as many pushes as pops.

    ```mlir
    npu.program attributes {dram_bytes = 4096,
        target = #npu.target<name = "mote-default", hash = "0x1234abcd...",
                             digit_bits = 4, signed_digits = true, ...>} {
      npu.data {offset = 0, bytes = dense<[1, 2]> : tensor<2xi8>}
      npu.layer {name = "conv", kind = "conv2d", ...} { npu.load {...} ... }
      npu.finish {}
    }
    ```
  }];
  let arguments = (ins NPU_TargetAttr:$target, I64Attr:$dram_bytes);
  let regions = (region SizedRegion<1>:$body);
  let assemblyFormat = "attr-dict-with-keyword $body";
  let hasRegionVerifier = 1;
}

def NPU_DataOp : NPU_Op<"data", [HasParent<"ProgramOp">]> {
  let summary = "a constant segment of the initial DRAM image";
  let description = [{
    `bytes` are placed at DRAM byte `offset` before the program starts.
    Segments do not overlap and lie below the program's `dram_bytes`.
  }];
  let arguments = (ins I64Attr:$offset, ElementsAttr:$bytes);
  let assemblyFormat = "attr-dict";
  let hasVerifier = 1;
}

def NPU_IOOp : NPU_Op<"io", [HasParent<"ProgramOp">]> {
  let summary = "a model input or output tensor in DRAM";
  let description = [{
    Mirrors `mote::isa::IODesc`: the framework's tensor `name`, its float
    `shape` in the framework `layout`, the permutation `dram_perm` from
    framework dims to the DRAM layout (DRAM dim i is framework dim
    perm[i]), the storage `dtype` ("i8", "u8", "i32", or "i4" etc. for a narrower
    integer stored one per byte), its DRAM address and
    size, and the per-tensor quantization float = (q - zero_point) * scale.
  }];
  let arguments = (ins StrAttr:$name, BoolAttr:$is_input,
                   DenseI64ArrayAttr:$shape, DenseI64ArrayAttr:$dram_perm,
                   StrAttr:$layout, StrAttr:$dtype, I64Attr:$dram_addr,
                   I64Attr:$size, F64Attr:$scale, I64Attr:$zero_point);
  let assemblyFormat = "attr-dict";
  let hasVerifier = 1;
}

def NPU_HostSegmentOp : NPU_Op<"host_segment", [HasParent<"ProgramOp">,
                                                 IsolatedFromAbove,
                                                 SingleBlock]> {
  let summary = "ops the chip cannot run, run by the host where they stand";
  let description = [{
    The HOST instruction (ISA.def) with its segment: at this point of the
    program the load engine hands DRAM to the host, which runs the region's
    `mote` ops with the reference interpreter's kernels and hands it back.
    The block arguments are read from DRAM at `input_addrs`, the
    `npu.host_yield` operands written to `output_addrs`; each is dense
    row-major in its own type's shape, one byte per element of at most 8
    bits (4 for `i32` and `f32`). `segment` is the index of the segment in
    the `.mbin` host section.

    ```mlir
    npu.host_segment {segment = 0, input_addrs = array<i64: 4096>,
                      output_addrs = array<i64: 4160>} {
    ^bb0(%x: tensor<1x10x!quant.uniform<i8:f32, 0.1:3>>):
      %f = mote.dequantize %x : ... -> tensor<1x10xf32>
      %s = mote.softmax %f {axis = 1 : i64} : ...
      npu.host_yield %s : tensor<1x10xf32>
    }
    ```
  }];
  let arguments = (ins I64Attr:$segment, DenseI64ArrayAttr:$input_addrs,
                   DenseI64ArrayAttr:$output_addrs);
  let regions = (region SizedRegion<1>:$body);
  let assemblyFormat = "attr-dict-with-keyword $body";
  let hasVerifier = 1;
}

def NPU_HostYieldOp : NPU_Op<"host_yield", [Terminator,
                                             HasParent<"HostSegmentOp">]> {
  let summary = "the tensors a host segment writes back to DRAM";
  let arguments = (ins Variadic<AnyRankedTensor>:$results);
  let assemblyFormat = "attr-dict ($results^ `:` type($results))?";
}

def NPU_ProgramLoadOp : NPU_Op<"program_load", [HasParent<"ProgramOp">,
                                                 NoTerminator, SingleBlock]> {
  let summary = "the program-load preamble: resident weights, loaded once";
  let description = [{
    Instructions run once when the program is loaded, before the first
    inference (the `.mbin` preamble, `Program::preambleInstructions`): the
    weight-buffer LOADs of every layer whose weights stay resident. It must
    come before every other instruction of the program. Each inference then
    runs the rest of the program from reset registers, and nothing in it may
    overwrite what the preamble loaded (the ISA verifier checks this).
    `bytes` is the resident weight-buffer footprint.
  }];
  let arguments = (ins I64Attr:$bytes);
  let regions = (region SizedRegion<1>:$body);
  let assemblyFormat = "attr-dict-with-keyword $body";
}

def NPU_LayerOp : NPU_Op<"layer", [HasParent<"ProgramOp">, NoTerminator,
                                   SingleBlock]> {
  let summary = "the instructions of one layer and its static estimate";
  let description = [{
    Groups the instructions emitted for one source layer (for the `.mbin`
    per-layer debug ranges) and records `npu-estimate`'s figures: MACs of
    the original op, digit-MACs (MACs x digit passes), planned DRAM bytes
    and the roofline lower bound on cycles. The tiling chosen for the layer
    is kept as further attributes (`tile`, `loop_order`).
  }];
  let arguments = (ins StrAttr:$name, StrAttr:$kind, I64Attr:$macs,
                   I64Attr:$digit_macs, I64Attr:$dram_traffic,
                   I64Attr:$roofline_cycles);
  let regions = (region SizedRegion<1>:$body);
  let assemblyFormat = "attr-dict-with-keyword $body";
}

//===----------------------------------------------------------------------===//
// Instructions: one op per ISA opcode, attributes = ISA.def fields.
//===----------------------------------------------------------------------===//

/// One field of ISA.def (MOTE_ISA_FIELD), as records generated from the
/// table into NPUInstFields.td.
class NPU_ISAField<string opcodeName, string fieldName, string fieldKind,
                   int fieldWidth, string fieldSummary> {
  string opcode = opcodeName;
  string name = fieldName;
  string kind = fieldKind;
  int width = fieldWidth;
  string summary = fieldSummary;
}
include "NPUInstFields.td"

/// The ODS attribute of a field: a BoolAttr for a Bool field (a flag
/// defaults to false, may be left out and is printed only when set, as
/// the masm printer does), an i64 otherwise.
class NPU_FieldAttr<NPU_ISAField f> {
  Attr attr = !if(!eq(f.kind, "Bool"), DefaultValuedAttr<BoolAttr, "false">,
                  I64Attr);
}

class NPU_InstOp<string mnemonic, string opcode> : NPU_Op<mnemonic> {
  let summary = "the `" # mnemonic # "` instruction (ISA.def opcode " #
                opcode # ")";
  let description = [{
    One typed attribute per field of the opcode in ISA.def (see
    docs/ISA.md for the semantics), generated from the table, plus the
    header token flags. Flags default to false and are printed only when
    set. The verifier checks that every
    value fits its field's width and names a known enum value.
  }];
  let arguments = !foldl((ins),
      !filter(f, !instances<NPU_ISAField>(),
              !and(!or(!eq(f.opcode, opcode), !eq(f.opcode, "Header")),
                   !ne(f.name, "opcode"))),
      acc, f, !con(acc, !dag(ins, [NPU_FieldAttr<f>.attr], [f.name])));
  let assemblyFormat = "attr-dict";
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    static constexpr ::mote::isa::Opcode kOpcode = ::mote::isa::Opcode::}] #
      opcode # [{;
  }];
}

def NPU_LoadOp : NPU_InstOp<"load", "Load">;
def NPU_StoreOp : NPU_InstOp<"store", "Store">;
def NPU_MatMulOp : NPU_InstOp<"matmul", "MatMul">;
def NPU_VecOp : NPU_InstOp<"vec", "Vec">;
def NPU_ConfigOp : NPU_InstOp<"config", "Config">;
def NPU_SyncOp : NPU_InstOp<"sync", "Sync">;
def NPU_FinishOp : NPU_InstOp<"finish", "Finish">;

#endif // MOTE_DIALECT_NPUOPS_TD
