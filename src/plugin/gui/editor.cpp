#include "plugin/gui/editor.h"

#include <algorithm>
#include <cmath>

namespace midistems::plugin::gui {
namespace {

constexpr int kHeader = 48;
constexpr int kMargin = 8;
constexpr int kGap = 6;

// The window size chosen last in this process, so that an editor opened again keeps it.
double& rememberedScale() {
  static double scale = Editor::kDefaultScale;
  return scale;
}

}  // namespace

// The design canvas: the dark background, the title bar, and every section on it.
class Editor::Canvas : public juce::Component {
 public:
  Canvas() {
    setComponentID("canvas");
    setFocusContainerType(FocusContainerType::keyboardFocusContainer);
    setWantsKeyboardFocus(true);
  }

  void paint(juce::Graphics& g) override {
    g.fillAll(palette::background);
    auto header = getLocalBounds().removeFromTop(kHeader).reduced(kMargin + 6, 0);
    // A small waveform mark and the name.
    const float cy = header.getCentreY();
    juce::Path wave;
    for (int i = 0; i <= 40; ++i) {
      const float x = header.getX() + i * 0.7f;
      const float y = cy - 8.0f * std::sin(i / 40.0f * juce::MathConstants<float>::twoPi * 1.5f) *
                               (1.0f - i / 48.0f);
      if (i == 0)
        wave.startNewSubPath(x, y);
      else
        wave.lineTo(x, y);
    }
    g.setGradientFill(juce::ColourGradient(accentOf(SectionKind::Oscillators), float(header.getX()), 0,
                                           accentOf(SectionKind::Modulation), header.getX() + 28.0f, 0, false));
    g.strokePath(wave, juce::PathStrokeType(2.2f, juce::PathStrokeType::curved, juce::PathStrokeType::rounded));
    header.removeFromLeft(38);
    g.setColour(palette::text);
    g.setFont(Look::titleFont(20.0f).withExtraKerningFactor(0.18f));
    g.drawText("MIDISTEMS", header.removeFromLeft(150), juce::Justification::centredLeft);
    g.setColour(palette::dimText);
    g.setFont(Look::labelFont(11.0f).withExtraKerningFactor(0.2f));
    g.drawText("POLYPHONIC SYNTH", header.removeFromLeft(140), juce::Justification::centredLeft);
    g.setColour(palette::panelEdge);
    g.fillRect(kMargin, kHeader - 1, getWidth() - 2 * kMargin, 1);
  }
};

Editor::Editor(EditorModel& model)
    : juce::AudioProcessorEditor(model.processor()),
      model_(model),
      canvas_(std::make_unique<Canvas>()),
      presets_(model),
      keyboard_(model.keyboardState(), juce::MidiKeyboardComponent::horizontalKeyboard) {
  setLookAndFeel(&look_);
  setComponentID("editor");
  setTitle("Midistems");
  addAndMakeVisible(*canvas_);

  for (const auto& section : groupParameters(model_.processor().getParameters())) {
    auto panel = std::make_unique<SectionPanel>(model_, section);
    canvas_->addAndMakeVisible(*panel);
    sections_.push_back(std::move(panel));
  }
  canvas_->addAndMakeVisible(presets_);

  keyboard_.setComponentID("section:keyboard");
  keyboard_.setTitle("Keyboard");
  keyboard_.setAvailableRange(24, 108);
  keyboard_.setScrollButtonsVisible(false);
  keyboard_.setKeyPressBaseOctave(5);  // the computer keys "a w s e d ..." from middle C up
  keyboard_.setWantsKeyboardFocus(true);
  canvas_->addAndMakeVisible(keyboard_);

  canvas_->addAndMakeVisible(meter_);
  xruns_.setComponentID("xruns");
  xruns_.setFont(Look::labelFont(12.0f));
  xruns_.setJustificationType(juce::Justification::centredRight);
  xruns_.setColour(juce::Label::textColourId, palette::dimText);
  xruns_.setTooltip("Audio device buffer under- and overruns since the start");
  canvas_->addChildComponent(xruns_);
  presetName_.setComponentID("preset-name");
  presetName_.setFont(Look::titleFont(14.0f));
  presetName_.setJustificationType(juce::Justification::centred);
  presetName_.setColour(juce::Label::textColourId, palette::text);
  presetName_.setColour(juce::Label::backgroundColourId, palette::panel);
  presetName_.setColour(juce::Label::outlineColourId, palette::panelEdge);
  canvas_->addAndMakeVisible(presetName_);

  // The widgets were made before they joined this editor's tree: let them pick up its look.
  sendLookAndFeelChange();
  layoutCanvas();
  setResizable(true, true);
  setResizeLimits(int(kDesignWidth * kMinScale), int(kDesignHeight * kMinScale), int(kDesignWidth * kMaxScale),
                  int(kDesignHeight * kMaxScale));
  if (auto* limits = getConstrainer()) limits->setFixedAspectRatio(double(kDesignWidth) / kDesignHeight);
  const double s = std::clamp(rememberedScale(), kMinScale, kMaxScale);
  setSize(int(std::round(kDesignWidth * s)), int(std::round(kDesignHeight * s)));
  tick(0.0f);
  startTimerHz(kTimerHz);
}

Editor::~Editor() {
  stopTimer();
  setLookAndFeel(nullptr);
}

double Editor::scale() const { return double(getWidth()) / kDesignWidth; }

juce::Component& Editor::canvas() { return *canvas_; }

std::vector<ParamControl*> Editor::controls() {
  std::vector<ParamControl*> out;
  for (auto& s : sections_)
    for (auto* c : s->controls()) out.push_back(c);
  return out;
}

std::vector<SectionPanel*> Editor::sections() {
  std::vector<SectionPanel*> out;
  for (auto& s : sections_) out.push_back(s.get());
  return out;
}

void Editor::layoutCanvas() {
  canvas_->setSize(kDesignWidth, kDesignHeight);
  auto area = canvas_->getLocalBounds().reduced(kMargin, 0);
  auto header = area.removeFromTop(kHeader).reduced(0, 7);
  meter_.setBounds(header.removeFromRight(300));
  header.removeFromRight(kGap);
  xruns_.setBounds(header.removeFromRight(110));
  presetName_.setBounds(juce::Rectangle<int>(340, header.getHeight()).withCentre({kDesignWidth / 2 + 60, header.getCentreY()}));
  area.removeFromTop(kGap);
  area.removeFromBottom(kMargin);

  keyboard_.setBounds(area.removeFromBottom(92));
  area.removeFromBottom(kGap);
  presets_.setBounds(area.removeFromLeft(236));
  area.removeFromLeft(kGap);

  auto byKind = [this](SectionKind kind) -> SectionPanel& {
    for (auto& s : sections_)
      if (s->kind() == kind) return *s;
    return *sections_.front();
  };
  // Three rows: sound sources with filter and voice; envelopes; modulation and effects.
  auto top = area.removeFromTop(340);
  auto right = top.removeFromRight(480);
  top.removeFromRight(kGap);
  byKind(SectionKind::Oscillators).setBounds(top);
  byKind(SectionKind::Filter).setBounds(right.removeFromTop(right.getHeight() - 134 - kGap));
  right.removeFromTop(kGap);
  byKind(SectionKind::Voice).setBounds(right);
  area.removeFromTop(kGap);
  byKind(SectionKind::Envelopes).setBounds(area.removeFromTop(192));
  area.removeFromTop(kGap);
  const int lfoWidth = 262, modWidth = 380;
  byKind(SectionKind::Lfos).setBounds(area.removeFromLeft(lfoWidth));
  area.removeFromLeft(kGap);
  byKind(SectionKind::Modulation).setBounds(area.removeFromLeft(modWidth));
  area.removeFromLeft(kGap);
  byKind(SectionKind::Effects).setBounds(area);

  // Keys as wide as the keyboard allows for its range (C1..C8: 50 white keys).
  keyboard_.setKeyWidth(float(keyboard_.getWidth()) / 50.0f);
}

void Editor::resized() {
  const double s = std::clamp(scale(), kMinScale, kMaxScale);
  canvas_->setTransform(juce::AffineTransform::scale(float(s)));
  canvas_->setTopLeftPosition(0, 0);
  if (isShowing()) rememberedScale() = s;
}

void Editor::paint(juce::Graphics& g) { g.fillAll(palette::background); }

bool Editor::keyPressed(const juce::KeyPress& key) { return keyboard_.keyPressed(key); }

// Keys not taken by a focused control (the search field takes them) play the keyboard.
bool Editor::keyStateChanged(bool isKeyDown) { return keyboard_.keyStateChanged(isKeyDown); }

void Editor::visibilityChanged() {
  if (isShowing() && !canvas_->hasKeyboardFocus(true)) canvas_->grabKeyboardFocus();
}

void Editor::tick(float seconds) {
  meter_.push(model_.takeOutputPeak(0), model_.takeOutputPeak(1), seconds);
  const int xruns = model_.xrunCount();
  xruns_.setVisible(xruns >= 0);
  if (xruns >= 0) {
    const auto text = juce::String(xruns) + (xruns == 1 ? " xrun" : " xruns");
    if (xruns_.getText() != text) xruns_.setText(text, juce::dontSendNotification);
    xruns_.setColour(juce::Label::textColourId, xruns > 0 ? palette::meterMid : palette::dimText);
  }
  // The slower things at 10 Hz.
  if (ticks_++ % 3 != 0) return;
  const auto name = model_.currentPresetName();
  if (presetName_.getText() != name) presetName_.setText(name, juce::dontSendNotification);
  presets_.refresh();
  const auto learning = model_.midiLearnTarget();
  for (auto& s : sections_) s->refresh(learning);
}

void Editor::timerCallback() { tick(1.0f / kTimerHz); }

}  // namespace midistems::plugin::gui

namespace midistems::plugin {

juce::AudioProcessorEditor* createEditor(EditorModel& model) { return new gui::Editor(model); }

}  // namespace midistems::plugin
