//! The admin commands of delegated admin relationships: an operator asks, approves, ends and lists them for a
//! tenant, as its Global Administrator would through the API (the same store calls, the same rules, audited as
//! the operator in both tenants). A relationship ended here stops the partner's live tokens within a poll of the
//! change feed of the serving process.

use anyhow::{Context, Result};
use chrono::{DateTime, Duration, Utc};
use clap::Subcommand;
use mscommerce_domain::{parse_roles, DirectoryRole, TenantId};
use mscommerce_store::{AuditActor, DelegatedAdminRelationship, NewRelationship};
use uuid::Uuid;

use crate::admin::open_store;
use crate::config::Settings;

#[derive(Subcommand)]
pub enum PartnerCommand {
    /// As a partner tenant, ask a customer tenant for roles; prints the pending relationship.
    Request {
        #[arg(long)]
        partner: TenantId,
        #[arg(long)]
        customer: TenantId,
        /// A role asked for (GlobalReader, BillingAdministrator, ...). Repeat for several.
        #[arg(long = "role", required = true)]
        roles: Vec<String>,
    },
    /// As the customer, approve a pending relationship until an end date (at most two years away).
    Approve {
        #[arg(long)]
        customer: TenantId,
        #[arg(long)]
        id: Uuid,
        /// A role granted, among those asked for; all of them when none is given. Repeat for several.
        #[arg(long = "role")]
        roles: Vec<String>,
        /// When the roles lapse (RFC 3339); or give --days.
        #[arg(long, conflicts_with = "days")]
        end: Option<DateTime<Utc>>,
        /// Days from now until the roles lapse (1 to 730).
        #[arg(long)]
        days: Option<i64>,
    },
    /// End a relationship at once, from either side.
    End {
        /// The partner or the customer.
        #[arg(long)]
        tenant: TenantId,
        #[arg(long)]
        id: Uuid,
    },
    /// List a tenant's relationships, as partner and as customer.
    List {
        #[arg(long)]
        tenant: TenantId,
    },
}

fn operator() -> AuditActor {
    AuditActor::command_line(Uuid::new_v4().to_string())
}

/// One line: ID, partner, customer, status, granted (or asked) roles, end.
fn print(relationship: &DelegatedAdminRelationship) {
    let status = relationship
        .status_at(Utc::now())
        .map_or(relationship.status.as_str(), |s| s.as_str());
    let roles = if relationship.granted_roles.is_empty() {
        &relationship.requested_roles
    } else {
        &relationship.granted_roles
    };
    let roles: Vec<&str> = roles
        .iter()
        .map(|id| DirectoryRole::parse(id).map_or(id.as_str(), |r| r.name()))
        .collect();
    println!(
        "{}\tpartner {} ({})\tcustomer {} ({})\t{}\t{}\t{}",
        relationship.id,
        relationship.partner_name,
        relationship.partner_tenant_id,
        relationship.customer_name,
        relationship.customer_tenant_id,
        status,
        roles.join(","),
        relationship
            .ends_at
            .map(|t| t.to_rfc3339())
            .unwrap_or_default()
    );
}

pub async fn partner(settings: &Settings, command: PartnerCommand) -> Result<()> {
    let store = open_store(settings).await?;
    match command {
        PartnerCommand::Request {
            partner,
            customer,
            roles,
        } => {
            let roles = parse_roles(&roles).context("--role")?;
            let relationship = store
                .request_relationship(
                    NewRelationship {
                        partner_tenant_id: partner,
                        customer_tenant_id: customer,
                        roles,
                    },
                    &operator(),
                )
                .await?;
            print(&relationship);
        }
        PartnerCommand::Approve {
            customer,
            id,
            roles,
            end,
            days,
        } => {
            let current = store.relationship(customer, id).await?.with_context(|| {
                format!("--id {id}: tenant {customer} has no such relationship")
            })?;
            let roles = if roles.is_empty() {
                current
                    .requested_roles
                    .iter()
                    .filter_map(|r| DirectoryRole::parse(r))
                    .collect()
            } else {
                parse_roles(&roles).context("--role")?
            };
            let ends_at = match (end, days) {
                (Some(end), _) => end,
                (None, Some(days)) => Utc::now() + Duration::days(days),
                (None, None) => anyhow::bail!("give --end (RFC 3339) or --days (1 to 730)"),
            };
            let approved = store
                .approve_relationship(customer, id, &roles, ends_at, &operator())
                .await?;
            print(&approved);
        }
        PartnerCommand::End { tenant, id } => {
            let ended = store.end_relationship(tenant, id, &operator()).await?;
            print(&ended);
        }
        PartnerCommand::List { tenant } => {
            for relationship in store.relationships(tenant).await? {
                print(&relationship);
            }
        }
    }
    Ok(())
}
