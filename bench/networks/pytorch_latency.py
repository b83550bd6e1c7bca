#!/usr/bin/python3
"""PyTorch's end-to-end latency of the zoo's networks: batch 1, fp32, eval + no_grad.

    /usr/bin/python3 bench/networks/pytorch_latency.py --threads T [--runs 30] [--warmup 5]
        [--export DIR] MODEL...

MODEL is a zoo name (resnet18, alexnet, vgg16, mobilenet_v1, squeezenet_v1.1). torchvision
defines all but MobileNet-v1, which is defined here as in its paper (and as Tessel's zoo).
Prints one JSON object per model: the median, minimum and maximum of --runs timed forward
passes after --warmup untimed ones, on torch.set_num_threads(T), and the BLAS library PyTorch
loaded (OpenBLAS reads its thread count from OPENBLAS_NUM_THREADS). With --export, each model is
also written to DIR/MODEL.onnx (random weights, seed 0) with the input and PyTorch's output
for it (DIR/MODEL.input.bin, DIR/MODEL.output.bin, raw little-endian fp32), so that Tessel
can run the very same network and be checked against PyTorch.

Needs Debian's python3-torch and python3-torchvision (and python3-onnx for --export).
"""
import argparse
import json
import statistics
import sys
import time

import torch
import torchvision

TORCHVISION = {"resnet18": "resnet18", "alexnet": "alexnet", "vgg16": "vgg16",
               "squeezenet_v1.1": "squeezenet1_1"}


def mobilenet_v1():
    def conv_bn(inp, out, stride, groups=1, kernel=3):
        return [torch.nn.Conv2d(inp, out, kernel, stride, kernel // 2, groups=groups, bias=False),
                torch.nn.BatchNorm2d(out), torch.nn.ReLU(inplace=True)]

    layers = conv_bn(3, 32, 2)
    channels = 32
    for out, stride in [(64, 1), (128, 2), (128, 1), (256, 2), (256, 1), (512, 2), (512, 1),
                        (512, 1), (512, 1), (512, 1), (512, 1), (1024, 2), (1024, 1)]:
        layers += conv_bn(channels, channels, stride, groups=channels)
        layers += conv_bn(channels, out, 1, kernel=1)
        channels = out
    # The final 7x7 average pool as a global one, which exports as GlobalAveragePool.
    return torch.nn.Sequential(*layers, torch.nn.AdaptiveAvgPool2d(1), torch.nn.Flatten(),
                               torch.nn.Linear(1024, 1000))


def build(name):
    model = mobilenet_v1() if name == "mobilenet_v1" else getattr(torchvision.models,
                                                                   TORCHVISION[name])()
    # Weights that keep the activations' scale through the whole network, as trained ones do
    # (and as Tessel's zoo draws them): PyTorch's default initialisation shrinks them layer by
    # layer until the output is the classifier's bias, which would make the output comparison
    # meaningless and the timings run on denormal numbers.
    for module in model.modules():
        if isinstance(module, (torch.nn.Conv2d, torch.nn.Linear)):
            torch.nn.init.kaiming_uniform_(module.weight, nonlinearity="relu")
            if module.bias is not None:
                torch.nn.init.uniform_(module.bias, -0.1, 0.1)
        elif isinstance(module, torch.nn.BatchNorm2d):
            torch.nn.init.uniform_(module.weight, 0.8, 1.2)
            torch.nn.init.uniform_(module.bias, -0.1, 0.1)
            module.running_mean.uniform_(-0.1, 0.1)
            module.running_var.uniform_(0.8, 1.2)
    return model


def blas_library():
    """The BLAS this process loaded, as the path it was mapped from. PyTorch sends its dense
    layers to BLAS, and its 1x1 convolutions on one thread or on small inputs; Debian's
    python3-torch takes whichever libblas.so.3 the system's alternatives point to: the
    reference implementation unless OpenBLAS (libopenblas0-pthread) is installed."""
    with open("/proc/self/maps") as maps:
        paths = {line.split()[-1] for line in maps if "blas" in line.rsplit("/", 1)[-1]}
    return ",".join(sorted(paths)) or "none"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("models", nargs="+")
    parser.add_argument("--threads", type=int, required=True)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--export")
    args = parser.parse_args()
    known = ["mobilenet_v1", *TORCHVISION]
    for name in args.models:
        if name not in known:
            print(f"pytorch_latency: unknown model '{name}'; known: {', '.join(known)}",
                  file=sys.stderr)
            return 2
    if args.threads < 1 or args.runs < 1 or args.warmup < 0:
        print("pytorch_latency: --threads and --runs must be positive, --warmup not negative",
              file=sys.stderr)
        return 2
    torch.set_num_threads(args.threads)
    for name in args.models:
        torch.manual_seed(0)
        model = build(name).eval()
        x = torch.rand(1, 3, 224, 224)
        with torch.no_grad():
            for _ in range(args.warmup):
                model(x)
            times = []
            for _ in range(args.runs):
                start = time.perf_counter()
                y = model(x)
                times.append((time.perf_counter() - start) * 1e3)
        if args.export:
            path = f"{args.export}/{name}"
            torch.onnx.export(model, x, f"{path}.onnx", opset_version=13)
            x.numpy().astype("<f4").tofile(f"{path}.input.bin")
            y.numpy().astype("<f4").tofile(f"{path}.output.bin")
        print(json.dumps({"network": name, "implementation": "pytorch", "threads": args.threads,
                          "median_ms": statistics.median(times), "min_ms": min(times),
                          "max_ms": max(times), "runs": args.runs, "warmup": args.warmup,
                          "torch": torch.__version__, "blas": blas_library()}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
