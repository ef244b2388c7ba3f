"""What the two generators share: botocore's CloudFront model, its shapes in dependency order,
and the SDK's snake-case names.

Used by tools/gen_shapes.py (the model's shapes) and crates/control/tools/gen_convert.py (the
model <-> aws-sdk-cloudfront conversions), so both read the model the same way.
"""
import gzip
import json
import os
import re

import botocore


def load_shapes():
    """The `shapes` of botocore's CloudFront 2020-05-31 service model."""
    path = os.path.join(os.path.dirname(botocore.__file__), "data/cloudfront/2020-05-31/service-2.json.gz")
    return json.load(gzip.open(path))["shapes"]


def shape_order(shapes, roots, with_enums=False):
    """Structures reachable from `roots`, each after the shapes it contains (and, with
    `with_enums`, the enums in the order they are first reached)."""
    order, seen = [], set()

    def walk(name):
        if name in seen:
            return
        seen.add(name)
        s = shapes[name]
        if s["type"] == "structure":
            for m in s["members"].values():
                walk(m["shape"])
            order.append(name)
        elif s["type"] == "list":
            walk(s["member"]["shape"])
        elif with_enums and "enum" in s:
            order.append(name)

    for r in roots:
        walk(r)
    return order


def snake(name):
    """The SDK's snake_case for a botocore name (`DefaultTTL` -> `default_ttl`)."""
    s = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", name)
    s = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", s)
    return s.lower()


def norm(s):
    """A name with case, underscores and `r#` removed, to match botocore and SDK names."""
    return s.replace("_", "").replace("r#", "").lower()
