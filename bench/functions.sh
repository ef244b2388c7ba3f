#!/usr/bin/env bash
# CloudFront Functions under load: cache hits of the same 1 KiB object through a behavior whose
# viewer-request function is a one-line rewrite (bench/rewrite.js), against the same hits with
# no function, two previews in front of the same origin, driven by wrk in alternating rounds.
# The goal (issue #17): hits with the function at >= 0.85 of the hits without.
#
#   bash bench/functions.sh                 # 5 rounds x 10 s, 50 connections
#   ROUNDS=7 DUR=15s BIN=target/release/cfconsole bash bench/functions.sh
#
# Needs: wrk, nginx (the origin), python3, curl. See bench/README.md.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DUR=${DUR:-10s}
ROUNDS=${ROUNDS:-5}
CONNS=${CONNS:-50}
THREADS=${THREADS:-2}

for tool in wrk nginx python3 curl; do
    command -v "$tool" >/dev/null || { echo "bench: $tool is required" >&2; exit 2; }
done
if [[ -z "${BIN:-}" ]]; then
    (cd "$ROOT" && cargo build --release --bin cfconsole)
    BIN="$ROOT/target/release/cfconsole"
fi

DIR=$(mktemp -d)
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"
trap bench_cleanup EXIT

bench_origin
python3 - "$ROOT/bench/distribution.json" "$DIR/with-function.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
d["DefaultCacheBehavior"]["FunctionAssociations"] = {"Quantity": 1, "Items": [{
    "FunctionARN": "arn:aws:cloudfront::123456789012:function/rewrite",
    "EventType": "viewer-request"}]}
json.dump(d, open(sys.argv[2], "w"))
PY
bench_preview "$BIN"
PLAIN=$PREVIEW
BENCH_DIST="$DIR/with-function.json" bench_preview "$BIN" --function "rewrite=$ROOT/bench/rewrite.js"
FUNC=$PREVIEW
warm "$PLAIN" 1k.bin
warm "$FUNC" 1k.bin
echo "origin 127.0.0.1:$ORIGIN_PORT  no function $PLAIN  with function $FUNC"

declare -A RPS
for round in $(seq 1 "$ROUNDS"); do
    if ((round % 2)); then order="plain function"; else order="function plain"; fi
    for name in $order; do
        if [[ $name == plain ]]; then target=$PLAIN; else target=$FUNC; fi
        read -r rps _ _ < <(wrk_figures "$(wrk -t"$THREADS" -c"$CONNS" -d"$DUR" --latency "http://$target/1k.bin")")
        RPS[$name]+="$rps "
        echo "round $round $name: $rps req/s"
    done
done
plain=$(tr ' ' '\n' <<<"${RPS[plain]}" | grep . | median)
func=$(tr ' ' '\n' <<<"${RPS[function]}" | grep . | median)
echo
echo "Medians over $ROUNDS rounds (wrk -t$THREADS -c$CONNS -d$DUR, warm cache, 1 KiB hits):"
echo "no function: $plain req/s; one-line viewer-request rewrite: $func req/s; ratio $(awk -v a="$func" -v b="$plain" 'BEGIN { printf "%.3f", a / b }')"
