# The two entry points of README.md: `make demo` and `make test`. Both install what is
# missing, configure and build incrementally, so running them again is cheap.
BUILD ?= build
JOBS ?= 2
DEMO_DB ?= demo.db

.PHONY: deps build test demo clean

deps:
	bash scripts/install-deps.sh

build: deps
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release
	cmake --build $(BUILD) -j$(JOBS)

test: build
	cd $(BUILD) && ctest --output-on-failure -j$(JOBS)

# Tunes ResNet-18's tasks with a small budget on this CPU's cores, with the default tuner, its
# prior and its allocation (resuming, when run again, from what DEMO_DB holds), then runs the
# whole network with its tuned kernels.
demo: build
	./$(BUILD)/tessel tune --model resnet18 --budget 360 --seed 1 --resume --db $(DEMO_DB)
	./$(BUILD)/tessel run --model resnet18 --db $(DEMO_DB)

clean:
	rm -rf $(BUILD)
