//! `recert man`: print recert(1), one manual page covering every subcommand.

use std::io::Write;

use clap::CommandFactory;
use clap_mangen::Man;
use color_eyre::eyre::{Result, WrapErr};

use crate::cli::Cli;

#[derive(Debug, clap::Args)]
pub struct Args {}

pub fn run(_args: &Args) -> Result<()> {
    let page = page().wrap_err("rendering the manual page")?;
    std::io::stdout()
        .lock()
        .write_all(&page)
        .wrap_err("writing the manual page to stdout")
}

/// What recert is for, longer than clap's one-line about (README's opening).
const DESCRIPTION: &str = r".SH DESCRIPTION
\fBrecert\fR is a terminal program for interactive access recertification.
Reviewers import the CSV exports they already hold (HR, the identity provider,
cloud consoles), review every access grant per ISO/IEC 27002 control in a
keyboard\-driven terminal UI (\fBrecert review\fR), certify or revoke it with a
justification, and hand the auditor signed\-off, hash\-chained CSV evidence
that can be verified without recert.
.PP
Everything is local: one binary, one SQLite file (the workspace), no network.
\fBrecert demo\fR builds a sample workspace and opens the review.
";

/// The sections clap cannot derive: where recert keeps its files, what the
/// environment changes and what the exit status means (PRODUCT.md §3).
const ENVIRONMENT_AND_FILES: &str = r#".SH ENVIRONMENT
.TP
\fBRECERT_WORKSPACE\fR
The workspace file, as \fB\-\-workspace\fR.
.TP
\fBRECERT_REVIEWER\fR
Who reviews or decides, as \fB\-\-reviewer\fR; else the OS user.
.TP
\fBRECERT_KEY_PASSWORD\fR
The password of a protected secret key; without it recert asks on the terminal.
.TP
\fBRECERT_BUSY_TIMEOUT_MS\fR
How long a write waits for another recert process\*(Aqs write lock, in
milliseconds (default 10000).
.TP
\fBNO_COLOR\fR
Any non\-empty value: the review is drawn without colour.
.SH FILES
.TP
\fI~/.local/share/recert/workspace.db\fR
The default workspace (the platform data directory), created with mode 0600.
.TP
\fI~/.local/share/recert/demo.db\fR
The workspace of \fBrecert demo\fR, recreated on every run.
.TP
\fI~/.config/recert/recert.key\fR, \fI~/.config/recert/recert.pub\fR
The signing key pair \fBrecert keygen\fR writes by default.
.SH "EXIT STATUS"
0 on success, 1 on failure (the error on standard error), 2 on a usage error.
\fBrecert verify\fR exits 1 when the evidence was tampered with.
"#;

/// The whole page: clap's title, name, synopsis and global options, then
/// each subcommand with its own synopsis and options (clap_mangen would
/// point to a page per subcommand instead; one page is simpler to carry onto
/// a jump host), then environment, files and exit status.
pub fn page() -> std::io::Result<Vec<u8>> {
    let mut command = Cli::command();
    // Built, so subcommands know their full name ("recert import") and
    // carry the global --workspace.
    command.build();
    let man = Man::new(command.clone());
    let mut body = Vec::new();
    man.render_name_section(&mut body)?;
    man.render_synopsis_section(&mut body)?;
    body.write_all(DESCRIPTION.as_bytes())?;
    man.render_options_section(&mut body)?;
    writeln!(body, ".SH COMMANDS")?;
    for sub in visible_subcommands(&command) {
        render_subcommand(&mut body, sub)?;
    }
    body.write_all(ENVIRONMENT_AND_FILES.as_bytes())?;
    man.render_version_section(&mut body)?;
    // The page opens with .TH, as man(7) expects; the string definitions
    // clap_mangen writes before every part come right after it, once.
    let mut page = title();
    page.push_str(PREAMBLE);
    page.push_str(&without_preamble(&body));
    Ok(page.into_bytes())
}

/// The .TH line. clap_mangen's own drops an empty date and so shifts the
/// source and manual into the wrong fields; the date here is the commit's.
fn title() -> String {
    format!(
        ".TH RECERT 1 \"{}\" \"recert {}\" \"User Commands\"\n",
        env!("RECERT_COMMIT_DATE"),
        crate::cli::VERSION
    )
}

/// The roff string clap_mangen's text refers to (`\*(Aq`, an apostrophe).
const PREAMBLE: &str = ".ie \\n(.g .ds Aq \\(aq\n.el .ds Aq '\n";

/// `roff` without the preamble lines, which every rendered part repeats.
fn without_preamble(roff: &[u8]) -> String {
    let mut kept = String::with_capacity(roff.len());
    for line in String::from_utf8_lossy(roff).lines() {
        if !line.starts_with(".ie \\n(.g .ds Aq") && !line.starts_with(".el .ds Aq") {
            kept.push_str(line);
            kept.push('\n');
        }
    }
    kept
}

/// A subcommand under its own `.SS` heading; a command made of subcommands
/// (`recert campaign`) lists each of those instead of itself.
fn render_subcommand(out: &mut Vec<u8>, command: &clap::Command) -> std::io::Result<()> {
    let nested: Vec<&clap::Command> = visible_subcommands(command).collect();
    if !nested.is_empty() {
        for sub in nested {
            render_subcommand(out, sub)?;
        }
        return Ok(());
    }
    let name = command.get_bin_name().unwrap_or_else(|| command.get_name());
    writeln!(out, ".SS \"{}\"", name.replace('"', ""))?;
    // Options every page already lists once: help, version, --workspace.
    let command =
        ["help", "version", "workspace"]
            .into_iter()
            .fold(command.clone(), |command, id| {
                if command.get_arguments().any(|arg| arg.get_id() == id) {
                    command.mut_arg(id, |arg| arg.hide(true))
                } else {
                    command
                }
            });
    let man = Man::new(command);
    let mut body = Vec::new();
    man.render_description_section(&mut body)?;
    man.render_synopsis_section(&mut body)?;
    man.render_options_section(&mut body)?;
    // Inside COMMANDS each part is a paragraph, not a section of its own;
    // the option list needs no paragraph break, as each .TP starts one.
    let text = without_preamble(&body);
    let lines: Vec<&str> = text.lines().collect();
    for (i, line) in lines.iter().enumerate() {
        if !line.starts_with(".SH ") {
            writeln!(out, "{line}")?;
        } else if lines.get(i + 1) != Some(&".TP") {
            writeln!(out, ".PP")?;
        }
    }
    Ok(())
}

fn visible_subcommands(command: &clap::Command) -> impl Iterator<Item = &clap::Command> {
    command
        .get_subcommands()
        .filter(|sub| !sub.is_hide_set() && sub.get_name() != "help")
}
