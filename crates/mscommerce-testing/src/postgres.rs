//! Throwaway PostgreSQL databases (and roles) for tests: one per test, created on the server that
//! `MSCOMMERCE_TEST_POSTGRES_URL` names (the admin URL: any database there that its user may connect to, and a
//! user that may create databases), and dropped afterwards, also when the test panics.
//!
//! Test databases use the ICU `en-US` collation when the server has it, as a typical production database does, so
//! that a query that sorts text without saying how shows up as a difference from SQLite.
//!
//! ```ignore
//! if let Some(admin_url) = mscommerce_testing::postgres::admin_url() {
//!     let database = mscommerce_testing::postgres::TestDatabase::create(&admin_url).await;
//!     // ... MSCOMMERCE_DATABASE_URL = database.url ...
//! } // dropped here, also when the test panics
//! ```

use sqlx::Connection;
use uuid::Uuid;

/// The variable that names the PostgreSQL server of the tests.
pub const POSTGRES_ENV: &str = "MSCOMMERCE_TEST_POSTGRES_URL";

/// Every test database's name starts with this; [`drop_database`] drops nothing else.
const PREFIX: &str = "mscommerce_test_";

/// The admin URL, when PostgreSQL tests are to run.
pub fn admin_url() -> Option<String> {
    std::env::var(POSTGRES_ENV).ok().filter(|u| !u.is_empty())
}

/// Creates a new, empty database `mscommerce_test_<uuid>` on the server of `admin_url`, with the ICU `en-US`
/// collation when the server has it; answers its URL (see [`database_url`]). Panics when the server cannot be
/// reached.
pub async fn create_database(admin_url: &str) -> String {
    let name = format!("{PREFIX}{}", Uuid::new_v4().simple());
    let mut admin = sqlx::PgConnection::connect(admin_url)
        .await
        .unwrap_or_else(|e| panic!("{POSTGRES_ENV}={admin_url}: {e}"));
    let icu =
        format!("CREATE DATABASE {name} TEMPLATE template0 LOCALE_PROVIDER icu ICU_LOCALE 'en-US'");
    if sqlx::query(&icu).execute(&mut admin).await.is_err() {
        // A server before PostgreSQL 15, or without ICU: its default collation.
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&mut admin)
            .await
            .unwrap_or_else(|e| panic!("CREATE DATABASE {name}: {e}"));
    }
    let _ = admin.close().await;
    database_url(admin_url, &name)
}

/// Drops the database that `url` names (one made by [`create_database`]), ending its connections first. Blocking
/// (see [`admin_blocking`]); errors are printed, not raised: a test must not fail, nor panic twice, because its
/// cleanup did.
pub fn drop_database(admin_url: &str, url: &str) {
    let Some(name) = database_of(url).filter(|n| n.starts_with(PREFIX)) else {
        eprintln!("not a test database, left alone: {url}");
        return;
    };
    // FORCE (PostgreSQL 13 and later) ends the connections a test, or a killed server, left behind.
    if let Err(e) = admin_blocking(
        admin_url,
        &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
    ) {
        eprintln!("could not drop the test database {name}: {e}");
    }
}

/// Runs one statement on the server of `admin_url`, on a thread and runtime of its own, so that it can be called
/// from `Drop`, inside or outside a runtime.
pub fn admin_blocking(admin_url: &str, sql: &str) -> Result<(), sqlx::Error> {
    let (admin_url, sql) = (admin_url.to_string(), sql.to_string());
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        runtime.block_on(async {
            let mut admin = sqlx::PgConnection::connect(&admin_url).await?;
            sqlx::query(&sql).execute(&mut admin).await?;
            admin.close().await
        })
    })
    .join()
    .expect("the admin thread")
}

/// A test database that is dropped with this value.
pub struct TestDatabase {
    admin_url: String,
    pub url: String,
}

impl TestDatabase {
    pub async fn create(admin_url: &str) -> TestDatabase {
        TestDatabase {
            url: create_database(admin_url).await,
            admin_url: admin_url.to_string(),
        }
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        drop_database(&self.admin_url, &self.url);
    }
}

/// A PostgreSQL role for one test, that may log in, dropped with this value (declared before a test database, it
/// is dropped after it, with the grants the database holds).
pub struct TestRole {
    admin_url: String,
    pub name: String,
}

impl TestRole {
    /// `None` when the admin user may not create roles.
    pub async fn create(admin_url: &str) -> Option<TestRole> {
        let name = format!("{PREFIX}role_{}", Uuid::new_v4().simple());
        let mut admin = sqlx::PgConnection::connect(admin_url)
            .await
            .unwrap_or_else(|e| panic!("{POSTGRES_ENV}={admin_url}: {e}"));
        let created = sqlx::query(&format!("CREATE ROLE {name} LOGIN"))
            .execute(&mut admin)
            .await;
        let _ = admin.close().await;
        if let Err(e) = created {
            eprintln!("cannot create a role ({e}): skipped");
            return None;
        }
        Some(TestRole {
            admin_url: admin_url.to_string(),
            name,
        })
    }
}

impl Drop for TestRole {
    fn drop(&mut self) {
        let name = &self.name;
        if let Err(e) = admin_blocking(&self.admin_url, &format!("DROP ROLE IF EXISTS {name}")) {
            eprintln!("could not drop the test role {name}: {e}");
        }
    }
}

/// The URL of database `name` on the server of `admin_url`, keeping its user, host and parameters.
pub fn database_url(admin_url: &str, name: &str) -> String {
    let (rest, parameters) = match admin_url.split_once('?') {
        Some((rest, parameters)) => (rest, Some(parameters)),
        None => (admin_url, None),
    };
    let authority = rest.find("://").map_or(0, |i| i + 3);
    let base = match rest[authority..].find('/') {
        Some(i) => &rest[..authority + i],
        None => rest,
    };
    match parameters {
        Some(parameters) => format!("{base}/{name}?{parameters}"),
        None => format!("{base}/{name}"),
    }
}

/// `url` with its user replaced by `user` (and no password).
pub fn with_user(url: &str, user: &str) -> String {
    let authority = url.find("://").map_or(0, |i| i + 3);
    let rest = &url[authority..];
    let host = match rest.find('@') {
        Some(at) if rest.find('/').is_none_or(|slash| at < slash) => &rest[at + 1..],
        _ => rest,
    };
    format!("{}{user}@{host}", &url[..authority])
}

/// The database a URL names.
fn database_of(url: &str) -> Option<String> {
    let rest = url.split_once('?').map_or(url, |(rest, _)| rest);
    let authority = rest.find("://")? + 3;
    let path = &rest[authority..];
    let name = &path[path.find('/')? + 1..];
    (!name.is_empty()).then(|| name.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Database names read back from URLs; the URLs [`database_url`] and [`with_user`] make are checked by the
    /// store's suite (`test_database_urls_keep_the_server_and_its_parameters`).
    #[test]
    fn urls_keep_the_server_and_its_parameters() {
        assert_eq!(
            database_of("postgres://u@db:5432/mscommerce_test_1?sslmode=disable").as_deref(),
            Some("mscommerce_test_1")
        );
        assert_eq!(database_of("postgres://db:5432"), None);
    }
}
