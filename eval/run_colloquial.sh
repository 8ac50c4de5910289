#!/usr/bin/env bash
# kyodo's own evaluation sets, scored and measured for hubness next to ../shared/eval's dev set.
# Run from the repository root with the environment active (kyodo on PATH):
#   eval/run_colloquial.sh           # prints one table; runs and scores kept in $OUT
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# ../shared/eval next to the checkout (or two levels up, from a worktree), or $SHARED_EVAL.
shared=${SHARED_EVAL:-$here/../../shared/eval}
[[ -d $shared/dev ]] || shared=$here/../../../shared/eval
out=${OUT:-$(mktemp -d)}
# The colloquial set's organizations: the dev organizations plus 24 broad, everyday-sounding ones
# (hub candidates, right for none of the posts). Built here so dev's file is never copied.
cat "$shared/dev/orgs.jsonl" "$here/colloquial/hub_orgs.jsonl" >"$out/orgs_colloquial.jsonl"
row() { printf '%-34s %s %s\n' "$1" "$(tail -1 "$2")" "$(tail -1 "$3")"; }
score() { python3 "$shared/score.py" rank --qrels "$1" --run "$2" --orgs "$3"; }
hub() { python3 "$here/hubness.py" "$1" --orgs "$2"; }

kyodo rank issues --orgs "$shared/dev/orgs.jsonl" --issues "$shared/dev/issues.jsonl" --k 10 >"$out/dev_issues.jsonl"
score "$shared/dev/qrels.tsv" "$out/dev_issues.jsonl" "$shared/dev/orgs.jsonl" >"$out/dev_issues.score"
hub "$out/dev_issues.jsonl" "$shared/dev/orgs.jsonl" >"$out/dev_issues.hub"
row "dev issues" "$out/dev_issues.score" "$out/dev_issues.hub"

kyodo rank partners --orgs "$shared/dev/orgs.jsonl" --k 10 >"$out/dev_partners.jsonl"
score "$shared/dev/partner_qrels.tsv" "$out/dev_partners.jsonl" "$shared/dev/orgs.jsonl" >"$out/dev_partners.score"
hub "$out/dev_partners.jsonl" "$shared/dev/orgs.jsonl" >"$out/dev_partners.hub"
row "dev partners" "$out/dev_partners.score" "$out/dev_partners.hub"

orgs="$out/orgs_colloquial.jsonl"
kyodo rank issues --orgs "$orgs" --issues "$here/colloquial/issues.jsonl" --k 10 >"$out/col_issues.jsonl"
score "$here/colloquial/qrels.tsv" "$out/col_issues.jsonl" "$orgs" >"$out/col_issues.score"
hub "$out/col_issues.jsonl" "$orgs" >"$out/col_issues.hub"
row "colloquial issues (+24 hubs)" "$out/col_issues.score" "$out/col_issues.hub"

kyodo rank partners --orgs "$orgs" --k 10 >"$out/col_partners.jsonl"
score "$shared/dev/partner_qrels.tsv" "$out/col_partners.jsonl" "$orgs" >"$out/col_partners.score"
hub "$out/col_partners.jsonl" "$orgs" >"$out/col_partners.hub"
row "dev partners (+24 hubs)" "$out/col_partners.score" "$out/col_partners.hub"
echo "runs and scores in $out"
