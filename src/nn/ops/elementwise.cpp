#include "nn/ops/elementwise.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "nn/ops/parallel.h"

// glibc's vector math library (libmvec) has SIMD versions of erff and expf; its own header only
// announces them under -ffast-math, which we do not want (it would reorder our reductions), so
// they are announced here and used from `omp simd` loops. Accuracy: within a few ulp.
extern "C" {
#pragma omp declare simd notinbranch
float erff(float) noexcept;
#pragma omp declare simd notinbranch
float expf(float) noexcept;
}

namespace midistems::nn {
namespace {

constexpr int64_t kGrain = 1 << 15;  // elements per parallel task for element-wise work

inline float sigmoid(float v) { return 1.0f / (1.0f + expf(-v)); }

void geluRange(float* x, int64_t n) {
  constexpr float kInvSqrt2 = 0.70710678118654752f;
#pragma omp simd
  for (int64_t i = 0; i < n; ++i) x[i] = 0.5f * x[i] * (1.0f + erff(x[i] * kInvSqrt2));
}

}  // namespace

void gelu(float* x, int64_t n) {
  const int64_t tasks = (n + kGrain - 1) / kGrain;
  parallelFor(tasks, [&](int64_t t) {
    const int64_t begin = t * kGrain;
    geluRange(x + begin, std::min(kGrain, n - begin));
  });
}

void applyActivation(Activation act, float* x, int64_t n) {
  if (act == Activation::kGelu) gelu(x, n);
}

void glu(const float* in, int64_t channels, int64_t length, int64_t ldIn, float* out, int64_t ldOut) {
  for (int64_t c = 0; c < channels; ++c) {
    const float* a = in + c * ldIn;
    const float* b = in + (channels + c) * ldIn;
    float* o = out + c * ldOut;
#pragma omp simd
    for (int64_t t = 0; t < length; ++t) o[t] = a[t] * sigmoid(b[t]);
  }
}

void groupNorm(float* x, int64_t batch, int64_t channels, int64_t length, int64_t groups, const float* gamma,
               const float* beta, float eps, Activation after) {
  const int64_t perGroup = channels / groups;
  const int64_t groupSize = perGroup * length;
  const int64_t planes = batch * groups;
  // Statistics: split each group into chunks so a single huge group still uses every thread;
  // partial sums are combined in a fixed order, independent of the thread count.
  const int64_t chunksPerGroup = std::max<int64_t>(1, groupSize / (1 << 16));
  const int64_t chunkLen = (groupSize + chunksPerGroup - 1) / chunksPerGroup;
  std::vector<double> sums(static_cast<size_t>(planes * chunksPerGroup)), squares(static_cast<size_t>(planes * chunksPerGroup));
  parallelFor(planes * chunksPerGroup, [&](int64_t task) {
    const int64_t plane = task / chunksPerGroup, chunk = task % chunksPerGroup;
    const float* p = x + plane * groupSize;
    const int64_t begin = chunk * chunkLen, end = std::min(groupSize, begin + chunkLen);
    double s = 0.0, q = 0.0;
#pragma omp simd reduction(+ : s, q)
    for (int64_t i = begin; i < end; ++i) {
      const double v = p[i];
      s += v;
      q += v * v;
    }
    sums[size_t(task)] = s;
    squares[size_t(task)] = q;
  });
  std::vector<float> means(static_cast<size_t>(planes)), rstds(static_cast<size_t>(planes));
  for (int64_t plane = 0; plane < planes; ++plane) {
    double s = 0.0, q = 0.0;
    for (int64_t c = 0; c < chunksPerGroup; ++c) {
      s += sums[size_t(plane * chunksPerGroup + c)];
      q += squares[size_t(plane * chunksPerGroup + c)];
    }
    const double mean = s / double(groupSize);
    const double var = std::max(0.0, q / double(groupSize) - mean * mean);  // biased, as torch
    means[size_t(plane)] = float(mean);
    rstds[size_t(plane)] = float(1.0 / std::sqrt(var + double(eps)));
  }
  const int64_t lengthChunks = std::max<int64_t>(1, length / kGrain);
  const int64_t chunk = (length + lengthChunks - 1) / lengthChunks;
  parallelFor(batch * channels * lengthChunks, [&](int64_t task) {
    const int64_t row = task / lengthChunks, part = task % lengthChunks;
    const int64_t b = row / channels, c = row % channels;
    const int64_t plane = b * groups + c / perGroup;
    const float scale = rstds[size_t(plane)] * (gamma ? gamma[c] : 1.0f);
    const float shift = (beta ? beta[c] : 0.0f) - means[size_t(plane)] * scale;
    float* p = x + row * length;
    const int64_t begin = part * chunk, end = std::min(length, begin + chunk);
#pragma omp simd
    for (int64_t t = begin; t < end; ++t) p[t] = p[t] * scale + shift;
    if (after == Activation::kGelu) geluRange(p + begin, end - begin);
  });
}

void layerNorm(const float* x, int64_t rows, int64_t dim, const float* gamma, const float* beta, float eps, float* y) {
  const int64_t rowsPerTask = 16;
  parallelFor((rows + rowsPerTask - 1) / rowsPerTask, [&](int64_t task) {
    const int64_t end = std::min(rows, (task + 1) * rowsPerTask);
    for (int64_t r = task * rowsPerTask; r < end; ++r) {
      const float* in = x + r * dim;
      float* out = y + r * dim;
      double s = 0.0, q = 0.0;
#pragma omp simd reduction(+ : s, q)
      for (int64_t i = 0; i < dim; ++i) {
        s += in[i];
        q += double(in[i]) * in[i];
      }
      const double mean = s / double(dim);
      const double var = std::max(0.0, q / double(dim) - mean * mean);
      const float rstd = float(1.0 / std::sqrt(var + double(eps)));
      const float m = float(mean);
#pragma omp simd
      for (int64_t i = 0; i < dim; ++i) out[i] = (in[i] - m) * rstd * gamma[i] + beta[i];
    }
  });
}

void softmaxRows(float* x, int64_t rows, int64_t cols, int64_t ld) {
  std::vector<float> sums(static_cast<size_t>(rows));
  softmaxRowsUnnormalised(x, rows, cols, ld, sums.data());
  for (int64_t r = 0; r < rows; ++r) {
    float* p = x + r * ld;
    const float inv = 1.0f / sums[size_t(r)];
#pragma omp simd
    for (int64_t i = 0; i < cols; ++i) p[i] *= inv;
  }
}

void softmaxRowsUnnormalised(float* x, int64_t rows, int64_t cols, int64_t ld, float* sums) {
  for (int64_t r = 0; r < rows; ++r) {
    float* p = x + r * ld;
    float maxValue = p[0];
#pragma omp simd reduction(max : maxValue)
    for (int64_t i = 0; i < cols; ++i) maxValue = p[i] > maxValue ? p[i] : maxValue;
    float sum = 0.0f;
#pragma omp simd reduction(+ : sum)
    for (int64_t i = 0; i < cols; ++i) {
      p[i] = expf(p[i] - maxValue);
      sum += p[i];
    }
    sums[r] = sum;
  }
}

void gluScaleAdd(const float* g, int64_t batch, int64_t channels, int64_t length, const float* scale, float* x) {
  const int64_t lengthChunks = std::max<int64_t>(1, length / kGrain);
  const int64_t chunk = (length + lengthChunks - 1) / lengthChunks;
  parallelFor(batch * channels * lengthChunks, [&](int64_t task) {
    const int64_t row = task / lengthChunks, part = task % lengthChunks;
    const int64_t b = row / channels, c = row % channels;
    const float* a = g + (b * 2 * channels + c) * length;
    const float* gate = a + channels * length;
    float* out = x + row * length;
    const float s = scale[c];
    const int64_t begin = part * chunk, end = std::min(length, begin + chunk);
#pragma omp simd
    for (int64_t t = begin; t < end; ++t) out[t] += s * (a[t] * sigmoid(gate[t]));
  });
}

}  // namespace midistems::nn
