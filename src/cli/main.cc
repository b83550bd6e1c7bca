// The `tessel` command: parses arguments and dispatches; the work is in the library.
#include <signal.h>

#include <CLI/CLI.hpp>
#include <iostream>
#include <new>

#include "cli/commands.h"
#include "cli/measure_options.h"
#include "core/error.h"
#include "core/stop_request.h"
#include "tune/presets.h"

namespace {

std::string JoinArgs(int argc, char** argv) {
  std::string line;
  for (int i = 0; i < argc; ++i) line += (i ? " " : "") + std::string(argv[i]);
  return line;
}

void AddTaskSelection(CLI::App* command, tessel::cli::TaskSelection& tasks) {
  command->add_option(
      "--problem", tasks.problem,
      "the problem: schedule, replay, accel or quant (default: what the other options "
      "imply; see 'tessel problems')");
  command->add_option("--model", tasks.model, "a zoo model (see 'tessel zoo')");
  command->add_option("--onnx", tasks.onnx, "an ONNX model file: its conv2d and dense tasks");
  command->add_option("--layer", tasks.layers, "a layer of --model, e.g. r18.2 or 2 (repeatable)");
  command->add_option("--op", tasks.op, "keep only this operator of --model: conv2d or dense");
  command->add_option("--workload", tasks.workloads,
                      "conv2d:c=..,h=..,w=..,k=..,r=..,s=..[,stride=..,pad=..,groups=..,n=..] "
                      "or dense:in=..,out=..[,n=..] (repeatable)");
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
}

void AddConstraintOptions(CLI::App* command, tessel::cli::TaskSelection& tasks) {
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

}  // namespace

int main(int argc, char** argv) {
  using namespace tessel::cli;
  // A file-size limit (ulimit -f) would kill the process mid-write; ignored, the write fails
  // with EFBIG instead, SQLite rolls the transaction back and the error is reported as a full
  // disk is.
  signal(SIGXFSZ, SIG_IGN);
  // From the start, so that a Ctrl-C while a long command starts up is seen; commands that
  // do not stop cleanly give the signals their default action back once parsed.
  tessel::InstallStopHandlers();
  CLI::App app{"Tessel: learned search for fast DNN operators"};
  app.require_subcommand(1);

  std::string zoo_model;
  CLI::App* zoo = app.add_subcommand("zoo", "list the model zoo's layer tasks");
  zoo->add_option("model", zoo_model, "one model to list");

  TaskSelection space_tasks;
  CLI::App* space = app.add_subcommand("space", "report the size of tasks' schedule spaces");
  AddTaskSelection(space, space_tasks);

  TuneCommandOptions tune_options;
  tune_options.command_line = JoinArgs(argc, argv);
  CLI::App* tune = app.add_subcommand("tune", "tune tasks and record every measurement");
  AddTaskSelection(tune, tune_options.tasks);
  AddConstraintOptions(tune, tune_options.tasks);
  tune->add_option("--space", tune_options.tasks.space_csv,
                   "tune a CSV table of measured configurations instead of this machine");
  tune->add_option("--tuner", tune_options.tuner,
                   tessel::PresetNames([](const tessel::Preset&) { return true; }))
      ->capture_default_str();
  tune->add_option("--features", tune_options.features,
                   "cost model features: knob, loop, both, or auto (both; knob for a replay table)")
      ->capture_default_str();
  tune->add_flag("--transfer", tune_options.transfer,
                 "warm-start the cost model from other tasks of the same template in --db");
  tune->add_option("--ppo", tune_options.ppo,
                   "PPO agent options over the RELEASE paper's defaults (release, rl), e.g. "
                   "clip=0.2,entropy=0.3,minibatch=32");
  tune->add_option("--sampling", tune_options.sampling,
                   "adaptive sampling options (release, sa-as), e.g. knee=loss-drop,top=0.25");
  tune->add_option("--init", tune_options.init,
                   "initial design of a model-based tuner: random or bted (default: random, "
                   "bted for bted and bted-bao)");
  tune->add_option(
      "--bted", tune_options.bted,
      "BTED options (with a BTED design), e.g. kernel=distance,encoding=index,mu=5,M=512,B=8");
  tune->add_option("--bao", tune_options.bao,
                   "BAO options (bted-bao), e.g. members=8,radius=0.2,tau=2,threshold=0.05");
  tune->add_option("--ga", tune_options.ga,
                   "genetic algorithm options (ga), e.g. population=20,parents=8,mutation=0.1");
  tune->add_option("--releq", tune_options.releq,
                   "ReLeQ agent options (releq), e.g. lr=0.001,epochs=3,a=0.6,q=3,threshold=0.8 "
                   "or variant=lenet|cifar|svhn");
  tune->add_option("--plan-size", tune_options.plan_size,
                   "model-based tuners: size of the initial design and measurements between "
                   "cost-model refits (default 64; bted-bao refits after each --bao batch)");
  tune->add_option("--trials", tune_options.trials, "measurements per task");
  tune->add_option("--budget", tune_options.budget,
                   "measurements for all the selected tasks, split equally between them");
  tune->add_option("--allocation", tune_options.allocation,
                   "how --budget is shared: equal, or gradient (round by round to the task "
                   "whose improvement lowers the network's latency most, as Ansor)")
      ->capture_default_str();
  tune->add_flag("--resume", tune_options.resume,
                 "continue: the tasks' records in --db count towards their measurements and "
                 "the tuner learns from them");
  tune->add_option("--seed", tune_options.seed, "root random seed")->capture_default_str();
  tune->add_option("--db", tune_options.db, "records database (default $TESSEL_DB or ./tessel.db)");
  tune->add_flag("--json", tune_options.json, "one JSON object per task on stdout");
  tune->add_option("--early-stopping", tune_options.early_stopping,
                   "stop a task after this many measurements without improvement");
  tune->add_option("--batch-size", tune_options.batch_size, "measurements per batch")
      ->capture_default_str();
  AddMeasureFlags(tune, tune_options.measure);
  bool skip_default = false;
  tune->add_flag("--no-default", skip_default, "do not measure the default schedule");

  EvalCommandOptions eval_options;
  eval_options.command_line = tune_options.command_line;
  CLI::App* eval = app.add_subcommand(
      "eval", "evaluate one configuration of one problem instance and record it");
  AddTaskSelection(eval, eval_options.tasks);
  AddConstraintOptions(eval, eval_options.tasks);
  eval->add_option("--space", eval_options.tasks.space_csv, "a replay table (the replay problem)");
  eval->add_option("--config", eval_options.config,
                   "the configuration: knob=value,knob=value,... (every knob)")
      ->required();
  eval->add_option("--seed", eval_options.seed, "seed of the schedule problem's input data")
      ->capture_default_str();
  eval->add_option("--db", eval_options.db, "records database (default $TESSEL_DB or ./tessel.db)");
  eval->add_flag("--json", eval_options.json, "one JSON object on stdout");
  AddMeasureFlags(eval, eval_options.measure);

  CLI::App* problems = app.add_subcommand(
      "problems", "list the problems with their instances, knobs, objective and metrics");

  std::string best_db;
  CLI::App* best = app.add_subcommand("best", "print the best record of every task");
  best->add_option("--db", best_db, "records database");

  std::string export_db, export_format = "jsonl", export_task;
  CLI::App* export_cmd = app.add_subcommand("export", "write records to stdout");
  export_cmd->add_option("--db", export_db, "records database");
  export_cmd->add_option("--format", export_format, "jsonl (every record) or csv (a replay table)")
      ->capture_default_str();
  export_cmd->add_option("--task", export_task, "with csv: the task's id or workload");

  std::string import_db, import_file;
  CLI::App* import_cmd = app.add_subcommand("import", "read records written by export");
  import_cmd->add_option("file", import_file, "a JSONL file")->required();
  import_cmd->add_option("--db", import_db, "records database");

  RunCommandOptions run_options;
  CLI::App* run = app.add_subcommand(
      "run", "run a network with its best records, check it and time it end to end");
  run->add_option("--model", run_options.network.model, "a zoo model (see 'tessel zoo')");
  run->add_option("--onnx", run_options.network.onnx, "an ONNX model file");
  run->add_option("--db", run_options.db, "records database (default $TESSEL_DB or ./tessel.db)");
  run->add_option("--threads", run_options.threads, "kernel threads (default: all cores)");
  run->add_option("--repeats", run_options.repeats, "timed runs")->capture_default_str();
  run->add_option("--warmup", run_options.warmup, "untimed runs first")->capture_default_str();
  run->add_option("--seed", run_options.seed, "seed of the zoo's weights and of the input")
      ->capture_default_str();
  bool no_check = false;
  run->add_flag("--no-check", no_check, "skip the comparison with the reference executor");
  run->add_flag("--json", run_options.json, "one JSON object on stdout");
  run->add_option("--input", run_options.input_file,
                  "the input as raw little-endian fp32 (default: seeded uniform [0, 1))");
  run->add_option("--compare", run_options.compare_file,
                  "raw fp32 output to compare with, e.g. another framework's for --input");
  run->add_option("--tolerance", run_options.tolerance,
                  "largest relative error the check and --compare accept; above it the exit "
                  "status is 1")
      ->capture_default_str();

  // CLI11 would only say that a subcommand is required; name the unknown word instead.
  if (argc > 1 && argv[1][0] != '-') {
    bool known = false;
    for (const CLI::App* command : app.get_subcommands({})) known |= command->get_name() == argv[1];
    if (!known) {
      std::cerr << "tessel: unknown command '" << argv[1]
                << "'; commands: problems, zoo, space, tune, eval, run, best, export, import"
                << std::endl;
      return 2;
    }
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp&) {
    std::cout << (app.get_subcommands().empty() ? app.help() : app.get_subcommands()[0]->help());
    return 0;
  } catch (const CLI::ParseError& error) {
    std::string where =
        app.get_subcommands().empty() ? "" : " " + app.get_subcommands()[0]->get_name();
    std::cerr << "tessel: " << error.what() << "; see 'tessel" << where << " --help'" << std::endl;
    return 2;
  }

  if (!*tune) tessel::UninstallStopHandlers();
  try {
    if (*problems) return RunProblems();
    if (*eval) return RunEval(eval_options);
    if (*zoo) return RunZoo(zoo_model);
    if (*space) return RunSpace(space_tasks);
    if (*tune) {
      tune_options.measure_default = !skip_default;
      return RunTune(tune_options);  // stops cleanly on Ctrl-C and SIGTERM
    }
    if (*run) {
      run_options.check = !no_check;
      return RunNetwork(run_options);
    }
    if (*best) return RunBest(best_db);
    if (*export_cmd) return RunExport(export_db, export_format, export_task);
    if (*import_cmd) return RunImport(import_db, import_file);
  } catch (const tessel::Error& error) {
    std::cerr << "tessel: " << error.what() << std::endl;
    return 2;
  } catch (const tessel::StopRequestedError&) {
    std::cerr << "tessel: stopped by " << tessel::SignalName(tessel::StopSignal())
              << "; everything evaluated before it is recorded" << std::endl;
    tessel::DieOfStopSignal();
  } catch (const std::bad_alloc&) {
    // The inputs' sizes are checked before they are allocated; this is the last resort.
    std::cerr << "tessel: out of memory: the input needs more memory than this machine has, or "
                 "than --memory-limit allows"
              << std::endl;
    return 2;
  }
  return 2;
}
