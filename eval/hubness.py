#!/usr/bin/env python3
"""Hubness of rankings (standard library only): how often one organization is in the top k.

    python eval/hubness.py RUN.jsonl [--orgs ORGS.jsonl] [--k 3]

N_k(o) = the number of queries with `o` in their top k (territorial organizations dropped first,
as score.py does when given --orgs). Prints the largest share of queries one organization takes
(`hub_share` = max N_k / queries, with its id), the skewness of N_k over every ranked-for
organization (0 for an even spread; hubs make it large), and how many queries have the hub first.
The last line is JSON, like score.py.
"""
import argparse
import json
import math
from collections import Counter


def read_jsonl(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def hubness(runs, candidates, k=3):
    counts = Counter()
    firsts = Counter()
    for ranked in runs:
        counts.update(ranked[:k])
        if ranked:
            firsts[ranked[0]] += 1
    values = [counts.get(o, 0) for o in candidates]
    n = len(values)
    mean = sum(values) / n
    sd = math.sqrt(sum((v - mean) ** 2 for v in values) / n)
    skew = sum((v - mean) ** 3 for v in values) / n / sd ** 3 if sd else 0.0
    hub, top = counts.most_common(1)[0] if counts else (None, 0)
    return {"hub_share": round(top / max(len(runs), 1), 3), "hub": hub,
            "hub_first": firsts.get(hub, 0), f"n{k}_skew": round(skew, 3),
            "queries": len(runs)}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("run")
    parser.add_argument("--orgs", help="drop territorial organizations; N_k over the thematic ones")
    parser.add_argument("--k", type=int, default=3)
    args = parser.parse_args()
    rows = read_jsonl(args.run)
    territorial, candidates = set(), set()
    if args.orgs:
        orgs = read_jsonl(args.orgs)
        territorial = {o["id"] for o in orgs if o.get("kind") == "territorial"}
        candidates = {o["id"] for o in orgs} - territorial
    runs = [[r for r in row["ranked"] if r not in territorial and r != row["query"]]
            for row in rows]
    candidates = candidates or {r for ranked in runs for r in ranked}
    print(json.dumps(hubness(runs, sorted(candidates), args.k), ensure_ascii=False))


if __name__ == "__main__":
    main()
