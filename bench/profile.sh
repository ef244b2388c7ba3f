#!/usr/bin/env bash
# Profiles the preview's hit path: `perf record` on the running preview while wrk drives warm
# hits for one object, then prints the top symbols (self time) and, when inferno is installed
# (`cargo install inferno`), writes a flame graph and the share of the samples each piece of the
# hit path took (bench/stack_share.py).
#
#   BIN=target/release/cfconsole bash bench/profile.sh            # 1 KiB hits, 8 s
#   OBJ=64k.bin OUT=/tmp/prof bash bench/profile.sh                # 64 KiB hits, files kept in /tmp/prof
#
# Knobs: OBJ (1k.bin), DUR (8, seconds of recording), CONNS (50), THREADS (2), FREQ (999 Hz),
# OUT (a directory for perf.data, report.txt, stacks.folded, flame.svg and shares.txt; default a
# temp dir, printed).
# Needs perf (Debian `linux-perf`), wrk, nginx (the origin), curl, python3. See bench/README.md.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
OBJ=${OBJ:-1k.bin}
DUR=${DUR:-8}
CONNS=${CONNS:-50}
THREADS=${THREADS:-2}
FREQ=${FREQ:-999}
BIN=${BIN:-$ROOT/target/release/cfconsole}
OUT=${OUT:-$(mktemp -d)}
mkdir -p "$OUT"

for tool in perf wrk nginx python3 curl; do
    command -v "$tool" >/dev/null || { echo "profile: $tool is required (apt-get install -y linux-perf nginx wrk curl python3)" >&2; exit 2; }
done
[[ -x "$BIN" ]] || { echo "profile: no binary at $BIN (cargo build --release, or set BIN)" >&2; exit 2; }

DIR=$(mktemp -d)
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"
trap bench_cleanup EXIT

# The same origin and preview as bench/run.sh (nginx's caching proxy is unused here).
bench_origin
bench_preview "$BIN"
warm "$PREVIEW" "$OBJ"

# wrk runs a little longer than the recording, so every sample is under load.
wrk -t"$THREADS" -c"$CONNS" -d"$((DUR + 3))s" --latency "http://$PREVIEW/$OBJ" >"$OUT/wrk.txt" &
WRK=$!
sleep 1
# Release builds keep line tables but no frame pointers: DWARF unwinding gives the call chains.
perf record -q -F "$FREQ" --call-graph dwarf,32768 -p "$PREVIEW_PID" -o "$OUT/perf.data" -- sleep "$DUR" 2>"$OUT/perf-record.err" || {
    echo "profile: perf record failed (perf_event_paranoid is $(cat /proc/sys/kernel/perf_event_paranoid)):" >&2
    cat "$OUT/perf-record.err" >&2
    exit 1
}
wait "$WRK"
grep -E 'Requests/sec|99%' "$OUT/wrk.txt"

perf report -i "$OUT/perf.data" --no-children --sort symbol --percent-limit 0.7 --stdio 2>/dev/null \
    | grep -E '^ +[0-9.]+%' >"$OUT/report.txt" || true
echo "top symbols by self time ($OBJ hits; $OUT/report.txt):"
head -40 "$OUT/report.txt"

if command -v inferno-collapse-perf >/dev/null && command -v inferno-flamegraph >/dev/null; then
    perf script -i "$OUT/perf.data" 2>/dev/null | inferno-collapse-perf >"$OUT/stacks.folded"
    inferno-flamegraph --title "cfconsole preview: $OBJ hits" <"$OUT/stacks.folded" >"$OUT/flame.svg"
    echo "flame graph: $OUT/flame.svg"
    echo "where the samples went (inclusive; bench/stack_share.py):"
    python3 "$ROOT/bench/stack_share.py" "$OUT/stacks.folded" | tee "$OUT/shares.txt"
else
    echo "profile: inferno not installed (cargo install inferno): no flame graph" >&2
fi
echo "files in $OUT"
