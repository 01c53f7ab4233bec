# Sourced by the Kuzu comparison scripts (query, import): arguments TWINS SITES [WORKDIR], a work folder
# (kept when given, temporary otherwise), a release build of doppel, and a virtualenv with Kuzu.
# Sets: twins, sites, work, doppel, python.
twins=${1:-1000000}
sites=${2:-20}
if [ -n "${3:-}" ]; then
    work=$3
    mkdir -p "$work"
else
    work=$(mktemp -d)
    trap 'rm -rf "$work"' EXIT
fi

swift build -c release --product doppel >/dev/null
doppel="$(swift build -c release --show-bin-path)/doppel"
[ -x "$work/venv/bin/python" ] || python3 -m venv "$work/venv"
"$work/venv/bin/pip" install -q kuzu==0.11.3
python="$work/venv/bin/python"
