#!/usr/bin/env bash
# Bits per byte does not depend on the tokenizer: the same model trained on the same text, once on
# bytes and once on BPE, should reach the same validation bits per byte when both models are equally
# good, while its loss per token differs by the bytes per token. See bench/BPB.md for the design and
# the measured numbers.
#
#   bench/bpb_tokenizer.sh [--corpus shakespeare|markov] [--seeds "1 2"] [--steps N] [--eval-interval N]
#                          [--threads N] [--out DIR]
#
#   --corpus         shakespeare (default; 4,096-token BPE) or markov: text from a known Markov source
#                    (bench/bpb/markov_source.py) whose own bits per byte, the floor for every model, is
#                    printed too
#   --seeds          seeds per tokenizer (default "1 2")
#   --steps          optimizer steps per run (default 1000)
#   --eval-interval  steps between evaluations on the whole val split (default: only at the end)
#   --threads        kernel threads (default 0 = all cores)
#   --out DIR        keep datasets and runs in DIR (default: a temporary folder, deleted at the end)
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
corpus=shakespeare
seeds="1 2"
steps=1000
interval=""
threads=0
out=""

usage() { sed -n '2,14p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }
while [[ $# -gt 0 ]]; do
    case "$1" in
        --corpus) corpus="${2:?--corpus needs a value}"; shift 2 ;;
        --seeds) seeds="${2:?--seeds needs a value}"; shift 2 ;;
        --steps) steps="${2:?--steps needs a value}"; shift 2 ;;
        --eval-interval) interval="${2:?--eval-interval needs a value}"; shift 2 ;;
        --threads) threads="${2:?--threads needs a value}"; shift 2 ;;
        --out) out="${2:?--out needs a folder}"; shift 2 ;;
        -h|--help) usage; exit 0 ;;
        *) echo "error: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
    esac
done
interval=${interval:-$steps}
if [[ -n "$out" ]]; then
    mkdir -p "$out"
else
    out=$(mktemp -d)
    trap 'rm -rf "$out"' EXIT
fi

dotnet build -c Release "$root/src/PretrainLab.Cli" >/dev/null
plab=(dotnet "$root/src/PretrainLab.Cli/bin/Release/net10.0/plab.dll")
json() { /usr/bin/python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }

# Same documents, same splits (assigned by document hash), same document order; only the tokens differ.
case "$corpus" in
    shakespeare) configs="$root/bench/bpb" ;;
    markov)
        configs="$out"
        cp "$root/bench/bpb/markov-byte.yaml" "$root/bench/bpb/markov-bpe.yaml" "$out/"
        /usr/bin/python3 "$root/bench/bpb/markov_source.py" generate "$out/markov.txt" ;;
    *) echo "error: --corpus must be shakespeare or markov, not '$corpus'" >&2; exit 2 ;;
esac
for tok in byte bpe; do
    "${plab[@]}" data prepare "$configs/$corpus-$tok.yaml" --out "$out/data-$tok" --force --json > "$out/prepare-$tok.json"
done
if [[ $corpus == markov ]]; then
    # The floor: the source's own loss on the val split, which no model beats except by chance.
    json '"source (the true chain) on %d val documents: %.4f bits per byte" % (d["docs"], d["source_bpb"])' \
        < <(/usr/bin/python3 "$root/bench/bpb/markov_source.py" score "$out/data-byte")
    echo
fi

# Equal context and equal training text in bytes: the BPE block is the byte block over the train
# split's bytes per token, so both models see about 12 x 128 bytes per step.
byte_block=128
bpt=$(json 'd["manifest"]["splits"]["train"]["text_bytes"] / d["manifest"]["splits"]["train"]["tokens"]' < "$out/prepare-bpe.json")
bpe_block=$(/usr/bin/python3 -c "print(round($byte_block / $bpt))")
bpe_vocab=$(json 'd["manifest"]["tokenizer"]["vocab_size"]' < "$out/prepare-bpe.json")
echo "BPE train split: $bpt bytes/token; byte block $byte_block, BPE block $bpe_block" >&2

# Runs evaluate in sliding windows every half block, so every scored token has at least half a block of
# context (the same bytes for both tokenizers); the last column re-evaluates the final model in consecutive
# windows, which charge the byte-level model for the predictions it makes at a window's start.
printf '| tokenizer | seed | vocab | block | params | train bytes seen | val loss (nats/token) | val bpb | val bpb, consecutive windows | train s |\n'
printf '|---|---|---|---|---|---|---|---|---|---|\n'
for seed in $seeds; do
    for tok in byte bpe; do
        if [[ $tok == byte ]]; then vocab=257; block=$byte_block; per_token=1; else vocab=$bpe_vocab; block=$bpe_block; per_token=$bpt; fi
        stride=$(( (block + 1) / 2 ))
        "${plab[@]}" train "$root/bench/bpb/recipe.yaml" --out "$out/run-$tok-$seed" --json \
            --set "data.path=$out/data-$tok" --set "model.vocab_size=$vocab" --set "model.block_size=$block" \
            --set "seed=$seed" --set "budget.steps=$steps" --set "eval.interval=$interval" --set "eval.stride=$stride" \
            --set "train.threads=$threads" 2>/dev/null > "$out/run-$tok-$seed.json"
        consecutive=$("${plab[@]}" eval --checkpoint "$out/run-$tok-$seed" --data "$out/data-$tok" --threads "$threads" --json | json 'd["bpb"]')
        json "'| $tok | $seed | $vocab | $block | %d | %.2e | %.4f | %.4f | %.4f | %.0f |' % (d['params'], d['tokens'] * $per_token, d['val_loss'], d['val_bpb'], $consecutive, d['train_seconds'])" < "$out/run-$tok-$seed.json"
    done
done

if [[ "$interval" != "$steps" ]]; then
    # Validation bits per byte against training bytes seen, one column per run.
    /usr/bin/python3 - "$out" "$bpt" $seeds <<'PY'
import json, sys, pathlib
out, bpt, seeds = pathlib.Path(sys.argv[1]), float(sys.argv[2]), sys.argv[3:]
runs = [(tok, seed) for seed in seeds for tok in ("byte", "bpe")]
curves = {}
for tok, seed in runs:
    per_token = 1.0 if tok == "byte" else bpt
    steps = [json.loads(line) for line in (out / f"run-{tok}-{seed}" / "metrics.jsonl").read_text().splitlines()]
    tokens = {s["step"]: s["tokens"] for s in steps if s["kind"] == "step"}
    curves[(tok, seed)] = {e["step"]: (tokens[e["step"]] * per_token, e["val_bpb"]) for e in steps if e["kind"] == "eval"}
print()
print("| step | train MB seen | " + " | ".join(f"{tok} seed {seed} val bpb" for tok, seed in runs) + " |")
print("|---|---|" + "---|" * len(runs))
for step in sorted(curves[runs[0]]):
    print(f"| {step} | {curves[runs[0]][step][0] / 1e6:.2f} | " + " | ".join(f"{curves[r][step][1]:.4f}" for r in runs) + " |")
PY
fi
