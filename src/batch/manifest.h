#pragma once
// The manifest of `midistems batch`: the songs to process, one item per line.
//
// Plain text: one input path per line; blank lines and lines starting with `#` are skipped.
// JSON Lines (when the first item line starts with `{`): one object per line with "path" and,
// optionally, "id" and per-item options: "model", "preset", "sample_rate", "outputs"
// (all | stems | midi). Any other key is an error, so a misspelt option never goes unnoticed.
// Relative paths are taken relative to the manifest's folder.
//
// Every item gets a stable id, the name of its output folder: the "id" of a JSON line, else the
// file name (reduced to letters, digits, '.', '_' and '-') plus 16 hex digits of the SHA-256 of
// the path as written, so the same line gives the same id on every machine and two songs with
// the same file name in different folders get different ids.
//
// A manifest is untrusted input: its size, line length and item count are bounded, and a bad line
// is a midistems::Error naming the manifest, the line and the problem.
#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace midistems::batch {

inline constexpr size_t kMaxManifestBytes = size_t(256) << 20;
inline constexpr size_t kMaxLineBytes = 16384;
inline constexpr size_t kMaxItems = 2000000;
inline constexpr size_t kMaxIdLength = 128;

// Options an item of a JSON Lines manifest may set for itself; unset ones come from the command.
struct ItemOptions {
  std::optional<std::string> model;
  std::optional<std::string> preset;
  std::optional<int> sampleRate;
  std::optional<std::string> outputs;
};

struct ManifestItem {
  size_t index = 0;    // position among the items, from 0 (what sharding uses)
  size_t line = 0;     // line number in the manifest, from 1
  std::string id;      // a safe folder name
  std::string written; // the path as the manifest writes it
  std::filesystem::path input;  // ... resolved against the manifest's folder
  ItemOptions options;
};

// Throws midistems::Error (one line) for an unreadable or malformed manifest, a bad id, or two
// items with the same id.
std::vector<ManifestItem> readManifest(const std::filesystem::path& manifest);
// The same from text already read; `base` resolves relative paths, `name` is used in errors.
std::vector<ManifestItem> parseManifest(const std::string& text, const std::filesystem::path& base,
                                        const std::string& name, size_t maxItems = kMaxItems);

// The id an item without an "id" gets (see above).
std::string idFromPath(const std::string& written);
// Whether `id` is a safe folder name: 1 to kMaxIdLength of [A-Za-z0-9._-], starting with a letter
// or digit, without "..".
bool isSafeId(const std::string& id);

}  // namespace midistems::batch
