"""200 concurrent GETs for one uncached object through the preview; prints the statuses seen."""
import sys, threading, urllib.request

url = sys.argv[1]
barrier = threading.Barrier(200)
statuses = []
lock = threading.Lock()

def one():
    barrier.wait()
    with urllib.request.urlopen(url, timeout=30) as r:
        r.read()
        with lock:
            statuses.append((r.status, r.headers.get("X-Cache")))

threads = [threading.Thread(target=one) for _ in range(200)]
for t in threads: t.start()
for t in threads: t.join()
ok = sum(1 for s, _ in statuses if s == 200)
misses = sum(1 for _, x in statuses if x and x.startswith("Miss"))
print(f"responses={len(statuses)} ok={ok} logged-miss={misses}")
