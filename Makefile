# Entry points. `make test` and `make demo` do all set-up on a fresh Debian 12 machine.
BUILD_DIR   ?= build
ASAN_DIR    ?= build-asan
RELEASE_DIR ?= build-release
JOBS        ?= $(shell nproc)
CMAKE_FLAGS ?=

# Developer and CI builds: warnings are errors (a plain CMake build leaves them warnings),
# and ccache is used when it is installed (scripts/bootstrap installs it).
DEV_FLAGS := -DHONEYVT_WERROR=ON
ifneq ($(shell command -v ccache 2>/dev/null),)
DEV_FLAGS += -DCMAKE_CXX_COMPILER_LAUNCHER=ccache
endif

.PHONY: all bootstrap configure build test demo asan bench format tidy clean install release \
        package

all: build

.stamp-bootstrap: scripts/bootstrap
	./scripts/bootstrap
	@touch $@

bootstrap: .stamp-bootstrap

$(BUILD_DIR)/build.ninja: .stamp-bootstrap CMakeLists.txt
	cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo $(DEV_FLAGS) $(CMAKE_FLAGS)

configure: $(BUILD_DIR)/build.ninja

build: configure
	cmake --build $(BUILD_DIR) -j $(JOBS)

# Every suite, the slow ones (ctest label `slow`) included.
test: build
	cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS) --timeout 300

demo: build
	./scripts/demo $(BUILD_DIR)

# The suites under ASan+UBSan, without the slow process-level ones (they run in `make test`).
asan: .stamp-bootstrap
	cmake -S . -B $(ASAN_DIR) -G Ninja -DCMAKE_BUILD_TYPE=Debug -DHONEYVT_SANITIZE=ON -DHONEYVT_BENCH=OFF $(DEV_FLAGS) $(CMAKE_FLAGS)
	cmake --build $(ASAN_DIR) -j $(JOBS)
	cd $(ASAN_DIR) && ctest --output-on-failure -j $(JOBS) --timeout 600 -LE slow

bench: build
	./bench/run_all $(BUILD_DIR)

format:
	git ls-files '*.cc' '*.h' | xargs clang-format -i

tidy: configure
	clang-tidy -p $(BUILD_DIR) --quiet --extra-arg=-Wno-unknown-warning-option $$(git ls-files '*.cc')

install: build
	cmake --install $(BUILD_DIR)

# What a user or packager builds: Release (-O3), no tests, no benchmarks, prefix /usr.
release: .stamp-bootstrap
	cmake -S . -B $(RELEASE_DIR) -G Ninja -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF -DHONEYVT_BENCH=OFF -DCMAKE_INSTALL_PREFIX=/usr $(DEV_FLAGS) $(CMAKE_FLAGS)
	cmake --build $(RELEASE_DIR) -j $(JOBS)

# The Debian package, $(RELEASE_DIR)/honeyvt_<version>_<arch>.deb (cmake/Package.cmake).
package: release
	cd $(RELEASE_DIR) && cpack -G DEB

clean:
	rm -rf $(BUILD_DIR) $(ASAN_DIR) $(RELEASE_DIR) .stamp-bootstrap
