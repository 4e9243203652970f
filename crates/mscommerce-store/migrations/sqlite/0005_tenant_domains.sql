-- The domains each tenant owns. A user's sign-in name must be in one of its own tenant's domains and a domain
-- belongs to one tenant, so a sign-in name can only ever be taken within its own tenant.
-- The existing tenants' domains (each one's initial domain, and the domains its users' sign-in names are in) are
-- filled in by the store in the same transaction as this migration: the initial domain is made of the tenant's
-- name by the domain crate's rule, which SQL cannot express the same way on both databases.

CREATE TABLE tenant_domains (
    -- A DNS name, stored lowercase: domains are compared without case and unique across tenants.
    domain      TEXT PRIMARY KEY CHECK (domain = lower(domain)),
    tenant_id   TEXT NOT NULL REFERENCES tenants(id),
    -- The <name>.onmicrosoft.com domain the tenant was given when it was created: one per tenant.
    is_initial  INTEGER NOT NULL DEFAULT 0,
    created_at  TEXT NOT NULL
);
CREATE INDEX tenant_domains_by_tenant ON tenant_domains (tenant_id);
CREATE UNIQUE INDEX tenant_domains_one_initial ON tenant_domains (tenant_id) WHERE is_initial;
