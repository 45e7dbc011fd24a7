#!/usr/bin/env python3
"""Independent reference token ids for tiktoken's r50k_base and cl100k_base.

A deliberately plain re-implementation of tiktoken's encoder, kept separate from the C# one:
split the text with the encoding's regex (the `regex` module, which like tiktoken's Rust
fancy-regex matches \\p{L}, \\p{N} and \\s on code points), then byte-pair encode each piece by
repeatedly merging the adjacent pair whose merged bytes have the lowest rank (the leftmost on ties).

Usage: /usr/bin/python3 make_tiktoken_reference.py [fixtures_dir]
Reads r50k_base.tiktoken and cl100k_base.tiktoken from fixtures_dir (default: this script's
folder) and writes tiktoken_reference.json there: per encoding, each case's text, the pieces the
regex splits it into, and its ids. Needs `regex` (apt-get install python3-regex).
"""
import base64
import json
import os
import sys
import unicodedata

import regex

GPT2_PATTERN = r"""'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"""
CL100K_PATTERN = (
    r"""(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}"""
    r"""| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"""
)

ENCODINGS = {
    "r50k_base": (GPT2_PATTERN, {"<|endoftext|>": 50256}),
    "cl100k_base": (
        CL100K_PATTERN,
        {
            "<|endoftext|>": 100257,
            "<|fim_prefix|>": 100258,
            "<|fim_middle|>": 100259,
            "<|fim_suffix|>": 100260,
            "<|endofprompt|>": 100276,
        },
    ),
}


def load_ranks(path):
    with open(path, "rb") as f:
        return {base64.b64decode(token): int(rank) for token, rank in (line.split() for line in f.read().splitlines() if line)}


def byte_pair_encode(piece, ranks):
    parts = [piece[i : i + 1] for i in range(len(piece))]
    while len(parts) > 1:
        merged = [parts[i] + parts[i + 1] for i in range(len(parts) - 1)]
        best = min(range(len(merged)), key=lambda i: (ranks.get(merged[i], float("inf")), i))
        if merged[best] not in ranks:
            break
        parts[best : best + 2] = [merged[best]]
    return [ranks[part] for part in parts]


def encode_ordinary(text, pattern, ranks):
    return [token for piece in regex.findall(pattern, text) for token in byte_pair_encode(piece.encode("utf-8"), ranks)]


def encode_with_specials(text, pattern, ranks, specials):
    """tiktoken's encode(text, allowed_special="all"): specials become their ids, the rest is ordinary text."""
    special_pattern = "|".join(regex.escape(s) for s in sorted(specials, key=len, reverse=True))
    ids, start = [], 0
    for m in regex.finditer(special_pattern, text):
        ids += encode_ordinary(text[start : m.start()], pattern, ranks) + [specials[m.group()]]
        start = m.end()
    return ids + encode_ordinary(text[start:], pattern, ranks)


def nfd(s):
    return unicodedata.normalize("NFD", s)


CASES = [
    "",
    " ",
    "Hello, world!",
    "The quick brown fox jumps over the lazy dog.",
    "It was the best of times,\nit was the worst of times;\n\nit was the age of wisdom...\n",
    "DON'T",
    "we'll",
    "I'm sure you're right: they've said she'd go, and it's fine.",
    "WE'LL THEY'RE I'M HE'D IT'S YOU'VE CAN'T",
    "We'Ll tHeY'rE i'M he'D iT's",
    "'s 'S '\u017f 'll 'LL 'lL",
    "IT'S it'\u017f WE'\u017fLL they'RE",
    "rock 'n' roll, ''quoted'', 'tis the season, it''s, '",
    "\u2019s isn\u2019t (curly apostrophes)",
    "def square(x):\n    return x ** 2  # square it\n",
    "public static int Main(string[] args)\n{\n\tif (args.Length > 0) { return 1; }\n\treturn 0;\n}\n",
    '{"a": [1, 2.5e-3, null], "b": "\\u00e9", "c": {"d": true}}',
    "for (int i = 0; i < n; ++i) sum += a[i] * b[i];",
    "1 12 123 1234 12345 123456 1234567",
    "3.14159265358979323846264338327950288419716939937510582097494459",
    "1" * 300,
    "1,000,000.00 $5 -7 +8 50% 3rd 2nd 1st 10x",
    "The year 2024 had 366 days; \u03c0\u22483.14159 and e\u22482.71828.",
    "a" + " " * 40 + "b",
    " " * 300,
    "\t\t\tx\t\ty\t",
    "\n\n\n",
    "a\n\n\nb\r\n\r\nc\rd",
    "  \n \t \r\n  x  \n",
    "hello   ",
    "   hello",
    "line1  \n  line2\n\n\n  \n",
    "x \t \n  y",
    "I \u2764\ufe0f \U0001f355 and \U0001f40d!",
    "\U0001f468\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466 family",
    "\U0001f1fa\U0001f1f8\U0001f1eb\U0001f1f7\U0001f1ef\U0001f1f5 flags",
    "\U0001f44d\U0001f3fd\U0001f44b\U0001f3ff skin tones",
    "\U0001f642hello\U0001f642world \U0001f642 !",
    "\U0001f600\U0001f603\U0001f604\U0001f601\U0001f606\U0001f605\U0001f602\U0001f923",
    "\u4f60\u597d\uff0c\u4e16\u754c\uff01\u6211\u4eec\u4eca\u5929\u5b66\u4e60\u673a\u5668\u5b66\u4e60\u3002",
    "\u673a\u5668\u5b66\u4e60" * 40,
    "\u3053\u3093\u306b\u3061\u306f\u3001\u30ab\u30bf\u30ab\u30ca\u3068\u3072\u3089\u304c\u306a\u3002",
    "\uc548\ub155\ud558\uc138\uc694 \uc138\uacc4",
    "\u0645\u0631\u062d\u0628\u0627 \u0628\u0627\u0644\u0639\u0627\u0644\u0645! \u0627\u0644\u0633\u0644\u0627\u0645 \u0639\u0644\u064a\u0643\u0645",
    "\u05e9\u05dc\u05d5\u05dd \u05e2\u05d5\u05dc\u05dd",
    "\u0928\u092e\u0938\u094d\u0924\u0947 \u0926\u0941\u0928\u093f\u092f\u093e, \u0939\u093f\u0928\u094d\u0926\u0940 \u092d\u093e\u0937\u093e",
    "\u0e2a\u0e27\u0e31\u0e2a\u0e14\u0e35\u0e04\u0e23\u0e31\u0e1a",
    "Z\u0324\u0354\u0367\u0311\u0313a\u0308\u0356\u032d\u0308\u0307l\u036e\u0312\u036bg\u030c\u0317\u031a\u031ao\u0319\u0314\u036e\u0307\u0350\u0307",
    "caf\u00e9 na\u00efve r\u00e9sum\u00e9 \u00c5ngstr\u00f6m",
    nfd("caf\u00e9 na\u00efve r\u00e9sum\u00e9 \u00c5ngstr\u00f6m"),
    "Ti\u1ebfng Vi\u1ec7t c\u00f3 d\u1ea5u",
    nfd("Ti\u1ebfng Vi\u1ec7t c\u00f3 d\u1ea5u"),
    "English \u0440\u0443\u0441\u0441\u043a\u0438\u0439 \u4e2d\u6587 \u0627\u0644\u0639\u0631\u0628\u064a\u0629 \u0939\u093f\u0928\u094d\u0926\u0940 \u0395\u03bb\u03bb\u03b7\u03bd\u03b9\u03ba\u03ac",
    "\u041f\u0440\u0438\u0432\u0435\u0442, \u043c\u0438\u0440! \u0401\u0416\u0418\u041a",
    "\u039a\u03b1\u03bb\u03b7\u03bc\u03ad\u03c1\u03b1 \u03ba\u03cc\u03c3\u03bc\u03b5",
    "<|endoftext|>",
    "Hello<|endoftext|>World <|endoftext|> again",
    "\u00a1\u00bf\u00ab\u00bb\u201e\u201c\u201d\u2018\u2019\u2039\u203a\u2014\u2013\u2026\u00b7\u2022\u00b6\u00a7\u00a9\u00ae\u2122\u00b0\u00b1\u00d7\u00f7",
    "!!!???...;;;::: --- ___ ~~~ ^^^",
    "\u2211\u222b\u221a\u221e\u2260\u2264\u2265 \u2202x/\u2202y = \u00bd \u00be x\u00b2\u00b3",
    "\U0001d407\U0001d41e\U0001d425\U0001d425\U0001d428 \U0001d54e\U0001d560\U0001d563\U0001d55d\U0001d555",
    "\U0001d7cf\U0001d7d0\U0001d7d1\U0001d7d2 \U0001d7d7",
    "\U00020000\U00020001\U00020002 \U0002a6a5",
    "\U00010330\U00010331\U00010332 \U00010348",
    "a\U0001d400b 1\U0001d7cf2 \U0001d400\U0001f600\U0001d401",
    "https://example.com/path/to/page?q=1&r=two#frag",
    "john.doe+tag@example.co.uk",
    "a\u00a0b\u3000c\u2003d\u2028e\u0085f\u202fg",
    "\x00\x01\x1b[31mred\x1b[0m\x7f",
    "\x1c\x1d\x1e\x1f x\x1cy",
    "a\u200bb\u200cc\u200dd\ufeffe",
    "\u263a\ufe0f \u263a\ufe0e",
    "a" * 200,
    "abababababababababab",
    "Pneumonoultramicroscopicsilicovolcanoconiosis antidisestablishmentarianism",
    "0xDEADBEEF 0b1010 1e10 ffff 0o777",
    "# Title\n\n- item *one*\n- item **two**\n\n```py\nprint('hi')\n```\n",
    '<div class="x">&amp;&lt;&#x27;</div>',
    "\uff21\uff22\uff23\uff11\uff12\uff13\uff01",
    "\u216b \u2170\u2171 x\u00b2 \u0663\u0664\u0665 \u0967\u0968\u0969\u096a",
    "\ufb01 \ufb02 \u01c5 \u02b0\u02b2",
    "'", "'''", "'re'", " 's", "\t'll",
    "\U0001f642\u0301 \u0301\u0301x",
    "x" + "\n" * 120 + "y" + "\t " * 80,
]

SPECIAL_CASES = {
    "r50k_base": [
        "<|endoftext|>",
        "Hello<|endoftext|>World",
        "<|endoftext|><|endoftext|> x <|endoftext|>\n",
        "a <|endoftext|> b <|endoftext",
    ],
    "cl100k_base": [
        "<|endoftext|>",
        "Hello<|endoftext|>World",
        "<|fim_prefix|>def f(<|fim_suffix|>):\n    pass<|fim_middle|>x",
        "<|endofprompt|> <|endoftext|><|fim_middle|>",
        "a <|endoftext|> b <|endoftext",
    ],
}


def main():
    folder = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))
    out = {}
    for name, (pattern, specials) in ENCODINGS.items():
        ranks = load_ranks(os.path.join(folder, name + ".tiktoken"))
        out[name] = {
            "pattern": pattern,
            "special_tokens": specials,
            "cases": [{"text": t, "pieces": regex.findall(pattern, t), "ids": encode_ordinary(t, pattern, ranks)} for t in CASES],
            "special_cases": [{"text": t, "ids": encode_with_specials(t, pattern, ranks, specials)} for t in SPECIAL_CASES[name]],
        }
    with open(os.path.join(folder, "tiktoken_reference.json"), "w", encoding="utf-8") as f:
        json.dump(out, f, ensure_ascii=True, indent=1)
        f.write("\n")
    print(f"wrote {len(CASES)} cases per encoding to {folder}/tiktoken_reference.json")


if __name__ == "__main__":
    main()
