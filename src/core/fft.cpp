#include "core/fft.h"

#include <fftw3.h>

#include <cstring>
#include <mutex>
#include <vector>

#include "core/error.h"

namespace midistems {

namespace {
// FFTW's planner is not thread-safe; executing a plan is.
std::mutex& plannerMutex() {
  static std::mutex m;
  return m;
}
}  // namespace

struct RealFft::Impl {
  fftwf_plan forwardPlan = nullptr;
  fftwf_plan inversePlan = nullptr;
};

RealFft::RealFft(int size) : n_(size), impl_(std::make_unique<Impl>()) {
  if (size < 2) throw Error("FFT size must be at least 2");
  std::vector<float> re(size_t(size) + 4);
  std::vector<std::complex<float>> cx(size_t(size / 2 + 1) + 2);
  std::lock_guard<std::mutex> lock(plannerMutex());
  const unsigned flags = FFTW_ESTIMATE | FFTW_UNALIGNED;
  impl_->forwardPlan = fftwf_plan_dft_r2c_1d(size, re.data(),
                                             reinterpret_cast<fftwf_complex*>(cx.data()), flags);
  impl_->inversePlan = fftwf_plan_dft_c2r_1d(size, reinterpret_cast<fftwf_complex*>(cx.data()),
                                             re.data(), flags | FFTW_PRESERVE_INPUT);
  if (!impl_->inversePlan) {
    // FFTW cannot preserve the input of multi-dimensional c2r transforms; 1-D is fine, but be safe.
    impl_->inversePlan = fftwf_plan_dft_c2r_1d(size, reinterpret_cast<fftwf_complex*>(cx.data()),
                                               re.data(), flags);
  }
  if (!impl_->forwardPlan || !impl_->inversePlan) throw Error("FFTW could not plan a transform");
}

RealFft::~RealFft() {
  std::lock_guard<std::mutex> lock(plannerMutex());
  if (impl_->forwardPlan) fftwf_destroy_plan(impl_->forwardPlan);
  if (impl_->inversePlan) fftwf_destroy_plan(impl_->inversePlan);
}

void RealFft::forward(const float* in, std::complex<float>* out) const {
  fftwf_execute_dft_r2c(impl_->forwardPlan, const_cast<float*>(in),
                        reinterpret_cast<fftwf_complex*>(out));
}

void RealFft::inverse(const std::complex<float>* in, float* out) const {
  fftwf_execute_dft_c2r(impl_->inversePlan,
                        reinterpret_cast<fftwf_complex*>(const_cast<std::complex<float>*>(in)), out);
}

}  // namespace midistems
