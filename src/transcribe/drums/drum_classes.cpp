#include "transcribe/drums/drum_classes.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <utility>

namespace midistems::transcribe::drums {
namespace {

using Curve = std::vector<std::pair<double, double>>;  // (Hz, dB), ascending in Hz

// Relative dB levels of each class's onset spectrum. The shapes follow the usual description of
// the instruments; the levels between breakpoints were adjusted by looking at General MIDI kits
// (Standard, Room, Power, Electronic, TR-808, Jazz) rendered by the song generator with seeds
// other than the ones the song-level test scores.
const std::array<Curve, kNumClasses>& templateCurves() {
  static const std::array<Curve, kNumClasses> curves{{
      // Kick: fundamental 50-100 Hz, falling to a beater click about 25 dB down.
      {{40, -18}, {80, -7}, {126, -8}, {200, -18}, {320, -24}, {800, -28}, {2000, -30},
       {5000, -25}, {18000, -28}},
      // Snare: shell resonance near 200 Hz, wire noise flat from 500 Hz to 8 kHz.
      {{40, -42}, {80, -30}, {126, -19}, {200, -5}, {320, -17}, {500, -14}, {800, -20},
       {3200, -18}, {5000, -16}, {8000, -20}, {13000, -30}, {18000, -40}},
      // Toms: fundamental 80-250 Hz, less wire noise than a snare.
      {{40, -30}, {80, -20}, {126, -9}, {200, -12}, {320, -15}, {500, -20}, {2000, -23},
       {5000, -22}, {13000, -40}, {18000, -45}},
      // Hi-hat: nothing below 200 Hz, most energy above 3 kHz.
      {{40, -60}, {126, -35}, {200, -23}, {2000, -21}, {3200, -11}, {5000, -10}, {8000, -12},
       {13000, -8}, {18000, -8}},
      // Cymbals (crash): broadband from 80 Hz up.
      {{40, -30}, {80, -14}, {200, -22}, {2000, -21}, {5000, -19}, {13000, -21}, {18000, -24}},
  }};
  return curves;
}

std::vector<double> sampleCurve(const Curve& curve, const std::vector<double>& centresHz) {
  std::vector<double> out;
  for (double hz : centresHz) {
    const double x = std::log2(hz);
    double db = curve.front().second;
    if (hz >= curve.back().first) {
      db = curve.back().second;
    } else {
      for (size_t i = 0; i + 1 < curve.size(); ++i) {
        const double x0 = std::log2(curve[i].first), x1 = std::log2(curve[i + 1].first);
        if (x >= x0 && x <= x1) {
          db = curve[i].second + (curve[i + 1].second - curve[i].second) * (x - x0) / (x1 - x0);
          break;
        }
      }
    }
    out.push_back(std::pow(10.0, db / 20.0));
  }
  return out;
}

void normalise(std::vector<double>& v) {
  const double norm = std::sqrt(std::inner_product(v.begin(), v.end(), v.begin(), 0.0));
  if (norm > 0) for (double& x : v) x /= norm;
}

double median(std::vector<double> values) {
  const size_t mid = values.size() / 2;
  std::nth_element(values.begin(), values.begin() + mid, values.end());
  return values[mid];
}

}  // namespace

Templates initialTemplates(const std::vector<double>& centresHz) {
  Templates templates;
  for (int k = 0; k < kNumClasses; ++k) {
    templates[k] = sampleCurve(templateCurves()[k], centresHz);
    normalise(templates[k]);
  }
  return templates;
}

Activations decompose(const Templates& templates, const std::vector<double>& added) {
  double gram[kNumClasses][kNumClasses];
  double projection[kNumClasses];
  for (int i = 0; i < kNumClasses; ++i) {
    projection[i] = std::inner_product(added.begin(), added.end(), templates[i].begin(), 0.0);
    for (int j = 0; j < kNumClasses; ++j)
      gram[i][j] = std::inner_product(templates[i].begin(), templates[i].end(),
                                      templates[j].begin(), 0.0);
  }
  Activations a{};
  for (int sweep = 0; sweep < 300; ++sweep) {
    double change = 0.0;
    for (int k = 0; k < kNumClasses; ++k) {
      if (gram[k][k] <= 0) continue;
      double gradient = -projection[k];
      for (int j = 0; j < kNumClasses; ++j) gradient += gram[k][j] * a[j];
      const double next = std::max(0.0, a[k] - gradient / gram[k][k]);
      change = std::max(change, std::abs(next - a[k]));
      a[k] = next;
    }
    if (change <= 1e-12 * (1.0 + *std::max_element(a.begin(), a.end()))) break;
  }
  return a;
}

std::vector<Activations> decomposeAdaptively(const std::vector<std::vector<double>>& added,
                                             const std::vector<double>& centresHz,
                                             int adaptIterations) {
  const Templates initial = initialTemplates(centresHz);
  Templates templates = initial;
  std::vector<Activations> activations(added.size());
  const size_t bands = centresHz.size();
  for (int iteration = 0;; ++iteration) {
    for (size_t i = 0; i < added.size(); ++i) activations[i] = decompose(templates, added[i]);
    if (iteration == adaptIterations) break;
    for (int k = 0; k < kNumClasses; ++k) {
      // Unit-norm spectra of the onsets this class explains almost alone.
      std::vector<std::vector<double>> members;
      for (size_t i = 0; i < added.size(); ++i) {
        const double total = std::accumulate(activations[i].begin(), activations[i].end(), 0.0);
        if (total <= 0 || activations[i][k] <= 0.7 * total) continue;
        std::vector<double> shape = added[i];
        normalise(shape);
        members.push_back(std::move(shape));
      }
      if (members.size() < 4) continue;  // too little evidence: keep the template
      std::vector<double> adapted(bands);
      std::vector<double> column(members.size());
      for (size_t b = 0; b < bands; ++b) {
        for (size_t m = 0; m < members.size(); ++m) column[m] = members[m][b];
        adapted[b] = median(column);
      }
      normalise(adapted);
      // Half song, half prior: one misassigned cluster cannot carry a template away.
      for (size_t b = 0; b < bands; ++b) adapted[b] = 0.5 * adapted[b] + 0.5 * initial[k][b];
      normalise(adapted);
      templates[k] = std::move(adapted);
    }
  }
  return activations;
}

}  // namespace midistems::transcribe::drums
