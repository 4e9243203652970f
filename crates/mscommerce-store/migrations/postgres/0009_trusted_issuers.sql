-- External identity providers a tenant trusts (Entra ID, any OpenID Connect issuer). An issuer URL is trusted by
-- one tenant at most, so that a token's issuer names its tenant here whatever else the token says.
CREATE TABLE trusted_issuers (
    id                  TEXT PRIMARY KEY,
    tenant_id           TEXT NOT NULL REFERENCES tenants(id),
    -- Exactly as the issuer's tokens carry it in iss (compared byte for byte).
    issuer              TEXT NOT NULL UNIQUE,
    display_name        TEXT NOT NULL,
    -- The aud values accepted, space-separated.
    audiences           TEXT NOT NULL,
    -- When set, the tid every token of the issuer must carry (Entra's directory ID).
    external_tenant_id  TEXT,
    -- The claim mapping: oid or sub; upn, preferred_username or email; wids, groups or directory.
    user_claim          TEXT NOT NULL,
    name_claim          TEXT NOT NULL,
    role_source         TEXT NOT NULL,
    groups_claim        TEXT NOT NULL,
    -- JSON: [[group, role template ID], ...].
    group_roles         TEXT NOT NULL,
    created_at          TEXT NOT NULL
);
CREATE INDEX trusted_issuers_by_tenant ON trusted_issuers (tenant_id);

-- The users that signing in through a trusted issuer made: who each is at that issuer (the mapping's user
-- claim). Kept by issuer URL, not by trust, so that a trust removed and given again finds its users again.
CREATE TABLE external_users (
    user_id     TEXT PRIMARY KEY REFERENCES users(id),
    tenant_id   TEXT NOT NULL REFERENCES tenants(id),
    issuer      TEXT NOT NULL,
    subject     TEXT NOT NULL,
    UNIQUE (tenant_id, issuer, subject)
);
