//! The store under test, and tokens for it.
//!
//! The database is created by `mscommerce migrate` (the schema is the service's, never restated here), then
//! filled directly: in one transaction on SQLite, with `COPY` on PostgreSQL. Inserting 290,000 rows through the
//! API would take minutes; a million tenants, hours.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::{bail, Context, Result};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use mscommerce_domain::Catalog;
use sqlx::{PgPool, QueryBuilder, Row, SqlitePool};
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

/// Where the benchmark's store lives.
#[derive(Clone)]
pub enum Backend {
    /// A new file.
    Sqlite(PathBuf),
    /// A new database on a PostgreSQL server: created through `admin_url` (any database of that server), dropped
    /// after the run.
    Postgres { admin_url: String, database: String },
}

impl Backend {
    pub fn url(&self) -> String {
        match self {
            Backend::Sqlite(path) => format!("sqlite://{}", path.display()),
            Backend::Postgres {
                admin_url,
                database,
            } => {
                let server = admin_url
                    .rsplit_once('/')
                    .map_or(admin_url.as_str(), |(s, _)| s);
                format!("{server}/{database}")
            }
        }
    }

    pub fn name(&self) -> &'static str {
        match self {
            Backend::Sqlite(_) => "SQLite",
            Backend::Postgres { .. } => "PostgreSQL",
        }
    }

    /// Drops a PostgreSQL database made for the run (a SQLite file goes with the working folder).
    pub async fn remove(&self) -> Result<()> {
        if let Backend::Postgres {
            admin_url,
            database,
        } = self
        {
            let pool = PgPool::connect(admin_url).await?;
            sqlx::query(&format!("DROP DATABASE IF EXISTS {database} WITH (FORCE)"))
                .execute(&pool)
                .await?;
            pool.close().await;
        }
        Ok(())
    }
}

/// Creates the store with `mscommerce migrate` (the schema is the service's own); refuses a file that exists.
pub async fn migrate(mscommerce: &Path, backend: &Backend) -> Result<String> {
    match backend {
        Backend::Sqlite(database) if database.exists() => bail!(
            "{} exists; the benchmark seeds a new file",
            database.display()
        ),
        Backend::Sqlite(_) => {}
        Backend::Postgres {
            admin_url,
            database,
        } => {
            let pool = PgPool::connect(admin_url)
                .await
                .with_context(|| format!("connecting to {admin_url}"))?;
            sqlx::query(&format!("CREATE DATABASE {database}"))
                .execute(&pool)
                .await?;
            pool.close().await;
        }
    }
    let url = backend.url();
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

/// The seeded tenants: `tenants` of them, each with one Global Administrator (a member: the decision endpoint
/// reads the caller's account) and a stored value (`Enabled`, at revision 1) for `values` of the catalog's
/// targets (every product and offer type when `values` is their number; fewer, each tenant its own, at a million
/// tenants, where a value for every target would be 29 million rows).
pub struct Plan<'a> {
    pub people: Vec<Tenant>,
    targets: Vec<(&'a str, &'a str)>,
    values: usize,
}

impl<'a> Plan<'a> {
    pub fn new(tenants: usize, values: usize, catalog: &'a Catalog) -> Plan<'a> {
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
        // In key order, so that every index is appended to rather than split all over (a million random keys
        // take SQLite minutes, sorted ones seconds): tenant IDs sorted, administrators' IDs sorted beside them (their
        // sign-in names follow the tenant's ID, so they are sorted too).
        let mut ids: Vec<Uuid> = (0..tenants).map(|_| Uuid::new_v4()).collect();
        let mut admins: Vec<Uuid> = (0..tenants).map(|_| Uuid::new_v4()).collect();
        ids.sort_unstable_by_key(|id| id.to_string());
        admins.sort_unstable_by_key(|id| id.to_string());
        let mut targets = targets;
        targets.sort_unstable();
        Plan {
            people: ids
                .into_iter()
                .zip(admins)
                .map(|(id, admin)| Tenant { id, admin })
                .collect(),
            values: values.min(targets.len()),
            targets,
        }
    }

    pub fn value_count(&self) -> usize {
        self.people.len() * self.values
    }

    /// The (tenant, scope, target) of every stored value: tenant `n`'s start at target `n`, so that together the
    /// tenants hold values of every target.
    fn values(&self) -> impl Iterator<Item = (&Tenant, &str, &str)> {
        self.people.iter().enumerate().flat_map(move |(n, tenant)| {
            (0..self.values).map(move |k| {
                let (scope, target) = self.targets[(n + k) % self.targets.len()];
                (tenant, scope, target)
            })
        })
    }
}

/// Fills a migrated store: in one transaction of multi-row inserts on SQLite, with `COPY` on PostgreSQL.
pub async fn seed(backend: &Backend, url: &str, plan: &Plan<'_>) -> Result<()> {
    match backend {
        Backend::Sqlite(_) => seed_sqlite(url, plan).await,
        Backend::Postgres { .. } => seed_postgres(url, plan).await,
    }
}

async fn seed_sqlite(url: &str, plan: &Plan<'_>) -> Result<()> {
    use sqlx::ConnectOptions;
    // One connection, alone on a new file: without a journal (a failed seed is thrown away, not recovered) and
    // with a page cache large enough for the indexes being built; the file goes back to WAL, the service's mode,
    // at the end.
    let mut conn = url
        .parse::<sqlx::sqlite::SqliteConnectOptions>()?
        .journal_mode(sqlx::sqlite::SqliteJournalMode::Off)
        .synchronous(sqlx::sqlite::SqliteSynchronous::Off)
        .pragma("cache_size", "-1000000")
        .connect()
        .await?;
    let mut tx = sqlx::Connection::begin(&mut conn).await?;
    // SQLite binds at most 32,766 parameters per statement.
    for chunk in plan.people.chunks(1000) {
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
    let rows: Vec<(String, &str, &str)> = plan
        .values()
        .map(|(tenant, scope, target)| (tenant.id.to_string(), scope, target))
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
    sqlx::query("PRAGMA journal_mode = WAL")
        .execute(&mut conn)
        .await?;
    sqlx::Connection::close(conn).await?;
    Ok(())
}

/// `COPY ... FROM STDIN` in PostgreSQL's text format (tab-separated; none of the values holds a tab, a newline
/// or a backslash), sent in blocks of a few megabytes, then `ANALYZE` so that the planner knows the sizes.
async fn seed_postgres(url: &str, plan: &Plan<'_>) -> Result<()> {
    async fn copy(
        conn: &mut sqlx::PgConnection,
        statement: &str,
        rows: impl Iterator<Item = String>,
    ) -> Result<()> {
        let mut copy = conn.copy_in_raw(statement).await?;
        let mut block = String::with_capacity(4 << 20);
        for row in rows {
            block.push_str(&row);
            block.push('\n');
            if block.len() >= 4 << 20 {
                copy.send(std::mem::take(&mut block).into_bytes()).await?;
            }
        }
        if !block.is_empty() {
            copy.send(block.into_bytes()).await?;
        }
        copy.finish().await?;
        Ok(())
    }
    let pool = PgPool::connect(url).await?;
    let mut conn = pool.acquire().await?;
    copy(
        &mut conn,
        "COPY tenants (id, name, policy_revision, created_at) FROM STDIN",
        plan.people.iter().map(|t| {
            format!(
                "{}\tBench {}\t{SEEDED_REVISION}\t{SEEDED_AT}",
                t.id,
                t.id.simple()
            )
        }),
    )
    .await?;
    copy(
        &mut conn,
        "COPY users (id, tenant_id, upn, display_name, user_type, roles, created_at) FROM STDIN",
        plan.people.iter().map(|t| {
            format!(
                "{}\t{}\t{}\tBench Administrator\tMember\t{GLOBAL_ADMINISTRATOR}\t{SEEDED_AT}",
                t.admin,
                t.id,
                t.admin_upn()
            )
        }),
    )
    .await?;
    copy(
        &mut conn,
        "COPY policy_values (tenant_id, policy_id, scope, target_id, value, revision, updated_at) FROM STDIN",
        plan.values().map(|(t, scope, target)| {
            format!(
                "{}\t{POLICY_ID}\t{scope}\t{target}\tEnabled\t{SEEDED_REVISION}\t{SEEDED_AT}",
                t.id
            )
        }),
    )
    .await?;
    sqlx::query("ANALYZE").execute(&mut *conn).await?;
    drop(conn);
    pool.close().await;
    Ok(())
}

/// Real tokens, signed with the newest key the server created (read from its database and decrypted with its
/// key-encryption key), shaped like those of
/// its built-in issuer (`mscommerce_auth::claims::AccessClaims`): one per tenant's administrator, valid 1 hour.
pub async fn tokens(
    backend: &Backend,
    url: &str,
    kek_file: &Path,
    issuer: &str,
    people: &[Tenant],
) -> Result<Vec<String>> {
    const NEWEST_KEY: &str =
        "SELECT kid, private_key FROM signing_keys ORDER BY created_at DESC LIMIT 1";
    let (kid, sealed): (String, String) = match backend {
        Backend::Sqlite(_) => {
            let pool = SqlitePool::connect(url).await?;
            let row = sqlx::query(NEWEST_KEY).fetch_optional(&pool).await?;
            pool.close().await;
            let row = row.context("the server has created no signing key")?;
            (row.get("kid"), row.get("private_key"))
        }
        Backend::Postgres { .. } => {
            let pool = PgPool::connect(url).await?;
            let row = sqlx::query(NEWEST_KEY).fetch_optional(&pool).await?;
            pool.close().await;
            let row = row.context("the server has created no signing key")?;
            (row.get("kid"), row.get("private_key"))
        }
    };
    // The key is sealed with the key-encryption key the benchmark gave the server.
    let kek = std::fs::read_to_string(kek_file)
        .with_context(|| format!("reading the key-encryption key {}", kek_file.display()))?;
    let der = mscommerce_auth::open_private_key(&kek, &kid, &sealed)
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
pub async fn policy_changes(backend: &Backend, url: &str) -> Result<u64> {
    const CHANGES: &str = "SELECT count(*) FROM audit_events WHERE action = 'PolicyValueChanged'";
    let count: i64 = match backend {
        Backend::Sqlite(_) => {
            let pool = SqlitePool::connect(url).await?;
            let count = sqlx::query_scalar(CHANGES).fetch_one(&pool).await?;
            pool.close().await;
            count
        }
        Backend::Postgres { .. } => {
            let pool = PgPool::connect(url).await?;
            let count = sqlx::query_scalar(CHANGES).fetch_one(&pool).await?;
            pool.close().await;
            count
        }
    };
    Ok(count.try_into()?)
}
