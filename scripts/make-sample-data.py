#!/usr/bin/env python3
"""Generate and check the recert sample data set (Northwind Analytics).

    python3 scripts/make-sample-data.py                   # write sample-data/*.csv
    python3 scripts/make-sample-data.py --check           # recount the CSVs, compare with README
    python3 scripts/make-sample-data.py --check --update-readme

The generator is deterministic: one fixed seed, no clock, no set iteration, so
two runs write byte-identical files. The checker never looks at the
generator's internals: it re-reads the written CSVs with the csv module and
recounts everything the README's hand-check section states. Rust tests assert
those numbers, so `--check` fails when the README and the CSVs disagree.

The demo's vendor exports of the same people (sample-data/exports/) are
written and recounted by scripts/sample_company.py, one function per source.

Python 3 standard library only.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import re
import random
import sys
import types
import unicodedata
from collections import Counter
from pathlib import Path

sys.dont_write_bytecode = True  # no __pycache__ beside the scripts
import sample_company  # noqa: E402  (scripts/sample_company.py)

AS_OF = dt.date(2026, 11, 30)  # reference date of the data (demo campaign as-of)
SEED = 20261130
DOMAIN = "northwind.example"
PARTNER_DOMAIN = "brightpath.example"  # fictional consultancy for external users
ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "sample-data"
README = OUT / "README.md"

THRESHOLD = 90  # dormancy and rotation threshold, days
NEW_DAYS = 30  # "new" = granted within this many days

# Randomly dated values keep out of these "days before AS_OF" windows, so that
# only the deliberate boundary rows (89/90/91 days, date-only) sit near a
# threshold and every count is the same whatever the inclusive/exclusive or
# start-/end-of-day convention.
USE_WINDOW = (80, 100)  # around the 90-day dormancy / rotation threshold
NEW_WINDOW = (25, 35)  # around the 30-day "new" threshold

IDENTITY_COLUMNS = [
    "identity_id", "display_name", "email", "department", "kind", "status",
    "manager_id", "owner_id", "termination_date", "last_login_at",
    "employment_type", "location",
]
ENTITLEMENT_COLUMNS = [
    "identity_id", "system", "entitlement", "type", "privileged", "granted_at",
    "last_used_at", "last_rotated_at", "expires_at", "source_ticket",
]
SYSTEM_COLUMNS = ["system", "owner_id", "criticality"]

NHI_KINDS = ("service", "workload", "bot", "shared")
HUMAN_KINDS = ("human", "external")
CREDENTIAL_TYPES = ("api_key", "secret", "certificate", "ssh_key", "password")
ALL_TYPES = ("role", "group", "permission", "account") + CREDENTIAL_TYPES

# --------------------------------------------------------------------------
# small helpers
# --------------------------------------------------------------------------

rng = random.Random(SEED)


def days_ago(n: int) -> dt.date:
    return AS_OF - dt.timedelta(days=n)


def ago(d: dt.date) -> int:
    return (AS_OF - d).days


def iso(d: dt.date) -> str:
    return d.isoformat()


def stamp(d: dt.date) -> str:
    """A date-time on day d with a plausible working-hours time, UTC."""
    return f"{d.isoformat()}T{rng.randint(6, 19):02d}:{rng.randint(0, 59):02d}:00Z"


def dodge(n: int, windows=(USE_WINDOW, NEW_WINDOW)) -> int:
    """Move a days-ago value out of the threshold windows (always older)."""
    for lo, hi in windows:
        if lo <= n <= hi:
            n = hi + 1 + rng.randint(0, 8)
    return n


FOLD = str.maketrans({
    "ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "æ": "ae", "Æ": "Ae", "ß": "ss",
    "đ": "d", "Đ": "D", "ı": "i", "ð": "d", "þ": "th", "'": "", "’": "",
})


def ascii_slug(s: str) -> str:
    s = unicodedata.normalize("NFKD", s.translate(FOLD))
    s = "".join(c for c in s if not unicodedata.combining(c)).lower()
    return re.sub(r"[^a-z]", "", s)


# --------------------------------------------------------------------------
# names
# --------------------------------------------------------------------------

# (first names, last names, locations) per naming culture; all fictional
# combinations. Pairing stays inside one culture so names read naturally.
CULTURES = [
    (["Jonas", "Lena", "Felix", "Hannah", "Lukas", "Mia", "Tobias", "Katrin", "Jürgen", "Anke"],
     ["Schröder", "Weiß", "Becker", "Hoffmann", "Krüger", "Vogel", "Köhler", "Braun", "Groß", "Lange"]),
    (["María", "Lucía", "Javier", "Sofía", "Andrés", "Inés", "Raúl", "Álvaro", "Begoña", "Carmen"],
     ["García", "Muñoz", "Fernández", "Peña", "Ibáñez", "Núñez", "Ortega", "Cortés", "Rodríguez", "Serrano"]),
    (["João", "Gonçalo", "Leonor", "Tomás", "Beatriz", "Rui"],
     ["Gonçalves", "Simões", "Araújo", "Magalhães", "Brandão", "Assunção"]),
    (["Agnieszka", "Paweł", "Małgorzata", "Wojciech", "Katarzyna", "Michał", "Zofia", "Piotr"],
     ["Kowalczyk", "Wójcik", "Zając", "Mazur", "Król", "Sobczak", "Woźniak", "Jabłoński"]),
    (["Ioana", "Mihai", "Ștefan", "Andreea", "Radu", "Elena"],
     ["Popescu", "Ionescu", "Dumitrescu", "Munteanu", "Stănescu", "Lupașcu"]),
    (["Åsa", "Ingrid", "Magnus", "Sigrid", "Henrik", "Linnéa", "Freja", "Mikkel"],
     ["Lindqvist", "Østergaard", "Bergström", "Sjöberg", "Halvorsen", "Nyström", "Bækgaard", "Dahl"]),
    (["Étienne", "Amélie", "Hélène", "Théo", "Benoît", "Gaëlle", "Margaux", "Rémi"],
     ["Lefèvre", "Moreau", "Girard", "Rousseau", "Fontaine", "Mercier", "Lambert", "Chevalier"]),
    (["Oliver", "Emily", "James", "Grace", "Liam", "Charlotte", "Daniel", "Sarah", "Michael", "Aoife",
      "Thomas", "Rachel", "Samuel", "Eleanor", "Owen", "Megan"],
     ["Walsh", "Thompson", "Bennett", "Hughes", "Clarke", "Fletcher", "Byrne", "Turner", "Harris",
      "Mitchell", "Kennedy", "Doyle", "Marsh", "Holloway", "Price", "Gallagher"]),
    (["Priya", "Arjun", "Ananya", "Rohan", "Kavya", "Vikram", "Neha", "Aditya"],
     ["Sharma", "Iyer", "Reddy", "Nair", "Gupta", "Menon", "Kulkarni", "Banerjee"]),
    (["Wei", "Mei", "Jun", "Xiaoling", "Hao", "Yan"],
     ["Chen", "Liu", "Zhang", "Huang", "Zhou", "Wu"]),
    (["Yuki", "Haruto", "Aiko", "Sakura", "Takeshi", "Ren"],
     ["Tanaka", "Watanabe", "Kobayashi", "Yamamoto", "Nakamura", "Inoue"]),
    (["Chinedu", "Ngozi", "Oluwaseun", "Adaeze", "Emeka", "Folake"],
     ["Okafor", "Adeyemi", "Eze", "Okonkwo", "Balogun", "Nwosu"]),
    (["Elif", "Emre", "Zeynep", "Mehmet", "Burak", "Deniz"],
     ["Kaya", "Demir", "Şahin", "Çelik", "Öztürk", "Aydın"]),
    (["Omar", "Layla", "Youssef", "Nour", "Karim", "Rania"],
     ["Haddad", "Mansour", "Khalil", "Nasser", "Saleh", "Farouk"]),
]

# Names placed on purpose (display name, email local part or None = derived).
ZOE = ("Zoë Müller", None)
JOSE = ("José Álvarez", None)
LUKASZ = ("Łukasz Nowak", None)
ANA = ("Ana Ţepeş", None)
SPECIAL_NAMES = [
    ("Siobhán O'Connor", None),
    ("Søren Kjærgaard", None),
    ("Björn Åkesson", None),
    ("Chloé Dubois", None),
    ("Ayşe Yılmaz", None),
    ("Wang Fang (王芳)", "fang.wang"),
    ("Kenji Satō (佐藤 健二)", "kenji.sato"),
    ("Γιώργος Παπαδόπουλος", "giorgos.papadopoulos"),
    ("Nguyễn Thị Lan", "lan.nguyen"),
    ("Trần Minh Đức", "duc.tran"),
]

used_names: set[str] = set()
used_locals: set[str] = set()


def email_local(display: str, local: str | None) -> str:
    if local:
        return local
    parts = display.split(" ")
    return f"{ascii_slug(parts[0])}.{ascii_slug(' '.join(parts[1:]))}"


def claim_name(display: str, local: str | None) -> tuple[str, str]:
    local = email_local(display, local)
    assert display not in used_names and local not in used_locals, display
    used_names.add(display)
    used_locals.add(local)
    return display, local


def random_name() -> tuple[str, str]:
    while True:
        first, last = rng.choice(CULTURES)
        display = f"{rng.choice(first)} {rng.choice(last)}"
        local = email_local(display, None)
        if display not in used_names and local not in used_locals:
            return claim_name(display, None)


# --------------------------------------------------------------------------
# the organisation
# --------------------------------------------------------------------------

# department -> (location choices, [(team, ICs, contractors)], ICs reporting to head)
ORG = {
    "Engineering": (["Berlin", "Lisbon", "Kraków", "London", "Remote"],
                    [("Platform", 10, 2), ("SRE", 7, 1), ("Data", 8, 1), ("Web", 10, 2), ("Mobile", 7, 1)], 0),
    "Finance": (["London"], [("Accounting", 5, 1), ("Payroll", 5, 0)], 0),
    "Sales": (["London", "Toronto", "München"], [("Sales EMEA", 9, 0), ("Sales NA", 9, 0), ("Sales Ops", 5, 1)], 0),
    "People": (["London", "Lisbon"], [("People Ops", 5, 1)], 2),
    "Security": (["London", "Berlin"], [("SecOps", 4, 0), ("IAM", 4, 1)], 0),
    "Support": (["Lisbon", "Toronto", "Kraków"], [("Support Tier 1", 11, 2), ("Support Tier 2", 7, 0),
                                                   ("Support Engineering", 2, 0)], 0),
}

people: list[dict] = []


def person(dept, team, role, kind="human", emp="employee", manager=None, location=None, name=None):
    display, local = claim_name(*name) if name else random_name()
    domain = PARTNER_DOMAIN if kind == "external" else DOMAIN
    p = {
        "id": None, "name": display, "email": f"{local}@{domain}", "local": local.replace(".", "_"),
        "dept": dept, "team": team, "role": role, "kind": kind, "status": "active",
        "manager": manager, "emp": emp, "location": location or rng.choice(ORG.get(dept, (["London"],))[0]),
        "hire": None, "term": None, "tags": set(),
    }
    people.append(p)
    return p


ceo = person("Executive", "Executive", "ceo", location="London")
cos = person("Executive", "Executive", "ic", manager=ceo, location="London")
heads: dict[str, dict] = {}
leads: dict[str, dict] = {}
for dept, (locs, teams, direct) in ORG.items():
    head = person(dept, dept, "head", manager=ceo)
    heads[dept] = head
    for _ in range(direct):
        person(dept, dept, "ic", manager=head)
    for team, n_ic, n_con in teams:
        lead = person(dept, team, "lead", manager=head)
        leads[team] = lead
        for _ in range(n_ic):
            person(dept, team, "ic", manager=lead)
        for _ in range(n_con):
            person(dept, team, "ic", emp="contractor", manager=lead)

# externals: consultants from a partner firm, sponsored by a manager
externals = [
    person("Engineering", "Platform", "ic", kind="external", emp="contractor", manager=leads["Platform"], location="Remote"),
    person("Engineering", "Data", "ic", kind="external", emp="contractor", manager=leads["Data"], location="Remote"),
    person("Finance", "Accounting", "ic", kind="external", emp="contractor", manager=heads["Finance"], location="London"),
    person("Sales", "Sales Ops", "ic", kind="external", emp="contractor", manager=leads["Sales Ops"], location="Toronto"),
]
externals[2]["tags"].add("auditor")
externals[3]["tags"].add("partner")


def pick(team, role="ic", emp="employee", kind="human", n=0):
    """The n-th still untagged person of a team with that role (deterministic)."""
    found = [p for p in people if p["team"] == team and p["role"] == role and p["emp"] == emp
             and p["kind"] == kind and not p["tags"] and p["name"] not in SPECIAL_DISPLAY]
    return found[n]


SPECIAL_DISPLAY: set[str] = set()


def rename(p, name):
    """Give a person one of the placed names (frees their random one)."""
    used_names.discard(p["name"])
    used_locals.discard(p["email"].split("@")[0])
    display, local = claim_name(*name)
    p["name"], p["email"], p["local"] = display, f"{local}@{DOMAIN}", local.replace(".", "_")
    SPECIAL_DISPLAY.add(display)


rename(pick("Web"), ZOE)
rename(pick("Sales EMEA"), JOSE)
rename(pick("Platform"), LUKASZ)
rename(pick("IAM"), ANA)
for i, nm in enumerate(SPECIAL_NAMES):
    candidates = [p for p in people if p["role"] == "ic" and p["kind"] == "human" and p["name"] not in SPECIAL_DISPLAY]
    rename(candidates[(i * 11 + 3) % len(candidates)], nm)

zoe = next(p for p in people if p["name"] == ZOE[0])
jose = next(p for p in people if p["name"] == JOSE[0])
lukasz = next(p for p in people if p["name"] == LUKASZ[0])

# leavers (terminated), each an individual contributor who still holds access
L_E0412 = pick("Data")
LEAVERS = [
    (L_E0412, dt.date(2026, 8, 31), "left Data team; AWS key used after leaving"),
    (pick("Payroll"), AS_OF, "last day is the as-of day"),
    (pick("Support Tier 1"), dt.date(2026, 10, 16), ""),
    (pick("Platform"), dt.date(2026, 6, 30), "still owns svc-reporting-export"),
    (pick("Sales EMEA"), dt.date(2026, 11, 13), ""),
    (pick("Web", emp="contractor"), dt.date(2026, 9, 30), "contract ended"),
    (pick("People Ops"), dt.date(2025, 12, 19), ""),
]
for p, term, _note in LEAVERS:
    p["status"], p["term"] = "terminated", term
    p["tags"].add("leaver")
OWNER_LEFT = LEAVERS[3][0]

DISABLED = [pick("Sales NA"), pick("Support Tier 2")]
for p in DISABLED:
    p["status"] = "disabled"
    p["tags"].add("disabled")

# two active employees who have not logged in for months (sabbatical, forgotten)
STALE = [pick("Mobile"), pick("Accounting")]
for p in STALE:
    p["tags"].add("stale")

# four new hires (joined in the last 30 days)
NEW_HIRES = [pick("Web"), pick("Sales NA"), pick("Support Tier 1"), pick("SRE")]
for p in NEW_HIRES:
    p["tags"].add("newhire")
NEW_HIRES[1]["tags"].add("nologin")  # has not signed in yet

# contractors whose contract end date has passed while HR still says active
CONTRACT_LAPSED = [pick("Platform", emp="contractor"), pick("Support Tier 1", emp="contractor")]
for p in CONTRACT_LAPSED:
    p["tags"].add("lapsed")

# hire dates
for p in people:
    if p["role"] == "ceo":
        p["hire"] = dt.date(2016, 3, 1)
    elif "newhire" in p["tags"]:
        p["hire"] = days_ago(rng.randint(6, 24))
    elif p["role"] == "head":
        p["hire"] = dt.date(2016, 4, 1) + dt.timedelta(days=rng.randint(0, 1200))
    else:
        latest = (p["term"] - dt.timedelta(days=200)) if p["term"] else days_ago(200)
        p["hire"] = dt.date(2017, 1, 9) + dt.timedelta(days=rng.randint(0, (latest - dt.date(2017, 1, 9)).days))

# identity ids: employees E####, contractors C####, externals P####; lower
# numbers for earlier hires, as an HR system hands them out
employees = sorted((p for p in people if p["emp"] == "employee" and p["role"] != "ceo"), key=lambda p: p["hire"])
numbers = sorted(rng.sample([n for n in range(101, 990) if n != 412], len(employees) - 1) + [412])
for p, n in zip(employees, numbers):
    p["id"] = f"E{n:04d}"
ceo["id"] = "E0100"
holder_412 = next(p for p in employees if p["id"] == "E0412")
holder_412["id"], L_E0412["id"] = L_E0412["id"], "E0412"
contractors = sorted((p for p in people if p["emp"] == "contractor" and p["kind"] == "human"), key=lambda p: p["hire"])
for p, n in zip(contractors, sorted(rng.sample([n for n in range(101, 400)], len(contractors)))):
    p["id"] = f"C{n:04d}"
for p, n in zip(externals, sorted(rng.sample(range(2001, 2100), len(externals)))):
    p["id"] = f"P{n:04d}"

# last login (IdP), date-time
for p in people:
    if p["status"] == "terminated":
        p["login"] = stamp(p["term"] - dt.timedelta(days=rng.randint(0, 2)))
    elif p["status"] == "disabled":
        p["login"] = stamp(days_ago(rng.randint(120, 200)))
    elif "stale" in p["tags"]:
        p["login"] = stamp(days_ago(rng.randint(150, 300)))
    elif "auditor" in p["tags"]:  # engagement ended 2026-09-30
        p["login"] = stamp(dt.date(2026, 9, 30) - dt.timedelta(days=rng.randint(0, 5)))
    elif "newhire" in p["tags"]:
        p["login"] = "" if "nologin" in p["tags"] else stamp(days_ago(rng.randint(1, ago(p["hire"]))))
    else:
        p["login"] = stamp(days_ago(rng.randint(1, 14)))

# --------------------------------------------------------------------------
# non-human identities
# --------------------------------------------------------------------------

# Credentials carry a rotation spec: an int = rotated exactly that many days
# before AS_OF (written as a date), "fresh" / "stale" / "old" = random bucket,
# "" = rotation unknown. "used" = "recent" (default), "never", or days-ago int.
sre, plat, data, web, mob = leads["SRE"], leads["Platform"], leads["Data"], leads["Web"], leads["Mobile"]
NHIS = [
    ("svc-billing-etl", "service", "Billing ETL job", "Engineering", data, [
        ("aws-prod", "etl-billing-writer", "role", False, {}),
        ("aws-prod", "access-key/AKNW3F9Q2LBX7T", "api_key", False, {"rot": "old"}),
        ("prod-postgres", "db-user/billing_etl", "password", False, {"rot": 89}),
        ("prod-postgres", "app_rw", "role", False, {}),
        ("vault", "secret/data/billing/etl", "secret", False, {"rot": "fresh"}),
    ]),
    ("svc-payroll-sync", "service", "Payroll HR sync", "Finance", leads["Payroll"], [
        ("payroll", "api-token/payroll-sync", "api_key", False, {"rot": 90}),
        ("payroll", "integration-writer", "role", False, {}),
        ("okta", "api-token/payroll-sync-scim", "api_key", False, {"rot": "stale"}),
    ]),
    ("svc-crm-sync", "service", "CRM warehouse sync", "Sales", leads["Sales Ops"], [
        ("salesforce", "Integration User", "role", False, {}),
        ("salesforce", "connected-app/crm-sync", "api_key", False, {"rot": "fresh"}),
        ("salesforce", "Modify All Data", "permission", True, {}),
        ("prod-postgres", "db-user/crm_sync", "password", False, {"rot": 91}),
    ]),
    ("svc-backup", "service", "Nightly backups, all regions", "Engineering", sre, [
        ("aws-prod", "backup-operator", "role", True, {}),
        ("aws-prod", "access-key/AKNW8M2R4HDZ1C", "api_key", False, {"rot": "fresh"}),
        ("prod-postgres", "rds_superuser", "role", True, {}),
        ("vault", "secret/data/backup/encryption-key", "secret", False, {"rot": ""}),
    ]),
    ("svc-reporting-export", "service", "Reporting export", "Engineering", OWNER_LEFT, [
        ("prod-postgres", "analytics_ro", "role", False, {}),
        ("aws-prod", "reports-s3-writer", "role", False, {}),
        ("aws-prod", "access-key/AKNW5K7P9WQE3J", "api_key", False, {"rot": "old"}),
    ]),
    ("svc-legacy-ftp", "service", "Legacy bank file transfer", "Finance", None, [
        ("sftp-legacy", "account/ftp-batch", "password", False, {"rot": ""}),
        ("sftp-legacy", "upload:/finance/bank", "permission", False, {}),
        ("sftp-legacy", "ssh-key/ftp-batch-rsa", "ssh_key", False, {"rot": "old"}),
    ]),
    ("svc-okta-scim", "service", "Okta SCIM provisioning", "Security", leads["IAM"], [
        ("okta", "api-token/scim-provisioning", "api_key", False, {"rot": "fresh"}),
        ("okta", "App Admin", "role", True, {}),
    ]),
    ("svc-jira-automation", "service", "Jira automation", "Support", leads["Support Engineering"], [
        ("jira", "api-token/automation", "api_key", False, {"rot": 89}),
        ("jira", "jira-servicedesk-agents", "group", False, {}),
    ]),
    ("svc-alerting", "service", "Alert routing", "Engineering", pick("SRE"), [
        ("datadog", "api-key/alerting", "api_key", False, {"rot": "old"}),
        ("datadog", "app-key/alerting", "api_key", False, {"rot": 90}),
        ("datadog", "Datadog Standard Role", "role", False, {}),
    ]),
    ("wl-api-gateway", "workload", "API gateway (k8s)", "Engineering", plat, [
        ("k8s-prod", "role/gateway-runtime", "role", False, {}),
        ("aws-prod", "irsa/api-gateway", "role", False, {}),
        ("k8s-prod", "tls/api.northwind.example", "certificate", False, {"rot": "fresh", "expires": dt.date(2027, 2, 14)}),
        ("vault", "secret/data/gateway/jwt-signing", "secret", False, {"rot": 91}),
    ]),
    ("wl-ingest-worker", "workload", "Event ingest worker (k8s)", "Engineering", data, [
        ("k8s-prod", "role/ingest-runtime", "role", False, {}),
        ("aws-prod", "irsa/ingest-worker", "role", False, {}),
        ("prod-postgres", "db-user/ingest", "password", False, {"rot": "stale"}),
        ("vault", "secret/data/ingest/kafka", "secret", False, {"rot": "fresh"}),
    ]),
    ("wl-web-frontend", "workload", "Web frontend (k8s)", "Engineering", web, [
        ("k8s-prod", "role/web-runtime", "role", False, {}),
        ("k8s-prod", "tls/www.northwind.example", "certificate", False, {"rot": "old", "expires": dt.date(2026, 11, 20)}),
        ("vault", "secret/data/web/session-key", "secret", False, {"rot": "fresh"}),
    ]),
    ("wl-search-indexer", "workload", "Search indexer (k8s)", "Engineering", pick("Data"), [
        ("k8s-prod", "role/search-runtime", "role", False, {}),
        ("aws-prod", "irsa/search-indexer", "role", False, {}),
        ("prod-postgres", "analytics_ro", "role", False, {}),
    ]),
    ("wl-ml-scoring", "workload", "ML scoring (k8s)", "Engineering", pick("Data", n=1), [
        ("aws-prod", "irsa/ml-scoring", "role", False, {"used": "never"}),
        ("k8s-prod", "role/ml-runtime", "role", False, {"used": "never"}),
        ("vault", "secret/data/ml/model-registry", "secret", False, {"rot": "", "used": "never"}),
    ]),
    ("wl-notifications", "workload", "Push notifications (k8s)", "Engineering", mob, [
        ("aws-prod", "irsa/notifications", "role", False, {}),
        ("vault", "secret/data/notifications/push", "secret", False, {"rot": "stale"}),
        ("k8s-prod", "tls/push.northwind.example", "certificate", False, {"rot": "fresh", "expires": dt.date(2027, 6, 1)}),
    ]),
    ("wl-payments-api", "workload", "Payments API (k8s)", "Engineering", pick("Platform"), [
        ("k8s-prod", "role/payments-runtime", "role", False, {}),
        ("aws-prod", "irsa/payments-api", "role", False, {}),
        ("prod-postgres", "db-user/payments", "password", False, {"rot": "fresh"}),
        ("prod-postgres", "app_rw", "role", False, {}),
        ("vault", "secret/data/payments/psp-webhook", "secret", False, {"rot": "fresh", "new": True}),
    ]),
    ("bot-ci-runner", "bot", "CI runner", "Engineering", plat, [
        ("github", "org-repos:write", "permission", False, {}),
        ("github", "deploy-key/monorepo", "ssh_key", False, {"rot": "old"}),
        ("aws-prod", "ci-deployer", "role", True, {}),
        ("aws-prod", "access-key/AKNW2D6T8YUB4N", "api_key", False, {"rot": "stale"}),
        ("k8s-prod", "cluster-admin", "role", True, {}),
    ]),
    ("bot-release-manager", "bot", "Release manager bot", "Engineering", web, [
        ("github", "repo/web-app:maintain", "permission", False, {}),
        ("github", "app-token/release-manager", "api_key", False, {"rot": "fresh"}),
    ]),
    ("bot-deps-updater", "bot", "Dependency update bot", "Engineering", pick("Platform", n=1), [
        ("github", "org-repos:write", "permission", False, {}),
        ("github", "app-token/deps-updater", "api_key", False, {"rot": ""}),
    ]),
    ("bot-chatops", "bot", "ChatOps bot", "Engineering", pick("SRE", n=1), [
        ("datadog", "api-key/chatops", "api_key", False, {"rot": "stale"}),
        ("jira", "api-token/chatops", "api_key", False, {"rot": "fresh"}),
        ("k8s-prod", "view", "role", False, {}),
    ]),
    ("bot-terraform", "bot", "Terraform pipeline", "Engineering", sre, [
        ("aws-prod", "AdministratorAccess", "role", True, {}),
        ("aws-prod", "access-key/AKNW7H1V5GXR9M", "api_key", False, {"rot": "old"}),
        ("github", "repo/infra-terraform:admin", "permission", True, {}),
        ("vault", "policy/ops-admin", "permission", True, {}),
    ]),
    ("shared-oncall-root", "shared", "On-call root login", "Engineering", sre, [
        ("aws-prod", "root-account", "account", True, {}),
        ("aws-prod", "aws-root/password", "password", True, {"rot": "old"}),
    ]),
    ("shared-support-inbox", "shared", "Support inbox", "Support", heads["Support"], [
        ("jira", "jira-servicedesk-agents", "group", False, {}),
        ("salesforce", "Service Cloud User", "role", False, {}),
        ("okta", "Everyone", "group", False, {}),
    ]),
    ("shared-finance-ap", "shared", "Accounts payable mailbox", "Finance", leads["Accounting"], [
        ("payroll", "payroll-viewer", "role", False, {}),
        ("sftp-legacy", "account/finance-ap", "account", False, {}),
        ("sftp-legacy", "login/finance-ap", "password", False, {"rot": "stale"}),
    ]),
    ("shared-demo-account", "shared", "Sales demo login", "Sales", pick("Sales Ops"), [
        ("salesforce", "Standard User", "role", False, {"used": 200}),
        ("salesforce", "login/demo", "password", False, {"rot": "", "used": 200}),
    ]),
]
SHARED_MAIL = {"shared-oncall-root": "oncall", "shared-support-inbox": "support",
               "shared-finance-ap": "ap", "shared-demo-account": "demo"}
NHI_NO_OWNER = "svc-legacy-ftp"
NHI_OWNER_LEFT = "svc-reporting-export"

# --------------------------------------------------------------------------
# systems
# --------------------------------------------------------------------------

SYSTEMS = [
    ("aws-prod", plat, "critical"),
    ("github", heads["Engineering"], "high"),
    ("prod-postgres", data, "critical"),
    ("payroll", leads["Payroll"], "critical"),
    ("vault", leads["SecOps"], "critical"),
    ("okta", leads["IAM"], "critical"),
    ("jira", leads["Support Engineering"], "low"),
    ("salesforce", leads["Sales Ops"], "high"),
    ("datadog", sre, "medium"),
    ("k8s-prod", sre, "critical"),
    ("sftp-legacy", None, "medium"),  # nobody owns it: default-reviewer fallback
]

# --------------------------------------------------------------------------
# grants
# --------------------------------------------------------------------------

grants: list[dict] = []
seen: set[tuple[str, str, str]] = set()
ticket_no = iter(range(10001, 99999))


def add(holder: str, system, ent, typ="role", priv=False, granted="", used="", rotated="", expires="", ticket=""):
    key = (holder.lower(), system, ent)
    assert key not in seen, key
    seen.add(key)
    grants.append({"identity_id": holder, "system": system, "entitlement": ent, "type": typ,
                   "privileged": "true" if priv else "false", "granted_at": granted, "last_used_at": used,
                   "last_rotated_at": rotated, "expires_at": expires, "source_ticket": ticket})


def rotation(spec, granted_ago: int) -> tuple[str, int]:
    """(last_rotated_at, days ago) for a rotation spec; never before the grant."""
    if spec == "":
        return "", -1
    if isinstance(spec, int):
        return iso(days_ago(spec)), spec
    lo, hi = {"fresh": (3, 60), "stale": (120, 300), "old": (380, 900)}[spec]
    n = min(dodge(min(rng.randint(lo, hi), granted_ago)), granted_ago)
    return stamp(days_ago(n)), n


def human_used(p, granted_ago: int, dormant_ok=True) -> str:
    """last_used_at for a human grant, consistent with status and grant date."""
    if p["status"] == "terminated":
        t = ago(p["term"])
        n = dodge(t + rng.randint(0, 30), (USE_WINDOW,))
        return stamp(days_ago(min(n, granted_ago)))
    if "nologin" in p["tags"]:
        return ""
    if p["status"] == "disabled":
        return stamp(days_ago(min(rng.randint(120, 250), granted_ago)))
    if "stale" in p["tags"]:
        return stamp(days_ago(min(rng.randint(150, 300), granted_ago)))
    r = rng.random()
    if dormant_ok and r < 0.05 and granted_ago > 130:
        return stamp(days_ago(rng.randint(101, min(700, granted_ago))))
    if dormant_ok and r < 0.08:
        return ""  # never used
    return stamp(days_ago(rng.randint(0 if granted_ago == 0 else 1, max(1, min(60, granted_ago)))))


ONBOARDING = {("okta", "Everyone"), ("okta", "Partners"), ("jira", "jira-users"), ("github", "org-member")}
IDP_CUTOVER = dt.date(2019, 6, 3)  # grants older than the IdP migration carry its date


def cap_used(used: str, expires: str, granted_ago: int) -> str:
    """Access that has expired was last used before it expired."""
    if not used or not expires or dt.date.fromisoformat(expires) >= AS_OF or used[:10] < expires:
        return used
    n = min(dodge(ago(dt.date.fromisoformat(expires)) + rng.randint(1, 20), (USE_WINDOW,)), granted_ago)
    return stamp(days_ago(n))


def human_granted(p, new=False, onboarding=False) -> int:
    """days-ago of a grant date for a person."""
    if "newhire" in p["tags"]:
        return max(1, ago(p["hire"]) - rng.randint(0, 2))
    if new:
        return rng.randint(1, 24)
    oldest = ago(max(p["hire"], IDP_CUTOVER))
    if onboarding:
        return dodge(oldest - rng.randint(0, 3))
    newest = ago(p["term"]) + 40 if p["term"] else 40
    newest = min(newest, oldest)
    return dodge(rng.randint(newest, oldest))


def contract_end(p) -> str:
    if p["status"] == "terminated":
        return iso(p["term"])
    if "lapsed" in p["tags"]:
        return iso(dt.date(2026, 10, 31))
    if p["kind"] == "external" and "auditor" in p["tags"]:
        return ""
    return iso(dt.date(2027, 3, 31))


def human_templates(p) -> list[tuple]:
    """(system, entitlement, type, privileged, probability) for a person."""
    t, team, role, dept = [], p["team"], p["role"], p["dept"]

    def g(system, ent, typ="role", priv=False, prob=1.0):
        t.append((system, ent, typ, priv, prob))

    if p["kind"] == "external":
        g("okta", "Partners", "group")
        g("jira", "jira-users", "group")
        if "auditor" in p["tags"]:
            g("payroll", "auditor-readonly")
        elif "partner" in p["tags"]:
            g("salesforce", "Partner Community User")
        else:
            g("github", "outside-collaborator", "account")
            g("github", f"team/{team.lower()}", "group")
            g("aws-prod", "ReadOnlyAccess")
        return t

    g("okta", "Everyone", "group")
    g("okta", f"dept-{dept.lower()}", "group")
    g("jira", "jira-users", "group")

    if dept == "Executive":
        g("salesforce", "Read Only")
        if role == "ceo":
            g("payroll", "payroll-viewer")
            g("datadog", "Datadog Read Only Role")
        return t

    if dept == "Engineering":
        g("github", "org-member", "account")
        g("jira", "jira-software-users", "group")
        g("aws-prod", "ReadOnlyAccess")
        g("k8s-prod", "view")
        g("datadog", "Datadog Standard Role")
        g("vault", "policy/dev-read", "permission", prob=0.7)
        g("jira", "project/PLAT", "group", prob=0.4)
        g("jira", "project/DATA", "group", prob=0.25)
        g("jira", "project/WEB", "group", prob=0.35)
        g("okta", "vpn-users", "group", prob=0.6)
        if role == "head":
            g("github", "org-owner", "role", True)
            g("aws-prod", "AdministratorAccess", "role", True)
            g("datadog", "Datadog Admin Role", "role", True)
            return t
        g("github", f"team/{team.lower()}", "group")
        if team == "Platform":
            g("aws-prod", "PowerUserAccess", prob=0.8)
            g("k8s-prod", "edit:ns/gateway", prob=0.5)
            g("k8s-prod", "edit:ns/payments", prob=0.5)
            g("github", "repo/infra-terraform:maintain", "permission", prob=0.4)
            if role == "lead":
                g("github", "repo/infra-terraform:admin", "permission", True)
                g("aws-prod", "AdministratorAccess", "role", True)
        elif team == "SRE":
            g("aws-prod", "PowerUserAccess")
            g("jira", "jira-servicedesk-agents", "group", prob=0.5)
            g("okta", "oncall-pager", "group")
            g("github", "team/platform", "group", prob=0.5)
            g("k8s-prod", "cluster-admin", "role", True, prob=1.0 if role == "lead" else 0.4)
            g("vault", "policy/ops-admin", "permission", True, prob=1.0 if role == "lead" else 0.5)
            g("prod-postgres", "rds_superuser", "role", True, prob=1.0 if role == "lead" else 0.25)
            if role == "lead":
                g("datadog", "Datadog Admin Role", "role", True)
                g("aws-prod", "AdministratorAccess", "role", True)
        elif team == "Data":
            g("aws-prod", "DataEngineer")
            g("k8s-prod", "edit:ns/ingest", prob=0.5)
            if role == "lead":
                g("prod-postgres", "db_owner", "role", True)
                g("prod-postgres", "analytics_rw")
            elif rng.random() < 0.7:
                g("prod-postgres", "analytics_rw")
            else:
                g("prod-postgres", "analytics_ro")
        elif team == "Web":
            g("k8s-prod", "edit:ns/web", prob=0.6)
            g("github", "repo/web-app:maintain", "permission", prob=0.3)
            g("prod-postgres", "analytics_ro", prob=0.2)
        elif team == "Mobile":
            g("aws-prod", "mobile-release", prob=0.3)
            g("k8s-prod", "edit:ns/notifications", prob=0.3)
            g("github", "team/web", "group", prob=0.2)
        return t

    if dept == "Finance":
        g("payroll", "payroll-viewer")
        g("salesforce", "Read Only", prob=0.5)
        g("jira", "project/FIN", "group", prob=0.8)
        if role == "head":
            g("payroll", "payroll-admin", "role", True)
            g("aws-prod", "Billing")
        elif team == "Accounting":
            g("sftp-legacy", f"account/{p['local']}", "account", prob=0.4)
            if role == "lead":
                g("aws-prod", "Billing")
        elif team == "Payroll":
            g("payroll", "payroll-approver", prob=0.7)
            if role == "lead":
                g("payroll", "payroll-admin", "role", True)
                g("sftp-legacy", "upload:/finance/bank", "permission")
        return t

    if dept == "Sales":
        g("salesforce", "Standard User")
        g("salesforce", "Export Reports", "permission", prob=0.3)
        g("jira", "project/DEALS", "group", prob=0.3)
        if role in ("head", "lead"):
            g("salesforce", "Sales Manager")
            g("salesforce", "Dashboards: Sales Pipeline", "permission")
        if team == "Sales Ops":
            g("salesforce", "Sales Operations")
            if role == "lead":
                g("salesforce", "System Administrator", "role", True)
        return t

    if dept == "People":
        g("payroll", "hr-editor", prob=0.8)
        g("payroll", "payroll-viewer")
        g("jira", "project/PEOPLE", "group", prob=0.6)
        if role == "head":
            g("payroll", "hr-admin", "role", True)
        return t

    if dept == "Security":
        g("github", "org-member", "account")
        g("github", "team/security", "group")
        g("datadog", "Datadog Read Only Role")
        g("aws-prod", "SecurityAudit")
        g("jira", "project/SEC", "group")
        g("okta", "vpn-users", "group", prob=0.8)
        if role == "head":
            g("vault", "policy/root", "permission", True)
            g("okta", "Super Administrator", "role", True)
            g("jira", "jira-administrators", "group", True)
        elif team == "SecOps":
            g("vault", "policy/security-admin", "permission", True, prob=1.0 if role == "lead" else 0.5)
            g("datadog", "Datadog Standard Role", prob=0.6)
        elif team == "IAM":
            g("okta", "Org Admin", "role", True, prob=1.0 if role == "lead" else 0.5)
            g("okta", "Help Desk Admin", "role", True, prob=0.5)
            if role == "lead":
                g("okta", "Super Administrator", "role", True)
        return t

    if dept == "Support":
        g("jira", "jira-servicedesk-agents", "group")
        g("salesforce", "Service Cloud User")
        g("datadog", "Datadog Read Only Role", prob=0.5)
        g("jira", "project/SUP", "group", prob=0.7)
        if team in ("Support Tier 2", "Support Engineering") or role == "head":
            g("prod-postgres", "support_readonly")
        if team == "Support Engineering":
            g("github", "org-member", "account")
            g("k8s-prod", "view")
            if role == "lead":
                g("jira", "jira-administrators", "group", True)
        return t
    return t


def ticket(prob=0.7, prefix="ACC") -> str:
    return f"{prefix}-{next(ticket_no)}" if rng.random() < prob else ""


# human grants
EXPIRING_SYSTEMS = ("okta", "github", "aws-prod")
for p in people:
    end = contract_end(p) if p["emp"] == "contractor" else ""
    for system, ent, typ, priv, prob in human_templates(p):
        if prob < 1.0 and rng.random() >= prob:
            continue
        g_ago = human_granted(p, onboarding=(system, ent) in ONBOARDING)
        # time-bound assignments exist where the system supports them
        expires = end if system in EXPIRING_SYSTEMS else ""
        if "auditor" in p["tags"]:
            expires = iso(dt.date(2026, 9, 30))
        if "partner" in p["tags"] and system == "salesforce":
            expires = iso(dt.date(2026, 10, 1))
        used = cap_used(human_used(p, g_ago), expires, g_ago)
        add(p["id"], system, ent, typ, priv, iso(days_ago(g_ago)), used, "", expires, ticket())

# personal credentials held by humans
def human_cred(p, system, ent, typ, rot, used=None, expires="", priv=False):
    g_ago = human_granted(p)
    r, r_ago = rotation(rot, g_ago)
    if used is None:
        used = cap_used(human_used(p, g_ago, dormant_ok=False), expires, g_ago)
    add(p["id"], system, ent, typ, priv, iso(days_ago(g_ago)), used, r, expires, ticket())


human_cred(L_E0412, "aws-prod", "access-key/AKNW4E0412DATA", "api_key", "stale",
           used="2026-10-03T22:41:00Z")  # used a month after the owner left
human_cred(lukasz, "aws-prod", "access-key/AKNW6L9N2K5QSW", "api_key", "fresh")
human_cred(pick("Platform", n=2), "aws-prod", "access-key/AKNW1P3F8T6MZR", "api_key", "old")
human_cred(sre, "aws-prod", "access-key/AKNW9S4R7E2LDV", "api_key", "old")
human_cred(CONTRACT_LAPSED[0], "aws-prod", "access-key/AKNW3C8D5J1NXQ", "api_key", "stale",
           expires=contract_end(CONTRACT_LAPSED[0]))
human_cred(sre, "prod-postgres", f"db-user/{sre['local']}", "password", "")
human_cred(pick("SRE", n=2), "k8s-prod", "client-cert/" + pick("SRE", n=2)["local"], "certificate", "fresh",
           expires=iso(dt.date(2027, 5, 31)))
human_cred(pick("SRE", n=3), "k8s-prod", "client-cert/" + pick("SRE", n=3)["local"], "certificate", "old",
           expires=iso(dt.date(2026, 11, 10)))
human_cred(pick("SRE", n=4), "aws-prod", "ec2-keypair/bastion-" + pick("SRE", n=4)["local"], "ssh_key", "stale")
human_cred(leads["Payroll"], "sftp-legacy", f"ssh-key/{leads['Payroll']['local']}", "ssh_key", "old")
human_cred(pick("Data", n=2), "vault", "token/" + pick("Data", n=2)["local"], "secret", "")

# temporary elevated access, one lapsed, one current
bg_old, bg_new = pick("SRE", n=3), pick("SRE", n=4)
add(bg_old["id"], "aws-prod", "BreakGlassAdmin", "role", True, iso(dt.date(2026, 10, 22)), "2026-10-22T03:12:00Z",
    "", iso(dt.date(2026, 11, 5)), "INC-4471")
add(bg_new["id"], "aws-prod", "BreakGlassAdmin", "role", True, iso(days_ago(3)), stamp(days_ago(2)),
    "", iso(dt.date(2026, 12, 7)), "INC-4519")

# recent grants for existing staff (a new project, a new incident team)
NEW_GRANTS = [("jira", "project/Q4-LAUNCH", "group"), ("github", "team/incident-review", "group"),
              ("datadog", "Datadog Standard Role", "role"), ("salesforce", "Export Reports", "permission")]
staff = [p for p in people if p["status"] == "active" and not p["tags"] and p["kind"] == "human"]
for i, p in enumerate(rng.sample(staff, 16)):
    for system, ent, typ in NEW_GRANTS[i % 4:] + NEW_GRANTS[:i % 4]:
        fits = {"github": ("Engineering", "Security"), "salesforce": ("Sales", "Finance", "Support", "Executive")}
        if (p["id"].lower(), system, ent) not in seen and p["dept"] in fits.get(system, (p["dept"],)):
            g_ago = human_granted(p, new=True)
            add(p["id"], system, ent, typ, False, iso(days_ago(g_ago)), human_used(p, g_ago), "", "", ticket(0.9))
            break

# boundary dormancy rows (date-only last_used_at exactly 89 / 90 / 91 days ago)
for n, p in zip((89, 90, 91), (pick("Accounting", n=1), pick("Sales NA", n=2), pick("Support Tier 1", n=3))):
    add(p["id"], "salesforce" if p["dept"] != "Finance" else "payroll", "Reports Viewer", "role", False,
        iso(days_ago(400 + n)), iso(days_ago(n)), "", "", ticket())

# NHI grants
nhi_rows = []
for nid, kind, label, dept, owner, items in NHIS:
    created = rng.randint(200, 1400)
    for system, ent, typ, priv, opt in items:
        g_ago = rng.randint(1, 24) if opt.get("new") else dodge(rng.randint(max(120, created - 300), created))
        if opt.get("rot") == "old":  # an old rotation needs an older grant
            g_ago = max(g_ago, rng.randint(420, 1000))
        rot, _ = rotation(opt["rot"], g_ago) if typ in CREDENTIAL_TYPES else ("", -1)
        u = opt.get("used", "recent")
        if isinstance(u, int):
            g_ago = max(g_ago, u + rng.randint(10, 100))
        if u == "never":
            used = ""
        elif isinstance(u, int):
            used = stamp(days_ago(u))
        else:
            used = stamp(days_ago(rng.randint(0 if g_ago == 0 else 1, min(g_ago, 6))))
        exp = iso(opt["expires"]) if "expires" in opt else ""
        add(nid, system, ent, typ, priv, iso(days_ago(g_ago)), used, rot, exp, ticket(0.6, "CHG"))

# grants that name their holder by e-mail (as Okta / Salesforce exports do)
BY_EMAIL = [
    (zoe, "okta", "Everyone", "Zoe.Muller@northwind.example"),
    (zoe, "jira", "jira-users", "ZOE.MULLER@NORTHWIND.EXAMPLE"),
    (jose, "okta", "Everyone", "Jose.Alvarez@Northwind.Example"),
    (jose, "salesforce", "Standard User", "JOSE.ALVAREZ@northwind.example"),
    (lukasz, "okta", "Everyone", "Lukasz.Nowak@northwind.example"),
    (lukasz, "jira", "jira-users", "lukasz.nowak@northwind.example"),
]
for p, system, ent, written in BY_EMAIL:
    assert written.lower() == p["email"], (written, p["email"])
    row = next(g for g in grants if g["identity_id"] == p["id"] and g["system"] == system and g["entitlement"] == ent)
    row["identity_id"] = written

# orphaned grants: holders that match no identity
ORPHANS = [
    ("X999", "aws-prod", "ReadOnlyAccess", "role", False, 700, 410, "", ""),
    ("X999", "github", "org-member", "account", False, 700, 300, "", ""),
    ("X999", "sftp-legacy", "account/x999", "account", False, 900, None, "", ""),
    ("C0007", "github", "org-member", "account", False, 820, 380, "", "2025-06-30"),
    ("C0007", "github", "team/platform", "group", False, 820, 380, "", "2025-06-30"),
    ("C0007", "k8s-prod", "edit:ns/payments", "role", False, 800, 390, "", "2025-06-30"),
    ("C0007", "vault", "policy/dev-read", "permission", False, 800, 395, "", "2025-06-30"),
    ("E0099", "salesforce", "Standard User", "role", False, 1200, 520, "", ""),
    ("E0099", "okta", "Everyone", "group", False, 1300, 515, "", ""),
    ("E0099", "payroll", "payroll-viewer", "role", False, 1250, 600, "", ""),
    ("svc-old-jenkins", "github", "deploy-key/jenkins-legacy", "ssh_key", False, 1500, 230, "old", ""),
    ("svc-old-jenkins", "aws-prod", "access-key/AKNW0J3K6E9NSO", "api_key", True, 1500, 12, "old", ""),
    ("dana.whitfield@northwind.example", "okta", "Everyone", "group", False, 1100, 240, "", ""),
]
for holder, system, ent, typ, priv, g_ago, u_ago, rot, exp in ORPHANS:
    r, _ = rotation(rot, g_ago)
    add(holder, system, ent, typ, priv, iso(days_ago(g_ago)), stamp(days_ago(u_ago)) if u_ago else "", r, exp, "")


# --------------------------------------------------------------------------
# write
# --------------------------------------------------------------------------

def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)


def generate() -> None:
    OUT.mkdir(exist_ok=True)
    humans = sorted(people, key=lambda p: ({"E": 0, "C": 1, "P": 2}[p["id"][0]], p["id"]))
    rows = []
    for p in humans:
        rows.append([p["id"], p["name"], p["email"], p["dept"], p["kind"], p["status"],
                     p["manager"]["id"] if p["manager"] else "", "", iso(p["term"]) if p["term"] else "",
                     p["login"], p["emp"], p["location"]])
    for nid, kind, label, dept, owner, items in sorted(NHIS, key=lambda n: n[0]):
        mail = f"{SHARED_MAIL[nid]}@{DOMAIN}" if nid in SHARED_MAIL else ""
        login = stamp(days_ago(rng.randint(1, 9))) if kind == "shared" and nid != "shared-demo-account" else ""
        if nid == "shared-demo-account":
            login = stamp(days_ago(200))
        rows.append([nid, label, mail, dept, kind, "active", "", owner["id"] if owner else "", "", login, "", ""])
    write_csv(OUT / "identities.csv", IDENTITY_COLUMNS, rows)

    order = sorted(grants, key=lambda g: (g["identity_id"].lower(), g["system"], g["entitlement"]))
    write_csv(OUT / "entitlements.csv", ENTITLEMENT_COLUMNS, [[g[c] for c in ENTITLEMENT_COLUMNS] for g in order])

    write_csv(OUT / "systems.csv", SYSTEM_COLUMNS,
              [[s, o["id"] if o else "", c] for s, o, c in SYSTEMS])
    print(f"wrote {len(rows)} identities, {len(grants)} grants, {len(SYSTEMS)} systems to {OUT}")
    # Last: the exports draw from a random generator of their own, so the
    # canonical files above never change with them.
    print(sample_company.generate(types.SimpleNamespace(people=people, OUT=OUT)))


# --------------------------------------------------------------------------
# independent check: recount from the written CSVs only
# --------------------------------------------------------------------------

def read_csv(path: Path) -> tuple[list[str], list[dict]]:
    raw = path.read_bytes()
    problems = []
    if raw.startswith(b"\xef\xbb\xbf"):
        problems.append("BOM")
    if b"\r" in raw:
        problems.append("CR line ends")
    if not raw.endswith(b"\n"):
        problems.append("no final newline")
    if problems:
        sys.exit(f"{path.name}: {', '.join(problems)}")
    with path.open(encoding="utf-8", newline="") as f:
        r = csv.DictReader(f)
        return list(r.fieldnames or []), list(r)


def parse_when(s: str) -> dt.date:
    if "T" in s:
        assert s.endswith("Z"), s
        return dt.datetime.strptime(s, "%Y-%m-%dT%H:%M:%SZ").date()
    return dt.date.fromisoformat(s)


def check_lines() -> list[str]:
    ih, ids = read_csv(OUT / "identities.csv")
    eh, ents = read_csv(OUT / "entitlements.csv")
    sh, systems = read_csv(OUT / "systems.csv")
    errors = []
    if ih != IDENTITY_COLUMNS or eh != ENTITLEMENT_COLUMNS or sh != SYSTEM_COLUMNS:
        errors.append("unexpected header")

    # -- sanity rules the data promises -------------------------------------
    for name, rows in (("identities", ids), ("entitlements", ents), ("systems", systems)):
        for i, row in enumerate(rows, start=2):
            for col, v in row.items():
                if v[:1] in ("=", "+", "-", "@", "\t", "\r"):
                    errors.append(f"{name}.csv:{i}:{col}: formula-like value {v!r}")
                if v != v.strip():
                    errors.append(f"{name}.csv:{i}:{col}: surrounding whitespace")
    by_id = {}
    for r in ids:
        if r["identity_id"] in by_id:
            errors.append(f"duplicate identity {r['identity_id']}")
        by_id[r["identity_id"]] = r
    lookup = {}
    for r in ids:
        for key in (r["identity_id"], r["email"]):
            if key:
                k = key.lower()
                if k in lookup and lookup[k] is not r:
                    errors.append(f"ambiguous identity key {key}")
                lookup[k] = r
    for r in ids:
        nhi = r["kind"] in NHI_KINDS
        if nhi and r["manager_id"]:
            errors.append(f"NHI {r['identity_id']} has a manager")
        if not nhi and r["owner_id"]:
            errors.append(f"human {r['identity_id']} has an owner")
        for col in ("manager_id", "owner_id"):
            if r[col] and r[col] not in by_id:
                errors.append(f"{r['identity_id']}.{col} -> unknown {r[col]}")
        if (r["status"] == "terminated") != bool(r["termination_date"]):
            errors.append(f"{r['identity_id']}: status/termination_date mismatch")
        for col in ("termination_date", "last_login_at"):
            if r[col] and parse_when(r[col]) > AS_OF:
                errors.append(f"{r['identity_id']}.{col} after as-of")
    for s in systems:
        if s["owner_id"] and (s["owner_id"] not in by_id or by_id[s["owner_id"]]["kind"] not in HUMAN_KINDS):
            errors.append(f"system {s['system']} owner {s['owner_id']} is not a human identity")
    sysnames = [s["system"] for s in systems]
    keys = set()
    for i, g in enumerate(ents, start=2):
        if g["system"] not in sysnames:
            errors.append(f"line {i}: system {g['system']} not in systems.csv")
        if g["type"] not in ALL_TYPES or g["privileged"] not in ("true", "false"):
            errors.append(f"line {i}: bad type/privileged")
        holder = lookup.get(g["identity_id"].lower())
        k = (holder["identity_id"] if holder else g["identity_id"].lower(), g["system"], g["entitlement"])
        if k in keys:
            errors.append(f"line {i}: duplicate grant {k}")
        keys.add(k)
        dates = {c: parse_when(g[c]) for c in ("granted_at", "last_used_at", "last_rotated_at", "expires_at") if g[c]}
        if "granted_at" not in dates:
            errors.append(f"line {i}: no granted_at")
        for c in ("granted_at", "last_used_at", "last_rotated_at"):
            if c in dates and dates[c] > AS_OF:
                errors.append(f"line {i}: {c} after as-of")
        for c in ("last_used_at", "last_rotated_at"):
            if c in dates and dates[c] < dates["granted_at"]:
                errors.append(f"line {i}: {c} before granted_at")
        if g["last_rotated_at"] and g["type"] not in CREDENTIAL_TYPES:
            errors.append(f"line {i}: rotation date on a non-credential")
        if "expires_at" in dates and dates["expires_at"] == AS_OF:
            errors.append(f"line {i}: expires on the as-of day (ambiguous)")
        for c, (lo, hi) in (("granted_at", NEW_WINDOW),):
            if c in dates and lo <= ago(dates[c]) <= hi:
                errors.append(f"line {i}: {c} inside the 'new' boundary window")
        for c in ("last_used_at", "last_rotated_at", "granted_at"):
            if c in dates and USE_WINDOW[0] <= ago(dates[c]) <= USE_WINDOW[1] and "T" in g[c]:
                errors.append(f"line {i}: {c} date-time inside the 90-day boundary window")
    # -- the stories README.md tells ------------------------------------------
    def grant(holder, system, ent):
        return next((g for g in ents if g["identity_id"] == holder and g["system"] == system
                     and g["entitlement"] == ent), None)

    def days(v):
        return ago(parse_when(v)) if v else None

    stories = [
        ("E0412 terminated 2026-08-31", by_id["E0412"]["termination_date"] == "2026-08-31"),
        ("E0412 key used after leaving",
         grant("E0412", "aws-prod", "access-key/AKNW4E0412DATA")["last_used_at"].startswith("2026-10-03")),
        ("E0412 holds analytics_rw", grant("E0412", "prod-postgres", "analytics_rw") is not None),
        ("E0763 leaves on the as-of day", by_id["E0763"]["termination_date"] == iso(AS_OF)),
        ("E0763 holds payroll-approver", grant("E0763", "payroll", "payroll-approver") is not None),
        ("svc-reporting-export key rotated > 1 year ago, used recently",
         days(grant("svc-reporting-export", "aws-prod", "access-key/AKNW5K7P9WQE3J")["last_rotated_at"]) > 365
         and days(grant("svc-reporting-export", "aws-prod", "access-key/AKNW5K7P9WQE3J")["last_used_at"]) < 14),
        ("svc-old-jenkins key used 12 days ago",
         days(grant("svc-old-jenkins", "aws-prod", "access-key/AKNW0J3K6E9NSO")["last_used_at"]) == 12),
        ("shared-demo-account last used 200 days ago",
         all(days(g["last_used_at"]) == 200 for g in ents if g["identity_id"] == "shared-demo-account")),
        ("wl-ml-scoring never used", all(not g["last_used_at"] for g in ents if g["identity_id"] == "wl-ml-scoring")),
        ("E0787 break-glass expired 2026-11-05", grant("E0787", "aws-prod", "BreakGlassAdmin")["expires_at"] == "2026-11-05"),
        ("E0731 break-glass until 2026-12-07", grant("E0731", "aws-prod", "BreakGlassAdmin")["expires_at"] == "2026-12-07"),
        ("wl-web-frontend cert expired 2026-11-20",
         grant("wl-web-frontend", "k8s-prod", "tls/www.northwind.example")["expires_at"] == "2026-11-20"),
        ("E0962 never signed in", by_id["E0962"]["last_login_at"] == ""),
        ("E0174 and E0846 active, last sign-in Feb/Mar 2026",
         all(by_id[i]["status"] == "active" and by_id[i]["last_login_at"][:7] in ("2026-02", "2026-03")
             for i in ("E0174", "E0846"))),
        ("new hires hold only new grants",
         all(days(g["granted_at"]) < NEW_DAYS for g in ents if g["identity_id"] in ("E0962", "E0973", "E0988", "E0989"))),
        ("E0706 is Zoë Müller", by_id["E0706"]["display_name"] == "Zoë Müller"),
    ]
    errors += [f"README story no longer true: {name}" for name, ok in stories if not ok]
    if errors:
        sys.exit("check failed:\n  " + "\n  ".join(errors[:50]))

    # -- counts ---------------------------------------------------------------
    L = []
    out = L.append
    kinds = Counter(r["kind"] for r in ids)
    statuses = Counter(r["status"] for r in ids)
    emp = Counter(r["employment_type"] for r in ids if r["kind"] in HUMAN_KINDS)
    nhis = [r for r in ids if r["kind"] in NHI_KINDS]
    out(f"As of {AS_OF}. Counted by `python3 scripts/make-sample-data.py --check` from the CSVs.")
    out("")
    out("### identities.csv")
    out("")
    out(f"- identities: **{len(ids)}**")
    out("- by kind: " + ", ".join(f"{k} {kinds[k]}" for k in ("human", "external") + NHI_KINDS))
    out(f"- people (human + external): {kinds['human'] + kinds['external']}; "
        f"employment_type: employee {emp['employee']}, contractor {emp['contractor']}")
    out(f"- non-human identities (service + workload + bot + shared): **{len(nhis)}**")
    out("- by status: " + ", ".join(f"{s} {statuses[s]}" for s in ("active", "disabled", "terminated")))
    out("- departments (all identities): " + ", ".join(
        f"{d} {n}" for d, n in sorted(Counter(r["department"] for r in ids).items())))
    no_mgr = [r["identity_id"] for r in ids if r["kind"] in HUMAN_KINDS and not r["manager_id"]]
    out(f"- people without a manager: {', '.join(no_mgr)} (the CEO)")
    no_owner = [r["identity_id"] for r in nhis if not r["owner_id"]]
    owner_left = [r["identity_id"] for r in nhis if r["owner_id"] and by_id[r["owner_id"]]["status"] == "terminated"]
    owner_inactive = [r["identity_id"] for r in nhis if r["owner_id"] and by_id[r["owner_id"]]["status"] != "active"]
    out(f"- NHI without an owner (empty owner_id): {', '.join(no_owner)}")
    left = ", ".join(f"{i} (owner {by_id[i]['owner_id']})" for i in owner_left)
    out(f"- NHI whose owner is terminated: {left}")
    out(f"- NHIs whose owner is not active (any reason): {len(owner_inactive)}; "
        f"so `no-owner` NHIs in total: {len(no_owner) + len(owner_inactive)}")
    managers = {r["manager_id"] for r in ids if r["manager_id"]}
    out(f"- distinct managers (identities named as someone's manager_id): {len(managers)}")
    out("")

    held = Counter()
    for g in ents:
        h = lookup.get(g["identity_id"].lower())
        if h:
            held[h["identity_id"]] += 1
    out("Leavers (status terminated), by termination date:")
    out("")
    out("| identity_id | display_name | kind | employment_type | termination_date | grants held |")
    out("|---|---|---|---|---|---|")
    for r in sorted((r for r in ids if r["status"] == "terminated"), key=lambda r: r["termination_date"]):
        out(f"| {r['identity_id']} | {r['display_name']} | {r['kind']} | {r['employment_type']} "
            f"| {r['termination_date']} | {held[r['identity_id']]} |")
    out("")
    out("Disabled: " + ", ".join(f"{r['identity_id']} ({held[r['identity_id']]} grants)"
                                 for r in ids if r["status"] == "disabled"))
    out("")

    out("### systems.csv")
    out("")
    crit = Counter(s["criticality"] for s in systems)
    out(f"- systems: **{len(systems)}**; by criticality: " + ", ".join(
        f"{c} {crit[c]}" for c in ("critical", "high", "medium", "low")))
    out(f"- systems without an owner: {', '.join(s['system'] for s in systems if not s['owner_id'])}")
    out("")

    out("### entitlements.csv")
    out("")
    orphan_rows = [g for g in ents if g["identity_id"].lower() not in lookup]
    by_email = [g for g in ents if "@" in g["identity_id"] and g["identity_id"].lower() in lookup]
    not_exact = [g for g in ents if g["identity_id"] not in by_id]
    out(f"- grants: **{len(ents)}**")
    out(f"- privileged (privileged=true): **{sum(g['privileged'] == 'true' for g in ents)}**")
    creds = [g for g in ents if g["type"] in CREDENTIAL_TYPES]
    out(f"- credentials (api_key, secret, certificate, ssh_key, password): {len(creds)} "
        f"({sum(g['identity_id'].lower() in lookup and lookup[g['identity_id'].lower()]['kind'] in NHI_KINDS for g in creds)} held by NHIs)")
    out(f"- grants held by NHIs: {sum(lookup.get(g['identity_id'].lower(), {}).get('kind') in NHI_KINDS for g in ents)}")
    out(f"- grants whose identity_id is not an exact identity_id: {len(not_exact)} "
        f"= {len(by_email)} named by e-mail (matching case-insensitively) + {len(orphan_rows)} orphaned")
    out(f"- **orphaned grants: {len(orphan_rows)}**, holders: " + ", ".join(
        f"{h} ({n})" for h, n in Counter(g["identity_id"] for g in orphan_rows).items()))
    out("- named by e-mail: " + ", ".join(
        f"`{g['identity_id']}` → {lookup[g['identity_id'].lower()]['identity_id']} ({g['system']})" for g in by_email))
    term_ids = {r["identity_id"] for r in ids if r["status"] == "terminated"}
    out(f"- grants held by terminated identities: {sum(lookup.get(g['identity_id'].lower(), {}).get('identity_id') in term_ids for g in ents)}")
    out("")
    out("Grants per system:")
    out("")
    out("| system | grants | privileged |")
    out("|---|---|---|")
    per = Counter(g["system"] for g in ents)
    per_priv = Counter(g["system"] for g in ents if g["privileged"] == "true")
    for s in sysnames:
        out(f"| {s} | {per[s]} | {per_priv[s]} |")
    own = [g for g in ents if g["privileged"] == "true" and lookup.get(g["identity_id"].lower())
           and any(x["system"] == g["system"] and x["owner_id"] == lookup[g["identity_id"].lower()]["identity_id"]
                   for x in systems)]
    out("")
    out(f"Privileged grants held by the owner of the same system (self-review conflicts): {len(own)}: "
        + ", ".join(f"{g['identity_id']} {g['system']} {g['entitlement']}" for g in own))
    out("")
    out("Grants by type:")
    out("")
    out("| type | grants |")
    out("|---|---|")
    types = Counter(g["type"] for g in ents)
    for t in ALL_TYPES:
        out(f"| {t} | {types[t]} |")
    out("")

    # date-driven facts; boundary rows are date-only and listed individually
    out("Date facts (days = as-of date minus the value's date; other values stay clear of "
        f"{USE_WINDOW[0]}–{USE_WINDOW[1]} and {NEW_WINDOW[0]}–{NEW_WINDOW[1]} days, so the counts do not "
        "depend on inclusive/exclusive or time-of-day conventions):")
    out("")
    expired = [g for g in ents if g["expires_at"] and parse_when(g["expires_at"]) < AS_OF]
    with_exp = [g for g in ents if g["expires_at"]]
    new = [g for g in ents if ago(parse_when(g["granted_at"])) < NEW_DAYS]
    out(f"- expired (expires_at before {AS_OF}): **{len(expired)}** (of {len(with_exp)} with an expires_at)")
    out(f"- new (granted_at within the last {NEW_DAYS} days): **{len(new)}**")
    used = [ago(parse_when(g["last_used_at"])) for g in ents if g["last_used_at"]]
    never = [g for g in ents if not g["last_used_at"]]
    out(f"- last_used_at more than {THRESHOLD} days ago: {sum(d > THRESHOLD for d in used)}; exactly {THRESHOLD}: "
        f"{sum(d == THRESHOLD for d in used)}; less: {sum(d < THRESHOLD for d in used)}")
    out(f"- last_used_at empty: {len(never)} (granted more than {THRESHOLD} days ago: "
        f"{sum(ago(parse_when(g['granted_at'])) > THRESHOLD for g in never)})")
    dormant = sum(d > THRESHOLD for d in used) + sum(ago(parse_when(g['granted_at'])) > THRESHOLD for g in never)
    out(f"- **dormant** (unused > {THRESHOLD} days, or never used and granted > {THRESHOLD} days ago): "
        f"**{dormant}**, plus {sum(d == THRESHOLD for d in used)} grant(s) at exactly {THRESHOLD} days")
    rot = [ago(parse_when(g["last_rotated_at"])) for g in creds if g["last_rotated_at"]]
    out(f"- credentials rotated more than {THRESHOLD} days ago: {sum(d > THRESHOLD for d in rot)}; exactly {THRESHOLD}: "
        f"{sum(d == THRESHOLD for d in rot)}; less: {sum(d < THRESHOLD for d in rot)}; rotation unknown (empty): "
        f"{sum(not g['last_rotated_at'] for g in creds)}")
    out(f"- **unrotated** credentials (rotated > {THRESHOLD} days ago or unknown): "
        f"**{sum(d > THRESHOLD for d in rot) + sum(not g['last_rotated_at'] for g in creds)}**, plus "
        f"{sum(d == THRESHOLD for d in rot)} at exactly {THRESHOLD} days")
    out("")
    out(f"Boundary rows (date-only values {THRESHOLD - 1}, {THRESHOLD}, {THRESHOLD + 1} days before the as-of date):")
    out("")
    out("| identity_id | system | entitlement | column | value | days |")
    out("|---|---|---|---|---|---|")
    for g in ents:
        for c in ("last_used_at", "last_rotated_at"):
            if g[c] and abs(ago(parse_when(g[c])) - THRESHOLD) <= 1:
                out(f"| {g['identity_id']} | {g['system']} | {g['entitlement']} | {c} | {g[c]} | "
                    f"{ago(parse_when(g[c]))} |")
    out("")

    # expected control of every grant (PRODUCT.md §4, first rule that matches)
    ctl = Counter()
    for g in ents:
        h = lookup.get(g["identity_id"].lower())
        if h is None or h["status"] == "terminated":
            ctl["5.16"] += 1
        elif g["type"] in CREDENTIAL_TYPES:
            ctl["5.17"] += 1
        elif g["privileged"] == "true":
            ctl["8.2"] += 1
        else:
            ctl["5.18"] += 1
    out("Expected control per grant for a campaign over everything (first matching rule of PRODUCT.md §4): "
        + ", ".join(f"{c} {ctl[c]}" for c in ("5.16", "5.17", "8.2", "5.18")))
    out("")
    L += sample_company.check_lines(OUT)
    return L


BEGIN, END = "<!-- hand-check:begin -->", "<!-- hand-check:end -->"


def check(update_readme: bool) -> None:
    block = "\n".join(check_lines())
    text = README.read_text(encoding="utf-8") if README.exists() else ""
    if BEGIN in text and END in text:
        head, rest = text.split(BEGIN, 1)
        current, tail = rest.split(END, 1)
        new_text = f"{head}{BEGIN}\n{block}\n{END}{tail}"
        if current == f"\n{block}\n":
            print(block)
            print("\nREADME hand-check section matches the CSVs.")
            return
        if update_readme:
            README.write_text(new_text, encoding="utf-8")
            print("README hand-check section updated.")
            return
    print(block)
    sys.exit("\nREADME hand-check section is missing or differs from the CSVs "
             "(run with --check --update-readme).")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--check", action="store_true", help="recount from the CSVs and compare with README")
    ap.add_argument("--update-readme", action="store_true", help="with --check: rewrite the README section")
    args = ap.parse_args()
    if args.check:
        check(args.update_readme)
    else:
        generate()


if __name__ == "__main__":
    main()
