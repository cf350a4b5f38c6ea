//===- NPUBase.td - NPU dialect definition -----------------*- tablegen -*-===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//
//
// The `npu` dialect: the Mote NPU's instruction stream as MLIR operations,
// one op per ISA opcode (include/mote/ISA/ISA.def), inside an `npu.program`
// that also carries the DRAM constant image and the I/O descriptors.
//
//===----------------------------------------------------------------------===//

#ifndef MOTE_DIALECT_NPUBASE_TD
#define MOTE_DIALECT_NPUBASE_TD

include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/OpBase.td"

def NPU_Dialect : Dialect {
  let name = "npu";
  let cppNamespace = "::mote::npu";
  let summary = "Instruction-level operations of the Mote NPU";
  let description = [{
    The `npu` dialect is the last IR before the `.mbin` binary. An
    `npu.program` holds, in order: `npu.data` segments (the initial DRAM
    image: packed weight digit planes, requantization records, tables),
    `npu.io` descriptors (where each model input and output lives in DRAM
    and how it maps to the framework's float tensor), and the instruction
    stream, grouped into `npu.layer` regions that carry the compiler's
    static estimate, with `npu.host_segment` regions (the HOST instruction
    and the `mote` ops the host runs there) where the chip cannot run an
    op.

    Instruction ops (`npu.load`, `npu.store`, `npu.matmul`, `npu.vec`,
    `npu.config`, `npu.sync`, `npu.finish`) have one typed ODS attribute
    per field of their opcode in `include/mote/ISA/ISA.def`, named exactly
    like the field: the build turns the table's rows into TableGen records
    (`NPUInstFields.td.in`) from which each op's arguments are folded, so
    the ops cannot drift from the ISA, and conversion to
    `mote::isa::Instruction` stays generic. Flags (`Bool` fields such as
    `accumulate` or `drain`, and the header token flags `pop_prev`,
    `pop_next`, `push_prev`, `push_next`) are `BoolAttr`s that default to
    false: they may be left out and print only when set. Every integer
    field is a required `i64` attribute.
  }];
  let useDefaultAttributePrinterParser = 1;
}

def NPU_TargetAttr : AttrDef<NPU_Dialect, "Target"> {
  let mnemonic = "target";
  let summary = "what a program's verifier needs of its target";
  let description = [{
    The target a program was compiled for, carried by the program so that
    verifying it reads no file: the target's `name` and
    `TargetDescription::hash()` (`hash`, hex; the `.mbin` records both and
    `mote-sim` refuses a program whose target file has changed since), the
    MAC array's digit width and signedness, and each SRAM buffer's size
    and address alignment in bytes. `--mote-to-npu` writes it from the
    target description.
    ```mlir
    npu.program attributes {dram_bytes = 1024 : i64,
      target = #npu.target<name = "mote-default", hash = "0xb868d0c3184d1582",
                           digit_bits = 4, signed_digits = true,
                           weight_bytes = 65536, weight_align = 64, ...>} {...}
    ```
  }];
  let parameters = (ins StringRefParameter<"target name">:$name,
                        StringRefParameter<"TargetDescription::hash() in hex">:$hash,
                        "int64_t":$digit_bits, "bool":$signed_digits,
                        "int64_t":$weight_bytes, "int64_t":$weight_align,
                        "int64_t":$activation_bytes,
                        "int64_t":$activation_align,
                        "int64_t":$accumulator_bytes,
                        "int64_t":$accumulator_align);
  let assemblyFormat = "`<` struct(params) `>`";
}

class NPU_Op<string mnemonic, list<Trait> traits = []>
    : Op<NPU_Dialect, mnemonic, traits>;

#endif // MOTE_DIALECT_NPUBASE_TD
