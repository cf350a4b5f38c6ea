//===- Npy.cpp - numpy .npy / .npz files as HostTensors -------------------===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//
//
// The .npy header is a Python dict literal; we parse the three keys numpy
// writes ('descr', 'fortran_order', 'shape') with a small hand-written
// scanner and reject everything unexpected, so a corrupt file yields a
// message rather than a huge allocation or a crash.
//
//===----------------------------------------------------------------------===//

#include "mote/Support/Npy.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"

#include <zlib.h>

using namespace llvm;

namespace mote {

static Error fail(StringRef what, const Twine &message) {
  return createStringError(inconvertibleErrorCode(),
                           what + ": " + message);
}

const char *npyDescr(DType dtype) {
  switch (dtype) {
  case DType::F32: return "<f4";
  case DType::F64: return "<f8";
  case DType::I8: return "|i1";
  case DType::U8: return "|u1";
  case DType::I16: return "<i2";
  case DType::U16: return "<u2";
  case DType::I32: return "<i4";
  case DType::I64: return "<i8";
  case DType::Bool: return "|b1";
  }
  return "?";
}

/// Maps a numpy descr to a dtype. Byte order '<' (or '|'/'=' for one-byte
/// types, '=' meaning native, which is little-endian on every host Mote
/// supports) is accepted; '>' is reported as big-endian.
static Expected<DType> parseDescr(StringRef descr, StringRef what) {
  if (descr.size() < 3)
    return fail(what, "unsupported dtype '" + descr + "'");
  char order = descr[0];
  StringRef kind = descr.drop_front();
  if (order == '>' && kind.size() == 2 && kind[1] != '1')
    return fail(what, "big-endian dtype '" + descr +
                          "' is not supported; convert with "
                          "arr.astype(arr.dtype.newbyteorder('<'))");
  struct Entry { const char *kind; DType dtype; };
  static const Entry entries[] = {
      {"f4", DType::F32}, {"f8", DType::F64}, {"i1", DType::I8},
      {"u1", DType::U8},  {"i2", DType::I16}, {"u2", DType::U16},
      {"i4", DType::I32}, {"i8", DType::I64}, {"b1", DType::Bool}};
  for (const Entry &e : entries) {
    if (kind != e.kind)
      continue;
    bool oneByte = dtypeSize(e.dtype) == 1;
    if (order == '<' || order == '=' || (oneByte && (order == '|' || order == '>')))
      return e.dtype;
  }
  return fail(what, "unsupported dtype '" + descr +
                        "'; supported: float32, float64, int8, uint8, int16, "
                        "uint16, int32, int64, bool");
}

namespace {
/// A cursor over the header dict text.
struct HeaderScanner {
  StringRef text;
  void skipSpace() { text = text.ltrim(" \t\r\n"); }
  bool consume(StringRef token) {
    skipSpace();
    return text.consume_front(token);
  }
  /// A quoted Python string.
  std::optional<std::string> string() {
    skipSpace();
    if (text.empty() || (text[0] != '\'' && text[0] != '"'))
      return std::nullopt;
    char quote = text[0];
    size_t end = text.find(quote, 1);
    if (end == StringRef::npos)
      return std::nullopt;
    std::string value = text.substr(1, end - 1).str();
    text = text.drop_front(end + 1);
    return value;
  }
  std::optional<int64_t> integer() {
    skipSpace();
    size_t len = 0;
    while (len < text.size() && isDigit(text[len]))
      ++len;
    if (len == 0 || len > 18)
      return std::nullopt;
    int64_t v = 0;
    if (text.take_front(len).getAsInteger(10, v))
      return std::nullopt;
    text = text.drop_front(len);
    // Python 2 era files may write long integers as 3L.
    text.consume_front("L");
    return v;
  }
};
} // namespace

Expected<HostTensor> parseNpy(StringRef bytes, StringRef what) {
  static const char magic[] = "\x93NUMPY";
  if (bytes.size() < 10 || !bytes.starts_with(StringRef(magic, 6)))
    return fail(what, "not a .npy file (bad magic)");
  unsigned major = static_cast<uint8_t>(bytes[6]);
  size_t headerLen, headerStart;
  if (major == 1) {
    headerLen = static_cast<uint8_t>(bytes[8]) |
                (static_cast<size_t>(static_cast<uint8_t>(bytes[9])) << 8);
    headerStart = 10;
  } else if (major == 2 || major == 3) {
    if (bytes.size() < 12)
      return fail(what, "truncated .npy header");
    headerLen = 0;
    for (int i = 0; i < 4; ++i)
      headerLen |= static_cast<size_t>(static_cast<uint8_t>(bytes[8 + i]))
                   << (8 * i);
    headerStart = 12;
  } else {
    return fail(what, "unsupported .npy format version " + Twine(major) +
                          "." + Twine(static_cast<uint8_t>(bytes[7])));
  }
  if (headerLen > bytes.size() - headerStart)
    return fail(what, "truncated .npy header (declares " + Twine(headerLen) +
                          " bytes, file has " +
                          Twine(bytes.size() - headerStart) + ")");
  HeaderScanner s{bytes.substr(headerStart, headerLen)};
  StringRef payload = bytes.drop_front(headerStart + headerLen);

  std::optional<std::string> descr;
  std::optional<bool> fortran;
  std::optional<std::vector<int64_t>> shape;
  if (!s.consume("{"))
    return fail(what, "malformed .npy header (expected a dict)");
  while (!s.consume("}")) {
    std::optional<std::string> key = s.string();
    if (!key || !s.consume(":"))
      return fail(what, "malformed .npy header");
    if (*key == "descr") {
      descr = s.string();
      if (!descr)
        return fail(what, "malformed .npy header: 'descr' must be a string "
                          "(structured dtypes are not supported)");
    } else if (*key == "fortran_order") {
      if (s.consume("True"))
        fortran = true;
      else if (s.consume("False"))
        fortran = false;
      else
        return fail(what, "malformed .npy header: bad 'fortran_order'");
    } else if (*key == "shape") {
      if (!s.consume("("))
        return fail(what, "malformed .npy header: 'shape' must be a tuple");
      shape.emplace();
      while (!s.consume(")")) {
        std::optional<int64_t> dim = s.integer();
        if (!dim)
          return fail(what, "malformed .npy header: bad dimension in 'shape'");
        shape->push_back(*dim);
        if (s.consume(","))
          continue;
        if (s.consume(")"))
          break;
        return fail(what, "malformed .npy header: bad 'shape'");
      }
    } else {
      return fail(what, "malformed .npy header: unknown key '" + *key + "'");
    }
    if (!s.consume(",")) {
      if (!s.consume("}"))
        return fail(what, "malformed .npy header");
      break;
    }
  }
  if (!descr || !fortran || !shape)
    return fail(what, "malformed .npy header: needs 'descr', "
                      "'fortran_order' and 'shape'");
  if (*fortran)
    return fail(what, "fortran_order=True arrays are not supported; save "
                      "np.ascontiguousarray(arr) instead");
  Expected<DType> dtype = parseDescr(*descr, what);
  if (!dtype)
    return dtype.takeError();

  HostTensor tensor;
  tensor.dtype = *dtype;
  int64_t count = 1;
  for (int64_t d : *shape) {
    if (d < 0 || d > kMaxNpyElements || (d != 0 && count > kMaxNpyElements / d))
      return fail(what, "absurd shape in .npy header (more than 2^40 "
                        "elements)");
    count *= d;
  }
  tensor.shape = *shape;
  uint64_t expected = static_cast<uint64_t>(count) * dtypeSize(*dtype);
  if (payload.size() < expected)
    return fail(what, "truncated data: shape (" +
                          join(map_range(*shape,
                                         [](int64_t d) { return std::to_string(d); }),
                               ", ") +
                          ") of " + dtypeName(*dtype) + " needs " +
                          Twine(expected) + " bytes, file has " +
                          Twine(payload.size()));
  if (payload.size() > expected)
    return fail(what, Twine(payload.size() - expected) +
                          " unexpected bytes after the array data");
  tensor.data.assign(payload.begin(), payload.end());
  return tensor;
}

Expected<HostTensor> readNpy(StringRef path) {
  auto buffer = MemoryBuffer::getFile(path, /*IsText=*/false,
                                      /*RequiresNullTerminator=*/false);
  if (!buffer)
    return fail(path, "cannot read: " + buffer.getError().message());
  return parseNpy((*buffer)->getBuffer(), path);
}

std::string serializeNpy(const HostTensor &tensor) {
  std::string header = "{'descr': '";
  header += npyDescr(tensor.dtype);
  header += "', 'fortran_order': False, 'shape': (";
  for (size_t i = 0; i < tensor.shape.size(); ++i)
    header += (i ? ", " : "") + std::to_string(tensor.shape[i]);
  if (tensor.shape.size() == 1)
    header += ","; // numpy writes (4,) but (2, 3)
  header += "), }";
  // Pad with spaces so that magic + length + header + '\n' is a multiple
  // of 64 bytes, as numpy does.
  size_t total = 10 + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header += '\n';
  std::string out("\x93NUMPY\x01\x00", 8);
  out += static_cast<char>(header.size() & 0xff);
  out += static_cast<char>((header.size() >> 8) & 0xff);
  out += header;
  out.append(tensor.data.begin(), tensor.data.end());
  return out;
}

Error writeNpy(StringRef path, const HostTensor &tensor) {
  std::error_code ec;
  raw_fd_ostream os(path, ec, sys::fs::OF_None);
  if (ec)
    return fail(path, "cannot write: " + ec.message());
  os << serializeNpy(tensor);
  os.close();
  if (os.has_error())
    return fail(path, "cannot write: " + os.error().message());
  return Error::success();
}

//===----------------------------------------------------------------------===//
// .npz (ZIP)
//===----------------------------------------------------------------------===//

static uint16_t le16(StringRef b, size_t at) {
  return static_cast<uint8_t>(b[at]) |
         (static_cast<uint16_t>(static_cast<uint8_t>(b[at + 1])) << 8);
}
static uint32_t le32(StringRef b, size_t at) {
  return le16(b, at) | (static_cast<uint32_t>(le16(b, at + 2)) << 16);
}
static uint64_t le64(StringRef b, size_t at) {
  return le32(b, at) | (static_cast<uint64_t>(le32(b, at + 4)) << 32);
}

/// Inflates a raw deflate stream of known output size.
static Expected<std::string> inflateRaw(StringRef in, uint64_t outSize,
                                        StringRef what) {
  if (outSize > static_cast<uint64_t>(kMaxNpyElements))
    return fail(what, "absurd uncompressed size " + Twine(outSize));
  std::string out(outSize, '\0');
  z_stream zs{};
  if (inflateInit2(&zs, -MAX_WBITS) != Z_OK)
    return fail(what, "zlib initialisation failed");
  zs.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(in.data()));
  zs.avail_in = static_cast<uInt>(in.size());
  zs.next_out = reinterpret_cast<Bytef *>(out.data());
  zs.avail_out = static_cast<uInt>(outSize);
  int rc = inflate(&zs, Z_FINISH);
  uint64_t produced = zs.total_out;
  inflateEnd(&zs);
  if (rc != Z_STREAM_END || produced != outSize)
    return fail(what, "corrupt deflate data");
  return out;
}

Expected<std::vector<HostTensor>> parseNpz(StringRef bytes, StringRef what) {
  // Find the end-of-central-directory record (it ends with a comment of at
  // most 65535 bytes).
  const size_t eocdSize = 22;
  if (bytes.size() < eocdSize)
    return fail(what, "not a .npz (ZIP) archive: too short");
  size_t eocd = StringRef::npos;
  size_t lowest = bytes.size() > eocdSize + 65535 ? bytes.size() - eocdSize - 65535 : 0;
  for (size_t at = bytes.size() - eocdSize + 1; at-- > lowest;)
    if (le32(bytes, at) == 0x06054b50) {
      eocd = at;
      break;
    }
  if (eocd == StringRef::npos)
    return fail(what, "not a .npz (ZIP) archive: no end of central directory");
  uint64_t entries = le16(bytes, eocd + 10);
  uint64_t cdOffset = le32(bytes, eocd + 16);
  // ZIP64 end-of-central-directory locator, just before the EOCD.
  if ((entries == 0xffff || cdOffset == 0xffffffff) && eocd >= 20 &&
      le32(bytes, eocd - 20) == 0x07064b50) {
    uint64_t z64 = le64(bytes, eocd - 20 + 8);
    if (z64 > bytes.size() || bytes.size() - z64 < 56 ||
        le32(bytes, z64) != 0x06064b50)
      return fail(what, "corrupt ZIP64 end of central directory");
    entries = le64(bytes, z64 + 32);
    cdOffset = le64(bytes, z64 + 48);
  }
  std::vector<HostTensor> tensors;
  uint64_t at = cdOffset;
  for (uint64_t i = 0; i < entries; ++i) {
    if (at > bytes.size() || bytes.size() - at < 46 ||
        le32(bytes, at) != 0x02014b50)
      return fail(what, "corrupt ZIP central directory");
    uint16_t method = le16(bytes, at + 10);
    uint32_t crc = le32(bytes, at + 16);
    uint64_t compSize = le32(bytes, at + 20);
    uint64_t size = le32(bytes, at + 24);
    uint16_t nameLen = le16(bytes, at + 28), extraLen = le16(bytes, at + 30),
             commentLen = le16(bytes, at + 32);
    uint64_t localOffset = le32(bytes, at + 42);
    if (bytes.size() - at - 46 < uint64_t(nameLen) + extraLen + commentLen)
      return fail(what, "corrupt ZIP central directory");
    std::string name = bytes.substr(at + 46, nameLen).str();
    // ZIP64 extended information: the 0xffffffff fields, in order.
    StringRef extra = bytes.substr(at + 46 + nameLen, extraLen);
    while (extra.size() >= 4) {
      uint16_t id = le16(extra, 0), len = le16(extra, 2);
      if (extra.size() < 4u + len)
        break;
      if (id == 0x0001) {
        StringRef field = extra.substr(4, len);
        size_t p = 0;
        auto next = [&](uint64_t &v) {
          if (p + 8 <= field.size()) {
            v = le64(field, p);
            p += 8;
          }
        };
        if (size == 0xffffffff)
          next(size);
        if (compSize == 0xffffffff)
          next(compSize);
        if (localOffset == 0xffffffff)
          next(localOffset);
      }
      extra = extra.drop_front(4 + len);
    }
    at += 46 + nameLen + extraLen + commentLen;

    std::string member = (what + ":" + name).str();
    if (localOffset > bytes.size() || bytes.size() - localOffset < 30 ||
        le32(bytes, localOffset) != 0x04034b50)
      return fail(member, "corrupt ZIP local header");
    uint64_t dataStart = localOffset + 30 + le16(bytes, localOffset + 26) +
                         le16(bytes, localOffset + 28);
    if (dataStart > bytes.size() || bytes.size() - dataStart < compSize)
      return fail(member, "truncated archive member");
    StringRef raw = bytes.substr(dataStart, compSize);
    std::string inflated;
    StringRef data;
    if (method == 0) {
      if (compSize != size)
        return fail(member, "corrupt stored member sizes");
      data = raw;
    } else if (method == 8) {
      Expected<std::string> out = inflateRaw(raw, size, member);
      if (!out)
        return out.takeError();
      inflated = std::move(*out);
      data = inflated;
    } else {
      return fail(member, "unsupported ZIP compression method " +
                              Twine(method) + " (np.savez and "
                              "np.savez_compressed use 0 and 8)");
    }
    uLong actual = crc32(0L, reinterpret_cast<const Bytef *>(data.data()),
                         static_cast<uInt>(data.size()));
    if (actual != crc)
      return fail(member, "CRC mismatch: the archive is corrupt");
    Expected<HostTensor> tensor = parseNpy(data, member);
    if (!tensor)
      return tensor.takeError();
    StringRef base(name);
    base.consume_back(".npy");
    tensor->name = base.str();
    tensors.push_back(std::move(*tensor));
  }
  return tensors;
}

Expected<std::vector<HostTensor>> readNpz(StringRef path) {
  auto buffer = MemoryBuffer::getFile(path, /*IsText=*/false,
                                      /*RequiresNullTerminator=*/false);
  if (!buffer)
    return fail(path, "cannot read: " + buffer.getError().message());
  return parseNpz((*buffer)->getBuffer(), path);
}

} // namespace mote
