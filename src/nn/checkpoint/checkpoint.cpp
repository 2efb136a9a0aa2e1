// File entry points: read the whole file, then choose the reader by content.
#include <cerrno>
#include <cstring>
#include <fstream>

#include "core/error.h"
#include "nn/checkpoint.h"

namespace midistems::nn {
namespace {

std::vector<uint8_t> readWholeFile(const std::filesystem::path& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec))
    throw Error(path.string() + ": no such checkpoint file");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(path.string() + ": cannot open (" + std::strerror(errno) + ")");
  in.seekg(0, std::ios::end);
  const std::streamoff size = in.tellg();
  in.seekg(0, std::ios::beg);
  if (size < 0) throw Error(path.string() + ": cannot read");
  std::vector<uint8_t> bytes(static_cast<size_t>(size));
  if (size > 0 && !in.read(reinterpret_cast<char*>(bytes.data()), size))
    throw Error(path.string() + ": cannot read (" + std::strerror(errno) + ")");
  return bytes;
}

bool looksLikeZip(const uint8_t* b, size_t size) {
  return size >= 4 && b[0] == 'P' && b[1] == 'K' && ((b[2] == 3 && b[3] == 4) || (b[2] == 5 && b[3] == 6));
}

// torch.save before PyTorch 1.6 wrote a bare pickle stream that starts with a magic number.
bool looksLikeLegacyTorch(const uint8_t* b, size_t size) {
  return size >= 4 && b[0] == 0x80 && b[1] == 0x02 && b[2] == 0x8a && b[3] == 0x0a;
}

bool looksLikeSafetensors(const uint8_t* b, size_t size) { return size >= 9 && b[8] == '{'; }

}  // namespace

Checkpoint parseCheckpoint(const uint8_t* data, size_t size, const std::string& name) {
  if (size == 0) throw Error(name + ": empty file");
  if (looksLikeZip(data, size)) return parseTorchPackage(data, size, name);
  if (looksLikeSafetensors(data, size)) return parseSafetensors(data, size, name);
  if (looksLikeLegacyTorch(data, size))
    throw Error(name + ": legacy torch.save format (before PyTorch 1.6) is not supported; re-save it "
                       "with a newer PyTorch");
  throw Error(name + ": not a model checkpoint (neither a torch.save zip nor a safetensors file)");
}

Checkpoint loadCheckpoint(const std::filesystem::path& path) {
  const std::vector<uint8_t> bytes = readWholeFile(path);
  return parseCheckpoint(bytes.data(), bytes.size(), path.string());
}

Checkpoint loadTorchPackage(const std::filesystem::path& path) {
  const std::vector<uint8_t> bytes = readWholeFile(path);
  return parseTorchPackage(bytes.data(), bytes.size(), path.string());
}

Checkpoint loadSafetensors(const std::filesystem::path& path) {
  const std::vector<uint8_t> bytes = readWholeFile(path);
  return parseSafetensors(bytes.data(), bytes.size(), path.string());
}

}  // namespace midistems::nn
