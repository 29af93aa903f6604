//! What `recert mapping init` knows about real exports: the names HR and
//! application exports give each canonical field, the words they use for
//! statuses, kinds and types, and the date layouts they write. Names are
//! compared normalised (lower-case letters and digits only).

use super::super::canonical::{GRANT_FIELDS, IDENTITY_FIELDS, SYSTEM_FIELDS};
use super::super::values::parse_bool;
use super::super::vendor::fields::normalise;
use crate::model::{Criticality, GrantType, IdentityKind, IdentityStatus};

/// Header names for a field, most likely first, normalised, separated by
/// spaces.
pub type Synonyms = &'static str;

/// A canonical file kind and its fields.
pub struct Kind {
    pub name: &'static str,
    pub fields: &'static [&'static str],
    pub required: &'static [&'static str],
}

pub const KINDS: [Kind; 3] = [
    Kind {
        name: "identities",
        fields: IDENTITY_FIELDS,
        required: &["identity_id"],
    },
    Kind {
        name: "entitlements",
        fields: GRANT_FIELDS,
        required: &["identity_id", "system", "entitlement"],
    },
    Kind {
        name: "systems",
        fields: SYSTEM_FIELDS,
        required: &["system"],
    },
];

impl Kind {
    pub fn named(name: &str) -> Option<&'static Kind> {
        KINDS
            .iter()
            .find(|k| k.name.eq_ignore_ascii_case(name.trim()))
    }
}

pub fn synonyms(kind: &str, field: &str) -> Synonyms {
    match (kind, field) {
        ("identities", "identity_id") => {
            "identityid employeeid employeeno employeenumber employeenr personnelno \
            personnelnumber personnelid personalnummer staffid staffno staffnumber \
            empid empno workerid personid personnumber hrid userid id"
        }
        ("identities", "display_name") => {
            "displayname fullname name employeename workername preferredname"
        }
        ("identities", "email") => {
            "email emailaddress mail workemail businessemail primaryemail emailwork \
            email1"
        }
        ("identities", "department") => {
            "department dept orgunit organisationalunit organizationalunit \
            organisation organization division businessunit team"
        }
        ("identities", "kind") => {
            "kind workertype employeetype employmenttype identitytype persontype \
            accounttype usertype type"
        }
        ("identities", "status") => {
            "status employmentstatus employeestatus workerstatus accountstatus \
            userstatus state"
        }
        ("identities", "manager_id") => {
            "managerid managerno managernumber manageremployeeid manageremployeeno \
            managerpersonnelno linemanagerid linemanagerno linemanagernumber \
            supervisorid reportsto manager linemanager"
        }
        ("identities", "owner_id") => "ownerid owner sponsorid sponsor accountowner",
        ("identities", "termination_date") => {
            "terminationdate exitdate leavingdate leavedate leaverdate \
            separationdate lastworkingday lastday dateofleaving terminatedon \
            contractenddate contractend enddate"
        }
        ("identities" | "entitlements", "last_login_at") => {
            "lastloginat lastlogin lastlogon lastsignin lastsignindate lastloggedin \
            lastactivity lastseen"
        }
        ("entitlements", "identity_id") => {
            "identityid userid employeeid personnelno user username login loginname \
            account accountname upn userprincipalname samaccountname email \
            emailaddress holder member principal"
        }
        ("entitlements" | "systems", "system") => {
            "system systemname application applicationname app appname resource \
            platform service targetsystem tool"
        }
        ("entitlements", "entitlement") => {
            "entitlement role rolename group groupname permission permissions \
            accesslevel access accessright right privilege profile"
        }
        ("entitlements", "type") => "type entitlementtype accesstype granttype",
        ("entitlements", "privileged") => {
            "privileged isprivileged privilegedaccess admin isadmin elevated"
        }
        ("entitlements", "granted_at") => {
            "grantedat granted grantdate granteddate assignedon assigneddate \
            assignmentdate assigned createdon createddate created startdate"
        }
        ("entitlements", "last_used_at") => {
            "lastusedat lastused lastuse lastaccess lastaccessed lastactivity \
            lastlogin lastlogon lastsignin"
        }
        ("entitlements", "last_rotated_at") => {
            "lastrotatedat lastrotated rotatedat rotated lastrotation \
            passwordlastchanged passwordlastset lastchanged"
        }
        ("entitlements", "expires_at") => {
            "expiresat expires expiry expirydate expiration expirationdate \
            validuntil validto enddate"
        }
        ("systems", "owner_id") => {
            "ownerid owner systemowner businessowner applicationowner appowner \
            technicalowner owneremail"
        }
        ("systems", "criticality") => {
            "criticality businesscriticality tier classification risklevel risk \
            importance"
        }
        _ => "",
    }
}

/// A manager or owner column that no synonym names exactly, e.g.
/// "Manager Personnel Number" or "Supervisor E-Mail": the first unused
/// column naming the role that is not a name (names do not resolve to a
/// person), an id-like one before an e-mail.
pub fn fuzzy(field: &str, names: &[String], used: &[usize]) -> Option<usize> {
    let roles: &[&str] = match field {
        "manager_id" => &["manager", "supervisor", "reportsto"],
        "owner_id" => &["owner", "sponsor"],
        _ => return None,
    };
    let candidates: Vec<(usize, String)> = names
        .iter()
        .map(|n| normalise(n))
        .enumerate()
        .filter(|(p, n)| {
            !used.contains(p) && roles.iter().any(|r| n.contains(r)) && !n.contains("name")
        })
        .collect();
    let id_like = |n: &str| {
        ["id", "no", "number", "nr", "code"]
            .iter()
            .any(|s| n.ends_with(s))
    };
    candidates
        .iter()
        .find(|(_, n)| id_like(n))
        .or_else(|| candidates.iter().find(|(_, n)| n.contains("mail")))
        .map(|(p, _)| *p)
}

/// Fields whose file values are listed under `[values.FIELD]`.
pub fn has_values(field: &str) -> bool {
    matches!(
        field,
        "status" | "kind" | "type" | "privileged" | "criticality"
    )
}

pub fn is_date(field: &str) -> bool {
    field.ends_with("_date") || field.ends_with("_at")
}

/// The canonical values of a vocabulary field.
pub fn expected(field: &str) -> String {
    match field {
        "status" => IdentityStatus::expected(),
        "kind" => IdentityKind::expected(),
        "type" => GrantType::expected(),
        "criticality" => Criticality::expected(),
        _ => "true, false".to_owned(),
    }
}

/// The canonical value a file value most likely means, or `None` when it
/// cannot be told (left for the reviewer: a wrong guess here, "inactive"
/// read as active say, would hide a leaver).
pub fn translate(field: &str, value: &str) -> Option<&'static str> {
    let word = normalise(value);
    let word = word.as_str();
    match field {
        "status" => IdentityStatus::parse(value)
            .map(IdentityStatus::as_str)
            .or(match word {
                "a" | "activeemployee" | "employed" | "current" | "onleave" | "leave" | "loa"
                | "paidleave" | "parentalleave" | "maternityleave" | "sabbatical" | "probation"
                | "inservice" | "enabled" => Some("active"),
                "suspended" | "locked" | "blocked" | "deactivated" => Some("disabled"),
                "t" | "leaver" | "left" | "exited" | "former" | "formeremployee" | "separated"
                | "resigned" | "retired" | "dismissed" | "offboarded" | "termed" | "ended"
                | "deceased" => Some("terminated"),
                _ => None,
            }),
        "kind" => IdentityKind::parse(value)
            .map(IdentityKind::as_str)
            .or(match word {
                "employee" | "staff" | "permanent" | "fulltime" | "parttime" | "internal"
                | "worker" | "intern" | "apprentice" | "trainee" | "person" => Some("human"),
                "contractor" | "consultant" | "vendor" | "freelancer" | "temp" | "temporary"
                | "guest" | "partner" | "supplier" | "agency" | "contingent" => Some("external"),
                "serviceaccount" | "system" | "technical" | "functional" | "nonpersonal"
                | "application" => Some("service"),
                "robot" | "rpa" => Some("bot"),
                "generic" | "sharedaccount" => Some("shared"),
                "managedidentity" => Some("workload"),
                _ => None,
            }),
        "type" => GrantType::parse(value)
            .map(GrantType::as_str)
            .or(match word {
                "apikey" | "accesskey" | "token" => Some("api_key"),
                "sshkey" => Some("ssh_key"),
                "cert" => Some("certificate"),
                "securitygroup" | "distributionlist" => Some("group"),
                "approle" | "directoryrole" => Some("role"),
                "scope" | "right" => Some("permission"),
                "login" | "user" | "useraccount" => Some("account"),
                _ => None,
            }),
        "privileged" => parse_bool(value)
            .map(|b| if b { "true" } else { "false" })
            .or(match word {
                "admin" | "administrator" | "privileged" | "elevated" | "superuser" | "root"
                | "owner" => Some("true"),
                "standard" | "user" | "normal" | "regular" | "basic" | "member" | "none" => {
                    Some("false")
                }
                _ => None,
            }),
        "criticality" => Criticality::parse(value)
            .map(Criticality::as_str)
            .or(match word {
                "tier0" | "crownjewel" | "veryhigh" | "missioncritical" => Some("critical"),
                "tier1" => Some("high"),
                "tier2" | "med" => Some("medium"),
                "tier3" => Some("low"),
                _ => None,
            }),
        _ => None,
    }
}

/// Date layouts exports write besides ISO 8601, tried on every sampled
/// value; a column is given the layouts under which all its values read.
pub const DATE_LAYOUTS: &[&str] = &[
    "%m/%d/%Y",
    "%d/%m/%Y",
    "%d.%m.%Y",
    "%Y/%m/%d",
    "%d-%m-%Y",
    "%m-%d-%Y",
    "%Y%m%d",
    "%m/%d/%Y %H:%M",
    "%m/%d/%Y %H:%M:%S",
    "%m/%d/%Y %I:%M:%S %p",
    "%d/%m/%Y %H:%M",
    "%d/%m/%Y %H:%M:%S",
    "%d.%m.%Y %H:%M",
    "%d.%m.%Y %H:%M:%S",
    "%Y/%m/%d %H:%M:%S",
    "%d %b %Y",
    "%d-%b-%Y",
    "%b %d, %Y",
    "%m/%d/%y",
    "%d/%m/%y",
    "%d.%m.%y",
];
