// `midistems transcribe`: stems -> MIDI (see transcribe/stems/transcribe_stems.h).
#include <fmt/format.h>

#include <memory>

#include "cli/command_registry.h"
#include "transcribe/stems/transcribe_stems.h"

namespace {

namespace tr = midistems::transcribe;

struct TranscribeFlags {
  tr::TranscribeStemsOptions options;
  bool noPitchBends = false;
  bool noMelodia = false;
};

midistems::cli::CommandRegistration reg{30, [](CLI::App& app) {
  auto* sub = app.add_subcommand("transcribe", "Transcribe a stem, or a folder of stems, to MIDI");
  auto flags = std::make_shared<TranscribeFlags>();
  auto* o = &flags->options;
  sub->add_option("input", o->input,
                  "A stem (WAV, FLAC, ...) or a folder of stems (drums.wav, bass.wav, ...: one track each)")
      ->required();
  sub->add_option("-o,--out", o->output, "Output MIDI file (type 1)")->required();
  sub->add_option("--kind", o->kind,
                  "pitched, mono (one note at a time), drums, or auto (by file name: drums.* drums, bass.* and "
                  "vocals.* mono, the rest pitched)")
      ->capture_default_str();
  sub->add_option("--engine", o->engine,
                  "stem-aware (the monophonic tracker for mono stems, the polyphonic decoder for the other "
                  "pitched stems), or basic-pitch (the Python package's note creation for every pitched stem)")
      ->capture_default_str();
  sub->add_option("--onset-threshold", o->notes.onsetThreshold, "Onset peak needed to start a note (basic-pitch engine)")
      ->capture_default_str();
  sub->add_option("--frame-threshold", o->notes.frameThreshold, "Level that keeps a note on (basic-pitch engine)")
      ->capture_default_str();
  sub->add_option("--min-note-ms", o->notes.minNoteMs, "Shortest note kept, in milliseconds")
      ->capture_default_str();
  sub->add_option("--min-hz", o->notes.minHz, "Lowest note frequency kept (0: no limit)")->capture_default_str();
  sub->add_option("--max-hz", o->notes.maxHz, "Highest note frequency kept (0: no limit)")->capture_default_str();
  sub->add_flag("--no-pitch-bends", flags->noPitchBends, "Write no pitch bends");
  sub->add_flag("--no-melodia", flags->noMelodia, "Only notes that start at a detected onset");
  sub->add_option("--mixture", o->mixture,
                  "The song the stems were split from: the bass is then transcribed from its low band less the "
                  "other stem (separated bass stems lose the partials and attacks the tracker needs), the "
                  "vocals with the other stem's level-centred part");
  sub->add_option("--tempo", o->tempo, "Tempo written into the MIDI file in BPM (default: estimated, else 120)");
  sub->add_option("--json", o->json, "Also write the notes as JSON");
  sub->add_option("--csv", o->csv, "Also write the notes as CSV");
  sub->add_option("--plot", o->plot, "Also draw the notes over each stem's spectrogram (PNG, a panel per stem)");
  sub->add_option("--model", o->model, "basic-pitch model folder (default: the one scripts/setup.sh installs)");
  sub->add_option("--threads", o->threads, "Worker threads for basic-pitch (0: one per core)")->capture_default_str();
  sub->add_flag("-q,--quiet", o->quiet, "No progress bar");
  sub->callback([flags] {
    tr::TranscribeStemsOptions options = flags->options;
    options.notes.pitchBends = !flags->noPitchBends;
    options.notes.melodiaTrick = !flags->noMelodia;
    const tr::TranscribeStemsResult result = tr::transcribeStems(options);
    fmt::print("{}: {} note(s) in {} track(s) at {:.1f} BPM\n", options.output, result.notes, result.tracks,
               result.bpm);
  });
}};

}  // namespace
