#!/usr/bin/env bash
# Builds MAESTRO (maestro-project/maestro) from a source checkout with its own SConstruct and
# prints the binary's path. MAESTRO is only ever built here, for the fidelity benchmark; Tessel
# does not depend on it.
#
#   bench/accel/fidelity/build_maestro.sh SRC_DIR
#
# The two versions the benchmark compares (docs/maestro_model.md 0):
#
#   git clone https://github.com/maestro-project/maestro maestro-2021
#   git -C maestro-2021 checkout 4eb08d17c87caf1ee3f3a351b10eb9b8ef70dd87   # HEAD, "v2021"
#   git clone https://github.com/maestro-project/maestro maestro-2020
#   git -C maestro-2020 checkout 7723091f9721afd2574049b5f5faf52c7b6cd2f1   # "v2020"
#
# (`git archive <commit> | tar -x -C DIR` from a mirror gives the same tree.)
#
# Build dependencies: SCons, g++ and Boost's program_options, filesystem and system libraries
# (tokenizer and format are header-only). When they are missing and this runs as root on
# Debian/Ubuntu, they are installed with apt-get.
#
# Build-system changes: none. Both commits build unmodified with Debian 12's g++ 12.2,
# Boost 1.74 and SCons 4.4, with MAESTRO's own flags (-std=c++17, no optimisation flag), so
# the binary is what MAESTRO's README builds.
set -euo pipefail

if [[ $# -ne 1 || ! -f "$1/SConstruct" ]]; then
  echo "usage: $0 MAESTRO_SOURCE_DIR (a maestro-project/maestro checkout with SConstruct)" >&2
  exit 2
fi
src=$(cd "$1" && pwd)

# The unversioned .so links come with the -dev packages; the linker needs them.
have_lib() {
  compgen -G "/usr/lib/*/lib$1.so" >/dev/null || compgen -G "/usr/lib/lib$1.so" >/dev/null ||
    compgen -G "/usr/local/lib/lib$1.so" >/dev/null
}
have_deps() {
  command -v scons >/dev/null && command -v g++ >/dev/null &&
    [[ -f /usr/include/boost/program_options.hpp && -f /usr/include/boost/filesystem.hpp &&
       -f /usr/include/boost/tokenizer.hpp && -f /usr/include/boost/format.hpp ]] &&
    have_lib boost_program_options && have_lib boost_filesystem && have_lib boost_system
}
if ! have_deps; then
  packages=(scons g++ libboost-program-options-dev libboost-filesystem-dev libboost-system-dev)
  if [[ $(id -u) -ne 0 ]] || ! command -v apt-get >/dev/null; then
    echo "MAESTRO needs SCons, g++ and Boost (program_options, filesystem, system);" \
      "on Debian: apt-get install ${packages[*]}" >&2
    exit 1
  fi
  echo "installing MAESTRO's build dependencies: ${packages[*]}" >&2
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${packages[@]}" >&2
fi

# SCons prints the compile lines; keep stdout for the binary's path alone.
scons -C "$src" -j"$(nproc)" maestro >&2
test -x "$src/maestro"
echo "$src/maestro"
