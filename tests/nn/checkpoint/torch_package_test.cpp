// torch.save packages built by hand in the test: values, views, layouts, and hostile files that
// must end in a midistems::Error (never a crash, never an execution).
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <zip.h>

#include <filesystem>
#include <fstream>

#include "core/error.h"
#include "nn/checkpoint.h"
#include "nn/checkpoint/pickle.h"
#include "package_builder.h"
#include "support/fixtures.h"

namespace {

using midistems::nn::Checkpoint;
using midistems::testing::PickleWriter;
using midistems::testing::zipStored;

Checkpoint parse(const std::string& bytes) {
  return midistems::nn::parseTorchPackage(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(),
                                          "test.th");
}

// A package whose data.pkl is `pickle` and whose storages are "0" (8 float16 values) and "1".
std::string packageWith(const std::string& pickle, const std::string& prefix = "archive/") {
  return zipStored({{prefix + "data.pkl", pickle},
                    {prefix + "data/0", midistems::testing::leBytes16(midistems::testing::halfTestBits())},
                    {prefix + "data/1", std::string(20, '\0')},
                    {prefix + "version", "3\n"}});
}

// Message of the midistems::Error thrown by parsing `bytes` ("" when none).
std::string errorOf(const std::string& bytes) {
  try {
    parse(bytes);
  } catch (const midistems::Error& e) {
    return e.what();
  }
  return "";
}

std::string stateWith(const std::function<void(PickleWriter&)>& value) {
  PickleWriter w;
  w.proto().emptyDict().str("state").emptyDict().str("x");
  value(w);
  w.setitem().setitem().stop();
  return packageWith(w.bytes);
}

TEST(TorchPackage, TinyPackageHasItsValuesKwargsAndViews) {
  const Checkpoint ckpt = parse(midistems::testing::tinyTorchPackage());
  EXPECT_EQ(ckpt.klass, "demucs.htdemucs.HTDemucs");
  EXPECT_EQ(ckpt.kwargs["segment"], nlohmann::json({{"numerator", 39}, {"denominator", 5}}));
  EXPECT_EQ(ckpt.kwargs["sources"], nlohmann::json({"drums", "bass"}));
  EXPECT_EQ(ckpt.kwargs["samplerate"], 44100);
  EXPECT_DOUBLE_EQ(ckpt.kwargs["dconv_init"].get<double>(), 1e-3);
  EXPECT_EQ(ckpt.kwargs["cac"], true);
  EXPECT_TRUE(ckpt.kwargs["channels_time"].is_null());
  EXPECT_EQ(ckpt.extra["training_args"], nlohmann::json({{"seed", 42}}));
  ASSERT_EQ(ckpt.state.size(), 3u);
  const auto& w = ckpt.state.at("a.weight");
  EXPECT_EQ(w.shape, (std::vector<int64_t>{2, 4}));
  EXPECT_EQ(w.data, midistems::testing::halfTestValues());  // exact float16 decode
  // The transposed view gathers column-major: t[i][j] = w[j][i].
  const auto& t = ckpt.state.at("a.t");
  EXPECT_EQ(t.shape, (std::vector<int64_t>{4, 2}));
  for (int i = 0; i < 4; ++i)
    for (int j = 0; j < 2; ++j) EXPECT_EQ(t.data[size_t(i * 2 + j)], w.data[size_t(j * 4 + i)]);
  EXPECT_EQ(ckpt.state.at("b.bias").data, (std::vector<float>{30, 40, 50}));  // storage offset 2
}

TEST(TorchPackage, HalfDecodeCoversSpecialValues) {
  using midistems::testing::PickleWriter;
  // +inf, -0, largest subnormal, smallest normal.
  const std::vector<uint16_t> bits = {0x7c00, 0x8000, 0x03ff, 0x0400};
  PickleWriter w;
  w.proto().emptyDict().str("h").tensor("HalfStorage", "0", 4, 0, {4}, {1}).setitem().stop();
  const Checkpoint ckpt = parse(zipStored({{"archive/data.pkl", w.bytes},
                                           {"archive/data/0", midistems::testing::leBytes16(bits)}}));
  const auto& d = ckpt.state.at("h").data;
  EXPECT_TRUE(std::isinf(d[0]) && d[0] > 0);
  EXPECT_TRUE(d[1] == 0 && std::signbit(d[1]));
  EXPECT_EQ(d[2], 1023.0f / 1024.0f * 6.103515625e-05f);
  EXPECT_EQ(d[3], 6.103515625e-05f);
}

TEST(TorchPackage, BareStateDictBfloat16ParametersAndOtherPrefixes) {
  PickleWriter w;
  // OrderedDict of a Parameter-wrapped bfloat16 tensor, as torch.save(model.state_dict()) writes.
  w.proto().global("collections", "OrderedDict").emptyTuple().reduce().mark();
  w.str("layer.weight").global("torch._utils", "_rebuild_parameter").mark();
  w.tensor("BFloat16Storage", "0", 8, 1, {3}, {2}).boolean(true).global("collections", "OrderedDict");
  w.emptyTuple().reduce().tuple().reduce();  // (tensor, True, OrderedDict())
  w.setitems().stop();
  // bfloat16 bits of 1.0, -2.0, 0.5, 3.0 are the high halves of their float32 patterns.
  const std::vector<uint16_t> bf = {0, 0x3f80, 0, 0xc000, 0, 0x3f00, 0, 0x4040};
  const Checkpoint ckpt = parse(zipStored({{"weights/data.pkl", w.bytes},
                                           {"weights/data/0", midistems::testing::leBytes16(bf)}}));
  EXPECT_TRUE(ckpt.klass.empty());
  ASSERT_EQ(ckpt.state.size(), 1u);
  EXPECT_EQ(ckpt.state.at("layer.weight").data, (std::vector<float>{1.0f, -2.0f, 0.5f}));
}

TEST(TorchPackage, NestedStateDictsAreFlattenedWithDots) {
  PickleWriter w;
  w.proto().emptyDict().str("model").emptyDict().str("enc").emptyDict().str("w");
  w.tensor("HalfStorage", "0", 8, 0, {8}, {1}).setitem().setitem().setitem().stop();
  const Checkpoint ckpt = parse(packageWith(w.bytes));
  ASSERT_EQ(ckpt.state.count("enc.w"), 1u);
  EXPECT_EQ(ckpt.state.at("enc.w").data, midistems::testing::halfTestValues());
}

TEST(TorchPackage, ModelClassIsOnlyANameNeverCalled) {
  PickleWriter w;
  w.proto().emptyDict().mark().str("klass").global("os", "system");
  w.str("state").emptyDict().str("w").tensor("HalfStorage", "0", 8, 0, {8}, {1}).setitem();
  w.setitems().stop();
  EXPECT_EQ(parse(packageWith(w.bytes)).klass, "os.system");
}

TEST(TorchPackage, CallingADisallowedGlobalIsAnError) {
  PickleWriter reduce;
  reduce.proto().global("os", "system").str("echo owned").tuple1().reduce().stop();
  EXPECT_EQ(errorOf(packageWith(reduce.bytes)), "test.th: checkpoint uses a disallowed Python global 'os.system'");
  // Hidden inside the state dict, through NEWOBJ, and through BUILD on a class.
  EXPECT_NE(errorOf(stateWith([](PickleWriter& w) {
              w.global("builtins", "eval").str("1").tuple1().reduce();
            })).find("disallowed Python global 'builtins.eval'"),
            std::string::npos);
  EXPECT_NE(errorOf(stateWith([](PickleWriter& w) {
              w.global("subprocess", "Popen").emptyTuple().raw("\x81");
            })).find("disallowed Python global 'subprocess.Popen'"),
            std::string::npos);
  EXPECT_NE(errorOf(stateWith([](PickleWriter& w) {
              w.global("os", "environ").emptyDict().build();
            })).find("disallowed Python global 'os.environ'"),
            std::string::npos);
}

TEST(TorchPackage, WrongMagicMissingPickleAndUnknownOpcodeAreNamed) {
  EXPECT_EQ(errorOf("hello, world"), "test.th: not a torch.save zip (wrong magic)");
  EXPECT_EQ(errorOf(""), "test.th: not a torch.save zip (wrong magic)");
  EXPECT_NE(errorOf(zipStored({{"archive/version", "3\n"}})).find("no data.pkl"), std::string::npos);
  EXPECT_NE(errorOf(packageWith("\x80\x02\xff.")).find("unknown pickle opcode 0xff at byte 2"),
            std::string::npos);
  PickleWriter list;
  list.proto().emptyList().stop();
  EXPECT_NE(errorOf(packageWith(list.bytes)).find("not a dict"), std::string::npos);
  PickleWriter noTensors;
  noTensors.proto().emptyDict().stop();
  EXPECT_NE(errorOf(packageWith(noTensors.bytes)).find("no tensors"), std::string::npos);
}

TEST(TorchPackage, EveryTruncationIsAnError) {
  const std::string whole = midistems::testing::tinyTorchPackage();
  for (size_t cut = 0; cut < whole.size(); ++cut)
    EXPECT_THROW(parse(whole.substr(0, cut)), midistems::Error) << cut;
  // A cut inside the pickle, with a valid zip around it.
  const std::string pickle = midistems::testing::tinyTorchPackagePickle();
  for (size_t cut = 0; cut < pickle.size(); ++cut)
    EXPECT_THROW(parse(packageWith(pickle.substr(0, cut))), midistems::Error) << cut;
}

TEST(TorchPackage, TensorsOutsideTheirStorageAreErrors) {
  const auto tensorError = [](int64_t storageNumel, int64_t offset, std::vector<int64_t> size,
                              std::vector<int64_t> stride) {
    return errorOf(stateWith([&](PickleWriter& w) {
      w.tensor("HalfStorage", "0", storageNumel, offset, size, stride);
    }));
  };
  EXPECT_NE(tensorError(8, 100, {1}, {1}).find("reaches beyond its storage"), std::string::npos);
  EXPECT_NE(tensorError(8, 4, {2, 4}, {4, 1}).find("reaches beyond its storage"), std::string::npos);
  EXPECT_NE(tensorError(8, 0, {2, 2}, {1, int64_t(1) << 40}).find("reaches beyond"), std::string::npos);
  EXPECT_NE(tensorError(8, 0, {int64_t(1) << 30}, {1}).find("more elements than its storage"),
            std::string::npos);
  EXPECT_NE(tensorError(8, 0, {int64_t(1) << 31, int64_t(1) << 31, int64_t(1) << 31}, {0, 0, 0})
                .find("more elements"),
            std::string::npos);
  // A storage declared larger than its entry (huge numel).
  EXPECT_NE(tensorError(int64_t(1) << 40, 0, {8}, {1}).find("fewer than its"), std::string::npos);
  // Storage "9" does not exist.
  EXPECT_NE(errorOf(stateWith([](PickleWriter& w) { w.tensor("HalfStorage", "9", 1, 0, {1}, {1}); }))
                .find("is missing"),
            std::string::npos);
  EXPECT_NE(errorOf(stateWith([](PickleWriter& w) { w.tensor("PyObjectStorage", "0", 1, 0, {1}, {1}); }))
                .find("unsupported torch storage type"),
            std::string::npos);
}

TEST(TorchPackage, CompressedEntriesAreRefused) {
  // The tiny package re-zipped with deflate (as a user's zip tool might), written by libzip:
  // torch.save never compresses, and an inflated entry could be ~1000 times its size in the file.
  const auto dir = midistems::testing::scratchDir("deflated");
  const auto path = dir / "deflated.th";
  const std::vector<std::pair<std::string, std::string>> entries = {
      {"archive/data.pkl", midistems::testing::tinyTorchPackagePickle()},
      {"archive/data/0", midistems::testing::leBytes16(midistems::testing::halfTestBits())}};
  int error = 0;
  zip_t* z = zip_open(path.c_str(), ZIP_CREATE | ZIP_TRUNCATE, &error);
  ASSERT_NE(z, nullptr);
  for (const auto& [name, data] : entries) {
    zip_source_t* src = zip_source_buffer(z, data.data(), data.size(), 0);
    const zip_int64_t index = zip_file_add(z, name.c_str(), src, ZIP_FL_ENC_UTF_8);
    ASSERT_GE(index, 0);
    ASSERT_EQ(zip_set_file_compression(z, zip_uint64_t(index), ZIP_CM_DEFLATE, 9), 0);
  }
  ASSERT_EQ(zip_close(z), 0);
  try {
    midistems::nn::loadCheckpoint(path);
    ADD_FAILURE() << "a deflated package loaded";
  } catch (const midistems::Error& e) {
    EXPECT_EQ(std::string(e.what()), path.string() + ": zip entry 'archive/data.pkl' is compressed; torch.save "
                                                     "stores entries uncompressed (re-save the checkpoint with "
                                                     "torch.save)");
  }
  std::filesystem::remove_all(dir);
}

TEST(TorchPackage, ByteOrderRecordIsHonoured) {
  PickleWriter w;
  w.proto().emptyDict().str("w").tensor("HalfStorage", "0", 8, 0, {8}, {1}).setitem().stop();
  const std::string data = midistems::testing::leBytes16(midistems::testing::halfTestBits());
  EXPECT_EQ(parse(zipStored({{"archive/data.pkl", w.bytes}, {"archive/byteorder", "little"}, {"archive/data/0", data}}))
                .state.at("w").data,
            midistems::testing::halfTestValues());
  EXPECT_NE(errorOf(zipStored({{"archive/data.pkl", w.bytes}, {"archive/byteorder", "big"}, {"archive/data/0", data}}))
                .find("not little-endian"),
            std::string::npos);
}

TEST(TorchPackage, ManyViewsOfOneStorageCannotBlowUpMemory) {
  // 30 full views of one 1000-byte storage: 30,000 elements from 1 kB is refused up front;
  // 3 views (tied weights) are fine.
  const auto package = [](int views) {
    PickleWriter w;
    w.proto().emptyDict().mark();
    for (int i = 0; i < views; ++i) {
      const std::string name = fmt::format("v{}", i);
      w.str(name).tensor("ByteStorage", "0", 1000, 0, {1000}, {1});
    }
    w.setitems().stop();
    return zipStored({{"archive/data.pkl", w.bytes}, {"archive/data/0", std::string(1000, '\x01')}});
  };
  EXPECT_EQ(parse(package(3)).state.at("v2").data, std::vector<float>(1000, 1.0f));
  EXPECT_NE(errorOf(package(30)).find("far more than the 1000 bytes of storage"), std::string::npos);
}

TEST(TorchPackage, PlainValuesBecomeJson) {
  PickleWriter w;
  w.proto().emptyDict().mark().str("kwargs").emptyDict().mark();
  w.str("negative").integer(-70000);                                  // BININT
  w.str("big").integer(INT64_MAX);                                   // LONG1, 8 bytes
  w.str("huge").raw("\x8a\x09").raw(std::string(8, '\0')).raw("\x01");  // 2^64 as LONG1, 9 bytes
  w.str("minus_one").raw(std::string("\x8a\x01\xff", 3));            // LONG1 sign extension
  w.str("zero").raw(std::string("\x8a\x00", 2));
  w.str("ratio").global("fractions", "Fraction").integer(-3).integer(4).tuple2().reduce();
  w.str("whole").global("fractions", "Fraction").str("7").tuple1().reduce();
  w.str("pair").integer(1).binfloat(-2.5).tuple2();
  w.str("table").emptyDict().integer(3).str("three").setitem();
  w.str("ordered").global("collections", "OrderedDict").emptyList();
  w.str("k").integer(1).tuple2().append().tuple1().reduce();
  w.str("blob").global("_codecs", "encode").str("raw").str("latin1").tuple2().reduce();
  w.str("repeat").str("first").str("repeat").str("second");          // last duplicate wins
  w.setitems();
  w.str("state").emptyDict().str("w").tensor("HalfStorage", "0", 8, 0, {8}, {1}).setitem();
  w.setitems().stop();
  const Checkpoint ckpt = parse(packageWith(w.bytes));
  const auto& kw = ckpt.kwargs;
  EXPECT_EQ(kw["negative"], -70000);
  EXPECT_EQ(kw["big"], INT64_MAX);
  EXPECT_DOUBLE_EQ(kw["huge"].get<double>(), 18446744073709551616.0);
  EXPECT_EQ(kw["minus_one"], -1);
  EXPECT_EQ(kw["zero"], 0);
  EXPECT_EQ(kw["ratio"], nlohmann::json({{"numerator", -3}, {"denominator", 4}}));
  EXPECT_EQ(kw["whole"], nlohmann::json({{"numerator", 7}, {"denominator", 1}}));
  EXPECT_EQ(kw["pair"], nlohmann::json({1, -2.5}));
  EXPECT_EQ(kw["table"], nlohmann::json({{"3", "three"}}));
  EXPECT_EQ(kw["ordered"], nlohmann::json({{"k", 1}}));
  EXPECT_FALSE(kw.contains("blob"));  // bytes have no JSON form
  EXPECT_EQ(kw["repeat"], "second");
}

TEST(TorchPackage, Protocol4OpcodesAreUnderstood) {
  // FRAME, SHORT_BINUNICODE, MEMOIZE and STACK_GLOBAL, as pickle protocol 4 writes them.
  const auto shortStr = [](const std::string& s) { return std::string("\x8c") + char(s.size()) + s; };
  std::string p = std::string("\x80\x04\x95", 3) + std::string(8, '\0');
  p += "}\x94(" + shortStr("state") + "\x94}\x94" + shortStr("w") + "\x94";
  p += shortStr("torch._utils") + shortStr("_rebuild_tensor_v2") + "\x93\x94(";
  p += "(" + shortStr("storage") + shortStr("torch") + shortStr("HalfStorage") + "\x93" + shortStr("0") +
       shortStr("cpu") + "K\x08t";
  p += std::string("QK\0K\x08\x85K\x01\x85\x89}tRs", 14);  // persistent id, offset, size, stride, False, {}
  p += "u.";
  const Checkpoint ckpt = parse(packageWith(p));
  EXPECT_EQ(ckpt.state.at("w").data, midistems::testing::halfTestValues());
}

TEST(TorchPackage, WrongTypesAreErrors) {
  // _rebuild_tensor_v2 with an integer where the storage should be.
  EXPECT_NE(errorOf(stateWith([](PickleWriter& w) {
              w.global("torch._utils", "_rebuild_tensor_v2").mark().integer(1).integer(0);
              w.mark().integer(1).tuple().mark().integer(1).tuple().boolean(false).none().tuple().reduce();
            })).find("without a storage"),
            std::string::npos);
  // Negative sizes, a size that is a string, APPEND to a dict.
  EXPECT_THROW(parse(stateWith([](PickleWriter& w) { w.tensor("HalfStorage", "0", 8, 0, {-1}, {1}); })),
               midistems::Error);
  EXPECT_THROW(parse(stateWith([](PickleWriter& w) {
                 w.global("fractions", "Fraction").str("1/0").tuple1().reduce();
               })),
               midistems::Error);
  EXPECT_THROW(parse(stateWith([](PickleWriter& w) { w.emptyDict().integer(1).append(); })),
               midistems::Error);
}

TEST(TorchPackage, HostileSizesAndMemoIndicesAreErrors) {
  // A string that declares 4 GiB.
  EXPECT_NE(errorOf(packageWith(std::string("\x80\x02X\xff\xff\xff\xff", 7) + "abc.")).find("truncated"),
            std::string::npos);
  // Reading a memo slot never written, and writing one far out of range.
  EXPECT_NE(errorOf(packageWith("\x80\x02h\x05.")).find("memo entry 5 is not set"), std::string::npos);
  EXPECT_NE(errorOf(packageWith("\x80\x02}r\xff\xff\xff\xff.")).find("out of range"), std::string::npos);
  // Popping from an empty stack, more items than a MARK, SETITEMS with an odd count.
  EXPECT_THROW(parse(packageWith("\x80\x02t.")), midistems::Error);
  EXPECT_THROW(parse(packageWith("\x80\x02}(K\x01u.")), midistems::Error);
  EXPECT_THROW(parse(packageWith("\x80\x02}0.")), midistems::Error);
}

TEST(TorchPackage, DeepNestingAndCyclesNeitherCrashNorHang) {
  // 100,000 nested MARKs.
  EXPECT_NE(errorOf(packageWith("\x80\x02" + std::string(100000, '(') + ".")).find("nests too deeply"),
            std::string::npos);
  // A list nested 200,000 deep and a list that contains itself, as keyword arguments: they are
  // left out of the JSON, the rest of the package still loads.
  PickleWriter w;
  w.proto().emptyDict().mark().str("kwargs").emptyDict().mark().str("deep");
  for (int i = 0; i < 200000; ++i) w.emptyList();
  for (int i = 0; i < 199999; ++i) w.append();
  w.str("cycle").emptyList().put(0).get(0).append();
  w.str("channels").integer(8).setitems();
  w.str("state").emptyDict().str("w").tensor("HalfStorage", "0", 8, 0, {8}, {1}).setitem();
  w.setitems().stop();
  const Checkpoint ckpt = parse(packageWith(w.bytes));
  EXPECT_EQ(ckpt.kwargs["channels"], 8);
  EXPECT_FALSE(ckpt.kwargs.contains("deep"));
  EXPECT_FALSE(ckpt.kwargs.contains("cycle"));
  EXPECT_EQ(ckpt.state.size(), 1u);
}

TEST(TorchPackage, LoadCheckpointNamesTheFileAndTheProblem) {
  const auto dir = midistems::testing::scratchDir("checkpoint-files");
  const auto write = [&](const std::string& name, const std::string& bytes) {
    std::ofstream(dir / name, std::ios::binary) << bytes;
    return dir / name;
  };
  const auto tiny = write("tiny.th", midistems::testing::tinyTorchPackage());
  EXPECT_EQ(midistems::nn::loadCheckpoint(tiny).state.size(), 3u);
  EXPECT_EQ(midistems::nn::loadTorchPackage(tiny).klass, "demucs.htdemucs.HTDemucs");
  const auto expectError = [](const std::filesystem::path& p, const std::string& message) {
    try {
      midistems::nn::loadCheckpoint(p);
      ADD_FAILURE() << p << " loaded";
    } catch (const midistems::Error& e) {
      EXPECT_EQ(std::string(e.what()), p.string() + ": " + message);
    }
  };
  expectError(dir / "absent.th", "no such checkpoint file");
  expectError(write("empty.th", ""), "empty file");
  expectError(write("text.th", "just some text, not a model"),
              "not a model checkpoint (neither a torch.save zip nor a safetensors file)");
  expectError(write("legacy.th", std::string("\x80\x02\x8a\x0a\x6c\xfc\x9c\x46\xf9\x20\x6a\xa8\x50\x19.", 15)),
              "legacy torch.save format (before PyTorch 1.6) is not supported; re-save it with a "
              "newer PyTorch");
  std::filesystem::remove_all(dir);
}

}  // namespace
