// Speed of the synthesizer's filters: nanoseconds per voice-sample ("per_sample"), for one voice
// and per voice in the 8-lane bank. Blocks of 64 samples at 48 kHz. (The oscillators are the
// engine's own, measured in bench/synth_bench.cpp.)
// bench-libs: midistems_synth_dsp
#include <benchmark/benchmark.h>

#include <vector>

#include "synth/dsp/ladder.h"
#include "synth/dsp/svf.h"
#include "machine.h"

namespace dsp = midistems::synth::dsp;

namespace {

constexpr int kBlock = 64;
constexpr double kRate = 48000.0;

void setPerSample(benchmark::State& state, double voiceSamples) {
  state.counters["per_sample"] =
      benchmark::Counter(voiceSamples, benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

template <class T>
void configure(dsp::StateVariableFilter<T>& f, int mode) {
  f.setMode(static_cast<dsp::SvfMode>(mode));
}
template <class T>
void configure(dsp::LadderFilter<T>&, int) {}

// One voice (T = float) or eight (T = Lanes); per_sample is per voice either way.
template <class Filter, class T>
void filterBlock(benchmark::State& state, int mode, int voices) {
  Filter filter;
  filter.prepare(kRate);
  configure(filter, mode);
  std::vector<T> io(kBlock);
  for (int i = 0; i < kBlock; ++i) io[static_cast<size_t>(i)] = T{} + float((i * 37) % 64) / 32.0f - 1.0f;
  float cutoff = 1000.0f;
  for (auto _ : state) {
    filter.setTargets(T{} + cutoff, T{} + 0.7f, T{} + 0.2f);  // new targets every block
    filter.process(io.data(), kBlock);
    benchmark::DoNotOptimize(io.data());
    cutoff = cutoff == 1000.0f ? 1100.0f : 1000.0f;
  }
  setPerSample(state, double(state.iterations()) * kBlock * voices);
}

template <class Filter, class T>
void filterModulated(benchmark::State& state, int mode, int voices) {
  Filter filter;
  filter.prepare(kRate);
  configure(filter, mode);
  std::vector<T> io(kBlock), cutoff(kBlock), resonance(kBlock, T{} + 0.7f), drive(kBlock, T{} + 0.2f);
  for (int i = 0; i < kBlock; ++i) {
    io[static_cast<size_t>(i)] = T{} + float((i * 37) % 64) / 32.0f - 1.0f;
    cutoff[static_cast<size_t>(i)] = T{} + (500.0f + 20.0f * float(i));
  }
  for (auto _ : state) {
    filter.processModulated(io.data(), kBlock, cutoff.data(), resonance.data(), drive.data());
    benchmark::DoNotOptimize(io.data());
  }
  setPerSample(state, double(state.iterations()) * kBlock * voices);
}

void svf_lp12_voice(benchmark::State& s) { filterBlock<dsp::Svf, float>(s, 0, 1); }
void svf_lp24_voice(benchmark::State& s) { filterBlock<dsp::Svf, float>(s, 4, 1); }
void svf_lp12_bank8(benchmark::State& s) { filterBlock<dsp::SvfBank, midistems::synth::Lanes>(s, 0, midistems::synth::kLanes); }
void svf_lp24_bank8(benchmark::State& s) { filterBlock<dsp::SvfBank, midistems::synth::Lanes>(s, 4, midistems::synth::kLanes); }
void svf_lp12_bank8_per_sample_controls(benchmark::State& s) {
  filterModulated<dsp::SvfBank, midistems::synth::Lanes>(s, 0, midistems::synth::kLanes);
}
void ladder_voice(benchmark::State& s) { filterBlock<dsp::Ladder, float>(s, 0, 1); }
void ladder_bank8(benchmark::State& s) { filterBlock<dsp::LadderBank, midistems::synth::Lanes>(s, 0, midistems::synth::kLanes); }
void ladder_bank8_per_sample_controls(benchmark::State& s) {
  filterModulated<dsp::LadderBank, midistems::synth::Lanes>(s, 0, midistems::synth::kLanes);
}
BENCHMARK(svf_lp12_voice);
BENCHMARK(svf_lp24_voice);
BENCHMARK(svf_lp12_bank8);
BENCHMARK(svf_lp24_bank8);
BENCHMARK(svf_lp12_bank8_per_sample_controls);
BENCHMARK(ladder_voice);
BENCHMARK(ladder_bank8);
BENCHMARK(ladder_bank8_per_sample_controls);

}  // namespace

int main(int argc, char** argv) { return midistems::bench::runGoogleBenchmarks(argc, argv); }
