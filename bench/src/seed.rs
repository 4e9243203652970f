//! The store under test, and tokens for it.
//!
//! The database is created by `mscommerce migrate` (the schema is the service's, never restated here), then
//! filled directly in one transaction: inserting 290,000 rows through the API would take minutes.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::{bail, Context, Result};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use mscommerce_domain::Catalog;
use sqlx::{QueryBuilder, Row, SqlitePool};
use uuid::Uuid;

pub const AUDIENCE: &str = "aeb86249-8ea3-49e2-900b-54cc8e308f85";
/// The directory role template id of Global Administrator: may read and change every policy value.
pub const GLOBAL_ADMINISTRATOR: &str = "62e90394-69f5-4237-9190-012177145e10";
pub const POLICY_ID: &str = "AllowSelfServicePurchase";
/// The revision of every seeded value; each tenant's `policy_revision` is the same, so every later write (which
/// bumps it) is newer than every seeded value.
const SEEDED_REVISION: i64 = 1;
const SEEDED_AT: &str = "2026-01-01T00:00:00.000Z";

/// A seeded tenant and its Global Administrator.
#[derive(Clone, Copy)]
pub struct Tenant {
    pub id: Uuid,
    pub admin: Uuid,
}

impl Tenant {
    fn admin_upn(&self) -> String {
        format!("admin@{}.bench.test", self.id.simple())
    }
}

/// Creates the database with `mscommerce migrate`; refuses a file that exists.
pub fn migrate(mscommerce: &Path, database: &Path) -> Result<String> {
    if database.exists() {
        bail!(
            "{} exists; the benchmark seeds a new file",
            database.display()
        );
    }
    let url = format!("sqlite://{}", database.display());
    let status = Command::new(mscommerce)
        .arg("migrate")
        .env("MSCOMMERCE_DATABASE_URL", &url)
        .env("MSCOMMERCE_LOG_LEVEL", "warn")
        .stdout(Stdio::null())
        .status()
        .with_context(|| format!("running {} migrate", mscommerce.display()))?;
    if !status.success() {
        bail!("mscommerce migrate failed ({status})");
    }
    Ok(url)
}

/// Fills a migrated database in one transaction: `tenants` tenants, each with a stored value (`Enabled`, at
/// revision 1) for every product and offer type of the catalog and one Global Administrator (a member: the
/// decision endpoint reads the caller's account).
pub async fn seed(url: &str, tenants: usize, catalog: &Catalog) -> Result<Vec<Tenant>> {
    let people: Vec<Tenant> = (0..tenants)
        .map(|_| Tenant {
            id: Uuid::new_v4(),
            admin: Uuid::new_v4(),
        })
        .collect();
    let targets: Vec<(&str, &str)> = catalog
        .products()
        .iter()
        .map(|p| ("product", p.id.as_str()))
        .chain(
            catalog
                .offer_types()
                .iter()
                .map(|o| ("OfferType", o.id.as_str())),
        )
        .collect();
    let pool = SqlitePool::connect(url).await?;
    let mut tx = pool.begin().await?;
    // SQLite binds at most 32,766 parameters per statement.
    for chunk in people.chunks(1000) {
        let mut query =
            QueryBuilder::new("INSERT INTO tenants (id, name, policy_revision, created_at) ");
        query.push_values(chunk, |mut row, tenant| {
            row.push_bind(tenant.id.to_string())
                .push_bind(format!("Bench {}", tenant.id.simple()))
                .push_bind(SEEDED_REVISION)
                .push_bind(SEEDED_AT);
        });
        query.build().execute(&mut *tx).await?;
        let mut query = QueryBuilder::new(
            "INSERT INTO users (id, tenant_id, upn, display_name, user_type, roles, created_at) ",
        );
        query.push_values(chunk, |mut row, tenant| {
            row.push_bind(tenant.admin.to_string())
                .push_bind(tenant.id.to_string())
                .push_bind(tenant.admin_upn())
                .push_bind("Bench Administrator")
                .push_bind("Member")
                .push_bind(GLOBAL_ADMINISTRATOR)
                .push_bind(SEEDED_AT);
        });
        query.build().execute(&mut *tx).await?;
    }
    let rows: Vec<(String, &str, &str)> = people
        .iter()
        .flat_map(|tenant| {
            let id = tenant.id.to_string();
            targets
                .iter()
                .map(move |(scope, target)| (id.clone(), *scope, *target))
        })
        .collect();
    for chunk in rows.chunks(4000) {
        let mut query = QueryBuilder::new(
            "INSERT INTO policy_values (tenant_id, policy_id, scope, target_id, value, revision, updated_at) ",
        );
        query.push_values(chunk, |mut row, (tenant, scope, target)| {
            row.push_bind(tenant.as_str())
                .push_bind(POLICY_ID)
                .push_bind(*scope)
                .push_bind(*target)
                .push_bind("Enabled")
                .push_bind(SEEDED_REVISION)
                .push_bind(SEEDED_AT);
        });
        query.build().execute(&mut *tx).await?;
    }
    tx.commit().await?;
    pool.close().await;
    Ok(people)
}

/// Real tokens, signed with the newest key the server created (read from its database and decrypted with its
/// key-encryption key), shaped like those of
/// its built-in issuer (`mscommerce_auth::claims::AccessClaims`): one per tenant's administrator, valid 1 hour.
pub async fn tokens(url: &str, issuer: &str, people: &[Tenant]) -> Result<Vec<String>> {
    let pool = SqlitePool::connect(url).await?;
    let row =
        sqlx::query("SELECT kid, private_key FROM signing_keys ORDER BY created_at DESC LIMIT 1")
            .fetch_optional(&pool)
            .await?
            .context("the server has created no signing key")?;
    pool.close().await;
    let kid: String = row.get("kid");
    // The key is sealed with the key-encryption key the server generated beside its database.
    let database = Path::new(url.strip_prefix("sqlite://").unwrap_or(url));
    let kek_file = database
        .parent()
        .unwrap_or(Path::new("."))
        .join("signing-key-encryption.key");
    let kek = std::fs::read_to_string(&kek_file)
        .with_context(|| format!("reading the key-encryption key {}", kek_file.display()))?;
    let der = mscommerce_auth::open_private_key(&kek, &kid, &row.get::<String, _>("private_key"))
        .context("opening the signing key with the server's key-encryption key")?;
    let key = EncodingKey::from_ed_der(&der);
    let now = SystemTime::now().duration_since(UNIX_EPOCH)?.as_secs() as i64;
    let mut header = Header::new(Algorithm::EdDSA);
    header.kid = Some(kid);
    people
        .iter()
        .map(|tenant| {
            let claims = serde_json::json!({
                "iss": issuer, "aud": AUDIENCE, "iat": now, "nbf": now, "exp": now + 3600,
                "tid": tenant.id.to_string(), "oid": tenant.admin.to_string(),
                "sub": tenant.admin.to_string(), "ver": "2.0",
                "uti": Uuid::new_v4().simple().to_string(), "idtyp": "user",
                "upn": tenant.admin_upn(), "name": "Bench Administrator",
                "wids": [GLOBAL_ADMINISTRATOR],
            });
            jsonwebtoken::encode(&header, &claims, &key).context("signing a token")
        })
        .collect()
}

/// Changes written by the PUT scenario: one audit event per real change.
pub async fn policy_changes(url: &str) -> Result<u64> {
    let pool = SqlitePool::connect(url).await?;
    let count: i64 = sqlx::query_scalar("SELECT count(*) FROM audit_events WHERE action = ?")
        .bind("PolicyValueChanged")
        .fetch_one(&pool)
        .await?;
    pool.close().await;
    Ok(count.try_into()?)
}
