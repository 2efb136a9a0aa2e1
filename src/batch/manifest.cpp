// See manifest.h.
#include "batch/manifest.h"

#include <fmt/format.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <unordered_map>

#include "core/error.h"
#include "separate/models/sha256.h"

namespace midistems::batch {

namespace fs = std::filesystem;

namespace {

bool isIdChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
         c == '-';
}

std::string trim(const std::string& s) {
  size_t a = 0, b = s.size();
  while (a < b && (s[a] == ' ' || s[a] == '\t')) ++a;
  while (b > a && (s[b - 1] == ' ' || s[b - 1] == '\t' || s[b - 1] == '\r')) --b;
  return s.substr(a, b - a);
}

class LineError {
 public:
  LineError(const std::string& name, size_t line) : prefix_(fmt::format("{}:{}: ", name, line)) {}
  [[noreturn]] void fail(const std::string& what) const { throw Error(prefix_ + what); }

 private:
  std::string prefix_;
};

std::string stringField(const nlohmann::json& object, const char* key, const LineError& at) {
  const auto& v = object.at(key);
  if (!v.is_string()) at.fail(fmt::format("\"{}\" must be a string", key));
  const std::string s = v.get<std::string>();
  if (s.empty()) at.fail(fmt::format("\"{}\" is empty", key));
  return s;
}

void readJsonLine(const std::string& line, ManifestItem& item, const LineError& at) {
  const nlohmann::json object = nlohmann::json::parse(line, nullptr, false);
  if (object.is_discarded()) at.fail("not a JSON object (a JSON Lines manifest has one object per line)");
  if (!object.is_object()) at.fail("not a JSON object (a JSON Lines manifest has one object per line)");
  if (!object.contains("path")) at.fail("no \"path\"");
  for (const auto& [key, value] : object.items()) {
    if (key == "path") {
      item.written = stringField(object, "path", at);
    } else if (key == "id") {
      item.id = stringField(object, "id", at);
      if (!isSafeId(item.id))
        at.fail(fmt::format("\"id\": '{}' is not a safe folder name (1 to {} letters, digits, '.', '_' or '-', "
                            "starting with a letter or digit, no '..')",
                            item.id.substr(0, 200), kMaxIdLength));
    } else if (key == "model") {
      item.options.model = stringField(object, "model", at);
    } else if (key == "preset") {
      item.options.preset = stringField(object, "preset", at);
    } else if (key == "outputs") {
      const std::string outputs = stringField(object, "outputs", at);
      if (outputs != "all" && outputs != "stems" && outputs != "midi")
        at.fail(fmt::format("\"outputs\": '{}' is not all, stems or midi", outputs.substr(0, 200)));
      item.options.outputs = outputs;
    } else if (key == "sample_rate") {
      if (!value.is_number_integer() || value.get<int64_t>() < 8000 || value.get<int64_t>() > 192000)
        at.fail("\"sample_rate\" must be an integer from 8000 to 192000");
      item.options.sampleRate = int(value.get<int64_t>());
    } else {
      at.fail(fmt::format("unknown key \"{}\" (known: path, id, model, preset, sample_rate, outputs)",
                          key.substr(0, 200)));
    }
  }
}

}  // namespace

bool isSafeId(const std::string& id) {
  if (id.empty() || id.size() > kMaxIdLength) return false;
  if (!isIdChar(id[0]) || id[0] == '.' || id[0] == '_' || id[0] == '-') return false;
  for (char c : id)
    if (!isIdChar(c)) return false;
  return id.find("..") == std::string::npos;
}

std::string idFromPath(const std::string& written) {
  std::string base = fs::path(written).stem().string();
  std::string name;
  for (char c : base) {
    const char d = isIdChar(c) ? c : '_';
    if (d == '_' && !name.empty() && name.back() == '_') continue;
    if (name.empty() && !((d >= 'a' && d <= 'z') || (d >= 'A' && d <= 'Z') || (d >= '0' && d <= '9'))) continue;
    if (d == '.' && !name.empty() && name.back() == '.') continue;
    name += d;
    if (name.size() == 48) break;
  }
  if (name.empty()) name = "item";
  return name + "-" + separate::sha256Hex(written.data(), written.size()).substr(0, 16);
}

std::vector<ManifestItem> parseManifest(const std::string& text, const fs::path& base, const std::string& name,
                                        size_t maxItems) {
  if (text.size() > kMaxManifestBytes)
    throw Error(fmt::format("{}: manifest larger than {} MiB (split it into several)", name, kMaxManifestBytes >> 20));
  std::vector<ManifestItem> items;
  std::unordered_map<std::string, size_t> lineOfId;
  std::optional<bool> jsonLines;
  size_t lineNumber = 0;
  for (size_t start = 0; start < text.size();) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    ++lineNumber;
    const LineError at(name, lineNumber);
    if (end - start > kMaxLineBytes) at.fail(fmt::format("line longer than {} bytes", kMaxLineBytes));
    const std::string line = trim(text.substr(start, end - start));
    start = end + 1;
    if (line.empty() || line[0] == '#') continue;
    if (line.find('\0') != std::string::npos) at.fail("holds a NUL byte");
    if (!jsonLines) jsonLines = line[0] == '{';
    if (items.size() == maxItems)
      at.fail(fmt::format("more than {} items (split the manifest into several)", maxItems));
    ManifestItem item;
    item.index = items.size();
    item.line = lineNumber;
    if (*jsonLines) readJsonLine(line, item, at);
    else item.written = line;
    if (item.written.find('\0') != std::string::npos) at.fail("\"path\" holds a NUL byte");
    if (item.id.empty()) item.id = idFromPath(item.written);
    const fs::path written(item.written);
    item.input = written.is_absolute() || base.empty() ? written : base / written;
    const auto [it, fresh] = lineOfId.emplace(item.id, lineNumber);
    if (!fresh) at.fail(fmt::format("item id '{}' is already used on line {}", item.id, it->second));
    items.push_back(std::move(item));
  }
  if (items.empty()) throw Error(name + ": the manifest lists no items");
  return items;
}

std::vector<ManifestItem> readManifest(const fs::path& manifest) {
  std::error_code ec;
  if (!fs::is_regular_file(manifest, ec)) throw Error(manifest.string() + ": manifest not found");
  const auto size = fs::file_size(manifest, ec);
  if (ec) throw Error(manifest.string() + ": cannot read the manifest (" + ec.message() + ")");
  if (size > kMaxManifestBytes)
    throw Error(fmt::format("{}: manifest larger than {} MiB (split it into several)", manifest.string(),
                            kMaxManifestBytes >> 20));
  std::ifstream in(manifest, std::ios::binary);
  std::string text(size_t(size), '\0');
  if (!in.read(text.data(), std::streamsize(size)))
    throw Error(manifest.string() + ": cannot read the manifest");
  const fs::path base = manifest.parent_path();  // empty for a manifest in the current folder
  return parseManifest(text, base, manifest.string());
}

}  // namespace midistems::batch
