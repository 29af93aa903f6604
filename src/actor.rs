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
/// this process's uid in /etc/passwd (cron jobs, `su -c` and some SSH setups
/// leave the variables unset), else "unknown".
fn os_user() -> String {
    ["USER", "LOGNAME", "USERNAME"]
        .iter()
        .filter_map(|name| std::env::var(name).ok())
        .find(|value| !value.trim().is_empty())
        .or_else(user_from_passwd)
        .unwrap_or_else(|| "unknown".to_owned())
}

fn user_from_passwd() -> Option<String> {
    use std::os::unix::fs::MetadataExt;
    // /proc/self belongs to the process's uid; no libc call (and no unsafe) needed.
    let uid = std::fs::metadata("/proc/self").ok()?.uid();
    let passwd = std::fs::read_to_string("/etc/passwd").ok()?;
    passwd_name(&passwd, uid)
}

/// The name of `uid` in the text of an /etc/passwd file.
fn passwd_name(passwd: &str, uid: u32) -> Option<String> {
    passwd.lines().find_map(|line| {
        let mut fields = line.split(':');
        let name = fields.next()?;
        let entry_uid = fields.nth(1)?.parse::<u32>().ok()?;
        (entry_uid == uid && !name.is_empty()).then(|| name.to_owned())
    })
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
    fn passwd_lookup_finds_the_uid_name() {
        let passwd = "root:x:0:0:root:/root:/bin/bash\nalice:x:1000:1000::/home/alice:/bin/sh\n";
        assert_eq!(passwd_name(passwd, 1000).as_deref(), Some("alice"));
        assert_eq!(passwd_name(passwd, 0).as_deref(), Some("root"));
        assert_eq!(passwd_name(passwd, 42), None);
    }

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
