#!/usr/bin/env bash
# Installs Tessel's build and test dependencies from Debian 12 (bookworm) packages.
# Idempotent: apt-get runs only when a package is missing. Needs root (or sudo).
set -euo pipefail

packages=(
  cmake g++ make pkg-config
  libhalide14-0-dev       # schedule templates, JIT compiled
  libsqlite3-dev          # the records
  nlohmann-json3-dev      # JSON output and record export
  libcli11-dev            # the command line
  libcpp-httplib-dev      # `tessel serve`'s web server (and its tests' client)
  libxgboost-dev          # the cost model
  libeigen3-dev           # k-means and other small linear algebra
  libtorch-dev            # the PPO agent
  zlib1g-dev              # unpacks the gzipped Fashion-MNIST files
  dataset-fashion-mnist   # the quantization problem's training and validation images
  libonnx-dev libprotobuf-dev  # ONNX model import
  libgtest-dev googletest # tests
  python3                 # tests and benchmarks that drive the command (bench/reliability)
  chromium                # the browser test of the report and the dashboard (tests/browser_test.py)
  libdnnl-dev             # the oneDNN comparison in bench/
  ocl-icd-opencl-dev      # oneDNN's CMake package (find_package(dnnl)) requires OpenCL
)

missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" ||
    missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "installing: ${missing[*]}"
sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
