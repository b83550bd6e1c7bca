// oneDNN's side of the benchmarks: its thread count and its layers bound to a layer's data in
// the formats oneDNN chooses (the data are reordered into them once, outside any timing).
#pragma once

#include <dlfcn.h>

#include <string>
#include <vector>

#if __has_include(<oneapi/dnnl/dnnl.hpp>)
#include <oneapi/dnnl/dnnl.hpp>
#else
#include <dnnl.hpp>
#endif

#include "problems/schedule/operator_template.h"
#include "problems/schedule/workload.h"

namespace tessel {

// ---------------------------------------------------------------------------------------------
// oneDNN's thread count. The Debian build uses OpenMP, whose initial thread count was read from
// OMP_NUM_THREADS when libgomp loaded, before main(); omp_set_num_threads (looked up at run
// time, since only libdnnl links libgomp) sets it for the main thread, which runs every
// primitive.

inline std::string OneDnnRuntimeName(unsigned runtime) {
  switch (runtime) {
    case DNNL_RUNTIME_SEQ:
      return "sequential";
    case DNNL_RUNTIME_OMP:
      return "OpenMP";
    case DNNL_RUNTIME_TBB:
      return "TBB";
    case DNNL_RUNTIME_THREADPOOL:
      return "threadpool";
    default:
      return "runtime " + std::to_string(runtime);
  }
}

// Returns oneDNN's effective thread count (0 when it cannot be told).
inline int SetOneDnnThreads(int threads) {
  if (dnnl::version()->cpu_runtime != DNNL_RUNTIME_OMP) return 0;
  using SetFn = void (*)(int);
  using GetFn = int (*)();
  auto set = reinterpret_cast<SetFn>(dlsym(RTLD_DEFAULT, "omp_set_num_threads"));
  auto get = reinterpret_cast<GetFn>(dlsym(RTLD_DEFAULT, "omp_get_max_threads"));
  if (set) set(threads);
  return get ? get() : 0;
}

// ---------------------------------------------------------------------------------------------
// oneDNN's convolution of one layer, bound to its data in oneDNN's chosen formats.

class OneDnnConv {
 public:
  OneDnnConv(const Conv2dShape& s, const OperatorData& data)
      : engine_(dnnl::engine::kind::cpu, 0), stream_(engine_) {
    using dt = dnnl::memory::data_type;
    using tag = dnnl::memory::format_tag;
    using dims = dnnl::memory::dims;
    const dims src_dims = {s.n, s.c, s.h, s.w};
    const dims dst_dims = {s.n, s.k, s.out_h(), s.out_w()};
    const bool grouped = s.groups > 1;
    const dims weights_dims = grouped ? dims{s.groups, s.k / s.groups, s.c / s.groups, s.r, s.s}
                                      : dims{s.k, s.c, s.r, s.s};
    const dnnl::memory::desc src_any(src_dims, dt::f32, tag::any);
    const dnnl::memory::desc weights_any(weights_dims, dt::f32, tag::any);
    const dnnl::memory::desc dst_any(dst_dims, dt::f32, tag::any);
    const dnnl::convolution_forward::desc desc(
        dnnl::prop_kind::forward_inference, dnnl::algorithm::convolution_direct, src_any,
        weights_any, dst_any, {s.stride, s.stride}, {s.pad, s.pad}, {s.pad, s.pad});
    const dnnl::convolution_forward::primitive_desc pd(desc, engine_);
    impl_ = pd.impl_info_str();
    conv_ = dnnl::convolution_forward(pd);

    // The user's dense NCHW / OIHW data, reordered once into the formats oneDNN chose.
    dnnl::memory user_src({src_dims, dt::f32, tag::nchw}, engine_,
                          const_cast<float*>(data.input.data()));
    dnnl::memory user_weights({weights_dims, dt::f32, grouped ? tag::goihw : tag::oihw}, engine_,
                              const_cast<float*>(data.weights.data()));
    src_ = dnnl::memory(pd.src_desc(), engine_);
    weights_ = dnnl::memory(pd.weights_desc(), engine_);
    dst_ = dnnl::memory(pd.dst_desc(), engine_);
    dnnl::reorder(user_src, src_).execute(stream_, user_src, src_);
    dnnl::reorder(user_weights, weights_).execute(stream_, user_weights, weights_);
    stream_.wait();
    user_dst_desc_ = dnnl::memory::desc(dst_dims, dt::f32, tag::nchw);
  }

  void Run() {
    conv_.execute(stream_,
                  {{DNNL_ARG_SRC, src_}, {DNNL_ARG_WEIGHTS, weights_}, {DNNL_ARG_DST, dst_}});
    stream_.wait();
  }

  // The output of the last Run(), reordered to dense NCHW.
  std::vector<float> OutputNchw() {
    std::vector<float> out(user_dst_desc_.get_size() / sizeof(float));
    dnnl::memory user_dst(user_dst_desc_, engine_, out.data());
    dnnl::reorder(dst_, user_dst).execute(stream_, dst_, user_dst);
    stream_.wait();
    return out;
  }

  const std::string& impl() const { return impl_; }

 private:
  dnnl::engine engine_;
  dnnl::stream stream_;
  dnnl::convolution_forward conv_;
  dnnl::memory src_, weights_, dst_;
  dnnl::memory::desc user_dst_desc_;
  std::string impl_;
};

// oneDNN's inner product (a dense layer), bound to its data like OneDnnConv.
class OneDnnDense {
 public:
  OneDnnDense(const DenseShape& d, const OperatorData& data)
      : engine_(dnnl::engine::kind::cpu, 0), stream_(engine_) {
    using dt = dnnl::memory::data_type;
    using tag = dnnl::memory::format_tag;
    using dims = dnnl::memory::dims;
    const dims src_dims = {d.n, d.in}, weights_dims = {d.out, d.in}, dst_dims = {d.n, d.out};
    const dnnl::inner_product_forward::desc desc(
        dnnl::prop_kind::forward_inference, dnnl::memory::desc(src_dims, dt::f32, tag::any),
        dnnl::memory::desc(weights_dims, dt::f32, tag::any),
        dnnl::memory::desc(dst_dims, dt::f32, tag::any));
    const dnnl::inner_product_forward::primitive_desc pd(desc, engine_);
    impl_ = pd.impl_info_str();
    dense_ = dnnl::inner_product_forward(pd);
    dnnl::memory user_src({src_dims, dt::f32, tag::nc}, engine_,
                          const_cast<float*>(data.input.data()));
    dnnl::memory user_weights({weights_dims, dt::f32, tag::oi}, engine_,
                              const_cast<float*>(data.weights.data()));
    src_ = dnnl::memory(pd.src_desc(), engine_);
    weights_ = dnnl::memory(pd.weights_desc(), engine_);
    dst_ = dnnl::memory(pd.dst_desc(), engine_);
    dnnl::reorder(user_src, src_).execute(stream_, user_src, src_);
    dnnl::reorder(user_weights, weights_).execute(stream_, user_weights, weights_);
    stream_.wait();
    user_dst_desc_ = dnnl::memory::desc(dst_dims, dt::f32, tag::nc);
  }

  void Run() {
    dense_.execute(stream_,
                   {{DNNL_ARG_SRC, src_}, {DNNL_ARG_WEIGHTS, weights_}, {DNNL_ARG_DST, dst_}});
    stream_.wait();
  }

  std::vector<float> Output() {
    std::vector<float> out(user_dst_desc_.get_size() / sizeof(float));
    dnnl::memory user_dst(user_dst_desc_, engine_, out.data());
    dnnl::reorder(dst_, user_dst).execute(stream_, dst_, user_dst);
    stream_.wait();
    return out;
  }

  const std::string& impl() const { return impl_; }

 private:
  dnnl::engine engine_;
  dnnl::stream stream_;
  dnnl::inner_product_forward dense_;
  dnnl::memory src_, weights_, dst_;
  dnnl::memory::desc user_dst_desc_;
  std::string impl_;
};

}  // namespace tessel
