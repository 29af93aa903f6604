#!/usr/bin/env python3
"""Re-check the hash chain of a recert evidence.csv with the Python 3 standard library.

Usage: verify-chain.py evidence.csv    (exit 0 = chain intact, 1 = broken)
Both evidence formats are accepted; the header tells them apart.
"""
import csv, hashlib, sys

FORMAT_1 = ("campaign_id,campaign_name,period,as_of,control_id,control_title,item_id,identity_id,"
            "identity_name,identity_kind,identity_status,system,entitlement,entitlement_type,"
            "privileged,signals,recommendation,assigned_reviewer,decision,justification,decided_by,"
            "decided_at,source_sha256,prev_hash,row_hash").split(",")
FORMAT_2 = ("campaign_id,campaign_name,period,as_of,control_id,control_title,item_id,identity_id,"
            "identity_name,identity_kind,identity_status,account,link_basis,system,entitlement,"
            "entitlement_type,privileged,signals,recommendation,prior_decision,assigned_reviewer,"
            "decision,valid_until,justification,decided_by,decided_key,decision_basis,decided_at,"
            "source_sha256,prev_hash,row_hash").split(",")

def verify(path):
    with open(path, newline="", encoding="utf-8") as f:
        rows = csv.reader(f)
        header = next(rows)
        if header not in (FORMAT_1, FORMAT_2):
            print("line 1: not an evidence header", file=sys.stderr)
            return 1
        prev_at, hash_at, item_at = (header.index(c) for c in ("prev_hash", "row_hash", "item_id"))
        expected, number = "0" * 64, 0
        for number, row in enumerate(rows, start=1):
            others = [cell for i, cell in enumerate(row) if i not in (prev_at, hash_at)]
            data = row[prev_at].encode() + b"".join(b"\x1f" + c.encode() for c in others)
            if row[prev_at] != expected or hashlib.sha256(data).hexdigest() != row[hash_at]:
                print(f"row {number} (item_id {row[item_at]}): chain broken", file=sys.stderr)
                return 1
            expected = row[hash_at]
    print(f"chain intact: {number} rows, last row_hash {expected}")
    return 0

if __name__ == "__main__":
    sys.exit(verify(sys.argv[1]))
