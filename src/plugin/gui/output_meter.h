#pragma once
// The output meter: one bar per channel on a dBFS scale (-60..+6), falling at 24 dB/s, with a peak
// hold that stays 1.5 s and a clip mark over 0 dBFS. Fed by the editor's timer from the model's
// peaks; it never touches the audio thread itself.
#include <juce_gui_basics/juce_gui_basics.h>

#include <array>

namespace midistems::plugin::gui {

class OutputMeter : public juce::Component, public juce::SettableTooltipClient {
 public:
  static constexpr float kFloorDb = -60.0f;
  static constexpr float kTopDb = 6.0f;

  OutputMeter();
  // Linear peaks of both channels since the previous call, `seconds` after it.
  void push(float left, float right, float seconds);
  float levelDb(int channel) const { return level_[size_t(channel)]; }
  float holdDb(int channel) const { return hold_[size_t(channel)]; }
  void paint(juce::Graphics&) override;
  void mouseDown(const juce::MouseEvent&) override;

 private:
  std::array<float, 2> level_{kFloorDb, kFloorDb};
  std::array<float, 2> hold_{kFloorDb, kFloorDb};
  std::array<float, 2> holdAge_{0, 0};
  std::array<bool, 2> clipped_{false, false};
  float xOf(float db, juce::Rectangle<float> bar) const;
};

}  // namespace midistems::plugin::gui
