#include "nn/checkpoint/pickle.h"

#include <fmt/format.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <span>

#include "core/error.h"

namespace midistems::nn::pickle {
namespace {

// Budgets against hostile files. A pickle can name one value many times (BINGET, DUP), so what
// it builds is not bounded by its own size: BUILD merging a dict into itself doubles the dict,
// STACK_GLOBAL and _codecs.encode copy memoised text on every use. So everything the values hold
// is counted as it is built. A real HTDemucs package (533 tensors) builds ~8,700 values and ~4,400
// memo entries in about 0.9 MB; these leave room for packages a hundred times larger.
//  - kMaxValues: values in the arena (their ids are 32-bit); also bounds memo indices.
constexpr size_t kMaxValues = size_t(1) << 21;
//  - kMaxGraphBytes: the Value records, the items of lists, tuples and dicts, text and bytes, memo
//    slots, storage and tensor records, all together.
constexpr size_t kMaxGraphBytes = size_t(256) << 20;
//  - kMaxStackEntries: CPython pushes at most a batch of 1,000 items before APPENDS/SETITEMS; only
//    a tuple is built on the stack whole, and no real tuple comes near a million items.
constexpr size_t kMaxStackEntries = size_t(1) << 20;
constexpr size_t kMaxMarks = 4096;
constexpr size_t kMaxTensorDims = 16;
// No whitelisted function takes more arguments (_rebuild_tensor_v2 with its metadata takes 7).
constexpr size_t kMaxCallArguments = 7;
// Fraction('39/5'): a few digits each side of the slash.
constexpr size_t kMaxFractionText = 64;

// Opcode bytes, as in CPython's Lib/pickle.py.
enum Op : uint8_t {
  MARK = '(', STOP = '.', POP = '0', POP_MARK = '1', DUP = '2', BININT = 'J', BININT1 = 'K',
  BININT2 = 'M', NONE = 'N', BINPERSID = 'Q', REDUCE = 'R', BINSTRING = 'T', SHORT_BINSTRING = 'U',
  BINUNICODE = 'X', APPEND = 'a', BUILD = 'b', GLOBAL = 'c', DICT = 'd', EMPTY_DICT = '}',
  APPENDS = 'e', BINGET = 'h', LONG_BINGET = 'j', LIST = 'l', EMPTY_LIST = ']', BINPUT = 'q',
  LONG_BINPUT = 'r', SETITEM = 's', TUPLE = 't', EMPTY_TUPLE = ')', SETITEMS = 'u', BINFLOAT = 'G',
  PROTO = 0x80, NEWOBJ = 0x81, TUPLE1 = 0x85, TUPLE2 = 0x86, TUPLE3 = 0x87, NEWTRUE = 0x88,
  NEWFALSE = 0x89, LONG1 = 0x8a, LONG4 = 0x8b, BINBYTES = 'B', SHORT_BINBYTES = 'C',
  SHORT_BINUNICODE = 0x8c, BINUNICODE8 = 0x8d, BINBYTES8 = 0x8e, MEMOIZE = 0x94, FRAME = 0x95,
  STACK_GLOBAL = 0x93,
};

// Printable, bounded rendering of untrusted text for error messages.
std::string printable(const std::string& s) {
  std::string out;
  for (char c : s.substr(0, 80)) out += (c >= 32 && c < 127) ? c : '?';
  if (s.size() > 80) out += "...";
  return out;
}

bool storageDType(const std::string& name, DType& dtype) {
  static const std::pair<const char*, DType> kStorages[] = {
      {"torch.HalfStorage", DType::F16},   {"torch.BFloat16Storage", DType::BF16},
      {"torch.FloatStorage", DType::F32},  {"torch.DoubleStorage", DType::F64},
      {"torch.LongStorage", DType::I64},   {"torch.IntStorage", DType::I32},
      {"torch.ShortStorage", DType::I16},  {"torch.CharStorage", DType::I8},
      {"torch.ByteStorage", DType::U8},    {"torch.BoolStorage", DType::Bool}};
  for (const auto& [n, d] : kStorages)
    if (name == n) {
      dtype = d;
      return true;
    }
  return false;
}

class Machine {
 public:
  Machine(const uint8_t* data, size_t size, const std::string& context)
      : p_(data), end_(data + size), begin_(data), context_(context) {}

  Graph run() {
    for (;;) {
      const size_t opAt = size_t(p_ - begin_);
      const uint8_t op = byte();
      if (op == STOP) break;
      step(op, opAt);
    }
    if (stack_.size() != 1 || !marks_.empty()) fail("the pickle does not end with exactly one value");
    graph_.root = stack_.back();
    return std::move(graph_);
  }

 private:
  [[noreturn]] void fail(const std::string& what) const {
    throw Error(fmt::format("{}: {}", context_, what));
  }

  // ---- reading the opcode stream ----
  void need(size_t n) const {
    if (size_t(end_ - p_) < n) fail("truncated pickle");
  }
  uint8_t byte() {
    need(1);
    return *p_++;
  }
  uint64_t le(size_t n) {
    need(n);
    uint64_t v = 0;
    for (size_t i = 0; i < n; ++i) v |= uint64_t(p_[i]) << (8 * i);
    p_ += n;
    return v;
  }
  std::string bytes(uint64_t n) {
    if (n > uint64_t(end_ - p_)) fail("truncated pickle (a string runs past the end)");
    std::string s(reinterpret_cast<const char*>(p_), size_t(n));
    p_ += n;
    return s;
  }
  std::string line() {
    const uint8_t* nl = static_cast<const uint8_t*>(std::memchr(p_, '\n', size_t(end_ - p_)));
    if (!nl) fail("truncated pickle (unterminated GLOBAL name)");
    std::string s(reinterpret_cast<const char*>(p_), size_t(nl - p_));
    p_ = nl + 1;
    return s;
  }

  // ---- values and stacks ----
  // Counts `bytes` more of what the values hold against kMaxGraphBytes.
  void charge(size_t bytes) {
    if (bytes > kMaxGraphBytes - graphBytes_)
      fail(fmt::format("unpickling needs more than {} MiB of memory (the file is corrupt or hostile)",
                       kMaxGraphBytes >> 20));
    graphBytes_ += bytes;
  }
  uint32_t make(Value v) {
    if (graph_.values.size() >= kMaxValues) fail("too many values in the pickle");
    charge(sizeof(Value) + v.text.size() + v.items.size() * sizeof(uint32_t));
    graph_.values.push_back(std::move(v));
    return uint32_t(graph_.values.size() - 1);
  }
  uint32_t makeKind(Kind k) {
    Value v;
    v.kind = k;
    return make(std::move(v));
  }
  uint32_t makeInt(int64_t i) {
    Value v;
    v.kind = Kind::Int;
    v.integer = i;
    return make(std::move(v));
  }
  uint32_t makeText(Kind k, std::string s) {
    Value v;
    v.kind = k;
    v.text = std::move(s);
    return make(std::move(v));
  }
  uint32_t makeContainer(Kind k, std::vector<uint32_t> items) {
    Value v;
    v.kind = k;
    v.items = std::move(items);
    return make(std::move(v));
  }
  // Appends to a list's or dict's items (charged before they grow).
  void appendItems(uint32_t container, std::span<const uint32_t> items) {
    charge(items.size() * sizeof(uint32_t));
    auto& dst = val(container).items;
    dst.insert(dst.end(), items.begin(), items.end());
  }
  void push(uint32_t id) {
    if (stack_.size() >= kMaxStackEntries)
      fail(fmt::format("the pickle stack grows beyond {} entries", kMaxStackEntries));
    stack_.push_back(id);
  }
  uint32_t pop() {
    if (stack_.size() <= (marks_.empty() ? 0 : marks_.back())) fail("pickle stack underflow");
    const uint32_t id = stack_.back();
    stack_.pop_back();
    return id;
  }
  uint32_t top() {
    if (stack_.size() <= (marks_.empty() ? 0 : marks_.back())) fail("pickle stack underflow");
    return stack_.back();
  }
  std::vector<uint32_t> popToMark() {
    if (marks_.empty()) fail("pickle MARK missing");
    const size_t at = marks_.back();
    marks_.pop_back();
    std::vector<uint32_t> items(stack_.begin() + long(at), stack_.end());
    stack_.resize(at);
    return items;
  }
  Value& val(uint32_t id) { return graph_.values[id]; }

  uint32_t memoGet(uint64_t index) {
    if (index >= memo_.size() || memo_[index] == kUnset) fail(fmt::format("pickle memo entry {} is not set", index));
    return memo_[index];
  }
  void memoPut(uint64_t index) {
    // A writer numbers memo entries from 0 upwards, one per distinct value, so an index beyond
    // the value cap is hostile.
    if (index >= kMaxValues) fail(fmt::format("pickle memo index {} is out of range", index));
    if (index >= memo_.size()) {
      charge((size_t(index) + 1 - memo_.size()) * sizeof(uint32_t));
      memo_.resize(size_t(index) + 1, kUnset);
    }
    memo_[index] = top();
  }

  int64_t longBytes(uint64_t n) {
    if (n > uint64_t(end_ - p_)) fail("truncated pickle (a long integer runs past the end)");
    if (n == 0) return 0;
    if (n > 8) {
      // Out of int64 range: only plausible in inert metadata; kept as a float approximation.
      double v = 0;
      for (uint64_t i = n; i-- > 0;) v = v * 256 + p_[i];
      if (p_[n - 1] & 0x80) v -= std::ldexp(1.0, int(8 * n));
      p_ += n;
      lastLongWasFloat_ = true;
      lastLongFloat_ = v;
      return 0;
    }
    uint64_t u = 0;
    for (uint64_t i = 0; i < n; ++i) u |= uint64_t(p_[i]) << (8 * i);
    if (n < 8 && (p_[n - 1] & 0x80)) u |= ~uint64_t(0) << (8 * n);  // sign extension
    p_ += n;
    return int64_t(u);
  }
  void pushLong(uint64_t n) {
    lastLongWasFloat_ = false;
    const int64_t i = longBytes(n);
    if (lastLongWasFloat_) {
      Value v;
      v.kind = Kind::Float;
      v.number = lastLongFloat_;
      push(make(std::move(v)));
    } else {
      push(makeInt(i));
    }
  }

  void step(uint8_t op, size_t opAt);
  uint32_t call(uint32_t callable, uint32_t args);
  uint32_t persistentLoad(uint32_t pid);
  uint32_t rebuildTensor(const std::vector<uint32_t>& a);
  std::vector<int64_t> intTuple(uint32_t id, const char* what);

  static constexpr uint32_t kUnset = std::numeric_limits<uint32_t>::max();
  const uint8_t* p_;
  const uint8_t* end_;
  const uint8_t* begin_;
  const std::string& context_;
  Graph graph_;
  std::vector<uint32_t> stack_;
  std::vector<size_t> marks_;
  std::vector<uint32_t> memo_;
  size_t graphBytes_ = 0;  // charged against kMaxGraphBytes
  bool lastLongWasFloat_ = false;
  double lastLongFloat_ = 0;
};

void Machine::step(uint8_t op, size_t opAt) {
  switch (op) {
    case PROTO:
      if (byte() > 5) fail("unsupported pickle protocol");
      return;
    case FRAME:
      le(8);  // framing is only a buffering hint
      return;
    case MARK:
      if (marks_.size() >= kMaxMarks) fail("pickle nests too deeply");
      marks_.push_back(stack_.size());
      return;
    case POP:
      pop();
      return;
    case POP_MARK:
      popToMark();
      return;
    case DUP:
      push(top());
      return;
    case NONE:
      push(makeKind(Kind::None));
      return;
    case NEWTRUE:
    case NEWFALSE: {
      Value v;
      v.kind = Kind::Bool;
      v.boolean = op == NEWTRUE;
      push(make(std::move(v)));
      return;
    }
    case BININT:
      push(makeInt(int32_t(uint32_t(le(4)))));
      return;
    case BININT1:
      push(makeInt(int64_t(le(1))));
      return;
    case BININT2:
      push(makeInt(int64_t(le(2))));
      return;
    case LONG1:
      pushLong(le(1));
      return;
    case LONG4:
      pushLong(le(4));
      return;
    case BINFLOAT: {
      const uint64_t bits = [&] {  // big-endian IEEE double
        need(8);
        uint64_t b = 0;
        for (int i = 0; i < 8; ++i) b = (b << 8) | *p_++;
        return b;
      }();
      Value v;
      v.kind = Kind::Float;
      std::memcpy(&v.number, &bits, 8);
      push(make(std::move(v)));
      return;
    }
    case BINUNICODE:
      push(makeText(Kind::Str, bytes(le(4))));
      return;
    case SHORT_BINUNICODE:
      push(makeText(Kind::Str, bytes(le(1))));
      return;
    case BINUNICODE8:
      push(makeText(Kind::Str, bytes(le(8))));
      return;
    case BINSTRING:  // Python 2 str: read as text
      push(makeText(Kind::Str, bytes(le(4))));
      return;
    case SHORT_BINSTRING:
      push(makeText(Kind::Str, bytes(le(1))));
      return;
    case BINBYTES:
      push(makeText(Kind::Bytes, bytes(le(4))));
      return;
    case SHORT_BINBYTES:
      push(makeText(Kind::Bytes, bytes(le(1))));
      return;
    case BINBYTES8:
      push(makeText(Kind::Bytes, bytes(le(8))));
      return;
    case EMPTY_DICT:
      push(makeKind(Kind::Dict));
      return;
    case EMPTY_LIST:
      push(makeKind(Kind::List));
      return;
    case EMPTY_TUPLE:
      push(makeKind(Kind::Tuple));
      return;
    case LIST:
    case TUPLE:
    case DICT: {
      auto items = popToMark();
      if (op == DICT && items.size() % 2) fail("pickle DICT has an odd number of items");
      push(makeContainer(op == LIST ? Kind::List : op == TUPLE ? Kind::Tuple : Kind::Dict, std::move(items)));
      return;
    }
    case TUPLE1:
    case TUPLE2:
    case TUPLE3: {
      const size_t n = size_t(op - TUPLE1 + 1);
      std::vector<uint32_t> items(n);
      for (size_t i = n; i-- > 0;) items[i] = pop();
      push(makeContainer(Kind::Tuple, std::move(items)));
      return;
    }
    case APPEND: {
      const uint32_t item = pop();
      const uint32_t list = top();
      if (val(list).kind != Kind::List) fail("pickle APPEND to something that is not a list");
      appendItems(list, std::span(&item, 1));
      return;
    }
    case APPENDS: {
      auto items = popToMark();
      const uint32_t list = top();
      if (val(list).kind != Kind::List) fail("pickle APPENDS to something that is not a list");
      appendItems(list, items);
      return;
    }
    case SETITEM: {
      const uint32_t value = pop();
      const uint32_t key = pop();
      const uint32_t dict = top();
      if (val(dict).kind != Kind::Dict) fail("pickle SETITEM on something that is not a dict");
      const uint32_t pair[2] = {key, value};
      appendItems(dict, pair);
      return;
    }
    case SETITEMS: {
      auto items = popToMark();
      if (items.size() % 2) fail("pickle SETITEMS has an odd number of items");
      const uint32_t dict = top();
      if (val(dict).kind != Kind::Dict) fail("pickle SETITEMS on something that is not a dict");
      appendItems(dict, items);
      return;
    }
    case BINPUT:
      memoPut(le(1));
      return;
    case LONG_BINPUT:
      memoPut(le(4));
      return;
    case MEMOIZE:
      memoPut(memo_.size());
      return;
    case BINGET:
      push(memoGet(le(1)));
      return;
    case LONG_BINGET:
      push(memoGet(le(4)));
      return;
    case GLOBAL: {
      std::string module = line();
      std::string name = line();
      push(makeText(Kind::Global, module + "." + name));
      return;
    }
    case STACK_GLOBAL: {
      const uint32_t name = pop();
      const uint32_t module = pop();
      if (val(name).kind != Kind::Str || val(module).kind != Kind::Str)
        fail("pickle STACK_GLOBAL needs two strings");
      push(makeText(Kind::Global, val(module).text + "." + val(name).text));
      return;
    }
    case BINPERSID:
      push(persistentLoad(pop()));
      return;
    case REDUCE: {
      const uint32_t args = pop();
      const uint32_t callable = pop();
      push(call(callable, args));
      return;
    }
    case NEWOBJ: {
      pop();  // constructor arguments: unused by the only allowed class
      const uint32_t cls = pop();
      if (val(cls).kind == Kind::Global && val(cls).text == "collections.OrderedDict") {
        push(makeKind(Kind::Dict));
        return;
      }
      if (val(cls).kind == Kind::Global)
        fail(fmt::format("checkpoint uses a disallowed Python global '{}'", printable(val(cls).text)));
      fail("pickle NEWOBJ on something that is not a class");
    }
    case BUILD: {
      const uint32_t state = pop();
      const uint32_t target = top();
      // Only the harmless cases torch writes: extra state of a dict-like or a tensor.
      if (val(target).kind == Kind::Dict && val(state).kind == Kind::Dict) {
        // A copy first: the state may be the target itself (then each BUILD doubles it, which
        // the memory budget stops).
        const std::vector<uint32_t> entries = val(state).items;
        appendItems(target, entries);
        return;
      }
      if (val(target).kind == Kind::Tensor || val(state).kind == Kind::None) return;
      if (val(target).kind == Kind::Global)
        fail(fmt::format("checkpoint uses a disallowed Python global '{}'", printable(val(target).text)));
      fail("pickle BUILD on an unsupported object");
    }
    default:
      fail(fmt::format("unknown pickle opcode 0x{:02x} at byte {}", op, opAt));
  }
}

std::vector<int64_t> Machine::intTuple(uint32_t id, const char* what) {
  const Value& v = val(id);
  if (v.kind != Kind::Tuple && v.kind != Kind::List) fail(fmt::format("tensor {} is not a tuple", what));
  if (v.items.size() > kMaxTensorDims) fail(fmt::format("tensor {} has too many dimensions", what));
  std::vector<int64_t> out;
  for (uint32_t item : v.items) {
    if (val(item).kind != Kind::Int || val(item).integer < 0)
      fail(fmt::format("tensor {} holds something that is not a non-negative integer", what));
    out.push_back(val(item).integer);
  }
  return out;
}

uint32_t Machine::rebuildTensor(const std::vector<uint32_t>& a) {
  // (storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata]); the v1
  // form stops after stride.
  if (a.size() < 4) fail("torch tensor rebuild has too few arguments");
  if (val(a[0]).kind != Kind::Storage) fail("torch tensor rebuild without a storage");
  if (val(a[1]).kind != Kind::Int || val(a[1]).integer < 0)
    fail("torch tensor storage offset is not a non-negative integer");
  TensorRef t;
  t.storage = uint32_t(val(a[0]).index);
  t.offset = val(a[1]).integer;
  t.sizes = intTuple(a[2], "size");
  t.strides = intTuple(a[3], "stride");
  if (t.sizes.size() != t.strides.size()) fail("torch tensor size and stride differ in length");
  charge(sizeof(TensorRef) + (t.sizes.size() + t.strides.size()) * sizeof(int64_t));
  graph_.tensors.push_back(std::move(t));
  const uint32_t id = makeKind(Kind::Tensor);
  val(id).index = int64_t(graph_.tensors.size() - 1);
  return id;
}

uint32_t Machine::call(uint32_t callable, uint32_t argsId) {
  if (val(callable).kind != Kind::Global) fail("pickle REDUCE on something that is not a function");
  if (val(argsId).kind != Kind::Tuple) fail("pickle REDUCE arguments are not a tuple");
  // The name and the arguments are read in place (the text of a global may be long; a copy per
  // call would let a pickle multiply it).
  const std::string& fn = val(callable).text;
  enum class Function { RebuildTensor, RebuildParameter, OrderedDict, Fraction, CodecsEncode };
  Function function;
  if (fn == "torch._utils._rebuild_tensor_v2" || fn == "torch._utils._rebuild_tensor")
    function = Function::RebuildTensor;
  else if (fn == "torch._utils._rebuild_parameter" || fn == "torch._utils._rebuild_parameter_with_state")
    function = Function::RebuildParameter;
  else if (fn == "collections.OrderedDict")
    function = Function::OrderedDict;
  else if (fn == "fractions.Fraction")
    function = Function::Fraction;
  else if (fn == "_codecs.encode")
    function = Function::CodecsEncode;
  else
    fail(fmt::format("checkpoint uses a disallowed Python global '{}'", printable(fn)));
  if (val(argsId).items.size() > kMaxCallArguments)
    fail(fmt::format("pickle REDUCE of '{}' with {} arguments", fn, val(argsId).items.size()));
  const std::vector<uint32_t> a = val(argsId).items;

  switch (function) {
    case Function::RebuildTensor:
      return rebuildTensor(a);
    case Function::RebuildParameter:
      if (a.empty() || val(a[0]).kind != Kind::Tensor) fail("torch parameter rebuild without a tensor");
      return a[0];
    case Function::OrderedDict: {
      if (a.empty()) return makeKind(Kind::Dict);
      // OrderedDict(iterable of (key, value) pairs)
      if (a.size() != 1 || (val(a[0]).kind != Kind::List && val(a[0]).kind != Kind::Tuple))
        fail("OrderedDict arguments are not a list of pairs");
      std::vector<uint32_t> items;
      for (uint32_t pair : val(a[0]).items) {
        if (val(pair).kind != Kind::Tuple || val(pair).items.size() != 2)
          fail("OrderedDict arguments are not a list of pairs");
        items.insert(items.end(), val(pair).items.begin(), val(pair).items.end());
      }
      return makeContainer(Kind::Dict, std::move(items));
    }
    case Function::Fraction: {
      // Python <= 3.10 pickles Fraction('39/5'); newer versions pickle Fraction(39, 5).
      int64_t num = 0, den = 1;
      if (a.size() == 1 && val(a[0]).kind == Kind::Str) {
        const std::string& s = val(a[0]).text;
        if (s.size() > kMaxFractionText) fail(fmt::format("Fraction '{}' is not of the form 'n/d'", printable(s)));
        const size_t slash = s.find('/');
        try {
          size_t used = 0;
          num = std::stoll(s.substr(0, slash), &used);
          if (used != (slash == std::string::npos ? s.size() : slash)) throw std::invalid_argument(s);
          if (slash != std::string::npos) {
            den = std::stoll(s.substr(slash + 1), &used);
            if (used != s.size() - slash - 1) throw std::invalid_argument(s);
          }
        } catch (const std::logic_error&) {
          fail(fmt::format("Fraction '{}' is not of the form 'n/d'", printable(s)));
        }
      } else if (a.size() == 2 && val(a[0]).kind == Kind::Int && val(a[1]).kind == Kind::Int) {
        num = val(a[0]).integer;
        den = val(a[1]).integer;
      } else {
        fail("Fraction arguments are neither a string nor two integers");
      }
      if (den == 0) fail("Fraction with a zero denominator");
      const uint32_t id = makeKind(Kind::Fraction);
      val(id).integer = num;
      val(id).index = den;
      return id;
    }
    case Function::CodecsEncode:
      // How protocol 2 pickles Python 3 bytes: encode(text, 'latin1').
      if (a.size() != 2 || val(a[0]).kind != Kind::Str || val(a[1]).kind != Kind::Str)
        fail("_codecs.encode arguments are not two strings");
      return makeText(Kind::Bytes, val(a[0]).text);
  }
  fail("pickle REDUCE of an unknown function");  // unreachable: every Function is handled above
}

uint32_t Machine::persistentLoad(uint32_t pidId) {
  const Value& pid = val(pidId);
  if (pid.kind != Kind::Tuple || pid.items.size() != 5 || val(pid.items[0]).kind != Kind::Str ||
      val(pid.items[0]).text != "storage")
    fail("pickle persistent id is not a torch storage reference");
  const Value& type = val(pid.items[1]);
  const Value& key = val(pid.items[2]);
  const Value& numel = val(pid.items[4]);
  StorageRef s;
  if (type.kind != Kind::Global || !storageDType(type.text, s.dtype))
    fail(fmt::format("unsupported torch storage type '{}'",
                     type.kind == Kind::Global ? printable(type.text) : std::string("?")));
  if (key.kind != Kind::Str || key.text.empty() || key.text.size() > 64 ||
      key.text.find('/') != std::string::npos)
    fail("torch storage key is not a short name");
  if (numel.kind != Kind::Int || numel.integer < 0) fail("torch storage size is not a non-negative integer");
  s.key = key.text;
  s.numel = numel.integer;
  charge(sizeof(StorageRef) + s.key.size());
  graph_.storages.push_back(std::move(s));
  const uint32_t id = makeKind(Kind::Storage);
  val(id).index = int64_t(graph_.storages.size() - 1);
  return id;
}

}  // namespace

Graph run(const uint8_t* data, size_t size, const std::string& context) {
  return Machine(data, size, context).run();
}

}  // namespace midistems::nn::pickle
