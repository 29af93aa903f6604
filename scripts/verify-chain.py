#!/usr/bin/env python3
"""Re-check the hash chain of a recert evidence.csv with the Python 3 standard library.

Usage: verify-chain.py evidence.csv
Exit 0: the chain is intact (prints the row count and last row_hash, to compare with
the signature's trusted comment). Exit 1: it is not, or the file is not evidence
(says why, naming the row and line). Exit 2: usage error. Every input gets a verdict.
Both evidence formats are accepted; the header tells them apart. An addendum
(remediation, sample, packets) is checked the same way from its first prev_hash,
which the verdict names: it must be the last row_hash of the campaign's evidence.
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
# The remediation addendum: chained the same way, from the evidence's last row_hash.
REMEDIATION = ("campaign_id,item_id,system,account,entitlement,decision,decided_at,state,"
               "checked_snapshot,checked_file,checked_sha256,checked_at,days_since_signoff,"
               "prev_hash,row_hash").split(",")
# The sample addendum (recert sample): seed, stratum and rank, the format-2 cells, the context.
SAMPLE = (["seed", "stratum", "rank_hash"] + FORMAT_2[:-2] + "evidence_row_hash,signal_reasons,"
          "source_file,source_line,identity_file,identity_line,identity_sha256,decision_events,"
          "prev_hash,row_hash".split(","))
# The packets addendum (recert export --packets): one row per merged review packet.
PACKETS = ("campaign_id,packet_id,reviewer,key_id,packet_sha256,items,decisions,skipped,prefer,"
           "first_event,last_event,issued_at,merged_at,prev_hash,row_hash").split(",")
ADDENDA = (REMEDIATION, SAMPLE, PACKETS)


def check(rows):
    """The verdict on the rows of a CSV reader, and its exit code."""
    header = next((row for row in rows if row), None)  # blank lines are skipped, as recert does
    if header is None:
        return "not evidence: the file is empty (an evidence file starts with its header row)", 1
    if header not in (FORMAT_1, FORMAT_2, *ADDENDA):
        return "line 1: not an evidence header", 1
    prev_at, hash_at = header.index("prev_hash"), header.index("row_hash")
    item_at = header.index("item_id") if "item_id" in header else None
    expected, first, number, line = "0" * 64, None, 0, rows.line_num
    for row in rows:
        start, line = line + 1, rows.line_num
        if not row:
            continue
        number += 1
        where = f"row {number} (line {start}"
        where += f", item_id {row[item_at]})" if item_at is not None and len(row) > item_at else ")"
        if len(row) != len(header):
            return f"{where}: has {len(row)} cells, expected {len(header)}", 1
        if any("\x1f" in cell for cell in row):
            return f"{where}: a cell holds U+001F, which recert never writes: cells may have been re-split", 1
        if header in ADDENDA and number == 1:
            expected = first = row[prev_at]  # must be the evidence's last row_hash
        others = [cell for i, cell in enumerate(row) if i not in (prev_at, hash_at)]
        data = row[prev_at].encode() + b"".join(b"\x1f" + c.encode() for c in others)
        if row[prev_at] != expected or hashlib.sha256(data).hexdigest() != row[hash_at]:
            return f"{where}: chain broken", 1
        expected = row[hash_at]
    if header in ADDENDA:
        return f"chain intact: {number} rows, first prev_hash {first}, last row_hash {expected}", 0
    return f"chain intact: {number} rows, last row_hash {expected}", 0


def verify(path):
    try:
        with open(path, newline="", encoding="utf-8") as f:
            verdict, code = check(csv.reader(f, strict=True))
    except OSError as err:
        verdict, code = f"cannot read {path}: {err.strerror or err}", 1
    except UnicodeDecodeError as err:
        verdict, code = f"not evidence: byte {err.start} is not UTF-8 (recert writes UTF-8)", 1
    except (csv.Error, ValueError) as err:
        verdict, code = f"not evidence: not readable as CSV ({err})", 1
    print(verdict, file=sys.stdout if code == 0 else sys.stderr)
    return code


if __name__ == "__main__":
    if len(sys.argv) != 2:
        print("usage: verify-chain.py evidence.csv", file=sys.stderr)
        sys.exit(2)
    csv.field_size_limit(sys.maxsize)  # recert's cells have no size limit
    sys.exit(verify(sys.argv[1]))
