#!/usr/bin/env python3
"""Ablations of matching settings on dev and the colloquial set, one fit per set.

    .venv/bin/python eval/ablation.py hub_weight=0,0.5,1,1.5,2 [partner_forward_weight=0.75,...]

Each `name=v1,v2,...` is a MatchingIndex attribute read at query time, or with `enc.` a
TextEncoder argument (refits), tried one value at a time (the others at their defaults). Prints nDCG@5 / MRR and the N3 hub share and skew per set, as
score.py and eval/hubness.py compute them.
"""
from __future__ import annotations

import argparse
import importlib.util
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def _shared() -> Path:
    for c in (ROOT.parent / "shared" / "eval", ROOT.parent.parent / "shared" / "eval"):
        if (c / "dev").is_dir():
            return c
    sys.exit("../shared/eval not found")


def _module(path: Path, name: str):
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("settings", nargs="*", help="name=v1,v2,...")
    args = parser.parse_args()
    shared = _shared()
    score = _module(shared / "score.py", "score")
    hubness = _module(HERE / "hubness.py", "hubness")
    sys.path.insert(0, str(ROOT))
    from matching import MatchingIndex, TERRITORIAL
    from webapp.cli.rank_matching import _issue, _org, _towns

    read = score.read_jsonl
    dev_orgs = read(shared / "dev" / "orgs.jsonl")
    hub_orgs = read(HERE / "colloquial" / "hub_orgs.jsonl")
    sets = {
        "dev issues": (dev_orgs, read(shared / "dev" / "issues.jsonl"), shared / "dev" / "qrels.tsv"),
        "dev partners": (dev_orgs, None, shared / "dev" / "partner_qrels.tsv"),
        "colloquial issues": (dev_orgs + hub_orgs, read(HERE / "colloquial" / "issues.jsonl"),
                              HERE / "colloquial" / "qrels.tsv"),
        "dev partners +hubs": (dev_orgs + hub_orgs, None, shared / "dev" / "partner_qrels.tsv"),
    }
    trials = [("default", None, None)]
    for setting in args.settings:
        name, values = setting.split("=")
        trials += [(f"{name}={v}", name, int(v) if v.isdigit() else float(v))
                   for v in values.split(",")]
    from matching.text import TextEncoder

    def fitted(label, encoder_args):
        orgs, issues, _ = sets[label]
        profiles = [_org(o) for o in orgs]
        issue_profiles = [_issue(i) for i in issues] if issues else []
        index = MatchingIndex(n_jobs=2, encoder=TextEncoder(**encoder_args))
        return index.fit(profiles, issue_profiles, _towns()), profiles, issue_profiles

    indexes = {label: fitted(label, {}) for label in sets}
    for trial, name, value in trials:
        line = [f"{trial:<28}"]
        for label, (orgs, issues, qrels_path) in sets.items():
            index, profiles, issue_profiles = indexes[label]
            if name and name.startswith("enc."):
                index, profiles, issue_profiles = fitted(label, {name[4:]: value})
                name_here = None
            else:
                name_here = name
            default = getattr(index, name_here) if name_here else None
            if name_here:
                setattr(index, name_here, value)
            if issues:
                runs = {i.id: [m.id for m in index.rank_thematic(i, 10, explain=False)]
                        for i in issue_profiles}
            else:
                runs = {o.id: [m.id for m in index.rank_partners(o, 10, explain=False)]
                        for o in profiles if o.kind == TERRITORIAL}
            if name_here:
                setattr(index, name_here, default)
            path = Path("/tmp") / f"kyodo_ablation_{label.replace(' ', '_')}.jsonl"
            path.write_text("".join(json.dumps({"query": q, "ranked": r}) + "\n"
                                    for q, r in runs.items()))
            s = score.score_rank(argparse.Namespace(qrels=str(qrels_path), run=str(path),
                                                    orgs=None, k=5))
            thematic = sorted(o["id"] for o in orgs if o["kind"] != TERRITORIAL)
            h = hubness.hubness(list(runs.values()), thematic, 3)
            line.append(f"{label}: {s['ndcg@5']:.3f}/{s['mrr']:.3f} hub {h['hub_share']:.2f}"
                        f" sk {h['n3_skew']:.2f}")
        print(" | ".join(line), flush=True)


if __name__ == "__main__":
    main()
