#include "transcribe/basic_pitch/basic_pitch.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <optional>
#include <stdexcept>
#include <string>
#include <system_error>
#include <vector>

#include "core/data_dirs.h"
#include "core/error.h"
#include "core/resample.h"
#include "core/thread_pool.h"
#include "transcribe/basic_pitch/conv_kernels.h"
#include "transcribe/basic_pitch/harmonic_conv.h"
#include "transcribe/basic_pitch/network.h"
#include "transcribe/basic_pitch/tfjs_graph.h"

namespace midistems::transcribe {

namespace {

constexpr int kKeptFramesPerWindow = kBasicPitchFramesPerWindow - kBasicPitchOverlapFrames;  // 142
constexpr int kDroppedEdgeFrames = kBasicPitchOverlapFrames / 2;                                // 15

// nnAudio's reflection pad (torch.nn.ReflectionPad1d): the edge sample is not repeated.
void reflectPad(const std::vector<float>& x, int pad, std::vector<float>& out) {
  const int64_t n = int64_t(x.size());
  out.resize(size_t(n + 2 * pad));
  for (int64_t i = 0; i < n + 2 * pad; ++i) {
    int64_t j = i - pad;
    if (j < 0) j = -j;
    if (j >= n) j = 2 * (n - 1) - j;
    out[size_t(i)] = x[size_t(j)];
  }
}

float sigmoid(float x) { return float(1.0 / (1.0 + std::exp(-double(x)))); }

// Sigmoid of rows [rows.begin, rows.end) of a [frames][width] tensor.
void sigmoidInPlace(std::vector<float>& v, int width, kernels::RowRange rows) {
  for (size_t i = size_t(rows.begin) * width; i < size_t(rows.end) * width; ++i) v[i] = sigmoid(v[i]);
}

}  // namespace

// Buffers of one window's computation, kept per thread and reused so that windows neither
// allocate nor fault in fresh pages.
struct Workspace {
  std::vector<float> window, signal, padded, zeroPadded, bank, stackPlanes;
  BasicPitchModel::FrontEnd frontEnd;
  std::vector<float> hidden, contour, noteHidden, note, onsetHidden, joined, onset;
};

struct BasicPitchModel::Impl {
  BasicPitchNetwork net;
  std::optional<FoldedStackConv> foldedContour;  // set when the contour convolution has stride 1
  int threads = 1;

  // CQT magnitude of one window into `out` (frames x keptBins); returns the number of frames.
  int cqt(const float* window, Workspace& ws, std::vector<float>& out) const {
    std::vector<float>& signal = ws.signal;
    signal.assign(window, window + kBasicPitchWindowSamples);
    const int kept = net.keptBins;
    const int firstKept = net.computedBins - kept;
    const int bins = net.binsPerOctave;
    int frames = 0;
    for (const CqtOctave& oct : net.octaves) {
      if (int64_t(signal.size()) <= oct.reflectPad || int64_t(signal.size()) + 2 * oct.reflectPad < net.taps)
        throw Error("basic-pitch: window too short for the CQT");
      reflectPad(signal, oct.reflectPad, ws.padded);
      const int octaveFrames = int((int64_t(ws.padded.size()) - net.taps) / oct.hop + 1);
      if (frames == 0) {
        frames = octaveFrames;
        out.assign(size_t(frames) * kept, 0.0f);
      } else if (octaveFrames != frames) {
        throw Error("basic-pitch: CQT octaves disagree on the number of frames");
      }
      const int width = oct.bankWidth;
      ws.bank.assign(size_t(frames) * width, 0.0f);
      kernels::stridedRowGemm(ws.padded.data(), oct.hop, frames, net.taps, oct.bank.data(), width, ws.bank.data());
      for (int b = 0; b < bins; ++b) {
        const int j = oct.binOffset + b - firstKept;
        if (j < 0) continue;
        const float scale = net.binScale[size_t(j)];
        for (int f = 0; f < frames; ++f) {
          const float re = ws.bank[size_t(f) * width + b] * scale;
          const float im = ws.bank[size_t(f) * width + bins + b] * scale;
          out[size_t(f) * kept + j] = std::sqrt(re * re + im * im);
        }
      }
      if (!oct.hasLowpass) break;
      // Anti-aliasing low-pass and decimation for the next (lower) octave.
      ws.zeroPadded.assign(signal.size() + size_t(oct.lowpassPadBefore + oct.lowpassPadAfter), 0.0f);
      std::copy(signal.begin(), signal.end(), ws.zeroPadded.begin() + oct.lowpassPadBefore);
      const int64_t taps = int64_t(oct.lowpass.size());
      const int64_t next = (int64_t(ws.zeroPadded.size()) - taps) / oct.lowpassStride + 1;
      if (next <= 0) throw Error("basic-pitch: window too short for the CQT");
      signal.assign(size_t(next), 0.0f);
      kernels::stridedRowGemm(ws.zeroPadded.data(), oct.lowpassStride, next, taps, oct.lowpass.data(), 1,
                              signal.data());
    }
    return frames;
  }

  // Returns the number of frames.
  int frontEnd(const float* window, Workspace& ws, FrontEnd& fe) const {
    const int frames = cqt(window, ws, fe.cqt);
    const int kept = net.keptBins;
    // Log-magnitude in dB, normalised to [0, 1] over this window alone (basic-pitch's
    // NormalizedLog; DivNoNan gives 0 for a flat window).
    fe.logCqt.resize(fe.cqt.size());
    float lo = std::numeric_limits<float>::infinity();
    for (size_t i = 0; i < fe.cqt.size(); ++i) {
      const float power = fe.cqt[i] * fe.cqt[i] + net.logEpsilon;
      fe.logCqt[i] = float(std::log(double(power))) * net.logScale;
      lo = std::min(lo, fe.logCqt[i]);
    }
    float hi = -std::numeric_limits<float>::infinity();
    for (auto& v : fe.logCqt) {
      v -= lo;
      hi = std::max(hi, v);
    }
    for (auto& v : fe.logCqt) v = hi != 0.0f ? v / hi : 0.0f;

    fe.batchNorm.resize(fe.logCqt.size());
    for (size_t i = 0; i < fe.logCqt.size(); ++i) fe.batchNorm[i] = fe.logCqt[i] * net.batchNormScale + net.batchNormOffset;

    const int channels = int(net.harmonicShifts.size());
    const int stacked = net.stackedBins;
    fe.harmonicStack.assign(size_t(frames) * stacked * channels, 0.0f);
    for (int f = 0; f < frames; ++f)
      for (int b = 0; b < stacked; ++b)
        for (int c = 0; c < channels; ++c) {
          const int src = b + net.harmonicShifts[size_t(c)];
          if (src >= 0 && src < kept)
            fe.harmonicStack[(size_t(f) * stacked + b) * channels + c] = fe.batchNorm[size_t(f) * kept + src];
        }
    return frames;
  }

  // One window through the whole network; the outputs are left in ws.contour, ws.note, ws.onset,
  // valid in frames `keep` (all by default). Every layer computes only the frames that the kept
  // ones depend on. Returns the number of frames.
  int window(const float* samples, Workspace& ws, kernels::RowRange keep = {}) const {
    using kernels::inputRows;
    using kernels::RowRange;
    const int frames = frontEnd(samples, ws, ws.frontEnd);
    const int stacked = net.stackedBins;
    const int notes = kernels::sameOutputSize(stacked, net.noteConv.shape.strideFreq);

    // Rows each layer must produce, from the outputs back to the first convolutions.
    keep = kernels::clampRows(keep, frames);
    const RowRange onsetHiddenRows = inputRows(keep, frames, net.onsetOut.shape.kernelTime);
    const RowRange noteRows = kernels::unite(keep, onsetHiddenRows);
    const RowRange noteHiddenRows = inputRows(noteRows, frames, net.noteOut.shape.kernelTime);
    const RowRange contourRows = kernels::unite(keep, inputRows(noteHiddenRows, frames, net.noteConv.shape.kernelTime));
    const RowRange hiddenRows = inputRows(contourRows, frames, net.contourOut.shape.kernelTime);

    auto conv = [&](const std::vector<float>& in, int freq, const ConvLayer& layer, std::vector<float>& result,
                    RowRange rows) {
      kernels::conv2dSame(in.data(), frames, freq, layer.shape, layer.weights.data(), layer.bias.data(), layer.relu,
                          result, rows);
    };
    const auto& stack = ws.frontEnd.harmonicStack;
    if (foldedContour) {
      // The first contour convolution folded onto the batch-normed CQT (see harmonic_conv.h).
      foldedContour->run(ws.frontEnd.batchNorm.data(), frames, ws.stackPlanes, ws.hidden, hiddenRows);
    } else {
      conv(stack, stacked, net.contourConv, ws.hidden, hiddenRows);
    }
    conv(ws.hidden, stacked, net.contourOut, ws.contour, contourRows);
    sigmoidInPlace(ws.contour, stacked, contourRows);
    conv(ws.contour, stacked, net.noteConv, ws.noteHidden, noteHiddenRows);
    conv(ws.noteHidden, notes, net.noteOut, ws.note, noteRows);
    sigmoidInPlace(ws.note, notes, noteRows);
    conv(stack, stacked, net.onsetConv, ws.onsetHidden, onsetHiddenRows);

    // The onset head sees the note posteriorgram as channel 0, then its own features.
    const int onsetChannels = net.onsetConv.shape.outChannels;
    ws.joined.resize(size_t(frames) * notes * (1 + onsetChannels));
    for (int64_t i = int64_t(onsetHiddenRows.begin) * notes; i < int64_t(onsetHiddenRows.end) * notes; ++i) {
      float* dst = ws.joined.data() + i * (1 + onsetChannels);
      dst[0] = ws.note[size_t(i)];
      std::copy_n(ws.onsetHidden.data() + i * onsetChannels, onsetChannels, dst + 1);
    }
    conv(ws.joined, notes, net.onsetOut, ws.onset, keep);
    sigmoidInPlace(ws.onset, notes, keep);
    return frames;
  }
};

int64_t basicPitchFrameCount(int64_t numSamples) {
  if (numSamples <= 0) return 0;
  // Python: int(audio_original_length / hop_size * n_frames_per_window), in double precision.
  return int64_t(double(numSamples) / double(kBasicPitchWindowHop) * double(kKeptFramesPerWindow));
}

BasicPitchModel::BasicPitchModel(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
BasicPitchModel::BasicPitchModel(BasicPitchModel&&) noexcept = default;
BasicPitchModel& BasicPitchModel::operator=(BasicPitchModel&&) noexcept = default;
BasicPitchModel::~BasicPitchModel() = default;

BasicPitchModel BasicPitchModel::load(const std::filesystem::path& modelDir) {
  const tfjs::Graph graph = tfjs::Graph::load(modelDir);
  auto impl = std::make_unique<Impl>();
  try {
    impl->net = BasicPitchNetwork::fromGraph(graph);
  } catch (const std::out_of_range&) {
    graph.fail("unexpected graph structure (a node lacks an input or a constant is too short)");
  }
  const auto& net = impl->net;
  if (net.contourConv.shape.strideFreq == 1)
    impl->foldedContour = FoldedStackConv::make(net.contourConv.shape, net.contourConv.weights, net.contourConv.bias,
                                                net.contourConv.relu, net.harmonicShifts, net.keptBins,
                                                net.stackedBins);
  // The runner's windowing and output sizes are the released model's; refuse anything else.
  if (net.stackedBins != kBasicPitchContourBins || net.contourOut.shape.outChannels != 1 ||
      kernels::sameOutputSize(net.stackedBins, net.noteConv.shape.strideFreq) != kBasicPitchNotes)
    graph.fail("not the basic-pitch network (expected 264 contour bins and 88 notes)");
  BasicPitchModel model(std::move(impl));
  // A silent window exercises the whole graph once, so a model with inconsistent sizes fails
  // here with a clear message rather than later.
  const std::vector<float> silence(kBasicPitchWindowSamples, 0.0f);
  Workspace ws;
  std::vector<float> cqt;
  const int frames = model.impl_->cqt(silence.data(), ws, cqt);
  if (frames != kBasicPitchFramesPerWindow)
    graph.fail("CQT gives " + std::to_string(frames) + " frames per window, expected 172");
  model.impl_->window(silence.data(), ws);
  if (ws.note.size() != size_t(frames) * kBasicPitchNotes || ws.onset.size() != ws.note.size() ||
      ws.contour.size() != size_t(frames) * kBasicPitchContourBins)
    graph.fail("network outputs do not have 88 notes and 264 contour bins");
  return model;
}

std::filesystem::path BasicPitchModel::findModelDir(const std::filesystem::path& bundledData, const char* envValue,
                                                    const std::filesystem::path& userData) {
  namespace fs = std::filesystem;
  const auto holdsModel = [](const fs::path& dir) {
    std::error_code ec;
    return fs::is_regular_file(dir / "model.json", ec);
  };
  std::vector<std::string> searched;
  if (!bundledData.empty()) {
    if (holdsModel(bundledData / "basic-pitch")) return bundledData / "basic-pitch";
    searched.push_back((bundledData / "basic-pitch").string());
  } else {
    searched.push_back("the folder beside the command (/proc/self/exe unreadable)");
  }
  if (envValue && *envValue) {
    const fs::path dir(envValue);
    if (!holdsModel(dir))
      throw Error(dir.string() + ": no model.json here (MIDISTEMS_BASIC_PITCH_MODEL must name the basic-pitch "
                                 "model folder)");
    return dir;
  }
  searched.push_back("$MIDISTEMS_BASIC_PITCH_MODEL (not set)");
  if (!userData.empty()) {
    if (holdsModel(userData / "basic-pitch")) return userData / "basic-pitch";
    searched.push_back((userData / "basic-pitch").string());
  } else {
    searched.push_back("the user's data folder ($XDG_DATA_HOME and $HOME not set)");
  }
  std::string places;
  for (const auto& place : searched) {
    if (!places.empty()) places += ", ";
    places += place;
  }
  throw Error("basic-pitch model not found (searched for model.json in " + places +
              "): run scripts/setup.sh, then build (and cmake --install) again, or set MIDISTEMS_BASIC_PITCH_MODEL to a "
              "basic-pitch model folder");
}

std::filesystem::path BasicPitchModel::defaultModelDir() {
  return findModelDir(bundledDataDir(), std::getenv("MIDISTEMS_BASIC_PITCH_MODEL"), userDataDir());
}

void BasicPitchModel::setThreads(int threads) { impl_->threads = std::max(1, threads); }

Posteriorgrams BasicPitchModel::runWindow(const float* window) const {
  Workspace ws;
  Posteriorgrams out;
  out.frames = impl_->window(window, ws);
  out.notes = std::move(ws.note);
  out.onsets = std::move(ws.onset);
  out.contours = std::move(ws.contour);
  return out;
}

BasicPitchModel::FrontEnd BasicPitchModel::runFrontEnd(const float* window) const {
  Workspace ws;
  FrontEnd fe;
  impl_->frontEnd(window, ws, fe);
  return fe;
}

Posteriorgrams BasicPitchModel::run(const AudioBuffer& audio, const std::function<void(double)>& progress) const {
  if (audio.numFrames() == 0) return {};
  if (audio.sampleRate <= 0) throw Error("basic-pitch input: invalid sample rate " + std::to_string(audio.sampleRate));
  for (const auto& ch : audio.channels) {
    if (int64_t(ch.size()) != audio.numFrames()) throw Error("basic-pitch input: channels differ in length");
    for (float v : ch)
      if (!std::isfinite(v)) throw Error("basic-pitch input: audio contains NaN or infinite samples");
  }
  std::vector<float> mono = audio.mono();
  if (audio.sampleRate != kBasicPitchSampleRate)
    mono = resample(mono.data(), mono.size(), audio.sampleRate, kBasicPitchSampleRate);
  return runMono22050(mono, progress);
}

Posteriorgrams BasicPitchModel::runMono22050(const std::vector<float>& samples,
                                             const std::function<void(double)>& progress) const {
  for (float v : samples)
    if (!std::isfinite(v)) throw Error("basic-pitch input: audio contains NaN or infinite samples");
  Posteriorgrams out;
  out.frames = basicPitchFrameCount(int64_t(samples.size()));
  if (out.frames == 0) {
    if (progress) progress(1.0);
    return out;
  }
  // Python's windowing: 3,840 zeros in front, windows every 36,164 samples, the last one
  // zero-padded; each window's 15 edge frames on both sides are dropped.
  const int64_t windows = (out.frames + kKeptFramesPerWindow - 1) / kKeptFramesPerWindow;
  out.notes.assign(size_t(out.frames) * kBasicPitchNotes, 0.0f);
  out.onsets.assign(size_t(out.frames) * kBasicPitchNotes, 0.0f);
  out.contours.assign(size_t(out.frames) * kBasicPitchContourBins, 0.0f);

  auto runOne = [&](int64_t w) {
    thread_local Workspace ws;
    ws.window.assign(kBasicPitchWindowSamples, 0.0f);
    const int64_t start = w * kBasicPitchWindowHop - kBasicPitchLeadingZeros;  // in input samples
    for (int64_t i = std::max<int64_t>(0, -start); i < kBasicPitchWindowSamples; ++i) {
      const int64_t src = start + i;
      if (src >= int64_t(samples.size())) break;
      ws.window[size_t(i)] = samples[size_t(src)];
    }
    // Only the frames kept in the stitched output are computed.
    impl_->window(ws.window.data(), ws, {kDroppedEdgeFrames, kBasicPitchFramesPerWindow - kDroppedEdgeFrames});
    for (int j = 0; j < kKeptFramesPerWindow; ++j) {
      const int64_t frame = w * kKeptFramesPerWindow + j;
      if (frame >= out.frames) break;
      const int64_t srcFrame = j + kDroppedEdgeFrames;
      std::copy_n(ws.note.data() + srcFrame * kBasicPitchNotes, kBasicPitchNotes,
                  out.notes.data() + frame * kBasicPitchNotes);
      std::copy_n(ws.onset.data() + srcFrame * kBasicPitchNotes, kBasicPitchNotes,
                  out.onsets.data() + frame * kBasicPitchNotes);
      std::copy_n(ws.contour.data() + srcFrame * kBasicPitchContourBins, kBasicPitchContourBins,
                  out.contours.data() + frame * kBasicPitchContourBins);
    }
  };

  const int threads = int(std::min<int64_t>(impl_->threads, windows));
  std::unique_ptr<ThreadPool> pool;
  if (threads > 1) pool = std::make_unique<ThreadPool>(threads);
  for (int64_t first = 0; first < windows; first += threads) {
    const int64_t last = std::min(windows, first + threads);
    if (pool) {
      pool->parallelFor(first, last, [&](int64_t b, int64_t e) {
        for (int64_t w = b; w < e; ++w) runOne(w);
      });
    } else {
      runOne(first);
    }
    if (progress) progress(double(last) / double(windows));
  }
  return out;
}

}  // namespace midistems::transcribe
