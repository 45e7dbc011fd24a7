#!/usr/bin/python3
"""The PyTorch peer of `plab bench`: the same GPT-2 model and training step in plain PyTorch fp32 on the CPU.

Architecture as our engine (and nanoGPT): learned token and position embeddings, pre-norm blocks
with LayerNorm (with bias), causal self-attention written out (q·kᵀ/√d, mask, softmax, ·v; PyTorch
1.13 has no scaled_dot_product_attention), GELU in tanh form, a 4x MLP, a final LayerNorm and a
head tied to the token table; nanoGPT's initialisation. A step is zero_grad, forward with the mean
cross-entropy, backward, clip_grad_norm_(1.0) and AdamW (betas 0.9/0.95, weight decay 0.1 on 2-D
weights only, foreach=False) on one batch of random tokens, as `plab bench` times it.

    /usr/bin/python3 bench/peer/pytorch_train.py --preset baby --threads 2

Prints one JSON object: tokens_per_second (median of per-step rates), tokens_per_second_overall,
gflops (same FLOP formula as GptConfig.TrainingFlopsPerToken), peak_rss_bytes (ru_maxrss),
step_seconds, phase_seconds. OMP_WAIT_POLICY defaults to PASSIVE (see below). Needs Debian's
python3-torch, python3-numpy and libopenblas0-pthread.
"""
import argparse
import json
import math
import os
import resource
import statistics
import sys
import time

PRESETS = {
    # name: (n_layer, n_head, n_embd, block_size, batch_size, vocab_size, default steps)
    "tiny": (4, 4, 128, 64, 12, 256, 100),
    "baby": (6, 6, 384, 256, 8, 256, 5),
    "gpt2s": (12, 12, 768, 256, 4, 50304, 3),
}

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--preset", choices=sorted(PRESETS), default="tiny")
parser.add_argument("--threads", type=int, default=1, help="intra-op threads (torch.set_num_threads)")
parser.add_argument("--steps", type=int, default=None, help="timed steps (default: tiny 100, baby 5, gpt2s 3)")
parser.add_argument("--warmup", type=int, default=3, help="untimed steps before timing, at least")
parser.add_argument("--warmup-seconds", type=float, default=2.0,
                    help="seconds of untimed steps before timing, at least (the same rule as plab bench)")
parser.add_argument("--seed", type=int, default=1337)
args = parser.parse_args()
if args.threads < 1 or (args.steps is not None and args.steps < 1) or args.warmup < 0 or not args.warmup_seconds >= 0:
    parser.error("--threads and --steps must be >= 1, --warmup and --warmup-seconds >= 0")

# OpenBLAS and OpenMP read their thread counts when torch is imported, so set them first.
for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[var] = str(args.threads)
# libgomp's idle workers spin by default and take the cores from OpenBLAS's own threads during every
# matmul: on 2 cores that costs PyTorch a third of its speed at 2 threads. The peer should be at its best.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402


class CausalSelfAttention(nn.Module):
    def __init__(self, c, n_head, block_size):
        super().__init__()
        self.n_head = n_head
        self.c_attn = nn.Linear(c, 3 * c)
        self.c_proj = nn.Linear(c, c)
        self.register_buffer("mask", torch.tril(torch.ones(block_size, block_size, dtype=torch.bool)))

    def forward(self, x):
        b, t, c = x.shape
        q, k, v = self.c_attn(x).split(c, dim=2)
        q, k, v = (z.view(b, t, self.n_head, c // self.n_head).transpose(1, 2) for z in (q, k, v))
        att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(k.size(-1)))
        att = att.masked_fill(~self.mask[:t, :t], float("-inf")).softmax(dim=-1)
        y = (att @ v).transpose(1, 2).contiguous().view(b, t, c)
        return self.c_proj(y)


class Mlp(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.c_fc = nn.Linear(c, 4 * c)
        self.c_proj = nn.Linear(4 * c, c)

    def forward(self, x):
        return self.c_proj(F.gelu(self.c_fc(x), approximate="tanh"))


class Block(nn.Module):
    def __init__(self, c, n_head, block_size):
        super().__init__()
        self.ln_1 = nn.LayerNorm(c)
        self.attn = CausalSelfAttention(c, n_head, block_size)
        self.ln_2 = nn.LayerNorm(c)
        self.mlp = Mlp(c)

    def forward(self, x):
        x = x + self.attn(self.ln_1(x))
        return x + self.mlp(self.ln_2(x))


class GPT(nn.Module):
    def __init__(self, n_layer, n_head, c, block_size, vocab):
        super().__init__()
        self.transformer = nn.ModuleDict(dict(
            wte=nn.Embedding(vocab, c),
            wpe=nn.Embedding(block_size, c),
            h=nn.ModuleList([Block(c, n_head, block_size) for _ in range(n_layer)]),
            ln_f=nn.LayerNorm(c),
        ))
        # nanoGPT's initialisation: normal(0, 0.02), residual projections scaled by 1/sqrt(2·n_layer).
        for name, p in self.named_parameters():
            if p.dim() == 2:
                std = 0.02 / math.sqrt(2 * n_layer) if name.endswith("c_proj.weight") else 0.02
                nn.init.normal_(p, mean=0.0, std=std)
            elif name.endswith(".bias"):
                nn.init.zeros_(p)

    def forward(self, idx, targets):
        t = idx.size(1)
        x = self.transformer.wte(idx) + self.transformer.wpe(torch.arange(t))
        for block in self.transformer.h:
            x = block(x)
        logits = F.linear(self.transformer.ln_f(x), self.transformer.wte.weight)  # tied head
        return F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1))


def main():
    n_layer, n_head, c, block_size, batch, vocab, default_steps = PRESETS[args.preset]
    steps = args.steps or default_steps
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    model = GPT(n_layer, n_head, c, block_size, vocab)
    decay = [p for p in model.parameters() if p.dim() >= 2]
    no_decay = [p for p in model.parameters() if p.dim() < 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.1}, {"params": no_decay, "weight_decay": 0.0}],
                            lr=6e-4, betas=(0.9, 0.95), eps=1e-8, foreach=False)
    window = torch.randint(vocab, (batch, block_size + 1))
    tokens, targets = window[:, :-1].contiguous(), window[:, 1:].contiguous()

    def step(phases=None):
        t0 = time.perf_counter()
        opt.zero_grad(set_to_none=True)
        loss = model(tokens, targets)
        t1 = time.perf_counter()
        loss.backward()
        t2 = time.perf_counter()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        t3 = time.perf_counter()
        opt.step()
        t4 = time.perf_counter()
        if phases is not None:
            for key, seconds in zip(("forward", "backward", "clip", "optimizer"), (t1 - t0, t2 - t1, t3 - t2, t4 - t3)):
                phases[key] += seconds
        return t4 - t0

    print(f"pytorch {args.preset}: warm-up (at least {args.warmup} steps and {args.warmup_seconds:g} s) + {steps} timed steps "
          f"on {args.threads} thread{'s' if args.threads > 1 else ''}...", file=sys.stderr)
    warmup_start, warmup_steps = time.perf_counter(), 0
    while warmup_steps < args.warmup or time.perf_counter() - warmup_start < args.warmup_seconds:
        step()
        warmup_steps += 1
    warmup_seconds = time.perf_counter() - warmup_start
    phases = dict.fromkeys(("forward", "backward", "clip", "optimizer"), 0.0)
    step_seconds = [step(phases) for _ in range(steps)]

    rows = batch * block_size
    flops_per_token = 6.0 * (n_layer * 12 * c * c + vocab * c) + 6.0 * n_layer * block_size * c
    median = statistics.median(rows / s for s in step_seconds)
    print(json.dumps({
        "preset": args.preset,
        "threads": args.threads,
        "n_layer": n_layer, "n_head": n_head, "n_embd": c, "block_size": block_size,
        "batch_size": batch, "vocab_size": vocab,
        "params": sum(p.numel() for p in model.parameters()),
        "flops_per_token": flops_per_token,
        "warmup": warmup_steps,
        "warmup_seconds": warmup_seconds,
        "steps": steps,
        "tokens_per_second": median,
        "tokens_per_second_overall": rows * steps / sum(step_seconds),
        "gflops": flops_per_token * median / 1e9,
        "peak_rss_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
        "step_seconds": step_seconds,
        "phase_seconds": {k: v / steps for k, v in phases.items()},
        "torch": torch.__version__,
        "omp_wait_policy": os.environ["OMP_WAIT_POLICY"],
    }))


if __name__ == "__main__":
    main()
