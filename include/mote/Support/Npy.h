//===- Npy.h - numpy .npy / .npz files as HostTensors -----------*- C++ -*-===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//
//
// Reading and writing the numpy array formats that Mote's tools exchange
// with users: `.npy` (one array; header versions 1.0, 2.0 and 3.0) and
// `.npz` (a ZIP archive of `.npy` members, stored by np.savez or deflated
// by np.savez_compressed). Only little-endian, C-ordered arrays of the
// dtypes HostTensor knows are accepted; anything else is an llvm::Error
// naming the file and what is wrong. MLIR-free, so the simulator can use it.
//
//===----------------------------------------------------------------------===//

#ifndef MOTE_SUPPORT_NPY_H
#define MOTE_SUPPORT_NPY_H

#include "mote/Support/HostTensor.h"

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <vector>

namespace mote {

/// Largest element count a file may declare (2^40): anything above is a
/// corrupt header, not a tensor, and must not drive an allocation.
constexpr int64_t kMaxNpyElements = int64_t(1) << 40;

/// Parses an in-memory `.npy` image. `what` names the source in messages
/// (a file path, or "archive.npz:member.npy").
llvm::Expected<HostTensor> parseNpy(llvm::StringRef bytes, llvm::StringRef what);

/// Reads a `.npy` file. The tensor's name is left empty.
llvm::Expected<HostTensor> readNpy(llvm::StringRef path);

/// Serialises a tensor as a version 1.0 `.npy` image (64-byte aligned header).
std::string serializeNpy(const HostTensor &tensor);

/// Writes a `.npy` file.
llvm::Error writeNpy(llvm::StringRef path, const HostTensor &tensor);

/// Parses an in-memory `.npz` archive. Each member `NAME.npy` becomes a
/// tensor named NAME, in archive order.
llvm::Expected<std::vector<HostTensor>> parseNpz(llvm::StringRef bytes,
                                                 llvm::StringRef what);

/// Reads a `.npz` file.
llvm::Expected<std::vector<HostTensor>> readNpz(llvm::StringRef path);

/// numpy's `descr` of a dtype ("<f4", "|i1", ...).
const char *npyDescr(DType dtype);

} // namespace mote

#endif // MOTE_SUPPORT_NPY_H
