// Real-time safety with the editor open and driven: while the audio thread runs processBlock on
// dense MIDI, the message thread moves every kind of control through its parameter attachment
// (knobs, choices, switches), loads presets from the browser, plays the on-screen keyboard with
// the mouse, starts MIDI learn, runs the editor's timer and paints it. processBlock must allocate,
// free and lock nothing. Needs an X display (xvfb-run in CTest); skipped visibly without one.
#include <gtest/gtest.h>

#include <atomic>
#include <random>
#include <thread>

#include "support/audio_thread_interposer.h"
#include "plugin/gui/editor.h"
#include "plugin/gui/param_control.h"
#include "plugin/gui/preset_browser.h"
#include "plugin/processor.h"

namespace midistems::plugin {
namespace gui {
bool internWindowManagerAtoms();  // gui_x11_atoms.cpp
}
namespace {

TEST(EditorRealTime, ProcessBlockNeverAllocatesOrLocksWhileTheEditorIsDriven) {
  if (!gui::internWindowManagerAtoms())
    GTEST_SKIP() << "no X display: this test runs under xvfb-run (Debian package xvfb)";
  Processor processor;
  processor.prepareToPlay(48000, 256);
  std::unique_ptr<juce::AudioProcessorEditor> owner(processor.createEditor());
  owner->setVisible(true);
  auto& editor = dynamic_cast<gui::Editor&>(*owner);
  const auto controls = editor.controls();
  ASSERT_FALSE(controls.empty());
  std::vector<juce::String> presetNames;
  for (const auto& entry : processor.presets()) presetNames.push_back(entry.name);
  ASSERT_FALSE(presetNames.empty());

  std::atomic<bool> stop{false};
  std::atomic<long> allocations{0}, frees{0}, locks{0}, blocks{0};
  std::atomic<float> peak{0};
  std::thread audio([&] {
    std::mt19937 rng(3);
    juce::AudioBuffer<float> buffer(2, 256);
    juce::MidiBuffer midi;
    midi.ensureSize(4096);
    while (!stop.load()) {
      midi.clear();
      for (int i = 0; i < 16; ++i) {
        const int frame = int(rng() % 256), note = 36 + int(rng() % 48);
        if (rng() % 2)
          midi.addEvent(juce::MidiMessage::noteOn(1, note, uint8_t(1 + rng() % 127)), frame);
        else
          midi.addEvent(juce::MidiMessage::noteOff(1, note), frame);
      }
      midi.addEvent(juce::MidiMessage::controllerEvent(1, 21, int(rng() % 128)), 100);  // MIDI learn's target
      gAllocations = gFrees = gLocks = 0;
      tCounting = true;
      processor.processBlock(buffer, midi);
      tCounting = false;
      allocations += gAllocations.load(), frees += gFrees.load(), locks += gLocks.load();
      peak = std::max(peak.load(), buffer.getMagnitude(0, 256));
      ++blocks;
      std::this_thread::sleep_for(std::chrono::microseconds(500));
    }
  });

  std::mt19937 rng(11);
  auto& keyboard = editor.keyboard();
  auto source = juce::Desktop::getInstance().getMainMouseSource();
  int moved = 0, loaded = 0;
  for (int round = 0; round < 400; ++round) {
    auto* control = controls[size_t(rng() % controls.size())];
    juce::Component& widget = control->widget();
    if (auto* slider = dynamic_cast<juce::Slider*>(&widget)) {
      const double t = double(rng() % 1000) / 999.0;
      slider->setValue(slider->getMinimum() + t * (slider->getMaximum() - slider->getMinimum()),
                       juce::sendNotificationSync);
      ++moved;
    } else if (auto* box = dynamic_cast<juce::ComboBox*>(&widget)) {
      box->setSelectedItemIndex(int(rng() % uint32_t(std::max(1, box->getNumItems()))), juce::sendNotificationSync);
      ++moved;
    } else if (auto* button = dynamic_cast<juce::Button*>(&widget)) {
      button->setToggleState(!button->getToggleState(), juce::sendNotificationSync);
      ++moved;
    }
    if (round % 40 == 0) loaded += editor.presets().load(presetNames[size_t(round / 40) % presetNames.size()]) ? 1 : 0;
    if (round % 10 == 0) {
      const auto key = keyboard.getRectangleForKey(48 + round % 24);
      const juce::Point<float> at(key.getCentreX(), key.getBottom() - 4.0f);
      const auto now = juce::Time::getCurrentTime();
      keyboard.mouseDown(juce::MouseEvent(source, at, juce::ModifierKeys::leftButtonModifier, 1.0f, 0, 0, 0, 0,
                                          &keyboard, &keyboard, now, at, now, 1, false));
      keyboard.mouseUp(juce::MouseEvent(source, at, juce::ModifierKeys(), 0.0f, 0, 0, 0, 0, &keyboard, &keyboard,
                                        now, at, now, 1, false));
    }
    if (round % 50 == 0) processor.beginMidiLearn(control->paramId());
    editor.tick(1.0f / gui::Editor::kTimerHz);
    if (round % 20 == 0) (void)owner->createComponentSnapshot(owner->getLocalBounds());  // paints everything
  }
  stop = true;
  audio.join();

  EXPECT_EQ(allocations.load(), 0);
  EXPECT_EQ(frees.load(), 0);
  EXPECT_EQ(locks.load(), 0);
  EXPECT_GT(blocks.load(), 100);  // the audio thread really ran alongside
  EXPECT_GT(moved, 300);
  EXPECT_GT(loaded, 5);
  EXPECT_GT(peak.load(), 0.001f);
}

}  // namespace
}  // namespace midistems::plugin
