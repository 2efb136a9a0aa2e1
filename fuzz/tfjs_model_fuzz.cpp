// fuzz-libs: midistems_basic_pitch
// The basic-pitch model folder as `midistems transcribe` loads it (BasicPitchModel::load: the TF.js
// graph reader, then the network built from the graph). The input is model.json, then the line
// "--shard--", then the bytes of group1-shard1of1.bin; both are written to a folder of this
// process's own, since the loader reads a folder. Only midistems::Error may come out.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/error.h"
#include "support/scratch_files.h"
#include "transcribe/basic_pitch/basic_pitch.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using midistems::fuzz::scratchDir;
  using midistems::fuzz::writeFile;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  constexpr std::string_view kSeparator = "\n--shard--\n";
  const size_t split = input.find(kSeparator);
  const size_t jsonSize = split == std::string_view::npos ? size : split;
  const size_t shardAt = split == std::string_view::npos ? size : split + kSeparator.size();
  writeFile(scratchDir() / "model.json", data, jsonSize);
  writeFile(scratchDir() / "group1-shard1of1.bin", data + shardAt, size - shardAt);
  try {
    (void)midistems::transcribe::BasicPitchModel::load(scratchDir());
  } catch (const midistems::Error&) {
  }
  return 0;
}
