//===- TargetDescription.h - Mote NPU target descriptions -------*- C++ -*-===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//
//
// A TargetDescription fixes one Mote NPU chip: clock, digit-MAC array, SRAM
// buffers, DRAM, vector unit, instruction queues, requantizer and the energy
// table the cost model and the simulator charge events with. Descriptions
// are versioned JSON files (schema in docs/Target.md), shipped in
// target/targets/, validated strictly on load, and identified by a stable
// 64-bit hash that each binary records. LLVM Support only, no MLIR, so the
// simulator and small tools can use it.
//
//===----------------------------------------------------------------------===//

#ifndef MOTE_TARGET_TARGETDESCRIPTION_H
#define MOTE_TARGET_TARGETDESCRIPTION_H

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/JSON.h"

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace llvm {
class raw_ostream;
} // namespace llvm

namespace mote {

/// The on-chip SRAM buffers.
enum class SramBuffer : unsigned {
  Weight = 0,
  Activation = 1,
  Accumulator = 2
};
constexpr unsigned kNumSramBuffers = 3;

/// The vector unit's operations, in schema order.
enum class VectorOp : unsigned {
  Requantize = 0,
  Add = 1,
  MinMax = 2,
  Pool = 3,
  Lut = 4,
  Clamp = 5,
};
constexpr unsigned kNumVectorOps = 6;

/// The JSON key of a vector op ("requantize", "add", ...).
llvm::StringRef vectorOpName(VectorOp op);
/// The JSON key of a buffer ("weight_buffer", ...).
llvm::StringRef sramBufferName(SramBuffer buffer);

/// The schema version this build reads and writes. A file with any other
/// version is rejected rather than guessed at.
constexpr int64_t kTargetSchemaVersion = 2;

/// One SRAM buffer's geometry.
struct SramBufferDesc {
  uint64_t bytes = 0;          ///< Capacity in bytes.
  uint64_t banks = 0;          ///< Independently addressable banks.
  uint64_t lineBytes = 0;      ///< Bytes per bank access (power of two).
  uint64_t alignmentBytes = 0; ///< Required alignment of tile bases (pow2).
};

/// Energy in pJ per byte read and per byte written.
struct ReadWriteEnergy {
  double readPJPerByte = 0;
  double writePJPerByte = 0;
};

/// Every field of a target description file (see docs/Target.md).
struct TargetDescription {
  int64_t schemaVersion = kTargetSchemaVersion;
  std::string name;
  std::string description;
  double clockMHz = 0;

  struct MacArray {
    unsigned rows = 0;
    unsigned cols = 0;
    unsigned digitBits = 0;       ///< Native multiplier operand width: 2, 4, 8.
    bool signedDigits = false;    ///< Operands may be two's-complement digits.
    unsigned accumulatorBits = 0; ///< Width of the in-array accumulators.
  } macArray;

  struct Sram {
    SramBufferDesc weightBuffer;
    SramBufferDesc activationBuffer;
    SramBufferDesc accumulatorBuffer; ///< Holds int32 partial sums.
  } sram;

  struct Dram {
    double bandwidthBytesPerCycle = 0;
    uint64_t latencyCycles = 0;
  } dram;

  struct VectorUnit {
    unsigned lanes = 0;
    std::array<unsigned, kNumVectorOps> cyclesPerOp{}; ///< By VectorOp.
  } vectorUnit;

  struct Queues {
    unsigned load = 0;    ///< Instruction queue depth of the load engine.
    unsigned execute = 0; ///< ... of the execute engine.
    unsigned store = 0;   ///< ... of the store engine.
    unsigned token = 0;   ///< Depth of each dependency-token queue.
  } queues;

  struct Requant {
    unsigned multiplierBits = 32;
    unsigned maxShift = 62;
  } requant;

  struct Energy {
    double digitMacPJ = 0;       ///< One digit x digit multiply-add.
    double accumulatorAddPJ = 0; ///< One shifted add into an accumulator.
    /// Reading and writing one of the MAC array's 32-bit accumulator
    /// registers, per accumulator update (chains keep sums there).
    double accumulatorRegisterPJ = 0;
    ReadWriteEnergy weightBuffer;
    ReadWriteEnergy activationBuffer;
    ReadWriteEnergy accumulatorBuffer;
    ReadWriteEnergy dram;
    std::array<double, kNumVectorOps> vectorOpPJ{}; ///< Per element, by op.
    double staticPowerMW = 0;
  } energy;

  std::vector<std::string> sources; ///< Citations for the figures.
  std::vector<std::string> notes;   ///< Free-text remarks (optional).

  /// Stable 64-bit FNV-1a hash of the canonical hardware content: every
  /// field except the free text (name, description, sources, notes), so a
  /// renamed copy or a corrected citation still matches binaries built for
  /// it. Independent of key order, whitespace and number spelling.
  uint64_t hash() const;

  /// The description as JSON. With `withText` false only the hashed
  /// hardware fields are emitted. Printed with llvm::json (sorted keys).
  llvm::json::Value toJSON(bool withText = true) const;

  /// The canonical, compact serialisation that hash() digests.
  std::string canonicalHardwareString() const;

  /// Energy of one digit x digit MAC at the native width.
  double energyPerDigitMacPJ() const { return energy.digitMacPJ; }
  /// Digit passes for an aBits x wBits product: ceil(a/d) * ceil(w/d).
  /// Returns 0 for a zero width.
  uint64_t macPassesFor(unsigned aBits, unsigned wBits) const;
  /// Energy of one aBits x wBits MAC, derived from digit passes: the array
  /// only has digit multipliers, so a wider product costs its passes.
  double macEnergyPJ(unsigned aBits, unsigned wBits) const {
    return double(macPassesFor(aBits, wBits)) * energy.digitMacPJ;
  }
  const SramBufferDesc &buffer(SramBuffer which) const;
  double sramEnergyPerBytePJ(SramBuffer which, bool write = false) const;
  double dramEnergyPerBytePJ(bool write = false) const {
    return write ? energy.dram.writePJPerByte : energy.dram.readPJPerByte;
  }
  double vectorOpEnergyPJ(VectorOp op) const {
    return energy.vectorOpPJ[unsigned(op)];
  }
  unsigned vectorOpCycles(VectorOp op) const {
    return vectorUnit.cyclesPerOp[unsigned(op)];
  }
  uint64_t peakDigitMacsPerCycle() const {
    return uint64_t(macArray.rows) * macArray.cols;
  }
  /// Peak aBits x wBits MACs per cycle (digit MACs over passes).
  double peakMacsPerCycle(unsigned aBits, unsigned wBits) const;
  double dramBandwidthGBps() const {
    return dram.bandwidthBytesPerCycle * clockMHz / 1000.0;
  }

  /// A readable multi-line summary (what `mote-target NAME` prints).
  void printSummary(llvm::raw_ostream &os) const;
};

/// Parses and validates a description held in memory. `fileName` prefixes
/// every message. All problems found are reported together, one per line.
llvm::Expected<TargetDescription> parseTarget(llvm::StringRef json,
                                              llvm::StringRef fileName);

/// Loads a target by name or by path. Anything containing a path separator
/// or ending in ".json" is a path; otherwise NAME resolves to NAME.json in
/// targetDirectory().
llvm::Expected<TargetDescription> loadTarget(llvm::StringRef nameOrPath);

/// Where named targets live: $MOTE_TARGET_DIR if set and non-empty, else the
/// directory compiled in at build time (the source tree's target/targets).
std::string targetDirectory();

/// The names of the targets in targetDirectory(), sorted.
std::vector<std::string> listTargets();

/// 64-bit SRAM read energy per byte interpolated from Horowitz (ISSCC 2014,
/// 45 nm): 10/20/100 pJ per 64-bit read at 8 KiB/32 KiB/1 MiB, piecewise
/// linear in log(energy) over log(size), extrapolated with the end slopes.
/// The shipped targets' SRAM figures follow it (checked by the unit tests).
double horowitzSramPJPerByte(uint64_t bytes);

} // namespace mote

#endif // MOTE_TARGET_TARGETDESCRIPTION_H
