//! Putting a new key pair on disk: the secret key encrypted with minisign's
//! own scrypt settings, and both files appearing together or not at all.

use std::fs::{self, File, OpenOptions};
use std::io::{Read, Write};
use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use color_eyre::eyre::{Result, WrapErr, bail, eyre};
use minisign::SecretKey;

use super::keys::KeyFiles;

/// scrypt limits minisign itself writes into a password-protected key
/// (libsodium's `crypto_pwhash_scryptsalsa208sha256_OPSLIMIT_SENSITIVE` and
/// `MEMLIMIT_SENSITIVE`). The minisign crate writes 1,048,576 and 32 MiB,
/// 32 times cheaper to brute-force, and does not let us choose; keys written
/// that way still load, since a key records its own limits.
pub const KDF_OPSLIMIT: u64 = 33_554_432;
pub const KDF_MEMLIMIT: u64 = 1_073_741_824;
/// What minisign derives from those limits: N = 2^20, r = 8, p = 1 (1 GiB).
const SCRYPT_LOG_N: u8 = 20;
const SCRYPT_R: u32 = 8;
const SCRYPT_P: u32 = 1;

/// Byte offsets in minisign's secret key layout: signature algorithm (2),
/// KDF algorithm (2), checksum algorithm (2), salt (32), opslimit (8),
/// memlimit (8), then key id (8), secret key (64) and checksum (32), which
/// the KDF stream encrypts.
const KDF_ALG: std::ops::Range<usize> = 2..4;
const SALT: std::ops::Range<usize> = 6..38;
const OPSLIMIT: std::ops::Range<usize> = 38..46;
const MEMLIMIT: std::ops::Range<usize> = 46..54;
const ENCRYPTED: std::ops::Range<usize> = 54..158;

/// Encrypts an unencrypted secret key with `password` as minisign does,
/// with minisign's default scrypt settings.
pub fn encrypt(secret: &SecretKey, password: &str) -> Result<SecretKey> {
    let mut bytes = secret.to_bytes();
    if bytes.len() != ENCRYPTED.end || bytes[KDF_ALG] != [0, 0] {
        bail!("the new secret key is not in the unencrypted minisign layout");
    }
    let mut salt = [0u8; 32];
    File::open("/dev/urandom")
        .and_then(|mut random| random.read_exact(&mut salt))
        .wrap_err("reading random bytes for the key's salt from /dev/urandom")?;
    bytes[KDF_ALG].copy_from_slice(b"Sc");
    bytes[SALT].copy_from_slice(&salt);
    bytes[OPSLIMIT].copy_from_slice(&KDF_OPSLIMIT.to_le_bytes());
    bytes[MEMLIMIT].copy_from_slice(&KDF_MEMLIMIT.to_le_bytes());
    let params = scrypt::Params::new(SCRYPT_LOG_N, SCRYPT_R, SCRYPT_P, 32)
        .map_err(|err| eyre!("scrypt settings: {err}"))?;
    let mut stream = [0u8; ENCRYPTED.end - ENCRYPTED.start];
    scrypt::scrypt(password.as_bytes(), &salt, &params, &mut stream)
        .map_err(|err| eyre!("deriving the key's encryption from the password: {err}"))?;
    for (byte, key) in bytes[ENCRYPTED].iter_mut().zip(stream) {
        *byte ^= key;
    }
    SecretKey::from_bytes(&bytes).map_err(|err| eyre!("encoding the secret key: {err}"))
}

/// Writes both key files into temporaries beside them, syncs them, then
/// links each to its name (never over an existing file). A kill before the
/// links leaves no key; one between the two links leaves a half pair that
/// the next `keygen` recognises by its temporaries and clears.
pub fn write_pair(files: &KeyFiles, secret: &[u8], public: &[u8]) -> Result<()> {
    let dir = files.secret.parent().unwrap_or_else(|| Path::new("."));
    let temps = Temps::new(dir);
    write_temp(&temps.secret, secret, 0o600)?;
    write_temp(&temps.public, public, 0o644)?;
    let result = link_both(&temps, files);
    temps.remove();
    result?;
    File::open(dir)
        .and_then(|d| d.sync_all())
        .wrap_err_with(|| format!("syncing {}", dir.display()))
}

fn link_both(temps: &Temps, files: &KeyFiles) -> Result<()> {
    fs::hard_link(&temps.secret, &files.secret)
        .wrap_err_with(|| format!("creating {}", files.secret.display()))?;
    if let Err(err) = fs::hard_link(&temps.public, &files.public) {
        // Ours alone: it was linked from our temporary a moment ago.
        let _ = fs::remove_file(&files.secret);
        return Err(err).wrap_err_with(|| format!("creating {}", files.public.display()));
    }
    Ok(())
}

fn write_temp(path: &Path, bytes: &[u8], mode: u32) -> Result<()> {
    let mut file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(mode)
        .open(path)
        .wrap_err_with(|| format!("creating {}", path.display()))?;
    file.write_all(bytes)?;
    file.sync_all()?;
    Ok(())
}

/// One keygen's temporaries: `.recert-keygen.PID.NANOS.key.tmp` and `.pub.tmp`.
struct Temps {
    secret: PathBuf,
    public: PathBuf,
}

const TEMP_PREFIX: &str = ".recert-keygen.";

impl Temps {
    fn new(dir: &Path) -> Temps {
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        Temps::named(dir, &format!("{}.{nanos}", std::process::id()))
    }

    fn named(dir: &Path, stem: &str) -> Temps {
        Temps {
            secret: dir.join(format!("{TEMP_PREFIX}{stem}.key.tmp")),
            public: dir.join(format!("{TEMP_PREFIX}{stem}.pub.tmp")),
        }
    }

    fn remove(&self) {
        let _ = fs::remove_file(&self.secret);
        let _ = fs::remove_file(&self.public);
    }
}

/// Clears what a keygen killed in `dir` left: its temporaries, and a key
/// file it had already linked to its name while its partner was not yet
/// (the same file as its temporary, so never announced to anyone). Returns
/// the key files removed.
pub fn clear_interrupted(files: &KeyFiles) -> Vec<PathBuf> {
    let dir = files.secret.parent().unwrap_or_else(|| Path::new("."));
    let mut removed = Vec::new();
    let Ok(entries) = fs::read_dir(dir) else {
        return removed;
    };
    let mut stems: Vec<String> = entries
        .flatten()
        .filter_map(|entry| {
            let name = entry.file_name().into_string().ok()?;
            let rest = name.strip_prefix(TEMP_PREFIX)?;
            let stem = rest
                .strip_suffix(".key.tmp")
                .or_else(|| rest.strip_suffix(".pub.tmp"))?;
            let (pid, nanos) = stem.split_once('.')?;
            let numeric = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
            (numeric(pid) && numeric(nanos) && !Path::new("/proc").join(pid).exists())
                .then(|| stem.to_owned())
        })
        .collect();
    stems.sort();
    stems.dedup();
    for stem in stems {
        let temps = Temps::named(dir, &stem);
        for (temp, file) in [
            (&temps.secret, &files.secret),
            (&temps.public, &files.public),
        ] {
            if same_file(temp, file) && fs::remove_file(file).is_ok() {
                removed.push(file.clone());
            }
        }
        temps.remove();
    }
    removed
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (fs::symlink_metadata(a), fs::symlink_metadata(b)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pair(dir: &Path) -> KeyFiles {
        KeyFiles {
            secret: dir.join("recert.key"),
            public: dir.join("recert.pub"),
        }
    }

    #[test]
    fn both_files_appear_and_no_temporary_stays() {
        let dir = tempfile::tempdir().expect("dir");
        let files = pair(dir.path());
        write_pair(&files, b"secret", b"public").expect("write");
        assert_eq!(fs::read(&files.secret).expect("secret"), b"secret");
        assert_eq!(fs::read(&files.public).expect("public"), b"public");
        assert_eq!(fs::read_dir(dir.path()).expect("ls").count(), 2);
    }

    #[test]
    fn a_taken_public_name_leaves_no_secret_key_behind() {
        let dir = tempfile::tempdir().expect("dir");
        let files = pair(dir.path());
        fs::write(&files.public, "someone else's").expect("public");
        assert!(write_pair(&files, b"secret", b"public").is_err());
        assert!(!files.secret.exists(), "half a pair was left");
        assert_eq!(fs::read_dir(dir.path()).expect("ls").count(), 1);
    }

    #[test]
    fn the_half_pair_of_a_killed_keygen_is_cleared_and_nothing_else() {
        let dir = tempfile::tempdir().expect("dir");
        let files = pair(dir.path());
        // As a keygen killed between its two links leaves it (no process
        // has a pid above the kernel's maximum, 4194304).
        let killed = Temps::named(dir.path(), "4294967295.7");
        fs::write(&killed.secret, "secret").expect("temp");
        fs::write(&killed.public, "public").expect("temp");
        fs::hard_link(&killed.secret, &files.secret).expect("link");
        let other = dir.path().join("notes.txt");
        fs::write(&other, "mine").expect("other");
        assert_eq!(
            clear_interrupted(&files),
            std::slice::from_ref(&files.secret)
        );
        let left: Vec<_> = fs::read_dir(dir.path())
            .expect("ls")
            .flatten()
            .map(|e| e.file_name())
            .collect();
        assert_eq!(left, ["notes.txt"]);
    }

    #[test]
    fn a_key_that_is_not_a_killed_keygens_is_kept() {
        let dir = tempfile::tempdir().expect("dir");
        let files = pair(dir.path());
        fs::write(&files.secret, "a real key").expect("key");
        let killed = Temps::named(dir.path(), "4294967295.8");
        fs::write(&killed.secret, "another key").expect("temp");
        let running = Temps::named(dir.path(), &format!("{}.9", std::process::id()));
        fs::write(&running.secret, "in progress").expect("temp");
        assert!(clear_interrupted(&files).is_empty());
        assert!(files.secret.exists());
        assert!(!killed.secret.exists());
        assert!(running.secret.exists(), "a running keygen's file is kept");
    }
}
