#!/usr/bin/env python3
"""Write crates/control/testdata/full-*.json: one document per root shape with EVERY member set
(lists with one item, the first enum value, distinct strings), in the AWS CLI's JSON shape.

The conversion round-trip tests read them: a member that the conversion drops shows up as a
difference. Regenerate when the model is regenerated.

Usage: python3 crates/control/tools/gen_full_fixtures.py crates/control/testdata
"""
import gzip
import json
import os
import sys

import botocore

ROOTS = ["DistributionConfig", "Distribution", "CachePolicyConfig", "OriginRequestPolicyConfig",
         "ResponseHeadersPolicyConfig", "Invalidation", "CachePolicy"]


def main():
    out_dir = sys.argv[1]
    path = os.path.join(os.path.dirname(botocore.__file__), "data/cloudfront/2020-05-31/service-2.json.gz")
    shapes = json.load(gzip.open(path))["shapes"]
    counter = [0]

    def value(name, member):
        s = shapes[name]
        t = s["type"]
        counter[0] += 1
        if "enum" in s:
            # Never the value `none`: the SDK prints that variant as `None`, and the tests look
            # for `None` to find members left unset.
            values = [v for v in s["enum"] if v.lower() != "none"] or s["enum"]
            return values[counter[0] % len(values)]
        if t == "string":
            return f"{member}-{counter[0]}"
        if t == "timestamp":
            return f"2026-01-02T03:04:{counter[0] % 60:02d}.5Z"
        if t in ("integer", "long"):
            return counter[0]
        if t == "boolean":
            return True
        if t in ("double", "float"):
            return counter[0] + 0.5
        if t == "list":
            return [value(s["member"]["shape"], member)]
        if t == "structure":
            obj = {}
            for m, spec in s["members"].items():
                obj[m] = value(spec["shape"], m)
            if "Quantity" in obj and "Items" in obj:
                obj["Quantity"] = len(obj["Items"])
            return obj
        raise SystemExit(t)

    for root in ROOTS:
        with open(os.path.join(out_dir, f"full-{root}.json"), "w") as f:
            json.dump(value(root, root), f, indent=2)
            f.write("\n")


if __name__ == "__main__":
    main()
