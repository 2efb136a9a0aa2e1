#include "synth/dsp/ladder.h"

namespace midistems::synth::dsp {

template <class T>
void LadderFilter<T>::prepare(double sampleRate) {
  sampleRate_ = sampleRate;
  reset();
  setTargets(T{} + 1000.0f, T{}, T{});
  jumpToTargets();
}

template <class T>
void LadderFilter<T>::reset() {
  for (T& s : s_) s = T{};
}

template <class T>
void LadderFilter<T>::resetLane(int lane) {
  for (T& s : s_) clearLane(s, lane);
}

template class LadderFilter<float>;
template class LadderFilter<Lanes>;

}  // namespace midistems::synth::dsp
