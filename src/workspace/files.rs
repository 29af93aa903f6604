//! The workspace file on disk: created private, refused when other users
//! could write it or swap it, refused when missing or empty where a command
//! only works on an existing one, and its pre-upgrade backups.

use std::fs::{self, File, OpenOptions};
use std::io;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use color_eyre::eyre::{Result, WrapErr, bail};

/// Creates the file with mode 0600 (and its parent directory 0700) before
/// SQLite touches it, so access data is never readable by other users.
pub(super) fn create_private_file(path: &Path) -> Result<()> {
    if path.exists() {
        return Ok(());
    }
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        if !parent.exists() {
            fs::create_dir_all(parent)
                .wrap_err_with(|| format!("creating directory {}", parent.display()))?;
            fs::set_permissions(parent, fs::Permissions::from_mode(0o700))?;
        }
    }
    OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .wrap_err_with(|| format!("creating workspace {}", path.display()))?;
    Ok(())
}

/// Refuses a path that does not name a workspace recert may use as it is:
/// missing, or an empty file (SQLite would silently make a new workspace of
/// either, and a mistyped --workspace would seem to hold no campaigns).
pub(super) fn refuse_missing_or_empty(path: &Path) -> Result<()> {
    let meta = match fs::metadata(path) {
        Ok(meta) => meta,
        Err(err) if err.kind() == io::ErrorKind::NotFound => bail!(
            "there is no workspace at {}; check --workspace or RECERT_WORKSPACE, or create one by importing exports: recert import FILE...",
            path.display()
        ),
        Err(err) => {
            return Err(err).wrap_err_with(|| format!("reading workspace {}", path.display()));
        }
    };
    if meta.is_dir() {
        bail!(
            "workspace {} is a directory; give the path of a file, e.g. {}/workspace.db",
            path.display(),
            path.display()
        );
    }
    if meta.len() == 0 {
        bail!(
            "workspace {} is an empty file, not a recert workspace; check --workspace or RECERT_WORKSPACE, or import exports into it: recert import FILE...",
            path.display()
        );
    }
    Ok(())
}

/// Refuses a workspace every user may write to, or one in a directory every
/// user may write to without the sticky bit (anyone could replace the file,
/// or plant its -wal beside it): its decisions could be anyone's.
pub(super) fn refuse_if_others_can_write(path: &Path) -> Result<()> {
    crate::private::refuse_exposed(path, "workspace", crate::private::WORLD_WRITABLE)?;
    refuse_open_directory(path)
}

/// The directory half of [`refuse_if_others_can_write`], also checked before
/// a new workspace is created there.
pub(super) fn refuse_open_directory(path: &Path) -> Result<()> {
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let Ok(meta) = fs::metadata(dir) else {
        // Not there yet: recert creates it 0700.
        return Ok(());
    };
    let mode = meta.permissions().mode();
    if mode & 0o002 != 0 && mode & 0o1000 == 0 {
        bail!(
            "workspace {} is in directory {}, which every user may write to (mode {:o}, no sticky bit), so anyone could replace the workspace; keep it in a private directory, or fix this one with: chmod o-w {}",
            path.display(),
            dir.display(),
            mode & 0o7777,
            dir.display()
        );
    }
    Ok(())
}

/// Where the pre-upgrade copy of a workspace at schema `version` goes first.
pub fn backup_path(path: &Path, version: u32) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(format!(".v{version}.bak"));
    PathBuf::from(name)
}

/// Creates an empty, private (0600) file for the backup of `path` at schema
/// `version`: `NAME.vN.bak`, or `NAME.vN.2.bak` and so on when earlier
/// backups are there, since an older copy is never overwritten nor a new
/// one skipped. SQLite then writes the copy into it (`VACUUM INTO` accepts
/// an empty file), so it is never readable by others, not even briefly.
pub(super) fn create_backup_file(path: &Path, version: u32) -> Result<PathBuf> {
    for number in 1..=1000_u32 {
        let candidate = if number == 1 {
            backup_path(path, version)
        } else {
            let mut name = path.as_os_str().to_owned();
            name.push(format!(".v{version}.{number}.bak"));
            PathBuf::from(name)
        };
        match OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&candidate)
        {
            Ok(file) => {
                drop::<File>(file);
                return Ok(candidate);
            }
            Err(err) if err.kind() == io::ErrorKind::AlreadyExists => {}
            Err(err) => {
                return Err(err)
                    .wrap_err_with(|| format!("creating backup {}", candidate.display()));
            }
        }
    }
    bail!(
        "{} has 1000 backups of schema {version} beside it; move some away before upgrading",
        path.display()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backups_never_overwrite_and_start_private() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("ws.db");
        fs::write(backup_path(&path, 3), "an older backup").expect("old");
        let first = create_backup_file(&path, 3).expect("backup");
        assert_eq!(first, dir.path().join("ws.db.v3.2.bak"));
        let mode = fs::metadata(&first).expect("meta").permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "private before a byte is written");
        assert_eq!(
            create_backup_file(&path, 3).expect("again"),
            dir.path().join("ws.db.v3.3.bak")
        );
        assert_eq!(
            fs::read_to_string(backup_path(&path, 3)).expect("old"),
            "an older backup"
        );
    }

    #[test]
    fn an_open_directory_is_refused_unless_sticky() {
        let dir = tempfile::tempdir().expect("dir");
        let open = dir.path().join("open");
        fs::create_dir(&open).expect("dir");
        let path = open.join("ws.db");
        for (mode, ok) in [(0o700, true), (0o777, false), (0o1777, true), (0o775, true)] {
            fs::set_permissions(&open, fs::Permissions::from_mode(mode)).expect("chmod");
            let result = refuse_open_directory(&path);
            assert_eq!(result.is_ok(), ok, "mode {mode:o}: {result:?}");
        }
        fs::set_permissions(&open, fs::Permissions::from_mode(0o777)).expect("chmod");
        let err = refuse_open_directory(&path).expect_err("open");
        assert!(err.to_string().contains("chmod o-w"), "{err}");
    }
}
