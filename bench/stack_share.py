#!/usr/bin/env python3
"""Inclusive shares of named frames in a folded-stacks profile (bench/profile.sh writes one,
`stacks.folded`): what fraction of the preview's samples ran inside each piece of the hit path.
Frames are matched on their names with generic arguments removed, so `process` does not match
every frame whose type parameters mention it.

    python3 bench/stack_share.py OUT/stacks.folded            # the hit path's pieces
    python3 bench/stack_share.py OUT/stacks.folded 'key::' 'moka'   # frames of your choice
"""
import re
import sys

# The hit path, top down, and where its time goes below it (regular expressions on frames).
DEFAULT = [
    ("handle: the pipeline, one request", r"pipeline::handle"),
    ("  process: checks, key, lookup, entry to reply", r"pipeline::process"),
    ("    viewer_request: headers as key/origin see them", r"viewer::viewer_request"),
    ("    cache_key", r"viewer::cache_key"),
    ("    cache lookup (moka)", r"^moka::|Cache::get"),
    ("    serve_entry: the reply from the entry", r"conditional::serve_entry"),
    ("  finish: CloudFront's headers, counters, log record", r"respond::finish"),
    ("    Logger::log: the in-memory log", r"Logger::log"),
    ("access-log writer task", r"Logger::writer|start_with_capacity"),
    ("hyper: parse the request head", r"role::.*parse|httparse"),
    ("hyper: encode the response head", r"role::.*encode|encode_headers"),
    ("kernel: write (writev, TCP send, loopback)", r"writev"),
    ("kernel: read (recv)", r"__libc_recv|sys_recvfrom|tcp_recvmsg"),
    ("malloc (mimalloc)", r"mi_malloc|mi_page_malloc|mi_theap_malloc"),
    ("free (mimalloc)", r"mi_free|mi_page_free|_mi_page_retire"),
    ("drop_in_place", r"drop_in_place"),
    ("formatting (core::fmt)", r"core::fmt|alloc::fmt"),
]


def strip_generics(frame):
    out, depth = [], 0
    for ch in frame:
        if ch == "<":
            depth += 1
        elif ch == ">" and depth:
            depth -= 1
        elif not depth:
            out.append(ch)
    return "".join(out)


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    named = [(p, p) for p in sys.argv[2:]] or DEFAULT
    patterns = [(label, re.compile(p)) for label, p in named]
    total, counts = 0, [0] * len(patterns)
    with open(sys.argv[1]) as f:
        for line in f:
            stack, _, n = line.rstrip().rpartition(" ")
            n = int(n)
            total += n
            frames = [strip_generics(fr) for fr in stack.split(";")]
            for i, (_, rx) in enumerate(patterns):
                if any(rx.search(fr) for fr in frames):
                    counts[i] += n
    for (label, _), c in zip(patterns, counts):
        print(f"{100 * c / max(total, 1):6.2f}%  {label}")
    print(f"({total} sample weight in all)")


if __name__ == "__main__":
    main()
