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

# Tunes the conv layers of ResNet-18 with a small budget on this CPU's cores.
demo: build
	./$(BUILD)/tessel tune --model resnet18 --op conv2d --tuner random --trials 24 --seed 1 \
	  --db $(DEMO_DB)

clean:
	rm -rf $(BUILD)
