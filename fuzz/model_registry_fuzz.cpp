// fuzz-libs: midistems_model_registry
// Any byte string is either a list of registry entries or a midistems::Error with one line;
// nothing else may happen. Every entry read has plain names (safe as file names), an http(s) URL,
// a size from 1 byte to 2^40 and a whole SHA-256 per file, and a RoFormer entry is a .ckpt and
// a .yaml.
#include <algorithm>
#include <cctype>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "core/error.h"
#include "separate/models/model_registry.h"

namespace {

bool plain(const std::string& s) {
  return !s.empty() && s.size() <= 128 && s[0] != '.' && s[0] != '-' &&
         std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isalnum(c) || c == '_' || c == '-' || c == '.'; });
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace midistems::separate;
  std::vector<ModelEntry> entries;
  try {
    entries = parseModelRegistry(std::string(reinterpret_cast<const char*>(data), size), "fuzz.json");
  } catch (const midistems::Error& e) {
    if (std::string(e.what()).find('\n') != std::string::npos) std::abort();
    return 0;
  }
  if (entries.empty()) std::abort();
  for (const ModelEntry& e : entries) {
    if (!plain(e.name) || e.sources.empty() || e.files.empty()) std::abort();
    for (const auto& s : e.sources)
      if (!plain(s)) std::abort();
    if (e.urls.size() != e.files.size() || e.sizes.size() != e.files.size() || e.sha256Prefixes.size() != e.files.size())
      std::abort();
    for (size_t i = 0; i < e.files.size(); ++i) {
      if (!plain(e.files[i]) || e.sizes[i] == 0 || e.sizes[i] > (uint64_t(1) << 40)) std::abort();
      if (e.urls[i].rfind("http://", 0) != 0 && e.urls[i].rfind("https://", 0) != 0) std::abort();
      if (e.sha256Prefixes[i].size() != 64 ||
          e.sha256Prefixes[i].find_first_not_of("0123456789abcdef") != std::string::npos)
        std::abort();
    }
    if (e.architecture != Architecture::kHTDemucs &&
        (e.files.size() != 2 || e.files[0].size() < 5 || e.files[0].substr(e.files[0].size() - 5) != ".ckpt"))
      std::abort();
  }
  return 0;
}
