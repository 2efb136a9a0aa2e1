#include "synth/dsp/lanes.h"

namespace midistems::synth {

void interleaveLanes(const float* const* voices, int voiceCount, int n, Lanes* out) {
  for (int i = 0; i < n; ++i) out[i] = Lanes{};
  for (int lane = 0; lane < voiceCount && lane < kLanes; ++lane) {
    const float* v = voices[lane];
    if (v == nullptr) continue;
    for (int i = 0; i < n; ++i) out[i][lane] = v[i];
  }
}

void deinterleaveLanes(const Lanes* in, int n, float* const* voices, int voiceCount) {
  for (int lane = 0; lane < voiceCount && lane < kLanes; ++lane) {
    float* v = voices[lane];
    if (v == nullptr) continue;
    for (int i = 0; i < n; ++i) v[i] = in[i][lane];
  }
}

}  // namespace midistems::synth
