#!/usr/bin/env python3
"""Derive the previous quarter's exports of the sample company from sample-data/.

`recert demo` replays a quarterly cycle before the current campaign: the
2026-Q3 review (as of 2026-08-31), an entitlements re-export in October
after its sign-off, then today's sample-data/entitlements.csv. This script
writes the two earlier exports from the current one, deterministically:

  sample-data/previous/entitlements-2026-08-31.csv
      what the Q3 review saw: every current grant granted by 2026-08-31,
      six of today's privileged grants not yet privileged (they show as
      `changed`), and eleven grants of people who had left by then, which
      the Q3 review revokes and the October export no longer holds
      (remediation `removed`).
  sample-data/previous/entitlements-2026-10-15.csv
      the October re-export: every current grant granted by 2026-10-15,
      except two of Sakura Yamamoto's (E0412, left 2026-08-31), which are
      gone in October and back today (`reappeared`, signal `regranted`).

Her other grants, and those of the other leavers, are still in every
export: revoked in Q3 and never removed (`revoked-not-removed`).

Usage: scripts/make-previous-quarter.py [--out DIR]
(run from anywhere; rewrites both files, or writes them to DIR; a test checks
that the committed files are what this script writes from the current sample)
"""

import argparse
import csv
import io
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sample-data"
OUT = SAMPLE / "previous"

Q3_AS_OF = "2026-08-31"
OCTOBER = "2026-10-15"
# Today's privileged grants that the Q3 export listed as not privileged.
NOT_YET_PRIVILEGED = 6
# Grants of people who had left by Q3, gone from the October export.
REMOVED = [
    ("E0412", "salesforce", "report-viewer", "role", "false", "2025-06-02", "2026-08-12T10:05:00Z"),
    ("E0412", "sftp-legacy", "upload", "permission", "false", "2025-09-15", "2026-07-30T08:40:00Z"),
    ("E0412", "vault", "policy/ingest-write", "permission", "false", "2026-02-03", "2026-08-20T16:12:00Z"),
    ("E0412", "github", "repo/ingest-pipelines:write", "permission", "false", "2025-11-10", "2026-08-21T11:30:00Z"),
    ("E0682", "salesforce", "report-viewer", "role", "false", "2023-03-01", "2025-11-28T09:00:00Z"),
    ("E0682", "payroll", "payroll-approver", "role", "false", "2024-04-11", "2025-12-10T15:20:00Z"),
    ("E0682", "okta", "hr-apps", "group", "false", "2022-12-28", "2025-12-05T08:15:00Z"),
    ("E0870", "aws-prod", "AdministratorAccess", "role", "true", "2025-12-04", "2026-06-18T09:30:00Z"),
    ("E0870", "vault", "policy/platform-admin", "permission", "true", "2024-02-19", "2026-06-20T13:45:00Z"),
    ("E0870", "k8s-prod", "cluster-admin", "role", "true", "2025-03-07", "2026-06-25T17:05:00Z"),
    ("E0870", "github", "repo/infra-terraform:admin", "permission", "false", "2023-08-11", "2026-06-05T11:01:00Z"),
]
# Gone in October, back today.
REGRANTED = [("E0412", "github", "org-member"), ("E0412", "okta", "vpn-users")]


def granted_by(row, day):
    return not row["granted_at"] or row["granted_at"][:10] <= day


def write(path, header, rows):
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=header, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")
    print(f"wrote {path}: {len(rows)} grants")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT, help="where to write (default: sample-data/previous)")
    out = parser.parse_args().out
    with open(SAMPLE / "entitlements.csv", newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        header = reader.fieldnames
        current = list(reader)
    out.mkdir(parents=True, exist_ok=True)

    q3 = []
    flipped = 0
    for row in current:
        if not granted_by(row, Q3_AS_OF):
            continue
        row = dict(row)
        if row["privileged"] == "true" and flipped < NOT_YET_PRIVILEGED:
            row["privileged"] = "false"
            flipped += 1
        q3.append(row)
    for holder, system, entitlement, kind, privileged, granted, used in REMOVED:
        q3.append({
            "identity_id": holder, "system": system, "entitlement": entitlement, "type": kind,
            "privileged": privileged, "granted_at": granted, "last_used_at": used,
            "last_rotated_at": "", "expires_at": "", "source_ticket": "",
        })
    q3.sort(key=lambda r: (r["identity_id"], r["system"], r["entitlement"]))
    write(out / f"entitlements-{Q3_AS_OF}.csv", header, q3)

    october = [row for row in current
               if granted_by(row, OCTOBER)
               and (row["identity_id"], row["system"], row["entitlement"]) not in REGRANTED]
    write(out / f"entitlements-{OCTOBER}.csv", header, october)


if __name__ == "__main__":
    main()
