// fuzz-libs: midistems_checkpoint PkgConfig::LIBZIP
// torch.save packages: the zip reader, the safe pickle interpreter behind it, the state dict walk
// and the tensor views cut out of the storages (nn::parseTorchPackage, what loadCheckpoint calls
// for a zip). The custom mutator rewrites entries with valid CRCs so that mutations reach the
// pickle. Any byte string is a checkpoint or a midistems::Error; nothing else may happen.
#include <cstddef>
#include <cstdint>

#include "core/error.h"
#include "nn/checkpoint.h"
#include "support/zip_mutator.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    (void)midistems::nn::parseTorchPackage(data, size, "fuzz.th");
  } catch (const midistems::Error&) {
  }
  return 0;
}
