#!/usr/bin/env bash
# Private content under load: cache hits of the same 1 KiB object through a behavior with
# trusted key groups, requested with a valid signed URL (canned policy, RSA 2048, SHA-1, made
# by `cfconsole sign`), against the same hits on an open behavior: two previews in front of the
# same origin, driven by wrk in alternating rounds. The goal (issue #18): the signed hits at
# >= 0.8 of the open ones. `bash bench/run.sh` runs it last; `ONLY=signed` runs only it.
#
#   bash bench/signed.sh                    # 5 rounds x 10 s, 50 connections
#   ROUNDS=7 DUR=15s BIN=target/release/cfconsole bash bench/signed.sh
#   KEY=ec bash bench/signed.sh             # an ECDSA P-256 key instead of RSA 2048
#   HASH=SHA256 bash bench/signed.sh        # Hash-Algorithm=SHA256
#
# Needs: wrk, nginx (the origin), openssl, python3, curl. See bench/README.md.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DUR=${DUR:-10s}
ROUNDS=${ROUNDS:-5}
CONNS=${CONNS:-50}
THREADS=${THREADS:-2}
KEY=${KEY:-rsa}
HASH=${HASH:-SHA1}

for tool in wrk nginx openssl python3 curl; do
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

# The key pair: the private key signs here and is removed with DIR; the preview gets the
# public one (spec SU-1).
case $KEY in
    rsa) openssl genrsa -out "$DIR/private.pem" 2048 2>/dev/null ;;
    ec) openssl ecparam -name prime256v1 -genkey -noout -out "$DIR/private.pem" ;;
    *) echo "bench: KEY is rsa or ec" >&2; exit 2 ;;
esac
openssl pkey -in "$DIR/private.pem" -pubout -out "$DIR/public.pem"

bench_origin
python3 - "$ROOT/bench/distribution.json" "$DIR/signed.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
d["DefaultCacheBehavior"]["TrustedKeyGroups"] = {"Enabled": True, "Quantity": 1, "Items": ["kg1"]}
json.dump(d, open(sys.argv[2], "w"))
PY
bench_preview "$BIN"
OPEN=$PREVIEW
BENCH_DIST="$DIR/signed.json" bench_preview "$BIN" --public-key "K1=$DIR/public.pem" --key-group kg1=K1
SIGNED=$PREVIEW
echo "origin 127.0.0.1:$ORIGIN_PORT  open $OPEN  trusted key groups $SIGNED"

# A signed URL for the object on the signed preview, valid for a day.
url=$("$BIN" sign "http://$SIGNED/1k.bin" --key-pair-id K1 --private-key "$DIR/private.pem" \
    --expires "$(($(date +%s) + 86400))" --hash-algorithm "$HASH")
query=${url#*\?}
# Unsigned, the signed preview refuses (spec SU-3): the benchmark measures the check, not a
# behavior that lets everything through.
status=$(curl -s -o /dev/null -w '%{http_code}' "http://$SIGNED/1k.bin")
[[ $status == 403 ]] || { echo "bench: an unsigned request got $status, not 403" >&2; exit 1; }
warm "$OPEN" 1k.bin
warm "$SIGNED" "1k.bin?$query"
echo "signed URL: ${#url} bytes, $KEY key, $HASH"

declare -A RPS P50
for round in $(seq 1 "$ROUNDS"); do
    if ((round % 2)); then order="open signed"; else order="signed open"; fi
    for name in $order; do
        if [[ $name == open ]]; then target="http://$OPEN/1k.bin"; else target="http://$SIGNED/1k.bin?$query"; fi
        out=$(wrk -t"$THREADS" -c"$CONNS" -d"$DUR" --latency "$target")
        # A refused request (403) would be fast and wrong: any non-2xx answer fails the run.
        if grep -q 'Non-2xx' <<<"$out"; then
            echo "bench: $name answered non-2xx: $(grep 'Non-2xx' <<<"$out")" >&2
            exit 1
        fi
        read -r rps p50 _ < <(wrk_figures "$out")
        RPS[$name]+="$rps "
        P50[$name]+="$p50 "
        echo "round $round $name: $rps req/s, p50 ${p50} ms"
    done
done
# The signature is still accepted and the object still a hit after the rounds.
warm "$SIGNED" "1k.bin?$query"
open=$(tr ' ' '\n' <<<"${RPS[open]}" | grep . | median)
signed=$(tr ' ' '\n' <<<"${RPS[signed]}" | grep . | median)
open50=$(tr ' ' '\n' <<<"${P50[open]}" | grep . | median)
signed50=$(tr ' ' '\n' <<<"${P50[signed]}" | grep . | median)
echo
echo "Medians over $ROUNDS rounds (wrk -t$THREADS -c$CONNS -d$DUR, warm cache, 1 KiB hits):"
echo "open behavior: $open req/s (p50 $open50 ms); trusted key groups with a signed URL: $signed req/s (p50 $signed50 ms); ratio $(awk -v a="$signed" -v b="$open" 'BEGIN { printf "%.3f", a / b }')"
