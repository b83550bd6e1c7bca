// Which layers of a network run on one thread. Splitting a layer's work between threads pays
// only when each share outweighs waking the pool and the shares' cache traffic; MobileNet's
// last depthwise layer and its global average pool (7x7 planes, tens of microseconds) gain
// nothing from a second thread. No model decides this: each layer is timed both ways on this
// host, as tuning times schedules. A layer is timed together with the next layer on the pool,
// since a layer kept to one thread lets the pool's workers fall asleep, and the next one pays
// for waking them (measured: it ate the whole gain when the layers were timed alone).
#pragma once

#include <vector>

#include "network/network_executor.h"

namespace tessel {

// What was measured for one layer that can keep to one thread.
struct LayerThreadTiming {
  size_t layer = 0;      // index into NetworkExecutor::layers()
  double pool_ms = 0;    // median of its runs on the pool, with the next pool layer's
  double single_ms = 0;  // the same with this layer on the calling thread alone
  double ratio = 0;      // median over the pairs of single / pool
  bool single = false;   // the choice: kept to one thread
  int rounds = 0;        // pairs of samples taken (fewer when one way was clearly slower)
};

// Times every layer that can keep to one thread, followed by the next layer that uses the pool
// (left on it), on the buffers of the executor's last Run (which must have happened): `rounds`
// rounds over the layers, each timing every layer once each way, in alternating order. Keeps a
// layer on one thread where the median ratio of its pairs (one thread over the pool) is under 0.95.
// A sample repeats the two until it lasts about 0.5 ms. A layer whose ratio is over 1.5 after
// three rounds is timed no more (large layers). Returns one entry per layer timed, in layer order.
std::vector<LayerThreadTiming> ChooseLayerThreads(NetworkExecutor& executor, int rounds);

}  // namespace tessel
