# The two commands: `make demo` and `make test`. Also: `make bench`, `make fuzz`, `make build`.
JOBS ?= $(shell nproc)
CMAKE_GEN := -G Ninja
FUZZ_SECONDS ?= 60

.PHONY: all build demo test bench fuzz clean

all: build

build:
	@scripts/install-deps.sh build
	cmake -S . -B build/release $(CMAKE_GEN) -DCMAKE_BUILD_TYPE=Release -DSSOGATE_TESTS=OFF >/dev/null
	cmake --build build/release -j $(JOBS)

demo: build
	./build/release/ssogate demo --dir demo-data
	scripts/demo-sample-host.sh ./build/release/ssogate demo-data

# AddressSanitizer + UBSan build in its own folder; peers started and stopped by run-tests.sh.
test:
	@scripts/install-deps.sh test
	@start=$$(date +%s); \
	cmake -S . -B build/asan $(CMAKE_GEN) -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="-g -O1" \
	  -DSSOGATE_SANITIZE=ON -DSSOGATE_TESTS=ON >/dev/null && \
	cmake --build build/asan -j $(JOBS) && \
	echo "make test: build took $$(( $$(date +%s) - start ))s" && \
	scripts/run-tests.sh build/asan

bench:
	@scripts/install-deps.sh bench
	cmake -S . -B build/bench $(CMAKE_GEN) -DCMAKE_BUILD_TYPE=Release -DSSOGATE_TESTS=OFF -DSSOGATE_BENCH=ON >/dev/null
	cmake --build build/bench -j $(JOBS)
	tests/bench/run.sh build/bench

fuzz:
	@scripts/install-deps.sh fuzz
	CXX=clang++ cmake -S . -B build/fuzz $(CMAKE_GEN) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSSOGATE_TESTS=OFF -DSSOGATE_FUZZ=ON >/dev/null
	cmake --build build/fuzz -j $(JOBS)
	tests/fuzz/run.sh build/fuzz $(FUZZ_SECONDS)

clean:
	rm -rf build
