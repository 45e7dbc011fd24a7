#!/usr/bin/env python3
"""A text source whose entropy is known exactly, for the bits-per-byte check across tokenizers.

  markov_source.py generate OUT.txt [--docs N] [--seed S]   write the corpus (documents cut by blank lines)
  markov_source.py score DATASET                           the source's own bits per byte on DATASET's val split

The source: a first-order Markov chain over a fixed prefix-free vocabulary of lower-case words (rows drawn
from a Dirichlet), words joined by single spaces, each document ending after any word with probability
STOP. A model that learns the chain exactly is as good as a model can be on this text, whatever its
tokenizer; `score` computes that model's validation loss in bits per byte: the negative log2-probability
of every byte the engine scores (all of a document's bytes; the end-of-text tokens count no bytes and no
loss) over the count of those bytes. Both trained models should approach it from above.
"""
import json
import math
import pathlib
import random
import struct
import sys

WORDS = 48
ALPHA = 0.3
STOP = 0.02
VOCAB_SEED = 20261121


def vocabulary():
    """WORDS distinct lower-case words of 2 to 7 letters, none a prefix of another, and the chain's rows."""
    rng = random.Random(VOCAB_SEED)
    words = []
    while len(words) < WORDS:
        w = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(2, 7)))
        if all(not a.startswith(w) and not w.startswith(a) for a in words):
            words.append(w)
    rows = []
    for _ in range(WORDS):
        g = [rng.gammavariate(ALPHA, 1.0) for _ in range(WORDS)]
        total = sum(g)
        rows.append([x / total for x in g])
    return words, rows


def generate(path, docs, seed):
    words, rows = vocabulary()
    rng = random.Random(seed)
    out = []
    for _ in range(docs):
        w = rng.randrange(WORDS)
        doc = [words[w]]
        while rng.random() >= STOP:
            w = rng.choices(range(WORDS), weights=rows[w])[0]
            doc.append(words[w])
        out.append(" ".join(doc))
    pathlib.Path(path).write_text("\n\n".join(out) + "\n", encoding="ascii")


def read_split(dataset, split):
    """The token ids of one split of a dataset folder (llm.c shards, v1 uint16 or v2 uint32)."""
    root = pathlib.Path(dataset)
    manifest = json.loads((root / "manifest.json").read_text())
    ids = []
    for shard in manifest["splits"][split]["shards"]:
        data = (root / shard["file"]).read_bytes()
        magic, version, count = struct.unpack_from("<3i", data)
        width = 2 if version == 1 else 4
        ids.extend(struct.unpack_from(f"<{count}{'H' if width == 2 else 'I'}", data, 256 * 4))
    return ids


def score(dataset):
    words, rows = vocabulary()
    index = {w: i for i, w in enumerate(words)}
    ids = read_split(dataset, "val")
    eot = max(ids)
    assert eot >= 256, "expected a byte-level dataset with an end-of-text token above the bytes"
    docs, current = [], []
    for t in ids:
        if t == eot:
            if current:
                docs.append(bytes(current).decode("ascii"))
            current = []
        else:
            current.append(t)
    if current:
        docs.append(bytes(current).decode("ascii"))
    bits, nbytes = 0.0, 0
    for doc in docs:
        seq = [index[w] for w in doc.split(" ")]
        # First word uniform; each later word: continue (1 - STOP) times the chain's row; the end itself is the
        # end-of-text target, which bits per byte leaves out.
        bits -= math.log2(1.0 / WORDS)
        for a, b in zip(seq, seq[1:]):
            bits -= math.log2((1.0 - STOP) * rows[a][b])
        nbytes += len(doc.encode("ascii"))
    print(json.dumps({"docs": len(docs), "bytes": nbytes, "source_bpb": bits / nbytes}))


if __name__ == "__main__":
    if len(sys.argv) >= 3 and sys.argv[1] == "generate":
        args = dict(zip(sys.argv[3::2], sys.argv[4::2]))
        generate(sys.argv[2], int(args.get("--docs", 8000)), int(args.get("--seed", 1)))
    elif len(sys.argv) == 3 and sys.argv[1] == "score":
        score(sys.argv[2])
    else:
        sys.exit(__doc__)
