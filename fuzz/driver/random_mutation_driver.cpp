// A libFuzzer-compatible driver for compilers without libFuzzer: runs every file of a seed
// corpus folder, then N seeded random mutations of them (bit flips, byte sets, truncations,
// splices, size fields blown up). Exits non-zero only if the target crashes, which fails the test.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

int main(int argc, char** argv) {
  namespace fs = std::filesystem;
  std::vector<std::vector<uint8_t>> seeds;
  if (argc > 1 && fs::is_directory(argv[1]))
    for (const auto& e : fs::directory_iterator(argv[1])) {
      std::ifstream in(e.path(), std::ios::binary);
      seeds.emplace_back(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
  if (seeds.empty()) seeds.push_back({});
  const long iterations = argc > 2 ? std::atol(argv[2]) : 10000;
  for (const auto& s : seeds) LLVMFuzzerTestOneInput(s.data(), s.size());
  std::mt19937_64 rng(12345);
  for (long it = 0; it < iterations; ++it) {
    std::vector<uint8_t> d = seeds[rng() % seeds.size()];
    const int edits = 1 + int(rng() % 8);
    for (int e = 0; e < edits; ++e) {
      switch (rng() % 6) {
        case 0:
          if (!d.empty()) d[rng() % d.size()] ^= uint8_t(1u << (rng() % 8));
          break;
        case 1:
          if (!d.empty()) d[rng() % d.size()] = uint8_t(rng());
          break;
        case 2:
          if (!d.empty()) d.resize(rng() % d.size());
          break;
        case 3: {
          const auto& o = seeds[rng() % seeds.size()];
          if (!o.empty() && !d.empty()) {
            const size_t at = rng() % d.size(), from = rng() % o.size();
            const size_t len = std::min(o.size() - from, size_t(1 + rng() % 64));
            d.insert(d.begin() + long(at), o.begin() + long(from), o.begin() + long(from + len));
          }
          break;
        }
        case 4:
          if (d.size() >= 4) {  // a length field set to something huge
            const size_t at = rng() % (d.size() - 3);
            for (int k = 0; k < 4; ++k) d[at + size_t(k)] = (rng() % 2) ? 0xff : 0x7f;
          }
          break;
        default:
          d.push_back(uint8_t(rng()));
      }
    }
    LLVMFuzzerTestOneInput(d.data(), d.size());
  }
  std::printf("fuzzed %ld inputs from %zu seeds without a crash\n", iterations, seeds.size());
  return 0;
}
