// The `tessel` command: parses arguments and dispatches; the work is in the library.
#include <signal.h>

#include <CLI/CLI.hpp>
#include <iostream>
#include <new>

#include "cli/commands.h"
#include "cli/measure_options.h"
#include "cli/selection_options.h"
#include "cli/tuner_options.h"
#include "core/error.h"
#include "core/stop_request.h"

namespace {

std::string JoinArgs(int argc, char** argv) {
  std::string line;
  for (int i = 0; i < argc; ++i) line += (i ? " " : "") + std::string(argv[i]);
  return line;
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
  AddTunerOptions(tune, tune_options);
  tune->add_option("--trials", tune_options.trials, "measurements per task");
  tune->add_option("--budget", tune_options.budget,
                   "measurements for all the selected tasks, shared as --allocation says");
  tune->add_option("--allocation", tune_options.allocation,
                   "how --budget is shared: equal, or gradient (round by round to the task "
                   "whose improvement lowers the network's latency most, as Ansor), or "
                   "predicted (to the task whose model predicts the largest such drop; a task "
                   "stops when its model expects less than --min-gain); auto: predicted for "
                   "--tuner tessel with a --prior, equal otherwise")
      ->capture_default_str();
  tune->add_option("--min-gain", tune_options.min_gain,
                   "--allocation predicted: stop a task when its model expects another round to "
                   "take less than this share off its best time")
      ->capture_default_str();
  tune->add_flag("--resume", tune_options.resume,
                 "continue: the tasks' records in --db count towards their measurements and "
                 "the tuner learns from them");
  tune->add_option("--seed", tune_options.seed, "root random seed")->capture_default_str();
  tune->add_option("--db", tune_options.db, "records database (default $TESSEL_DB or ./tessel.db)");
  tune->add_flag("--json", tune_options.json, "one JSON object per task on stdout");
  tune->add_option("--progress", tune_options.progress,
                   "progress on stderr: auto (bars on a terminal, lines otherwise), bar, lines "
                   "or none")
      ->capture_default_str();
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
  eval->add_option("--seed", eval_options.seed,
                   "seed of the schedule problem's input data or of the noc problem's simulation")
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

  std::string report_db, report_out = "report.html";
  CLI::App* report = app.add_subcommand("report", "write an HTML report of the records");
  report->add_option("--db", report_db, "records database (default $TESSEL_DB or ./tessel.db)");
  report->add_option("--out", report_out, "the HTML file to write")->capture_default_str();

  ServeOptions serve_options;
  CLI::App* serve = app.add_subcommand(
      "serve", "serve the report as a local web page that follows the database live");
  serve->add_option("--db", serve_options.db,
                    "records database (default $TESSEL_DB or ./tessel.db)");
  serve->add_option("--port", serve_options.port, "TCP port; 0: any free one")
      ->capture_default_str();
  serve->add_option("--host", serve_options.host, "address to listen on")->capture_default_str();

  RunCommandOptions run_options;
  CLI::App* run = app.add_subcommand(
      "run", "run a network with its best records, check it and time it end to end");
  run->add_option("--model", run_options.network.model, "a zoo model (see 'tessel zoo')");
  run->add_option("--onnx", run_options.network.onnx, "an ONNX model file");
  run->add_option("--db", run_options.db, "records database (default $TESSEL_DB or ./tessel.db)");
  run->add_option("--threads", run_options.threads, "kernel threads (default: all cores)");
  run->add_option("--repeats", run_options.repeats, "timed runs")->capture_default_str();
  run->add_option("--warmup", run_options.warmup, "untimed runs first")->capture_default_str();
  run->add_option("--layer-threads", run_options.layer_threads,
                  "pool: every layer on the thread pool; fastest: time each layer on the pool "
                  "and on one thread before the timed runs, and keep the faster")
      ->check(CLI::IsMember({"pool", "fastest"}))
      ->capture_default_str();
  run->add_option("--layout", run_options.layout,
                  "how activations are stored between layers: nchw, nhwc (channels last, "
                  "converted where a layer needs NCHW; tune with the same --layout), or auto: "
                  "build both, time them and run the faster")
      ->check(CLI::IsMember({"auto", "nchw", "nhwc"}))
      ->capture_default_str();
  run->add_option("--seed", run_options.seed, "seed of the zoo's weights and of the input")
      ->capture_default_str();
  bool no_check = false;
  run->add_flag("--no-check", no_check, "skip the comparison with the reference executor");
  run->add_flag("--json", run_options.json, "one JSON object on stdout");
  run->add_option("--input", run_options.input_file,
                  "the input as raw little-endian fp32 (default: seeded uniform [0, 1))");
  run->add_option("--compare", run_options.compare_file,
                  "raw fp32 output to compare with, e.g. another framework's for --input");
  bool no_record = false;
  run->add_flag("--no-record", no_record,
                "do not store the run and its layers' times in the database (stored when it "
                "exists, for 'tessel report')");
  run->add_option("--tolerance", run_options.tolerance,
                  "largest relative error the check and --compare accept; above it the exit "
                  "status is 1")
      ->capture_default_str();

  NocSweepOptions sweep_options;
  CLI::App* noc = app.add_subcommand("noc", "network-on-chip tools");
  noc->require_subcommand(1);
  CLI::App* sweep = noc->add_subcommand(
      "sweep", "latency against offered load per traffic pattern and routing, to CSV and SVG");
  sweep->add_option("--mesh", sweep_options.mesh, "the mesh is K x K routers; default 8");
  sweep
      ->add_option("--traffic", sweep_options.traffic,
                   "traffic patterns (comma-separated); default uniform,transpose,hotspot")
      ->delimiter(',');
  sweep
      ->add_option("--routing", sweep_options.routing,
                   "routing algorithms (comma-separated); default all six")
      ->delimiter(',');
  sweep
      ->add_option("--rates", sweep_options.rates,
                   "offered loads: rates and lo:hi:step ranges (comma-separated); a curve stops "
                   "at its first saturated load; default 0.01:1:0.01")
      ->delimiter(',');
  sweep->add_option("--noc", sweep_options.noc,
                    "the network's other settings, e.g. vcs=2,buffer_flits=8,packet_flits=1");
  sweep->add_option("--seed", sweep_options.seed, "root seed of the simulations")
      ->capture_default_str();
  sweep->add_option("--threads", sweep_options.threads, "simulations at once (default: all cores)");
  sweep->add_option("--csv", sweep_options.csv, "write the points here (default: stdout)");
  sweep->add_option("--svg", sweep_options.svg, "write the latency-load chart here");

  // CLI11 would only say that a subcommand is required; name the unknown word instead.
  if (argc > 1 && argv[1][0] != '-') {
    bool known = false;
    for (const CLI::App* command : app.get_subcommands({})) known |= command->get_name() == argv[1];
    if (!known) {
      std::cerr << "tessel: unknown command '" << argv[1]
                << "'; commands: problems, zoo, space, tune, eval, run, best, export, import, "
                   "report, serve, noc"
                << std::endl;
      return 2;
    }
  }
  // The innermost subcommand given ("noc sweep"), whose help a mistake points to.
  auto innermost = [&app](std::string& where) {
    CLI::App* command = &app;
    while (!command->get_subcommands().empty()) {
      command = command->get_subcommands()[0];
      where += " " + command->get_name();
    }
    return command;
  };
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp&) {
    std::string where;
    std::cout << innermost(where)->help();
    return 0;
  } catch (const CLI::ParseError& error) {
    std::string where;
    innermost(where);
    std::cerr << "tessel: " << error.what() << "; see 'tessel" << where << " --help'" << std::endl;
    return 2;
  }

  if (!*tune && !*serve) tessel::UninstallStopHandlers();
  try {
    if (*problems) return RunProblems();
    if (*eval) return RunEval(eval_options);
    if (*zoo) return RunZoo(zoo_model);
    if (*sweep) return RunNocSweep(sweep_options);
    if (*space) return RunSpace(space_tasks);
    if (*tune) {
      tune_options.measure_default = !skip_default;
      return RunTune(tune_options);  // stops cleanly on Ctrl-C and SIGTERM
    }
    if (*run) {
      run_options.check = !no_check;
      run_options.record = !no_record;
      run_options.command_line = tune_options.command_line;
      return RunNetwork(run_options);
    }
    if (*best) return RunBest(best_db);
    if (*export_cmd) return RunExport(export_db, export_format, export_task);
    if (*import_cmd) return RunImport(import_db, import_file);
    if (*report) return RunReport(report_db, report_out);
    if (*serve) return RunServe(serve_options);  // stops cleanly on Ctrl-C and SIGTERM
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
