// The standalone app: JUCE's standalone window (audio and MIDI device selection: ALSA, JACK)
// around the plugin, plus the xrun counter the editor shows and recovery of a device that stops.
#include <juce_audio_plugin_client/juce_audio_plugin_client.h>
#include <juce_audio_utils/juce_audio_utils.h>
#include <juce_audio_plugin_client/Standalone/juce_StandaloneFilterWindow.h>

#include "plugin/processor.h"

namespace midistems::plugin {
namespace {

class StandaloneApp final : public juce::JUCEApplication, private juce::Timer {
 public:
  StandaloneApp() {
    juce::PropertiesFile::Options options;
    options.applicationName = getApplicationName();
    options.filenameSuffix = ".settings";
    options.folderName = "~/.config";
    properties_.setStorageParameters(options);
  }

  const juce::String getApplicationName() override { return JucePlugin_Name; }
  const juce::String getApplicationVersion() override { return JucePlugin_VersionString; }
  bool moreThanOneInstanceAllowed() override { return true; }
  void anotherInstanceStarted(const juce::String&) override {}

  void initialise(const juce::String&) override {
    window_ = std::make_unique<juce::StandaloneFilterWindow>(
        getApplicationName(),
        juce::LookAndFeel::getDefaultLookAndFeel().findColour(juce::ResizableWindow::backgroundColourId),
        properties_.getUserSettings(), false);
    auto& devices = window_->getDeviceManager();
    if (auto* processor = dynamic_cast<Processor*>(window_->getAudioProcessor()))
      processor->setXrunSource([&devices] { return devices.getXRunCount(); });
    window_->setVisible(true);
    startTimer(500);
  }

  void shutdown() override {
    stopTimer();
    if (auto* processor = dynamic_cast<Processor*>(window_->getAudioProcessor())) processor->setXrunSource({});
    window_ = nullptr;
    properties_.saveIfNeeded();
  }

  void systemRequestedQuit() override {
    if (window_ != nullptr) window_->pluginHolder->savePluginState();
    quit();
  }

 private:
  // Recovery: an open device that stopped on its own (a JACK server that went away and came
  // back, an ALSA device that failed after an xrun it could not recover from) is reopened with
  // the same settings. A device the user closed is not open, so it is left alone.
  void timerCallback() override {
    auto& devices = window_->getDeviceManager();
    auto* device = devices.getCurrentAudioDevice();
    if (device != nullptr && device->isOpen() && !device->isPlaying()) {
      if (++stoppedTicks_ >= 2) {
        stoppedTicks_ = 0;
        devices.restartLastAudioDevice();
      }
    } else {
      stoppedTicks_ = 0;
    }
  }

  juce::ApplicationProperties properties_;
  std::unique_ptr<juce::StandaloneFilterWindow> window_;
  int stoppedTicks_ = 0;
};

}  // namespace
}  // namespace midistems::plugin

#if JucePlugin_Build_Standalone
juce::JUCEApplicationBase* juce_CreateApplication() { return new midistems::plugin::StandaloneApp(); }
#endif
