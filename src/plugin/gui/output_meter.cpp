#include "plugin/gui/output_meter.h"

#include <algorithm>
#include <cmath>

#include "plugin/gui/look.h"

namespace midistems::plugin::gui {
namespace {
constexpr float kFallDbPerSecond = 24.0f;
constexpr float kHoldSeconds = 1.5f;
}  // namespace

OutputMeter::OutputMeter() {
  setComponentID("section:meter");
  setTitle("Output level");
  setTooltip("Output peak level, dBFS (click to reset the clip marks)");
}

void OutputMeter::push(float left, float right, float seconds) {
  const float peaks[2] = {left, right};
  bool changed = false;
  for (size_t c = 0; c < 2; ++c) {
    const float peak = std::isfinite(peaks[c]) ? std::abs(peaks[c]) : 0.0f;
    const float db = peak > 0.0f ? std::max(kFloorDb, 20.0f * std::log10(peak)) : kFloorDb;
    const float fallen = std::max(kFloorDb, level_[c] - kFallDbPerSecond * seconds);
    const float level = std::max(db, fallen);
    holdAge_[c] += seconds;
    float hold = hold_[c];
    if (db >= hold) {
      hold = db;
      holdAge_[c] = 0.0f;
    } else if (holdAge_[c] > kHoldSeconds) {
      hold = std::max(level, hold - kFallDbPerSecond * seconds);
    }
    if (db > 0.0f) clipped_[c] = true;
    changed = changed || level != level_[c] || hold != hold_[c];
    level_[c] = level;
    hold_[c] = hold;
  }
  if (changed) repaint();
}

void OutputMeter::mouseDown(const juce::MouseEvent&) {
  clipped_ = {false, false};
  repaint();
}

float OutputMeter::xOf(float db, juce::Rectangle<float> bar) const {
  const float t = (std::clamp(db, kFloorDb, kTopDb) - kFloorDb) / (kTopDb - kFloorDb);
  return bar.getX() + t * bar.getWidth();
}

void OutputMeter::paint(juce::Graphics& g) {
  auto area = getLocalBounds().toFloat();
  g.setColour(palette::panel);
  g.fillRoundedRectangle(area, 5.0f);
  area = area.reduced(8.0f, 4.0f);
  auto label = area.removeFromLeft(22.0f);
  g.setFont(Look::labelFont(9.5f));
  g.setColour(palette::dimText);
  g.drawText("L", label.withHeight(area.getHeight() * 0.35f), juce::Justification::centredLeft);
  g.drawText("R", label.withTrimmedTop(area.getHeight() * 0.35f).withHeight(area.getHeight() * 0.35f),
             juce::Justification::centredLeft);
  const float barHeight = area.getHeight() * 0.3f;
  auto scale = area;
  for (int c = 0; c < 2; ++c) {
    const auto bar = area.withHeight(barHeight).translated(0, c * (barHeight + 2.0f));
    g.setColour(palette::background);
    g.fillRoundedRectangle(bar, 2.0f);
    const float x = xOf(level_[size_t(c)], bar);
    // Green to -12 dBFS, yellow to 0, red above.
    juce::ColourGradient gradient(palette::meterLow, bar.getX(), 0, palette::meterHigh, bar.getRight(), 0, false);
    gradient.addColour((xOf(-12.0f, bar) - bar.getX()) / bar.getWidth(), palette::meterLow);
    gradient.addColour((xOf(-3.0f, bar) - bar.getX()) / bar.getWidth(), palette::meterMid);
    gradient.addColour((xOf(0.0f, bar) - bar.getX()) / bar.getWidth(), palette::meterHigh);
    g.setGradientFill(gradient);
    g.fillRoundedRectangle(bar.withRight(std::max(bar.getX(), x)), 2.0f);
    if (hold_[size_t(c)] > kFloorDb) {
      const float hx = xOf(hold_[size_t(c)], bar);
      g.setColour(hold_[size_t(c)] > 0.0f ? palette::meterHigh : palette::text);
      g.fillRect(juce::Rectangle<float>(hx - 1.0f, bar.getY(), 2.0f, bar.getHeight()));
    }
    if (clipped_[size_t(c)]) {
      g.setColour(palette::meterHigh);
      g.fillRect(bar.withLeft(xOf(0.0f, bar) + 1.0f).withTrimmedTop(1).withTrimmedBottom(1).withWidth(3.0f));
    }
    scale = bar;
  }
  // dBFS scale under the bars.
  const auto ticks = area.withTrimmedTop(2.0f * barHeight + 4.0f);
  g.setFont(Look::labelFont(9.0f));
  for (float db : {-60.0f, -48.0f, -36.0f, -24.0f, -12.0f, -6.0f, 0.0f, 6.0f}) {
    const float x = xOf(db, scale);
    g.setColour(palette::dimText.withAlpha(0.6f));
    g.fillRect(x, ticks.getY(), 1.0f, 3.0f);
    g.setColour(db == 0.0f ? palette::text : palette::dimText);
    g.drawText(db == -60.0f ? "-60 dBFS" : juce::String(int(db)),
               juce::Rectangle<float>(db == -60.0f ? x : x - 14.0f, ticks.getY() + 2.0f, db == -60.0f ? 50.0f : 28.0f,
                                      ticks.getHeight() - 2.0f),
               db == -60.0f ? juce::Justification::centredLeft : juce::Justification::centred);
  }
}

}  // namespace midistems::plugin::gui
