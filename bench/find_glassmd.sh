# find_glassmd.sh - sourced by the bench scripts: sets `here` (bench/), `root` (the
# repository) and GLASSMD (the binary: $GLASSMD, else build/glassmd or build*/glassmd),
# exporting GLASSMD_SOURCE_DIR; exits with a message naming the calling script when no
# binary is found.
here="$(cd "$(dirname "${BASH_SOURCE[1]}")" && pwd)"
root="$(dirname "$here")"
if [[ -z "${GLASSMD:-}" ]]; then
    for candidate in "$root/build/glassmd" "$root"/build*/glassmd; do
        if [[ -x "$candidate" ]]; then GLASSMD="$candidate"; break; fi
    done
fi
if [[ -z "${GLASSMD:-}" || ! -x "$GLASSMD" ]]; then
    echo "$(basename "${BASH_SOURCE[1]}"): no glassmd executable; build it (cmake --build build) or set GLASSMD" >&2
    exit 1
fi
# The benches run the binary from their own scratch folders: make a relative path absolute.
GLASSMD="$(cd "$(dirname "$GLASSMD")" && pwd)/$(basename "$GLASSMD")"
export GLASSMD_SOURCE_DIR="$root"
