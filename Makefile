# Entry points. `make test` and `make demo` do all set-up on a fresh Debian 12 machine.
BUILD_DIR ?= build
ASAN_DIR  ?= build-asan
JOBS      ?= $(shell nproc)
CMAKE_FLAGS ?=

.PHONY: all bootstrap configure build test demo asan bench format tidy clean install

all: build

.stamp-bootstrap: scripts/bootstrap
	./scripts/bootstrap
	@touch $@

bootstrap: .stamp-bootstrap

$(BUILD_DIR)/build.ninja: .stamp-bootstrap CMakeLists.txt
	cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo $(CMAKE_FLAGS)

configure: $(BUILD_DIR)/build.ninja

build: configure
	cmake --build $(BUILD_DIR) -j $(JOBS)

test: build
	cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS) --timeout 300

demo: build
	./scripts/demo $(BUILD_DIR)

asan: .stamp-bootstrap
	cmake -S . -B $(ASAN_DIR) -G Ninja -DCMAKE_BUILD_TYPE=Debug -DHONEYVT_SANITIZE=ON -DHONEYVT_BENCH=OFF $(CMAKE_FLAGS)
	cmake --build $(ASAN_DIR) -j $(JOBS)
	cd $(ASAN_DIR) && ctest --output-on-failure -j $(JOBS) --timeout 600 -LE slow

bench: build
	./bench/run_all $(BUILD_DIR)

format:
	git ls-files '*.cc' '*.h' | xargs clang-format -i

tidy: configure
	./scripts/tidy $(BUILD_DIR)

install: build
	cmake --install $(BUILD_DIR)

clean:
	rm -rf $(BUILD_DIR) $(ASAN_DIR) .stamp-bootstrap
