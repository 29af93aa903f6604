//! Refusing files whose permissions let other users read or replace them: a
//! signing key anyone can read signs anything for anyone, and a workspace
//! anyone can write holds decisions anyone could have made.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use color_eyre::eyre::{Result, WrapErr, bail};

/// Which permission bits make a file untrustworthy, and what they undermine.
#[derive(Debug, Clone, Copy)]
pub struct Exposure {
    /// Mode bits none of which may be set.
    forbidden: u32,
    /// Who may do what, e.g. "is writable by every user".
    others: &'static str,
    /// What that undermines, e.g. "its decisions cannot be trusted".
    undermines: &'static str,
}

/// A secret: neither its group nor other users may read or write it.
pub const SECRET: Exposure = Exposure {
    forbidden: 0o077,
    others: "can be read or written by other users",
    undermines: "it cannot be trusted to sign evidence",
};

/// Shared data (the workspace): a team's group may write it, everyone may not.
pub const WORLD_WRITABLE: Exposure = Exposure {
    forbidden: 0o002,
    others: "is writable by every user",
    undermines: "its decisions cannot be trusted",
};

/// Fails, naming the mode and the fix, when `path` (a `what`, e.g. "the
/// secret key") has any of `exposure`'s forbidden permission bits.
pub fn refuse_exposed(path: &Path, what: &str, exposure: Exposure) -> Result<()> {
    let mode = fs::metadata(path)
        .wrap_err_with(|| format!("reading {what} {}", path.display()))?
        .permissions()
        .mode();
    if mode & exposure.forbidden != 0 {
        bail!(
            "{what} {} {} (mode {:o}), so {}; make it private with: chmod 600 {}",
            path.display(),
            exposure.others,
            mode & 0o777,
            exposure.undermines,
            path.display()
        );
    }
    Ok(())
}

/// [`refuse_exposed`] for a secret such as a signing key (`what`: "secret key").
pub fn refuse_shared_secret(path: &Path, what: &str) -> Result<()> {
    refuse_exposed(path, &format!("the {what}"), SECRET)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_an_owner_only_file_passes() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("recert.key");
        fs::write(&path, "secret").expect("write");
        for (mode, ok) in [
            (0o600, true),
            (0o400, true),
            (0o640, false),
            (0o604, false),
            (0o602, false),
        ] {
            fs::set_permissions(&path, fs::Permissions::from_mode(mode)).expect("chmod");
            let result = refuse_shared_secret(&path, "secret key");
            assert_eq!(result.is_ok(), ok, "mode {mode:o}: {result:?}");
        }
        let err = refuse_shared_secret(&path, "secret key").expect_err("loose");
        assert!(err.to_string().contains("(mode 602)"), "{err}");
    }

    #[test]
    fn shared_data_may_be_group_writable_but_not_world_writable() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("workspace.db");
        fs::write(&path, "data").expect("write");
        for (mode, ok) in [(0o600, true), (0o660, true), (0o644, true), (0o662, false)] {
            fs::set_permissions(&path, fs::Permissions::from_mode(mode)).expect("chmod");
            let result = refuse_exposed(&path, "workspace", WORLD_WRITABLE);
            assert_eq!(result.is_ok(), ok, "mode {mode:o}: {result:?}");
        }
        let err = refuse_exposed(&path, "workspace", WORLD_WRITABLE).expect_err("loose");
        assert_eq!(
            err.to_string(),
            format!(
                "workspace {0} is writable by every user (mode 662), so its decisions cannot be trusted; make it private with: chmod 600 {0}",
                path.display()
            )
        );
    }
}
