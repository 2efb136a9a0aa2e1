#pragma once
// A log-frequency spectrogram on a MIDI pitch axis, the background of the piano roll: rows are
// evenly spaced in pitch (so a semitone has the same height everywhere, as on a keyboard) and
// columns evenly spaced in time. Each row reads the magnitude of a Hann-windowed STFT whose
// length suits its frequency, a constant-Q-like compromise: 186 ms below 220 Hz (a semitone at
// A2 is 13 Hz wide, the bins 5.4 Hz), 93 ms up to 880 Hz, 46 ms above, so that high notes keep
// their onsets sharp while low notes stay resolved (blended in dB over 1.5 semitones either side
// of 220 and 880 Hz, so that no edge shows). A row narrower than a bin interpolates the three
// nearest bins; a wider one sums the energy of the bins it covers, as a constant-Q band would.
//
// Library midistems_transcribe_plot (src/transcribe/plot): this spectrogram and the piano-roll
// picture (piano_roll.h). Depends on core (FFT through FFTW) and transcribe/notes; cairo for the
// picture.
#include <vector>

#include "core/audio_buffer.h"

namespace midistems::transcribe::plot {

// Frequency of a (fractional) MIDI pitch: 440 * 2^((pitch - 69) / 12).
double pitchToHz(double pitch);

struct LogSpectrogram {
  int columns = 0;
  int rows = 0;
  double columnsPerSecond = 0;  // column c is centred at (c + 0.5) / columnsPerSecond seconds
  double pitchTop = 0;          // pitch at the upper edge of row 0
  double pitchBottom = 0;       // pitch at the lower edge of the last row
  // rows x columns, row 0 at the top. dB relative to a full-scale sine: a sine of amplitude A
  // reads 20 log10(A) in the rows around its frequency. Silence reads kSilenceDb.
  std::vector<float> db;

  float at(int row, int column) const { return db[size_t(row) * size_t(columns) + size_t(column)]; }
};

inline constexpr float kSilenceDb = -200.0f;

// The mono mix (mean of the channels) of `audio`, ceil(duration * columnsPerSecond) columns,
// `rows` rows between pitchBottom and pitchTop. Throws midistems::Error for a non-positive rate,
// fewer than one row or pitchTop <= pitchBottom.
LogSpectrogram logSpectrogram(const AudioBuffer& audio, double columnsPerSecond, int rows, double pitchBottom,
                              double pitchTop);

}  // namespace midistems::transcribe::plot
