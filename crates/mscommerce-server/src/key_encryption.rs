//! The key-encryption key (KEK) that seals the signing keys in the database: from configuration, from a file, or
//! generated on first start into a file beside a SQLite database (in the data folder for PostgreSQL). It is never
//! stored in the database, so a copy of the database (a backup) holds only ciphertext.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{bail, Context, Result};
use mscommerce_auth::{is_sealed, sealed_by, KeyEncryptionKey};
use mscommerce_store::SigningKeyRecord;

use crate::config::{Secret, Settings};

/// The name of the generated key file.
pub const KEY_FILE_NAME: &str = "signing-key-encryption.key";

/// Where the KEK is kept when no setting names it: beside a SQLite database file; for PostgreSQL (or SQLite in
/// memory), in the folder `data` of the working directory, where the default database and mail folder live.
pub fn default_key_file(settings: &Settings) -> PathBuf {
    let folder = mscommerce_store::sqlite_file(&settings.database_url)
        .filter(|_| settings.database_url.starts_with("sqlite:"))
        .and_then(|file| file.parent().map(Path::to_path_buf))
        .unwrap_or_else(|| PathBuf::from("data"));
    folder.join(KEY_FILE_NAME)
}

/// The KEK and where it came from (for messages).
pub struct Kek {
    /// Shared with the API, which seals the trusted providers' client secrets with it and derives the pending
    /// sign-ins' key from it.
    pub key: Arc<KeyEncryptionKey>,
    pub source: String,
}

/// The configured KEK, or the one in the default file, generated there when missing (with `may_generate`: the
/// service's start, not an admin command, which could be run where the service's file is not) unless `stored`
/// holds keys sealed already (then the file was lost, and a new KEK would not open them).
pub fn resolve(
    settings: &Settings,
    stored: &[SigningKeyRecord],
    may_generate: bool,
) -> Result<Kek> {
    if let Some(Secret(text)) = &settings.signing_key_encryption_key {
        let key = KeyEncryptionKey::from_base64(text).context("signing_key_encryption_key")?;
        return Ok(Kek {
            key: Arc::new(key),
            source: "the setting signing_key_encryption_key".into(),
        });
    }
    let (path, explicit) = match &settings.signing_key_encryption_key_file {
        Some(path) => (path.clone(), true),
        None => (default_key_file(settings), false),
    };
    let source = format!("the key file {}", path.display());
    match std::fs::read_to_string(&path) {
        Ok(text) => {
            let key = KeyEncryptionKey::from_base64(&text)
                .with_context(|| format!("signing_key_encryption_key_file {}", path.display()))?;
            Ok(Kek {
                key: Arc::new(key),
                source,
            })
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            if explicit {
                bail!(
                    "signing_key_encryption_key_file: {} does not exist; restore it from your backup, or create \
                     it with `openssl rand -base64 32 > {}` on a new installation",
                    path.display(),
                    path.display()
                );
            }
            if let Some(sealed) = stored.iter().find(|k| is_sealed(&k.private_key)) {
                bail!(
                    "the signing keys in the database are encrypted with the key-encryption key {}, and its key \
                     file {} does not exist: restore that file from your backup (or set \
                     signing_key_encryption_key or signing_key_encryption_key_file to that key); a new key would \
                     not open them",
                    sealed_by(&sealed.private_key).unwrap_or("?"),
                    path.display()
                );
            }
            if !may_generate {
                bail!(
                    "the key-encryption key file {} does not exist: run this where the service keeps it, or set \
                     signing_key_encryption_key or signing_key_encryption_key_file as the service has them",
                    path.display()
                );
            }
            let key = generate_into(&path)?;
            tracing::info!(file = %path.display(), kek.id = key.id(), "generated the key-encryption key");
            Ok(Kek {
                key: Arc::new(key),
                source,
            })
        }
        Err(e) => Err(e).with_context(|| format!("cannot read the key file {}", path.display())),
    }
}

/// Writes a new KEK to `path` (mode 0600), unless another process did first, whose KEK is then used: the file
/// is written whole under a temporary name and linked into place, which fails if `path` exists.
fn generate_into(path: &Path) -> Result<KeyEncryptionKey> {
    let folder = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(folder)
        .with_context(|| format!("cannot create the folder {}", folder.display()))?;
    let (key, text) = KeyEncryptionKey::generate()?;
    let temporary = folder.join(format!(
        ".{KEY_FILE_NAME}.{}",
        uuid::Uuid::new_v4().simple()
    ));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let written = options.open(&temporary).and_then(|mut file| {
        file.write_all(format!("{text}\n").as_bytes())?;
        file.sync_all()
    });
    let linked = written.and_then(|()| std::fs::hard_link(&temporary, path));
    let _ = std::fs::remove_file(&temporary);
    match linked {
        Ok(()) => Ok(key),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read the key file {}", path.display()))?;
            Ok(KeyEncryptionKey::from_base64(&text)
                .with_context(|| format!("the key file {}", path.display()))?)
        }
        Err(e) => Err(e).with_context(|| format!("cannot write the key file {}", path.display())),
    }
}

/// Refuses to go on when a stored key was sealed by another KEK, saying which and what to do.
pub fn check_sealed_by(kek: &Kek, stored: &[SigningKeyRecord]) -> Result<()> {
    for record in stored {
        if let Some(id) = sealed_by(&record.private_key) {
            if id != kek.key.id() {
                bail!(
                    "the signing key {} in the database is encrypted with the key-encryption key {id}, and {} \
                     holds the key-encryption key {}: configure the key that encrypted it (restore its file from \
                     your backup, or set signing_key_encryption_key or signing_key_encryption_key_file to it; every \
                     replica needs the same one)",
                    record.kid,
                    kek.source,
                    kek.key.id()
                );
            }
        }
    }
    Ok(())
}
