//! HTTPS: the certificate and key from PEM files, offered to clients with HTTP/2 and HTTP/1.1 by ALPN, and
//! loaded again when the files change, so that a renewed certificate is served without a restart.
//!
//! The files are looked at every [`RELOAD_CHECK`]: a poll rather than a file-system watch, because renewal tools
//! (certbot, cert-manager, a Kubernetes secret mount) replace files by rename or by swapping a symbolic link,
//! which watches see differently on each platform, while a look at the modification time and size sees them all.
//! A pair that cannot be loaded (a key written before its certificate, a typo) is logged and the certificate
//! being served is kept; the next change is tried again.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, PoisonError, RwLock};
use std::time::{Duration, SystemTime};

use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::server::{ClientHello, ResolvesServerCert};
use rustls::sign::CertifiedKey;
use rustls::ServerConfig;
use tokio_rustls::TlsAcceptor;

/// How often the certificate files are looked at for a change.
pub const RELOAD_CHECK: Duration = Duration::from_secs(2);

/// ALPN names offered, preferred first (RFC 7301; `h2` is RFC 9113 section 3.2).
pub const H2: &[u8] = b"h2";
pub const HTTP1: &[u8] = b"http/1.1";

/// Why a certificate and key could not be used, naming the setting and the file.
#[derive(Debug, thiserror::Error)]
#[error("{setting} ({}): {reason}", path.display())]
pub struct TlsFileError {
    pub setting: &'static str,
    pub path: PathBuf,
    pub reason: String,
}

/// The two files, as configured.
#[derive(Debug, Clone)]
pub struct TlsFiles {
    pub cert_path: PathBuf,
    pub key_path: PathBuf,
}

fn file_error(setting: &'static str, path: &Path, reason: impl Into<String>) -> TlsFileError {
    TlsFileError {
        setting,
        path: path.to_owned(),
        reason: reason.into(),
    }
}

fn pem_reason(error: rustls::pki_types::pem::Error, expected: &str) -> String {
    match error {
        rustls::pki_types::pem::Error::Io(error) => format!("cannot be read: {error}"),
        rustls::pki_types::pem::Error::NoItemsFound => {
            format!("holds no {expected} (a PEM file with a '-----BEGIN {expected}-----' block is expected)")
        }
        other => format!("is not valid PEM: {other}"),
    }
}

impl TlsFiles {
    /// Reads and checks the pair: the certificate chain (leaf first), a private key the crypto provider can sign
    /// with, and that the key is the certificate's.
    pub fn load(&self, provider: &CryptoProvider) -> Result<CertifiedKey, TlsFileError> {
        const CERT: &str = "tls_cert_path";
        const KEY: &str = "tls_key_path";
        let chain = CertificateDer::pem_file_iter(&self.cert_path)
            .map_err(|e| file_error(CERT, &self.cert_path, pem_reason(e, "CERTIFICATE")))?
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| file_error(CERT, &self.cert_path, pem_reason(e, "CERTIFICATE")))?;
        if chain.is_empty() {
            return Err(file_error(
                CERT,
                &self.cert_path,
                pem_reason(rustls::pki_types::pem::Error::NoItemsFound, "CERTIFICATE"),
            ));
        }
        let key = PrivateKeyDer::from_pem_file(&self.key_path)
            .map_err(|e| file_error(KEY, &self.key_path, pem_reason(e, "PRIVATE KEY")))?;
        let signing_key = provider.key_provider.load_private_key(key).map_err(|e| {
            file_error(
                KEY,
                &self.key_path,
                format!("is not a private key this service can use (RSA, ECDSA P-256/P-384 or Ed25519): {e}"),
            )
        })?;
        let certified = CertifiedKey::new(chain, signing_key);
        match certified.keys_match() {
            Ok(()) | Err(rustls::Error::InconsistentKeys(rustls::InconsistentKeys::Unknown)) => {
                Ok(certified)
            }
            Err(rustls::Error::InconsistentKeys(rustls::InconsistentKeys::KeyMismatch)) => {
                Err(file_error(
                    KEY,
                    &self.key_path,
                    format!(
                        "is not the key of the certificate in {}",
                        self.cert_path.display()
                    ),
                ))
            }
            Err(other) => Err(file_error(
                CERT,
                &self.cert_path,
                format!("its first certificate cannot be read: {other}"),
            )),
        }
    }

    /// What changes when either file is replaced: modification times and sizes (of the targets of links).
    fn stamp(&self) -> Option<[(SystemTime, u64); 2]> {
        let look = |path: &Path| {
            let meta = std::fs::metadata(path).ok()?;
            Some((meta.modified().ok()?, meta.len()))
        };
        Some([look(&self.cert_path)?, look(&self.key_path)?])
    }
}

/// The certificate being served, swapped when the files change.
pub struct ReloadingCertificate {
    files: TlsFiles,
    provider: Arc<CryptoProvider>,
    current: RwLock<Arc<CertifiedKey>>,
    stamp: RwLock<Option<[(SystemTime, u64); 2]>>,
}

impl fmt::Debug for ReloadingCertificate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ReloadingCertificate")
            .field("files", &self.files)
            .finish_non_exhaustive()
    }
}

impl ResolvesServerCert for ReloadingCertificate {
    fn resolve(&self, _hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        Some(Arc::clone(
            &self.current.read().unwrap_or_else(PoisonError::into_inner),
        ))
    }
}

impl ReloadingCertificate {
    /// Loads the files once; an error here fails the start.
    pub fn load(files: TlsFiles) -> Result<Arc<Self>, TlsFileError> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let stamp = files.stamp();
        let first = files.load(&provider)?;
        Ok(Arc::new(ReloadingCertificate {
            files,
            provider,
            current: RwLock::new(Arc::new(first)),
            stamp: RwLock::new(stamp),
        }))
    }

    /// Loads the files again if they changed since the last look. True when a new certificate is served.
    pub fn reload_if_changed(&self) -> bool {
        let stamp = self.files.stamp();
        if stamp.is_none() || *self.stamp.read().unwrap_or_else(PoisonError::into_inner) == stamp {
            return false;
        }
        match self.files.load(&self.provider) {
            Ok(certified) => {
                *self.current.write().unwrap_or_else(PoisonError::into_inner) = Arc::new(certified);
                *self.stamp.write().unwrap_or_else(PoisonError::into_inner) = stamp;
                tracing::info!(
                    cert = %self.files.cert_path.display(),
                    "loaded a new TLS certificate; new connections get it"
                );
                true
            }
            Err(error) => {
                // Remember this stamp, so that a broken pair is reported once, not every few seconds; the next
                // change of either file is tried again.
                *self.stamp.write().unwrap_or_else(PoisonError::into_inner) = stamp;
                tracing::error!(%error, "the changed TLS files cannot be used; still serving the previous certificate");
                false
            }
        }
    }

    /// Looks at the files every [`RELOAD_CHECK`] for as long as the service runs.
    pub fn watch(self: &Arc<Self>) {
        let this = Arc::clone(self);
        tokio::spawn(async move {
            let mut ticks = tokio::time::interval(RELOAD_CHECK);
            ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                ticks.tick().await;
                let reloader = Arc::clone(&this);
                // Reading files blocks; keep it off the request threads.
                let _ = tokio::task::spawn_blocking(move || reloader.reload_if_changed()).await;
            }
        });
    }

    /// The TLS side of the listener: TLS 1.3 and 1.2, HTTP/2 and HTTP/1.1 offered by ALPN.
    pub fn acceptor(self: &Arc<Self>) -> TlsAcceptor {
        let mut config = ServerConfig::builder_with_provider(Arc::clone(&self.provider))
            .with_safe_default_protocol_versions()
            .expect("the ring provider supports the default protocol versions")
            .with_no_client_auth()
            .with_cert_resolver(Arc::clone(self) as Arc<dyn ResolvesServerCert>);
        config.alpn_protocols = vec![H2.to_vec(), HTTP1.to_vec()];
        TlsAcceptor::from(Arc::new(config))
    }
}
