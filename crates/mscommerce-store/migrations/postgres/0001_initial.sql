-- Tenants, their users and apps, signing keys, policy values and the audit trail.
-- The same schema as SQLite's: timestamps are RFC 3339 UTC text with milliseconds (they sort as text), IDs are
-- GUIDs as lowercase text.

CREATE TABLE tenants (
    id              TEXT PRIMARY KEY,
    name            TEXT NOT NULL,
    -- Bumped by every policy write of the tenant; each stored value remembers the revision that wrote it, so a
    -- cache can tell a newer value from an older one whatever order they reach it in.
    policy_revision BIGINT NOT NULL DEFAULT 0,
    created_at      TEXT NOT NULL
);

CREATE TABLE users (
    id              TEXT PRIMARY KEY,
    tenant_id       TEXT NOT NULL REFERENCES tenants(id),
    -- Stored lowercase: sign-in names are unique across tenants and compared without case.
    upn             TEXT NOT NULL UNIQUE,
    display_name    TEXT NOT NULL,
    user_type       TEXT NOT NULL CHECK (user_type IN ('Member', 'Guest')),
    account_enabled BOOLEAN NOT NULL DEFAULT TRUE,
    -- Argon2id PHC string; NULL means the user cannot sign in with a password.
    password_hash   TEXT,
    -- Directory role template IDs, space-separated.
    roles           TEXT NOT NULL DEFAULT '',
    created_at      TEXT NOT NULL
);
CREATE INDEX users_by_tenant ON users (tenant_id);

CREATE TABLE apps (
    client_id     TEXT PRIMARY KEY,
    object_id     TEXT NOT NULL UNIQUE,
    tenant_id     TEXT NOT NULL REFERENCES tenants(id),
    display_name  TEXT NOT NULL,
    secret_hash   TEXT NOT NULL,
    -- Application permissions, space-separated.
    permissions   TEXT NOT NULL DEFAULT '',
    created_at    TEXT NOT NULL
);
CREATE INDEX apps_by_tenant ON apps (tenant_id);

CREATE TABLE signing_keys (
    kid          TEXT PRIMARY KEY,
    algorithm    TEXT NOT NULL,
    -- PKCS#8 document, base64.
    private_key  TEXT NOT NULL,
    -- Raw public key, base64url as in a JWK.
    public_key   TEXT NOT NULL,
    created_at   TEXT NOT NULL
);

CREATE TABLE policy_values (
    tenant_id   TEXT NOT NULL REFERENCES tenants(id),
    policy_id   TEXT NOT NULL,
    scope       TEXT NOT NULL CHECK (scope IN ('product', 'OfferType')),
    -- Canonical catalog ID: old product IDs are resolved before anything is stored.
    target_id   TEXT NOT NULL,
    value       TEXT NOT NULL,
    revision    BIGINT NOT NULL,
    updated_at  TEXT NOT NULL,
    PRIMARY KEY (tenant_id, policy_id, scope, target_id)
);

CREATE TABLE audit_events (
    id              BIGSERIAL PRIMARY KEY,
    tenant_id       TEXT NOT NULL,
    occurred_at     TEXT NOT NULL,
    action          TEXT NOT NULL,
    actor_id        TEXT NOT NULL,
    actor_name      TEXT NOT NULL,
    actor_type      TEXT NOT NULL,
    correlation_id  TEXT NOT NULL,
    target_type     TEXT NOT NULL,
    target_id       TEXT NOT NULL,
    target_name     TEXT NOT NULL,
    policy_id       TEXT,
    old_value       TEXT,
    new_value       TEXT
);
CREATE INDEX audit_events_by_tenant_action ON audit_events (tenant_id, action, id);
