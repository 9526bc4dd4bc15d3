#!/bin/bash
# run.sh [--unit] [PATTERN]: run headroom's tests and print a summary.
#
# Every test program speaks a small subset of TAP: one line "ok - NAME" or
# "not ok - NAME" per check.  C unit tests are the executables $B/tests/test_*
# (built by the module fragments); integration tests are tests/*/test_*.sh
# and tests/test_*.sh.  A test program that exits non-zero without reporting
# a failure counts as one failure.  The last line is "N passed, N failed".
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
B=${B:-build}
export B TOP="$top"
unit_only=0
pat=""
for a in "$@"; do
    case $a in
        --unit) unit_only=1 ;;
        *) pat=$a ;;
    esac
done
logs="$B/test-logs"
mkdir -p "$logs"
passed=0 failed=0 files_failed=""
run_one() {
    local t=$1 name log rc np nf
    name=$(basename "$t")
    log="$logs/$name.log"
    printf '%-40s ' "$name"
    local start=$SECONDS
    timeout -k 10 ${TEST_TIMEOUT:-900} "$t" > "$log" 2>&1
    rc=$?
    np=$(grep -ac '^ok ' "$log")
    nf=$(grep -ac '^not ok ' "$log")
    if [ "$rc" -ne 0 ] && [ "$nf" -eq 0 ]; then
        nf=1
        echo "not ok - $name exited with status $rc" >> "$log"
    fi
    if [ "$np" -eq 0 ] && [ "$nf" -eq 0 ]; then
        nf=1
        echo "not ok - $name ran no check" >> "$log"
    fi
    passed=$((passed + np)); failed=$((failed + nf))
    if [ "$nf" -gt 0 ]; then
        echo "FAIL ($np passed, $nf failed, $((SECONDS - start))s)"
        grep -a '^not ok' "$log" | sed 's/^/    /'
        echo "    --- last lines of $log:"
        tail -n 25 "$log" | cut -c1-300 | sed 's/^/    | /'
        files_failed="$files_failed $name"
    else
        echo "ok ($np checks, $((SECONDS - start))s)"
    fi
}
tests=()
for t in "$B"/tests/test_*; do
    [ -x "$t" ] && [ -f "$t" ] && tests+=("$t")
done
if [ "$unit_only" -eq 0 ]; then
    for t in tests/test_*.sh tests/*/test_*.sh; do
        [ -f "$t" ] && tests+=("$t")
    done
fi
for t in "${tests[@]}"; do
    [ -n "$pat" ] && case $t in *$pat*) ;; *) continue ;; esac
    run_one "$t"
done
[ -n "$files_failed" ] && echo "failed:$files_failed"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
