//! Black-box tests of the `mscommerce` binary: each test starts the real server on a free port with a fresh
//! database and talks to it over HTTP.

mod access;
mod acquisition;
mod admin_access;
mod audit;
mod browser;
mod client_auth;
mod connections;
mod console;
mod console_session;
mod discovery;
mod domains;
mod escalation;
mod federation;
mod federation_sign_in;
mod flows;
mod https;
mod keys;
mod license_requests;
mod lifecycle;
mod msal;
mod operations;
mod partners;
mod persistence;
mod policies;
mod policy_values;
mod revocation;
mod sign_in;
mod subscriptions;
mod takeover;
mod tokens;
mod validation;
