//! Start-up, the running service and its shutdown.

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use mscommerce_api::{
    ApiSettings, DirectoryCache, Federation, GrantLifetimes, Metrics, PolicyCache, RelyingParty,
    RenderedPolicies, Services, SignInGuard,
};
use mscommerce_auth::external::ExternalKeys;
use mscommerce_auth::{
    generate_secret, hash_secret, is_sealed, Hasher, ScheduledKey, SigningKey, TokenIssuer,
    TokenVerifier, ALGORITHM,
};
use mscommerce_domain::key_rotation::key_states;
use mscommerce_domain::{check_new_password, Catalog, DirectoryRole};
use mscommerce_store::{
    AuditActor, ChangeNotice, NewSigningKey, NewTenant, NewUser, Store, UserType,
};
use tracing_subscriber::EnvFilter;

use crate::config::{LogFormat, Secret, Settings};
use crate::dispatcher::Dispatcher;
use crate::key_encryption::{self, Kek};

pub fn init_logging(settings: &Settings) {
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(&settings.log_level));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if settings.log_format == LogFormat::Json {
        builder.json().flatten_event(true).init();
    } else {
        builder.init();
    }
}

pub fn load_catalog(settings: &Settings) -> Result<Catalog> {
    match &settings.catalog_path {
        None => Ok(Catalog::embedded()),
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("catalog_path: cannot read {}", path.display()))?;
            Catalog::parse(&text).with_context(|| format!("catalog_path: {}", path.display()))
        }
    }
}

/// The signing keys at start: the key-encryption key found (or generated) and checked against the stored keys,
/// keys stored in clear by older versions sealed, and on an empty database a first key stored.
async fn start_signing_keys(
    store: &dyn Store,
    settings: &Settings,
) -> Result<(Kek, Vec<ScheduledKey>)> {
    let stored = store.signing_keys().await?;
    let kek = key_encryption::resolve(settings, &stored, true)?;
    key_encryption::check_sealed_by(&kek, &stored)?;
    for record in stored.iter().filter(|r| !is_sealed(&r.private_key)) {
        let key = SigningKey::from_stored(&record.kid, &record.private_key, &kek.key)?;
        // A compare-and-set: of replicas starting together, one seals it and the others find it sealed (and,
        // reading it back below, check that it is sealed with their KEK too).
        if store
            .replace_private_key(&record.kid, &record.private_key, &key.sealed(&kek.key)?)
            .await?
        {
            tracing::info!(key.id = %record.kid, "encrypted a signing key stored in clear");
        }
    }
    if stored.is_empty() {
        // Replicas share keys: of several starting at once on an empty database, one stores its key and every
        // one reads that key back, so all sign with and accept the same keys.
        let key = SigningKey::generate()?;
        let stored = store
            .add_first_signing_key(NewSigningKey {
                kid: key.kid.clone(),
                algorithm: ALGORITHM.into(),
                private_key: key.sealed(&kek.key)?,
                public_key: key.public_base64url(),
                activates_at: chrono::Utc::now(),
            })
            .await?;
        if stored.iter().any(|record| record.kid == key.kid) {
            tracing::info!(key.id = %key.kid, "created a signing key");
        }
    }
    let keys = current_signing_keys(store, &kek, settings).await?;
    Ok((kek, keys))
}

/// The stored keys that are trusted now, opened, with when each signs; removes from the store those whose
/// tokens have all expired (every replica may: removal is idempotent).
async fn current_signing_keys(
    store: &dyn Store,
    kek: &Kek,
    settings: &Settings,
) -> Result<Vec<ScheduledKey>> {
    let stored = store.signing_keys().await?;
    key_encryption::check_sealed_by(kek, &stored)?;
    let activations: Vec<i64> = stored.iter().map(|r| r.activates_at.timestamp()).collect();
    let states = key_states(
        &activations,
        mscommerce_auth::unix_now(),
        settings.token_retention_seconds(),
    );
    let mut keys = Vec::with_capacity(stored.len());
    for (record, state) in stored.iter().zip(states) {
        if state.is_trusted() {
            keys.push(ScheduledKey {
                key: SigningKey::from_stored(&record.kid, &record.private_key, &kek.key)?,
                signs_from: record.activates_at.timestamp(),
            });
        } else if store.remove_signing_key(&record.kid).await? {
            tracing::info!(key.id = %record.kid, "removed a retired signing key: every token it signed has expired");
        }
    }
    if keys.is_empty() {
        bail!("the database holds no signing key");
    }
    Ok(keys)
}

/// Gives the issuer and the verifier (and so the JWKS) a new set of keys.
fn install_signing_keys(services: &Services, keys: Vec<ScheduledKey>) {
    let trusted: Vec<SigningKey> = keys.iter().map(|k| k.key.clone()).collect();
    services.verifier.set_keys(&trusted);
    services.issuer.set_keys(keys);
}

/// Reloads the signing keys every `signing_key_reload_seconds`, so that a rotation made with the command line or
/// by another replica is published, then signs, then goes, without a restart.
fn follow_signing_keys(services: &Arc<Services>, kek: Kek, settings: &Settings) {
    let services = Arc::clone(services);
    let settings = settings.clone();
    let interval = Duration::from_secs(settings.signing_key_reload_seconds);
    tokio::spawn(async move {
        let mut installed: Vec<(String, i64)> = Vec::new();
        loop {
            tokio::time::sleep(interval).await;
            match current_signing_keys(&*services.store, &kek, &settings).await {
                Ok(keys) => {
                    let now: Vec<(String, i64)> = keys
                        .iter()
                        .map(|k| (k.key.kid.clone(), k.signs_from))
                        .collect();
                    if now != installed && !installed.is_empty() {
                        tracing::info!(keys = ?now, "signing keys changed");
                    }
                    if now != installed {
                        install_signing_keys(&services, keys);
                        installed = now;
                    }
                }
                // The keys in use stay; the next round tries again.
                Err(e) => {
                    tracing::warn!(error = %format!("{e:#}"), "reloading the signing keys failed")
                }
            }
        }
    });
}

/// On an empty database: one tenant and its Global Administrator, so that a first `serve` gives a usable system.
/// Atomic: of several replicas starting on one empty database, one bootstraps.
async fn bootstrap(store: &dyn Store, settings: &Settings) -> Result<()> {
    // One row read, not the tenant list: the start must not grow with the number of tenants.
    if store.has_tenants().await? {
        return Ok(());
    }
    let actor = AuditActor::command_line(uuid::Uuid::new_v4().to_string());
    let (password, generated) = match &settings.bootstrap_admin_password {
        Some(Secret(password)) => {
            // Checked here, where it becomes a password, and not at load: a database bootstrapped long ago keeps
            // starting with whatever the setting still says.
            check_new_password(password).map_err(|rule| {
                anyhow::anyhow!(
                    "bootstrap_admin_password (MSCOMMERCE_BOOTSTRAP_ADMIN_PASSWORD): {rule}"
                )
            })?;
            (password.clone(), false)
        }
        None => (generate_secret(), true),
    };
    let tenant = NewTenant {
        id: None,
        name: settings.bootstrap_tenant_name.clone(),
        // The administrator's sign-in name must be in one of the tenant's domains: its own domain is added
        // unless it is the initial one (checked as a domain name when the settings are loaded).
        domains: mscommerce_domain::DomainName::of_upn(&settings.bootstrap_admin_upn)
            .into_iter()
            .collect(),
    };
    let admin = NewUser {
        tenant_id: mscommerce_domain::TenantId(uuid::Uuid::nil()), // the new tenant's, set by the store
        upn: settings.bootstrap_admin_upn.clone(),
        display_name: "Global Administrator".into(),
        user_type: UserType::Member,
        password_hash: Some(hash_secret(&password)),
        roles: vec![DirectoryRole::GlobalAdministrator.template_id().to_string()],
    };
    let Some((tenant, admin)) = store.create_first_tenant(tenant, admin, &actor).await? else {
        return Ok(()); // another replica bootstrapped first
    };
    // Printed, not logged: logs are kept and shipped; the password must appear once, to the operator.
    println!("Created tenant '{}' ({})", tenant.name, tenant.id);
    println!("Created Global Administrator {}", admin.upn);
    if generated {
        println!("  password: {password}");
        println!("  (shown once; set MSCOMMERCE_BOOTSTRAP_ADMIN_PASSWORD before the first start to choose it)");
    }
    Ok(())
}

/// Keeps this replica's caches in step with changes other replicas make (PostgreSQL only).
fn follow_other_replicas(services: &Arc<Services>) {
    let Some(mut notices) = services.store.subscribe_changes() else {
        return;
    };
    let services = Arc::clone(services);
    tokio::spawn(async move {
        while let Some(notice) = notices.recv().await {
            match notice {
                ChangeNotice::Policy {
                    tenant_id,
                    revision,
                    scope,
                    target_id,
                    value,
                } => {
                    // The same revision merge as local writes: order of arrival does not matter.
                    if let Some(target) = services.catalog.target(scope, &target_id) {
                        services.policies.apply(tenant_id, &target, value, revision);
                    }
                }
                ChangeNotice::User { user_id } => services.directory.forget_user(user_id),
                ChangeNotice::App { client_id } => services.directory.forget_app(client_id),
                ChangeNotice::Relationship { .. } => services.directory.forget_relationships(),
                ChangeNotice::Resynchronize => {
                    services.policies.clear();
                    services.directory.clear();
                }
            }
        }
    });
}

pub async fn run(settings: Settings) -> Result<()> {
    let started = Instant::now();
    let catalog = Arc::new(load_catalog(&settings)?);
    // First, so that a certificate that cannot be used stops the start before anything is written.
    let certificate = settings
        .tls_files()
        .map(crate::tls::ReloadingCertificate::load)
        .transpose()?;
    let store = mscommerce_store::open(&settings.database_url, settings.migrate_on_start)
        .await
        .with_context(|| format!("database_url {}", settings.database_url))?;
    bootstrap(&*store, &settings).await?;
    let (kek, keys) = start_signing_keys(&*store, &settings).await?;
    let listener = tokio::net::TcpListener::bind(settings.listen_address()?)
        .await
        .with_context(|| format!("listen: cannot listen on {}", settings.listen))?;
    let bound = listener.local_addr()?;
    if certificate.is_none() && !bound.ip().is_loopback() {
        tracing::warn!(
            address = %bound,
            "listening beyond this host over plain HTTP: passwords and tokens cross the network in clear. \
             Set tls_cert_path and tls_key_path (MSCOMMERCE_TLS_CERT_PATH, MSCOMMERCE_TLS_KEY_PATH) for HTTPS, \
             or put a TLS proxy in front"
        );
    }
    let public_url = settings.public_url(bound);
    let trusted: Vec<SigningKey> = keys.iter().map(|k| k.key.clone()).collect();
    let services = Services {
        rendered: RenderedPolicies::new(&catalog),
        catalog,
        policies: PolicyCache::new(settings.policy_cache_tenants),
        hasher: Hasher::for_this_machine(),
        sign_ins: SignInGuard::default(),
        directory: DirectoryCache::new(settings.directory_cache_entries),
        relying_party: RelyingParty::new(Arc::clone(&kek.key)),
        federation: Federation::new(
            ExternalKeys::new(
                settings.federation_ca_file.as_deref(),
                Duration::from_secs(settings.federation_key_refetch_seconds),
                settings.token_leeway_seconds,
            )
            .with_context(|| "federation_ca_file: the trusted issuers' HTTP client")?,
            settings.token_leeway_seconds,
        )
        .with_cache_bound(settings.token_cache_entries),
        issuer: {
            let issuer = TokenIssuer::new(&public_url, &settings.audience, trusted[0].clone())
                .with_lifetime(settings.token_lifetime_seconds as i64);
            issuer.set_keys(keys);
            issuer
        },
        verifier: TokenVerifier::with_leeway(
            &public_url,
            &settings.audience,
            &trusted,
            settings.token_leeway_seconds,
        )
        .with_cache_bound(settings.token_cache_entries),
        settings: ApiSettings {
            public_url: public_url.clone(),
            request_timeout: Duration::from_secs(settings.request_timeout_seconds),
            body_limit_bytes: settings.body_limit_bytes,
            trust_forwarded_for: settings.trust_forwarded_for,
            password_grant_enabled: settings.password_grant_enabled,
            grants: GrantLifetimes {
                authorization_code_lifetime_seconds: settings.authorization_code_lifetime_seconds,
                device_code_lifetime_seconds: settings.device_code_lifetime_seconds,
                refresh_token_lifetime_days: settings.refresh_token_lifetime_days,
            },
        },
        metrics: Metrics::default(),
        started,
        store,
    };
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let dispatcher = Dispatcher::new(services.store.clone(), &settings)?;
    let lifecycle = crate::lifecycle::Lifecycle::new(services.store.clone(), &settings);
    let living = tokio::spawn(lifecycle.run(stopped.clone()));
    let dispatching = tokio::spawn(dispatcher.run(stopped));
    let services = Arc::new(services);
    follow_other_replicas(&services);
    follow_signing_keys(&services, kek, &settings);
    let app = mscommerce_api::service(Arc::clone(&services));
    let limits = crate::listener::Limits {
        header_read_timeout: Duration::from_secs(settings.header_read_timeout_seconds),
        keep_alive_timeout: Duration::from_secs(settings.keep_alive_timeout_seconds),
        max_connections: connection_cap(settings.max_connections),
    };
    let tls = certificate.map(|certificate| {
        certificate.watch();
        certificate.acceptor()
    });
    tracing::info!(
        address = %bound,
        public_url = %public_url,
        https = tls.is_some(),
        ready_ms = started.elapsed().as_millis() as u64,
        "mscommerce is ready"
    );
    // The address a person opens: printed plainly, beside the log, like the bootstrap password.
    println!("Admin console: {public_url}/console");
    crate::listener::serve(listener, tls, app, limits, services, shutdown_signal()).await;
    let _ = stop.send(true);
    let _ = dispatching.await;
    let _ = living.await;
    tracing::info!("mscommerce stopped");
    Ok(())
}

/// File descriptors kept back from connections: the database's, the log's, the listener's, the mail folder's.
const RESERVED_FILES: u64 = 256;

/// Raises the soft limit on open files to the hard one, and answers `configured` lowered to what that allows:
/// past it, accepting fails and nobody is answered, while at the cap the oldest idle connection makes room.
fn connection_cap(configured: usize) -> usize {
    let files = match rlimit::increase_nofile_limit(u64::MAX) {
        Ok(files) => files,
        Err(error) => {
            tracing::warn!(%error, "cannot raise the limit on open files");
            rlimit::getrlimit(rlimit::Resource::NOFILE).map_or(1024, |(soft, _)| soft)
        }
    };
    let allowed =
        usize::try_from(files.saturating_sub(RESERVED_FILES).max(1)).unwrap_or(usize::MAX);
    if allowed < configured {
        tracing::warn!(
            max_connections = configured,
            open_files_limit = files,
            lowered_to = allowed,
            "max_connections lowered to what the limit on open files allows"
        );
    }
    configured.min(allowed)
}

/// Ctrl-C or SIGTERM: stop accepting, finish what is in flight, exit.
async fn shutdown_signal() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}
