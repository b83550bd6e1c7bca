// The geometry of a k x k mesh network-on-chip: node numbering, router ports, neighbours and
// hop distances. Everything else in src/problems/noc/ (routing, traffic, the simulator) speaks
// in these terms.
//
// Node n sits at column x = n % k and row y = n / k. East is +x, west -x, north +y, south -y.
// Every router has five ports; port kLocal connects it to its own terminal (injection on the
// input side, ejection on the output side). A port that would leave the mesh has no link.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <string_view>

namespace tessel::noc {

enum Port : int { kLocal = 0, kEast = 1, kWest = 2, kNorth = 3, kSouth = 4 };
inline constexpr int kPorts = 5;

// "local", "east", "west", "north" or "south".
inline constexpr std::string_view PortName(int port) {
  constexpr std::string_view kNames[kPorts] = {"local", "east", "west", "north", "south"};
  return kNames[port];
}

// The port a link enters by at the far end: a flit leaving east arrives on the west port.
inline constexpr int OppositePort(int port) {
  constexpr int kOpposite[kPorts] = {kLocal, kWest, kEast, kSouth, kNorth};
  return kOpposite[port];
}

// A set of router ports, as a bit mask (bit p for port p). Routing functions return the ports
// they permit as one of these, so that a selection step (adaptive or learned) can choose later.
class PortSet {
 public:
  constexpr PortSet() = default;
  constexpr void Add(int port) { bits_ = static_cast<uint8_t>(bits_ | (1u << port)); }
  constexpr bool Contains(int port) const { return (bits_ >> port) & 1u; }
  constexpr bool empty() const { return bits_ == 0; }
  constexpr int size() const { return __builtin_popcount(bits_); }
  constexpr uint8_t bits() const { return bits_; }
  constexpr bool operator==(const PortSet&) const = default;

 private:
  uint8_t bits_ = 0;
};

struct Mesh {
  int k = 0;

  int nodes() const { return k * k; }
  int X(int node) const { return node % k; }
  int Y(int node) const { return node / k; }
  int Node(int x, int y) const { return y * k + x; }

  // The node one hop away through `port`, or -1 where the port leaves the mesh (or is local).
  int Neighbor(int node, int port) const {
    const int x = X(node), y = Y(node);
    switch (port) {
      case kEast:
        return x + 1 < k ? node + 1 : -1;
      case kWest:
        return x > 0 ? node - 1 : -1;
      case kNorth:
        return y + 1 < k ? node + k : -1;
      case kSouth:
        return y > 0 ? node - k : -1;
      default:
        return -1;
    }
  }

  // Manhattan distance: the hop count of every minimal route.
  int Hops(int from, int to) const { return std::abs(X(to) - X(from)) + std::abs(Y(to) - Y(from)); }

  // The ports that bring a packet at `node` one hop closer to `destination` (empty there).
  PortSet ProductivePorts(int node, int destination) const {
    PortSet ports;
    const int dx = X(destination) - X(node), dy = Y(destination) - Y(node);
    if (dx > 0) ports.Add(kEast);
    if (dx < 0) ports.Add(kWest);
    if (dy > 0) ports.Add(kNorth);
    if (dy < 0) ports.Add(kSouth);
    return ports;
  }
};

}  // namespace tessel::noc
