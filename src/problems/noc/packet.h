// The packets in flight in the mesh simulator: one record per packet from the cycle its head
// enters the network until its tail is ejected, in a pool whose slots are reused, so that the
// cycle loop allocates nothing per packet once the pool has grown to the network's load.
// Flits carry only their packet's slot number and whether they are its head or tail.
#pragma once

#include <cstdint>
#include <vector>

namespace tessel::noc {

struct Packet {
  int64_t created = 0;   // the cycle the source created it (latency counts from here)
  int64_t injected = 0;  // the cycle its head entered the source router
  int32_t source = 0;
  int32_t destination = 0;
  int32_t hops = 0;           // links its head has been granted so far
  int32_t flits_ejected = 0;  // at its destination, in order
  int32_t vc_class = 0;
  bool measured = false;  // created in the measurement window
};

class PacketPool {
 public:
  int32_t Allocate(const Packet& packet) {
    if (free_.empty()) {
      packets_.push_back(packet);
      return static_cast<int32_t>(packets_.size() - 1);
    }
    const int32_t id = free_.back();
    free_.pop_back();
    packets_[static_cast<size_t>(id)] = packet;
    return id;
  }
  void Release(int32_t id) { free_.push_back(id); }

  Packet& operator[](int32_t id) { return packets_[static_cast<size_t>(id)]; }
  const Packet& operator[](int32_t id) const { return packets_[static_cast<size_t>(id)]; }

 private:
  std::vector<Packet> packets_;
  std::vector<int32_t> free_;
};

}  // namespace tessel::noc
