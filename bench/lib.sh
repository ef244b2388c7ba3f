# Shared by the bench scripts (sourced, not run): the origin, the preview, and wrk's figures.
# Each function documents what it sets. Callers set ROOT and DIR (a private temp dir) first and
# call `bench_cleanup` on exit.

PREVIEW_PID=""
# Every preview bench_preview started, so that a script comparing two stops both.
PREVIEW_PIDS=()

# Stops what the scripts started and removes DIR.
bench_cleanup() {
    for pid in "${PREVIEW_PIDS[@]}"; do
        kill "$pid" 2>/dev/null || true
    done
    PREVIEW_PIDS=()
    PREVIEW_PID=""
    [[ -f "$DIR/nginx.pid" ]] && kill "$(cat "$DIR/nginx.pid")" 2>/dev/null || true
    rm -rf "$DIR"
}

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# Starts one nginx from bench/nginx.conf.template: the origin (files under $DIR/www: 1k.bin,
# 64k.bin, fill/64k.bin, collapse.bin) and its caching proxy. Sets ORIGIN_PORT and NGINX.
bench_origin() {
    mkdir -p "$DIR/www/fill" "$DIR/nginx-cache"
    head -c 1024 /dev/urandom >"$DIR/www/1k.bin"
    head -c 65536 /dev/urandom >"$DIR/www/64k.bin"
    cp "$DIR/www/64k.bin" "$DIR/www/fill/64k.bin"
    cp "$DIR/www/1k.bin" "$DIR/www/collapse.bin"
    ORIGIN_PORT=$(free_port)
    local proxy_port
    proxy_port=$(free_port)
    sed -e "s|@DIR@|$DIR|g" -e "s|@ORIGIN_PORT@|$ORIGIN_PORT|g" -e "s|@PROXY_PORT@|$proxy_port|g" \
        "$ROOT/bench/nginx.conf.template" >"$DIR/nginx.conf"
    nginx -c "$DIR/nginx.conf"
    NGINX="127.0.0.1:$proxy_port"
}

# bench_preview BIN [ARGS...]: starts `BIN preview` on bench/distribution.json (BENCH_DIST when
# set) in front of the
# origin (ORIGIN_ARG when set, else the nginx origin of bench_origin), with ARGS added (e.g.
# --cache-size, --https-listen). PREVIEW_WRAP, when set, is put before BIN (e.g. `taskset -c 0`
# to pin it). Waits for the admin line, printed last. Sets PREVIEW, HTTPS (empty without
# --https-listen), ADMIN and PREVIEW_PID.
bench_preview() {
    local bin=$1
    shift
    ${PREVIEW_WRAP:-} "$bin" preview "${BENCH_DIST:-$ROOT/bench/distribution.json}" --listen 127.0.0.1:0 --admin 127.0.0.1:0 \
        --origin "${ORIGIN_ARG:-origin=http://127.0.0.1:$ORIGIN_PORT}" --policies "$ROOT/bench/policies.json" \
        "$@" >"$DIR/preview.out" 2>"$DIR/preview.err" &
    PREVIEW_PID=$!
    PREVIEW_PIDS+=("$PREVIEW_PID")
    for _ in $(seq 1 100); do
        grep -q '^admin listening' "$DIR/preview.out" && break
        sleep 0.1
    done
    PREVIEW=$(sed -n 's|^http listening on http://||p' "$DIR/preview.out")
    HTTPS=$(sed -n 's|^https listening on https://||p' "$DIR/preview.out")
    ADMIN=$(sed -n 's|^admin listening on http://||p' "$DIR/preview.out")
    [[ -n "$PREVIEW" && -n "$ADMIN" ]] || {
        echo "bench: the preview did not start:" >&2
        cat "$DIR/preview.out" "$DIR/preview.err" >&2
        exit 1
    }
}

# bench_stop_preview: stops the preview started last.
bench_stop_preview() {
    kill "$PREVIEW_PID" 2>/dev/null || true
    wait "$PREVIEW_PID" 2>/dev/null || true
    PREVIEW_PID=""
}

# warm TARGET OBJ: one request to fill the cache, then checks that the next one is a hit.
warm() {
    curl -s -o /dev/null "http://$1/$2"
    local x
    x=$(curl -s -o /dev/null -D - "http://$1/$2" | tr -d '\r' | sed -n 's/^[Xx]-[Cc]ache: //p')
    [[ "$x" == HIT || "$x" == "Hit from cloudfront" ]] || { echo "bench: $1/$2 is not a hit after warming ($x)" >&2; exit 1; }
}

to_ms() { awk '{ v=$1; if (v ~ /us$/) { sub(/us$/,"",v); print v/1000 } else if (v ~ /ms$/) { sub(/ms$/,"",v); print v } else if (v ~ /s$/) { sub(/s$/,"",v); print v*1000 } else print v }'; }
median() { sort -g | awk '{ a[NR]=$1 } END { if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2 }'; }

# wrk_figures OUTPUT: "req/s p50_ms p99_ms" from wrk --latency's output.
wrk_figures() {
    local rps p50 p99
    rps=$(awk '/^Requests\/sec:/ { print $2 }' <<<"$1")
    p50=$(awk '$1 == "50%" { print $2 }' <<<"$1" | to_ms)
    p99=$(awk '$1 == "99%" { print $2 }' <<<"$1" | to_ms)
    echo "$rps $p50 $p99"
}
