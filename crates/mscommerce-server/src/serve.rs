//! Start-up, the running service and its shutdown.

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use mscommerce_api::{
    ApiSettings, Metrics, PolicyCache, RenderedPolicies, Services, SignInGuard, UserCache,
};
use mscommerce_auth::{
    generate_secret, hash_secret, Hasher, Jwks, SigningKey, TokenIssuer, TokenVerifier, ALGORITHM,
};
use mscommerce_domain::{check_new_password, Catalog, DirectoryRole};
use mscommerce_store::{
    AuditActor, ChangeNotice, NewSigningKey, NewTenant, NewUser, Store, UserType,
};
use tracing_subscriber::EnvFilter;

use crate::config::{LogFormat, Secret, Settings};
use crate::dispatcher::Dispatcher;

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

/// The signing keys: those stored, or a new one stored now. The newest signs; all verify.
async fn signing_keys(store: &dyn Store) -> Result<Vec<SigningKey>> {
    let mut stored = store.signing_keys().await?;
    if stored.is_empty() {
        // Replicas share keys: of several starting at once on an empty database, one stores its key and every
        // one reads that key back, so all sign with and accept the same keys.
        let key = SigningKey::generate()?;
        stored = store
            .add_first_signing_key(NewSigningKey {
                kid: key.kid.clone(),
                algorithm: ALGORITHM.into(),
                private_key: key.pkcs8_base64(),
                public_key: key.public_base64url(),
            })
            .await?;
        if stored.iter().any(|record| record.kid == key.kid) {
            tracing::info!(key.id = %key.kid, "created a signing key");
        }
    }
    stored
        .iter()
        .map(|record| SigningKey::from_stored(&record.kid, &record.private_key).map_err(Into::into))
        .collect()
}

/// On an empty database: one tenant and its Global Administrator, so that a first `serve` gives a usable system.
/// Atomic: of several replicas starting on one empty database, one bootstraps.
async fn bootstrap(store: &dyn Store, settings: &Settings) -> Result<()> {
    if !store.tenants().await?.is_empty() {
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
                        services.policies.apply(
                            &services.catalog,
                            tenant_id,
                            &target,
                            value,
                            revision,
                        );
                    }
                }
                ChangeNotice::User { user_id } => services.users.forget(user_id),
                ChangeNotice::Resynchronize => {
                    services.policies.clear();
                    services.users.clear();
                }
            }
        }
    });
}

pub async fn run(settings: Settings) -> Result<()> {
    let started = Instant::now();
    let catalog = Arc::new(load_catalog(&settings)?);
    let store = mscommerce_store::open(&settings.database_url, settings.migrate_on_start)
        .await
        .with_context(|| format!("database_url {}", settings.database_url))?;
    bootstrap(&*store, &settings).await?;
    let keys = signing_keys(&*store).await?;
    let listener = tokio::net::TcpListener::bind(settings.listen_address()?)
        .await
        .with_context(|| format!("listen: cannot listen on {}", settings.listen))?;
    let bound = listener.local_addr()?;
    let public_url = settings.public_url(bound);
    let signer = keys.last().cloned().context("no signing key")?;
    let services = Services {
        rendered: RenderedPolicies::new(&catalog),
        catalog,
        policies: PolicyCache::new(),
        users: UserCache::default(),
        issuer: TokenIssuer {
            issuer: public_url.clone(),
            audience: settings.audience.clone(),
            key: signer,
        },
        verifier: TokenVerifier::new(&public_url, &settings.audience, &keys),
        hasher: Hasher::for_this_machine(),
        sign_ins: SignInGuard::default(),
        jwks: Jwks {
            keys: keys.iter().map(SigningKey::jwk).collect(),
        },
        settings: ApiSettings {
            public_url: public_url.clone(),
            request_timeout: Duration::from_secs(settings.request_timeout_seconds),
            body_limit_bytes: settings.body_limit_bytes,
            trust_forwarded_for: settings.trust_forwarded_for,
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
    let app = mscommerce_api::service(services);
    tracing::info!(
        address = %bound,
        public_url = %public_url,
        ready_ms = started.elapsed().as_millis() as u64,
        "mscommerce is ready"
    );
    axum::serve(listener, axum::ServiceExt::into_make_service(app))
        .with_graceful_shutdown(shutdown_signal())
        .await
        .context("serving HTTP")?;
    let _ = stop.send(true);
    let _ = dispatching.await;
    let _ = living.await;
    tracing::info!("mscommerce stopped");
    Ok(())
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
