"""The sample company's exports, as the consoles write them (recert demo).

make-sample-data.py builds Northwind Analytics (people, systems, canonical
grants) and calls `generate(model)` with what it built; this module writes
sample-data/exports/: the Lisbon subsidiary's HR roster (read through a
mapping file) and the directory and application exports of the same people
(Entra ID, Okta, GitHub, Azure, Google Workspace, AWS, Entra access-review
history), each in its vendor's own layout, so `recert demo` shows identity
correlation: one person under many keys, a leaver everywhere, a rehire, an
ambiguous account, unlinked accounts with suggestions, guests, break-glass
and service accounts.

One function per source; a later story (an earlier campaign, a toxic
combination) adds rows to the function of its source, or a function of its
own to SOURCES. Everything is drawn from its own random generator, so the
canonical files never change when this module does.

`check_lines(out)` recounts the written exports independently: it re-reads
the CSVs and links every account to a person with its own small
implementation of the link rules (README "One person across every source"),
for the hand-check section of sample-data/README.md.

Python 3 standard library only.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
import re
import uuid
from collections import Counter
from pathlib import Path

AS_OF = dt.date(2026, 11, 30)
DOMAIN = "northwind.example"
PARTNER = "brightpath.example"
ANALYTICS = "northwind-analytics.example"  # the analytics brand's Google Workspace: an alias of DOMAIN
LISBOA = "lisboa.northwind.example"  # the Lisbon subsidiary's own mailboxes (not an alias)
TENANT = "northwind.onmicrosoft.com"
AWS_DATA = "210987654321"  # the data platform's AWS account
SUBSCRIPTION = "7c1e4a52-3b9d-4f60-8e21-5a0d9c3b6f14"  # Azure "Northwind Data Platform"
LABS = "northwind-labs"  # the GitHub organisation of the research code
NS = uuid.UUID("6f1c2b3a-9d8e-4f70-a1b2-c3d4e5f60718")  # object ids are uuid5 under this

rng = random.Random(20261130 + 12)


def object_id(name: str) -> str:
    return str(uuid.uuid5(NS, name))


def days_ago(n: int) -> dt.date:
    return AS_OF - dt.timedelta(days=n)


def clear_of_thresholds(n: int) -> int:
    """Days-ago values keep out of the 80-100 and 25-35 day windows, as in
    the canonical files, so no count depends on a boundary convention."""
    for lo, hi in ((80, 100), (25, 35)):
        if lo <= n <= hi:
            n = hi + 1 + rng.randint(0, 8)
    return n


def at(d: dt.date) -> dt.datetime:
    return dt.datetime(d.year, d.month, d.day, rng.randint(6, 19), rng.randint(0, 59), rng.randint(0, 59))


def us_time(t: dt.datetime) -> str:
    """Entra's browser-locale date-time: `8/19/2021 1:25:31 PM`."""
    hour = t.hour % 12 or 12
    return f"{t.month}/{t.day}/{t.year} {hour}:{t.minute:02d}:{t.second:02d} {'AM' if t.hour < 12 else 'PM'}"


def okta_time(t: dt.datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def aws_time(t: dt.datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%S+00:00")


def z_time(t: dt.datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


# --------------------------------------------------------------------------
# the Lisbon subsidiary's HR roster (persons the group HR file does not hold)
# --------------------------------------------------------------------------

# (personnel no, name, local part, status, exit date, manager's e-mail, department)
# 000388 shares a name with E0215 João Simões (an SRE in the group), so an
# account named only `joao.simoes` matches both: it is ambiguous. 000215 and
# 000902 are the same woman, who left in 2023 and was hired again: both
# records keep her e-mail. Managers are named by their group e-mail, which
# correlation resolves to the group's employee id.
LISBOA_ROSTER = [
    ("000215", "Rita Brandão", "rita.brandao", "Cessado", "31/05/2023", "tomas.assuncao", "Apoio ao Cliente"),
    ("000388", "João Simões", "joao.simoes", "Ativo", "", "folake.eze", "Apoio ao Cliente"),
    ("000688", "Pedro Nunes", "pedro.nunes", "Cessado", "15/10/2026", "folake.eze", "Apoio ao Cliente"),
    ("000731", "Inês Ortega", "ines.ortega", "Ativo", "", "folake.eze", "Apoio ao Cliente"),
    ("000742", "Gonçalo Magalhães", "goncalo.magalhaes", "Ativo", "", "theo.lefevre", "Apoio Técnico"),
    ("000756", "Beatriz Sousa", "beatriz.sousa", "Ativo", "", "theo.lefevre", "Apoio Técnico"),
    ("000803", "Tomás Ribeiro", "tomas.ribeiro", "Ativo", "", "folake.eze", "Apoio ao Cliente"),
    ("000902", "Rita Brandão", "rita.brandao", "Ativo", "", "tomas.assuncao", "Apoio ao Cliente"),
]
LISBOA_COLUMNS = ["N.º Colaborador", "Nome Completo", "Email", "Departamento", "Situação",
                  "Email da Chefia", "Data de Saída", "Centro de Custo"]
LISBOA_MAPPING = """\
# The Lisbon subsidiary's HR roster (its payroll provider's export, in
# Portuguese) as recert identities: recert import hr-lisboa.csv
# --mapping hr-lisboa.csv=hr-lisboa.toml
kind = "identities"

[columns]
identity_id = "N.º Colaborador"
display_name = "Nome Completo"
email = "Email"
department = "Departamento"
status = "Situação"
manager_id = "Email da Chefia"
termination_date = "Data de Saída"

[constants]
kind = "human"

[values.status]
"Ativo" = "active"
"Cessado" = "terminated"

[dates]
formats = ["%d/%m/%Y"]
"""


def lisboa(m) -> tuple[list[str], list[list[str]]]:
    rows = [[no, name, f"{local}@{LISBOA}", dept, status, f"{manager}@{DOMAIN}", exit_date, "PT-200"]
            for no, name, local, status, exit_date, manager, dept in LISBOA_ROSTER]
    return LISBOA_COLUMNS, rows


def lisboa_people() -> list[dict]:
    """The roster as the exports below use it."""
    out = []
    for no, name, local, status, exit_date, _, _ in LISBOA_ROSTER:
        term = dt.datetime.strptime(exit_date, "%d/%m/%Y").date() if exit_date else None
        out.append({"id": no, "name": name, "email": f"{local}@{LISBOA}", "local": local,
                    "status": "terminated" if status == "Cessado" else "active", "term": term,
                    "dept": "Support", "team": "Lisboa", "kind": "human", "tags": set()})
    return out


# --------------------------------------------------------------------------
# who is where
# --------------------------------------------------------------------------

def first_last(p) -> tuple[str, str]:
    first, _, last = p["name"].partition(" ")
    return first, last


def eng(m) -> list[dict]:
    """People of Engineering and Security: the Entra tenant, Okta's engineering users."""
    return [p for p in m.people if p["dept"] in ("Engineering", "Security")]


# GitHub logins (the organisation `northwind-labs`). Most members linked
# their account to Okta (SAML NameID = e-mail); these did not, so only the
# Okta "GitHub - Northwind Labs" assignment pairs the login with them.
OKTA_APP_LOGINS = {"E0412": "sakura-y", "E0429": "pmazur-gh", "C0318": "nfarouk", "P2043": "deniz-bp"}
# Members nobody can link: no SAML, no verified e-mail, no Okta assignment.
UNKNOWN_LOGINS = [("jsimoes", "J Simoes"), ("mkohler", "")]
NO_2FA = {"E0216", "P2043"}
GITHUB_TEAMS = ("Engineering", "Platform", "SRE", "Data", "Web")


def github_people(m) -> list[dict]:
    """Members of the organisation (consultants are outside collaborators)."""
    return [p for p in m.people
            if p["dept"] == "Engineering" and p["team"] in GITHUB_TEAMS and p["kind"] == "human"]


def github_login(p) -> str:
    if p["id"] in OKTA_APP_LOGINS:
        return OKTA_APP_LOGINS[p["id"]]
    first, last = p["email"].split("@")[0].split(".", 1)
    style = int(p["id"][1:]) % 3
    return (f"{first}-{last}", f"{first}{last}-nw", f"{first[0]}{last}-nw")[style]


DATA_TEAM = ["E0117", "E0412", "E0216", "E0583", "E0119", "E0924", "E0638", "E0399", "E0912", "C0127"]

# --------------------------------------------------------------------------
# Microsoft Entra ID: Users > All users > Download users (with employeeId)
# --------------------------------------------------------------------------

ENTRA_COLUMNS = [
    "userPrincipalName", "displayName", "surname", "mail", "givenName", "id", "userType", "jobTitle",
    "department", "accountEnabled", "usageLocation", "streetAddress", "state", "country",
    "officeLocation", "city", "postalCode", "telephoneNumber", "mobilePhone", "alternateEmailAddress",
    "ageGroup", "consentProvidedForMinor", "legalAgeGroupClassification", "companyName", "creationType",
    "directorySynced", "invitationState", "identityIssuer", "createdDateTime", "employeeId",
]
COUNTRY = {"Berlin": ("DE", "Germany"), "Lisbon": ("PT", "Portugal"), "Kraków": ("PL", "Poland"),
           "London": ("GB", "United Kingdom"), "Remote": ("GB", "United Kingdom"),
           "Toronto": ("CA", "Canada"), "München": ("DE", "Germany")}


def guest_upn(email: str) -> str:
    return email.replace("@", "_") + f"#EXT#@{TENANT}"


def entra_upn(p) -> str:
    return guest_upn(p["email"]) if p["kind"] == "external" else p["email"]


def entra_row(upn, name, mail="", *, surname="", given="", user_type="Member", title="", dept="",
              enabled=True, location="London", company="Northwind Analytics", creation="",
              synced=True, invitation="", created=None, employee_id=""):
    usage, country = COUNTRY.get(location, ("GB", "United Kingdom"))
    created = created or at(days_ago(rng.randint(400, 2000)))
    return [upn, name, surname, mail, given, object_id("entra:" + upn.lower()), user_type, title, dept,
            "True" if enabled else "False", usage, "", "", country, location if location != "Remote" else "",
            location if location not in ("Remote",) else "", "", "", "", "", "", "", "", company, creation,
            "True" if synced else "", invitation, TENANT, us_time(created), employee_id]


def entra(m) -> tuple[list[str], list[list[str]]]:
    rows = []
    for p in eng(m):
        first, last = first_last(p)
        hired = at(max(p["hire"], dt.date(2019, 6, 3)))
        if p["kind"] == "external":
            # Consultants are invited guests: their own address is their home.
            rows.append(entra_row(guest_upn(p["email"]), p["name"], p["email"], surname=last, given=first,
                                  user_type="Guest", dept=p["dept"], location=p["location"],
                                  company="Brightpath Consulting", creation="Invitation", synced=False,
                                  invitation="Accepted", created=hired))
            continue
        # HR-synced accounts carry the employee id. A leaver's account is
        # disabled, except E0412's: nobody did (the review must catch it).
        enabled = p["status"] == "active" or p["id"] == "E0412"
        rows.append(entra_row(p["email"], p["name"], p["email"], surname=last, given=first,
                              title={"head": "Head of " + p["dept"], "lead": p["team"] + " lead"}.get(p["role"], ""),
                              dept=p["dept"], enabled=enabled, location=p["location"], created=hired,
                              employee_id=p["id"]))
    for p in lisboa_people():
        if p["id"] == "000215":
            continue  # her old account was deleted when she left in 2023
        first, last = first_last(p)
        # Cloud-only accounts of the subsidiary: no employee id, except one
        # typed in by hand from a spreadsheet that dropped its leading zeros.
        rows.append(entra_row(p["email"], p["name"], p["email"], surname=last, given=first, dept="Support",
                              enabled=p["status"] == "active" or p["id"] == "000688", location="Lisbon",
                              company="Northwind Analytics Lisboa", synced=False,
                              employee_id=str(int(p["id"])) if p["id"] == "000742" else ""))
    rows += [
        # Second (admin) accounts: secondary accounts of their person.
        entra_row(f"adm-pawel.mazur@{DOMAIN}", "Paweł Mazur (admin)", surname="Mazur", given="Paweł",
                  dept="Engineering", synced=False),
        entra_row(f"adm-sakura.yamamoto@{DOMAIN}", "Sakura Yamamoto (admin)", surname="Yamamoto",
                  given="Sakura", dept="Engineering", synced=False),
        # A second account someone made by hand: only the display name says whose.
        entra_row(f"hvogel@{DOMAIN}", "Hannah Vogel", f"hvogel@{DOMAIN}", surname="Vogel", given="Hannah",
                  dept="Engineering", synced=False),
        # Emergency access and service accounts, known by their names.
        entra_row(f"breakglass-01@{TENANT}", "Emergency access 01", dept="", synced=False, company=""),
        entra_row(f"svc-backup@{DOMAIN}", "Backup service", dept="Engineering", synced=False),
        entra_row(f"sync_hr@{TENANT}", "HR provisioning sync", dept="", synced=False, company=""),
        # An invitation nobody accepted, for an auditor nobody in HR knows.
        entra_row(guest_upn("sam.okafor@acme-audit.example"), "Sam Okafor (Acme Audit)",
                  "sam.okafor@acme-audit.example", surname="Okafor", given="Sam", user_type="Guest",
                  company="Acme Audit", creation="Invitation", synced=False, invitation="PendingAcceptance",
                  created=at(days_ago(12))),
    ]
    return ENTRA_COLUMNS, rows


# --------------------------------------------------------------------------
# Okta: Reports > Okta Password Health, and Current Assignments
# --------------------------------------------------------------------------

OKTA_USERS_COLUMNS = ["User", "Login", "Status", "Activation date", "Authentication Source", "Last Login",
                      "Last Password Change"]
OKTA_STATUS = {"E0870": "DEPROVISIONED", "C0318": "SUSPENDED", "E0988": "STAGED", "000688": "ACTIVE"}


def okta_user(name, login, status, hired: dt.date, last_login: dt.date | None) -> list[str]:
    activated = at(hired)
    changed = at(days_ago(clear_of_thresholds(rng.randint(2, 75))))
    changed = max(changed, activated)
    return [name, login, status, okta_time(activated), "Okta",
            okta_time(at(last_login)) if last_login else "Never", okta_time(changed)]


def last_login_of(p) -> dt.date | None:
    if p.get("login"):
        return dt.date.fromisoformat(p["login"][:10])
    return None


def okta_users(m) -> tuple[list[str], list[list[str]]]:
    rows = []
    for p in eng(m):
        status = OKTA_STATUS.get(p["id"], "ACTIVE")
        hired = max(p["hire"], dt.date(2019, 6, 3))
        last = None if status == "STAGED" else last_login_of(p)
        if p["id"] == "E0412":
            last = dt.date(2026, 9, 14)  # two weeks after she left
        rows.append(okta_user(p["name"], p["email"], status, hired, last))
    for p in lisboa_people():
        if p["id"] == "000215":
            continue  # her old account was deleted when she left
        hired = dt.date(2025, 2, 1) if p["id"] == "000902" else days_ago(rng.randint(400, 1500))
        last = days_ago(rng.randint(1, 12)) if p["status"] == "active" else dt.date(2026, 10, 14)
        rows.append(okta_user(p["name"], p["email"], OKTA_STATUS.get(p["id"], "ACTIVE"), hired, last))
    # A staff login made for the Brightpath consultant Deniz Şahin (P2043),
    # whose own address is deniz.sahin@brightpath.example: nothing links it.
    rows.append(okta_user("Deniz Sahin", f"deniz.sahin@{DOMAIN}", "ACTIVE", days_ago(300), days_ago(4)))
    rows.sort(key=lambda r: r[1])
    return OKTA_USERS_COLUMNS, rows


OKTA_ASSIGNMENT_COLUMNS = ["User", "Login", "Application name", "Application instance", "Application login",
                           "Assigned on", "Unassigned on", "Last login", "Last password change"]
GITHUB_APP = "GitHub - Northwind Labs"
AWS_APP = f"AWS {AWS_DATA} data-platform"
# AWS single sign-on into the data platform, by IAM user name.
AWS_APP_LOGINS = {"E0117": "ryamamoto", "E0216": "sbennett", "E0119": "neha.menon"}


def okta_assignments(m) -> tuple[list[str], list[list[str]]]:
    rows = []
    by_id = {p["id"]: p for p in m.people}
    for p in github_people(m) + [by_id["P2043"]]:
        assigned = at(max(p["hire"], dt.date(2021, 3, 1)) + dt.timedelta(days=rng.randint(1, 20)))
        used = at(days_ago(rng.randint(1, 20))) if p["status"] == "active" else at(p["term"])
        rows.append([p["name"], p["email"], "githubcloud", GITHUB_APP, github_login(p), okta_time(assigned), "",
                     okta_time(used), ""])
    for pid, login in AWS_APP_LOGINS.items():
        p = by_id[pid]
        rows.append([p["name"], p["email"], "amazon_aws", AWS_APP, login, okta_time(at(days_ago(500))), "",
                     okta_time(at(days_ago(rng.randint(1, 9)))), ""])
    # Sakura Yamamoto's AWS assignment was ended when she left; her IAM user was not.
    sakura = by_id["E0412"]
    rows.append([sakura["name"], sakura["email"], "amazon_aws", AWS_APP, "sakura.yamamoto",
                 okta_time(at(days_ago(700))), okta_time(at(dt.date(2026, 9, 1))), okta_time(at(dt.date(2026, 8, 28))),
                 ""])
    rows.sort(key=lambda r: (r[3], r[1]))
    return OKTA_ASSIGNMENT_COLUMNS, rows


# --------------------------------------------------------------------------
# GitHub Enterprise Cloud: enterprise People > Export as CSV
# --------------------------------------------------------------------------

GITHUB_COLUMNS = [
    "GitHub com login", "GitHub com name", "Enterprise server user ids", "GitHub com user", "Enterprise server user",
    "Visual studio subscription user", "License type", "GitHub com profile", "GitHub com member roles",
    "GitHub com enterprise roles", "GitHub com verified domain emails", "GitHub com saml name",
    "GitHub com orgs with pending invites", "GitHub com two factor auth", "GitHub com two factor auth required by date",
    "GitHub com cost center", "GitHub com code security license user", "GitHub com secret protection license user",
    "Ghe license active", "Ghe license start date", "Ghe license end date", "Enterprise server primary emails",
    "Enterprise server advanced security user ids", "Enterprise server code security user ids",
    "Enterprise server secret protection user ids", "Visual studio license status", "Visual studio subscription email",
    "Total user accounts",
]


def github_row(login, name, roles, enterprise_role, email, saml, two_factor=True, pending=""):
    return [login, name, "", "true", "false", "false", "Enterprise", f"https://github.com/{login}", roles,
            enterprise_role, email, saml, pending, "true" if two_factor else "false", "", "", "false", "false",
            "true", "2025-01-01", "2027-01-01", "", "", "", "", "", "", "1"]


def github(m) -> tuple[list[str], list[list[str]]]:
    rows = []
    by_id = {p["id"]: p for p in m.people}
    for p in github_people(m):
        login = github_login(p)
        linked_by_saml = p["id"] not in OKTA_APP_LOGINS
        email = p["email"] if linked_by_saml else ""
        if p["id"] == "E0988":
            # Invited this month, not accepted yet: no organisation role.
            rows.append(github_row(login, p["name"], "", "", email, email, pending=LABS))
            continue
        role = "Owner" if p["role"] == "head" else "Member"
        rows.append(github_row(login, p["name"], f"{LABS}:{role}", "Owner" if role == "Owner" else "Member",
                               email, email, two_factor=p["id"] not in NO_2FA))
    deniz = by_id["P2043"]
    rows.append(github_row(OKTA_APP_LOGINS["P2043"], deniz["name"], f"{LABS}/infra-tools:Collaborator", "", "", "",
                           two_factor=False))
    for login, name in UNKNOWN_LOGINS:
        rows.append(github_row(login, name, f"{LABS}:Member", "Member", "", ""))
    rows.sort(key=lambda r: r[0].lower())
    return GITHUB_COLUMNS, rows


# --------------------------------------------------------------------------
# Azure: Get-AzRoleAssignment | Export-Csv (PowerShell 7: every field quoted)
# --------------------------------------------------------------------------

AZURE_COLUMNS = ["RoleAssignmentName", "RoleAssignmentId", "Scope", "DisplayName", "SignInName",
                 "RoleDefinitionName", "RoleDefinitionId", "ObjectId", "ObjectType", "CanDelegate",
                 "Description", "ConditionVersion", "Condition"]
ROLE_IDS = {
    "Owner": "8e3af657-a8ff-443c-a75c-2fe8c4bcb635",
    "Contributor": "b24988ac-6180-42a0-ab88-20f7382dd24c",
    "Reader": "acdd72a7-3385-48ef-bd42-f606fba81ae7",
    "User Access Administrator": "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9",
    "Storage Blob Data Contributor": "ba92f5b4-2d11-453d-a403-e96b0029c9fe",
    "Key Vault Secrets User": "4633458b-17de-408a-b874-0445c86b69e6",
}


def azure(m) -> tuple[list[str], list[list[str]]]:
    by_id = {p["id"]: p for p in m.people}
    sub = f"/subscriptions/{SUBSCRIPTION}"

    def row(role, scope, name, sign_in, object_key, object_type="User"):
        scope_path = sub + (f"/resourceGroups/{scope}" if scope else "")
        assignment = object_id(f"azure:{role}:{scope}:{object_key}")
        return [assignment, f"{sub}/providers/Microsoft.Authorization/roleAssignments/{assignment}", scope_path,
                name, sign_in, role, ROLE_IDS[role], object_id(object_key), object_type, "False", "", "", ""]

    def user(role, scope, pid):
        p = by_id[pid]
        return row(role, scope, p["name"], entra_upn(p), "entra:" + entra_upn(p).lower())

    def account(role, scope, upn, name):
        return row(role, scope, name, upn, "entra:" + upn.lower())

    rows = [
        account("Owner", "", f"adm-pawel.mazur@{DOMAIN}", "Paweł Mazur (admin)"),
        account("Owner", "", f"adm-sakura.yamamoto@{DOMAIN}", "Sakura Yamamoto (admin)"),
        account("User Access Administrator", "", f"breakglass-01@{TENANT}", "Emergency access 01"),
        user("Contributor", "rg-data", "E0117"),
        user("Contributor", "rg-data", "E0583"),
        user("Contributor", "rg-data", "E0924"),
        user("Contributor", "rg-data", "E0399"),
        user("Reader", "rg-data", "E0412"),
        user("Contributor", "rg-platform", "E0764"),
        user("Contributor", "rg-platform", "E0250"),
        user("Reader", "", "E0715"),
        user("Reader", "", "E0335"),
        user("Reader", "", "E0884"),
        account("Reader", "rg-support", f"rita.brandao@{LISBOA}", "Rita Brandão"),
        row("Storage Blob Data Contributor", "rg-data", "adf-northwind-data", "", "sp:adf-northwind-data",
            "ServicePrincipal"),
        row("Key Vault Secrets User", "rg-data", "mi-ingest-worker", "", "mi:mi-ingest-worker", "ManagedIdentity"),
        row("Reader", "rg-data", "Data Engineers", "", "group:data-engineers", "Group"),
    ]
    # Two users the export names by object id only (exported without
    # directory read permission for them): only their Entra id links them.
    for pid in ("E0119", "P2057"):
        p = by_id[pid]
        rows.append(row("Reader", "rg-data", "", "", "entra:" + entra_upn(p).lower()))
    return AZURE_COLUMNS, rows


# --------------------------------------------------------------------------
# Google Workspace: Directory > Users > Download users (all columns)
# --------------------------------------------------------------------------

GOOGLE_COLUMNS = [
    "First Name [Required]", "Last Name [Required]", "Email Address [Required]", "Password [Required]",
    "Password Hash Function [UPLOAD ONLY]", "Org Unit Path [Required]", "New Primary Email [UPLOAD ONLY]",
    "Status [READ ONLY]", "Last Sign In [READ ONLY]", "Recovery Email", "Home Secondary Email",
    "Work Secondary Email", "Recovery Phone [MUST BE IN THE E.164 FORMAT]", "Work Phone", "Home Phone",
    "Mobile Phone", "Work Address", "Home Address", "Employee ID", "Employee Type", "Employee Title",
    "Manager Email", "Department", "Cost Center", "2sv Enrolled [READ ONLY]", "2sv Enforced [READ ONLY]",
    "Building ID", "Floor Name", "Floor Section", "Email Usage [READ ONLY]", "Drive Usage [READ ONLY]",
    "Total Storage [READ ONLY]", "Change Password at Next Sign-In", "New Status [UPLOAD ONLY]",
    "Advanced Protection Program enrollment",
]


def google_row(first, last, email, unit, status, signed_in, employee_id="", employee_type="Employee", title="",
               manager="", dept="", two_step=True):
    shown = signed_in.strftime("%Y/%m/%d %H:%M:%S") if signed_in else "Never logged in"
    return [first, last, email, "****", "", unit, "", status, shown, "", "", "", "", "", "", "", "", "", employee_id,
            employee_type, title, manager, dept, "CC-DATA", "True" if two_step else "False",
            "True" if two_step else "False", "", "", "", "0.12GB", "2.40GB", "Unlimited", "False", "", "False"]


def google(m) -> tuple[list[str], list[list[str]]]:
    by_id = {p["id"]: p for p in m.people}
    rows = []
    for pid in DATA_TEAM:
        p = by_id[pid]
        first, last = first_last(p)
        local = p["email"].split("@")[0]
        manager = p["manager"]["email"].split("@")[0] + "@" + ANALYTICS if p["manager"] else ""
        signed_in = at(days_ago(rng.randint(1, 12)))
        status = "Active"
        if pid == "E0412":
            signed_in = at(dt.date(2026, 11, 12))  # ten weeks after she left
        if pid == "C0127":
            status = "Suspended"
            signed_in = at(days_ago(clear_of_thresholds(rng.randint(40, 70))))
        rows.append(google_row(first, last, f"{local}@{ANALYTICS}", "/Engineering/Data", status, signed_in,
                               employee_type="Contractor" if pid.startswith("C") else "Employee",
                               manager=manager, dept="Data", two_step=pid != "E0399"))
    ines = next(p for p in lisboa_people() if p["id"] == "000731")
    rows.append(google_row("Inês", "Ortega", f"ines.ortega@{ANALYTICS}", "/Lisboa", "Active", at(days_ago(3)),
                           employee_id="000731", dept="Apoio ao Cliente",
                           manager=f"folake.eze@{ANALYTICS}"))
    assert ines["id"] == "000731"
    rows += [
        google_row("Sala", "Tejo", f"sala-tejo@{ANALYTICS}", "/Resources/Rooms", "Active", None,
                   employee_type="", two_step=False),
        google_row("ETL", "Reports", f"etl-reports@{ANALYTICS}", "/Service Accounts", "Active", at(days_ago(1)),
                   employee_type="", two_step=False),
        google_row("Data", "Team", f"data-team@{ANALYTICS}", "/Engineering/Data", "Active", at(days_ago(2)),
                   employee_type="Shared mailbox", two_step=False),
    ]
    rows.sort(key=lambda r: r[2])
    return GOOGLE_COLUMNS, rows


# --------------------------------------------------------------------------
# AWS: the data platform account's IAM credential report
# --------------------------------------------------------------------------

AWS_COLUMNS = [
    "user", "arn", "user_creation_time", "password_enabled", "password_last_used", "password_last_changed",
    "password_next_rotation", "mfa_active", "access_key_1_active", "access_key_1_last_rotated",
    "access_key_1_last_used_date", "access_key_1_last_used_region", "access_key_1_last_used_service",
    "access_key_2_active", "access_key_2_last_rotated", "access_key_2_last_used_date",
    "access_key_2_last_used_region", "access_key_2_last_used_service", "cert_1_active", "cert_1_last_rotated",
    "cert_2_active", "cert_2_last_rotated",
]


def aws_user(name, *, path="", created=900, console=None, mfa=True, key=None, root=False):
    """console = (last used days ago or None, changed days ago); key = (rotated, last used days ago)."""
    arn = f"arn:aws:iam::{AWS_DATA}:root" if root else f"arn:aws:iam::{AWS_DATA}:user/{path}{name}"
    row = [name, arn, aws_time(at(days_ago(created)))]
    if root:
        row += ["not_supported", aws_time(at(days_ago(console[0]))), "not_supported", "not_supported"]
    elif console:
        used, changed = console
        row += ["true", aws_time(at(days_ago(used))) if used is not None else "no_information",
                aws_time(at(days_ago(changed))), "N/A"]
    else:
        row += ["false", "N/A", "N/A", "N/A"]
    row.append("true" if mfa else "false")
    if key:
        rotated, used = key
        row += ["true", aws_time(at(days_ago(rotated))), aws_time(at(days_ago(used))), "eu-central-1", "s3"]
    else:
        row += ["false", "N/A", "N/A", "N/A", "N/A"]
    row += ["false", "N/A", "N/A", "N/A", "N/A", "false", "N/A", "false", "N/A"]
    return row


def aws(m) -> tuple[list[str], list[list[str]]]:
    rows = [
        aws_user("<root_account>", created=2100, console=(400, 0), root=True),
        aws_user("bjorna", created=700, console=(6, 40)),
        aws_user("breakglass-admin", path="emergency/", created=1500, console=(250, 250)),
        aws_user("etl-loader", created=1200, mfa=False, key=(150, 1)),
        aws_user("henrik.dahl-admin", created=650, console=(9, 60)),
        aws_user("joao.simoes", created=300, console=(3, 50)),
        # Denied in the Q2 review (2026-05-18), still here, without MFA.
        aws_user("kavya.kulkarni", created=1100, console=(2, 250), mfa=False),
        aws_user("ryamamoto", created=1300, console=(1, 40)),
        # Her key was used seven weeks after she left (2026-08-31).
        aws_user("sakura.yamamoto", created=1000, mfa=False, key=(300, 40)),
        aws_user("sbennett", created=800, console=(5, 70), key=(60, 2)),
        aws_user("terraform-data", path="service/", created=1400, mfa=False, key=(45, 0)),
    ]
    return AWS_COLUMNS, rows


# --------------------------------------------------------------------------
# Entra ID Governance: Access reviews > Review History > Download
# --------------------------------------------------------------------------

HISTORY_COLUMNS = [
    "AccessReviewId", "AccessReviewSeriesId", "ReviewType", "ResourceDisplayName", "ResourceId", "ReviewName",
    "CreatedDateTime", "ReviewStartDate", "ReviewEndDate", "ReviewStatus", "OwnerId", "OwnerName", "OwnerUPN",
    "PrincipalId", "PrincipalName", "PrincipalUPN", "PrincipalType", "ReviewDate", "ReviewResult", "Justification",
    "ReviewerId", "ReviewerName", "ReviewerUPN", "ReviewerEmailAddress", "AppliedByName", "AppliedByUPN",
    "AppliedByEmailAddress", "AppliedDate", "AccessRecommendation", "SubmissionResult",
]
# (review, resource, start, end, person, result, reviewer, date, justification)
REVIEWS = [
    ("Q2 2026 engineering access", "github", "2026-05-01", "2026-05-31", "E0412", "Approve", "E0117",
     "2026-05-14", "Needs repo access for the ingest rewrite"),
    ("Q2 2026 engineering access", "github", "2026-05-01", "2026-05-31", "E0764", "Deny", "E0429",
     "2026-05-20", "Moved to the payments team; the labs repositories are no longer needed"),
    ("Q2 2026 engineering access", "github", "2026-05-01", "2026-05-31", "E0706", "Approve", "E0182",
     "2026-05-12", "Web platform work"),
    ("Q2 2026 engineering access", "github", "2026-05-01", "2026-05-31", "C0318", "NotReviewed", "E0182",
     "2026-05-31", ""),
    ("Q2 2026 engineering access", "aws", "2026-05-01", "2026-05-31", "E0583", "Deny", "E0117",
     "2026-05-18", "Works on dashboards now; no AWS access needed"),
    ("Q2 2026 engineering access", "aws", "2026-05-01", "2026-05-31", "E0216", "Approve", "E0117",
     "2026-05-18", "Runs the nightly loads"),
    ("Leaver clean-up July 2026", "github", "2026-07-01", "2026-07-15", "E0870", "Deny", "E0429",
     "2026-07-02", "Left the company"),
    ("Lisboa Q3 2026", "google-workspace", "2026-08-01", "2026-08-31", "000731", "Approve", "E0662",
     "2026-08-11", "Shares the support dashboards"),
]


def history(m) -> tuple[list[str], list[list[str]]]:
    everyone = {p["id"]: p for p in m.people + lisboa_people()}
    rows = []
    for review, resource, start, end, pid, result, reviewer_id, day, why in REVIEWS:
        p, reviewer = everyone[pid], everyone[reviewer_id]
        series = object_id(f"series:{review}")
        when = dt.datetime.fromisoformat(day + "T10:30:00")
        rows.append([object_id(f"review:{review}:{resource}"), series, "Application", resource,
                     object_id(f"resource:{resource}"), review, start + "T08:00:00Z", start + "T08:00:00Z",
                     end + "T23:59:59Z", "Completed", "", "IAM Team", f"iam@{DOMAIN}", object_id("entra:" + p["email"]),
                     p["name"], p["email"], "user", z_time(when), result, why, "", reviewer["name"],
                     reviewer["email"], reviewer["email"], "", "", "", end + "T23:59:59Z",
                     result if result != "NotReviewed" else "", "applied"])
    return HISTORY_COLUMNS, rows


# --------------------------------------------------------------------------
# the exported systems' owners (a canonical systems file the IAM team keeps)
# --------------------------------------------------------------------------

def systems(m) -> tuple[list[str], list[list[str]]]:
    return ["system", "owner_id", "criticality"], [
        ["entra-id", "E0335", "critical"],
        ["google-workspace", "E0117", "high"],
        [f"github:{LABS}", "E0321", "high"],
        ["github-enterprise", "E0321", "high"],
        [f"aws:{AWS_DATA}", "E0117", "critical"],
        [f"azure:{SUBSCRIPTION}", "E0429", "high"],
        [GITHUB_APP, "E0335", "medium"],
        [AWS_APP, "E0335", "medium"],
    ]


# --------------------------------------------------------------------------
# the demo's workspace rules: the built-in ones, plus the second domain
# --------------------------------------------------------------------------

BUILTIN_ALIASES = "domain_aliases = []"
DEMO_ALIASES = f'domain_aliases = [["{DOMAIN}", "{ANALYTICS}"]]'
# The example [[sod]] rule of assets/rules.toml, uncommented.
BUILTIN_SOD = """# [[sod]]
# name = "payroll admin and approver"
# description = "changes payroll and approves the run"
# a = ["payroll:payroll-admin"]
# b = ["payroll:payroll-approver"]
"""
DEMO_SOD = "\n".join(line.removeprefix("# ") for line in BUILTIN_SOD.splitlines()) + "\n"
BUILTIN_OUTLIER = "[outlier]\nenabled = false\nthreshold = 0.2\nmin_peers = 5\n"
# The sample company's grants are spread at random, so at the built-in
# threshold one in seven would be an outlier: the demo asks for more peers
# and a lower share, leaving the few held by hardly any peer of a big team.
DEMO_OUTLIER = "[outlier]\nenabled = true\nthreshold = 0.01\nmin_peers = 10\n"


def rules(root: Path) -> str:
    """The demo workspace's rules (recert demo sets them as `recert rules
    set` would): the built-in rules (assets/rules.toml) with the analytics
    brand's domain declared an alias of the staff's, the example toxic
    combination in force (one person holds both: E0820) and outliers on."""
    builtin = (root / "assets" / "rules.toml").read_text(encoding="utf-8")
    for line in (BUILTIN_ALIASES, BUILTIN_SOD, BUILTIN_OUTLIER):
        assert builtin.count(line) == 1, f"assets/rules.toml: no {line!r}"
    return (builtin.replace(BUILTIN_ALIASES, DEMO_ALIASES)
            .replace(BUILTIN_SOD, DEMO_SOD)
            .replace(BUILTIN_OUTLIER, DEMO_OUTLIER))


# file name -> (function, how the console writes it)
SOURCES = {
    "hr-lisboa.csv": (lisboa, {}),
    "entra-users.csv": (entra, {"bom": True}),
    "entra-access-review-history.csv": (history, {"bom": True}),
    "okta-password-health.csv": (okta_users, {}),
    "okta-current-assignments.csv": (okta_assignments, {"quote_all": True}),
    "github-enterprise-members.csv": (github, {}),
    "azure-role-assignments.csv": (azure, {"quote_all": True, "crlf": True}),
    "google-workspace-users.csv": (google, {"bom": True}),
    "aws-credential-report.csv": (aws, {"no_final_newline": True}),
    "systems-cloud.csv": (systems, {}),
}


def write(path: Path, header, rows, bom=False, quote_all=False, crlf=False, no_final_newline=False) -> None:
    import io
    buffer = io.StringIO()
    w = csv.writer(buffer, lineterminator="\r\n" if crlf else "\n",
                   quoting=csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL)
    w.writerow(header)
    for row in rows:
        assert len(row) == len(header), (path.name, row)
        w.writerow(row)
    text = buffer.getvalue()
    if no_final_newline:
        text = text.rstrip("\n")
    path.write_bytes(("\ufeff" if bom else "").encode() + text.encode("utf-8"))


def generate(m) -> str:
    out = m.OUT / "exports"
    out.mkdir(exist_ok=True)
    counts = []
    for name, (source, style) in SOURCES.items():
        header, rows = source(m)
        write(out / name, header, rows, **style)
        counts.append(f"{name} {len(rows)}")
    (out / "hr-lisboa.toml").write_text(LISBOA_MAPPING, encoding="utf-8")
    (m.OUT / "rules.toml").write_text(rules(m.OUT.parent), encoding="utf-8")
    return "wrote exports/: " + ", ".join(counts)


# --------------------------------------------------------------------------
# independent check: read the exports back and link every account
# --------------------------------------------------------------------------

def read(path: Path) -> list[dict]:
    text = path.read_bytes().decode("utf-8-sig")
    return list(csv.DictReader(text.splitlines()))


def fold(s: str) -> str:
    return s.strip().lower()


def parts(key: str):
    if key.count("@") != 1:
        return None
    local, domain = key.split("@")
    return (local, domain) if local and "." in domain else None


class Linker:
    """README "One person across every source", rules 1 to 7, on the sample's files."""

    SECONDARY = [r"adm-(.+)", r"admin-(.+)", r"(.+)-admin", r"(.+)\.adm"]

    def __init__(self, persons: list[dict], accounts: list[dict], pairs: dict, aliases: dict):
        self.persons, self.accounts, self.pairs, self.aliases = persons, accounts, pairs, aliases
        self.by_id, self.by_email, self.by_local, self.rows = {}, {}, {}, {}
        for i, p in enumerate(persons):
            self.by_id.setdefault(fold(p["id"]), []).append(i)
            for e in {fold(p["email"]), fold(p["id"])}:
                if parts(e):
                    self.by_email.setdefault(self.canonical(e), []).append(i)
                    self.by_local.setdefault(parts(e)[0], []).append(i)
        self.by_object = {}
        for a in accounts:
            for k in {fold(a["key"]), fold(a.get("email", ""))} - {""}:
                self.rows.setdefault(k, []).append(a)
            if a.get("object_id"):
                self.by_object[fold(a["object_id"])] = a

    def canonical(self, email: str) -> str:
        local, domain = parts(email)
        return f"{local}@{self.aliases.get(domain, domain)}"

    def pick(self, persons: list[int]) -> int:
        """The active one of persons sharing a key (a rehire), else the last."""
        active = [i for i in persons if self.persons[i]["status"] == "active"]
        return (active or persons)[-1]

    def decide(self, found: list[int], basis: str):
        distinct = sorted(set(found))
        if len(distinct) == 1:
            return distinct[0], basis
        if distinct:
            return None, "ambiguous"
        return None

    def link(self, key: str, system: str, depth=0):
        key = fold(key)
        if key in self.by_id:
            return self.pick(self.by_id[key]), "identity-id"
        rows = self.rows.get(key, [])
        found = []
        for a in rows:
            employee = fold(a.get("employee_id", ""))
            if employee in self.by_id:
                found.append(self.pick(self.by_id[employee]))
            elif employee.isdigit():
                found += [self.pick(v) for k, v in self.by_id.items() if k.isdigit() and k.lstrip("0") == employee.lstrip("0")]
        if (decided := self.decide(found, "employee-id")):
            return decided
        exact, aliased = [], []
        emails = [key] + [fold(v) for a in rows for v in (a["key"], a.get("email", ""), a.get("home", "")) if v]
        for e in dict.fromkeys(e for e in emails if parts(e)):
            persons = self.by_email.get(self.canonical(e), [])
            if not persons:
                continue
            chosen = self.pick(persons)
            if any(e in (fold(self.persons[i]["email"]), fold(self.persons[i]["id"])) for i in persons):
                exact.append(chosen)
            else:
                aliased.append(chosen)
        if (decided := self.decide(exact + aliased, "email" if exact else "email-alias")):
            return decided
        if depth == 0 and re.fullmatch(r"[0-9a-f-]{36}", key) and key in self.by_object:
            user = fold(self.by_object[key]["key"])
            if user != key:
                person, basis = self.link(user, "entra-id", 1)
                if person is not None or basis == "ambiguous":
                    return person, "object-id" if person is not None else basis
        if depth == 0 and (system, key) in self.pairs:
            person, _ = self.link(self.pairs[(system, key)], "okta")
            if person is not None:
                return person, "okta-app"
        name = key.split(":", 2)[2] if key.startswith("aws:") else key
        if not parts(name) and (decided := self.decide(self.by_local.get(name, []), "account-name")):
            return decided
        local, domain = parts(name) or (name, None)
        for pattern in self.SECONDARY:
            if (match := re.fullmatch(pattern, local)):
                base = match.group(1)
                found = []
                if domain:
                    found = self.by_email.get(self.canonical(f"{base}@{domain}"), [])
                    found = [self.pick(found)] if found else []
                if not found:
                    found = self.by_local.get(base, [])
                if (decided := self.decide(found, "secondary")):
                    return decided
                break
        return None, "unlinked"


def check_lines(out: Path) -> list[str]:
    ex = out / "exports"
    aliases = {ANALYTICS: DOMAIN}
    persons = [{"id": r["identity_id"], "email": r["email"], "name": r["display_name"], "status": r["status"]}
               for r in read(out / "identities.csv")]
    persons += [{"id": r["N.º Colaborador"], "email": r["Email"], "name": r["Nome Completo"],
                 "status": "active" if r["Situação"] == "Ativo" else "terminated"}
                for r in read(ex / "hr-lisboa.csv")]
    accounts, holders = [], []  # holders: (key, system) of every grant

    def hold(key, system):
        holders.append((key, system))

    for r in read(ex / "entra-users.csv"):
        upn = r["userPrincipalName"]
        home = ""
        if "#EXT#" in upn:
            home = upn.split("#EXT#")[0][::-1].replace("_", "@", 1)[::-1]
        accounts.append({"key": upn, "email": r["mail"] or home, "home": home, "employee_id": r["employeeId"],
                         "object_id": r["id"], "source": "entra-id"})
        hold(upn, "entra-id")
    for r in read(ex / "okta-password-health.csv"):
        accounts.append({"key": r["Login"], "email": r["Login"], "source": "okta"})
        hold(r["Login"], "okta")
    pairs = {}
    for r in read(ex / "okta-current-assignments.csv"):
        if r["Unassigned on"]:
            continue
        hold(r["Login"], r["Application instance"])
        system = (f"github:{LABS}" if "github" in r["Application instance"].lower()
                  else f"aws:{AWS_DATA}")
        pairs[(system, fold(r["Application login"]))] = fold(r["Login"])
        if system.startswith("aws:"):
            pairs[(system, f"{system}:{fold(r['Application login'])}")] = fold(r["Login"])
    for r in read(ex / "github-enterprise-members.csv"):
        key = r["GitHub com saml name"] or r["GitHub com verified domain emails"] or r["GitHub com login"]
        org = r["GitHub com member roles"].split(":")[0].split("/")[0]
        hold(key, f"github:{org}" if org else "github-enterprise")
        if org and r["GitHub com enterprise roles"] == "Owner":
            hold(key, "github-enterprise")  # an enterprise owner is a grant of its own
    for r in read(ex / "azure-role-assignments.csv"):
        key = r["SignInName"] or r["ObjectId"]
        if r["ObjectType"] != "User":
            accounts.append({"key": r["ObjectId"], "source": f"azure:{SUBSCRIPTION}"})
        hold(key, f"azure:{SUBSCRIPTION}")
    for r in read(ex / "google-workspace-users.csv"):
        key = r["Email Address [Required]"]
        accounts.append({"key": key, "email": key, "employee_id": r["Employee ID"], "source": "google-workspace"})
        hold(key, "google-workspace")
    aws_rows = read(ex / "aws-credential-report.csv")
    for r in aws_rows:
        user = "root" if r["user"] == "<root_account>" else r["user"]
        key = f"aws:{AWS_DATA}:{user}"
        accounts.append({"key": key, "source": f"aws:{AWS_DATA}"})
        for credential in ("password_enabled", "access_key_1_active", "access_key_2_active",
                           "cert_1_active", "cert_2_active"):
            if r[credential] in ("true", "not_supported"):  # the root's password is not_supported
                hold(key, f"aws:{AWS_DATA}")
    for r in read(out / "entitlements.csv"):
        hold(r["identity_id"], r["system"])

    linker = Linker(persons, accounts, pairs, aliases)
    first_system, shown = {}, {}
    for key, system in [(a["key"], a["source"]) for a in accounts] + holders:
        first_system.setdefault(fold(key), system)
        shown.setdefault(fold(key), key.strip())
    links = {key: linker.link(key, fold(system)) for key, system in first_system.items()}
    label = {i: f"{p['name']} ({p['id']})" for i, p in enumerate(persons)}

    def keys_of(person_id):
        return sorted(shown[k] for k, (p, _) in links.items() if p is not None and persons[p]["id"] == person_id)

    L = []
    out_ = L.append
    out_("### exports/ (the demo's correlation)")
    out_("")
    files = sorted(p.name for p in ex.glob("*.csv"))
    out_("- files: " + ", ".join(f"`{f}` {len(read(ex / f))}" for f in files))
    out_(f"- persons (identities.csv + hr-lisboa.csv): **{len(persons)}**")
    bases = Counter(basis for _, basis in links.values())
    order = ["identity-id", "employee-id", "email", "email-alias", "object-id", "okta-app", "account-name",
             "secondary", "ambiguous", "unlinked"]
    out_(f"- accounts (`recert links` after `recert demo`): **{len(links)}**; by link basis: "
         + ", ".join(f"{b} {bases[b]}" for b in order))
    for b in order[1:8]:
        examples = sorted(k for k, (_, basis) in links.items() if basis == b)[:3]
        out_(f"  - {b}: e.g. " + ", ".join(f"`{shown[k]}` → {label[links[k][0]]}" for k in examples))
    ambiguous = sorted(k for k, (_, b) in links.items() if b == "ambiguous")
    out_("- ambiguous: " + ", ".join(f"`{shown[k]}`" for k in ambiguous)
         + " (matches " + " and ".join(label[i] for i in sorted(set(linker.by_local.get("joao.simoes", [])))) + ")")
    out_("- E0412 Sakura Yamamoto (left 2026-08-31) goes by: " + ", ".join(f"`{k}`" for k in keys_of("E0412")))
    rehire = [i for i, p in enumerate(persons) if fold(p["email"]) == f"rita.brandao@{LISBOA}"]
    out_("- rehire: " + " and ".join(f"{persons[i]['id']} ({persons[i]['status']})" for i in rehire)
         + " share `rita.brandao@" + LISBOA + "`; her accounts link to "
         + ", ".join(sorted({persons[links[k][0]]["id"] for k in links if k.startswith("rita.brandao@")})))
    unlinked = sorted(k for k, (_, b) in links.items() if b == "unlinked")
    out_(f"- unlinked: {len(unlinked)}: " + ", ".join(f"`{shown[k]}`" for k in unlinked))
    grants = len(holders)
    canonical = len(read(out / "entitlements.csv"))
    out_(f"- grants in the exports: {grants - canonical}; the demo campaign's items: "
         f"{canonical} + {grants - canonical} = **{grants}**")
    return L
