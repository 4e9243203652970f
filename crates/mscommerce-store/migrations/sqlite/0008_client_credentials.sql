-- Whether the tenant's users may sign in with the password grant: NULL follows the service's
-- password_grant_enabled setting, TRUE or FALSE overrides it for this tenant.
ALTER TABLE tenants ADD COLUMN password_grant_enabled INTEGER;

-- Certificates an app signs its client assertions with (private_key_jwt, RFC 7523). Only the public certificate
-- is kept; the thumbprints are what a client assertion's x5t or x5t#S256 header names.
CREATE TABLE app_certificates (
    key_id              TEXT PRIMARY KEY,
    client_id           TEXT NOT NULL REFERENCES apps(client_id),
    -- base64url of the SHA-1 and SHA-256 digests of the DER, as JWS x5t and x5t#S256 carry them.
    thumbprint_sha1     TEXT NOT NULL,
    thumbprint_sha256   TEXT NOT NULL,
    -- The certificate, DER, base64 (the same text on both databases).
    certificate         TEXT NOT NULL,
    not_before          TEXT NOT NULL,
    not_after           TEXT NOT NULL,
    display_name        TEXT NOT NULL,
    added_at            TEXT NOT NULL
);
CREATE UNIQUE INDEX app_certificates_by_sha1 ON app_certificates (client_id, thumbprint_sha1);
CREATE INDEX app_certificates_by_sha256 ON app_certificates (client_id, thumbprint_sha256);

-- Client assertions already accepted, by their jti, until they expire: an assertion is accepted once, by any
-- replica. Rows whose assertion expired are deleted as new ones arrive.
CREATE TABLE client_assertions_seen (
    client_id   TEXT NOT NULL,
    jti         TEXT NOT NULL,
    -- Unix seconds, the assertion's exp.
    expires_at  BIGINT NOT NULL,
    PRIMARY KEY (client_id, jti)
);
CREATE INDEX client_assertions_seen_by_expiry ON client_assertions_seen (expires_at);
