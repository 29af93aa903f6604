#!/usr/bin/env python3
"""Re-derive a recert audit sample from the evidence file alone (Python 3 standard library).

  python3 sample.py evidence.csv --size N [--per control|signal] [--seed TEXT]
      prints the sample as CSV: stratum, item_id, rank_hash
  python3 sample.py evidence.csv --check sample.csv
      re-derives the sample the addendum sample.csv names (its seed, its strata's kind,
      its row count) and checks it holds exactly those items, each with the evidence's
      own cells; exits 0 when it agrees, 1 when not, 2 on a usage error.

The rules (README "Handing evidence to the auditor"): the default seed is the evidence's
last row_hash; an item's rank is the hex SHA-256 of the seed's UTF-8 bytes followed by its
item_id; strata are "all", "control:ID" or "signal:FIRST" ("signal:none"), in the order
they first appear; when N is below the item count, each stratum first gets one item (if
N reaches the number of strata), the rest is split in proportion to what each has left,
whole parts first, then one each by largest remainder (earlier stratum on a tie); each
stratum gives its lowest ranks.
"""
import argparse, csv, hashlib, sys

csv.field_size_limit(sys.maxsize)


def read_evidence(path):
    with open(path, newline="", encoding="utf-8") as f:
        rows = [row for row in csv.reader(f, strict=True) if row]
    return rows[0], rows[1:]


def stratum(per, row, at):
    if per is None:
        return "all"
    if per == "control":
        return "control:" + row[at["control_id"]]
    return "signal:" + next((s for s in row[at["signals"]].split(";") if s), "none")


def allocate(sizes, size):
    if size >= sum(sizes):
        return list(sizes)
    base = [min(n, 1) for n in sizes] if size >= len(sizes) else [0] * len(sizes)
    left = [n - b for n, b in zip(sizes, base)]
    seats, total = size - sum(base), sum(left)
    if seats == 0 or total == 0:
        return base
    out = [b + seats * n // total for b, n in zip(base, left)]
    order = sorted(range(len(left)), key=lambda i: (-(seats * left[i] % total), i))
    for i in order[: size - sum(out)]:
        out[i] += 1
    return out


def derive(header, rows, seed, size, per):
    at = {name: i for i, name in enumerate(header)}
    strata = {}  # name -> [(rank, item_id, row)], in order of first appearance
    for row in rows:
        rank = hashlib.sha256((seed + row[at["item_id"]]).encode()).hexdigest()
        strata.setdefault(stratum(per, row, at), []).append((rank, row[at["item_id"]], row))
    shares = allocate([len(items) for items in strata.values()], size)
    return [(name, item, rank, row) for (name, items), share in zip(strata.items(), shares)
            for rank, item, row in sorted(items)[:share]]


def check(header, rows, sample_path):
    with open(sample_path, newline="", encoding="utf-8") as f:
        sample = [row for row in csv.reader(f, strict=True) if row]
    head, picked = sample[0], sample[1:]
    if head[:3] != ["seed", "stratum", "rank_hash"] or not picked:
        return f"{sample_path}: not a sample addendum with rows", 1
    s = {name: i for i, name in enumerate(head)}
    seed, kinds = picked[0][0], {row[1].split(":")[0] for row in picked}
    per = None if kinds == {"all"} else kinds.pop() if len(kinds) == 1 else "?"
    if per not in (None, "control", "signal"):
        return f"{sample_path}: strata of mixed kinds {sorted(kinds)}", 1
    want = derive(header, rows, seed, len(picked), per)
    got = [(row[1], row[s["item_id"]], row[2]) for row in picked]
    if got != [(name, item, rank) for name, item, rank, _ in want]:
        return f"{sample_path} does NOT agree: the evidence gives {[w[1] for w in want]}", 1
    for row, (_, item, _, evidence) in zip(picked, want):
        cells = {name: evidence[i] for i, name in enumerate(header) if name != "prev_hash"}
        cells["evidence_row_hash"] = cells.pop("row_hash")
        if any(row[s[name]] != value for name, value in cells.items()) or row[0] != seed:
            return f"{sample_path} does NOT agree: item {item}'s cells differ from the evidence", 1
    origin = "the evidence's last row_hash" if seed == rows[-1][at_hash(header)] else "chosen by hand"
    return f"sample agrees: {len(picked)} items, seed {seed} ({origin}), strata by {per or 'none'}", 0


def at_hash(header):
    return header.index("row_hash")


def main():
    parser = argparse.ArgumentParser(description="Re-derive a recert audit sample.")
    parser.add_argument("evidence")
    parser.add_argument("--size", type=int)
    parser.add_argument("--per", choices=["control", "signal"])
    parser.add_argument("--seed")
    parser.add_argument("--check", metavar="SAMPLE")
    args = parser.parse_args()
    if (args.check is None) == (args.size is None) or (args.size is not None and args.size < 1):
        parser.error("give --size N (at least 1) or --check SAMPLE")
    try:
        header, rows = read_evidence(args.evidence)
        if args.check:
            verdict, code = check(header, rows, args.check) if "item_id" in header and rows \
                else (f"{args.evidence}: not evidence with rows", 1)
            print(verdict, file=sys.stdout if code == 0 else sys.stderr)
            return code
    except (OSError, UnicodeDecodeError, csv.Error, IndexError, KeyError, ValueError) as err:
        print(f"cannot re-derive the sample: {err}", file=sys.stderr)
        return 1
    if "item_id" not in header or not rows:
        print(f"{args.evidence}: not evidence with rows", file=sys.stderr)
        return 1
    seed = args.seed if args.seed is not None else rows[-1][at_hash(header)]
    out = csv.writer(sys.stdout, lineterminator="\n")
    out.writerow(["stratum", "item_id", "rank_hash"])
    for name, item, rank, _ in derive(header, rows, seed, args.size, args.per):
        out.writerow([name, item, rank])
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BrokenPipeError:  # `| head`: the reader has what it wanted
        sys.stderr.close()
        sys.exit(0)
