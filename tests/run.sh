#!/bin/bash
# run.sh [--unit] [--heavy-alone] [-j N] [PATTERN]: run headroom's tests and
# print a summary.
#
# Every test program speaks a small subset of TAP: one line "ok - NAME" or
# "not ok - NAME" per check; "ok - NAME # SKIP why" is a skip, counted
# apart.  C unit tests are the executables $B/tests/test_* (built by the
# module fragments); integration tests are tests/*/test_*.sh and
# tests/test_*.sh.  A test program that exits non-zero without reporting a
# failure counts as one failure, and so does one that ran no check (a file
# that only skips is not a failure).  The last line is
# "N passed, N failed, N skipped"; the exit status is non-zero on any failure.
#
# The files are independent (each has its own temporary directory, ports and
# daemons), so up to N run at once (-j N, default $TEST_JOBS or the number
# of cores).  Each file's output goes to $B/test-logs/NAME.log and the lines
# here are printed in the usual order whatever order the files finish in.
# The files that took longest last time ($B/test-logs/NAME.time) start first.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
B=${B:-build}
export B TOP="$top"
unit_only=0
heavy_alone=${TEST_HEAVY_ALONE:-0}
pat=""
njobs=${TEST_JOBS:-$(nproc 2>/dev/null || echo 2)}
while [ $# -gt 0 ]; do
    case $1 in
        --unit) unit_only=1 ;;
        --heavy-alone) heavy_alone=1 ;;
        -j) shift; njobs=${1:-} ;;
        -j*) njobs=${1#-j} ;;
        *) pat=$1 ;;
    esac
    shift
done
case $njobs in ''|*[!0-9]*|0) echo "run.sh: -j wants a positive number" >&2; exit 2 ;; esac
logs="$B/test-logs"
mkdir -p "$logs"

# run_bg TEST: run one file; its log, then NAME.rc ("STATUS SECONDS") last,
# so that NAME.rc existing means the file is done.
run_bg() {
    local t=$1 name log start rc
    name=$(basename "$t")
    log="$logs/$name.log"
    start=$(date +%s%N)
    timeout -k 10 "${TEST_TIMEOUT:-900}" "$t" > "$log" 2>&1 < /dev/null
    rc=$?
    echo "$rc $(( ($(date +%s%N) - start) / 1000000 ))" > "$logs/$name.rc.tmp"
    mv "$logs/$name.rc.tmp" "$logs/$name.rc"
}

passed=0 failed=0 skipped=0 files_failed=""
# report TEST: count and print one finished file.
report() {
    local t=$1 name log rc ms np nf ns secs
    name=$(basename "$t")
    log="$logs/$name.log"
    read -r rc ms < "$logs/$name.rc"
    echo "$ms" > "$logs/$name.time"
    secs=$(printf '%d.%d' $((ms / 1000)) $((ms % 1000 / 100)))
    ns=$(grep -aEic '^ok [^#]*#[[:space:]]*skip' "$log")
    np=$(( $(grep -ac '^ok ' "$log") - ns ))
    nf=$(grep -ac '^not ok ' "$log")
    if [ "$rc" -ne 0 ] && [ "$nf" -eq 0 ]; then
        nf=1
        echo "not ok - $name exited with status $rc" >> "$log"
    fi
    if [ "$np" -eq 0 ] && [ "$nf" -eq 0 ] && [ "$ns" -eq 0 ]; then
        nf=1
        echo "not ok - $name ran no check" >> "$log"
    fi
    passed=$((passed + np)); failed=$((failed + nf)); skipped=$((skipped + ns))
    printf '%-40s ' "$name"
    if [ "$nf" -gt 0 ]; then
        echo "FAIL ($np passed, $nf failed, $ns skipped, ${secs}s)"
        grep -a '^not ok' "$log" | sed 's/^/    /'
        echo "    --- last lines of $log:"
        tail -n 25 "$log" | cut -c1-300 | sed 's/^/    | /'
        files_failed="$files_failed $name"
    elif [ "$ns" -gt 0 ]; then
        echo "ok ($np checks, $ns skipped, ${secs}s)"
    else
        echo "ok ($np checks, ${secs}s)"
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
sel=()
for t in "${tests[@]}"; do
    [ -n "$pat" ] && case $t in *$pat*) ;; *) continue ;; esac
    sel+=("$t")
    rm -f "$logs/$(basename "$t").rc"
done

# A heavy file (a snmpsim fleet of 120 agents, a Python agent that is
# walked hard) keeps a core busy and makes the agents of another heavy file
# time out: only one heavy file runs at a time, light files fill the other
# slots.  Heavy are the files named here and any with the line
# "# run.sh: heavy" in its head.  With --heavy-alone (the sanitizer build,
# where every program is several times slower) a heavy file runs with no
# other file beside it.
heavy_files=" test_poll.sh test_fleet.sh test_hostile.sh test_scale.sh "
is_heavy() {
    case $heavy_files in *" $(basename "$1") "*) return 0 ;; esac
    case $1 in *.sh) head -n 40 "$1" | grep -q '^# run.sh: heavy' && return 0 ;; esac
    return 1
}

# An idle file spends nearly all its time waiting on a daemon's clock
# (test_daemon.sh: 32 s, of which 2 s of CPU, for the poller's 10 s
# interval): it runs beside the N slots instead of taking one.  Idle are the
# files named here and any with the line "# run.sh: idle" in its head.
idle_files=" test_daemon.sh "
is_idle() {
    case $idle_files in *" $(basename "$1") "*) return 0 ;; esac
    case $1 in *.sh) head -n 40 "$1" | grep -q '^# run.sh: idle' && return 0 ;; esac
    return 1
}

# Start order: the heavy files first (they run one after the other, so
# they are the longest chain), then the longest last time first, so that a
# long file does not start last and run alone at the end; files never timed
# keep their place.
order=() heavy=() idle=()
while read -r h _ i; do
    order+=("${sel[$i]}"); heavy+=("$h")
    if is_idle "${sel[$i]}"; then idle+=(1); else idle+=(0); fi
done < <(
    for i in "${!sel[@]}"; do
        f="$logs/$(basename "${sel[$i]}").time"
        ms=0; [ -f "$f" ] && read -r ms < "$f"
        h=0; is_heavy "${sel[$i]}" && h=1
        printf '%d %d %d\n' "$h" "$ms" "$i"
    done | sort -s -k1,1nr -k2,2nr)

started=()
# busy: set alive, running (in a slot) and heavy_running from the started
# files without .rc
busy() {
    local i
    alive=0 running=0 heavy_running=0
    for i in "${!started[@]}"; do
        [ -f "$logs/$(basename "${order[$i]}").rc" ] && continue
        alive=$((alive + 1))
        [ "${idle[$i]}" -eq 1 ] && continue
        running=$((running + 1))
        [ "${heavy[$i]}" -eq 1 ] && heavy_running=$((heavy_running + 1))
    done
}

# Children of the whole run are stopped on ^C.
trap 'kill $(jobs -p) 2>/dev/null; exit 130' INT TERM
shown=0 alive=0 running=0 heavy_running=0
while [ "$shown" -lt "${#sel[@]}" ]; do
    busy
    for i in "${!order[@]}"; do
        [ "${idle[$i]}" -eq 1 ] && [ -z "${started[$i]:-}" ] || continue
        started[$i]=1
        run_bg "${order[$i]}" &
        alive=$((alive + 1))
    done
    while [ "$running" -lt "$njobs" ]; do
        pick=-1
        [ "$heavy_alone" -eq 1 ] && [ "$heavy_running" -gt 0 ] && break
        for i in "${!order[@]}"; do
            [ -n "${started[$i]:-}" ] && continue
            [ "${heavy[$i]}" -eq 1 ] && [ "$heavy_running" -gt 0 ] && continue
            [ "${heavy[$i]}" -eq 1 ] && [ "$heavy_alone" -eq 1 ] && [ "$running" -gt 0 ] && continue
            pick=$i; break
        done
        [ "$pick" -ge 0 ] || break
        started[$pick]=1
        run_bg "${order[$pick]}" &
        alive=$((alive + 1)) running=$((running + 1))
        [ "${heavy[$pick]}" -eq 1 ] && heavy_running=$((heavy_running + 1))
    done
    # print every finished file that is next in the usual order
    while [ "$shown" -lt "${#sel[@]}" ] && [ -f "$logs/$(basename "${sel[$shown]}").rc" ]; do
        report "${sel[$shown]}"
        shown=$((shown + 1))
    done
    [ "$shown" -lt "${#sel[@]}" ] || break
    if [ "$alive" -gt 0 ]; then
        wait -n
        if [ $? -eq 127 ]; then
            # no child left, yet files without their .rc: their runners died
            for i in "${!started[@]}"; do
                f="$logs/$(basename "${order[$i]}").rc"
                [ -f "$f" ] || echo "125 0" > "$f"
            done
        fi
    elif [ "${#started[@]}" -eq "${#order[@]}" ]; then
        # nothing running and a file without its .rc: its runner died
        f="$logs/$(basename "${sel[$shown]}").rc"
        [ -f "$f" ] || echo "125 0" > "$f"
    fi
done
wait
[ -n "$files_failed" ] && echo "failed:$files_failed"
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
