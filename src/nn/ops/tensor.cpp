#include "nn/ops/tensor.h"

#include <sstream>

namespace midistems::nn {

std::string shapeToString(const std::vector<int64_t>& shape) {
  std::ostringstream s;
  s << '(';
  for (size_t i = 0; i < shape.size(); ++i) s << (i ? ", " : "") << shape[i];
  s << (shape.size() == 1 ? ",)" : ")");
  return s.str();
}

}  // namespace midistems::nn
