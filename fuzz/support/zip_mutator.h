#pragma once
// A libFuzzer custom mutator for inputs that are zip archives (torch.save packages). A mutation of
// the raw bytes inside an entry almost always breaks the entry's CRC-32, which the zip reader
// checks, so coverage-guided mutations would never reach the pickle behind it. Half of the time
// this mutator therefore opens the archive, mutates one entry's contents with libFuzzer's own
// mutator (the pickle most often) and writes the archive again with valid CRCs, stored entries
// as torch.save writes them; the other half, and whenever the input is not a readable archive,
// it mutates the raw bytes (the zip structure itself).
//
// Include it in exactly one target source; only the libFuzzer build defines it (the replay
// driver of the plain build has no mutator to call).
#ifdef MIDISTEMS_LIBFUZZER
#include <zip.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <random>
#include <string>
#include <utility>
#include <vector>

extern "C" size_t LLVMFuzzerMutate(uint8_t* data, size_t size, size_t maxSize);

namespace midistems::fuzz {

using ZipEntries = std::vector<std::pair<std::string, std::vector<uint8_t>>>;

inline bool readZip(const uint8_t* data, size_t size, ZipEntries& entries) {
  zip_error_t error;
  zip_error_init(&error);
  zip_source_t* source = zip_source_buffer_create(data, size, 0, &error);
  if (!source) return false;
  zip_t* archive = zip_open_from_source(source, ZIP_RDONLY, &error);
  if (!archive) {
    zip_source_free(source);
    return false;
  }
  bool ok = true;
  const zip_int64_t n = zip_get_num_entries(archive, 0);
  for (zip_int64_t i = 0; ok && i < n && i < 64; ++i) {
    zip_stat_t st;
    const char* name = zip_get_name(archive, zip_uint64_t(i), 0);
    if (!name || zip_stat_index(archive, zip_uint64_t(i), 0, &st) != 0 || !(st.valid & ZIP_STAT_SIZE) ||
        st.size > size * 4 + 4096) {
      ok = false;
      break;
    }
    std::vector<uint8_t> bytes(size_t(st.size));
    zip_file_t* file = zip_fopen_index(archive, zip_uint64_t(i), 0);
    ok = file && zip_fread(file, bytes.data(), st.size) == zip_int64_t(st.size);
    if (file) zip_fclose(file);
    entries.emplace_back(name, std::move(bytes));
  }
  zip_discard(archive);
  return ok && !entries.empty();
}

inline std::vector<uint8_t> writeZip(const ZipEntries& entries) {
  std::vector<uint8_t> out;
  zip_error_t error;
  zip_error_init(&error);
  zip_source_t* buffer = zip_source_buffer_create(nullptr, 0, 0, &error);
  if (!buffer) return out;
  zip_source_keep(buffer);
  zip_t* archive = zip_open_from_source(buffer, ZIP_TRUNCATE, &error);
  if (!archive) {
    zip_source_free(buffer);
    return out;
  }
  for (const auto& [name, bytes] : entries) {
    zip_source_t* s = zip_source_buffer(archive, bytes.data(), bytes.size(), 0);
    const zip_int64_t index = s ? zip_file_add(archive, name.c_str(), s, ZIP_FL_ENC_UTF_8) : -1;
    if (index < 0) {
      if (s) zip_source_free(s);
      continue;
    }
    zip_set_file_compression(archive, zip_uint64_t(index), ZIP_CM_STORE, 0);
  }
  if (zip_close(archive) != 0) {
    zip_discard(archive);
  } else if (zip_source_open(buffer) == 0) {
    zip_source_seek(buffer, 0, SEEK_END);
    const zip_int64_t size = zip_source_tell(buffer);
    zip_source_seek(buffer, 0, SEEK_SET);
    if (size > 0) {
      out.resize(size_t(size));
      if (zip_source_read(buffer, out.data(), zip_uint64_t(size)) != size) out.clear();
    }
    zip_source_close(buffer);
  }
  zip_source_free(buffer);
  return out;
}

}  // namespace midistems::fuzz

extern "C" size_t LLVMFuzzerCustomMutator(uint8_t* data, size_t size, size_t maxSize, unsigned int seed) {
  std::minstd_rand rng(seed);
  midistems::fuzz::ZipEntries entries;
  if (rng() % 2 == 0 || !midistems::fuzz::readZip(data, size, entries))
    return LLVMFuzzerMutate(data, size, maxSize);
  // The pickle decides almost everything; pick it three times in four.
  size_t pick = rng() % entries.size();
  if (rng() % 4 != 0)
    for (size_t i = 0; i < entries.size(); ++i)
      if (entries[i].first.size() >= 8 && entries[i].first.compare(entries[i].first.size() - 8, 8, "data.pkl") == 0)
        pick = i;
  std::vector<uint8_t>& bytes = entries[pick].second;
  const size_t before = bytes.size();
  const size_t room = std::max<size_t>(before + std::min<size_t>(maxSize > size ? maxSize - size : 0, 4096), 1);
  bytes.resize(room);
  bytes.resize(LLVMFuzzerMutate(bytes.data(), before, room));
  const std::vector<uint8_t> out = midistems::fuzz::writeZip(entries);
  if (out.empty() || out.size() > maxSize) return LLVMFuzzerMutate(data, size, maxSize);
  std::memcpy(data, out.data(), out.size());
  return out.size();
}
#endif
