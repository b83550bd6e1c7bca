#include "cli/tuner_options.h"

#include "tune/presets.h"

namespace tessel::cli {

void AddTunerOptions(CLI::App* app, TuneCommandOptions& options) {
  app->add_option("--tuner", options.tuner, PresetNames([](const Preset&) {
                                              return true;
                                            }) + "; noc: q-learning, sarsa or expected-sarsa")
      ->capture_default_str();
  app->add_option("--features", options.features,
                  "cost model features: knob, loop, both, or auto (both; knob for a replay table)")
      ->capture_default_str();
  app->add_flag("--transfer", options.transfer,
                "warm-start the cost model from other tasks of the same template in --db");
  app->add_option("--prior", options.prior,
                  "warm-start the cost model from every task of the same template in this "
                  "'tessel export' file (gzipped or not), measured on any host; auto: the "
                  "repository's data/schedule_prior.jsonl.gz for the default tuner (tessel) "
                  "on schedules; none")
      ->capture_default_str();
  app->add_option("--ppo", options.ppo,
                  "PPO agent options over the RELEASE paper's defaults (release, rl), e.g. "
                  "clip=0.2,entropy=0.3,minibatch=32");
  app->add_option("--sampling", options.sampling,
                  "adaptive sampling options (release, sa-as), e.g. knee=loss-drop,top=0.25");
  app->add_option("--init", options.init,
                  "initial design of a model-based tuner: random or bted (default: random, "
                  "bted for bted and bted-bao)");
  app->add_option(
      "--bted", options.bted,
      "BTED options (with a BTED design), e.g. kernel=distance,encoding=index,mu=5,M=512,B=8");
  app->add_option("--bao", options.bao,
                  "BAO options (bted-bao), e.g. members=8,radius=0.2,tau=2,threshold=0.05");
  app->add_option("--ga", options.ga,
                  "genetic algorithm options (ga), e.g. population=20,parents=8,mutation=0.1");
  app->add_option("--releq", options.releq,
                  "ReLeQ agent options (releq), e.g. lr=0.001,epochs=3,a=0.6,q=3,threshold=0.8 "
                  "or variant=lenet|cifar|svhn");
  app->add_option("--rl", options.rl,
                  "routing agent options (noc: q-learning, sarsa, expected-sarsa), e.g. "
                  "episodes=15,alpha=0,gamma=0,epsilon=0.1,epsilon_decay=1,epsilon_min=0,"
                  "shuffle=0,cache=0,public_code=0");
  app->add_option("--plan-size", options.plan_size,
                  "model-based tuners: size of the initial design and measurements between "
                  "cost-model refits (default 64; bted-bao refits after each --bao batch)");
}

}  // namespace tessel::cli
