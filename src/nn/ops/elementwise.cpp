#include "nn/ops/elementwise.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "nn/ops/elementwise_isa.h"
#include "nn/ops/parallel.h"

namespace midistems::nn {

const ElementwiseKernels& elementwiseKernels(IsaLevel level) {
#if defined(MIDISTEMS_HAVE_ISA_AVX512)
  if (level == IsaLevel::Avx512) return isa_avx512::kElementwiseKernels;
#endif
  (void)level;
  return isa_baseline::kElementwiseKernels;
}

namespace {

constexpr int64_t kGrain = 1 << 15;  // elements per parallel task for element-wise work

const ElementwiseKernels& active() {
  static const ElementwiseKernels& kernels = elementwiseKernels(activeIsaLevel());
  return kernels;
}

}  // namespace

void gelu(float* x, int64_t n) {
  const int64_t tasks = (n + kGrain - 1) / kGrain;
  parallelFor(tasks, [&](int64_t t) {
    const int64_t begin = t * kGrain;
    active().gelu(x + begin, std::min(kGrain, n - begin));
  });
}

void tanhInPlace(float* x, int64_t n) {
  const int64_t tasks = (n + kGrain - 1) / kGrain;
  parallelFor(tasks, [&](int64_t t) {
    const int64_t begin = t * kGrain;
    active().tanh(x + begin, std::min(kGrain, n - begin));
  });
}

void rmsNorm(const float* x, int64_t rows, int64_t dim, int64_t ldx, const float* gamma, float* y, int64_t ldy) {
  const float scale = float(std::sqrt(double(dim)));
  const int64_t rowsPerTask = std::max<int64_t>(1, kGrain / std::max<int64_t>(1, dim));
  parallelFor((rows + rowsPerTask - 1) / rowsPerTask, [&](int64_t task) {
    const int64_t end = std::min(rows, (task + 1) * rowsPerTask);
    for (int64_t r = task * rowsPerTask; r < end; ++r) {
      const float* a = x + r * ldx;
      const float norm = std::max(float(std::sqrt(active().squares(a, dim))), 1e-12f);
      active().scaleByVector(a, dim, scale / norm, gamma, y + r * ldy);
    }
  });
}

void rotaryPairs(float* x, int64_t rows, int64_t width, int64_t ld, const float* c, const float* s,
                 int64_t positions, int64_t tableWidth, int64_t positionStride) {
  const int64_t rowsPerTask = std::max<int64_t>(1, kGrain / std::max<int64_t>(1, width));
  parallelFor((rows + rowsPerTask - 1) / rowsPerTask, [&](int64_t task) {
    const int64_t end = std::min(rows, (task + 1) * rowsPerTask);
    for (int64_t r = task * rowsPerTask; r < end; ++r) {
      const int64_t p = (r / positionStride) % positions;
      for (int64_t i = 0; i < width; i += tableWidth)
        active().rotatePairs(x + r * ld + i, tableWidth, c + p * tableWidth / 2, s + p * tableWidth / 2);
    }
  });
}

void applyActivation(Activation act, float* x, int64_t n) {
  if (act == Activation::kGelu) gelu(x, n);
}

void glu(const float* in, int64_t channels, int64_t length, int64_t ldIn, float* out, int64_t ldOut) {
  for (int64_t c = 0; c < channels; ++c) active().glu(in + c * ldIn, in + (channels + c) * ldIn, length, out + c * ldOut);
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
    active().sumAndSquares(p + begin, end - begin, &sums[size_t(task)], &squares[size_t(task)]);
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
    active().scaleShift(p + begin, end - begin, scale, shift);
    if (after == Activation::kGelu) active().gelu(p + begin, end - begin);
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
      active().sumAndSquares(in, dim, &s, &q);
      const double mean = s / double(dim);
      const double var = std::max(0.0, q / double(dim) - mean * mean);
      const float rstd = float(1.0 / std::sqrt(var + double(eps)));
      active().normalize(in, dim, float(mean), rstd, gamma, beta, out);
    }
  });
}

void softmaxRows(float* x, int64_t rows, int64_t cols, int64_t ld) {
  std::vector<float> sums(static_cast<size_t>(rows));
  softmaxRowsUnnormalised(x, rows, cols, ld, sums.data());
  for (int64_t r = 0; r < rows; ++r) active().scale(x + r * ld, cols, 1.0f / sums[size_t(r)]);
}

void softmaxRowsUnnormalised(float* x, int64_t rows, int64_t cols, int64_t ld, float* sums) {
  for (int64_t r = 0; r < rows; ++r) sums[r] = active().expMinusMax(x + r * ld, cols);
}

void gluScaleAdd(const float* g, int64_t batch, int64_t channels, int64_t length, const float* scale, float* x) {
  const int64_t lengthChunks = std::max<int64_t>(1, length / kGrain);
  const int64_t chunk = (length + lengthChunks - 1) / lengthChunks;
  parallelFor(batch * channels * lengthChunks, [&](int64_t task) {
    const int64_t row = task / lengthChunks, part = task % lengthChunks;
    const int64_t b = row / channels, c = row % channels;
    const float* a = g + (b * 2 * channels + c) * length;
    const float* gate = a + channels * length;
    const int64_t begin = part * chunk, end = std::min(length, begin + chunk);
    active().gluScaleAdd(a + begin, gate + begin, end - begin, scale[c], x + row * length + begin);
  });
}

}  // namespace midistems::nn
