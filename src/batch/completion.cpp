// See completion.h.
#include "batch/completion.h"

#include <fmt/format.h>

#include <algorithm>
#include <fstream>

#include "core/atomic_file.h"
#include "core/error.h"
#include "separate/models/sha256.h"

namespace midistems::batch {

namespace fs = std::filesystem;

InputFingerprint fingerprintInput(const fs::path& input) {
  std::error_code ec;
  if (!fs::is_regular_file(input, ec)) throw Error(input.string() + ": not found (or not a file)");
  InputFingerprint f;
  f.size = fs::file_size(input, ec);
  if (ec) throw Error(input.string() + ": cannot read (" + ec.message() + ")");
  f.sha256 = separate::sha256File(input);
  return f;
}

std::vector<OutputFile> hashOutputs(const fs::path& folder) {
  std::vector<OutputFile> files;
  std::error_code ec;
  for (fs::recursive_directory_iterator it(folder, ec), end; !ec && it != end; it.increment(ec)) {
    const auto status = it->symlink_status(ec);
    if (ec) break;
    if (fs::is_directory(status)) continue;
    const std::string relative = fs::relative(it->path(), folder).generic_string();
    if (!fs::is_regular_file(status)) throw Error(it->path().string() + ": not a plain file among the outputs");
    if (relative == kRecordName) continue;
    files.push_back({relative, fs::file_size(it->path()), separate::sha256File(it->path())});
  }
  if (ec) throw Error(folder.string() + ": cannot list the outputs (" + ec.message() + ")");
  std::sort(files.begin(), files.end(), [](const auto& a, const auto& b) { return a.path < b.path; });
  return files;
}

nlohmann::json recordToJson(const CompletionRecord& r) {
  nlohmann::json outputs = nlohmann::json::array();
  for (const auto& o : r.outputs) outputs.push_back({{"path", o.path}, {"size", o.size}, {"sha256", o.sha256}});
  return {{"format", kRecordFormat},
          {"id", r.id},
          {"input", {{"path", r.input}, {"size", r.fingerprint.size}, {"sha256", r.fingerprint.sha256}}},
          {"options", r.options},
          {"program", {{"name", "midistems"}, {"version", r.version}}},
          {"outputs", outputs},
          {"seconds", r.seconds}};
}

void writeRecord(const fs::path& folder, const CompletionRecord& record) {
  const std::string text = recordToJson(record).dump(2) + "\n";
  writeFileAtomically(folder / kRecordName, text.data(), text.size());
}

CompletionCheck checkCompletion(const fs::path& folder, const InputFingerprint& input, const nlohmann::json& options,
                                const std::string& version) {
  const fs::path path = folder / kRecordName;
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) return {false, "no completion record"};
  const auto size = fs::file_size(path, ec);
  if (ec || size > kMaxRecordBytes) return {false, "the completion record is unreadable"};
  std::ifstream in(path, std::ios::binary);
  std::string text(size_t(size), '\0');
  if (!in.read(text.data(), std::streamsize(size))) return {false, "the completion record is unreadable"};
  const nlohmann::json record = nlohmann::json::parse(text, nullptr, false);
  if (record.is_discarded() || !record.is_object()) return {false, "the completion record is malformed"};
  try {
    if (record.at("format") != kRecordFormat) return {false, "the completion record has another format"};
    const auto& recorded = record.at("input");
    if (recorded.at("size").get<uint64_t>() != input.size || recorded.at("sha256").get<std::string>() != input.sha256)
      return {false, "the input changed"};
    if (record.at("options") != options) return {false, "the options changed"};
    if (record.at("program").at("version").get<std::string>() != version)
      return {false, "made by another program version"};
    for (const auto& o : record.at("outputs")) {
      const std::string relative = o.at("path").get<std::string>();
      const fs::path file = folder / relative;
      const fs::path rel(relative);
      const bool escapes = relative.empty() || rel.is_absolute() ||
                           std::any_of(rel.begin(), rel.end(), [](const fs::path& part) { return part == ".."; });
      if (escapes || !fs::is_regular_file(file, ec) || fs::file_size(file, ec) != o.at("size").get<uint64_t>())
        return {false, "an output is missing or changed: " + relative};
    }
  } catch (const nlohmann::json::exception&) {
    return {false, "the completion record is malformed"};
  }
  return {true, ""};
}

}  // namespace midistems::batch
