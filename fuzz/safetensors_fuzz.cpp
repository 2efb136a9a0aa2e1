// fuzz-libs: midistems_checkpoint
// .safetensors files (nn::parseSafetensors): the length-prefixed JSON header, dtypes, shapes and
// byte ranges (contiguous, non-overlapping, inside the file). Only midistems::Error may come out.
#include <cstddef>
#include <cstdint>

#include "core/error.h"
#include "nn/checkpoint.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    (void)midistems::nn::parseSafetensors(data, size, "fuzz.safetensors");
  } catch (const midistems::Error&) {
  }
  return 0;
}
