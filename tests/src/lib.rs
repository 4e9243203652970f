//! Test harness: starts the real `mscommerce` binary on a free port with a fresh database (SQLite, or PostgreSQL
//! when `MSCOMMERCE_TEST_POSTGRES_URL` is set), and talks to it over HTTP like any client.
//!
//! - [`server`]: the server process and its admin commands;
//! - [`browser`]: scenarios in a real browser (Chromium, playwright-core, axe-core) against the server;
//! - [`http`]: requests and answers;
//! - [`fixtures`]: the administrator, tenants, users, apps and their tokens;
//! - [`smtp`]: a real SMTP server on loopback;
//! - [`msal`]: MSAL for Python, Microsoft's authentication library, against the server over HTTPS;
//! - [`oidc`]: a real OpenID Connect provider (oidc-provider on Node.js), for trusted issuers;
//! - [`tls`]: a test certificate authority and server certificate, for HTTPS;
//! - [`postgres`]: a throwaway PostgreSQL database per server, when `MSCOMMERCE_TEST_POSTGRES_URL` is set.

pub mod browser;
pub mod fixtures;
pub mod http;
pub mod msal;
pub mod oidc;
pub mod python;
pub mod server;
pub mod smtp;
pub mod tls;

pub use mscommerce_testing::{postgres, TempDir};

pub use fixtures::*;
pub use http::{Answer, CookieJar};
pub use postgres::POSTGRES_ENV;
pub use server::{binary, Server};
pub use smtp::{header_of, smtp_env, SmtpServer};
pub use tls::{client_trusting, TestCertificates};
