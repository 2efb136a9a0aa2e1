#pragma once
// The completion record of a batch item: OUT/<id>/midistems-batch.json, written last, inside the
// item's temporary folder, just before the folder is renamed into place. It holds the input's size
// and SHA-256, the options that shape the outputs, the program version, and every output file
// with its size and SHA-256. An item is done when its folder holds a record that matches the
// input as it is now, the options and version of this run, and outputs present at their sizes;
// otherwise it is stale and is made again.
#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace midistems::batch {

inline constexpr const char* kRecordName = "midistems-batch.json";
inline constexpr int kRecordFormat = 1;
inline constexpr uint64_t kMaxRecordBytes = 4 << 20;

struct InputFingerprint {
  uint64_t size = 0;
  std::string sha256;
};

struct OutputFile {
  std::string path;  // relative to the item folder, '/'-separated
  uint64_t size = 0;
  std::string sha256;
};

// Throws midistems::Error naming the file when it cannot be read.
InputFingerprint fingerprintInput(const std::filesystem::path& input);
// Every file under `folder` except the record, sorted by path. Throws midistems::Error on anything
// but plain files and folders.
std::vector<OutputFile> hashOutputs(const std::filesystem::path& folder);

struct CompletionRecord {
  std::string id;
  std::string input;  // the path as the manifest writes it
  InputFingerprint fingerprint;
  nlohmann::json options;
  std::string version;
  std::vector<OutputFile> outputs;
  double seconds = 0;
};

nlohmann::json recordToJson(const CompletionRecord& record);
// Writes `folder`/midistems-batch.json atomically (core/atomic_file.h).
void writeRecord(const std::filesystem::path& folder, const CompletionRecord& record);

struct CompletionCheck {
  bool done = false;
  std::string why;  // when not done: what differs ("no completion record", "the input changed", ...)
};

// Compares `folder`'s record with this run. A missing, unreadable or malformed record, or one of
// another format, makes the item not done (a record is never trusted beyond its checks).
CompletionCheck checkCompletion(const std::filesystem::path& folder, const InputFingerprint& input,
                                const nlohmann::json& options, const std::string& version);

}  // namespace midistems::batch
