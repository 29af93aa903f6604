//! Who is acting: the reviewer name and the OS user and host recorded with every change.

use std::fmt;

/// The person and machine behind an import, decision or sign-off.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    /// The reviewer name as given (`--reviewer`, `RECERT_REVIEWER`, else the OS user).
    pub reviewer: String,
    pub os_user: String,
    pub host: String,
}

impl Actor {
    /// The actor of this process; `reviewer` falls back to the OS user.
    pub fn current(reviewer: Option<&str>) -> Actor {
        let os_user = os_user();
        let reviewer = reviewer
            .map(str::trim)
            .filter(|r| !r.is_empty())
            .map_or_else(|| os_user.clone(), str::to_owned);
        Actor {
            reviewer,
            os_user,
            host: host_name(),
        }
    }

    /// A fixed actor for tests.
    pub fn fixed(reviewer: &str) -> Actor {
        Actor {
            reviewer: reviewer.to_owned(),
            os_user: "tester".to_owned(),
            host: "testhost".to_owned(),
        }
    }
}

impl fmt::Display for Actor {
    /// `reviewer (os_user@host)`, the evidence file's `decided_by`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({}@{})", self.reviewer, self.os_user, self.host)
    }
}

/// The login name: `USER`/`LOGNAME` as a shell sets them, else the name of
/// this process's uid as the C library looks it up (cron jobs, `su -c` and
/// some SSH setups leave the variables unset), else "unknown".
fn os_user() -> String {
    ["USER", "LOGNAME", "USERNAME"]
        .iter()
        .filter_map(|name| std::env::var(name).ok())
        .find(|value| !value.trim().is_empty())
        .or_else(user_of_uid)
        .unwrap_or_else(|| "unknown".to_owned())
}

/// `getpwuid_r` through nix: it asks every source the system's name service
/// switch lists (/etc/passwd, and LDAP or SSSD on a jump host), where
/// reading /etc/passwd alone found no name for directory users.
fn user_of_uid() -> Option<String> {
    let user = nix::unistd::User::from_uid(nix::unistd::getuid()).ok()??;
    Some(user.name).filter(|name| !name.is_empty())
}

fn host_name() -> String {
    gethostname::gethostname()
        .into_string()
        .ok()
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "unknown".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decided_by_names_reviewer_user_and_host() {
        assert_eq!(Actor::fixed("E001").to_string(), "E001 (tester@testhost)");
    }

    #[test]
    fn blank_reviewer_falls_back_to_os_user() {
        let actor = Actor::current(Some("  "));
        assert_eq!(actor.reviewer, actor.os_user);
    }
}
