//! The OS user recorded with every import, decision and sign-off when the
//! environment does not name it (cron, `su -c`): the C library's lookup of
//! the process's uid, so a user the directory (LDAP, SSSD) knows is named.

use std::path::{Path, PathBuf};

use rusqlite::Connection;

use crate::support::Scratch;

/// nss_wrapper makes the C library's user lookups read a passwd file of the
/// test's own, the way an LDAP or SSSD module answers them on a jump host.
fn nss_wrapper() -> PathBuf {
    let found = [
        "/usr/lib/x86_64-linux-gnu",
        "/usr/lib/aarch64-linux-gnu",
        "/usr/lib64",
        "/usr/lib",
    ]
    .iter()
    .map(|dir| Path::new(dir).join("libnss_wrapper.so"))
    .find(|path| path.exists());
    found.expect("this test needs nss_wrapper (apt-get install libnss-wrapper)")
}

#[test]
fn a_user_only_the_name_service_knows_is_recorded_by_name() {
    let scratch = Scratch::new();
    let uid = nix::unistd::getuid();
    let gid = nix::unistd::getgid();
    let passwd = scratch.file(
        "passwd",
        &format!("ldap.alice:x:{uid}:{gid}:Alice from LDAP:/home/alice:/bin/sh\n"),
    );
    let group = scratch.file("group", &format!("staff:x:{gid}:\n"));
    let grants = scratch.file(
        "entitlements.csv",
        "identity_id,system,entitlement\nE1,app,user\n",
    );
    scratch
        .recert()
        .env_remove("USER")
        .env_remove("LOGNAME")
        .env_remove("USERNAME")
        .env("LD_PRELOAD", nss_wrapper())
        .env("NSS_WRAPPER_PASSWD", &passwd)
        .env("NSS_WRAPPER_GROUP", &group)
        .arg("import")
        .arg(&grants)
        .assert()
        .success();
    let os_user: String = Connection::open(scratch.workspace())
        .expect("open")
        .query_row("SELECT os_user FROM imports", [], |row| row.get(0))
        .expect("import recorded");
    assert_eq!(os_user, "ldap.alice");
}
