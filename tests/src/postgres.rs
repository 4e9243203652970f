//! PostgreSQL databases for tests: one per test, created on the server that `MSCOMMERCE_TEST_POSTGRES_URL` names
//! (the admin URL: any database there that the user may connect to, and a user that may create databases), and
//! dropped afterwards.
//!
//! ```ignore
//! if let Some(admin_url) = mscommerce_tests::postgres::admin_url() {
//!     let database = mscommerce_tests::postgres::TestDatabase::create(&admin_url).await;
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

/// Creates a new, empty database `mscommerce_test_<uuid>` on the server of `admin_url`; answers its URL (the
/// admin URL's user, host and parameters, with the new database). Panics when the server cannot be reached.
pub async fn create_database(admin_url: &str) -> String {
    let name = format!("{PREFIX}{}", Uuid::new_v4().simple());
    let mut admin = sqlx::PgConnection::connect(admin_url)
        .await
        .unwrap_or_else(|e| panic!("{POSTGRES_ENV}={admin_url}: {e}"));
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut admin)
        .await
        .unwrap_or_else(|e| panic!("CREATE DATABASE {name}: {e}"));
    let _ = admin.close().await;
    with_database(admin_url, &name)
}

/// Drops the database that `url` names (one made by [`create_database`]), ending its connections first. Blocking,
/// on a thread and runtime of its own, so that it can be called from `Drop`, inside or outside a runtime. Errors are
/// printed, not raised: a test must not fail, nor panic twice, because its cleanup did.
pub fn drop_database(admin_url: &str, url: &str) {
    let Some(name) = database_of(url).filter(|n| n.starts_with(PREFIX)) else {
        eprintln!("not a test database, left alone: {url}");
        return;
    };
    let admin_url = admin_url.to_string();
    let _ = std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        runtime.block_on(async {
            let dropped = async {
                let mut admin = sqlx::PgConnection::connect(&admin_url).await?;
                // FORCE (PostgreSQL 13 and later) ends the connections a killed server left behind.
                sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .execute(&mut admin)
                    .await?;
                admin.close().await
            };
            if let Err(e) = dropped.await {
                eprintln!("could not drop the test database {name}: {e}");
            }
        });
    })
    .join();
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

/// `url` with its database replaced by `name`.
fn with_database(url: &str, name: &str) -> String {
    let (rest, parameters) = match url.split_once('?') {
        Some((rest, parameters)) => (rest, Some(parameters)),
        None => (url, None),
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

    #[test]
    fn urls_keep_the_server_and_its_parameters() {
        assert_eq!(
            with_database("postgres://postgres@127.0.0.1:5432/test", "x"),
            "postgres://postgres@127.0.0.1:5432/x"
        );
        assert_eq!(
            with_database("postgresql://u:p@db/test?sslmode=require", "x"),
            "postgresql://u:p@db/x?sslmode=require"
        );
        assert_eq!(
            with_database("postgres://db:5432", "x"),
            "postgres://db:5432/x"
        );
        assert_eq!(
            database_of("postgres://u@db:5432/mscommerce_test_1?sslmode=disable").as_deref(),
            Some("mscommerce_test_1")
        );
        assert_eq!(database_of("postgres://db:5432"), None);
    }
}
