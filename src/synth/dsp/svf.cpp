#include "synth/dsp/svf.h"

namespace midistems::synth::dsp {

template <class T>
void StateVariableFilter<T>::prepare(double sampleRate) {
  sampleRate_ = sampleRate;
  reset();
  setTargets(T{} + 1000.0f, T{}, T{});
  jumpToTargets();
}

template <class T>
void StateVariableFilter<T>::reset() {
  s1a_ = s1b_ = s2a_ = s2b_ = energyLag_ = T{};
}

template <class T>
void StateVariableFilter<T>::resetLane(int lane) {
  clearLane(s1a_, lane);
  clearLane(s1b_, lane);
  clearLane(s2a_, lane);
  clearLane(s2b_, lane);
  clearLane(energyLag_, lane);
}

template class StateVariableFilter<float>;
template class StateVariableFilter<Lanes>;

}  // namespace midistems::synth::dsp
