//! Writing a file all at once: a private temporary file beside the target,
//! synced and renamed over it, so an interrupted write never leaves a
//! truncated file under the final name. Every file recert writes goes
//! through here, so every writer refuses the same targets.

use std::fs::{self, File, OpenOptions};
use std::io::{self, BufWriter, Write};
use std::os::unix::fs::{FileTypeExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

/// A file being written; it appears under its name only on [`AtomicFile::commit`].
pub struct AtomicFile {
    target: PathBuf,
    temp: PathBuf,
    file: Option<BufWriter<File>>,
}

impl AtomicFile {
    /// Creates the temporary file (mode 0600, never an existing file) in the
    /// target's directory, so the final rename cannot cross file systems.
    pub fn create(target: &Path) -> io::Result<AtomicFile> {
        check_target(target)?;
        let dir = directory_of(target);
        let name = target
            .file_name()
            .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "not a file name"))?
            .to_string_lossy()
            .into_owned();
        remove_abandoned_temps(&dir, &name);
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let mut attempt = 0u32;
        loop {
            let temp = dir.join(format!(
                ".{name}.{}.{nanos}.{attempt}.tmp",
                std::process::id()
            ));
            match OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o600)
                .open(&temp)
            {
                Ok(file) => {
                    return Ok(AtomicFile {
                        target: target.to_path_buf(),
                        temp,
                        file: Some(BufWriter::with_capacity(256 * 1024, file)),
                    });
                }
                Err(err) if err.kind() == io::ErrorKind::AlreadyExists && attempt < 100 => {
                    attempt += 1;
                }
                Err(err) => return Err(err),
            }
        }
    }

    /// Where the bytes are until the commit (to sign them before they appear).
    pub fn temp_path(&self) -> &Path {
        &self.temp
    }

    /// Flushes and syncs the bytes written so far.
    pub fn sync(&mut self) -> io::Result<()> {
        if let Some(file) = &mut self.file {
            file.flush()?;
            file.get_ref().sync_all()?;
        }
        Ok(())
    }

    /// Syncs the file, renames it to the target and syncs the directory.
    pub fn commit(mut self) -> io::Result<()> {
        self.sync()?;
        // Checked again: a link or pipe may have been put there meanwhile.
        // (`rename` would replace a link, never write through it.)
        check_target(&self.target)?;
        self.file = None;
        if let Err(err) = fs::rename(&self.temp, &self.target) {
            let _ = fs::remove_file(&self.temp);
            return Err(err);
        }
        // The rename is durable only once the directory entry is on disk.
        File::open(directory_of(&self.target))?.sync_all()
    }
}

impl Write for AtomicFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match &mut self.file {
            Some(file) => file.write(buf),
            None => Err(io::Error::other("file already committed")),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match &mut self.file {
            Some(file) => file.flush(),
            None => Ok(()),
        }
    }
}

impl Drop for AtomicFile {
    /// An uncommitted write leaves nothing behind.
    fn drop(&mut self) {
        if self.file.take().is_some() {
            let _ = fs::remove_file(&self.temp);
        }
    }
}

/// Fails unless `target` is missing or a regular file, naming what it is:
/// renaming over `/dev/stdout`, a named pipe or a device node would replace
/// it with a regular file, and renaming over a symbolic link would replace
/// the link instead of writing where it points. recert never does either
/// silently: the user gives the real path.
pub fn check_target(target: &Path) -> io::Result<()> {
    let meta = match fs::symlink_metadata(target) {
        Ok(meta) => meta,
        Err(err) if err.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(err) => {
            return Err(io::Error::new(
                err.kind(),
                format!("cannot check {}: {err}", target.display()),
            ));
        }
    };
    let kind = meta.file_type();
    let refuse = |why: String| Err(io::Error::new(io::ErrorKind::InvalidInput, why));
    if kind.is_file() {
        Ok(())
    } else if kind.is_symlink() {
        let points_to = fs::read_link(target).map_or_else(
            |_| "an unreadable target".to_owned(),
            |to| to.display().to_string(),
        );
        refuse(format!(
            "{} is a symbolic link to {points_to}; recert neither writes through nor replaces a link: give the real path, or remove the link first",
            target.display()
        ))
    } else if kind.is_dir() {
        refuse(format!(
            "{} is a directory; give a file name, e.g. {}/evidence.csv",
            target.display(),
            target.display()
        ))
    } else {
        let what = if kind.is_fifo() {
            "a named pipe (FIFO)"
        } else if kind.is_char_device() {
            "a character device"
        } else if kind.is_block_device() {
            "a block device"
        } else if kind.is_socket() {
            "a socket"
        } else {
            "not a regular file"
        };
        refuse(format!(
            "{} is {what}; recert writes only new or regular files, which it replaces whole: give the path of a file",
            target.display()
        ))
    }
}

/// Removes the temporary files of earlier writes to `name` whose process
/// is gone: a `kill -9` mid-export skips `Drop`, and the half-written
/// evidence it leaves holds the same access data as the real file. A file
/// of a process still running (another export) is left alone.
fn remove_abandoned_temps(dir: &Path, name: &str) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    let prefix = format!(".{name}.");
    for entry in entries.flatten() {
        let file_name = entry.file_name();
        let Some(rest) = file_name
            .to_str()
            .and_then(|f| f.strip_prefix(&prefix))
            .and_then(|f| f.strip_suffix(".tmp"))
        else {
            continue;
        };
        // `{pid}.{nanos}.{attempt}`, as `AtomicFile::create` names them.
        let parts: Vec<&str> = rest.split('.').collect();
        let [pid, nanos, attempt] = parts[..] else {
            continue;
        };
        let numeric = |text: &str| !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit());
        if numeric(pid)
            && numeric(nanos)
            && numeric(attempt)
            && !Path::new("/proc").join(pid).exists()
        {
            let _ = fs::remove_file(entry.path());
        }
    }
}

fn directory_of(path: &Path) -> PathBuf {
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// Writes `bytes` to `target` atomically (mode 0600).
pub fn write_atomically(target: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut file = AtomicFile::create(target)?;
    file.write_all(bytes)?;
    file.commit()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn nothing_appears_until_commit_and_the_file_is_private() {
        let dir = tempfile::tempdir().expect("dir");
        let target = dir.path().join("evidence.csv");
        fs::write(&target, "old").expect("old");
        let mut file = AtomicFile::create(&target).expect("create");
        file.write_all(b"new contents").expect("write");
        assert_eq!(fs::read_to_string(&target).expect("read"), "old");
        file.commit().expect("commit");
        assert_eq!(fs::read_to_string(&target).expect("read"), "new contents");
        let mode = fs::metadata(&target).expect("meta").permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        assert_eq!(
            fs::read_dir(dir.path()).expect("ls").count(),
            1,
            "no temp file left"
        );
    }

    #[test]
    fn a_directory_is_not_a_target() {
        let dir = tempfile::tempdir().expect("dir");
        let err = AtomicFile::create(dir.path()).err().expect("refused");
        assert!(err.to_string().contains("is a directory"), "{err}");
    }

    #[test]
    fn links_pipes_and_devices_are_refused_and_left_alone() {
        let dir = tempfile::tempdir().expect("dir");
        let real = dir.path().join("real.csv");
        fs::write(&real, "kept").expect("real");
        let link = dir.path().join("link.csv");
        std::os::unix::fs::symlink(&real, &link).expect("symlink");
        let err = write_atomically(&link, b"new").expect_err("refused");
        let text = err.to_string();
        assert!(text.contains("link.csv is a symbolic link to "), "{text}");
        assert!(text.contains("real.csv"), "{text}");
        assert!(
            fs::symlink_metadata(&link)
                .expect("meta")
                .file_type()
                .is_symlink()
        );
        assert_eq!(fs::read_to_string(&real).expect("read"), "kept");

        let dangling = dir.path().join("dangling.csv");
        std::os::unix::fs::symlink(dir.path().join("nowhere"), &dangling).expect("symlink");
        assert!(write_atomically(&dangling, b"new").is_err());
        assert!(!dir.path().join("nowhere").exists());

        let err = check_target(Path::new("/dev/null")).expect_err("device");
        assert!(err.to_string().contains("is a character device"), "{err}");

        // A directory reached through a link is fine: only the file is checked.
        let linked_dir = dir.path().join("linked");
        std::os::unix::fs::symlink(dir.path(), &linked_dir).expect("dir link");
        write_atomically(&linked_dir.join("through.csv"), b"ok").expect("through a dir link");
        assert_eq!(
            fs::read_to_string(dir.path().join("through.csv")).expect("read"),
            "ok"
        );

        // A link swapped in between create and commit is caught at commit.
        let target = dir.path().join("late.csv");
        let mut file = AtomicFile::create(&target).expect("create");
        file.write_all(b"x").expect("write");
        std::os::unix::fs::symlink(&real, &target).expect("symlink");
        assert!(file.commit().is_err());
        assert_eq!(fs::read_to_string(&real).expect("read"), "kept");
    }

    #[test]
    fn temp_files_of_killed_writers_are_removed_and_live_ones_kept() {
        let dir = tempfile::tempdir().expect("dir");
        let target = dir.path().join("evidence.csv");
        // No process has a pid above the kernel's maximum (4194304).
        let killed = dir.path().join(".evidence.csv.4294967295.12.0.tmp");
        let running = dir
            .path()
            .join(format!(".evidence.csv.{}.34.0.tmp", std::process::id()));
        let other_file = dir.path().join(".report.html.4294967295.12.0.tmp");
        let not_ours = dir.path().join(".evidence.csv.notes.tmp");
        for path in [&killed, &running, &other_file, &not_ours] {
            fs::write(path, "half").expect("write");
        }
        AtomicFile::create(&target)
            .expect("create")
            .commit()
            .expect("commit");
        assert!(!killed.exists(), "a killed export's leftover is removed");
        assert!(running.exists(), "a running export's file is kept");
        assert!(other_file.exists(), "another target's file is kept");
        assert!(not_ours.exists(), "a file recert did not name is kept");
    }

    #[test]
    fn an_abandoned_write_leaves_no_file() {
        let dir = tempfile::tempdir().expect("dir");
        let target = dir.path().join("evidence.csv");
        let mut file = AtomicFile::create(&target).expect("create");
        file.write_all(b"half").expect("write");
        drop(file);
        assert_eq!(fs::read_dir(dir.path()).expect("ls").count(), 0);
    }
}
