//===- Program.h - A compiled Mote NPU program (.mbin contents) -*- C++ -*-===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//
//
// Everything an `.mbin` holds, in memory: the instruction stream, the
// initial DRAM image (constants: packed weight digit planes, requantization
// records, LUTs), the I/O descriptors that say where each model input and
// output lives in DRAM and how it maps to the framework's float tensor, and
// per-layer debug ranges with the compiler's static estimate. The compiler
// builds one (npu dialect -> Program), `writeMbin`/`readMbin` move it to and
// from bytes, `printMasm`/`parseMasm` to and from text, and the simulator
// executes it. LLVM Support only.
//
//===----------------------------------------------------------------------===//

#ifndef MOTE_ISA_PROGRAM_H
#define MOTE_ISA_PROGRAM_H

#include "mote/ISA/ISA.h"

#include "llvm/ADT/SmallVector.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace llvm {
class raw_ostream;
} // namespace llvm

namespace mote::isa {

/// `.mbin` format version this build reads and writes.
/// Version 2 added host segments (the HOST instruction and META
/// `host_segments`); version 1 files (listed-only `host_ops`) still load.
/// Version 3 added META `preamble_instructions` (the program-load
/// preamble); version 2 files load with none.
constexpr uint32_t kMbinVersion = 3;

/// One model input or output tensor.
struct IODesc {
  std::string name;            ///< The framework's tensor name.
  bool isInput = true;
  /// Shape in the framework's layout (e.g. NCHW for ONNX), as the user
  /// feeds / receives it (float).
  llvm::SmallVector<int64_t, 4> shape;
  /// Permutation from the framework layout to the DRAM layout: DRAM dim i
  /// is framework dim perm[i] (NCHW -> NHWC is {0, 2, 3, 1}). Identity if
  /// empty.
  llvm::SmallVector<int64_t, 4> dramPerm;
  std::string layout;          ///< "NCHW", "NC", ... as recorded at import.
  /// DRAM storage: element type "i8", "u8" or "i32", or a narrower integer
  /// "i2".."i7" / "u1".."u7" (a 4-bit model input is "i4": the host must
  /// saturate to [-8, 7], not to the byte's range), or "f32" for a float
  /// tensor a host segment reads or writes (scale 1, zero point 0). One
  /// element per byte (4 for i32 and f32), dense row-major in the permuted
  /// layout. See ioStorage().
  std::string dtype = "i8";
  uint64_t dramAddr = 0;
  uint64_t bytes = 0;
  /// Quantization: float = (q - zeroPoint) * scale. Per tensor.
  double scale = 1.0;
  int64_t zeroPoint = 0;
};

/// What an IODesc dtype means in DRAM.
struct IOStorage {
  unsigned bytes;     ///< Bytes per element (1 or 4).
  bool isSigned;
  int64_t qmin, qmax; ///< The values an element may hold (integers).
  bool isFloat = false; ///< "f32": IEEE single, little-endian.
};

/// Parses an I/O dtype ("i8", "u8", "i32", "i2".."i7", "u1".."u7", "f32");
/// nullopt if it is none of them. The one place that knows the dtype names.
std::optional<IOStorage> ioStorage(llvm::StringRef dtype);

/// The dtype naming `bits`-wide integer storage (the inverse of ioStorage);
/// empty if there is none.
std::string ioDtypeName(unsigned bits, bool isSigned);

/// One layer's instruction range and the compiler's static estimate.
struct LayerInfo {
  std::string name;            ///< Source op location / name.
  std::string kind;            ///< "conv2d", "fully_connected", "add", ...
  uint64_t firstInstruction = 0; ///< Index of its first instruction.
  uint64_t numInstructions = 0;  ///< Instructions [first, first + num).
  uint64_t macs = 0;             ///< Multiply-accumulates of the original op.
  uint64_t digitMacs = 0;        ///< MACs x digit passes.
  uint64_t dramBytes = 0;        ///< Planned DRAM bytes read + written.
  uint64_t rooflineCycles = 0;   ///< max(compute bound, bandwidth bound).
};

/// One op of a host segment, for the report.
struct HostOp {
  std::string name;  ///< Source location / name.
  std::string kind;  ///< The mote op ("softmax", "div", ...).
  uint64_t macs = 0; ///< Multiply-accumulates it performs on the host.
};

/// A tensor a host segment reads from or writes to DRAM: dense row-major
/// in `shape` (the mote IR's own layout, NHWC inside), `dtype` as IODesc.
struct HostTensorDesc {
  std::string dtype = "i8";
  llvm::SmallVector<int64_t, 4> shape;
  uint64_t dramAddr = 0;
  uint64_t bytes = 0;
};

/// Ops the chip cannot run, kept where they stand in the graph (DESIGN §6).
/// The HOST instruction with `segment` = this segment's index hands DRAM to
/// the host, which runs `module` (MLIR text: one `func.func` of `mote` ops
/// whose arguments are `inputs` and whose results are `outputs`, in order)
/// with the reference interpreter's kernels, bit-exact with mote-run.
struct HostSegment {
  std::string module;
  std::vector<HostTensorDesc> inputs, outputs;
  std::vector<HostOp> ops;
};

struct Program {
  std::string targetName;
  uint64_t targetHash = 0;
  std::vector<Word128> instructions; ///< Encoded, program order.
  /// The first `preambleInstructions` instructions are the program-load
  /// preamble: run once when the program is loaded (resident weights),
  /// not per inference. Each inference runs the rest from reset registers;
  /// the SRAM the preamble filled keeps its contents.
  uint64_t preambleInstructions = 0;
  /// Initial DRAM image: bytes [0, constants.size()) are the constants.
  std::vector<uint8_t> constants;
  /// DRAM bytes the program uses in total (constants + activations);
  /// every address touched lies below it.
  uint64_t dramBytes = 0;
  std::vector<IODesc> io;
  std::vector<LayerInfo> layers;
  /// Host segments, indexed by the HOST instructions' `segment` field.
  std::vector<HostSegment> hostSegments;
};

/// Checks what every valid program satisfies, exactly as readMbin and
/// parseMasm do: every instruction decodes, the last one (only) is FINISH,
/// constants and I/O tensors lie below dramBytes, I/O descriptors are
/// consistent (dtype i8/u8/i32, bytes = elements x element size, perm a
/// permutation, scale finite and positive, zero point in the dtype's range),
/// layer ranges lie within the instruction stream, strings are UTF-8, every
/// host segment is named by exactly one HOST instruction and its tensors
/// lie below dramBytes with sizes that match their shapes.
/// Call it before writeMbin. `what` prefixes the message.
llvm::Error verifyProgram(const Program &program, llvm::StringRef what);

/// Serialises to the `.mbin` container (layout in docs/ISA.md): magic
/// "MOTEBIN\0", version, target hash, section table with offsets, sizes
/// and checksums. Byte-identical for equal programs.
std::vector<uint8_t> writeMbin(const Program &program);
/// Parses and validates an `.mbin`: magic, version, bounds of every
/// section, checksums, every instruction decodable, I/O and layer ranges
/// in bounds. `what` names the file in messages.
llvm::Expected<Program> readMbin(llvm::ArrayRef<uint8_t> bytes,
                                 llvm::StringRef what);

/// The text form: one instruction per line, `mnemonic field=value ...`,
/// plus directives for the target, constants, I/O and layers, so that
/// masm -> mbin -> masm round-trips exactly.
void printMasm(const Program &program, llvm::raw_ostream &os);
llvm::Expected<Program> parseMasm(llvm::StringRef text, llvm::StringRef what);

/// Prints one instruction in masm syntax (no newline).
void printInstruction(const Instruction &inst, llvm::raw_ostream &os);

/// Writes docs/ISA.md's generated content from the table.
void printIsaDoc(llvm::raw_ostream &os);

} // namespace mote::isa

#endif // MOTE_ISA_PROGRAM_H
