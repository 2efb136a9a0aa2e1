#include "nn/ops/conv.h"

#include <algorithm>
#include <cstring>
#include <stdexcept>

#include "nn/ops/gemm.h"
#include "nn/ops/parallel.h"

namespace midistems::nn {
namespace {

int64_t ceilDiv(int64_t a, int64_t b) { return a >= 0 ? (a + b - 1) / b : -((-a) / b); }
int64_t floorDiv(int64_t a, int64_t b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }

// Columns per GEMM block: enough for oneDNN to reach its speed, small enough for the im2col
// buffer to stay in cache.
int64_t columnBlock(int64_t rowsOfB, int64_t total) {
  int64_t block = (int64_t(1) << 17) / std::max<int64_t>(1, rowsOfB);
  block = std::clamp<int64_t>(block, 256, 4096) / 16 * 16;
  return std::min(block, total);
}

// C (rows, n) with row stride ldc := bias broadcast along rows; returns the beta for the GEMM.
float initWithBias(float* c, int64_t rows, int64_t n, int64_t ldc, const float* bias) {
  if (!bias) return 0.0f;
  for (int64_t r = 0; r < rows; ++r) std::fill(c + r * ldc, c + r * ldc + n, bias[r]);
  return 1.0f;
}

void activateRows(Activation act, float* c, int64_t rows, int64_t n, int64_t ldc) {
  if (act == Activation::kNone) return;
  for (int64_t r = 0; r < rows; ++r) gelu(c + r * ldc, n);
}

// Copies x[t * 1 + shift] for t in [0, n) (zero outside [0, length)) into dst.
void copyShifted(const float* x, int64_t length, int64_t shift, int64_t n, float* dst) {
  const int64_t lo = std::clamp<int64_t>(-shift, 0, n);
  const int64_t hi = std::clamp<int64_t>(length - shift, lo, n);
  std::fill(dst, dst + lo, 0.0f);
  if (hi > lo) std::memcpy(dst + lo, x + lo + shift, size_t(hi - lo) * sizeof(float));
  std::fill(dst + hi, dst + n, 0.0f);
}

}  // namespace

void conv1d(const float* x, int64_t batch, int64_t length, const float* weight, const float* bias,
            const Conv1dParams& p, Epilogue epilogue, float* y) {
  const int64_t outLength = p.outputLength(length);
  if (outLength <= 0) throw std::invalid_argument("conv1d: input shorter than the kernel");
  const int64_t kdim = p.inChannels * p.kernel;
  const int64_t stored = epilogue == Epilogue::kGlu ? p.outChannels / 2 : p.outChannels;
  const bool direct = p.kernel == 1 && p.stride == 1 && p.padding == 0;
  const int64_t block = columnBlock(std::max(kdim, p.outChannels), outLength);
  const int64_t blocks = (outLength + block - 1) / block;
  parallelFor(batch * blocks, [&](int64_t task) {
    thread_local FloatVector columns, accumulator;
    const int64_t b = task / blocks, t0 = (task % blocks) * block;
    const int64_t n = std::min(block, outLength - t0);
    const float* xb = x + b * p.inChannels * length;
    const float* bMatrix = xb + t0;
    int64_t ldb = length;
    if (!direct) {
      columns.resize(size_t(kdim * n));
      for (int64_t ci = 0; ci < p.inChannels; ++ci)
        for (int64_t k = 0; k < p.kernel; ++k) {
          float* dst = columns.data() + (ci * p.kernel + k) * n;
          const float* src = xb + ci * length;
          const int64_t shift = t0 * p.stride + k * p.dilation - p.padding;
          if (p.stride == 1) {
            copyShifted(src, length, shift, n, dst);
          } else {
            for (int64_t j = 0; j < n; ++j) {
              const int64_t t = j * p.stride + shift;
              dst[j] = (t >= 0 && t < length) ? src[t] : 0.0f;
            }
          }
        }
      bMatrix = columns.data();
      ldb = n;
    }
    float* c;
    int64_t ldc;
    if (epilogue == Epilogue::kGlu) {
      accumulator.resize(size_t(p.outChannels * n));
      c = accumulator.data();
      ldc = n;
    } else {
      c = y + b * stored * outLength + t0;
      ldc = outLength;
    }
    const float beta = initWithBias(c, p.outChannels, n, ldc, bias);
    gemm(false, false, p.outChannels, n, kdim, 1.0f, weight, kdim, bMatrix, ldb, beta, c, ldc);
    if (epilogue == Epilogue::kGlu)
      glu(c, stored, n, ldc, y + b * stored * outLength + t0, outLength);
    else if (epilogue == Epilogue::kGelu)
      activateRows(Activation::kGelu, c, p.outChannels, n, ldc);
  });
}

FloatVector prepareConvTranspose1d(const float* weight, int64_t in, int64_t out, int64_t kernel) {
  // Row (co * kernel + k) of the prepared (out * kernel, in) matrix is weight[:, co, k].
  FloatVector prepared(size_t(out * kernel * in));
  for (int64_t ci = 0; ci < in; ++ci)
    for (int64_t co = 0; co < out; ++co)
      for (int64_t k = 0; k < kernel; ++k)
        prepared[size_t((co * kernel + k) * in + ci)] = weight[(ci * out + co) * kernel + k];
  return prepared;
}

void convTranspose1d(const float* x, int64_t length, const FloatVector& prepared, const float* bias, int64_t in,
                     int64_t out, int64_t kernel, int64_t stride, int64_t cropBegin, int64_t outLength,
                     Activation after, float* y) {
  // Output-centred blocks: each block computes the products of the inputs it depends on, so no
  // two tasks write the same output sample (a few columns at block edges are computed twice).
  const int64_t block = std::min<int64_t>(4096, outLength);
  const int64_t blocks = (outLength + block - 1) / block;
  parallelFor(blocks, [&](int64_t task) {
    thread_local FloatVector products;
    const int64_t o0 = task * block, o1 = std::min(outLength, o0 + block);
    const int64_t u0 = o0 + cropBegin, u1 = o1 + cropBegin;  // uncropped output positions
    const int64_t tiLo = std::max<int64_t>(0, ceilDiv(u0 - kernel + 1, stride));
    const int64_t tiHi = std::min<int64_t>(length - 1, floorDiv(u1 - 1, stride));
    for (int64_t co = 0; co < out; ++co) std::fill(y + co * outLength + o0, y + co * outLength + o1, bias ? bias[co] : 0.0f);
    if (tiHi >= tiLo) {
      const int64_t n = tiHi - tiLo + 1;
      products.resize(size_t(out * kernel * n));
      gemm(false, false, out * kernel, n, in, 1.0f, prepared.data(), in, x + tiLo, length, 0.0f, products.data(), n);
      for (int64_t co = 0; co < out; ++co) {
        float* dst = y + co * outLength - cropBegin;  // indexed by uncropped position
        for (int64_t k = 0; k < kernel; ++k) {
          const float* src = products.data() + (co * kernel + k) * n;
          for (int64_t j = 0; j < n; ++j) {
            const int64_t u = (tiLo + j) * stride + k;
            if (u >= u0 && u < u1) dst[u] += src[j];
          }
        }
      }
    }
    activateRows(after, y + o0, out, o1 - o0, outLength);
  });
}

FloatVector prepareConv2d(const float* weight, const Conv2dParams& p) {
  // [co][df][dt][ci]: for one output frequency the (df, dt, ci) rows of the im2col matrix are
  // contiguous, so frequency rows missing at the edges are simply left out of the product.
  const int64_t kf = p.kernelFreq, kt = p.kernelTime, in = p.inChannels;
  FloatVector prepared(size_t(p.outChannels * kf * kt * in));
  for (int64_t co = 0; co < p.outChannels; ++co)
    for (int64_t ci = 0; ci < in; ++ci)
      for (int64_t df = 0; df < kf; ++df)
        for (int64_t dt = 0; dt < kt; ++dt)
          prepared[size_t(((co * kf + df) * kt + dt) * in + ci)] = weight[((co * in + ci) * kf + df) * kt + dt];
  return prepared;
}

void conv2d(const float* x, int64_t freqs, int64_t frames, const FloatVector& prepared, const float* bias,
            const Conv2dParams& p, Epilogue epilogue, float* y) {
  const int64_t outFreqs = p.outputFreqs(freqs);
  const int64_t in = p.inChannels, out = p.outChannels, kf = p.kernelFreq, kt = p.kernelTime;
  const int64_t stored = epilogue == Epilogue::kGlu ? out / 2 : out;
  const int64_t plane = in * frames;
  parallelFor(outFreqs, [&](int64_t fo) {
    thread_local FloatVector columns, accumulator;
    const int64_t f0 = fo * p.strideFreq - p.padFreq;
    const int64_t dfLo = std::max<int64_t>(0, -f0), dfHi = std::min<int64_t>(kf, freqs - f0);
    const float* bMatrix;
    if (kt == 1 && p.padTime == 0) {
      bMatrix = x + (f0 + dfLo) * plane;
    } else {
      columns.resize(size_t((dfHi - dfLo) * kt * plane));
      for (int64_t df = dfLo; df < dfHi; ++df)
        for (int64_t dt = 0; dt < kt; ++dt)
          for (int64_t ci = 0; ci < in; ++ci)
            copyShifted(x + (f0 + df) * plane + ci * frames, frames, dt - p.padTime, frames,
                        columns.data() + (((df - dfLo) * kt + dt) * in + ci) * frames);
      bMatrix = columns.data();
    }
    float* c = epilogue == Epilogue::kGlu ? (accumulator.resize(size_t(out * frames)), accumulator.data())
                                          : y + fo * out * frames;
    const float beta = initWithBias(c, out, frames, frames, bias);
    gemm(false, false, out, frames, (dfHi - dfLo) * kt * in, 1.0f, prepared.data() + dfLo * kt * in, kf * kt * in,
         bMatrix, frames, beta, c, frames);
    if (epilogue == Epilogue::kGlu)
      glu(c, stored, frames, frames, y + fo * stored * frames, frames);
    else if (epilogue == Epilogue::kGelu)
      activateRows(Activation::kGelu, c, out, frames, frames);
  });
}

FloatVector prepareConvTransposeFreq(const float* weight, int64_t in, int64_t out, int64_t kernel, int64_t stride) {
  if (kernel % stride != 0) throw std::invalid_argument("convTransposeFreq: kernel must be a multiple of stride");
  // For output frequency u = q * stride + r the inputs are q - taps + 1 + m (m = 0 .. taps-1) with
  // kernel tap r + (taps - 1 - m) * stride; [r][co][m][ci] puts them in input order.
  const int64_t taps = kernel / stride;
  FloatVector prepared(size_t(stride * out * taps * in));
  for (int64_t r = 0; r < stride; ++r)
    for (int64_t co = 0; co < out; ++co)
      for (int64_t m = 0; m < taps; ++m)
        for (int64_t ci = 0; ci < in; ++ci)
          prepared[size_t(((r * out + co) * taps + m) * in + ci)] =
              weight[(ci * out + co) * kernel + r + (taps - 1 - m) * stride];
  return prepared;
}

void convTransposeFreq(const float* x, int64_t freqs, int64_t frames, const FloatVector& prepared, const float* bias,
                       int64_t in, int64_t out, int64_t kernel, int64_t stride, int64_t crop, Activation after,
                       float* y) {
  const int64_t taps = kernel / stride;
  const int64_t fullFreqs = (freqs - 1) * stride + kernel;
  const int64_t outFreqs = fullFreqs - 2 * crop;
  parallelFor(outFreqs, [&](int64_t fo) {
    const int64_t u = fo + crop, r = u % stride, q = u / stride;
    const int64_t first = q - taps + 1;
    const int64_t mLo = std::max<int64_t>(0, -first), mHi = std::min<int64_t>(taps, freqs - first);
    float* c = y + fo * out * frames;
    const float beta = initWithBias(c, out, frames, frames, bias);
    if (mHi > mLo)
      gemm(false, false, out, frames, (mHi - mLo) * in, 1.0f, prepared.data() + r * out * taps * in + mLo * in,
           taps * in, x + (first + mLo) * in * frames, frames, beta, c, frames);
    else if (beta == 0.0f)
      std::fill(c, c + out * frames, 0.0f);
    activateRows(after, c, out, frames, frames);
  });
}

}  // namespace midistems::nn
