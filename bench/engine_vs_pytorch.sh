#!/usr/bin/env bash
# Engine vs PyTorch: the same GPT-2 training step timed by `plab bench` and by bench/peer/pytorch_train.py,
# in one invocation, at several thread counts; prints a Markdown table with each side at its best
# thread count. See bench/README.md.
#
#   bench/engine_vs_pytorch.sh [--all | --preset NAME] [--threads "1 2"] [--steps N] [--warmup N] [--warmup-seconds S] [--out DIR]
#
#   --all        add gpt2s (GPT-2 small, 124M) to tiny and baby; takes several minutes per side
#   --preset     only this preset (tiny, baby or gpt2s); repeat for several
#   --threads    thread counts to try on each side (default "1 2")
#   --steps N    timed steps for every preset (default: each preset's own: tiny 100, baby 5, gpt2s 3)
#   --warmup N   untimed steps before timing, at least (default 3)
#   --warmup-seconds S   seconds of untimed steps before timing, at least (default 2: the JIT settles)
#   --out DIR    keep every run's JSON in DIR (default: a temporary folder, deleted at the end)
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
python=/usr/bin/python3
presets=(tiny baby)
threads="1 2"
extra=()
out=""

usage() { sed -n '2,14p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }
chosen=()
while [[ $# -gt 0 ]]; do
    case "$1" in
        --all) presets+=(gpt2s); shift ;;
        --preset) chosen+=("${2:?--preset needs a name}"); shift 2 ;;
        --threads) threads="${2:?--threads needs a value}"; shift 2 ;;
        --steps|--warmup|--warmup-seconds) extra+=("$1" "${2:?$1 needs a value}"); shift 2 ;;
        --out) out="${2:?--out needs a folder}"; shift 2 ;;
        -h|--help) usage; exit 0 ;;
        *) echo "error: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
    esac
done

if [[ ${#chosen[@]} -gt 0 ]]; then
    presets=("${chosen[@]}")
fi

if ! "$python" -c 'import torch, numpy' 2>/dev/null; then
    echo "error: $python cannot import torch and numpy, which the PyTorch peer needs. On Debian:" >&2
    echo "  apt-get install -y python3-torch python3-numpy libopenblas0-pthread" >&2
    exit 1
fi
if ! command -v dotnet >/dev/null; then
    echo "error: dotnet not found; install the .NET 10 SDK" >&2
    exit 1
fi

if [[ -n "$out" ]]; then
    mkdir -p "$out"
else
    out=$(mktemp -d)
    trap 'rm -rf "$out"' EXIT
fi

echo "building plab (Release)..." >&2
if ! build_log=$(dotnet build "$root/src/PretrainLab.Cli" -c Release -nologo 2>&1); then
    echo "$build_log" >&2
    echo "error: the build failed" >&2
    exit 1
fi
plab="$root/src/PretrainLab.Cli/bin/Release/net10.0/plab.dll"

# Both sides run back to back at each thread count, so they see the same machine load.
for preset in "${presets[@]}"; do
    for t in $threads; do
        dotnet "$plab" bench --preset "$preset" --threads "$t" --json "${extra[@]}" >"$out/ours-$preset-$t.json"
        "$python" "$root/bench/peer/pytorch_train.py" --preset "$preset" --threads "$t" "${extra[@]}" >"$out/pytorch-$preset-$t.json"
    done
done

"$python" - "$out" "$threads" "${presets[@]}" <<'PY'
import json, os, platform, subprocess, sys, time

out, threads, presets = sys.argv[1], [int(t) for t in sys.argv[2].split()], sys.argv[3:]
load = lambda side, p, t: json.load(open(os.path.join(out, f"{side}-{p}-{t}.json")))
mib = lambda b: f"{b / 2**20:,.0f} MiB"
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), platform.processor())
torch_version = load("pytorch", presets[0], threads[0])["torch"]
print(f"{time.strftime('%Y-%m-%d %H:%M')}, {cpu}, {os.cpu_count()} logical CPUs, PyTorch {torch_version}, "
      f"threads tried: {' '.join(map(str, threads))}; tok/s is the median of per-step rates.\n")
print("| preset | ours tok/s (threads) | PyTorch tok/s (threads) | ratio ours/PyTorch | ours GFLOP/s | ceiling fraction | ours peak RSS | PyTorch peak RSS | memory ratio |")
print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
for p in presets:
    ours = max((load("ours", p, t) for t in threads), key=lambda r: r["tokens_per_second"])
    torch = max((load("pytorch", p, t) for t in threads), key=lambda r: r["tokens_per_second"])
    print(f"| {p} | {ours['tokens_per_second']:,.0f} ({ours['threads']}) | {torch['tokens_per_second']:,.0f} ({torch['threads']}) "
          f"| {ours['tokens_per_second'] / torch['tokens_per_second']:.2f}x | {ours['gflops']:.1f} "
          f"| {ours['ceiling_fraction']:.1%} of {ours['fma_ceiling_gflops']:.0f} | {mib(ours['peak_rss_bytes'])} "
          f"| {mib(torch['peak_rss_bytes'])} | {ours['peak_rss_bytes'] / torch['peak_rss_bytes']:.2f} |")

print("\nEvery run (ms per step: mean of the timed steps):\n")
print("| side | preset | threads | tok/s | GFLOP/s | forward | backward | clip | optimizer | peak RSS |")
print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")
for p in presets:
    for t in threads:
        for side, label in (("ours", "ours"), ("pytorch", "PyTorch")):
            r = load(side, p, t)
            ph = r["phase_seconds"]
            print(f"| {label} | {p} | {t} | {r['tokens_per_second']:,.0f} | {r['gflops']:.1f} | {ph['forward'] * 1e3:,.1f} "
                  f"| {ph['backward'] * 1e3:,.1f} | {ph['clip'] * 1e3:,.1f} | {ph['optimizer'] * 1e3:,.1f} | {mib(r['peak_rss_bytes'])} |")
PY
