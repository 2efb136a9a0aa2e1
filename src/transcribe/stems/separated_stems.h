#pragma once
// How the stems of a separated song are transcribed when the song itself is at hand (`run`, or
// `transcribe --mixture`): separated stems carry what leaked in from the other parts and lose
// some of their own, so they get other signals and other tracker settings than clean stems.
// Every figure below is the mean bass or vocals onset F1 of `run` with the DSP separator over the
// eight songs of tools/songquality (BENCHMARKS.md, "Song -> MIDI quality").
//
// Bass: a separator's bass stem is cut by a steep crossover (the DSP separator's sits at 200 Hz),
// which removes the partials that tell basic-pitch a bass note's octave and blurs the attacks of
// repeated notes; the song's own low band keeps both. Taking the "other" stem (chords, arpeggios)
// out of it first removes most of what competes with the bass there: 0.48 from the DSP bass stem,
// 0.68 from the song's low band, 0.72 from the low band less the other stem.
#include <array>
#include <vector>

#include "core/audio_buffer.h"
#include "transcribe/drums/drum_transcriber.h"
#include "transcribe/mono/mono_tracker.h"
#include "transcribe/notes/note_creation.h"
#include "transcribe/notes/note_export.h"

namespace midistems::transcribe {

// Upper edge of the bass band: bass notes reach C4 (262 Hz) and their second and third partials
// the low hundreds; 600 Hz measured best of 400 / 500 / 600 / 700 / 800 / 1000 Hz (a 4th-order
// Butterworth, run forwards and backwards so that onsets do not move).
constexpr double kBassBandHz = 600;

// Mono low band of `mix` less `other` (`other` may be empty: the mix alone). `mix` is resampled
// to `other`'s rate when they differ; the result has the mix's length at that rate (a shorter
// `other` is taken as silent past its end).
AudioBuffer bassBand(const AudioBuffer& mix, const AudioBuffer& other);

// The tracker's settings for that band: held to the bass register (up to C4, 262 Hz: GM bass
// lines, and songgen's, stay within E1-C4) unless `base` sets its own upper limit, and attacks
// from level rises of 6 dB rather than 8 (the kick's attacks share the band, the chords' do not;
// 4 / 6 / 8 / 11 dB measured 0.721 / 0.723 / 0.709 / 0.694).
constexpr double kBassMaxHz = 262;
MonoTrackerOptions bassBandTracking(MonoTrackerOptions base);

// The signal a separated lead is tracked from: the vocals stem plus the part of the other stem
// whose left and right levels agree within kLeadCentreIldDb. Songs mix the lead in the centre and
// pan chords and arpeggios to the sides; a lead rendered from stereo samples (choirs, some square
// and saw leads) is centred by level but not by phase, so the separator's centre cue (phase and
// level together) puts much of it into the other stem. Each bin of the other stem's mid channel
// (4096-point Hann STFT, hop 1024) is weighted by 1 / (1 + (|ILD| / kLeadCentreIldDb)^4). Mean
// `run` vocals onset F1: 0.533 from the vocals stem alone; 0.549 / 0.572 / 0.548 with 1 / 1.5 /
// 2 dB (3 dB with the vocals and other stems masked together: 0.522). A mono or empty `other`
// gives the vocals stem alone (no spatial evidence); `other` is resampled to the vocals' rate
// when they differ and taken as silent past its end. The result is mono, the vocals' length.
constexpr double kLeadCentreIldDb = 1.5;
AudioBuffer leadSignal(const AudioBuffer& vocals, const AudioBuffer& other);

// The tracker's settings for a separated vocals stem: the chords that leak into it are tracked
// while the voice rests, and they sound well under the voice's own notes, so notes more than
// 6 dB under the line's loud notes are dropped (0.477 without; 0.532 / 0.517 / 0.510 at 6 / 8 /
// 10 dB; on the bass band the same drops real notes and measured worse at every level).
constexpr double kLeadQuietNoteDb = 6;
MonoTrackerOptions separatedLeadTracking(MonoTrackerOptions base);

// The drum transcriber's settings for a separated drums stem (the mean drums class onset F1 of
// `run` over the same eight songs). The DSP separator's drums stem keeps kicks and cymbals only
// in part (the bass crossover takes the kick's body, the Wiener filter thins sustained cymbals),
// so their classifier probabilities fall and their recall with them while their precision stays
// near 1: their thresholds come down. The attacks of bass and chord notes leak in as percussive
// onsets with a low, pitched spectrum that the classifier takes for toms, and for snares: those
// thresholds go up. Logit shifts per group (kick, snare, tom, closed hi-hat, open hi-hat, crash,
// ride) were chosen one by one for the classifier that learned from clean stems alone (0.742
// without, 0.793 with them). The classifier now also learns from separated drums stems
// (tools/drumkit), which took `run` to 0.885 without the shifts and 0.882 with them; they stay
// for the worst song (0.755 without, 0.821 with; nearby shifts measured 0.878-0.889).
constexpr std::array<double, 7> kSeparatedDrumThresholdShift = {-2, 1, 2, -1, 0, -1, -1};
DrumTranscriptionOptions separatedDrumsTranscription(DrumTranscriptionOptions base);

// Separated polyphonic stems (other, piano, guitar) go to basic-pitch's note creation, not to the
// polyphonic decoder tuned on clean stems: on the DSP separator's `other` stem the decoder keeps
// the leakage from the other parts that note creation's thresholds drop (other onset F1 0.355 with
// the decoder, 0.409 with note creation). Note creation keeps the octaves, 12ths and double
// octaves that a chord's partials and the separator's leakage raise under and over its notes (on
// the eight songs, over 100 of the `other` stem's false notes lie an octave under a true one), so
// the decoder's harmonic-ghost rule follows it, with a note dropped beside one only 1 / 0.8 times
// louder: all pitched notes of `run` 0.540 / 0.544 / 0.557 / 0.565 / 0.567 onset F1 at ratios 0 /
// 0.5 / 0.67 / 0.8 / 1 (the worst song 0.331 / 0.332 / 0.335 / 0.338 / 0.313).
constexpr double kSeparatedGhostRatio = 0.8;
std::vector<ExportNote> separatedPolyphonicNotes(const std::vector<NoteEvent>& created);

}  // namespace midistems::transcribe
