//! Admin commands: tenants, users and apps, migrations, backups. They open the same database the service uses,
//! and may run while it runs.

use std::io::BufRead;
use std::path::Path;
use std::sync::Arc;

use anyhow::{bail, Context, Result};
use clap::{Args, Subcommand};
use mscommerce_auth::{generate_secret, hash_secret};
use mscommerce_domain::TenantId;
use mscommerce_domain::{check_new_password, AppPermission, DirectoryRole};
use mscommerce_store::{AuditActor, NewApp, NewTenant, NewUser, SqliteStore, Store, UserType};
use uuid::Uuid;

use crate::config::Settings;

#[derive(Subcommand)]
pub enum TenantCommand {
    /// Create a tenant; prints its ID.
    Create {
        #[arg(long)]
        name: String,
        /// Use this tenant ID (to mirror an existing Entra tenant) instead of a new one.
        #[arg(long)]
        id: Option<TenantId>,
    },
    /// List the tenants.
    List,
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
    /// Sign-in name, unique across tenants (user@contoso.onmicrosoft.com).
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
}

async fn open_store(settings: &Settings) -> Result<Arc<dyn Store>> {
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
        TenantCommand::Create { name, id } => {
            if name.trim().is_empty() {
                bail!("--name must not be empty");
            }
            let tenant = store
                .create_tenant(NewTenant { id, name }, &operator())
                .await?;
            println!("{}", tenant.id);
        }
        TenantCommand::List => {
            for tenant in store.tenants().await? {
                println!("{}\t{}", tenant.id, tenant.name);
            }
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
    let AppCommand::Create {
        tenant,
        name,
        permissions,
    } = command;
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
