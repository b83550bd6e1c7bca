// Makes the quantization problem for a network of quant_nets.h: loads Fashion-MNIST, loads the
// trained network from the cache (training it the first time), and hands its accuracies to a
// QuantProblem. What the command line's quant options become.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "problems/quant/quant_model.h"
#include "problems/quant/quant_problem.h"

namespace tessel {

struct QuantSetup {
  std::string net;          // a name from QuantNets()
  std::string dataset_dir;  // empty: DefaultDatasetDir()
  std::string cache_dir;    // empty: DefaultCacheDir()
  TrainSettings training;   // its seed picks the trained weights every evaluation uses
  // The split evaluations measure: the validation split while searching; the test split only
  // to check a chosen configuration (its records form another task).
  Split split = Split::kValidation;
  QuantSettings quantization;  // the quantizer and the fine-tune each evaluation runs
  QuantOptions problem;
  std::function<void(const std::string&)> log;  // training progress; may be empty
};

// Throws tessel::Error for an unknown net or missing dataset files.
std::unique_ptr<QuantProblem> MakeQuantProblem(const QuantSetup& setup);

// "epochs=1,subset=5000,lr=0.01,momentum=0,batch=64" over FineTuneSettings' defaults; throws
// tessel::Error naming --fine-tune for an unknown key or a bad value.
FineTuneSettings ParseFineTune(const std::string& spec);

// "epochs=2,subset=1000,lr=0.001,batch=64" over `defaults`; throws tessel::Error naming --train
// for an unknown key or a bad value.
TrainSettings ParseTrainSettings(const std::string& spec, TrainSettings defaults);

// "validation" or "test"; throws tessel::Error otherwise.
Split SplitFromName(const std::string& name);

}  // namespace tessel
