// Real-time safety of the plugin's processBlock: no heap allocation and no mutex on the audio
// thread while another thread sweeps parameters, switches presets and programs, plays the
// on-screen keyboard and starts MIDI learn, and the blocks carry dense MIDI (notes, controllers,
// a learned controller, pitch bend); denormals are flushed inside processBlock. This executable
// interposes malloc and friends, operator new/delete and pthread_mutex_lock, and counts the calls
// made on the audio thread only while it is inside processBlock.
#include <gtest/gtest.h>
#include <pthread.h>
#include <xmmintrin.h>

#include <atomic>
#include <random>
#include <thread>

#include "support/audio_thread_interposer.h"
#include "plugin/processor.h"

namespace midistems::plugin {
namespace {

// A host transport that also notes whether flush-to-zero and denormals-are-zero were on when
// processBlock asked it for the tempo.
class PlayHead final : public juce::AudioPlayHead {
 public:
  juce::Optional<PositionInfo> getPosition() const override {
    flushing = (_mm_getcsr() & 0x8040u) == 0x8040u;
    PositionInfo info;
    info.setBpm(bpm);
    info.setIsPlaying(true);
    return info;
  }
  double bpm = 120;
  mutable bool flushing = false;
};

TEST(PluginRealTime, InterposerSeesAllocationsAndLocksOnTheCountedThreadOnly) {
  pthread_mutex_t mutex = PTHREAD_MUTEX_INITIALIZER;
  gAllocations = gFrees = gLocks = 0;
  tCounting = true;
  auto* p = new std::vector<int>(100);
  delete p;
  pthread_mutex_lock(&mutex);
  pthread_mutex_unlock(&mutex);
  std::thread([] { delete new int(1); }).join();  // another thread: not counted
  tCounting = false;
  EXPECT_GE(gAllocations.load(), 2);
  EXPECT_LE(gAllocations.load(), 4);  // std::thread's own state, made on this thread
  EXPECT_EQ(gLocks.load(), 1);
}

TEST(PluginRealTime, ProcessBlockNeverAllocatesOrLocksWhileEverythingElseMoves) {
  Processor p;
  PlayHead playHead;
  p.setPlayHead(&playHead);
  p.prepareToPlay(48000, 512);
  const int numPrograms = p.getNumPrograms();
  std::atomic<bool> stop{false};
  std::thread control([&] {
    std::mt19937 rng(5);
    const auto& parameters = p.getParameters();
    for (int round = 0; !stop.load(); ++round) {
      parameters[int(rng() % uint32_t(parameters.size()))]->setValueNotifyingHost(float(rng() % 1000) / 999.0f);
      p.parameter("filter_cutoff")->setValueNotifyingHost(float(round % 100) / 99.0f);  // a sweep
      if (round % 50 == 0) {
        juce::String error;
        p.loadPreset(p.getProgramName(round / 50 % numPrograms), error);
      }
      if (round % 70 == 0) p.setCurrentProgram(int(rng() % uint32_t(numPrograms)));
      if (round % 30 == 0) p.beginMidiLearn(round % 60 == 0 ? "filter_resonance" : "reverb_mix");
      if (round % 20 == 0) p.keyboardState().noteOn(1, 48 + round % 24, 0.7f);
      if (round % 20 == 10) p.keyboardState().allNotesOff(1);
      std::this_thread::sleep_for(std::chrono::microseconds(200));
    }
  });

  std::mt19937 rng(9);
  juce::AudioBuffer<float> buffer(2, 512);
  long allocations = 0, frees = 0, locks = 0;
  bool alwaysFlushing = true;
  float peak = 0;
  for (int block = 0; block < 1500; ++block) {
    juce::MidiBuffer midi;
    for (int i = 0; i < 48; ++i) {
      const int frame = int(rng() % 512);
      const int note = 36 + int(rng() % 48);
      switch (rng() % 6) {
        case 0: case 1: midi.addEvent(juce::MidiMessage::noteOn(1, note, uint8_t(1 + rng() % 127)), frame); break;
        case 2: case 3: midi.addEvent(juce::MidiMessage::noteOff(1, note), frame); break;
        case 4: midi.addEvent(juce::MidiMessage::controllerEvent(1, int(1 + rng() % 20), int(rng() % 128)), frame); break;
        default: midi.addEvent(juce::MidiMessage::pitchWheel(1, int(rng() % 16384)), frame); break;
      }
    }
    playHead.bpm = 100 + block % 50;
    gAllocations = gFrees = gLocks = 0;
    tCounting = true;
    p.processBlock(buffer, midi);
    tCounting = false;
    allocations += gAllocations.load(), frees += gFrees.load(), locks += gLocks.load();
    alwaysFlushing = alwaysFlushing && playHead.flushing;
    peak = std::max(peak, buffer.getMagnitude(0, 512));
  }
  stop = true;
  control.join();
  EXPECT_EQ(allocations, 0);
  EXPECT_EQ(frees, 0);
  EXPECT_EQ(locks, 0);
  EXPECT_TRUE(alwaysFlushing);
  EXPECT_GT(peak, 0.01f);  // it played
  EXPECT_GE(p.midiLearnCc("filter_resonance") + p.midiLearnCc("reverb_mix"), 0);  // learn happened
  p.setPlayHead(nullptr);
}

}  // namespace
}  // namespace midistems::plugin
