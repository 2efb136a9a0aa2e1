#pragma once
// The time-frequency front end of the drum transcriber: band powers on 1/3-octave bands, spectral
// flux onset detection functions and peak picking. Internal to transcribe/drums.
#include <cstddef>
#include <vector>

namespace midistems::transcribe::drums {

// Analysis runs at 44.1 kHz: a 2048-point Hann window (46 ms, enough for 40 Hz kick fundamentals)
// and a 256-sample hop (5.8 ms, well inside a 50 ms onset tolerance).
constexpr int kAnalysisRate = 44100;
constexpr int kFftSize = 2048;
constexpr int kHop = 256;

struct BandSpectrogram {
  int frames = 0;
  std::vector<double> centresHz;  // one per band, ascending
  std::vector<double> power;      // frames x bands, row-major; frame t is centred on t * kHop
  int bands() const { return static_cast<int>(centresHz.size()); }
  const double* frame(int t) const { return power.data() + static_cast<size_t>(t) * centresHz.size(); }
};

// Triangular 1/3-octave bands from 40 Hz to 18 kHz (26 bands) of a mono signal at kAnalysisRate.
BandSpectrogram bandSpectrogram(const std::vector<float>& mono);

// Log spectral flux summed over the bands with centres in [minHz, maxHz]: each band's rise over
// the maximum of itself and its two neighbours two frames earlier (the "SuperFlux" idea of
// Böck & Widmer, DAFx 2013, which ignores vibrato-like wobble). Levels are floored 50 dB below the
// loudest frame so that noise in empty bands does not count. Without `acrossNeighbours` each band
// is compared with itself only: 1/3-octave neighbours differ by tens of dB at the top of a
// hi-hat's spectrum, and the louder neighbour would hide a quiet hi-hat's rise.
std::vector<double> spectralFlux(const BandSpectrogram& spec, double minHz, double maxHz,
                                 bool acrossNeighbours = true);

// Local maxima (within +-3 frames) above `multiplier` times the mean over +-0.3 s plus `delta`,
// at least `minGapFrames` apart.
std::vector<int> pickPeaks(const std::vector<double>& odf, double multiplier, double delta,
                           int minGapFrames);

}  // namespace midistems::transcribe::drums
