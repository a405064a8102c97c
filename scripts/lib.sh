# Shared by scripts/setup and scripts/lock. Sourced, not run.
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
UV_VERSION=0.13.9
export UV_PYTHON_DOWNLOADS=never
TOOLS="$ROOT/.tools"

say() { printf '[setup] %s\n' "$*" >&2; }
die() { printf '[setup] 无法继续 / cannot continue: %s\n' "$*" >&2; exit 1; }

# uv lives in a small venv of its own under .tools/, made with whatever python3 the machine has.
ensure_uv() {
  local uv="$TOOLS/uv/bin/uv"
  if [ -x "$uv" ] && "$uv" --version 2>/dev/null | grep -q " $UV_VERSION"; then
    echo "$uv"; return
  fi
  local py
  py=$(command -v python3 || true)
  [ -n "$py" ] || die "this machine has no python3 to install the uv installer with."
  say "installing uv $UV_VERSION into .tools/uv"
  rm -rf "$TOOLS/uv"
  "$py" -m venv "$TOOLS/uv" >&2 || die "python3 -m venv failed; install Debian's python3-venv."
  "$TOOLS/uv/bin/pip" install -q --disable-pip-version-check "uv==$UV_VERSION" >&2 \
    || die "could not install uv $UV_VERSION from PyPI (is the package registry reachable?)."
  echo "$uv"
}
