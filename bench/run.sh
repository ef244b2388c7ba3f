#!/usr/bin/env bash
# Load benchmark: the same objects (1 KiB and 64 KiB) served from a warm cache by
# `cfconsole preview` and by nginx `proxy_cache` in front of the same origin, driven by wrk in
# alternating rounds on this machine; then request collapsing (200 concurrent misses for one
# object → origin requests) and resident memory under a cache-filling load.
#
#   bash bench/run.sh                     # defaults: 3 rounds × 10 s, 50 connections, 60 s fill
#   ROUNDS=5 DUR=15s CONNS=100 FILL_SECS=60 CACHE_SIZE=134217728 bash bench/run.sh
#   ONLY=fill BIN=/path/to/cfconsole bash bench/run.sh   # just the memory scenario, a given binary
#   RSS_TRACE=1 ...                                       # also print every RSS sample (MiB)
#   ONLY=signed bash bench/run.sh   # just signed-URL hits against open ones (bench/signed.sh)
#   SIGNED=0 bash bench/run.sh      # everything but the signed-URL comparison run last
#
# Needs: wrk, nginx (Debian packages), python3, curl. See bench/README.md.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DUR=${DUR:-10s}
ROUNDS=${ROUNDS:-3}
CONNS=${CONNS:-50}
THREADS=${THREADS:-2}
FILL_SECS=${FILL_SECS:-60}
CACHE_SIZE=${CACHE_SIZE:-268435456}
ONLY=${ONLY:-all}

for tool in wrk nginx python3 curl; do
    command -v "$tool" >/dev/null || { echo "bench: $tool is required (apt-get install -y nginx wrk curl python3)" >&2; exit 2; }
done

if [[ -z "${BIN:-}" ]]; then
    (cd "$ROOT" && cargo build --release --bin cfconsole)
    BIN="$ROOT/target/release/cfconsole"
fi
if [[ $ONLY == signed ]]; then
    BIN=$BIN exec bash "$ROOT/bench/signed.sh"
fi

DIR=$(mktemp -d)
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"
trap bench_cleanup EXIT

bench_origin
bench_preview "$BIN" --cache-size "$CACHE_SIZE"
echo "origin 127.0.0.1:$ORIGIN_PORT  nginx $NGINX  preview $PREVIEW (admin $ADMIN)"

# Warm both caches and check that the next request is a hit.
for obj in 1k.bin 64k.bin; do
    for t in "$NGINX" "$PREVIEW"; do
        warm "$t" "$obj"
    done
done

declare -A RPS P50 P99
[[ $ONLY == fill ]] && ROUNDS=0
for round in $(seq 1 "$ROUNDS"); do
    for obj in 1k.bin 64k.bin; do
        # Alternate which server goes first (NOTES.md: compare medians over alternating rounds).
        if ((round % 2)); then order="nginx preview"; else order="preview nginx"; fi
        for name in $order; do
            if [[ $name == nginx ]]; then target=$NGINX; else target=$PREVIEW; fi
            read -r rps p50 p99 < <(wrk_figures "$(wrk -t"$THREADS" -c"$CONNS" -d"$DUR" --latency "http://$target/$obj")")
            RPS[$name.$obj]+="$rps "
            P50[$name.$obj]+="$p50 "
            P99[$name.$obj]+="$p99 "
            echo "round $round $obj $name: $rps req/s, p50 ${p50} ms, p99 ${p99} ms"
        done
    done
done

if [[ $ONLY != fill ]]; then
echo
echo "Medians over $ROUNDS rounds (wrk -t$THREADS -c$CONNS -d$DUR, warm cache, same origin):"
printf '%-8s %14s %14s %8s %12s %12s %12s %12s\n' object "nginx req/s" "preview req/s" ratio "nginx p50" "preview p50" "nginx p99" "preview p99"
for obj in 1k.bin 64k.bin; do
    nr=$(tr ' ' '\n' <<<"${RPS[nginx.$obj]}" | grep . | median)
    pr=$(tr ' ' '\n' <<<"${RPS[preview.$obj]}" | grep . | median)
    n50=$(tr ' ' '\n' <<<"${P50[nginx.$obj]}" | grep . | median)
    p50=$(tr ' ' '\n' <<<"${P50[preview.$obj]}" | grep . | median)
    n99=$(tr ' ' '\n' <<<"${P99[nginx.$obj]}" | grep . | median)
    p99=$(tr ' ' '\n' <<<"${P99[preview.$obj]}" | grep . | median)
    ratio=$(awk -v a="$pr" -v b="$nr" 'BEGIN { printf "%.2f", a/b }')
    printf '%-8s %14.0f %14.0f %8s %10.3fms %10.3fms %10.3fms %10.3fms\n' "$obj" "$nr" "$pr" "$ratio" "$n50" "$p50" "$n99" "$p99"
done

echo
before=$(grep -c 'GET /collapse.bin' "$DIR/origin-access.log" || true)
python3 "$ROOT/bench/collapse.py" "http://$PREVIEW/collapse.bin"
after=$(grep -c 'GET /collapse.bin' "$DIR/origin-access.log" || true)
echo "collapsing: 200 concurrent requests for one uncached object -> $((after - before)) origin request(s)"
fi

echo
limit_mib=$(( CACHE_SIZE / 1048576 + 64 ))
echo "memory: ${FILL_SECS}s of wrk filling the cache with distinct 64 KiB objects (--cache-size $((CACHE_SIZE / 1048576)) MiB, limit ${limit_mib} MiB RSS)"
max_rss=0
wrk -t"$THREADS" -c"$CONNS" -d"${FILL_SECS}s" -s "$ROOT/bench/fill.lua" "http://$PREVIEW/" >"$DIR/fill.out" &
WRK_PID=$!
while kill -0 "$WRK_PID" 2>/dev/null; do
    rss=$(awk '/^VmRSS:/ { print $2 }' "/proc/$PREVIEW_PID/status")
    ((rss > max_rss)) && max_rss=$rss
    [[ -n "${RSS_TRACE:-}" ]] && echo -n "$((rss / 1024)) "
    sleep 1
done
wait "$WRK_PID" || true
fill_rps=$(awk '/^Requests\/sec:/ { print $2 }' "$DIR/fill.out")
stats=$(curl -s "http://$ADMIN/stats")
cache_bytes=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["CacheBytes"])' <<<"$stats")
echo "fill: $fill_rps req/s; cache holds $((cache_bytes / 1048576)) MiB; peak RSS $((max_rss / 1024)) MiB (limit ${limit_mib} MiB): $( ((max_rss / 1024 <= limit_mib)) && echo within || echo OVER)"

# Issue #18: the same hits through a behavior with trusted key groups and a signed URL, in the
# same run (its own two previews, after this one's are stopped).
if [[ $ONLY == all && ${SIGNED:-1} != 0 ]]; then
    echo
    bench_cleanup
    BIN=$BIN bash "$ROOT/bench/signed.sh"
fi
