#!/usr/bin/env bash
# Builds the fuzz targets with cargo-fuzz (libFuzzer, AddressSanitizer) and runs each for a
# bounded time; any crash, sanitizer report or timeout fails the run and leaves its input in
# fuzz/artifacts/<target>/. The toolchain here is stable: RUSTC_BOOTSTRAP=1 lets it take the
# -Z flags cargo-fuzz passes (the sanitizer), without a nightly toolchain.
#
#   fuzz/run.sh                 # every target, 30 s each
#   fuzz/run.sh 600 lsp_session # one target, 10 minutes
#
# Leak detection is off: salsa's memo tables in the long-lived database, and syntax trees too
# deep to drop recursively (leaked on purpose), look leaked to LeakSanitizer at exit (72 bytes
# after 136k runs; nothing grows per input). -rss_limit_mb still fails a run whose memory grows.
set -euo pipefail
cd "$(dirname "$0")"
seconds="${1:-30}"
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(python_analysis document_edits lsp_session)

if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "--- installing cargo-fuzz"
    cargo install --locked cargo-fuzz@0.13.2
fi
export RUSTC_BOOTSTRAP=1
echo "--- building the fuzz targets"
cargo fuzz build -O

for target in "${targets[@]}"; do
    echo "--- fuzzing $target for ${seconds}s"
    mkdir -p "corpus/$target"
    seeds=()
    # Real Python as seeds for the analysis: the fuzzer starts from code, not from nothing.
    [ "$target" = python_analysis ] && seeds=(../tests/corpus/pyflakes)
    set +e
    ASAN_OPTIONS="detect_leaks=0:detect_odr_violation=0" \
        cargo fuzz run -O "$target" "corpus/$target" "${seeds[@]}" -- \
        -max_total_time="$seconds" -timeout=20 -rss_limit_mb=4096 -detect_leaks=0 \
        -print_final_stats=1 >"corpus/$target.log" 2>&1
    status=$?
    set -e
    grep -E '^(Done|==[0-9]+==ERROR|SUMMARY|thread .* panicked)' "corpus/$target.log" || true
    if [ "$status" -ne 0 ]; then
        tail -n 60 "corpus/$target.log" >&2
        echo "fuzz/run.sh: $target failed (exit $status); the input is in fuzz/artifacts/$target/" >&2
        exit 1
    fi
done
