//! Fixtures: the bootstrap administrator, tenants, users and apps made through the admin command line, their
//! tokens, members written straight into the database in bulk, and paths of the API.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use reqwest::StatusCode;
use serde_json::Value;
use uuid::Uuid;

use crate::Server;

pub const ADMIN_UPN: &str = "admin@contoso.onmicrosoft.com";
pub const ADMIN_PASSWORD: &str = "Bootstrap-Passw0rd";
pub const USER_PASSWORD: &str = "User-Passw0rd-123";
pub const AUDIENCE: &str = "aeb86249-8ea3-49e2-900b-54cc8e308f85";
pub const POLICY: &str = "AllowSelfServicePurchase";

/// Directory role template IDs.
pub mod roles {
    pub const GLOBAL_ADMINISTRATOR: &str = "GlobalAdministrator";
    pub const BILLING_ADMINISTRATOR: &str = "BillingAdministrator";
    pub const GLOBAL_READER: &str = "GlobalReader";
    pub const LICENSE_ADMINISTRATOR: &str = "LicenseAdministrator";
    pub const USER_ADMINISTRATOR: &str = "UserAdministrator";
}

impl Server {
    /// The bootstrap tenant's ID.
    pub fn first_tenant(&self) -> String {
        let list = self.cli_ok(&["tenant", "list"]);
        list.lines()
            .next()
            .and_then(|l| l.split('\t').next())
            .expect("a tenant")
            .to_string()
    }

    /// Creates a tenant (which gets the initial domain `<name>.onmicrosoft.com`); answers its ID.
    pub fn create_tenant(&self, name: &str) -> String {
        self.cli_ok(&["tenant", "create", "--name", name])
            .lines()
            .next()
            .expect("the tenant's ID")
            .trim()
            .to_string()
    }

    /// Creates a user with the given roles (names) in a tenant; answers its UPN.
    pub fn create_user(&self, tenant: &str, upn: &str, roles: &[&str]) -> String {
        let mut args = vec![
            "user",
            "create",
            "--tenant",
            tenant,
            "--upn",
            upn,
            "--display-name",
            upn,
        ];
        for role in roles {
            args.extend(["--role", role]);
        }
        self.cli_ok(&args);
        upn.to_string()
    }

    /// Creates an app with permissions; answers (client_id, secret).
    pub fn create_app(&self, tenant: &str, name: &str, permissions: &[&str]) -> (String, String) {
        let mut args = vec!["app", "create", "--tenant", tenant, "--name", name];
        for permission in permissions {
            args.extend(["--permission", permission]);
        }
        let out = self.cli_ok(&args);
        let field = |name: &str| {
            out.lines()
                .find_map(|l| l.strip_prefix(name))
                .map(|v| v.trim().to_string())
                .expect("printed")
        };
        (field("client_id:"), field("client_secret:"))
    }

    /// Registers a certificate (PEM or DER file) as a credential of an app with the command line; answers what
    /// the command printed (key ID, thumbprint, expiry).
    pub fn add_app_certificate(&self, client_id: &str, certificate: &std::path::Path) -> String {
        let path = certificate.display().to_string();
        self.cli_ok(&[
            "app",
            "credential",
            "add",
            "--app",
            client_id,
            "--certificate",
            &path,
        ])
    }

    /// Signs in at the token endpoint with `form`, which must succeed; answers the access token.
    async fn access_token(&self, form: &[(&str, &str)], who: &str) -> String {
        let answer = self.token_request("/oauth2/v2.0/token", form).await;
        assert_eq!(
            answer.status,
            StatusCode::OK,
            "{who} failed: {}",
            answer.text
        );
        answer.json["access_token"]
            .as_str()
            .expect("token")
            .to_string()
    }

    pub async fn user_token(&self, upn: &str, password: &str) -> String {
        let form = [
            ("grant_type", "password"),
            ("username", upn),
            ("password", password),
        ];
        self.access_token(&form, &format!("sign-in of {upn}")).await
    }

    pub async fn admin_token(&self) -> String {
        self.user_token(ADMIN_UPN, ADMIN_PASSWORD).await
    }

    pub async fn app_token(&self, client_id: &str, secret: &str) -> String {
        let scope = format!("{AUDIENCE}/.default");
        let form = [
            ("grant_type", "client_credentials"),
            ("client_id", client_id),
            ("client_secret", secret),
            ("scope", &scope),
        ];
        self.access_token(&form, "app sign-in").await
    }

    /// Creates a member through the admin command line and signs them in; answers (user ID, token).
    pub async fn member(&self, tenant: &str, upn: &str) -> (String, String) {
        self.create_user(tenant, upn, &[]);
        let token = self.user_token(upn, USER_PASSWORD).await;
        (
            claims_of(&token)["oid"].as_str().expect("oid").to_string(),
            token,
        )
    }

    /// Writes `count` members (`<prefix><n>@contoso.onmicrosoft.com`) straight into the database, each holding a
    /// license of `subscription`, whose quantity becomes `count`: for tests of bulk behaviour, in seconds.
    pub async fn seed_licensed_members(
        &self,
        tenant: &str,
        subscription: &str,
        prefix: &str,
        count: i64,
    ) {
        // GUID-shaped IDs, with a first group of their own for each call.
        let batch = &Uuid::new_v4().simple().to_string()[..8];
        let id = if self.is_postgres() {
            format!("'{batch}-0000-4000-8000-' || lpad(i::text, 12, '0')")
        } else {
            format!("printf('{batch}-0000-4000-8000-%012d', i)")
        };
        let pool = self.db().await;
        let mut tx = pool.begin().await.expect("transaction");
        sqlx::query(&format!(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $1) \
             INSERT INTO users (id, tenant_id, upn, display_name, user_type, account_enabled, roles, created_at) \
             SELECT {id}, $2, $3 || i || '@contoso.onmicrosoft.com', 'User ' || i, 'Member', TRUE, '', \
             '2026-01-01T00:00:00.000Z' FROM n"
        ))
        .bind(count)
        .bind(tenant)
        .bind(prefix)
        .execute(&mut *tx)
        .await
        .expect("users");
        sqlx::query(
            "INSERT INTO assignments (subscription_id, user_id, tenant_id, assigned_at) \
             SELECT $1, id, tenant_id, '2026-01-02T00:00:00.000Z' FROM users WHERE upn LIKE $2",
        )
        .bind(subscription)
        .bind(format!("{prefix}%"))
        .execute(&mut *tx)
        .await
        .expect("assignments");
        sqlx::query("UPDATE subscriptions SET quantity = $1, assigned_count = $2 WHERE id = $3")
            .bind(count)
            .bind(count)
            .bind(subscription)
            .execute(&mut *tx)
            .await
            .expect("subscription");
        tx.commit().await.expect("commit");
        pool.close().await;
    }

    /// The server's key-encryption key (base64), as its configuration or its key file holds it.
    pub fn key_encryption_key(&self) -> String {
        if let Some((_, key)) = self
            .extra_env
            .iter()
            .find(|(k, _)| k == "MSCOMMERCE_SIGNING_KEY_ENCRYPTION_KEY")
        {
            return key.clone();
        }
        let path = self.key_encryption_key_file();
        std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("the key file {}: {e}", path.display()))
    }

    /// The server's signing key (kid, PKCS#8 DER), read from its database and decrypted with its key-encryption
    /// key, to forge tokens in tests.
    pub async fn signing_key(&self) -> (String, Vec<u8>) {
        use sqlx::Row;
        let pool = self.db().await;
        let row = sqlx::query(
            "SELECT kid, private_key FROM signing_keys ORDER BY created_at DESC LIMIT 1",
        )
        .fetch_one(&pool)
        .await
        .expect("a signing key");
        let kid: String = row.get("kid");
        let pkcs8 = mscommerce_auth::open_private_key(
            &self.key_encryption_key(),
            &kid,
            &row.get::<String, _>("private_key"),
        )
        .expect("the key opens with the server's key-encryption key");
        pool.close().await;
        (kid, pkcs8)
    }
}

/// The claims of a JWT, unverified.
pub fn claims_of(token: &str) -> Value {
    let payload = token.split('.').nth(1).expect("three parts");
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).expect("base64url")).expect("json")
}

/// The path of a product's policy value.
pub fn product_path(product: &str) -> String {
    format!("/v1.0/policies/{POLICY}/products/{product}")
}

pub fn offer_type_path(offer_type: &str) -> String {
    format!("/v1.0/policies/{POLICY}/offerTypes/{offer_type}")
}
