#!/usr/bin/python3
"""PyTorch reference for the engine's parity tests.

For each parity-input-<variant>.safetensors (a model initialised by our engine, the token batch,
the model options and the training hyperparameters, written by ParityTests when
PLAB_PARITY_WRITE=1), builds the same model in plain PyTorch (nanoGPT's architecture: pre-norm
blocks; LayerNorm or RMSNorm, learned positions or RoPE, QK-norm, grouped-query attention, GELU
(tanh), ReLU^2 or SwiGLU, biases or not, tied or untied head, logit soft-cap, a norm after the
embedding, as the options say), and writes parity-reference-<variant>.safetensors with the logits, the loss, every
gradient, the losses of ten AdamW steps on the same batch and the final weights; the same for ten Muon steps
(muon_*); and for both again with per-group settings (grouped_*, grouped_muon_*): each parameter group
(embeddings, untied head, hidden matrices, vectors) its own rate, betas and weight decay, and Muon's matrices a
decoupled weight decay.

    PLAB_PARITY_WRITE=1 dotnet test tests/PretrainLab.Engine.Tests --filter ParityTests
    /usr/bin/python3 tests/PretrainLab.Engine.Tests/Reference/make_parity_reference.py

Needs python3-torch and python3-numpy (Debian). Safetensors is read and written by hand (the
format is an 8-byte header length, a JSON header and raw little-endian data).
"""
import json
import math
import os
import struct

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
DTYPES = {"F32": np.float32, "I64": np.int64, "I32": np.int32}


def read_safetensors(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    meta = header.pop("__metadata__", {})
    tensors = {}
    for name, info in header.items():
        begin, end = info["data_offsets"]
        arr = np.frombuffer(data[begin:end], dtype=DTYPES[info["dtype"]]).reshape(info["shape"])
        tensors[name] = torch.from_numpy(arr.copy())
    return tensors, meta


def write_safetensors(path, tensors, meta):
    header, blobs, offset = {}, [], 0
    for name, t in tensors.items():
        arr = t.detach().contiguous().numpy().astype(np.float32)
        raw = arr.tobytes()
        header[name] = {"dtype": "F32", "shape": list(arr.shape), "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    header["__metadata__"] = meta
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * (-len(h) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)


class RMSNorm(nn.Module):
    def __init__(self, c, gain, eps=1e-6):
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(c)) if gain else None

    def forward(self, x):
        y = x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps)
        return y * self.weight if self.weight is not None else y


def make_norm(cfg):
    if cfg.get("norm", "layernorm") == "rmsnorm":
        return RMSNorm(cfg["n_embd"], cfg.get("norm_gain", True))
    # nanoGPT's LayerNorm with an optional bias
    ln = nn.LayerNorm(cfg["n_embd"])
    if not cfg.get("bias", True):
        ln.bias = None
    return ln


def rms(x, eps=1e-6):
    return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps)


def rope_tables(t, d, theta):
    inv_freq = 1.0 / (theta ** (torch.arange(0, d, 2, dtype=torch.float64) / d)).float()
    angles = torch.arange(t, dtype=torch.float32)[:, None] * inv_freq[None, :]
    return angles.cos(), angles.sin()


def rotate(x, cos, sin):
    # x: (b, heads, t, d); pairs (i, i + d/2)
    h = x.size(-1) // 2
    x1, x2 = x[..., :h], x[..., h:]
    return torch.cat([x1 * cos - x2 * sin, x2 * cos + x1 * sin], dim=-1)


class Block(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        c, bias = cfg["n_embd"], cfg.get("bias", True)
        hidden = cfg.get("mlp_hidden", 4 * c)
        self.n_head = cfg["n_head"]
        self.n_kv = cfg.get("n_kv_head", self.n_head)
        self.hs = c // self.n_head
        self.qk_norm = cfg.get("qk_norm", False)
        self.rope = cfg.get("rope", False)
        self.theta = cfg.get("rope_theta", 10000.0)
        self.act = cfg.get("activation", "gelu")
        self.ln_1 = make_norm(cfg)
        self.attn = nn.Module()
        self.attn.c_attn = nn.Linear(c, c + 2 * self.n_kv * self.hs, bias=bias)
        self.attn.c_proj = nn.Linear(c, c, bias=bias)
        self.ln_2 = make_norm(cfg)
        self.mlp = nn.Module()
        self.mlp.c_fc = nn.Linear(c, 2 * hidden if self.act == "swiglu" else hidden, bias=bias)
        self.mlp.c_proj = nn.Linear(hidden, c, bias=bias)

    def attention(self, x):
        b, t, c = x.shape
        kv = self.n_kv * self.hs
        q, k, v = self.attn.c_attn(x).split([c, kv, kv], dim=2)
        q = q.view(b, t, self.n_head, self.hs).transpose(1, 2)
        k, v = (z.view(b, t, self.n_kv, self.hs).transpose(1, 2) for z in (k, v))
        if self.qk_norm:
            q, k = rms(q), rms(k)
        if self.rope:
            cos, sin = rope_tables(t, self.hs, self.theta)
            q, k = rotate(q, cos, sin), rotate(k, cos, sin)
        group = self.n_head // self.n_kv
        k, v = k.repeat_interleave(group, dim=1), v.repeat_interleave(group, dim=1)
        att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(k.size(-1)))
        mask = torch.tril(torch.ones(t, t, dtype=torch.bool))
        att = att.masked_fill(~mask, float("-inf")).softmax(dim=-1)
        y = (att @ v).transpose(1, 2).contiguous().view(b, t, c)
        return self.attn.c_proj(y)

    def forward(self, x):
        x = x + self.attention(self.ln_1(x))
        h = self.mlp.c_fc(self.ln_2(x))
        if self.act == "relu2":
            h = F.relu(h).square()
        elif self.act == "swiglu":
            g, u = h.chunk(2, dim=-1)
            h = F.silu(g) * u
        else:
            h = F.gelu(h, approximate="tanh")
        return x + self.mlp.c_proj(h)


class GPT(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        c = cfg["n_embd"]
        self.transformer = nn.Module()
        self.transformer.wte = nn.Embedding(cfg["vocab_size"], c)
        self.rope = cfg.get("rope", False)
        if not self.rope:
            self.transformer.wpe = nn.Embedding(cfg["block_size"], c)
        self.softcap = cfg.get("logit_softcap", 0.0)
        if cfg.get("embed_norm", False):
            self.transformer.ln_e = make_norm(cfg)
        self.transformer.h = nn.ModuleList([Block(cfg) for _ in range(cfg["n_layer"])])
        self.transformer.ln_f = make_norm(cfg)
        self.tied = cfg.get("tie_head", True)
        if not self.tied:
            self.lm_head = nn.Linear(c, cfg["vocab_size"], bias=False)

    def forward(self, idx, targets):
        t = idx.size(1)
        x = self.transformer.wte(idx)
        if not self.rope:
            x = x + self.transformer.wpe(torch.arange(t))
        if hasattr(self.transformer, "ln_e"):
            x = self.transformer.ln_e(x)
        for block in self.transformer.h:
            x = block(x)
        x = self.transformer.ln_f(x)
        logits = x @ self.transformer.wte.weight.t() if self.tied else self.lm_head(x)
        if self.softcap:
            logits = self.softcap * torch.tanh(logits / self.softcap)
        loss = F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1))
        return logits, loss


def schedule(step, hp):
    w, s, lr, min_lr = hp["warmup"], hp["steps"], hp["lr"], hp["lr"] * hp["min_lr_ratio"]
    if step < w:
        return lr * (step + 1) / (w + 1)
    ratio = (step - w) / max(1, s - w)
    return min_lr + 0.5 * (1.0 + math.cos(math.pi * ratio)) * (lr - min_lr)


def zeropower(g, steps):
    a, b, c = 3.4445, -4.7750, 2.0315
    x = g / (g.norm() + 1e-7)
    tall = g.size(0) > g.size(1)
    if tall:
        x = x.t()
    for _ in range(steps):
        gram = x @ x.t()
        x = a * x + (b * gram + c * gram @ gram) @ x
    return x.t() if tall else x


def shared_groups(hp):
    """Every group with the shared rate and betas, and weight decay on 2-D weights only (nanoGPT's rule)."""
    shared = {"lr": hp["lr"], "beta1": hp["beta1"], "beta2": hp["beta2"], "weight_decay": hp["weight_decay"]}
    return {"embedding": shared, "head": shared, "matrix": shared, "scalar": {**shared, "weight_decay": 0.0}}


def group_name(name, p):
    """The engine's parameter groups, told by name and shape as the engine declares them: token and position
    embeddings, an untied head, the 2-D weights inside the blocks, and every 1-D vector (biases, norm gains)."""
    if name.startswith(("transformer.wte.", "transformer.wpe.")):
        return "embedding"
    if name.startswith("lm_head."):
        return "head"
    return "matrix" if p.dim() == 2 else "scalar"


def train(model, tokens, targets, hp, muon):
    """Ten steps with hp["groups"]: a PyTorch param group per parameter group, each with its own peak rate, betas
    and weight_decay (the scalar group's decay reaches the vectors), all following the schedule's factor. With
    muon, the hidden matrices get Muon instead (momentum hp["muon_momentum"], Nesterov, hp["ns_steps"]
    Newton-Schulz steps, rate hp["muon_lr"]), with decoupled weight decay p <- p*(1 - lr*wd) before the update."""
    named = list(model.named_parameters())
    hidden = [p for n, p in named if muon and group_name(n, p) == "matrix"]
    param_groups = []
    for g in ("embedding", "head", "matrix", "scalar"):
        params = [p for n, p in named if group_name(n, p) == g and not (muon and g == "matrix")]
        if params:  # a tied model has no head, a model without biases or gains no vectors
            s = hp["groups"][g]
            param_groups.append({"params": params, "peak_lr": s["lr"], "lr": s["lr"],
                                 "betas": (s["beta1"], s["beta2"]), "weight_decay": s["weight_decay"]})
    opt = torch.optim.AdamW(param_groups, eps=hp["eps"], foreach=False)
    bufs = [torch.zeros_like(p) for p in hidden]
    beta, losses = hp["muon_momentum"], []
    model.zero_grad(set_to_none=True)
    for step in range(hp["steps"]):
        factor = schedule(step, hp) / hp["lr"]
        for g in opt.param_groups:
            g["lr"] = g["peak_lr"] * factor
        _, loss = model(tokens, targets)
        losses.append(loss.item())
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), hp["grad_clip"])
        opt.step()
        with torch.no_grad():
            lr = hp["muon_lr"] * factor
            for p, buf in zip(hidden, bufs):
                buf.mul_(beta).add_(p.grad, alpha=1 - beta)
                u = p.grad * (1 - beta) + buf * beta
                x = zeropower(u, hp["ns_steps"])
                p.mul_(1 - lr * hp["muon_weight_decay"])
                p.sub_(x, alpha=lr * math.sqrt(max(1.0, p.size(0) / p.size(1))))
        model.zero_grad(set_to_none=True)
    return losses


def reference(variant):
    tensors, meta = read_safetensors(os.path.join(HERE, f"parity-input-{variant}.safetensors"))
    cfg = json.loads(meta["config"])
    hp = json.loads(meta["hyperparameters"])
    model = GPT(cfg)
    state = {k: v for k, v in tensors.items() if k not in ("tokens", "targets")}
    model.load_state_dict(state, strict=True)
    tokens, targets = tensors["tokens"].long(), tensors["targets"].long()

    out = {}
    logits, loss = model(tokens, targets)
    loss.backward()
    out["logits"] = logits.view(-1, logits.size(-1))
    out["loss"] = loss.detach().reshape(1)
    for name, p in model.named_parameters():
        out["grad." + name] = p.grad.clone()

    # Ten steps from the same start: AdamW, Muon on the hidden matrices with AdamW on the rest, and both again
    # with every group's own rate, betas and weight decay.
    trajectories = (("", False, shared_groups(hp), 0.0), ("muon_", True, shared_groups(hp), 0.0),
                    ("grouped_", False, hp["groups"], hp["muon_weight_decay"]),
                    ("grouped_muon_", True, hp["groups"], hp["muon_weight_decay"]))
    for prefix, muon, groups, muon_weight_decay in trajectories:
        model.load_state_dict(state, strict=True)
        losses = train(model, tokens, targets, {**hp, "groups": groups, "muon_weight_decay": muon_weight_decay}, muon)
        out[prefix + "step_losses"] = torch.tensor(losses, dtype=torch.float32)
        for name, p in model.named_parameters():
            out[prefix + "final." + name] = p.detach().clone()
    write_safetensors(os.path.join(HERE, f"parity-reference-{variant}.safetensors"), out,
                      {"torch": torch.__version__, "source": "make_parity_reference.py"})
    print(variant, "loss", out["loss"].item(), "losses", " ".join(f"{x:.6f}" for x in out["step_losses"].tolist()))


if __name__ == "__main__":
    torch.set_num_threads(1)
    for name in sorted(os.listdir(HERE)):
        if name.startswith("parity-input-") and name.endswith(".safetensors"):
            reference(name[len("parity-input-"):-len(".safetensors")])
