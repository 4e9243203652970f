//! Admin commands: tenants, users and apps, signing keys, migrations, backups. They open the same database the service uses,
//! and may run while it runs.

use std::io::BufRead;
use std::path::Path;
use std::sync::Arc;

use anyhow::{bail, Context, Result};
use clap::{Args, Subcommand};
use mscommerce_auth::assertion::{read_certificate, thumbprint_hex};
use mscommerce_auth::{generate_secret, hash_secret, unix_now, SigningKey, ALGORITHM};
use mscommerce_domain::key_rotation::{key_states, KeyState};
use mscommerce_domain::TenantId;
use mscommerce_domain::{check_new_password, AppPermission, DirectoryRole, DomainName};
use mscommerce_store::{
    AppCertificate, AuditActor, NewApp, NewAppCertificate, NewSigningKey, NewTenant,
    NewTrustedIssuer, NewUser, SigningKeyRecord, SqliteStore, Store, TenantDomain, UserType,
};
use uuid::Uuid;

use crate::config::Settings;

#[derive(Subcommand)]
pub enum TenantCommand {
    /// Create a tenant; prints its ID, then its domains as `tenant domain list` does.
    Create {
        #[arg(long)]
        name: String,
        /// Use this tenant ID (to mirror an existing Entra tenant) instead of a new one.
        #[arg(long)]
        id: Option<TenantId>,
        /// A domain the tenant owns besides its initial <name>.onmicrosoft.com (contoso.com). Repeat for several.
        #[arg(long = "domain", value_parser = parse_domain)]
        domains: Vec<DomainName>,
    },
    /// List the tenants.
    List,
    /// A tenant's domains: its users' sign-in names are in them.
    #[command(subcommand)]
    Domain(DomainCommand),
    /// Change a tenant's settings.
    Set {
        #[arg(long)]
        tenant: TenantId,
        /// Whether the tenant's users may sign in with the password grant: `on`, `off`, or `default` (follow the
        /// service's password_grant_enabled setting).
        #[arg(long, value_enum)]
        password_grant: Switch,
    },
}

/// A tenant's choice about a feature, or none.
#[derive(Clone, Copy, clap::ValueEnum)]
pub enum Switch {
    On,
    Off,
    Default,
}

#[derive(Subcommand)]
pub enum DomainCommand {
    /// Give a tenant a domain that no tenant has; prints it.
    Add {
        #[arg(long)]
        tenant: TenantId,
        #[arg(long, value_parser = parse_domain)]
        domain: DomainName,
    },
    /// List a tenant's domains, the initial one first: domain, then `initial` or `added`.
    List {
        #[arg(long)]
        tenant: TenantId,
    },
}

fn parse_domain(text: &str) -> std::result::Result<DomainName, String> {
    DomainName::parse(text).map_err(|e| e.to_string())
}

/// One line of `tenant domain list`.
fn print_domain(domain: &TenantDomain) {
    let origin = if domain.is_initial {
        "initial"
    } else {
        "added"
    };
    println!("{}\t{origin}", domain.domain);
}

#[derive(Subcommand)]
pub enum UserCommand {
    /// Create a user with roles and a password.
    Create(CreateUser),
    /// List a tenant's users: ID, sign-in name, type, enabled, roles.
    List {
        #[arg(long)]
        tenant: TenantId,
    },
    /// Change a user: enable or disable the account, rename, replace the roles.
    Update(UpdateUser),
}

#[derive(Args)]
pub struct UpdateUser {
    #[arg(long)]
    tenant: TenantId,
    /// The user's sign-in name.
    #[arg(long)]
    upn: String,
    #[arg(long, conflicts_with = "enable")]
    disable: bool,
    #[arg(long)]
    enable: bool,
    #[arg(long)]
    display_name: Option<String>,
    /// The whole new set of roles (repeat for several); `--role none` removes every role.
    #[arg(long = "role")]
    roles: Vec<String>,
}

#[derive(Args)]
pub struct CreateUser {
    /// The tenant's ID.
    #[arg(long)]
    tenant: TenantId,
    /// Sign-in name, in one of the tenant's domains (user@contoso.onmicrosoft.com; see `tenant domain list`).
    #[arg(long)]
    upn: String,
    #[arg(long)]
    display_name: String,
    /// A directory role, by name (GlobalAdministrator, BillingAdministrator, GlobalReader, LicenseAdministrator,
    /// UserAdministrator) or template ID. Repeat for several.
    #[arg(long = "role")]
    roles: Vec<String>,
    /// Create a guest rather than a member.
    #[arg(long)]
    guest: bool,
    /// Read the password from the first line of standard input. Without it, MSCOMMERCE_NEW_USER_PASSWORD is used
    /// when set, and otherwise a password is generated and printed once.
    #[arg(long)]
    password_stdin: bool,
}

#[derive(Subcommand)]
pub enum AppCommand {
    /// Create an app with permissions; prints its client ID and secret (the secret only this once).
    Create {
        /// The tenant's ID.
        #[arg(long)]
        tenant: TenantId,
        #[arg(long)]
        name: String,
        /// Policy.Read.AllowSelfServicePurchase or Policy.ReadWrite.AllowSelfServicePurchase. Repeat for several.
        #[arg(long = "permission", required = true)]
        permissions: Vec<String>,
    },
    /// An app's certificate credentials (it signs client assertions with the certificate's private key).
    #[command(subcommand)]
    Credential(CredentialCommand),
}

#[derive(Subcommand)]
pub enum CredentialCommand {
    /// Give an app a certificate (PEM or DER; the public certificate only); prints its key ID, thumbprint and
    /// expiry.
    Add {
        /// The app's client ID.
        #[arg(long)]
        app: Uuid,
        #[arg(long)]
        certificate: std::path::PathBuf,
        /// A name for the credential; the certificate's subject when not given.
        #[arg(long)]
        display_name: Option<String>,
    },
    /// List an app's credentials: key ID, type, SHA-1 thumbprint, name, start and expiry (no secrets).
    List {
        #[arg(long)]
        app: Uuid,
    },
    /// Remove one of an app's credentials.
    Remove {
        #[arg(long)]
        app: Uuid,
        #[arg(long)]
        key_id: Uuid,
    },
}

#[derive(Subcommand)]
pub enum KeysCommand {
    /// List the signing keys: kid, created, signs from, state (next, signing, retired until, expired). No secret.
    List,
    /// Store a new signing key. It is published at once, and signs after signing_key_propagation_seconds; the key
    /// it replaces keeps verifying its tokens until they have expired, and is then removed.
    Rotate,
}

pub(crate) async fn open_store(settings: &Settings) -> Result<Arc<dyn Store>> {
    mscommerce_store::open(&settings.database_url, true)
        .await
        .with_context(|| format!("database_url {}", settings.database_url))
}

fn operator() -> AuditActor {
    AuditActor::command_line(Uuid::new_v4().to_string())
}

pub async fn migrate(settings: &Settings) -> Result<()> {
    open_store(settings).await?;
    println!("The database at {} is up to date.", settings.database_url);
    Ok(())
}

pub async fn backup(settings: &Settings, to: &Path) -> Result<()> {
    if to.exists() {
        bail!(
            "--to {}: the file exists; give a new file name",
            to.display()
        );
    }
    if !settings.database_url.starts_with("sqlite:") {
        bail!("backup copies a SQLite database; back up PostgreSQL with pg_dump or pg_basebackup (docs/OPERATIONS.md)");
    }
    let store = SqliteStore::open(&settings.database_url).await?;
    store.check_schema().await?;
    let target = to.to_str().context("--to: the path is not UTF-8")?;
    store.backup_to(target).await?;
    println!(
        "Wrote a copy of {} to {}.",
        settings.database_url,
        to.display()
    );
    Ok(())
}

pub async fn tenant(settings: &Settings, command: TenantCommand) -> Result<()> {
    let store = open_store(settings).await?;
    match command {
        TenantCommand::Create { name, id, domains } => {
            if name.trim().is_empty() {
                bail!("--name must not be empty");
            }
            let tenant = store
                .create_tenant(NewTenant { id, name, domains }, &operator())
                .await?;
            println!("{}", tenant.id);
            store
                .tenant_domains(tenant.id)
                .await?
                .iter()
                .for_each(print_domain);
        }
        TenantCommand::List => {
            for tenant in store.tenants().await? {
                println!("{}\t{}", tenant.id, tenant.name);
            }
        }
        TenantCommand::Domain(DomainCommand::Add { tenant, domain }) => {
            let added = store.add_tenant_domain(tenant, domain, &operator()).await?;
            print_domain(&added);
        }
        TenantCommand::Set {
            tenant,
            password_grant,
        } => {
            let choice = match password_grant {
                Switch::On => Some(true),
                Switch::Off => Some(false),
                Switch::Default => None,
            };
            store
                .set_tenant_password_grant(tenant, choice, &operator())
                .await?;
            let shown = match choice {
                Some(true) => "on",
                Some(false) => "off",
                None if settings.password_grant_enabled => "default (on: password_grant_enabled)",
                None => "default (off: password_grant_enabled)",
            };
            println!("{tenant}\tpassword grant {shown}");
        }
        TenantCommand::Domain(DomainCommand::List { tenant }) => {
            if store.tenant(tenant).await?.is_none() {
                bail!("--tenant {tenant}: no tenant has this ID");
            }
            store
                .tenant_domains(tenant)
                .await?
                .iter()
                .for_each(print_domain);
        }
    }
    Ok(())
}

fn parse_roles(names: &[String]) -> Result<Vec<String>> {
    names
        .iter()
        .map(|name| {
            DirectoryRole::parse(name)
                .map(|r| r.template_id().to_string())
                .with_context(|| {
                    let known: Vec<_> = DirectoryRole::ALL.iter().map(|r| r.name()).collect();
                    format!("--role '{name}' is not a role; roles: {}", known.join(", "))
                })
        })
        .collect()
}

fn parse_permissions(names: &[String]) -> Result<Vec<String>> {
    names
        .iter()
        .map(|name| {
            AppPermission::parse(name)
                .map(|p| p.as_str().to_string())
                .with_context(|| {
                    let known: Vec<_> = AppPermission::ALL.iter().map(|p| p.as_str()).collect();
                    format!(
                        "--permission '{name}' is not a permission; permissions: {}",
                        known.join(", ")
                    )
                })
        })
        .collect()
}

/// The new user's password, and whether it was generated (and so must be shown).
fn new_password(from_stdin: bool) -> Result<(String, bool)> {
    if from_stdin {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line)?;
        let password = line.trim_end_matches(['\r', '\n']).to_string();
        if let Err(rule) = check_new_password(&password) {
            bail!("the password from standard input is refused: {rule}");
        }
        return Ok((password, false));
    }
    match std::env::var("MSCOMMERCE_NEW_USER_PASSWORD") {
        Ok(password) => match check_new_password(&password) {
            Ok(()) => Ok((password, false)),
            Err(rule) => bail!("MSCOMMERCE_NEW_USER_PASSWORD is refused: {rule}"),
        },
        Err(_) => Ok((generate_secret(), true)),
    }
}

pub async fn user(settings: &Settings, command: UserCommand) -> Result<()> {
    match command {
        UserCommand::Create(args) => create_user(settings, args).await,
        UserCommand::List { tenant } => list_users(settings, tenant).await,
        UserCommand::Update(args) => update_user(settings, args).await,
    }
}

async fn list_users(settings: &Settings, tenant: TenantId) -> Result<()> {
    let store = open_store(settings).await?;
    let mut after: Option<String> = None;
    loop {
        let page = store.users(tenant, after.as_deref(), 500).await?;
        for user in &page {
            let roles: Vec<&str> = user
                .roles
                .iter()
                .filter_map(|r| DirectoryRole::parse(r))
                .map(|r| r.name())
                .collect();
            let state = if user.account_enabled {
                "enabled"
            } else {
                "disabled"
            };
            println!(
                "{}\t{}\t{}\t{state}\t{}",
                user.id,
                user.upn,
                user.user_type.as_str(),
                roles.join(",")
            );
        }
        match page.last() {
            Some(last) if page.len() == 500 => after = Some(last.upn.clone()),
            _ => return Ok(()),
        }
    }
}

async fn update_user(settings: &Settings, args: UpdateUser) -> Result<()> {
    let store = open_store(settings).await?;
    let user = store
        .user_by_upn(&args.upn)
        .await?
        .filter(|u| u.tenant_id == args.tenant)
        .with_context(|| format!("--upn {}: no such user in tenant {}", args.upn, args.tenant))?;
    let roles = match args.roles.as_slice() {
        [] => None,
        [none] if none.eq_ignore_ascii_case("none") => Some(Vec::new()),
        names => Some(parse_roles(names)?),
    };
    let update = mscommerce_store::UserUpdate {
        display_name: args.display_name,
        account_enabled: (args.disable || args.enable).then_some(args.enable),
        roles,
        ..Default::default()
    };
    let updated = store
        .update_user(args.tenant, user.id, update, &operator())
        .await?;
    let state = if updated.account_enabled {
        "enabled"
    } else {
        "disabled"
    };
    println!("{}\t{}\t{state}", updated.id, updated.upn);
    Ok(())
}

async fn create_user(settings: &Settings, args: CreateUser) -> Result<()> {
    if !args.upn.contains('@') {
        bail!(
            "--upn '{}' must be a sign-in name such as user@contoso.onmicrosoft.com",
            args.upn
        );
    }
    let roles = parse_roles(&args.roles)?;
    let (password, generated) = new_password(args.password_stdin)?;
    let store = open_store(settings).await?;
    let user = store
        .create_user(
            NewUser {
                tenant_id: args.tenant,
                upn: args.upn,
                display_name: args.display_name,
                user_type: if args.guest {
                    UserType::Guest
                } else {
                    UserType::Member
                },
                password_hash: Some(hash_secret(&password)),
                roles,
            },
            &operator(),
        )
        .await?;
    println!("{}", user.id);
    if generated {
        println!("password: {password}");
    }
    Ok(())
}

pub async fn app(settings: &Settings, command: AppCommand) -> Result<()> {
    let (tenant, name, permissions) = match command {
        AppCommand::Create {
            tenant,
            name,
            permissions,
        } => (tenant, name, permissions),
        AppCommand::Credential(command) => return credential(settings, command).await,
    };
    if name.trim().is_empty() {
        bail!("--name must not be empty");
    }
    let permissions = parse_permissions(&permissions)?;
    let secret = generate_secret();
    let store = open_store(settings).await?;
    let app = store
        .create_app(
            NewApp {
                tenant_id: tenant,
                display_name: name,
                secret_hash: hash_secret(&secret),
                permissions,
            },
            &operator(),
        )
        .await?;
    println!("client_id: {}", app.client_id);
    println!("client_secret: {secret}");
    println!("(the secret is shown only now; it is stored as a hash)");
    Ok(())
}

/// One line of `app credential list`: key ID, type, SHA-1 thumbprint (hex, as Windows shows it), name, start,
/// expiry.
fn print_credential(certificate: &AppCertificate) {
    let thumbprint = thumbprint_hex(&certificate.thumbprint_sha1);
    println!(
        "{}\tcertificate\t{thumbprint}\t{}\t{}\t{}",
        certificate.key_id,
        certificate.display_name,
        rfc3339(certificate.not_before.timestamp()),
        rfc3339(certificate.not_after.timestamp()),
    );
}

async fn credential(settings: &Settings, command: CredentialCommand) -> Result<()> {
    let store = open_store(settings).await?;
    match command {
        CredentialCommand::Add {
            app,
            certificate,
            display_name,
        } => {
            let bytes = std::fs::read(&certificate)
                .with_context(|| format!("--certificate {}", certificate.display()))?;
            let info = read_certificate(&bytes)
                .with_context(|| format!("--certificate {}", certificate.display()))?;
            if info.not_after < unix_now() {
                bail!(
                    "--certificate {}: the certificate expired on {}; give one that is still valid",
                    certificate.display(),
                    rfc3339(info.not_after)
                );
            }
            let time = |seconds: i64| {
                chrono::DateTime::from_timestamp(seconds, 0)
                    .context("a certificate date out of range")
            };
            let added = store
                .add_app_certificate(
                    NewAppCertificate {
                        client_id: app,
                        not_before: time(info.not_before)?,
                        not_after: time(info.not_after)?,
                        display_name: display_name.unwrap_or_else(|| info.subject.clone()),
                        thumbprint_sha1: info.thumbprint_sha1.clone(),
                        thumbprint_sha256: info.thumbprint_sha256.clone(),
                        der: info.der.clone(),
                    },
                    &operator(),
                )
                .await?;
            println!("key_id: {}", added.key_id);
            println!("thumbprint: {}", info.thumbprint_hex());
            println!("expires: {}", rfc3339(info.not_after));
        }
        CredentialCommand::List { app } => {
            if store.app(app).await?.is_none() {
                bail!("--app {app}: no app has this client ID");
            }
            store
                .app_certificates(app)
                .await?
                .iter()
                .for_each(print_credential);
        }
        CredentialCommand::Remove { app, key_id } => {
            if !store
                .remove_app_certificate(app, key_id, &operator())
                .await?
            {
                bail!("--key-id {key_id}: the app {app} has no credential with this key ID");
            }
            println!("Removed the credential {key_id} of the app {app}.");
        }
    }
    Ok(())
}

fn rfc3339(seconds: i64) -> String {
    chrono::DateTime::from_timestamp(seconds, 0)
        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
        .unwrap_or_else(|| seconds.to_string())
}

/// Each stored key with its state now, by the retention these settings give.
fn key_table(settings: &Settings, stored: &[SigningKeyRecord]) -> Vec<KeyState> {
    let activations: Vec<i64> = stored.iter().map(|k| k.activates_at.timestamp()).collect();
    key_states(
        &activations,
        mscommerce_auth::unix_now(),
        settings.token_retention_seconds(),
    )
}

pub async fn keys(settings: &Settings, command: KeysCommand) -> Result<()> {
    let store = open_store(settings).await?;
    let stored = store.signing_keys().await?;
    match command {
        KeysCommand::List => {
            for (key, state) in stored.iter().zip(key_table(settings, &stored)) {
                let state = match state {
                    KeyState::Retired { verifies_until } => {
                        format!("retired (verifies until {})", rfc3339(verifies_until))
                    }
                    other => other.as_str().to_string(),
                };
                println!(
                    "{}\tcreated {}\tsigns from {}\t{state}",
                    key.kid,
                    rfc3339(key.created_at.timestamp()),
                    rfc3339(key.activates_at.timestamp()),
                );
            }
        }
        KeysCommand::Rotate => {
            if stored.is_empty() {
                bail!("the database holds no signing key yet: start the service once (it creates the first)");
            }
            let states = key_table(settings, &stored);
            if let Some((key, KeyState::Next { signs_from })) = stored
                .iter()
                .zip(&states)
                .find(|(_, s)| matches!(s, KeyState::Next { .. }))
            {
                bail!(
                    "the key {} is already waiting to sign (from {}); rotate again once it signs",
                    key.kid,
                    rfc3339(*signs_from)
                );
            }
            let kek = crate::key_encryption::resolve(settings, &stored, false)?;
            crate::key_encryption::check_sealed_by(&kek, &stored)?;
            let key = SigningKey::generate()?;
            let activates_at = chrono::Utc::now()
                + chrono::Duration::seconds(settings.signing_key_propagation_seconds as i64);
            store
                .add_signing_key(NewSigningKey {
                    kid: key.kid.clone(),
                    algorithm: ALGORITHM.into(),
                    private_key: key.sealed(&kek.key)?,
                    public_key: key.public_base64url(),
                    activates_at,
                })
                .await?;
            let retired_until = activates_at.timestamp() + settings.token_retention_seconds();
            println!("{}", key.kid);
            println!(
                "published now; signs from {}; the keys before it verify until {} and are then removed",
                rfc3339(activates_at.timestamp()),
                rfc3339(retired_until)
            );
        }
    }
    Ok(())
}

#[derive(Subcommand)]
pub enum IssuerCommand {
    /// Trust an identity provider for a tenant; prints the trust's ID. Its tokens for one of the audiences sign
    /// people in (their user made on the first sign-in) and apps.
    Add(AddIssuer),
    /// List a tenant's trusted issuers: ID, issuer, audiences, tid, claim mapping.
    List {
        #[arg(long)]
        tenant: TenantId,
    },
    /// Let people sign in on the built-in sign-in page with this provider ("Sign in with BUTTON"): the service's
    /// client at the provider, whose redirect URI is {public_url}/federation/callback. Replaces an earlier one.
    SignIn(IssuerSignIn),
    /// Stop offering the provider's sign-in on the built-in page; its tokens stay trusted.
    SignInRemove {
        #[arg(long)]
        tenant: TenantId,
        #[arg(long)]
        id: Uuid,
    },
    /// Stop trusting an issuer; its tokens are refused within seconds on every replica.
    Remove {
        #[arg(long)]
        tenant: TenantId,
        /// The trust's ID (see `issuer list`).
        #[arg(long)]
        id: Uuid,
    },
}

#[derive(Args)]
pub struct AddIssuer {
    #[arg(long)]
    tenant: TenantId,
    /// The issuer URL, exactly as its tokens carry it in iss (Entra ID:
    /// https://login.microsoftonline.com/{tenantId}/v2.0).
    #[arg(long)]
    issuer: String,
    /// An accepted aud (Entra ID: aeb86249-8ea3-49e2-900b-54cc8e308f85). Repeat for several.
    #[arg(long = "audience", required = true)]
    audiences: Vec<String>,
    /// The tid every token must carry (Entra ID: the directory's ID).
    #[arg(long)]
    external_tenant_id: Option<String>,
    #[arg(long)]
    display_name: Option<String>,
    /// oid (default) or sub.
    #[arg(long, default_value = "oid")]
    user_claim: String,
    /// upn (default), preferred_username or email.
    #[arg(long, default_value = "upn")]
    name_claim: String,
    /// wids (default), groups or directory.
    #[arg(long, default_value = "wids")]
    role_source: String,
    #[arg(long, default_value = "groups")]
    groups_claim: String,
    /// GROUP=ROLE: members of GROUP hold ROLE (with --role-source groups). Repeat for several.
    #[arg(long = "group-role")]
    group_roles: Vec<String>,
}

#[derive(Args)]
pub struct IssuerSignIn {
    #[arg(long)]
    tenant: TenantId,
    /// The trust's ID (see `issuer list`).
    #[arg(long)]
    id: Uuid,
    /// The service's client ID at the provider (Entra ID: the app registration's Application (client) ID).
    #[arg(long)]
    client_id: String,
    /// A file holding the client secret (its last line ending ignored); without it, a public client. Read from a
    /// file so that the secret is in no shell history or process list. Kept sealed with the key-encryption key.
    #[arg(long)]
    client_secret_file: Option<std::path::PathBuf>,
    /// The provider's name on the button; the trust's display name by default.
    #[arg(long)]
    button: Option<String>,
}

fn print_issuer(trust: &mscommerce_store::TrustedIssuer) {
    let mapping = &trust.mapping;
    let groups: Vec<String> = mapping
        .group_roles
        .iter()
        .map(|row| format!("{}={}", row.group, row.role.name()))
        .collect();
    let sign_in = match &trust.sign_in {
        Some(sign_in) => format!(
            "sign-in={} ({}, \"Sign in with {}\")",
            sign_in.client_id,
            if sign_in.sealed_client_secret.is_some() {
                "with a client secret"
            } else {
                "a public client"
            },
            sign_in.button
        ),
        None => "sign-in=-".to_string(),
    };
    println!(
        "{}\t{}\t{}\t{}\tuser={} name={} roles={} {}\t{sign_in}",
        trust.id,
        trust.issuer,
        trust.audiences.join(","),
        trust.external_tenant_id.as_deref().unwrap_or("-"),
        mapping.user_claim.as_str(),
        mapping.name_claim.as_str(),
        mapping.role_source.as_str(),
        groups.join(",")
    );
}

pub async fn issuer(settings: &Settings, command: IssuerCommand) -> Result<()> {
    use mscommerce_domain::federation::*;
    let store = open_store(settings).await?;
    match command {
        IssuerCommand::Add(args) => {
            let issuer = check_issuer_url(&args.issuer).context("--issuer")?;
            let pairs = args
                .group_roles
                .iter()
                .map(|pair| {
                    pair.split_once('=')
                        .map(|(g, r)| (g.to_string(), r.to_string()))
                        .with_context(|| format!("--group-role {pair}: write GROUP=ROLE"))
                })
                .collect::<Result<Vec<_>>>()?;
            let mapping = ClaimMapping {
                user_claim: UserClaim::parse(&args.user_claim)
                    .context("--user-claim: oid or sub")?,
                name_claim: NameClaim::parse(&args.name_claim)
                    .context("--name-claim: upn, preferred_username or email")?,
                role_source: RoleSource::parse(&args.role_source)
                    .context("--role-source: wids, groups or directory")?,
                groups_claim: check_claim_name(&args.groups_claim).context("--groups-claim")?,
                group_roles: check_group_roles(&pairs).context("--group-role")?,
            };
            let added = store
                .add_trusted_issuer(
                    NewTrustedIssuer {
                        tenant_id: args.tenant,
                        display_name: match args.display_name.as_deref() {
                            Some(name) => check_display_name(name).context("--display-name")?,
                            None => issuer.clone(),
                        },
                        issuer,
                        audiences: check_audiences(&args.audiences).context("--audience")?,
                        external_tenant_id: args
                            .external_tenant_id
                            .as_deref()
                            .map(check_external_tenant)
                            .transpose()
                            .context("--external-tenant-id")?,
                        mapping,
                    },
                    &operator(),
                )
                .await?;
            println!("{}", added.id);
        }
        IssuerCommand::List { tenant } => {
            for trust in store.trusted_issuers(Some(tenant)).await? {
                print_issuer(&trust);
            }
        }
        IssuerCommand::SignIn(args) => {
            let trust = store
                .trusted_issuers(Some(args.tenant))
                .await?
                .into_iter()
                .find(|t| t.id == args.id)
                .with_context(|| {
                    format!(
                        "--id {}: the tenant {} trusts no issuer with this ID",
                        args.id, args.tenant
                    )
                })?;
            let client_id = check_sign_in_client_id(&args.client_id).context("--client-id")?;
            let button = match args.button.as_deref() {
                Some(text) => check_button(text).context("--button")?,
                None => {
                    check_button(&trust.display_name).unwrap_or_else(|_| "your organization".into())
                }
            };
            let sealed_client_secret = match &args.client_secret_file {
                Some(path) => {
                    let text = std::fs::read_to_string(path)
                        .with_context(|| format!("--client-secret-file {}", path.display()))?;
                    let secret = text.strip_suffix('\n').unwrap_or(&text);
                    let secret = secret.strip_suffix('\r').unwrap_or(secret);
                    let secret = check_client_secret(secret).context("--client-secret-file")?;
                    let stored = store.signing_keys().await?;
                    let kek = crate::key_encryption::resolve(settings, &stored, false)?;
                    crate::key_encryption::check_sealed_by(&kek, &stored)?;
                    Some(mscommerce_auth::relying_party::seal_client_secret(
                        &kek.key,
                        &trust.id.to_string(),
                        secret,
                    )?)
                }
                None => None,
            };
            let changed = store
                .set_trusted_issuer_sign_in(
                    args.tenant,
                    trust.id,
                    Some(mscommerce_store::ProviderSignIn {
                        client_id,
                        sealed_client_secret,
                        button,
                    }),
                    &operator(),
                )
                .await?
                .with_context(|| format!("--id {}: the trust was removed meanwhile", args.id))?;
            print_issuer(&changed);
        }
        IssuerCommand::SignInRemove { tenant, id } => {
            if store
                .set_trusted_issuer_sign_in(tenant, id, None, &operator())
                .await?
                .is_none()
            {
                bail!("--id {id}: the tenant {tenant} trusts no issuer with this ID");
            }
            println!("The trusted issuer {id} offers no sign-in on the built-in page now.");
        }
        IssuerCommand::Remove { tenant, id } => {
            if !store.remove_trusted_issuer(tenant, id, &operator()).await? {
                bail!("--id {id}: the tenant {tenant} trusts no issuer with this ID");
            }
            println!("Removed the trusted issuer {id}.");
        }
    }
    Ok(())
}
