// Lambdas merged into one callable for std::visit. A visit whose lambdas miss one of a
// variant's alternatives does not compile, so adding an alternative (an operator kind, say)
// makes the compiler name every place that must handle it, where if/else chains over
// std::get_if would quietly take the last branch.
#pragma once

namespace tessel {

template <class... Lambdas>
struct Overloaded : Lambdas... {
  using Lambdas::operator()...;
};
template <class... Lambdas>
Overloaded(Lambdas...) -> Overloaded<Lambdas...>;

}  // namespace tessel
