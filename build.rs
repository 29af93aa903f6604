//! Records the commit recert is built from, for `recert --version` and the
//! date on the manual page.
//!
//! `git rev-parse --short HEAD` at build time; "unknown" when the source is
//! not a git checkout (a tarball) or git is missing. The script reruns only
//! when HEAD or the branch it points to moves, not on every source edit.

use std::path::{Path, PathBuf};
use std::process::Command;

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    if !is_own_checkout() {
        println!("cargo:rustc-env=RECERT_COMMIT=unknown");
        println!("cargo:rustc-env=RECERT_COMMIT_DATE=");
        return;
    }
    let commit = git(&["rev-parse", "--short", "HEAD"]).unwrap_or_else(|| "unknown".to_owned());
    println!("cargo:rustc-env=RECERT_COMMIT={commit}");
    // The commit's date, not the build's, so rebuilding changes nothing.
    let date = git(&["log", "-1", "--format=%cs", "HEAD"]).unwrap_or_default();
    println!("cargo:rustc-env=RECERT_COMMIT_DATE={date}");
    for path in watched_git_files() {
        // A path that does not exist would make Cargo rerun this script on
        // every build, so only existing files are named.
        if path.exists() {
            println!("cargo:rerun-if-changed={}", path.display());
        }
    }
}

/// Whether this source tree is the top of a git checkout: a tarball unpacked
/// inside some other repository must not report that repository's commit.
fn is_own_checkout() -> bool {
    let Some(top) = git(&["rev-parse", "--show-toplevel"]) else {
        return false;
    };
    let here = std::env::var_os("CARGO_MANIFEST_DIR").map(PathBuf::from);
    match (
        Path::new(&top).canonicalize(),
        here.map(|dir| dir.canonicalize()),
    ) {
        (Ok(top), Some(Ok(here))) => top == here,
        _ => false,
    }
}

/// The files whose change means HEAD names another commit: HEAD itself, the
/// branch ref it points to, and packed-refs (where `git gc` moves refs). In a
/// worktree HEAD lives in the worktree's git dir, refs in the common one.
fn watched_git_files() -> Vec<PathBuf> {
    let (Some(git_dir), Some(common_dir)) = (
        git(&["rev-parse", "--git-dir"]),
        git(&["rev-parse", "--git-common-dir"]),
    ) else {
        return Vec::new();
    };
    let git_dir = PathBuf::from(git_dir);
    let common_dir = PathBuf::from(common_dir);
    let mut files = vec![git_dir.join("HEAD"), common_dir.join("packed-refs")];
    if let Some(branch) = git(&["symbolic-ref", "-q", "HEAD"]) {
        files.push(common_dir.join(Path::new(&branch)));
    }
    files
}

/// One line of git's output, or None when git fails or is not installed.
fn git(args: &[&str]) -> Option<String> {
    let output = Command::new("git").args(args).output().ok()?;
    if !output.status.success() {
        return None;
    }
    let text = String::from_utf8(output.stdout).ok()?;
    let line = text.trim();
    (!line.is_empty()).then(|| line.to_owned())
}
