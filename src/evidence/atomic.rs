//! Writing a file all at once: a private temporary file beside the target,
//! synced and renamed over it, so an interrupted write never leaves a
//! truncated file under the final name. Every file recert writes goes
//! through here, so every writer refuses the same targets.

use std::collections::HashSet;
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
        let name = file_name_of(target)?;
        remove_abandoned_temps(&directory_of(target), &HashSet::from([name.as_str()]));
        AtomicFile::create_unscanned(target, &name)
    }

    /// [`AtomicFile::create`] once the directory was looked through for
    /// abandoned temporary files of `name`.
    fn create_unscanned(target: &Path, name: &str) -> io::Result<AtomicFile> {
        let dir = directory_of(target);
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
    pub fn commit(self) -> io::Result<()> {
        let target = self.target.clone();
        self.rename_into_place()?;
        // The rename is durable only once the directory entry is on disk.
        sync_directory(&directory_of(&target))
    }

    /// Flushes the bytes to the temporary file and closes it, unsynced and
    /// not renamed: the caller owns the file from now on.
    fn close_unsynced(mut self) -> io::Result<PathBuf> {
        if let Some(mut file) = self.file.take() {
            if let Err(err) = file.flush() {
                let _ = fs::remove_file(&self.temp);
                return Err(err);
            }
        }
        Ok(std::mem::take(&mut self.temp))
    }

    /// Syncs the file and renames it to the target; the directory is the
    /// caller's to sync.
    fn rename_into_place(mut self) -> io::Result<()> {
        self.sync()?;
        // Checked again: a link or pipe may have been put there meanwhile.
        // (`rename` would replace a link, never write through it.)
        check_target(&self.target)?;
        self.file = None;
        if let Err(err) = fs::rename(&self.temp, &self.target) {
            let _ = fs::remove_file(&self.temp);
            return Err(err);
        }
        Ok(())
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

/// Removes the temporary files of earlier writes to any of `names` whose
/// process is gone: a `kill -9` mid-export skips `Drop`, and the
/// half-written evidence it leaves holds the same access data as the real
/// file. A file of a process still running (another export) is left alone.
fn remove_abandoned_temps(dir: &Path, names: &HashSet<&str>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let file_name = entry.file_name();
        let Some(temp) = file_name
            .to_str()
            .and_then(|f| f.strip_prefix('.'))
            .and_then(|f| f.strip_suffix(".tmp"))
        else {
            continue;
        };
        // `{name}.{pid}.{nanos}.{attempt}`, as `AtomicFile::create` names
        // them (the name may hold dots itself).
        let parts: Vec<&str> = temp.rsplitn(4, '.').collect();
        let [attempt, nanos, pid, name] = parts[..] else {
            continue;
        };
        if !names.contains(name) {
            continue;
        }
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

fn file_name_of(target: &Path) -> io::Result<String> {
    target
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "not a file name"))
}

fn sync_directory(dir: &Path) -> io::Result<()> {
    File::open(dir)?.sync_all()
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

/// Many files written into one directory, each appearing whole under its
/// name or not at all, as with [`write_atomically`], but with the
/// directory looked through for abandoned temporary files once, the
/// files' bytes made durable together and the directory synced once: one
/// reminder per reviewer of a large organisation is 18,000 files, and a
/// look through the directory and two syncs per file took a minute and a
/// half.
pub struct FilesInDirectory {
    dir: PathBuf,
    /// Written and flushed, not yet renamed: (temporary file, target).
    written: Vec<(PathBuf, PathBuf)>,
}

impl FilesInDirectory {
    /// Removes the abandoned temporary files of `names` in `dir`.
    pub fn start<'n>(dir: &Path, names: impl IntoIterator<Item = &'n str>) -> FilesInDirectory {
        remove_abandoned_temps(dir, &names.into_iter().collect());
        FilesInDirectory {
            dir: dir.to_path_buf(),
            written: Vec::new(),
        }
    }

    /// Writes `bytes` to a temporary file for `name` (one of those given
    /// to `start`); it appears under its name on [`FilesInDirectory::finish`].
    pub fn write(&mut self, name: &str, bytes: &[u8]) -> io::Result<()> {
        let target = self.dir.join(name);
        check_target(&target)?;
        let mut file = AtomicFile::create_unscanned(&target, name)?;
        file.write_all(bytes)?;
        let temp = file.close_unsynced()?;
        self.written.push((temp, target));
        Ok(())
    }

    /// Makes every file's bytes durable, renames each to its name and
    /// syncs the directory. An error names the file it stopped at; the
    /// files not renamed by then are removed (those renamed stay).
    pub fn finish(mut self) -> io::Result<()> {
        self.sync_written()?;
        let mut written = std::mem::take(&mut self.written).into_iter();
        while let Some((temp, target)) = written.next() {
            // Checked again: a link or pipe may have been put there meanwhile.
            let renamed = check_target(&target).and_then(|()| {
                fs::rename(&temp, &target).map_err(|err| {
                    io::Error::new(err.kind(), format!("{}: {err}", target.display()))
                })
            });
            if let Err(err) = renamed {
                let _ = fs::remove_file(&temp);
                // Dropping `self` removes the rest.
                self.written = written.collect();
                return Err(err);
            }
        }
        sync_directory(&self.dir)
    }

    /// One `syncfs` for the whole file system, instead of a sync per file.
    #[cfg(target_os = "linux")]
    fn sync_written(&self) -> io::Result<()> {
        let dir = File::open(&self.dir)?;
        rustix::fs::syncfs(&dir).map_err(io::Error::from)
    }

    #[cfg(not(target_os = "linux"))]
    fn sync_written(&self) -> io::Result<()> {
        for (temp, _) in &self.written {
            File::open(temp)?.sync_all()?;
        }
        Ok(())
    }
}

impl Drop for FilesInDirectory {
    /// Unfinished writes leave nothing behind.
    fn drop(&mut self) {
        for (temp, _) in &self.written {
            let _ = fs::remove_file(temp);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    /// The names in `dir`, sorted.
    fn names_in(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(dir)
            .expect("ls")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

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
    fn files_in_a_directory_appear_whole_at_finish_and_private() {
        let dir = tempfile::tempdir().expect("dir");
        let killed = dir.path().join(".M1.txt.4294967295.12.0.tmp");
        let other_file = dir.path().join(".evidence.csv.4294967295.12.0.tmp");
        for path in [&killed, &other_file] {
            fs::write(path, "half").expect("write");
        }
        fs::write(dir.path().join("M1.txt"), "last week's").expect("old");
        let mut files = FilesInDirectory::start(dir.path(), ["M1.txt", "M2.txt"]);
        assert!(!killed.exists(), "a killed writer's leftover is removed");
        assert!(other_file.exists(), "another target's leftover is kept");
        files.write("M1.txt", b"one").expect("write");
        files.write("M2.txt", b"two").expect("write");
        assert_eq!(
            fs::read_to_string(dir.path().join("M1.txt")).expect("read"),
            "last week's",
            "nothing is replaced before finish"
        );
        assert!(!dir.path().join("M2.txt").exists());
        files.finish().expect("finish");
        for (name, text) in [("M1.txt", "one"), ("M2.txt", "two")] {
            let path = dir.path().join(name);
            assert_eq!(fs::read_to_string(&path).expect("read"), text);
            let mode = fs::metadata(&path).expect("meta").permissions().mode();
            assert_eq!(mode & 0o777, 0o600, "{name}");
        }
        let left: Vec<String> = names_in(dir.path())
            .into_iter()
            .filter(|name| name.starts_with(".M"))
            .collect();
        assert!(left.is_empty(), "temporary files left: {left:?}");
    }

    #[test]
    fn files_in_a_directory_not_finished_or_refused_leave_nothing() {
        let dir = tempfile::tempdir().expect("dir");
        let real = dir.path().join("real.txt");
        fs::write(&real, "kept").expect("real");
        std::os::unix::fs::symlink(&real, dir.path().join("link.txt")).expect("symlink");
        let mut files = FilesInDirectory::start(dir.path(), ["a.txt", "link.txt"]);
        files.write("a.txt", b"a").expect("write");
        let err = files
            .write("link.txt", b"new")
            .expect_err("a link is refused");
        assert!(err.to_string().contains("is a symbolic link"), "{err}");
        drop(files);
        assert_eq!(fs::read_to_string(&real).expect("read"), "kept");
        assert_eq!(
            names_in(dir.path()),
            ["link.txt", "real.txt"],
            "no a.txt, no temporary file"
        );

        // A link put in place between the write and the finish is caught;
        // the files before it are in place, those after it gone.
        let mut files = FilesInDirectory::start(dir.path(), ["early.txt", "late.txt", "last.txt"]);
        for name in ["early.txt", "late.txt", "last.txt"] {
            files.write(name, name.as_bytes()).expect("write");
        }
        std::os::unix::fs::symlink(&real, dir.path().join("late.txt")).expect("symlink");
        let err = files.finish().expect_err("a link is refused");
        assert!(
            err.to_string().contains("late.txt is a symbolic link"),
            "{err}"
        );
        assert_eq!(fs::read_to_string(&real).expect("read"), "kept");
        assert_eq!(
            names_in(dir.path()),
            ["early.txt", "late.txt", "link.txt", "real.txt"],
            "no temporary file of late.txt or last.txt"
        );
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
