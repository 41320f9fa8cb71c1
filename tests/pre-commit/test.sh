#!/usr/bin/env bash
# Tests the pre-commit hook (.pre-commit-hooks.yaml) of THIS working tree with the real
# pre-commit, pinned, from PyPI into the ignored tests/.venv-precommit: a throwaway user
# repository names the hook with `repo:` + `rev:` + `id: ripple`, pre-commit builds ripple from
# source the way it does for any user (`language: rust`: `cargo install --path .`), a commit
# with an undefined name is refused with `undefined-name` in the output, and once fixed the
# commit passes.
#
# pre-commit only sees committed content, so the working tree (tracked and untracked files that
# are not ignored, as they are now) is copied into a temporary repository and committed there;
# the user's branch, index and stash are not touched. Everything temporary is removed on exit.
#
# Offline (CARGO_NET_OFFLINE). The build goes to target/pre-commit, kept between runs so a
# later run only rebuilds what changed. Environment: RIPPLE_PRE_COMMIT_BUILD_TIMEOUT (seconds,
# default 1800) bounds the build, RIPPLE_PRE_COMMIT_COMMIT_TIMEOUT (default 300) each commit.
set -euo pipefail
cd "$(dirname "$0")/../.."
REPO=$PWD
PRE_COMMIT=4.7.0
BUILD_TIMEOUT=${RIPPLE_PRE_COMMIT_BUILD_TIMEOUT:-1800}
COMMIT_TIMEOUT=${RIPPLE_PRE_COMMIT_COMMIT_TIMEOUT:-300}

fail() {
    echo "pre-commit test FAILED: $*" >&2
    exit 1
}

start=$EPOCHREALTIME
step_start=$start
# Prints how long the step that just ended took, and the total so far.
timing() {
    local now=$EPOCHREALTIME
    awk -v name="$1" -v start="$start" -v step="$step_start" -v now="$now" \
        'BEGIN { printf "  %-34s %7.1f s  (total %.1f s)\n", name, now - step, now - start }'
    step_start=$now
}

# pre-commit itself, pinned, installed once.
venv=tests/.venv-precommit
stamp="$venv/.ripple-pins"
pins="pre-commit==$PRE_COMMIT"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$pins" ]; then
    rm -rf "$venv"
    python3 -m venv "$venv"
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "$pins"
    echo "$pins" > "$stamp"
fi
PRE_COMMIT_BIN="$REPO/$venv/bin/pre-commit"
"$PRE_COMMIT_BIN" validate-manifest .pre-commit-hooks.yaml || fail ".pre-commit-hooks.yaml is not valid"
timing "pre-commit $PRE_COMMIT ready"

T=$(mktemp -d "${TMPDIR:-/tmp}/ripple-pre-commit.XXXXXX")
trap 'rm -rf "$T"' EXIT

# The hook repository: the working tree as it is, in one commit.
hook="$T/hook-repo"
mkdir "$hook"
git ls-files -z --cached --others --exclude-standard |
    while IFS= read -r -d '' file; do
        # A tracked file deleted in the working tree is listed but not there: leave it out.
        if [ -e "$file" ] || [ -L "$file" ]; then printf '%s\0' "$file"; fi
    done |
    tar --null --files-from=- -cf - | tar -C "$hook" -xf -
# Git as the test needs it, whatever the user's configuration (hooksPath, signing, templates).
export GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1
export GIT_AUTHOR_NAME=test GIT_AUTHOR_EMAIL=test@example.invalid
export GIT_COMMITTER_NAME=test GIT_COMMITTER_EMAIL=test@example.invalid
git -C "$hook" init --quiet
git -C "$hook" add --all
git -C "$hook" -c commit.gpgsign=false commit --quiet --no-verify -m "working tree of $REPO"
rev=$(git -C "$hook" rev-parse HEAD)
timing "working tree committed"

# pre-commit's clones and environments, thrown away with the rest.
export PRE_COMMIT_HOME="$T/pre-commit-home"
export CARGO_NET_OFFLINE=true
export CARGO_TARGET_DIR="$REPO/target/pre-commit"
# The hook is built with the release profile, whose thin LTO over 4 codegen units costs minutes
# that this test does not need: it proves the hook builds, installs and runs, not how fast the
# binary is. Cheaper settings, through the environment because pre-commit passes no flags.
export CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 \
    CARGO_PROFILE_RELEASE_OPT_LEVEL=1 CARGO_PROFILE_RELEASE_DEBUG=false

# The user's repository.
user="$T/user-repo"
git init --quiet "$user"
cd "$user"
git config commit.gpgsign false
cat > .pre-commit-config.yaml <<YAML
repos:
- repo: file://$hook
  rev: $rev
  hooks:
  - id: ripple
YAML
"$PRE_COMMIT_BIN" install > "$T/out" 2>&1 || { cat "$T/out"; fail "pre-commit install"; }
timing "pre-commit install"

echo "  building the hook (cargo install --path ., release, at most $BUILD_TIMEOUT s)"
status=0
timeout --kill-after=10 "$BUILD_TIMEOUT" "$PRE_COMMIT_BIN" install-hooks > "$T/out" 2>&1 || status=$?
if [ "$status" -ne 0 ]; then
    cat "$T/out"; cat "$PRE_COMMIT_HOME/pre-commit.log" 2>/dev/null || true
    if [ "$status" -eq 124 ] || [ "$status" -eq 137 ]; then fail "the build took more than $BUILD_TIMEOUT s"; fi
    fail "pre-commit install-hooks (the build) exited $status"
fi
ripple=$(find "$PRE_COMMIT_HOME" -path '*/rustenv-*/bin/ripple' -type f | head -n 1)
[ -x "$ripple" ] || { cat "$T/out"; fail "no ripple binary in pre-commit's environment"; }
echo "  installed: $("$ripple" --version)"
timing "pre-commit install-hooks (build)"

# Runs `git commit` with the hook, bounded; the output goes to $T/out.
commit() {
    local status=0
    timeout --kill-after=10 "$COMMIT_TIMEOUT" git commit -m "$1" > "$T/out" 2>&1 || status=$?
    if [ "$status" -eq 124 ] || [ "$status" -eq 137 ]; then
        cat "$T/out"; fail "git commit -m '$1' took more than $COMMIT_TIMEOUT s"
    fi
    return "$status"
}

# An undefined name: the commit is refused, and says why.
printf 'print(undefined_name)\n' > app.py
git add .pre-commit-config.yaml app.py
if commit bad; then
    cat "$T/out"; fail "a commit with an undefined name was accepted"
fi
grep -q 'undefined-name' "$T/out" || { cat "$T/out"; fail "the refused commit's output has no undefined-name"; }
grep -q '^ripple\.*Failed' "$T/out" || { cat "$T/out"; fail "the output does not show the ripple hook failing"; }
if git rev-parse --quiet --verify HEAD > /dev/null; then fail "HEAD exists after a refused commit"; fi
timing "commit refused (undefined-name)"

# Fixed, the commit passes. An extension-less Python script with a shebang rides along: the
# hook's `files` leaves it out (ripple refuses such a path with exit 2).
printf 'undefined_name = 1\nprint(undefined_name)\n' > app.py
printf '#!/usr/bin/env python3\nprint("a script")\n' > tool
chmod +x tool
git add app.py tool
commit fixed || { cat "$T/out"; fail "the fixed commit was refused"; }
grep -q '^ripple\.*Passed' "$T/out" || { cat "$T/out"; fail "the ripple hook did not run and pass on the fixed commit"; }
[ "$(git log -1 --format=%s)" = fixed ] || fail "HEAD is not the fixed commit"
timing "fixed commit accepted"

echo "pre-commit hook: ok (refused an undefined name, accepted the fix)"
