//! The signing key pair: generating it in minisign format and loading the
//! secret key, with its password from the terminal or `RECERT_KEY_PASSWORD`.

use std::fs;
use std::os::unix::fs::DirBuilderExt;
use std::path::{Path, PathBuf};

use color_eyre::eyre::{Result, WrapErr, bail, eyre};
use minisign::{KeyPair, PublicKey, SecretKey, SecretKeyBox};

use super::atomic::check_target;
use super::keypair::{clear_interrupted, encrypt, write_pair};
use crate::output;

/// The environment variable holding the secret key's password, for
/// automation and tests; without it recert asks on the terminal.
pub const PASSWORD_ENV: &str = "RECERT_KEY_PASSWORD";
pub const SECRET_KEY_FILE: &str = "recert.key";
pub const PUBLIC_KEY_FILE: &str = "recert.pub";

/// The platform config directory, e.g. `~/.config/recert` on Linux.
pub fn default_key_dir() -> Result<PathBuf> {
    let dirs = directories::ProjectDirs::from("", "", "recert")
        .ok_or_else(|| eyre!("cannot find a home directory for the keys; pass --out DIR"))?;
    Ok(dirs.config_dir().to_path_buf())
}

/// Where `keygen` wrote the pair.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyFiles {
    pub secret: PathBuf,
    pub public: PathBuf,
}

/// Generates a key pair into `dir` (created 0700 if missing): `recert.key`
/// (0600; encrypted with `password`, with minisign's scrypt settings, unless
/// it is `None`) and `recert.pub`, both or neither. Refuses to overwrite
/// either file, since a lost secret key cannot sign again and a replaced
/// public key silently breaks every auditor's check.
pub fn generate(dir: &Path, password: Option<&str>) -> Result<KeyFiles> {
    let files = KeyFiles {
        secret: dir.join(SECRET_KEY_FILE),
        public: dir.join(PUBLIC_KEY_FILE),
    };
    for removed in clear_interrupted(&files) {
        output::note(&format!(
            "removed {}, half of a key pair an interrupted `recert keygen` left (it was never announced)",
            removed.display()
        ));
    }
    for path in [&files.secret, &files.public] {
        check_target(path)?;
        if fs::symlink_metadata(path).is_ok() {
            bail!(
                "{} already exists; recert never overwrites keys (move it away first, or pass --out DIR)",
                path.display()
            );
        }
    }
    fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .wrap_err_with(|| format!("creating {}", dir.display()))?;
    let pair = KeyPair::generate_unencrypted_keypair()
        .map_err(|err| eyre!("generating the key pair: {err}"))?;
    let secret = match password {
        Some(password) => encrypt(&pair.sk, password)?,
        None => pair.sk,
    };
    let secret = secret
        .to_box(Some("recert secret key"))
        .map_err(|err| eyre!("encoding the secret key: {err}"))?;
    let public = pair
        .pk
        .to_box()
        .map_err(|err| eyre!("encoding the public key: {err}"))?;
    write_pair(&files, &secret.to_bytes(), &public.to_bytes())?;
    Ok(files)
}

/// A secret key ready to sign, with its public key.
pub struct SigningKey {
    pub secret: SecretKey,
    pub public: PublicKey,
}

/// Loads a secret key file; an encrypted key is decrypted with the password
/// from `RECERT_KEY_PASSWORD`, else one asked on the terminal.
pub fn load_secret_key(path: &Path) -> Result<SigningKey> {
    crate::private::refuse_shared_secret(path, "secret key")?;
    let text = fs::read_to_string(path).wrap_err_with(|| {
        format!(
            "reading the secret key {}; create one with `recert keygen`",
            path.display()
        )
    })?;
    let unencrypted =
        SecretKeyBox::from_string(&text).and_then(SecretKeyBox::into_unencrypted_secret_key);
    let secret = if let Ok(secret) = unencrypted {
        secret
    } else {
        let password = password_for(path)?;
        SecretKey::from_box(text.clone().into(), Some(password)).map_err(|err| {
            eyre!(
                "cannot open the secret key {}: {err} (wrong password, or not a minisign secret key)",
                path.display()
            )
        })?
    };
    let public = PublicKey::from_secret_key(&secret)
        .map_err(|err| eyre!("deriving the public key from {}: {err}", path.display()))?;
    Ok(SigningKey { secret, public })
}

fn password_for(path: &Path) -> Result<String> {
    if let Ok(password) = std::env::var(PASSWORD_ENV) {
        return Ok(password);
    }
    rpassword::prompt_password(format!("Password for {}: ", path.display())).map_err(|err| {
        eyre!(
            "the secret key {} is password-protected and no terminal is available to ask ({err}); set {PASSWORD_ENV}",
            path.display()
        )
    })
}

/// Asks for a new key's password twice on the terminal, unless
/// `RECERT_KEY_PASSWORD` holds it.
pub fn new_password() -> Result<String> {
    if let Ok(password) = std::env::var(PASSWORD_ENV) {
        if password.is_empty() {
            bail!("{PASSWORD_ENV} is empty; set a password, or pass --no-password");
        }
        return Ok(password);
    }
    let ask = |prompt: &str| {
        rpassword::prompt_password(prompt).map_err(|err| {
            eyre!("cannot ask for a password without a terminal ({err}); set {PASSWORD_ENV} or pass --no-password")
        })
    };
    let first = ask("Password for the new secret key: ")?;
    if first.is_empty() {
        bail!("the password is empty; type one, or pass --no-password for a key without one");
    }
    let second = ask("The same password again: ")?;
    if first != second {
        bail!("the two passwords differ; nothing was written, run `recert keygen` again");
    }
    Ok(first)
}

/// Reads a public key: a minisign `.pub` file, or the bare base64 key line.
pub fn load_public_key(path_or_key: &Path) -> Result<PublicKey> {
    if path_or_key.exists() {
        let text = fs::read_to_string(path_or_key)
            .wrap_err_with(|| format!("reading the public key {}", path_or_key.display()))?;
        return PublicKey::from_box(text.clone().into())
            .or_else(|_| PublicKey::from_base64(text.trim()))
            .map_err(|err| {
                eyre!(
                    "{} is not a minisign public key: {err}",
                    path_or_key.display()
                )
            });
    }
    PublicKey::from_base64(&path_or_key.to_string_lossy()).map_err(|_| {
        eyre!(
            "no public key file {}; pass the signer's recert.pub",
            path_or_key.display()
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn keygen_writes_a_private_secret_key_and_never_overwrites() {
        let dir = tempfile::tempdir().expect("dir");
        let keys = dir.path().join("keys");
        let files = generate(&keys, None).expect("keygen");
        let mode = fs::metadata(&files.secret)
            .expect("meta")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
        let loaded = load_secret_key(&files.secret).expect("load");
        assert_eq!(load_public_key(&files.public).expect("pub"), loaded.public);
        let err = generate(&keys, None).expect_err("exists");
        assert!(err.to_string().contains("never overwrites"), "{err}");
        fs::set_permissions(&files.secret, fs::Permissions::from_mode(0o644)).expect("chmod");
        let err = load_secret_key(&files.secret)
            .err()
            .expect("shared key refused");
        assert!(err.to_string().contains("chmod 600"), "{err}");
    }

    /// The KDF limits stored in a secret key file (opslimit, memlimit).
    fn kdf_limits(path: &Path) -> (u64, u64) {
        let text = fs::read_to_string(path).expect("key");
        let bytes = decode(text.lines().nth(1).expect("key line"));
        let le = |range: std::ops::Range<usize>| {
            u64::from_le_bytes(bytes[range].try_into().expect("8 bytes"))
        };
        (le(38..46), le(46..54))
    }

    /// Standard padded base64, decoded by hand: the minisign crate does not
    /// expose its decoder, and an encrypted key cannot be parsed without it.
    fn decode(base64: &str) -> Vec<u8> {
        const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        let mut bits = 0u32;
        let mut count = 0;
        let mut out = Vec::new();
        for byte in base64.bytes().filter(|b| *b != b'=') {
            let value = ALPHABET.iter().position(|a| *a == byte).expect("base64");
            bits = (bits << 6) | u32::try_from(value).expect("6 bits");
            count += 6;
            if count >= 8 {
                count -= 8;
                out.push(u8::try_from((bits >> count) & 0xff).expect("byte"));
            }
        }
        out
    }

    #[test]
    fn a_password_protected_key_uses_minisigns_own_scrypt_settings() {
        let dir = tempfile::tempdir().expect("dir");
        let files = generate(dir.path(), Some("correct horse")).expect("keygen");
        assert_eq!(
            kdf_limits(&files.secret),
            (33_554_432, 1_073_741_824),
            "minisign's opslimit and memlimit"
        );
        let text = fs::read_to_string(&files.secret).expect("key");
        let secret = SecretKey::from_box(text.clone().into(), Some("correct horse".to_owned()))
            .expect("opens");
        let public = load_public_key(&files.public).expect("public");
        assert_eq!(PublicKey::from_secret_key(&secret).expect("derive"), public);
    }

    #[test]
    fn a_key_written_with_the_cheaper_settings_still_loads() {
        let dir = tempfile::tempdir().expect("dir");
        // How recert wrote password-protected keys before: the crate's defaults.
        let old = KeyPair::generate_encrypted_keypair(Some("old".to_owned())).expect("old key");
        let path = dir.path().join("old.key");
        fs::write(&path, old.sk.to_box(None).expect("box").to_bytes()).expect("write");
        fs::set_permissions(&path, fs::Permissions::from_mode(0o600)).expect("chmod");
        assert_eq!(kdf_limits(&path), (1_048_576, 33_554_432));
        let secret = SecretKey::from_box(
            fs::read_to_string(&path).expect("read").into(),
            Some("old".to_owned()),
        )
        .expect("the old key opens");
        assert_eq!(PublicKey::from_secret_key(&secret).expect("derive"), old.pk);
    }
}
