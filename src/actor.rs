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

fn os_user() -> String {
    ["USER", "LOGNAME", "USERNAME"]
        .iter()
        .filter_map(|name| std::env::var(name).ok())
        .find(|value| !value.trim().is_empty())
        .unwrap_or_else(|| "unknown".to_owned())
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
