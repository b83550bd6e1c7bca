// ONNX models in: the operators torchvision's exports of the zoo networks use (Conv, Relu,
// MaxPool, AveragePool, GlobalAveragePool, Add, Concat, Flatten, Gemm, BatchNormalization,
// Softmax; Dropout and Identity pass their input on, Constant gives a weight, and a Reshape
// to (batch, features) is a flatten), fp32 weights from the file's
// initializers, one 4-d input with a fixed shape (a symbolic batch is taken as 1).
#pragma once

#include <string>

#include "network/graph.h"

namespace tessel {

// Throws tessel::Error for an unreadable, truncated or malformed file, an operator or
// attribute outside the list (naming the operator and the node), and shape mismatches.
Graph ImportOnnx(const std::string& path);

// The same from the serialized bytes; `origin` names them in errors.
Graph ImportOnnxBytes(const std::string& bytes, const std::string& origin);

}  // namespace tessel
