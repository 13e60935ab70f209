#!/bin/sh
# Which Python to use: Pelita runs on CPython 3.11, 3.12 and 3.13.
#   scripts/find_python.sh            the first of python3.13, python3.12, python3.11 on PATH that runs
#   scripts/find_python.sh other X.Y  a supported Python of another version than X.Y (on PATH, or installed by pyenv),
#                                     for `make test-other-python`; prints nothing when the machine has none
# A pyenv shim for a version pyenv has not selected exists on PATH but fails when run, hence "that runs".
set -u

version_of() {  # prints X.Y when $1 runs and is a supported version
    "$1" -c 'import sys; v = sys.version_info[:2]; assert (3, 11) <= v < (3, 14); print("%d.%d" % v)' 2>/dev/null
}

candidates() {
    for name in python3.13 python3.12 python3.11; do
        command -v "$name" 2>/dev/null
    done
    if [ "${1:-}" = other ]; then
        for minor in 13 12 11; do  # newest first
            for found in "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3."$minor".*/bin/python3."$minor"; do
                [ -x "$found" ] && echo "$found"
            done
        done
    fi
}

mode=${1:-first}
besides=${2:-}
for candidate in $(candidates "$mode"); do
    version=$(version_of "$candidate") || continue
    if [ "$mode" = first ] || [ "$version" != "$besides" ]; then
        echo "$candidate"
        exit 0
    fi
done
[ "$mode" = other ] && exit 0
echo "Pelita needs Python 3.11, 3.12 or 3.13: none found on PATH (set PYTHON=/path/to/python3.x)" >&2
exit 1
