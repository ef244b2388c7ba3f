#!/usr/bin/env bash
# Before and after a change: two `cfconsole` binaries serving the same warm hits, each preview
# pinned to CPU 0 (one runtime worker) and wrk pinned to CPU 1, in alternating rounds. Besides
# requests/s it reports the preview's CPU time per request (user + system, from /proc, kernel
# TCP work included): the cost of a hit, which stays readable when wrk rather than the preview
# is the bottleneck (64 KiB hits saturate wrk's core first). In bench/run.sh the servers share
# both cores with wrk, and scheduling noise is larger than most code changes.
#
#   bash bench/compare.sh OLD_BIN NEW_BIN          # 5 rounds × 10 s, 1 KiB and 64 KiB hits
#   ROUNDS=7 DUR=15s CONNS=50 bash bench/compare.sh OLD_BIN NEW_BIN
#
# Needs two CPUs, taskset (util-linux), wrk, nginx (the origin), curl, python3.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ROUNDS=${ROUNDS:-5}
DUR=${DUR:-10s}
CONNS=${CONNS:-50}
[[ $# -eq 2 ]] || { echo "usage: bash bench/compare.sh OLD_BIN NEW_BIN" >&2; exit 2; }
BINS=("$1" "$2")
for tool in taskset wrk nginx python3 curl; do
    command -v "$tool" >/dev/null || { echo "compare: $tool is required" >&2; exit 2; }
done
(($(nproc) >= 2)) || { echo "compare: needs two CPUs" >&2; exit 2; }

DIR=$(mktemp -d)
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"
trap bench_cleanup EXIT
bench_origin
PREVIEW_WRAP="taskset -c 0"

declare -A RPS P99 CPU
ticks() { awk '{ print $14 + $15 }' "/proc/$PREVIEW_PID/stat"; }
HZ=$(getconf CLK_TCK)
for round in $(seq 1 "$ROUNDS"); do
    # Alternate which binary goes first.
    if ((round % 2)); then order="0 1"; else order="1 0"; fi
    for i in $order; do
        bench_preview "${BINS[$i]}"
        for obj in 1k.bin 64k.bin; do
            warm "$PREVIEW" "$obj"
            t0=$(ticks)
            out=$(taskset -c 1 wrk -t1 -c"$CONNS" -d"$DUR" --latency "http://$PREVIEW/$obj")
            t1=$(ticks)
            read -r rps _ p99 < <(wrk_figures "$out")
            n=$(awk '/requests in/ { print $1 }' <<<"$out")
            us=$(awk -v t=$((t1 - t0)) -v hz="$HZ" -v n="$n" 'BEGIN { printf "%.3f", t / hz * 1e6 / n }')
            RPS[$i.$obj]+="$rps "
            P99[$i.$obj]+="$p99 "
            CPU[$i.$obj]+="$us "
            echo "round $round $obj ${BINS[$i]}: $rps req/s, p99 $p99 ms, $us µs CPU per request"
        done
        bench_stop_preview
    done
done

echo
echo "Medians over $ROUNDS rounds (preview on CPU 0, wrk -t1 -c$CONNS -d$DUR on CPU 1, warm cache; µs: the preview's CPU per request):"
printf '%-8s %11s %11s %8s %10s %10s %9s %9s %8s\n' object "old req/s" "new req/s" "new/old" "old p99" "new p99" "old µs" "new µs" "new/old"
for obj in 1k.bin 64k.bin; do
    m() { tr ' ' '\n' <<<"$1" | grep . | median; }
    o=$(m "${RPS[0.$obj]}"); n=$(m "${RPS[1.$obj]}")
    o99=$(m "${P99[0.$obj]}"); n99=$(m "${P99[1.$obj]}")
    oc=$(m "${CPU[0.$obj]}"); nc=$(m "${CPU[1.$obj]}")
    printf '%-8s %11.0f %11.0f %8s %8.3fms %8.3fms %9.2f %9.2f %8s\n' "$obj" "$o" "$n" \
        "$(awk -v a="$n" -v b="$o" 'BEGIN { printf "%.3f", a/b }')" "$o99" "$n99" "$oc" "$nc" \
        "$(awk -v a="$nc" -v b="$oc" 'BEGIN { printf "%.3f", a/b }')"
done
