#!/usr/bin/env bash
# Soak test: `cfconsole preview` under mixed load for DURATION seconds while its configuration is
# swapped live and invalidations are posted, watching resident memory and open descriptors.
#
#   bash bench/soak.sh                                # 10 minutes
#   DURATION=60 bash bench/soak.sh                    # a short run
#   BIN=/path/to/cfconsole ORIGIN=folder bash bench/soak.sh
#
# Load (one wrk process each, bench/soak.lua counts the statuses it does not expect):
#   hot       a few cached objects over HTTP        (2xx/3xx)
#   hot-tls   the same over the HTTPS listener      (2xx/3xx)
#   miss      a new query string every request      (2xx/3xx; fills the cache)
#   notfound  objects the origin does not have      (404)
#   range     Range requests, some past the end     (206/200, 416)
#   bigrange  Range requests at random offsets of a large (sparse) file served by the preview's
#             folder origin under /big/ (issue #16: each cached range must hold its range, not
#             the file), some past the end             (206, 416)
# Every SWAP_EVERY seconds: PUT /config with the DefaultTTL switched between two values, and
# POST /invalidations. Every second the preview's VmRSS (its maximum is reported); every 10 s
# VmRSS and the number of open descriptors are printed.
#
# Prints requests served, unexpected errors (wrk socket errors and timeouts, unexpected
# statuses, failed admin calls; the goal is 0), RSS at start, maximum and end, descriptors at
# start and end, and a verdict line: PASS needs no unexpected errors, the maximum RSS within the
# cache size + RSS_SLACK_MIB and descriptors within FD_SLACK of the start. Exits non-zero
# unless the verdict is PASS.
#
# Settings: DURATION (s, 600), BIN (default: build the release binary), ORIGIN (http: a python3
# http.server; folder: served by the preview itself), CONNS (per wrk process, 8), CACHE_SIZE
# (bytes, 67108864), SWAP_EVERY (s, 3), RSS_SLACK_MIB (64), FD_SLACK (32), BIG_MIB (size of the
# large folder file, 300).
# Needs: wrk (Debian `wrk`), python3, curl. See bench/README.md.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DURATION=${DURATION:-600}
ORIGIN=${ORIGIN:-http}
CONNS=${CONNS:-8}
CACHE_SIZE=${CACHE_SIZE:-67108864}
SWAP_EVERY=${SWAP_EVERY:-3}
RSS_SLACK_MIB=${RSS_SLACK_MIB:-64}
FD_SLACK=${FD_SLACK:-32}
BIG_MIB=${BIG_MIB:-300}

for tool in wrk python3 curl; do
    command -v "$tool" >/dev/null || { echo "soak: $tool is required (apt-get install -y wrk curl python3)" >&2; exit 2; }
done

if [[ -z "${BIN:-}" ]]; then
    (cd "$ROOT" && cargo build --release --bin cfconsole)
    BIN="${CARGO_TARGET_DIR:-$ROOT/target}/release/cfconsole"
fi

DIR=$(mktemp -d)
PREVIEW_PID=""
ORIGIN_PID=""
WRK_PIDS=()
cleanup() {
    for p in "${WRK_PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
    [[ -n "$PREVIEW_PID" ]] && kill "$PREVIEW_PID" 2>/dev/null || true
    [[ -n "$ORIGIN_PID" ]] && kill "$ORIGIN_PID" 2>/dev/null || true
    rm -rf "$DIR"
}
trap cleanup EXIT
# free_port and bench_preview (soak keeps its own cleanup: it also stops the origin and wrk).
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"

# Objects of several sizes; /fill/ holds what the miss traffic asks for under new query strings.
mkdir -p "$DIR/www/fill"
for kib in 1 16 64 256; do
    head -c $((kib * 1024)) /dev/urandom >"$DIR/www/${kib}k.bin"
done
cp "$DIR/www/1k.bin" "$DIR/www/fill/1k.bin"
# The large file of the bigrange load, served by the folder origin `bigfiles` (/big/*): sparse
# (no disk), with random bytes in its first MiB.
mkdir -p "$DIR/bigfiles/big"
truncate -s "${BIG_MIB}M" "$DIR/bigfiles/big/big.bin"
head -c 1048576 /dev/urandom | dd of="$DIR/bigfiles/big/big.bin" conv=notrunc status=none
BIG_BYTES=$((BIG_MIB * 1048576))

if [[ $ORIGIN == http ]]; then
    ORIGIN_PORT=$(free_port)
    python3 - "$DIR/www" "$ORIGIN_PORT" >"$DIR/origin.log" 2>&1 <<'EOF' &
import functools, http.server, sys
class Handler(http.server.SimpleHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as the edge's origin client expects
    def log_message(self, *args):
        pass
class Server(http.server.ThreadingHTTPServer):
    request_queue_size = 256
    daemon_threads = True
Server(("127.0.0.1", int(sys.argv[2])), functools.partial(Handler, directory=sys.argv[1])).serve_forever()
EOF
    ORIGIN_PID=$!
    for _ in $(seq 1 50); do
        curl -s -o /dev/null "http://127.0.0.1:$ORIGIN_PORT/1k.bin" && break
        sleep 0.1
    done
    ORIGIN_ARG="origin=http://127.0.0.1:$ORIGIN_PORT"
elif [[ $ORIGIN == folder ]]; then
    ORIGIN_ARG="origin=$DIR/www"
else
    echo "soak: ORIGIN must be http or folder" >&2
    exit 2
fi

# Two configurations to swap between: the bench distribution with legacy TTLs on the default
# behavior, DefaultTTL 3600 s in one and 5 s in the other, both with the folder origin
# `bigfiles` behind /big/*. The preview starts on the first.
python3 - "$ROOT/bench/distribution.json" "$DIR" <<'EOF'
import json, sys
base = json.load(open(sys.argv[1]))
for name, ttl in (("a", 3600), ("b", 5)):
    cfg = json.loads(json.dumps(base))
    d = cfg["DefaultCacheBehavior"]
    d.pop("CachePolicyId", None)
    d["ForwardedValues"] = {"QueryString": False, "Cookies": {"Forward": "none"}}
    d.update({"MinTTL": 0, "DefaultTTL": ttl, "MaxTTL": 86400})
    cfg["Origins"]["Items"].append({"Id": "bigfiles", "DomainName": "bigfiles.s3.amazonaws.com",
                                    "S3OriginConfig": {"OriginAccessIdentity": ""}})
    cfg["Origins"]["Quantity"] = len(cfg["Origins"]["Items"])
    cfg["CacheBehaviors"]["Items"].append({
        "PathPattern": "/big/*", "TargetOriginId": "bigfiles", "ViewerProtocolPolicy": "allow-all",
        "Compress": False, "CachePolicyId": "658327ea-f89d-4fab-a63d-7e88639e58f6"})
    cfg["CacheBehaviors"]["Quantity"] = len(cfg["CacheBehaviors"]["Items"])
    cfg["Comment"] = f"soak: DefaultTTL {ttl}"
    json.dump(cfg, open(f"{sys.argv[2]}/config-{name}.json", "w"))
EOF

BENCH_DIST="$DIR/config-a.json" bench_preview "$BIN" --https-listen 127.0.0.1:0 \
    --cache-size "$CACHE_SIZE" --origin "bigfiles=$DIR/bigfiles"
HTTP=$PREVIEW
[[ -n "$HTTPS" ]] || { echo "soak: the preview has no HTTPS listener:" >&2; cat "$DIR/preview.out" >&2; exit 1; }
echo "soak: ${DURATION}s; origin $ORIGIN_ARG; preview http $HTTP https $HTTPS admin $ADMIN (pid $PREVIEW_PID)"

# Warm the hot objects.
for obj in 1k 16k 64k 256k; do
    curl -s -o /dev/null "http://$HTTP/$obj.bin"
done

rss_kib() { awk '/^VmRSS:/ { print $2 }' "/proc/$PREVIEW_PID/status" 2>/dev/null || echo 0; }
fds() { find "/proc/$PREVIEW_PID/fd" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l; }
RSS_START=$(rss_kib)
RSS_MAX=$RSS_START
FD_START=$(fds)
echo "start: RSS $((RSS_START / 1024)) MiB, $FD_START descriptors"

run_wrk() { # name url mode [mode args...]
    wrk -t1 -c"$CONNS" -d"${DURATION}s" --timeout 5s -s "$ROOT/bench/soak.lua" "$2" -- "${@:3}" \
        >"$DIR/wrk-$1.out" 2>&1 &
    WRK_PIDS+=($!)
}
run_wrk hot "http://$HTTP" hot
run_wrk hot-tls "https://$HTTPS" hot
run_wrk miss "http://$HTTP" miss
run_wrk notfound "http://$HTTP" notfound
run_wrk range "http://$HTTP" range
run_wrk bigrange "http://$HTTP" bigrange "$BIG_BYTES"

# Admin calls while the load runs. curl sets Host to the admin's own address, which the admin
# API requires; it also requires a JSON content type.
ADMIN_CALLS=0
ADMIN_FAILED=0
admin_call() { # method path body-file expected-codes...
    local method=$1 path=$2 body=$3 code
    shift 3
    ADMIN_CALLS=$((ADMIN_CALLS + 1))
    code=$(curl -s -o "$DIR/admin.resp" -w '%{http_code}' --max-time 10 -X "$method" \
        -H 'Content-Type: application/json' --data-binary "@$body" "http://$ADMIN$path") || code=000
    for want in "$@"; do
        [[ $code == "$want" ]] && return 0
    done
    ADMIN_FAILED=$((ADMIN_FAILED + 1))
    echo "soak: $method $path answered $code: $(head -c 300 "$DIR/admin.resp" 2>/dev/null)" >&2
}

START=$(date +%s)
END=$((START + DURATION))
next_swap=$START
next_sample=$((START + 10))
swap=0
echo "samples (s: RSS MiB, descriptors):"
while (($(date +%s) < END)); do
    now=$(date +%s)
    if ((now >= next_swap)); then
        swap=$((swap + 1))
        if ((swap % 2)); then variant=b; else variant=a; fi
        admin_call PUT /config "$DIR/config-$variant.json" 200
        printf '{"Paths": {"Quantity": 2, "Items": ["/64k.bin", "/fill/*"]}, "CallerReference": "soak-%s-%s"}' \
            "$START" "$swap" >"$DIR/invalidation.json"
        admin_call POST /invalidations "$DIR/invalidation.json" 200 201
        next_swap=$((now + SWAP_EVERY))
    fi
    rss=$(rss_kib)
    ((rss > RSS_MAX)) && RSS_MAX=$rss
    if ((now >= next_sample)); then
        echo "  $((now - START)): $((rss / 1024)) MiB, $(fds) descriptors"
        next_sample=$((now + 10))
    fi
    kill -0 "$PREVIEW_PID" 2>/dev/null || break
    sleep 1
done
for p in "${WRK_PIDS[@]}"; do wait "$p" || true; done
WRK_PIDS=()
sleep 2 # let closed connections go

ALIVE=yes
kill -0 "$PREVIEW_PID" 2>/dev/null || ALIVE=no
RSS_END=$(rss_kib)
((RSS_END > RSS_MAX)) && RSS_MAX=$RSS_END
FD_END=$(fds)

REQUESTS=0
SOCKET_ERRORS=0
BAD_STATUS=0
printf '%-9s %10s %8s %8s\n' load requests socket status
for name in hot hot-tls miss notfound range bigrange; do
    out="$DIR/wrk-$name.out"
    req=$(awk '/ requests in / { print $1 }' "$out")
    sock=$(awk '/Socket errors:/ { gsub(",", ""); print $4 + $6 + $8 + $10 }' "$out")
    bad=$(awk '/^soak-unexpected-status:/ { print $2 }' "$out")
    if [[ -z "$req" ]]; then
        echo "soak: wrk $name gave no summary:" >&2
        cat "$out" >&2
        req=0
        sock=1
    fi
    printf '%-9s %10s %8s %8s\n' "$name" "$req" "${sock:-0}" "${bad:-0}"
    REQUESTS=$((REQUESTS + req))
    SOCKET_ERRORS=$((SOCKET_ERRORS + ${sock:-0}))
    BAD_STATUS=$((BAD_STATUS + ${bad:-0}))
done
UNEXPECTED=$((SOCKET_ERRORS + BAD_STATUS + ADMIN_FAILED))

echo
echo "requests served: $REQUESTS"
echo "admin calls: $ADMIN_CALLS ($ADMIN_FAILED failed)"
echo "unexpected errors: $UNEXPECTED (socket errors/timeouts $SOCKET_ERRORS, unexpected statuses $BAD_STATUS, failed admin calls $ADMIN_FAILED; goal 0)"
echo "RSS: $((RSS_START / 1024)) MiB at start, $((RSS_MAX / 1024)) MiB max, $((RSS_END / 1024)) MiB at end (limit: cache size + $RSS_SLACK_MIB MiB = $((CACHE_SIZE / 1048576 + RSS_SLACK_MIB)) MiB)"
echo "descriptors: $FD_START at start, $FD_END at end"

RSS_LIMIT_MIB=$((CACHE_SIZE / 1048576 + RSS_SLACK_MIB))
reasons=()
[[ $ALIVE == yes ]] || reasons+=("the preview exited: $(tail -n 5 "$DIR/preview.err" | tr '\n' ' ')")
((UNEXPECTED == 0)) || reasons+=("$UNEXPECTED unexpected errors")
((REQUESTS > 0)) || reasons+=("no requests served")
((RSS_MAX / 1024 <= RSS_LIMIT_MIB)) || reasons+=("RSS reached $((RSS_MAX / 1024)) MiB, over $RSS_LIMIT_MIB MiB (cache size + $RSS_SLACK_MIB)")
((FD_END <= FD_START + FD_SLACK)) || reasons+=("descriptors grew from $FD_START to $FD_END")
if ((${#reasons[@]} == 0)); then
    echo "verdict: PASS ($REQUESTS requests in ${DURATION}s, no unexpected errors, memory and descriptors bounded)"
else
    echo "verdict: FAIL: $(IFS=';'; echo "${reasons[*]}")"
    exit 1
fi
