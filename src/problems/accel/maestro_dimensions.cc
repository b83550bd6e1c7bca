#include "problems/accel/maestro_dimensions.h"

#include "core/error.h"

namespace tessel::maestro {

DimTable LayerDimensions(const AccelLayer& layer) {
  // docs/maestro_model.md 2.1 (ConstructConvDimensionTable): the output-centric sizes are
  // derived from the input-centric ones the mapping file gives.
  DimTable dims;
  dims.Set(Dim::kK, layer.k);
  dims.Set(Dim::kC, layer.c);
  dims.Set(Dim::kY, layer.y);
  dims.Set(Dim::kX, layer.x);
  dims.Set(Dim::kR, layer.r);
  dims.Set(Dim::kS, layer.s);
  dims.Set(Dim::kXOut, layer.x - layer.s + 1);
  dims.Set(Dim::kYOut, layer.y - layer.r + 1);
  return dims;
}

TensorVars::TensorVars(std::initializer_list<Dim> dims) {
  TESSEL_CHECK(dims.size() <= dims_.size()) << "a tensor has at most one of each variable";
  for (Dim dim : dims) {
    dims_[count_++] = dim;
    mask_ |= static_cast<uint8_t>(1u << DimIndex(dim));
  }
}

const TensorVars& TensorSet::Vars(TensorClass tensor) const {
  switch (tensor) {
    case TensorClass::kInput:
      return input;
    case TensorClass::kFilter:
      return filter;
    case TensorClass::kOutput:
      break;
  }
  return output;
}

const TensorSet& TensorsOf(AccelLayerType type) {
  // docs/maestro_model.md 2.2, ConfigConvTensors without batch. The sorted input variables are
  // the byte-order sort of the input and filter variables (GetInputTensorVars).
  static const TensorSet kConv{
      .input = {Dim::kC, Dim::kY, Dim::kX},
      .filter = {Dim::kK, Dim::kC, Dim::kR, Dim::kS},
      .output = {Dim::kK, Dim::kY, Dim::kX},
      .sorted_input_vars = {Dim::kC, Dim::kK, Dim::kR, Dim::kS, Dim::kX, Dim::kY}};
  static const TensorSet kDepthwise{
      .input = {Dim::kC, Dim::kY, Dim::kX},
      .filter = {Dim::kC, Dim::kR, Dim::kS},
      .output = {Dim::kC, Dim::kY, Dim::kX},
      .sorted_input_vars = {Dim::kC, Dim::kR, Dim::kS, Dim::kX, Dim::kY}};
  return type == AccelLayerType::kDepthwise ? kDepthwise : kConv;
}

}  // namespace tessel::maestro
