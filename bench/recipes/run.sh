#!/usr/bin/env bash
# Classic vs modern recipe at equal training FLOPs, on two corpora, several seeds; prints val bpb
# per run and a mean ± sample-std table. Usage:
#   bench/recipes/run.sh [--seeds N] [--flops F] [--out DIR]
# Corpora: samples/data/tinyshakespeare.txt and TinyStories (samples/data/tinystories_head.txt,
# or ../shared/data/tinystories_head.txt beside the checkout).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
seeds=3 flops=2.0e12 out="$root/runs/bench-recipes-$(date +%Y%m%d-%H%M%S)"
while [ $# -gt 0 ]; do
  case "$1" in
    --seeds) seeds="$2"; shift 2 ;;
    --flops) flops="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    *) echo "unknown option: $1" >&2; exit 2 ;;
  esac
done
stories="$root/samples/data/tinystories_head.txt"
[ -f "$stories" ] || stories="$root/../shared/data/tinystories_head.txt"
[ -f "$stories" ] || { echo "TinyStories not found (samples/data/tinystories_head.txt)" >&2; exit 2; }
dotnet build "$root/src/PretrainLab.Cli" -c Release -v quiet -nologo >/dev/null
plab="$root/src/PretrainLab.Cli/bin/Release/net10.0/plab"
mkdir -p "$out"
results="$out/results.tsv"
printf 'recipe\tcorpus\tseed\tval_bpb\tval_loss\tsteps\ttrain_seconds\n' > "$results"
for corpus in shakespeare:"$root/samples/data/tinyshakespeare.txt" stories:"$stories"; do
  name="${corpus%%:*}" path="${corpus#*:}"
  for recipe in classic modern; do
    for seed in $(seq 1 "$seeds"); do
      json=$("$plab" train "$root/bench/recipes/$recipe.yaml" --set "seed=$seed" --set "budget.flops=$flops" \
        --set "data.path=$path" --out "$out/$recipe-$name-$seed" --json 2>/dev/null)
      /usr/bin/env python3 -c 'import json,sys; r=json.loads(sys.argv[1]); print("\t".join(map(str,[sys.argv[2],sys.argv[3],sys.argv[4],r["val_bpb"],r["val_loss"],r["steps"],r["train_seconds"]])))' \
        "$json" "$recipe" "$name" "$seed" | tee -a "$results"
    done
  done
done
/usr/bin/env python3 - "$results" <<'PY'
import csv, statistics, sys
rows = list(csv.DictReader(open(sys.argv[1]), delimiter="\t"))
print("\n| corpus | recipe | val bpb (mean ± std over seeds) | seeds |")
print("|---|---|---|---|")
for corpus in dict.fromkeys(r["corpus"] for r in rows):
    for recipe in ("classic", "modern"):
        v = [float(r["val_bpb"]) for r in rows if r["corpus"] == corpus and r["recipe"] == recipe]
        sd = statistics.stdev(v) if len(v) > 1 else float("nan")
        print(f"| {corpus} | {recipe} | {statistics.mean(v):.4f} ± {sd:.4f} | {len(v)} |")
PY
