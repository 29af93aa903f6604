//! What ships beside the binary (README "Install"): `--version` with the
//! commit, shell completions and the man page, from the real binary.

use std::path::Path;
use std::process::Command as Process;

use clap::CommandFactory;
use predicates::prelude::*;

use crate::support::Scratch;

const MANIFEST_DIR: &str = env!("CARGO_MANIFEST_DIR");

/// `git` in the source tree, or None when there is no git or no checkout.
fn git(args: &[&str]) -> Option<String> {
    let output = Process::new("git")
        .args(args)
        .current_dir(MANIFEST_DIR)
        .output()
        .ok()?;
    output
        .status
        .success()
        .then(|| String::from_utf8_lossy(&output.stdout).trim().to_owned())
}

/// Every leaf command a user types, e.g. "import", "campaign create".
fn leaf_commands() -> Vec<String> {
    fn walk(command: &clap::Command, prefix: &str, out: &mut Vec<String>) {
        for sub in command.get_subcommands() {
            let name = format!("{prefix}{}", sub.get_name());
            if sub.get_subcommands().next().is_some() {
                walk(sub, &format!("{name} "), out);
            } else {
                out.push(name);
            }
        }
    }
    let mut out = Vec::new();
    walk(&recert::cli::Cli::command(), "", &mut out);
    out
}

fn stdout_of(args: &[&str]) -> String {
    let output = Scratch::new()
        .recert()
        .args(args)
        .output()
        .expect("run recert");
    assert!(
        output.status.success(),
        "recert {args:?} failed: {output:?}"
    );
    String::from_utf8(output.stdout).expect("utf-8")
}

#[test]
fn version_names_the_release_and_the_commit_of_head() {
    let expected_commit = if git(&["rev-parse", "--show-toplevel"]).is_some_and(|top| {
        Path::new(&top).canonicalize().ok() == Path::new(MANIFEST_DIR).canonicalize().ok()
    }) {
        git(&["rev-parse", "--short", "HEAD"]).expect("HEAD")
    } else {
        "unknown".to_owned()
    };
    Scratch::new()
        .recert()
        .arg("--version")
        .assert()
        .success()
        .stdout(format!(
            "recert {} (commit {expected_commit})\n",
            env!("CARGO_PKG_VERSION")
        ));
}

/// build.rs compiled and run by hand, as Cargo would, in `dir`.
fn run_build_script(scratch: &Scratch, dir: &Path) -> String {
    let script = scratch.dir.path().join("build-script");
    if !script.exists() {
        let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".to_owned());
        let compiled = Process::new(rustc)
            .args(["--edition", "2024", "-o"])
            .arg(&script)
            .arg(Path::new(MANIFEST_DIR).join("build.rs"))
            .output()
            .expect("run rustc");
        assert!(compiled.status.success(), "{compiled:?}");
    }
    let output = Process::new(&script)
        .current_dir(dir)
        .env("CARGO_MANIFEST_DIR", dir)
        .output()
        .expect("run the build script");
    assert!(output.status.success(), "{output:?}");
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// A release tarball unpacked inside some other git repository (a home
/// directory under git, say) must not report that repository's commit.
#[test]
fn build_script_says_unknown_outside_its_own_git_checkout() {
    let scratch = Scratch::new();
    let parent = scratch.dir.path().join("home");
    let tarball = parent.join("recert-0.1.0");
    std::fs::create_dir_all(&tarball).expect("mkdir");
    let git_in_parent = |args: &[&str]| {
        let status = Process::new("git")
            .args(["-c", "user.name=t", "-c", "user.email=t@example.org"])
            .args(args)
            .current_dir(&parent)
            .output()
            .expect("git");
        assert!(status.status.success(), "{status:?}");
    };
    git_in_parent(&["init", "-q"]);
    git_in_parent(&["commit", "-q", "--allow-empty", "-m", "unrelated"]);
    let printed = run_build_script(&scratch, &tarball);
    assert!(
        printed.contains("cargo:rustc-env=RECERT_COMMIT=unknown\n"),
        "{printed}"
    );
    assert!(
        !printed.contains(".git"),
        "watches the other repository: {printed}"
    );
}

/// In the checkout the script watches HEAD and the branch, and only files
/// that exist: a missing one would make Cargo rerun it on every build.
#[test]
fn build_script_watches_only_existing_git_files() {
    if git(&["rev-parse", "--show-toplevel"]).is_none() {
        return; // built from a tarball: the test above covers it
    }
    let scratch = Scratch::new();
    let printed = run_build_script(&scratch, Path::new(MANIFEST_DIR));
    let commit = git(&["rev-parse", "--short", "HEAD"]).expect("HEAD");
    assert!(
        printed.contains(&format!("cargo:rustc-env=RECERT_COMMIT={commit}\n")),
        "{printed}"
    );
    let watched: Vec<&str> = printed
        .lines()
        .filter_map(|line| line.strip_prefix("cargo:rerun-if-changed="))
        .collect();
    assert!(
        watched.iter().any(|path| path.ends_with("HEAD")),
        "{printed}"
    );
    for path in watched {
        assert!(
            Path::new(MANIFEST_DIR).join(path).exists(),
            "{path} missing"
        );
    }
}

#[test]
fn bash_completion_completes_subcommands_and_their_options() {
    let scratch = Scratch::new();
    let script = scratch.file("recert.bash", &stdout_of(&["completions", "bash"]));
    let complete = |words: &str| {
        let output = Process::new("bash")
            .arg("-c")
            .arg(format!(
                r#"source "$1"; COMP_WORDS=({words}); COMP_CWORD=$((${{#COMP_WORDS[@]}} - 1)); _recert recert "${{COMP_WORDS[COMP_CWORD]}}" "${{COMP_WORDS[COMP_CWORD-1]}}"; printf '%s\n' "${{COMPREPLY[@]}}""#
            ))
            .arg("bash")
            .arg(&script)
            .output()
            .expect("run bash");
        assert!(output.status.success(), "{output:?}");
        String::from_utf8_lossy(&output.stdout).into_owned()
    };
    assert_eq!(complete("recert cam"), "campaign\n");
    let every = complete("recert ''");
    for command in leaf_commands() {
        let first = command.split(' ').next().expect("name");
        assert!(
            every.lines().any(|line| line == first),
            "{first} missing from {every}"
        );
    }
    let options = complete("recert campaign create --");
    for option in ["--name", "--period", "--due", "--as-of", "--workspace"] {
        assert!(
            options.lines().any(|line| line == option),
            "{option} missing from {options}"
        );
    }
}

#[test]
fn zsh_and_fish_completions_name_every_subcommand() {
    let zsh = stdout_of(&["completions", "zsh"]);
    assert!(zsh.starts_with("#compdef recert\n"), "{zsh}");
    let fish = stdout_of(&["completions", "fish"]);
    for command in leaf_commands() {
        let last = command.rsplit(' ').next().expect("name");
        assert!(zsh.contains(&format!("'{last}:")), "zsh lacks {command}");
        assert!(
            fish.lines()
                .any(|line| line.starts_with("complete -c recert -n ")
                    && line.contains(&format!(" -a \"{last}\" "))),
            "fish lacks {command}"
        );
    }
}

#[test]
fn completions_refuse_an_unknown_shell() {
    Scratch::new()
        .recert()
        .args(["completions", "powershell"])
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicate::str::contains("possible values: bash, zsh, fish"));
}

#[test]
fn man_page_is_roff_that_documents_every_subcommand() {
    let page = stdout_of(&["man"]);
    assert!(page.starts_with(".TH RECERT 1 "), "{}", &page[..80]);
    for command in leaf_commands() {
        assert!(
            page.contains(&format!(".SS \"recert {command}\"")),
            "no section for recert {command}"
        );
    }
    // groff checks the roff and renders it as `man` would; every warning
    // (unknown macro, bad escape) is an error here.
    let scratch = Scratch::new();
    let file = scratch.file("recert.1", &page);
    let rendered = Process::new("groff")
        // Plain text: no escape sequences, no overstriking for bold.
        .args(["-man", "-Tutf8", "-ww", "-rLL=80n", "-P-c", "-P-b", "-P-u"])
        .arg(&file)
        .output()
        .expect("groff (Debian: apt-get install groff-base)");
    assert!(rendered.status.success(), "{rendered:?}");
    assert_eq!(
        String::from_utf8_lossy(&rendered.stderr),
        "",
        "groff warned"
    );
    let text = String::from_utf8_lossy(&rendered.stdout);
    for expected in [
        "recert campaign create",
        "--justification <TEXT>",
        "RECERT_WORKSPACE",
        "~/.local/share/recert/workspace.db",
        "EXIT STATUS",
    ] {
        assert!(
            text.contains(expected),
            "{expected} not in the page:\n{text}"
        );
    }
}
