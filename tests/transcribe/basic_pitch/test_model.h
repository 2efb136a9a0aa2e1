#pragma once
// Shared by the basic-pitch test files: the model loaded once, and max-abs-error helpers.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core/error.h"
#include "transcribe/basic_pitch/basic_pitch.h"

namespace midistems::testing {

// The installed npm model (scripts/setup.sh) loaded once; `loadError` says why it is absent. A
// missing model skips the tests; a model that is installed but fails to load fails them.
struct SharedBasicPitchModel {
  std::optional<transcribe::BasicPitchModel> model;
  bool installed = false;
  std::string loadError;
};

inline const SharedBasicPitchModel& sharedBasicPitchModel() {
  static const SharedBasicPitchModel shared = [] {
    SharedBasicPitchModel s;
    std::filesystem::path dir;
    try {
      dir = transcribe::BasicPitchModel::defaultModelDir();
    } catch (const Error& e) {
      s.loadError = e.what();
      return s;
    }
    s.installed = true;
    try {
      s.model.emplace(transcribe::BasicPitchModel::load(dir));
    } catch (const Error& e) {
      s.loadError = e.what();
    }
    return s;
  }();
  return shared;
}

#define MIDISTEMS_REQUIRE_BASIC_PITCH_MODEL(var)                                                       \
  const auto& var##Shared = ::midistems::testing::sharedBasicPitchModel();                           \
  if (!var##Shared.installed) GTEST_SKIP() << "SKIPPED: " << var##Shared.loadError;                 \
  ASSERT_TRUE(var##Shared.model.has_value()) << var##Shared.loadError;                              \
  [[maybe_unused]] const auto* var = &*var##Shared.model

// Max |a - b| over the first n values of each (rows of width `width` taken from both).
inline double maxAbsError(const float* a, const float* b, size_t n) {
  double worst = 0;
  for (size_t i = 0; i < n; ++i) {
    const double d = std::fabs(double(a[i]) - double(b[i]));
    if (!(d <= worst)) worst = d;  // NaN propagates as a failure
  }
  return worst;
}

}  // namespace midistems::testing
