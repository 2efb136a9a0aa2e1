#!/usr/bin/env bash
# Coverage-guided fuzzing of every parser of untrusted input (fuzz/*_fuzz.cpp) with libFuzzer,
# AddressSanitizer and UndefinedBehaviorSanitizer (clang, build-fuzz/). Each target runs for
# FUZZ_SECONDS (default 60) with its dictionary, a per-input memory limit and timeout, on a
# scratch copy of its corpus (fuzz/corpus/<target> is read as the seed, never written), as many
# targets at once as the machine has cores (FUZZ_JOBS). Prints executions per second and in total
# for each target, and exits non-zero on any crash, leak, timeout, out-of-memory or sanitizer
# report, printing the reproducer (kept in fuzz-findings/<target>/). CI runs it after
# scripts/test.sh.
#
#   bash scripts/fuzz.sh [--merge] [TARGET...]
#
# --merge: afterwards, merge the inputs that found new coverage into fuzz/corpus/<target>
# (libFuzzer -merge=1 keeps a minimal set by edges), for committing; they then also run as
# regression tests in the plain build (fuzz/CMakeLists.txt).
set -euo pipefail
cd "$(dirname "$0")/.."

merge=0
targets=()
for arg in "$@"; do
  case "$arg" in
    --merge) merge=1 ;;
    -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
    *) targets+=("$arg") ;;
  esac
done
if [ ${#targets[@]} -eq 0 ]; then
  for src in fuzz/*_fuzz.cpp; do targets+=("$(basename "$src" .cpp)"); done
fi

SECONDS_EACH=${FUZZ_SECONDS:-60}
JOBS=${FUZZ_JOBS:-$(nproc)}
BUILD_DIR=${FUZZ_BUILD_DIR:-build-fuzz}

bash scripts/setup.sh
export CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=true
if [ ! -f "$BUILD_DIR/build.ninja" ]; then
  cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++ \
    -DMIDISTEMS_FUZZ=ON -DMIDISTEMS_BUILD_TESTS=OFF -DMIDISTEMS_BUILD_BENCH=OFF >/dev/null
fi
cmake --build "$BUILD_DIR" -j "$JOBS" --target "${targets[@]}"

# The longest input each target may grow to: a little above its largest seed.
max_len() {
  case "$1" in
    torch_package_fuzz|htdemucs_checkpoint_fuzz) echo 32768 ;;
    pickle_fuzz|audio_file_fuzz|tfjs_model_fuzz) echo 8192 ;;
    *) echo 4096 ;;
  esac
}

work=$(mktemp -d "${TMPDIR:-/tmp}/midistems-fuzz.XXXXXX")
trap 'rm -rf "$work"' EXIT
# Leaks are findings too; symbolised stacks where llvm-symbolizer is installed.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}

run_one() {
  local t=$1
  mkdir -p "$work/$t/corpus" "$work/$t/artifacts"
  cp fuzz/corpus/"$t"/* "$work/$t/corpus/" 2>/dev/null || true
  local rc=0
  "$BUILD_DIR/fuzz/$t" -max_total_time="$SECONDS_EACH" -rss_limit_mb=2048 -malloc_limit_mb=2048 -timeout=10 \
    -max_len="$(max_len "$t")" -dict="fuzz/dict/$t.dict" -print_final_stats=1 \
    -artifact_prefix="$work/$t/artifacts/" "$work/$t/corpus" "fuzz/corpus/$t" >"$work/$t/log" 2>&1 || rc=$?
  echo "$rc" >"$work/$t/status"
}

echo "fuzz: ${#targets[@]} targets, ${SECONDS_EACH} s each, $JOBS at a time"
running=0
for t in "${targets[@]}"; do
  if [ "$running" -ge "$JOBS" ]; then
    wait -n || true
    running=$((running - 1))
  fi
  run_one "$t" &
  running=$((running + 1))
done
wait || true

# A target failed when libFuzzer stopped on a finding (crash, leak, timeout, out-of-memory) or a
# sanitizer wrote a report.
target_failed() {
  [ "$(cat "$work/$1/status" 2>/dev/null || echo 1)" != 0 ] || \
    grep -qE '^(==[0-9]+==ERROR|SUMMARY: |.*runtime error: )' "$work/$1/log"
}

failed=0
printf '%-28s %12s %14s %8s %10s  %s\n' target execs/s "total execs" corpus "peak MiB" result
for t in "${targets[@]}"; do
  log="$work/$t/log"
  stat() { sed -n "s/^stat::$1: *//p" "$log" | tail -1; }
  result=ok
  if target_failed "$t"; then
    result=FAILED
    failed=1
  fi
  printf '%-28s %12s %14s %8s %10s  %s\n' "$t" "$(stat average_exec_per_sec)" "$(stat number_of_executed_units)" \
    "$(find "$work/$t/corpus" -type f | wc -l)" "$(stat peak_rss_mb)" "$result"
done

for t in "${targets[@]}"; do
  if target_failed "$t"; then
    echo
    echo "fuzz: $t FAILED; the end of its log:"
    tail -n 60 "$work/$t/log"
    keep=fuzz-findings/$t
    rm -rf "$keep"
    mkdir -p "$keep"
    cp "$work/$t/artifacts/"* "$keep/" 2>/dev/null || true
    echo "fuzz: reproducer(s) kept in $keep/:"
    ls -1 "$keep" | sed "s|^|  $keep/|"
    echo "fuzz: reproduce with: $BUILD_DIR/fuzz/$t $keep/<file>"
  fi
done

if [ "$merge" = 1 ]; then
  for t in "${targets[@]}"; do
    before=$(find "fuzz/corpus/$t" -type f | wc -l)
    # Edges only (-use_counters=0): a few hundred inputs per target rather than a thousand.
    "$BUILD_DIR/fuzz/$t" -merge=1 -use_counters=0 -max_len="$(max_len "$t")" -rss_limit_mb=2048 -timeout=10 \
      "fuzz/corpus/$t" "$work/$t/corpus" >"$work/$t/merge.log" 2>&1 || { tail -n 20 "$work/$t/merge.log"; failed=1; }
    echo "fuzz: merged $t: $before -> $(find "fuzz/corpus/$t" -type f | wc -l) inputs in fuzz/corpus/$t"
  done
fi
exit "$failed"
