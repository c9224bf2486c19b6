# paygate: `make run` starts the gateway on its embedded defaults; `make test` builds and runs every test.
BUILD_DIR ?= build
CMAKE_FLAGS ?=
JOBS ?= $(shell nproc)

.PHONY: deps build run test bench fmt clean

deps:
	@bash scripts/deps.sh

$(BUILD_DIR)/build.ninja:
	cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=Release $(CMAKE_FLAGS)

build: deps $(BUILD_DIR)/build.ninja
	cmake --build $(BUILD_DIR) -j $(JOBS)

run: build
	$(BUILD_DIR)/paygate serve --sandbox

test: build
	ctest --test-dir $(BUILD_DIR) --output-on-failure

bench: build
	@bash scripts/deps.sh bench
	bash bench/run.sh

fmt:
	@bash scripts/deps.sh
	@command -v clang-format >/dev/null || (echo "clang-format is missing: apt-get install clang-format" && exit 1)
	find src tests bench -name '*.cpp' -o -name '*.h' | xargs clang-format -i

clean:
	rm -rf $(BUILD_DIR)
