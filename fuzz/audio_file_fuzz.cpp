// fuzz-libs: midistems_core
// Audio decoding through the project's reader (readAudio: libsndfile behind our header checks,
// the chunked reads and the NaN/infinity check), which every command uses for its input. The
// reader takes a path, so each input is written to a file in a folder of this process's own.
// Only midistems::Error may come out.
#include <cstddef>
#include <cstdint>

#include "core/audio_file.h"
#include "core/error.h"
#include "support/scratch_files.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto path = midistems::fuzz::scratchDir() / "input";
  midistems::fuzz::writeFile(path, data, size);
  try {
    (void)midistems::readAudio(path);
  } catch (const midistems::Error&) {
  }
  return 0;
}
