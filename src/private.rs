//! Refusing secret files whose permissions let other users read or replace
//! them: a signing key anyone can read signs anything for anyone.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use color_eyre::eyre::{Result, WrapErr, bail};

/// Fails, naming the mode and the fix, when `path` (a `what`, e.g. "secret
/// key") can be read or written by its group or by other users.
pub fn refuse_shared_secret(path: &Path, what: &str) -> Result<()> {
    let mode = fs::metadata(path)
        .wrap_err_with(|| format!("reading the {what} {}", path.display()))?
        .permissions()
        .mode();
    if mode & 0o077 != 0 {
        bail!(
            "the {what} {} can be read or written by other users (mode {:o}), so it cannot be trusted to sign evidence; make it private with: chmod 600 {}",
            path.display(),
            mode & 0o777,
            path.display()
        );
    }
    Ok(())
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
}
