#pragma once
// Denormal protection for process calls.
#if defined(__SSE__)
#include <xmmintrin.h>
#endif

namespace midistems::synth {

// Flush denormals to zero (FTZ) and treat denormal inputs as zero (DAZ) for the duration of a
// process call: decaying filters and reverb tails otherwise fall into denormals, which cost up to
// a hundred times more per operation on x86.
class DenormalGuard {
 public:
#if defined(__SSE__)
  DenormalGuard() : saved_(_mm_getcsr()) { _mm_setcsr(saved_ | 0x8040u); }
  ~DenormalGuard() { _mm_setcsr(saved_); }

 private:
  unsigned saved_;
#elif defined(__aarch64__)
  DenormalGuard() {
    __asm__ __volatile__("mrs %0, fpcr" : "=r"(saved_));
    __asm__ __volatile__("msr fpcr, %0" ::"r"(saved_ | (1ull << 24)));
  }
  ~DenormalGuard() { __asm__ __volatile__("msr fpcr, %0" ::"r"(saved_)); }

 private:
  unsigned long long saved_;
#endif
};

}  // namespace midistems::synth
