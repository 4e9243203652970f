//! The `mscommerce` binary: `serve` runs the service; the other commands administer its database.

mod admin;
mod config;
mod dispatcher;
mod key_encryption;
mod lifecycle;
mod listener;
mod partners;
mod serve;
mod tls;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use config::Settings;

#[derive(Parser)]
#[command(
    name = "mscommerce",
    version,
    about = "Self-service purchase policy service of Microsoft 365 commerce"
)]
struct Cli {
    /// A TOML configuration file (default: ./mscommerce.toml when it exists).
    #[arg(long, global = true, env = "MSCOMMERCE_CONFIG")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the service (creating and migrating the database, and a first tenant and administrator, when empty).
    Serve,
    /// Apply missing database migrations, then exit.
    Migrate,
    /// Print the OpenAPI document.
    Openapi,
    /// Write a consistent copy of the database to a new file while the service runs.
    Backup {
        /// The file to write; it must not exist.
        #[arg(long)]
        to: PathBuf,
    },
    /// Tenants.
    #[command(subcommand)]
    Tenant(admin::TenantCommand),
    /// Users of a tenant.
    #[command(subcommand)]
    User(admin::UserCommand),
    /// Apps (clients) of a tenant, for unattended sign-in.
    #[command(subcommand)]
    App(admin::AppCommand),
    /// The built-in issuer's signing keys: list them, rotate them.
    #[command(subcommand)]
    Keys(admin::KeysCommand),
    /// Identity providers a tenant trusts (Entra ID, any OpenID Connect issuer).
    #[command(subcommand)]
    Issuer(admin::IssuerCommand),
    /// Delegated admin relationships between a partner tenant and its customers.
    #[command(subcommand)]
    Partner(partners::PartnerCommand),
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Command::Openapi = cli.command {
        print!("{}", mscommerce_api::openapi::document_json());
        return ExitCode::SUCCESS;
    }
    let settings = match Settings::load(cli.config.as_deref()) {
        Ok(settings) => settings,
        Err(e) => {
            eprintln!("mscommerce: {e}");
            return ExitCode::from(2);
        }
    };
    serve::init_logging(&settings);
    for name in Settings::unknown_environment() {
        tracing::warn!(variable = %name, "environment variable matches no setting; ignored");
    }
    let outcome = match cli.command {
        Command::Serve => serve::run(settings).await,
        Command::Migrate => admin::migrate(&settings).await,
        Command::Backup { to } => admin::backup(&settings, &to).await,
        Command::Tenant(command) => admin::tenant(&settings, command).await,
        Command::User(command) => admin::user(&settings, command).await,
        Command::App(command) => admin::app(&settings, command).await,
        Command::Keys(command) => admin::keys(&settings, command).await,
        Command::Issuer(command) => admin::issuer(&settings, command).await,
        Command::Partner(command) => partners::partner(&settings, command).await,
        Command::Openapi => unreachable!("handled before configuration is loaded"),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("mscommerce: {e:#}");
            ExitCode::FAILURE
        }
    }
}
