//! What the store keeps, as plain records.

use chrono::{DateTime, Utc};
use mscommerce_domain::{PolicyValue, Scope};
use uuid::Uuid;

#[derive(Debug, Clone)]
pub struct NewTenant {
    /// Chosen by the caller when given (to mirror an existing Entra tenant), generated otherwise.
    pub id: Option<Uuid>,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tenant {
    pub id: Uuid,
    pub name: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserType {
    Member,
    Guest,
}

impl UserType {
    pub fn as_str(self) -> &'static str {
        match self {
            UserType::Member => "Member",
            UserType::Guest => "Guest",
        }
    }
}

#[derive(Debug, Clone)]
pub struct NewUser {
    pub tenant_id: Uuid,
    pub upn: String,
    pub display_name: String,
    pub user_type: UserType,
    pub password_hash: Option<String>,
    /// Directory role template IDs.
    pub roles: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct User {
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub upn: String,
    pub display_name: String,
    pub user_type: UserType,
    pub account_enabled: bool,
    pub password_hash: Option<String>,
    pub roles: Vec<String>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct NewApp {
    pub tenant_id: Uuid,
    pub display_name: String,
    pub secret_hash: String,
    /// Application permission names.
    pub permissions: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct App {
    pub client_id: Uuid,
    pub object_id: Uuid,
    pub tenant_id: Uuid,
    pub display_name: String,
    pub secret_hash: String,
    pub permissions: Vec<String>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSigningKey {
    pub kid: String,
    pub algorithm: String,
    /// PKCS#8 document, base64.
    pub private_key: String,
    /// Raw public key, base64url.
    pub public_key: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SigningKeyRecord {
    pub kid: String,
    pub algorithm: String,
    /// PKCS#8 document, base64.
    pub private_key: String,
    /// Raw public key, base64url.
    pub public_key: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredPolicyValue {
    pub policy_id: String,
    pub scope: Scope,
    pub target_id: String,
    pub value: PolicyValue,
    pub revision: i64,
}

/// Who did something, as the audit trail records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditActor {
    pub id: String,
    pub name: String,
    /// `User`, `App` or `Cli` (an operator at the server's command line).
    pub kind: String,
    pub correlation_id: String,
}

impl AuditActor {
    /// An operator running the `mscommerce` admin commands on the server.
    pub fn command_line(correlation_id: String) -> AuditActor {
        let name = std::env::var("USER").unwrap_or_else(|_| "operator".to_string());
        AuditActor {
            id: format!("cli:{name}"),
            name,
            kind: "Cli".to_string(),
            correlation_id,
        }
    }
}

#[derive(Debug, Clone)]
pub struct PolicyChange {
    pub tenant_id: Uuid,
    pub policy_id: String,
    pub scope: Scope,
    /// Canonical catalog ID.
    pub target_id: String,
    /// Catalog name, recorded in the audit event so it reads well even after the catalog changes.
    pub target_name: String,
    /// The value a target without a stored one has.
    pub default_value: PolicyValue,
    pub value: PolicyValue,
    pub actor: AuditActor,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyWrite {
    pub old_value: PolicyValue,
    pub new_value: PolicyValue,
    /// The revision of the write; `None` when the value was already set and nothing was written.
    pub revision: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEvent {
    pub id: i64,
    pub tenant_id: Uuid,
    pub occurred_at: DateTime<Utc>,
    pub action: String,
    pub actor_id: String,
    pub actor_name: String,
    pub actor_type: String,
    pub correlation_id: String,
    pub target_type: String,
    pub target_id: String,
    pub target_name: String,
    pub policy_id: Option<String>,
    pub old_value: Option<String>,
    pub new_value: Option<String>,
}

/// Audit action names.
pub mod actions {
    pub const POLICY_VALUE_CHANGED: &str = "PolicyValueChanged";
    pub const TENANT_CREATED: &str = "TenantCreated";
    pub const USER_CREATED: &str = "UserCreated";
    pub const APP_CREATED: &str = "AppCreated";
}
