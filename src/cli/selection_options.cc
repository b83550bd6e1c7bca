#include "cli/selection_options.h"

namespace tessel::cli {

void AddTaskSelection(CLI::App* command, TaskSelection& tasks) {
  command->add_option(
      "--problem", tasks.problem,
      "the problem: schedule, replay, accel, quant or noc (default: what the other options "
      "imply; see 'tessel problems')");
  command->add_option("--model", tasks.model, "a zoo model (see 'tessel zoo')");
  command->add_option("--onnx", tasks.onnx, "an ONNX model file: its conv2d and dense tasks");
  command->add_option("--layer", tasks.layers, "a layer of --model, e.g. r18.2 or 2 (repeatable)");
  command->add_option("--op", tasks.op, "keep only this operator of --model: conv2d or dense");
  command->add_option("--workload", tasks.workloads,
                      "conv2d:c=..,h=..,w=..,k=..,r=..,s=..[,stride=..,pad=..,groups=..,n=..,"
                      "layout=nchw|nhwc] or dense:in=..,out=..[,n=..] (repeatable)");
  command
      ->add_option("--layout", tasks.layout,
                   "nhwc: --model's or --onnx's conv2d tasks with channels-last activations, as "
                   "'tessel run --layout nhwc' runs them; default nchw")
      ->check(CLI::IsMember({"nchw", "nhwc"}));
  command->add_option("--net", tasks.net,
                      "accel: a network's layer table, built-in (example, alexnet, vgg16, "
                      "resnet18, mobilenet_v2) or a K,C,Y,X,R,S,T CSV file; quant: a network "
                      "trained on Fashion-MNIST (lenet5, convnet6)");
  command->add_option("--dataflow", tasks.dataflow,
                      "accel: shi (output stationary) or dla (weight stationary); default shi");
  command->add_option("--objective", tasks.objective,
                      "accel: latency, energy or edp (default latency); quant: "
                      "bitfusion_energy, avg_bits or stripes_cycles (default bitfusion_energy)");
  command->add_option("--maestro-version", tasks.maestro_version,
                      "accel: MAESTRO's constants, 2021 (current) or 2020; default 2021");
  command->add_option("--bits-set", tasks.bits_set,
                      "quant: the bitwidths each layer may take, e.g. 2,3,4,5,8; default 2..8");
  command->add_option("--train-seed", tasks.train_seed,
                      "quant: seed of the trained network every evaluation uses; default 1");
  command->add_option("--fine-tune", tasks.fine_tune,
                      "quant: fine-tune each quantized network first, e.g. "
                      "epochs=1,subset=5000,lr=0.01,momentum=0,batch=64; default none");
  command->add_option("--train", tasks.train,
                      "quant: how the network is trained, e.g. epochs=2,subset=1000,lr=0.001,"
                      "batch=64; default the full training (docs/quant_model.md)");
  command->add_option("--activation-bits", tasks.activation_bits,
                      "quant: quantize activations to this many bits too (0: float); default 0");
  command->add_option("--split", tasks.split,
                      "quant: validation (searching) or test (checking a choice); default "
                      "validation");
  command->add_option("--dataset", tasks.dataset_dir,
                      "quant: Fashion-MNIST's directory; default "
                      "/usr/share/datasets/fashion-mnist");
  command->add_option("--cache-dir", tasks.cache_dir,
                      "quant: where the dataset and trained networks are cached; default "
                      "$XDG_CACHE_HOME/tessel or ~/.cache/tessel");
  command->add_option("--mesh", tasks.mesh, "noc: the mesh is K x K routers; default 8");
  command
      ->add_option("--traffic", tasks.traffic,
                   "noc: uniform, transpose, bit-complement, shuffle, tornado or hotspot "
                   "(repeatable, or a comma-separated list); default uniform")
      ->delimiter(',');
  command
      ->add_option("--rate", tasks.rates,
                   "noc: offered load in flits per node per cycle, in (0, 1] (repeatable, or "
                   "a comma-separated list: a task per load)")
      ->delimiter(',');
  command->add_option("--noc", tasks.noc,
                      "noc: the network's other settings, e.g. vcs=2,buffer_flits=8,"
                      "packet_flits=1,router_latency=1,link_latency=1,warmup=1000,measure=10000");
}

void AddConstraintOptions(CLI::App* command, TaskSelection& tasks) {
  command->add_option("--constraint", tasks.constraints,
                      "METRIC<=LIMIT: an evaluation that breaks it is recorded as infeasible and "
                      "is never the best; accel also takes a bare area or power, a budget "
                      "relative to the corner configurations (repeatable)");
  command->add_option("--max-accuracy-loss", tasks.max_accuracy_loss,
                      "quant: a configuration losing more accuracy than this (points, against "
                      "floating point) is infeasible; default 1");
  command->add_option("--constraint-ratio", tasks.constraint_ratio,
                      "accel: where a bare area or power budget lies between the corner "
                      "configurations' smallest (0) and largest (1) total; default 0.5");
}

}  // namespace tessel::cli
