#include "transcribe/basic_pitch/network.h"

#include <set>
#include <string>

namespace midistems::transcribe {

namespace {

using tfjs::Graph;
using tfjs::Node;

// Ops that only move data around (layout changes of the TF.js graph, which runs the PyTorch-style
// CQT in NCW and convolves in NHWC).
bool isLayoutOp(const std::string& op) {
  static const std::set<std::string> ops{"Transpose", "ExpandDims", "Squeeze", "Reshape", "Identity"};
  return ops.count(op) != 0;
}

std::vector<const Node*> dataConsumers(const Graph& g, const Node& n) {
  std::vector<const Node*> out;
  for (const Node* c : g.consumers(n.name))
    if (c->op != "Shape") out.push_back(c);
  return out;
}

const Node* consumerWithOp(const Graph& g, const Node& n, const std::string& op) {
  const Node* found = nullptr;
  for (const Node* c : dataConsumers(g, n))
    if (c->op == op) {
      if (found) g.fail("node " + n.name + " feeds several " + op + " nodes");
      found = c;
    }
  return found;
}

const Node& requireConsumer(const Graph& g, const Node& n, const std::string& op) {
  const Node* c = consumerWithOp(g, n, op);
  if (!c) g.fail("node " + n.name + " feeds no " + op + " node");
  return *c;
}

// Follows single data consumers through layout ops (and Neg when allowed) until a node of `op`.
const Node& forwardTo(const Graph& g, const Node& start, const std::string& op, bool* passedNeg = nullptr,
                      const std::string& alsoPass = "") {
  const Node* cur = &start;
  for (int depth = 0; depth < 16; ++depth) {
    if (const Node* hit = consumerWithOp(g, *cur, op)) return *hit;
    const auto next = dataConsumers(g, *cur);
    if (next.size() != 1) break;
    if (next[0]->op == "Neg" && passedNeg) {
      *passedNeg = true;
    } else if (!isLayoutOp(next[0]->op) && next[0]->op != alsoPass) {
      break;
    }
    cur = next[0];
  }
  g.fail("expected a " + op + " node after " + start.name);
}

// Follows first inputs backwards through layout ops until a node of `op`.
const Node& backTo(const Graph& g, const Node& start, const std::string& op) {
  const Node* cur = &start;
  for (int depth = 0; depth < 16 && !cur->inputs.empty(); ++depth) {
    cur = &g.node(cur->inputs[0]);
    if (cur->op == op) return *cur;
    if (!isLayoutOp(cur->op)) break;
  }
  g.fail("expected a " + op + " node before " + start.name);
}

const Node& expectOp(const Graph& g, const Node& n, const std::string& op) {
  if (n.op != op) g.fail("node " + n.name + " is " + n.op + ", expected " + op);
  return n;
}

float scalarInput(const Graph& g, const Node& n, size_t index) {
  if (n.inputs.size() <= index) g.fail("node " + n.name + " lacks input " + std::to_string(index));
  const auto& t = g.constant(n.inputs[index]);
  if (t.isInt || t.floats.size() != 1) g.fail("tensor " + n.inputs[index] + " is not a float scalar");
  return t.floats[0];
}

// Padding of the last axis of a rank-3 [batch, channel, time] signal, from a paddings constant.
std::pair<int, int> timePadding(const Graph& g, const Node& pad) {
  const auto& t = g.intTensor(pad.inputs.at(1));
  if (t.shape != std::vector<int64_t>{3, 2}) g.fail("paddings " + pad.inputs[1] + " are not [3,2]");
  return {t.ints[4], t.ints[5]};
}

int64_t strideAt(const Graph& g, const Node& conv, size_t axis) {
  if (conv.strides.size() != 4) g.fail("node " + conv.name + " has no NHWC strides");
  return conv.strides[axis];
}

std::vector<float> convFilter(const Graph& g, const Node& conv, int taps, int outputs) {
  return g.floatTensor(conv.inputs.at(1), {1, taps, 1, outputs}).floats;
}

// Reads the octave chain from the input placeholder: signal -> (reflect pad -> kernel bank) and
// (zero pad -> low-pass, stride 2) -> next octave's signal.
void readCqt(const Graph& g, BasicPitchNetwork& net) {
  const Node* input = nullptr;
  for (const auto& n : g.nodes())
    if (n.op == "Placeholder") input = &n;
  if (!input) g.fail("graph has no input placeholder");
  // The input is flattened to mono and given a channel axis (Reshape, StridedSlice).
  const Node* signal = &g.node(forwardTo(g, *input, "MirrorPad", nullptr, "StridedSlice").inputs.at(0));

  std::vector<std::string> stackNames;
  net.taps = 0;
  for (int octave = 0; octave < 16; ++octave) {
    CqtOctave oct;
    const Node* mirror = consumerWithOp(g, *signal, "MirrorPad");
    if (!mirror) g.fail("CQT octave " + std::to_string(octave) + " has no reflection pad");
    if (mirror->mode != "REFLECT") g.fail("CQT pad " + mirror->name + " is not REFLECT");
    const auto [padL, padR] = timePadding(g, *mirror);
    if (padL != padR || padL < 0 || padL > 4096) g.fail("CQT pad " + mirror->name + " is asymmetric or implausible");
    oct.reflectPad = padL;

    const auto branches = dataConsumers(g, *mirror);
    if (branches.size() != 2) g.fail("CQT pad " + mirror->name + " does not feed two kernel banks");
    std::vector<float> real, imag;
    std::string stack;
    for (const Node* branch : branches) {
      const Node& conv = forwardTo(g, *branch, "Conv2D");
      const auto& filter = g.constant(conv.inputs.at(1));
      if (filter.shape.size() != 4 || filter.shape[0] != 1 || filter.shape[2] != 1)
        g.fail("CQT kernel " + conv.inputs[1] + " is not [1,taps,1,bins]");
      if (net.taps == 0) {
        if (filter.shape[1] < 1 || filter.shape[1] > 4096 || filter.shape[3] < 1 || filter.shape[3] > 128)
          g.fail("CQT kernel " + conv.inputs[1] + " has implausible sizes");
        net.taps = int(filter.shape[1]);
        net.binsPerOctave = int(filter.shape[3]);
      }
      auto weights = convFilter(g, conv, net.taps, net.binsPerOctave);
      const int64_t hop = strideAt(g, conv, 2);  // checked before it is narrowed to int
      if (hop < 1 || hop > 4096) g.fail("CQT kernel " + conv.name + " has an implausible hop");
      oct.hop = int(hop);
      bool negated = false;
      const Node& pack = forwardTo(g, conv, "Pack", &negated);
      if (!stack.empty() && stack != pack.name) g.fail("CQT banks of " + mirror->name + " do not meet");
      stack = pack.name;
      (negated ? imag : real) = std::move(weights);
    }
    if (real.empty() || imag.empty()) g.fail("CQT octave " + std::to_string(octave) + " lacks a real or imaginary bank");
    const int bins = net.binsPerOctave;
    oct.bankWidth = (2 * bins + 15) / 16 * 16;
    oct.bank.assign(size_t(net.taps) * oct.bankWidth, 0.0f);
    for (int k = 0; k < net.taps; ++k)
      for (int b = 0; b < bins; ++b) {
        oct.bank[size_t(k) * oct.bankWidth + b] = real[size_t(k) * bins + b];
        oct.bank[size_t(k) * oct.bankWidth + bins + b] = imag[size_t(k) * bins + b];
      }
    stackNames.push_back(stack);

    const Node* pad = consumerWithOp(g, *signal, "Pad");
    if (pad) {
      oct.hasLowpass = true;
      std::tie(oct.lowpassPadBefore, oct.lowpassPadAfter) = timePadding(g, *pad);
      const Node& conv = forwardTo(g, *pad, "Conv2D");
      const auto& filter = g.constant(conv.inputs.at(1));
      if (filter.shape.size() != 4 || filter.shape[0] != 1 || filter.shape[2] != 1 || filter.shape[3] != 1)
        g.fail("low-pass filter " + conv.inputs[1] + " is not [1,taps,1,1]");
      oct.lowpass = filter.floats;
      const int64_t lowpassStride = strideAt(g, conv, 2);  // checked before it is narrowed to int
      if (oct.lowpass.empty() || lowpassStride < 1 || lowpassStride > 16 || oct.lowpassPadBefore < 0 ||
          oct.lowpassPadAfter < 0 || int64_t(oct.lowpassPadBefore) + oct.lowpassPadAfter > 4096)
        g.fail("low-pass " + conv.name + " has implausible sizes");
      oct.lowpassStride = int(lowpassStride);
      signal = &g.node(forwardTo(g, conv, "MirrorPad").inputs.at(0));
    }
    net.octaves.push_back(std::move(oct));
    if (!pad) break;
  }

  // The banks' outputs are concatenated along the bin axis, lowest octave first.
  const Node& concat = requireConsumer(g, g.node(stackNames[0]), "ConcatV2");
  for (size_t i = 0; i < net.octaves.size(); ++i) {
    int position = -1;
    for (size_t j = 0; j + 1 < concat.inputs.size(); ++j)
      if (concat.inputs[j] == stackNames[i]) position = int(j);
    if (position < 0) g.fail("CQT octave " + std::to_string(i) + " is missing from " + concat.name);
    net.octaves[i].binOffset = position * net.binsPerOctave;
  }
  net.computedBins = int(net.octaves.size()) * net.binsPerOctave;

  const Node& keep = requireConsumer(g, concat, "StridedSlice");
  const auto& begin = g.intTensor(keep.inputs.at(1));
  if (begin.ints.size() != 3) g.fail("CQT bin slice " + keep.name + " is not rank 3");
  const int64_t kept = begin.ints[1] < 0 ? -int64_t(begin.ints[1]) : int64_t(net.computedBins) - begin.ints[1];
  if (kept <= 0 || kept > net.computedBins) g.fail("CQT bin slice " + keep.name + " is out of range");
  net.keptBins = int(kept);

  const Node& scale = requireConsumer(g, keep, "Mul");
  net.binScale = g.floatTensor(scale.inputs.at(1), {net.keptBins, 1, 1}).floats;
}

// Harmonic stacking: a ConcatV2 of the batch-normed CQT and shifted copies (a slice along the bin
// axis, zero-padded back to full width), then a slice keeping the lowest bins.
std::vector<int64_t> readStack(const Graph& g, const Node& slice, const Node& batchNorm, int& keptBins) {
  const Node& concat = g.node(slice.inputs.at(0));
  expectOp(g, concat, "ConcatV2");
  keptBins = g.intTensor(slice.inputs.at(2)).ints.at(2);
  std::vector<int64_t> shifts;
  for (size_t i = 0; i + 1 < concat.inputs.size(); ++i) {
    const Node& part = g.node(concat.inputs[i]);
    if (part.name == batchNorm.name) {
      shifts.push_back(0);
      continue;
    }
    expectOp(g, part, "Pad");
    const Node& cut = expectOp(g, g.node(part.inputs.at(0)), "StridedSlice");
    if (cut.inputs.at(0) != batchNorm.name) g.fail("harmonic slice " + cut.name + " does not read the batch-norm output");
    const auto& pads = g.intTensor(part.inputs.at(1));
    if (pads.shape != std::vector<int64_t>{4, 2}) g.fail("paddings " + part.inputs[1] + " are not [4,2]");
    const int64_t begin = g.intTensor(cut.inputs.at(1)).ints.at(2);
    // out[i] = in[i - padBefore + begin]: a positive shift reads higher bins (in int64: two
    // int32 values from the file cannot overflow it).
    shifts.push_back(begin - pads.ints[4]);
  }
  return shifts;
}

ConvLayer readConv(const Graph& g, const Node& conv, int inChannels, int outChannels, bool relu) {
  expectOp(g, conv, "_FusedConv2D");
  if (conv.padding != "SAME") g.fail("convolution " + conv.name + " is not SAME-padded");
  if (conv.fusedOps.empty() || conv.fusedOps[0] != "BiasAdd") g.fail("convolution " + conv.name + " has no bias");
  const bool hasRelu = conv.fusedOps.size() == 2 && conv.fusedOps[1] == "Relu";
  if (hasRelu != relu || conv.fusedOps.size() > 2) g.fail("convolution " + conv.name + " has unexpected fused ops");
  if (strideAt(g, conv, 1) != 1) g.fail("convolution " + conv.name + " has a time stride");
  const auto& w = g.constant(conv.inputs.at(1));
  if (w.isInt || w.shape.size() != 4 || w.shape[2] != inChannels || w.shape[3] != outChannels)
    g.fail("convolution weights " + conv.inputs[1] + " do not have " + std::to_string(inChannels) + " inputs and " +
           std::to_string(outChannels) + " outputs");
  const int64_t strideFreq = strideAt(g, conv, 2);
  if (w.shape[0] < 1 || w.shape[0] > 64 || w.shape[1] < 1 || w.shape[1] > 64 || outChannels < 1 || outChannels > 256 ||
      strideFreq < 1 || strideFreq > 64)
    g.fail("convolution " + conv.name + " has implausible kernel sizes or strides");
  ConvLayer layer;
  layer.shape = {int(w.shape[0]), int(w.shape[1]), inChannels, outChannels, int(strideFreq)};
  layer.weights = w.floats;
  layer.bias = g.floatTensor(conv.inputs.at(2), {outChannels}).floats;
  layer.relu = relu;
  return layer;
}

}  // namespace

BasicPitchNetwork BasicPitchNetwork::fromGraph(const Graph& g) {
  BasicPitchNetwork net;
  readCqt(g, net);

  // Heads, walked backwards from the three outputs (contour, note, onset).
  const Node& contourSigmoid = backTo(g, g.node("Identity"), "Sigmoid");
  const Node& contourOutConv = backTo(g, contourSigmoid, "_FusedConv2D");
  const Node& contourConv = backTo(g, contourOutConv, "_FusedConv2D");
  const Node& contourStack = backTo(g, contourConv, "StridedSlice");

  const Node& noteSigmoid = backTo(g, g.node("Identity_1"), "Sigmoid");
  const Node& noteOutConv = backTo(g, noteSigmoid, "_FusedConv2D");
  const Node& noteConv = backTo(g, noteOutConv, "_FusedConv2D");
  if (backTo(g, noteConv, "Sigmoid").name != contourSigmoid.name)
    g.fail("note head does not read the contour output");

  const Node& onsetSigmoid = backTo(g, g.node("Identity_2"), "Sigmoid");
  const Node& onsetOutConv = backTo(g, onsetSigmoid, "_FusedConv2D");
  const Node& onsetConcat = expectOp(g, g.node(onsetOutConv.inputs.at(0)), "ConcatV2");
  if (onsetConcat.inputs.size() != 3 || onsetConcat.inputs[0] != noteSigmoid.name)
    g.fail("onset head does not read the note output as its first channel");
  const Node& onsetConv = g.node(onsetConcat.inputs[1]);
  const Node& onsetStack = backTo(g, onsetConv, "StridedSlice");

  // Log normalisation and folded batch-norm, walked backwards from the harmonic stack.
  const Node& bnAdd = g.node(g.node(contourStack.inputs.at(0)).inputs.at(1));
  expectOp(g, bnAdd, "Add");
  const Node& bnMul = expectOp(g, g.node(bnAdd.inputs.at(0)), "Mul");
  net.batchNormOffset = scalarInput(g, bnAdd, 1);
  net.batchNormScale = scalarInput(g, bnMul, 1);
  const Node& divide = backTo(g, bnMul, "DivNoNan");
  const Node& subtract = expectOp(g, g.node(divide.inputs.at(0)), "Sub");
  const Node& logMul = expectOp(g, g.node(subtract.inputs.at(0)), "Mul");
  net.logScale = scalarInput(g, logMul, 1);
  const Node& log = expectOp(g, g.node(logMul.inputs.at(0)), "Log");
  const Node& logAdd = expectOp(g, g.node(log.inputs.at(0)), "AddV2");
  net.logEpsilon = scalarInput(g, logAdd, 1);

  int onsetKept = 0;
  const std::vector<int64_t> shifts = readStack(g, contourStack, bnAdd, net.stackedBins);
  if (readStack(g, onsetStack, bnAdd, onsetKept) != shifts || onsetKept != net.stackedBins)
    g.fail("the two harmonic stacks differ");
  if (net.stackedBins < 1 || net.stackedBins > net.keptBins || shifts.empty() || shifts.size() > 64)
    g.fail("harmonic stack has implausible sizes");
  for (int64_t shift : shifts)
    if (shift < -net.keptBins || shift > net.keptBins) g.fail("harmonic stack has an implausible shift");
  net.harmonicShifts.assign(shifts.begin(), shifts.end());
  const int channels = int(shifts.size());

  net.contourConv = readConv(g, contourConv, channels, int(g.constant(contourConv.inputs.at(1)).shape.at(3)), true);
  net.contourOut = readConv(g, contourOutConv, net.contourConv.shape.outChannels, 1, false);
  net.noteConv = readConv(g, noteConv, 1, int(g.constant(noteConv.inputs.at(1)).shape.at(3)), true);
  net.noteOut = readConv(g, noteOutConv, net.noteConv.shape.outChannels, 1, false);
  net.onsetConv = readConv(g, onsetConv, channels, int(g.constant(onsetConv.inputs.at(1)).shape.at(3)), true);
  net.onsetOut = readConv(g, onsetOutConv, 1 + net.onsetConv.shape.outChannels, 1, false);
  if (net.noteConv.shape.strideFreq != net.onsetConv.shape.strideFreq)
    g.fail("note and onset heads have different frequency strides");
  return net;
}

}  // namespace midistems::transcribe
