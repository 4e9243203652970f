-- The grants a person completes in a browser: one-time authorization codes (RFC 6749 4.1, with PKCE), device
-- codes (RFC 8628) and refresh tokens. Codes and tokens are kept only as SHA-256 digests (base64url): a copy of
-- the database signs nobody in. Timestamps are RFC 3339 text, as everywhere.
CREATE TABLE authorization_codes (
    digest         TEXT PRIMARY KEY,
    client_id      TEXT NOT NULL,
    redirect_uri   TEXT NOT NULL,
    tenant_id      TEXT NOT NULL REFERENCES tenants(id),
    user_id        TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    scope          TEXT NOT NULL,
    nonce          TEXT,
    code_challenge TEXT NOT NULL,
    created_at     TEXT NOT NULL,
    expires_at     TEXT NOT NULL,
    -- Set when the code is redeemed; a second redemption finds it set and revokes what the first issued.
    used_at        TEXT
);
CREATE INDEX authorization_codes_by_expiry ON authorization_codes (expires_at);

CREATE TABLE device_codes (
    digest           TEXT PRIMARY KEY,
    -- XXXX-XXXX, as shown to the person.
    user_code        TEXT NOT NULL UNIQUE,
    client_id        TEXT NOT NULL,
    -- The tenant the device asked at; NULL for 'common' and 'organizations' (any tenant's users).
    tenant_id        TEXT REFERENCES tenants(id),
    scope            TEXT NOT NULL,
    status           TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'denied', 'redeemed')),
    user_id          TEXT REFERENCES users(id) ON DELETE CASCADE,
    interval_seconds INTEGER NOT NULL,
    last_polled_at   TEXT,
    created_at       TEXT NOT NULL,
    expires_at       TEXT NOT NULL
);
CREATE INDEX device_codes_by_expiry ON device_codes (expires_at);

CREATE TABLE refresh_tokens (
    digest             TEXT PRIMARY KEY,
    -- One sign-in: every rotation keeps the family, and a reuse revokes all of it (RFC 9700 section 4.14).
    family_id          TEXT NOT NULL,
    client_id          TEXT NOT NULL,
    tenant_id          TEXT NOT NULL REFERENCES tenants(id),
    user_id            TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    scope              TEXT NOT NULL,
    -- The digest of the authorization code the family began with, to revoke it when that code is used again.
    authorization_code TEXT,
    created_at         TEXT NOT NULL,
    expires_at         TEXT NOT NULL,
    -- Set when it was exchanged for its successor.
    spent_at           TEXT,
    revoked_at         TEXT
);
CREATE INDEX refresh_tokens_by_family ON refresh_tokens (family_id);
CREATE INDEX refresh_tokens_by_user ON refresh_tokens (user_id);
CREATE INDEX refresh_tokens_by_code ON refresh_tokens (authorization_code);
CREATE INDEX refresh_tokens_by_expiry ON refresh_tokens (expires_at);

-- A user disabled, or whose password changed, by whatever path (the API, the command line, SQL by hand), loses
-- every refresh token at once.
CREATE TRIGGER users_revoke_refresh_tokens AFTER UPDATE OF account_enabled, password_hash ON users
WHEN NEW.account_enabled = 0 OR OLD.password_hash IS NOT NEW.password_hash
BEGIN
    UPDATE refresh_tokens SET revoked_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
    WHERE user_id = NEW.id AND revoked_at IS NULL;
    -- What was granted with the old password and not yet redeemed dies too: whoever knew it signed in before.
    UPDATE authorization_codes SET used_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
    WHERE user_id = NEW.id AND used_at IS NULL;
    UPDATE device_codes SET status = 'denied' WHERE user_id = NEW.id AND status = 'approved';
END;
