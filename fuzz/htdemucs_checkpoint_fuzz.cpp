// fuzz-libs: midistems_htdemucs PkgConfig::LIBZIP
// An HTDemucs checkpoint as `midistems split --model FILE` loads it: the reader chosen by content
// (nn::parseCheckpoint), the model settings from its kwargs (HTDemucsConfig::fromKwargs) and the
// strict binding of every tensor to the module tree (separate::buildHTDemucsModel). The seeds are
// tiny but complete models, so mutated kwargs reach the size checks and the weight shapes. Only
// midistems::Error may come out.
#include <cstddef>
#include <cstdint>

#include "core/error.h"
#include "nn/checkpoint.h"
#include "separate/htdemucs/htdemucs_separator.h"
#include "support/zip_mutator.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    (void)midistems::separate::buildHTDemucsModel(midistems::nn::parseCheckpoint(data, size, "fuzz.th"), "fuzz.th");
  } catch (const midistems::Error&) {
  }
  return 0;
}
