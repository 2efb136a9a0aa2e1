// The instrument's editor: which section each parameter lands in (no display needed), and the real
// editor, on the real processor and on a test model with a longer table, rendered under an X display (xvfb-run in CTest; skipped visibly without one): not blank,
// every section on screen, one visible control per host parameter at every size, MIDI learn
// through the menu, the on-screen keyboard, the preset browser, the meter and the xrun counter.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <map>
#include <set>

#include "plugin/gui/editor.h"
#include "plugin/gui/param_groups.h"
#include "plugin/processor.h"
#include "gui_test_model.h"

namespace midistems::plugin::gui {
bool internWindowManagerAtoms();  // gui_x11_atoms.cpp
namespace {

using testing::RecordingModel;

bool displayOpens = false;

class JuceEnvironment : public ::testing::Environment {
 public:
  void SetUp() override {
    displayOpens = internWindowManagerAtoms();
    init_ = std::make_unique<juce::ScopedJuceInitialiser_GUI>();
  }
  void TearDown() override { init_.reset(); }

 private:
  std::unique_ptr<juce::ScopedJuceInitialiser_GUI> init_;
};
const auto* const kEnvironment = ::testing::AddGlobalTestEnvironment(new JuceEnvironment);

bool haveDisplay() { return displayOpens; }

#define REQUIRE_DISPLAY()                                                                     \
  if (!haveDisplay()) GTEST_SKIP() << "no X display: the editor tests run under xvfb-run " \
                                      "(Debian package xvfb)"

std::vector<juce::String> hostIds(juce::AudioProcessor& processor) {
  std::vector<juce::String> ids;
  for (auto* p : processor.getParameters())
    if (auto* r = dynamic_cast<juce::RangedAudioParameter*>(p)) ids.push_back(r->paramID);
  return ids;
}

const ParamGroup* findGroup(const std::vector<Section>& sections, const juce::String& id, SectionKind* kind) {
  for (const auto& s : sections)
    for (const auto& g : s.groups)
      for (const auto& p : g.params)
        if (p.id == id) {
          *kind = s.kind;
          return &g;
        }
  return nullptr;
}

TEST(EditorGrouping, EveryParameterLandsInExactlyOneGroupOfTheRightSection) {
  for (bool extended : {false, true}) {
    RecordingModel model(extended);
    const auto sections = groupParameters(model.processor().getParameters());
    ASSERT_EQ(sections.size(), size_t(kNumSectionKinds));
    std::map<juce::String, int> seen;
    for (const auto& s : sections)
      for (const auto& g : s.groups)
        for (const auto& p : g.params) ++seen[p.id];
    const auto ids = hostIds(model.processor());
    ASSERT_GT(ids.size(), size_t(90));
    EXPECT_EQ(seen.size(), ids.size());
    for (const auto& id : ids) EXPECT_EQ(seen[id], 1) << id;

    const std::map<juce::String, std::pair<SectionKind, juce::String>> expected = {
        {"osc1_wave", {SectionKind::Oscillators, "osc1"}},
        {"osc2_sync", {SectionKind::Oscillators, "osc2"}},
        {"osc1_wavetable", {SectionKind::Oscillators, "osc1"}},
        {"sub_level", {SectionKind::Oscillators, "sub"}},
        {"ring_level", {SectionKind::Oscillators, "fm_ring"}},
        {"unison_voices", {SectionKind::Oscillators, "unison"}},
        {"filter_cutoff", {SectionKind::Filter, "filter"}},
        {"filter_env_amount", {SectionKind::Envelopes, "filter_env"}},
        {"amp_env_attack", {SectionKind::Envelopes, "amp_env"}},
        {"mod_env_release", {SectionKind::Envelopes, "mod_env"}},
        {"lfo2_rate", {SectionKind::Lfos, "lfo2"}},
        {"mod8_amount", {SectionKind::Modulation, "mod8"}},
        {"reverb_on", {SectionKind::Effects, "reverb"}},
        {"delay_mix", {SectionKind::Effects, "delay"}},
        {"master_gain", {SectionKind::Voice, "voice"}},
        {"voice_mode", {SectionKind::Voice, "voice"}},
        {"lfo4_phase", {SectionKind::Lfos, "lfo4"}},
        {"lfo1_sync", {SectionKind::Lfos, "lfo1"}},
        {"global_lfo2_rate", {SectionKind::Lfos, "global_lfo2"}},
        {"global_lfo1_unipolar", {SectionKind::Lfos, "global_lfo1"}},
        {"mod32_dest", {SectionKind::Modulation, "mod32"}},
        {"macro8", {SectionKind::Modulation, "macros"}},
        {"distortion_mix", {SectionKind::Effects, "distortion"}},
        {"eq_low_gain", {SectionKind::Effects, "eq"}},
        {"compressor_threshold", {SectionKind::Effects, "compressor"}},
        {"fx_slot8", {SectionKind::Effects, "fx"}},
    };
    for (const auto& [id, where] : expected) {
      SectionKind kind{};
      const auto* group = findGroup(sections, id, &kind);
      ASSERT_NE(group, nullptr) << id;
      EXPECT_EQ(int(kind), int(where.first)) << id;
      EXPECT_EQ(group->key, where.second) << id;
    }
    // The macros lead the modulation section, the chain settings the effects.
    EXPECT_EQ(sections[size_t(SectionKind::Modulation)].groups.front().key, "macros");
    EXPECT_EQ(sections[size_t(SectionKind::Effects)].groups.front().key, "fx");
    // Titles from the parameters' names.
    SectionKind kind{};
    EXPECT_EQ(findGroup(sections, "compressor_mix", &kind)->title, "Compressor");
    EXPECT_EQ(findGroup(sections, "eq_on", &kind)->title, "EQ");
    EXPECT_EQ(findGroup(sections, "osc2_sync", &kind)->title, "Osc 2");
    EXPECT_EQ(findGroup(sections, "mod12_amount", &kind)->title, "12");
    EXPECT_EQ(findGroup(sections, "macro3", &kind)->title, "Macros");
    EXPECT_EQ(findGroup(sections, "master_gain", &kind)->title, "Voice");
    EXPECT_EQ(sections[size_t(SectionKind::Lfos)].groups.size(), size_t(extended ? 8 : 6));
    if (extended) {
      const std::map<juce::String, std::pair<SectionKind, juce::String>> more = {
          {"lfo5_phase", {SectionKind::Lfos, "lfo5"}},
          {"global_lfo3_rate", {SectionKind::Lfos, "global_lfo3"}},
          {"mod40_dest", {SectionKind::Modulation, "mod40"}},
          {"macro12", {SectionKind::Modulation, "macros"}},
          {"bitcrusher_mix", {SectionKind::Effects, "bitcrusher"}},
          {"tremolo_on", {SectionKind::Effects, "tremolo"}},
      };
      for (const auto& [id, where] : more) {
        const auto* group = findGroup(sections, id, &kind);
        ASSERT_NE(group, nullptr) << id;
        EXPECT_EQ(int(kind), int(where.first)) << id;
        EXPECT_EQ(group->key, where.second) << id;
      }
      EXPECT_EQ(findGroup(sections, "tremolo_mix", &kind)->title, "Tremolo");
      EXPECT_EQ(findGroup(sections, "master_gain", &kind)->title, "Voice");
    }
  }
}

TEST(EditorGrouping, TheRealProcessorsParametersLandOnceEachOscillatorsFirst) {
  Processor processor;
  const auto sections = groupParameters(processor.getParameters());
  std::map<juce::String, int> seen;
  for (const auto& s : sections)
    for (const auto& g : s.groups)
      for (const auto& p : g.params) ++seen[p.id];
  const auto ids = hostIds(processor);
  EXPECT_EQ(seen.size(), ids.size());
  for (const auto& id : ids) EXPECT_EQ(seen[id], 1) << id;
  const auto& osc = sections[size_t(SectionKind::Oscillators)].groups;
  ASSERT_GE(osc.size(), size_t(4));
  EXPECT_EQ(osc[0].key, "osc1");
  EXPECT_EQ(osc[1].key, "osc2");
  EXPECT_EQ(osc.back().key, "unison");
}

TEST(EditorGrouping, FilterResponseFollowsTypeCutoffAndResonance) {
  const auto db = [](const char* type, float hz, float resonance = 0.0f) {
    return FilterResponseView::responseDb(type, 1000.0f, resonance, hz);
  };
  EXPECT_NEAR(db("lp12", 50), 0.0f, 0.1f);
  EXPECT_NEAR(db("lp12", 10000), -40.0f, 0.5f);
  EXPECT_NEAR(db("lp24", 10000), -80.0f, 1.0f);
  EXPECT_NEAR(db("ladder24", 10000), -80.0f, 1.0f);
  EXPECT_NEAR(db("hp12", 100), -40.0f, 0.5f);
  EXPECT_NEAR(db("hp24", 20000), 0.0f, 0.1f);
  EXPECT_NEAR(db("bp12", 1000), 0.0f, 0.1f);
  EXPECT_LT(db("bp12", 100), -15.0f);
  EXPECT_LT(db("notch12", 1000), -60.0f);
  EXPECT_NEAR(db("lp12", 1000), -3.0f, 0.1f);  // Butterworth at the cutoff
  EXPECT_GT(db("lp12", 1000, 1.0f), 12.0f);    // the resonance peak
}

TEST(EditorGrouping, ControlKindsFollowTheParameter) {
  RecordingModel model(true);
  auto kindOf = [&](const char* id) { return controlKindOf(*model.parameter(id)); };
  EXPECT_EQ(kindOf("filter_type"), ControlKind::Choice);
  EXPECT_EQ(kindOf("mod3_source"), ControlKind::Choice);
  EXPECT_EQ(kindOf("chorus_on"), ControlKind::Toggle);
  EXPECT_EQ(kindOf("osc1_octave"), ControlKind::Knob);
  EXPECT_EQ(kindOf("polyphony"), ControlKind::Knob);
  EXPECT_EQ(kindOf("filter_cutoff"), ControlKind::Knob);
}

// ---------------------------------------------------------------------------------------------
juce::Component* findById(juce::Component& root, const juce::String& id) {
  if (root.getComponentID() == id) return &root;
  for (auto* child : root.getChildren())
    if (auto* found = findById(*child, id)) return found;
  return nullptr;
}

bool visibleUpTo(const juce::Component& c, const juce::Component& top) {
  for (auto* p = &c; p != nullptr; p = p->getParentComponent()) {
    if (!p->isVisible()) return false;
    if (p == &top) return true;
  }
  return false;
}

// Scrolls the control's viewport (if any) to it; returns its area in the editor's coordinates.
juce::Rectangle<int> revealInEditor(juce::Component& editor, juce::Component& c) {
  if (auto* viewport = c.findParentComponentOfClass<juce::Viewport>()) {
    auto* content = viewport->getViewedComponent();
    const auto r = content->getLocalArea(&c, c.getLocalBounds());
    viewport->setViewPosition(0, std::max(0, r.getY() - 2));
    const auto view = viewport->getViewArea();
    if (!view.contains(r)) return {};
  }
  return editor.getLocalArea(&c, c.getLocalBounds());
}

struct PixelStats {
  double mean = 0, stddev = 0, differsFromBackground = 0;
};

PixelStats statsOf(const juce::Image& image, juce::Rectangle<int> area) {
  const juce::Image::BitmapData data(image, juce::Image::BitmapData::readOnly);
  double sum = 0, sum2 = 0, differs = 0, n = 0;
  const auto bg = palette::background;
  area = area.getIntersection(image.getBounds());
  for (int y = area.getY(); y < area.getBottom(); ++y)
    for (int x = area.getX(); x < area.getRight(); ++x) {
      const auto c = data.getPixelColour(x, y);
      const double l = 0.299 * c.getRed() + 0.587 * c.getGreen() + 0.114 * c.getBlue();
      sum += l;
      sum2 += l * l;
      const int d = std::abs(c.getRed() - bg.getRed()) + std::abs(c.getGreen() - bg.getGreen()) +
                    std::abs(c.getBlue() - bg.getBlue());
      differs += d > 6 ? 1 : 0;
      ++n;
    }
  if (n == 0) return {};
  const double mean = sum / n;
  return {mean, std::sqrt(std::max(0.0, sum2 / n - mean * mean)), differs / n};
}

// The editor as a host shows it (visible, though not on the desktop).
std::unique_ptr<juce::AudioProcessorEditor> makeEditor(EditorModel& model) {
  std::unique_ptr<juce::AudioProcessorEditor> editor(createEditor(model));
  editor->setVisible(true);
  return editor;
}

const char* const kSections[] = {"oscillators", "filter",  "voice",    "envelopes", "lfos",
                                 "modulation",  "effects", "presets",  "keyboard",  "meter"};

void expectEverythingInside(Editor& editor, EditorModel& model, const char* when) {
  const auto bounds = editor.getLocalBounds();
  for (const auto* id : kSections) {
    auto* c = findById(editor, juce::String("section:") + id);
    ASSERT_NE(c, nullptr) << id;
    const auto r = editor.getLocalArea(c, c->getLocalBounds());
    EXPECT_FALSE(r.isEmpty()) << id << " " << when;
    EXPECT_TRUE(bounds.contains(r)) << id << " at " << r.toString() << " outside " << bounds.toString() << " "
                                    << when;
    EXPECT_TRUE(visibleUpTo(*c, editor)) << id;
  }
  std::map<juce::String, int> count;
  for (auto* control : editor.controls()) {
    ++count[control->paramId()];
    EXPECT_TRUE(visibleUpTo(*control, editor)) << control->paramId() << " " << when;
    EXPECT_FALSE(control->widget().getBounds().isEmpty()) << control->paramId();
    const auto r = revealInEditor(editor, *control);
    EXPECT_FALSE(r.isEmpty()) << control->paramId() << " cannot be scrolled into view " << when;
    EXPECT_TRUE(bounds.contains(r)) << control->paramId() << " at " << r.toString() << " " << when;
  }
  for (const auto& id : hostIds(model.processor())) EXPECT_EQ(count[id], 1) << id << " " << when;
  EXPECT_EQ(editor.controls().size(), hostIds(model.processor()).size());
  for (auto* s : editor.sections()) s->viewport().setViewPosition(0, 0);
}

// Plays a chord through the processor for a while, so that the meter and the keys show it.
void playChord(Processor& processor) {
  processor.setPlayConfigDetails(0, 2, 48000.0, 512);
  processor.prepareToPlay(48000.0, 512);
  for (int note : {48, 55, 60, 64, 67}) processor.keyboardState().noteOn(1, note, 0.8f);
  juce::AudioBuffer<float> buffer(2, 512);
  juce::MidiBuffer midi;
  for (int block = 0; block < 40; ++block) {
    buffer.clear();
    midi.clear();
    processor.processBlock(buffer, midi);
  }
}

TEST(Editor, RendersEverySectionOfTheRealProcessorToAPng) {
  REQUIRE_DISPLAY();
  Processor model;
  auto owner = makeEditor(model);
  auto& editor = dynamic_cast<Editor&>(*owner);
  editor.setSize(Editor::kDesignWidth, Editor::kDesignHeight);
  playChord(model);
  editor.tick(1.0f / 30);
  EXPECT_GT(editor.meter().levelDb(0), -40.0f) << "the chord does not reach the meter";
  for (int i = 0; i < 5; ++i) editor.tick(1.0f / 30);
  expectEverythingInside(editor, model, "at 1.0");

  const auto image = editor.createComponentSnapshot(editor.getLocalBounds(), true, 1.0f);
  ASSERT_EQ(image.getWidth(), Editor::kDesignWidth);
  const auto whole = statsOf(image, image.getBounds());
  EXPECT_GT(whole.stddev, 20.0) << "the picture is nearly blank";
  for (const auto* id : kSections) {
    auto* c = findById(editor, juce::String("section:") + id);
    ASSERT_NE(c, nullptr) << id;
    const auto area = editor.getLocalArea(c, c->getLocalBounds());
    const auto stats = statsOf(image, area);
    // Drawn panels, not the bare background, and something drawn on them (labels, knobs, keys).
    EXPECT_GT(stats.differsFromBackground, 0.5) << id;
    EXPECT_GT(stats.stddev, 8.0) << id;
  }
  const auto out = juce::File(juce::String(std::getenv("MIDISTEMS_BUILD_DIR") ? std::getenv("MIDISTEMS_BUILD_DIR")
                                                                              : "."))
                       .getChildFile("plugin-editor.png");
  out.deleteFile();
  juce::FileOutputStream stream(out);
  ASSERT_TRUE(stream.openedOk());
  ASSERT_TRUE(juce::PNGImageFormat().writeImageToStream(image, stream));
  std::cout << "editor screenshot: " << out.getFullPathName() << "\n";
}

void expectEverythingInsideAtEverySize(EditorModel& model) {
  auto owner = makeEditor(model);
  auto& editor = dynamic_cast<Editor&>(*owner);
  expectEverythingInside(editor, model, "at the default size");

  // The window keeps its aspect ratio between its limits, however it is dragged.
  auto* constrainer = editor.getConstrainer();
  ASSERT_NE(constrainer, nullptr);
  const double aspect = double(Editor::kDesignWidth) / Editor::kDesignHeight;
  for (auto request : {juce::Rectangle<int>(0, 0, 200, 150), juce::Rectangle<int>(0, 0, 5000, 3000),
                       juce::Rectangle<int>(0, 0, 1300, 700)}) {
    auto r = request;
    constrainer->checkBounds(r, editor.getBounds(), juce::Desktop::getInstance().getDisplays().getTotalBounds(true),
                             false, false, true, true);
    editor.setSize(r.getWidth(), r.getHeight());
    EXPECT_GE(editor.getWidth(), int(Editor::kDesignWidth * Editor::kMinScale) - 1);
    EXPECT_LE(editor.getWidth(), int(Editor::kDesignWidth * Editor::kMaxScale) + 1);
    EXPECT_NEAR(double(editor.getWidth()) / editor.getHeight(), aspect, 0.01);
    expectEverythingInside(editor, model, ("at " + r.toString()).toRawUTF8());
  }
  editor.setSize(int(Editor::kDesignWidth * Editor::kMinScale), int(Editor::kDesignHeight * Editor::kMinScale));
  expectEverythingInside(editor, model, "at the minimum");
  editor.setSize(int(Editor::kDesignWidth * Editor::kMaxScale), int(Editor::kDesignHeight * Editor::kMaxScale));
  expectEverythingInside(editor, model, "at the maximum");
}

TEST(Editor, EveryHostParameterHasOneVisibleControlAtEverySize) {
  REQUIRE_DISPLAY();
  Processor processor;
  expectEverythingInsideAtEverySize(processor);
}

// The table is growing (more LFOs, 32 slots, macros, new effects): the editor takes it unchanged.
TEST(Editor, EveryHostParameterOfALongerTableHasOneVisibleControlAtEverySize) {
  REQUIRE_DISPLAY();
  RecordingModel model(true);
  expectEverythingInsideAtEverySize(model);
}

ParamControl* controlFor(Editor& editor, const juce::String& id) {
  for (auto* c : editor.controls())
    if (c->paramId() == id) return c;
  return nullptr;
}

TEST(Editor, MidiLearnThroughTheMenuCallsTheModelAndShowsTheCc) {
  REQUIRE_DISPLAY();
  RecordingModel model;
  auto owner = makeEditor(model);
  auto& editor = dynamic_cast<Editor&>(*owner);
  auto* cutoff = controlFor(editor, "filter_cutoff");
  ASSERT_NE(cutoff, nullptr);

  auto texts = [](juce::PopupMenu menu) {
    std::map<int, std::pair<juce::String, bool>> out;
    for (juce::PopupMenu::MenuItemIterator it(menu); it.next();)
      out[it.getItem().itemID] = {it.getItem().text, it.getItem().isEnabled};
    return out;
  };
  auto items = texts(cutoff->learnMenu());
  EXPECT_EQ(items[ParamControl::kLearn].first, "MIDI learn");
  EXPECT_FALSE(items[ParamControl::kClearLearn].second);

  cutoff->handleLearnMenu(ParamControl::kLearn);
  EXPECT_EQ(model.midiLearnTarget(), "filter_cutoff");
  EXPECT_TRUE(cutoff->learning());
  EXPECT_EQ(texts(cutoff->learnMenu())[ParamControl::kCancelLearn].first, "Cancel MIDI learn");

  model.receiveCc(74);
  for (int i = 0; i < 3; ++i) editor.tick(1.0f / 30);
  EXPECT_FALSE(cutoff->learning());
  EXPECT_EQ(cutoff->boundCc(), 74);
  items = texts(cutoff->learnMenu());
  EXPECT_EQ(items[ParamControl::kClearLearn].first, "Clear MIDI learn (CC 74)");
  EXPECT_TRUE(items[ParamControl::kClearLearn].second);
  cutoff->handleLearnMenu(ParamControl::kClearLearn);
  EXPECT_EQ(model.midiLearnCc("filter_cutoff"), -1);
  EXPECT_EQ(cutoff->boundCc(), -1);

  // Every kind of control has the menu, from the keyboard too (Shift+F10).
  for (const char* id : {"filter_type", "chorus_on", "mod1_amount"}) {
    auto* c = controlFor(editor, id);
    ASSERT_NE(c, nullptr) << id;
    EXPECT_TRUE(c->widget().keyPressed(juce::KeyPress(juce::KeyPress::F10Key, juce::ModifierKeys::shiftModifier, 0)))
        << id;
    juce::PopupMenu::dismissAllActiveMenus();
    c->handleLearnMenu(ParamControl::kLearn);
    EXPECT_EQ(model.midiLearnTarget(), id);
  }
  model.cancelMidiLearn();
}

TEST(Editor, MidiLearnOnTheRealProcessorBindsTheNextCc) {
  REQUIRE_DISPLAY();
  Processor processor;
  processor.setPlayConfigDetails(0, 2, 48000.0, 256);
  processor.prepareToPlay(48000.0, 256);
  auto owner = makeEditor(processor);
  auto& editor = dynamic_cast<Editor&>(*owner);
  auto* resonance = controlFor(editor, "filter_resonance");
  ASSERT_NE(resonance, nullptr);
  resonance->handleLearnMenu(ParamControl::kLearn);
  EXPECT_EQ(processor.midiLearnTarget(), "filter_resonance");
  juce::AudioBuffer<float> buffer(2, 256);
  juce::MidiBuffer midi;
  midi.addEvent(juce::MidiMessage::controllerEvent(1, 71, 100), 10);
  processor.processBlock(buffer, midi);
  for (int i = 0; i < 3; ++i) editor.tick(1.0f / 30);
  EXPECT_EQ(resonance->boundCc(), 71);
  EXPECT_FALSE(resonance->learning());
  resonance->handleLearnMenu(ParamControl::kClearLearn);
  EXPECT_EQ(processor.midiLearnCc("filter_resonance"), -1);
}

TEST(Editor, KnobsShowUnitsTooltipsAndMoveWithArrowKeys) {
  REQUIRE_DISPLAY();
  RecordingModel model;
  auto owner = makeEditor(model);
  auto& editor = dynamic_cast<Editor&>(*owner);
  auto* cutoff = controlFor(editor, "filter_cutoff");
  ASSERT_NE(cutoff, nullptr);
  auto& slider = dynamic_cast<juce::Slider&>(cutoff->widget());
  EXPECT_TRUE(slider.getTextFromValue(slider.getValue()).endsWith("Hz")) << slider.getTextFromValue(slider.getValue());
  EXPECT_TRUE(slider.getTooltip().startsWith("Filter cutoff"));
  EXPECT_TRUE(slider.getWantsKeyboardFocus());
  auto* param = model.parameter("filter_cutoff");
  const float before = param->getValue();
  EXPECT_TRUE(slider.keyPressed(juce::KeyPress(juce::KeyPress::upKey)));
  EXPECT_GT(param->getValue(), before);
  EXPECT_TRUE(slider.keyPressed(juce::KeyPress(juce::KeyPress::downKey)));
  EXPECT_TRUE(slider.keyPressed(juce::KeyPress(juce::KeyPress::downKey)));
  EXPECT_LT(param->getValue(), before);
  // A host automating the parameter moves the knob.
  param->setValueNotifyingHost(0.25f);
  EXPECT_NEAR(param->convertTo0to1(float(slider.getValue())), 0.25f, 1e-3f);
  // Tab reaches every control (the canvas is the keyboard focus container).
  std::set<juce::Component*> tabbable;
  for (auto* c : juce::KeyboardFocusTraverser().getAllComponents(&editor.canvas())) tabbable.insert(c);
  for (auto* control : editor.controls()) EXPECT_TRUE(tabbable.count(&control->widget()) == 1) << control->paramId();
  EXPECT_TRUE(tabbable.count(&editor.keyboard()) == 1);
  EXPECT_TRUE(tabbable.count(&editor.presets().search()) == 1);
  auto* attack = controlFor(editor, "amp_env_attack");
  ASSERT_NE(attack, nullptr);
  auto& attackSlider = dynamic_cast<juce::Slider&>(attack->widget());
  EXPECT_TRUE(attackSlider.getTextFromValue(attackSlider.getValue()).endsWith(" s"));
}

// What a host hears: values and the begin/end of each change gesture.
struct HostListener : juce::AudioProcessorListener {
  juce::StringArray events;
  void audioProcessorParameterChanged(juce::AudioProcessor*, int index, float) override { events.add("change " + juce::String(index)); }
  void audioProcessorChanged(juce::AudioProcessor*, const ChangeDetails&) override {}
  void audioProcessorParameterChangeGestureBegin(juce::AudioProcessor*, int index) override { events.add("begin " + juce::String(index)); }
  void audioProcessorParameterChangeGestureEnd(juce::AudioProcessor*, int index) override { events.add("end " + juce::String(index)); }
};

TEST(Editor, DraggingAKnobIsOneGestureForTheHost) {
  REQUIRE_DISPLAY();
  Processor processor;
  auto owner = makeEditor(processor);
  auto& editor = dynamic_cast<Editor&>(*owner);
  auto* cutoff = controlFor(editor, "filter_cutoff");
  ASSERT_NE(cutoff, nullptr);
  auto& slider = dynamic_cast<juce::Slider&>(cutoff->widget());
  const int index = processor.parameter("filter_cutoff")->getParameterIndex();
  HostListener host;
  processor.addListener(&host);
  auto source = juce::Desktop::getInstance().getMainMouseSource();
  const auto now = juce::Time::getCurrentTime();
  const auto start = slider.getLocalBounds().getCentre().toFloat();
  auto event = [&](juce::Point<float> at, juce::ModifierKeys mods, bool dragged) {
    return juce::MouseEvent(source, at, mods, 1.0f, 0, 0, 0, 0, &slider, &slider, now, start, now, 1, dragged);
  };
  slider.mouseDown(event(start, juce::ModifierKeys::leftButtonModifier, false));
  slider.mouseDrag(event(start.translated(0, -40), juce::ModifierKeys::leftButtonModifier, true));
  slider.mouseUp(event(start.translated(0, -40), juce::ModifierKeys(), true));
  processor.removeListener(&host);
  ASSERT_GE(host.events.size(), 3) << host.events.joinIntoString(", ");
  EXPECT_EQ(host.events[0], "begin " + juce::String(index));
  EXPECT_TRUE(host.events.contains("change " + juce::String(index)));
  EXPECT_EQ(host.events[host.events.size() - 1], "end " + juce::String(index));
  // A right-click opens the MIDI learn menu and changes nothing.
  host.events.clear();
  processor.addListener(&host);
  slider.mouseDown(event(start, juce::ModifierKeys::rightButtonModifier, false));
  slider.mouseUp(event(start, juce::ModifierKeys(), false));
  juce::PopupMenu::dismissAllActiveMenus();
  processor.removeListener(&host);
  EXPECT_TRUE(host.events.isEmpty()) << host.events.joinIntoString(", ");
}

TEST(Editor, OnScreenKeyboardPlaysIntoTheModelsKeyboardState) {
  REQUIRE_DISPLAY();
  RecordingModel model;
  auto owner = makeEditor(model);
  auto& editor = dynamic_cast<Editor&>(*owner);
  editor.addToDesktop(0);  // mouse hits are tested against a window
  auto& keyboard = editor.keyboard();
  const auto key = keyboard.getRectangleForKey(60);
  ASSERT_FALSE(key.isEmpty());
  const auto at = juce::Point<float>(key.getCentreX(), key.getBottom() - 4.0f);
  auto source = juce::Desktop::getInstance().getMainMouseSource();
  const auto now = juce::Time::getCurrentTime();
  const juce::MouseEvent down(source, at, juce::ModifierKeys::leftButtonModifier, 1.0f, 0, 0, 0, 0, &keyboard,
                              &keyboard, now, at, now, 1, false);
  keyboard.mouseDown(down);
  EXPECT_TRUE(model.keyboardState().isNoteOn(1, 60));
  const juce::MouseEvent up(source, at, juce::ModifierKeys(), 0.0f, 0, 0, 0, 0, &keyboard, &keyboard, now, at, now, 1,
                            false);
  keyboard.mouseUp(up);
  EXPECT_FALSE(model.keyboardState().isNoteOn(1, 60));
  // The computer keys reach the keyboard from anywhere in the editor ("a" is middle C).
  EXPECT_TRUE(editor.keyPressed(juce::KeyPress('a')));
  EXPECT_FALSE(editor.keyPressed(juce::KeyPress('x')));
}

TEST(Editor, PresetBrowserFiltersByCategoryAndSearchAndLoads) {
  REQUIRE_DISPLAY();
  RecordingModel model;
  auto owner = makeEditor(model);
  auto& editor = dynamic_cast<Editor&>(*owner);
  auto& presets = editor.presets();
  EXPECT_EQ(presets.categories(), juce::StringArray({"bass", "keys", "pad", "user"}));
  EXPECT_EQ(presets.shownNames().size(), 5);
  presets.setCategory("bass");
  EXPECT_EQ(presets.shownNames(), juce::StringArray({"Warm Bass", "Acid Line"}));
  presets.setSearch("303");
  EXPECT_EQ(presets.shownNames(), juce::StringArray({"Acid Line"}));
  presets.setSearch("");
  presets.setCategory("");
  presets.setSearch("warm");  // names and tags
  EXPECT_EQ(presets.shownNames(), juce::StringArray({"Warm Bass", "Soft Pad"}));

  // Enter in the list loads the selected row.
  presets.list().selectRow(1);
  EXPECT_TRUE(presets.list().keyPressed(juce::KeyPress(juce::KeyPress::returnKey)));
  EXPECT_EQ(model.loadCalls.strings.getLast(), "Soft Pad");
  EXPECT_EQ(model.currentPresetName(), "Soft Pad");
  EXPECT_TRUE(presets.errorText().isEmpty());

  presets.setSearch("");
  EXPECT_FALSE(presets.load("Broken"));
  EXPECT_TRUE(presets.errorText().contains("not a number")) << presets.errorText();
  EXPECT_FALSE(presets.errorText().containsChar('\n'));
  EXPECT_EQ(model.currentPresetName(), "Soft Pad");
  presets.step(-1);
  EXPECT_TRUE(presets.errorText().isEmpty());
  EXPECT_EQ(model.currentPresetName(), "Glass Keys");
}

TEST(Editor, MeterHoldsPeaksAndTheXrunCounterShowsOnlyWhenCounted) {
  REQUIRE_DISPLAY();
  RecordingModel model;
  auto owner = makeEditor(model);
  auto& editor = dynamic_cast<Editor&>(*owner);
  EXPECT_FALSE(editor.xruns().isVisible());
  model.xruns = 3;
  editor.tick(1.0f / 30);
  EXPECT_TRUE(editor.xruns().isVisible());
  EXPECT_EQ(editor.xruns().getText(), "3 xruns");

  auto& meter = editor.meter();
  model.peaks = {1.0f, 0.5f};
  editor.tick(1.0f / 30);
  EXPECT_NEAR(meter.levelDb(0), 0.0f, 0.01f);
  EXPECT_NEAR(meter.levelDb(1), -6.02f, 0.01f);
  model.peaks = {0.0f, 0.0f};
  editor.tick(1.0f);  // the bar falls, the hold stays
  EXPECT_NEAR(meter.levelDb(0), -24.0f, 0.01f);
  EXPECT_NEAR(meter.holdDb(0), 0.0f, 0.01f);
  editor.tick(1.0f);  // past the hold time the mark falls too
  EXPECT_LT(meter.holdDb(0), -1.0f);
  for (int i = 0; i < 10; ++i) editor.tick(1.0f);
  EXPECT_EQ(meter.levelDb(0), OutputMeter::kFloorDb);
}

}  // namespace
}  // namespace midistems::plugin::gui
