#pragma once
// Drum classes from onset spectra. Internal to transcribe/drums. The activations are features of
// the learned classifier (drum_classifier.h), which makes the final decisions.
//
// Each onset's added spectrum (what the band magnitudes gained over the frames just before it) is
// modelled as a non-negative mix of five class templates. The starting templates are handcrafted
// dB curves over frequency, drawn from the textbook spectra of a drum kit (kick energy below
// 150 Hz with a broadband beater click, snare body near 200 Hz plus wire noise to 8 kHz, toms
// centred 100-250 Hz, hi-hats mostly above 3 kHz, cymbals broadband) and checked against General
// MIDI kits rendered by the project's song generator. They then adapt to the song: onsets that one
// class explains almost alone re-estimate that class's template (semi-adaptive templates, as in
// Dittmar & Gärtner, "Real-time transcription and separation of drum recordings based on NMF
// decomposition", DAFx 2014).
#include <array>
#include <vector>

namespace midistems::transcribe::drums {

enum DrumClass { kKick = 0, kSnare, kTom, kHiHat, kCymbal, kNumClasses };

using Activations = std::array<double, kNumClasses>;
using Templates = std::array<std::vector<double>, kNumClasses>;  // unit-norm band magnitudes

// The handcrafted starting templates sampled at the given band centres.
Templates initialTemplates(const std::vector<double>& centresHz);

// min |T a - added|^2 over a >= 0 (five unknowns: cyclic coordinate descent converges to the
// exact non-negative least-squares solution).
Activations decompose(const Templates& templates, const std::vector<double>& added);

// Decomposes every onset, re-estimating the templates `adaptIterations` times from onsets where
// one class carries more than 70 % of the activation.
std::vector<Activations> decomposeAdaptively(const std::vector<std::vector<double>>& added,
                                             const std::vector<double>& centresHz,
                                             int adaptIterations = 3);

}  // namespace midistems::transcribe::drums
