#include "core/npy.h"

#include <cstring>
#include <fstream>
#include <string>

#include "core/error.h"

namespace midistems {

int64_t NpyArray::size() const {
  int64_t n = 1;
  for (auto d : shape) n *= d;
  return n;
}

namespace {

std::string headerValue(const std::string& header, const std::string& key) {
  const auto k = header.find("'" + key + "'");
  if (k == std::string::npos) return {};
  auto p = header.find(':', k);
  if (p == std::string::npos) return {};
  ++p;
  while (p < header.size() && header[p] == ' ') ++p;
  if (header[p] == '(') return header.substr(p, header.find(')', p) - p + 1);
  if (header[p] == '\'') return header.substr(p + 1, header.find('\'', p + 1) - p - 1);
  return header.substr(p, header.find(',', p) - p);
}

template <typename T>
void convert(std::ifstream& in, std::vector<float>& out, const std::filesystem::path& path) {
  std::vector<T> tmp(out.size());
  in.read(reinterpret_cast<char*>(tmp.data()), std::streamsize(tmp.size() * sizeof(T)));
  if (!in) throw Error(path.string() + ": truncated .npy data");
  for (size_t i = 0; i < tmp.size(); ++i) out[i] = float(tmp[i]);
}

}  // namespace

NpyArray readNpy(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(path.string() + ": file not found");
  char magic[8];
  in.read(magic, 8);
  if (!in || std::memcmp(magic, "\x93NUMPY", 6) != 0) throw Error(path.string() + ": not a .npy file");
  uint32_t headerLen = 0;
  if (magic[6] == 1) {
    uint16_t h16;
    in.read(reinterpret_cast<char*>(&h16), 2);
    headerLen = h16;
  } else {
    in.read(reinterpret_cast<char*>(&headerLen), 4);
  }
  if (!in || headerLen > (1u << 20)) throw Error(path.string() + ": corrupt .npy header");
  std::string header(headerLen, '\0');
  in.read(header.data(), headerLen);
  if (headerValue(header, "fortran_order").rfind("True", 0) == 0)
    throw Error(path.string() + ": Fortran-ordered .npy is not supported");
  const std::string descr = headerValue(header, "descr");
  NpyArray arr;
  const std::string shape = headerValue(header, "shape");
  int64_t n = 1;
  for (size_t i = 1; i < shape.size();) {
    while (i < shape.size() && (shape[i] == ' ' || shape[i] == ',')) ++i;
    if (i >= shape.size() || shape[i] == ')') break;
    size_t used = 0;
    const int64_t d = std::stoll(shape.substr(i), &used);
    arr.shape.push_back(d);
    n *= d;
    i += used;
  }
  arr.data.resize(size_t(n));
  if (descr == "<f4") convert<float>(in, arr.data, path);
  else if (descr == "<f8") convert<double>(in, arr.data, path);
  else if (descr == "<i4") convert<int32_t>(in, arr.data, path);
  else if (descr == "<i8") convert<int64_t>(in, arr.data, path);
  else throw Error(path.string() + ": unsupported .npy dtype " + descr);
  return arr;
}

std::vector<float> readRawFloat32(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) throw Error(path.string() + ": file not found");
  const auto bytes = size_t(in.tellg());
  in.seekg(0);
  std::vector<float> out(bytes / 4);
  in.read(reinterpret_cast<char*>(out.data()), std::streamsize(out.size() * 4));
  return out;
}

}  // namespace midistems
