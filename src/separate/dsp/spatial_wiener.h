#pragma once
// Multichannel Wiener filtering of a stereo STFT block (the local Gaussian model of Duong,
// Vincent and Gribonval 2010, as used by Norbert / Open-Unmix): each source j has a power
// spectrogram v_j(f,t) and a 2x2 spatial covariance R_j(f), and its estimate is
//   y_j = v_j R_j (sum_k v_k R_k)^-1 x,
// so the estimates of all sources add up to the mix x. Internal to the DSP separator.
#include <array>
#include <complex>
#include <vector>

#include "core/thread_pool.h"
#include "separate/dsp/stem_model.h"

namespace midistems::separate::dsp {

// stems[j][channel][(frame - coreBegin) * bins + bin]
using StemSpectra = std::array<std::array<std::vector<std::complex<float>>, 2>, kNumStems>;

// Context frames each side that wienerFilter() needs beyond those of the power estimates.
int wienerContextFrames();

// `powers` covers the frames [coreBegin - wienerContextFrames(), coreEnd + wienerContextFrames())
// of `block`, clipped to the block; `powersBegin` is the block frame of its first row.
StemSpectra wienerFilter(const SpectralBlock& block, const StemPowers& powers, int powersBegin,
                         int powersEnd, ThreadPool& pool);

}  // namespace midistems::separate::dsp
