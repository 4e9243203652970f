-- Delegated admin relationships: a partner tenant asks a customer tenant for directory roles; the customer's Global
-- Administrator approves, choosing the roles and an end date; either side ends it. While one is active and not past
-- its end, the partner's users and apps get tokens for the customer with those roles only (see the API crate's
-- directory cache). Roles are directory role template IDs separated by spaces, as in users.roles.
CREATE TABLE delegated_admin_relationships (
    id                  TEXT PRIMARY KEY,
    partner_tenant_id   TEXT NOT NULL REFERENCES tenants (id),
    customer_tenant_id  TEXT NOT NULL REFERENCES tenants (id),
    -- 'pending' (asked), 'active' (approved; expired once ends_at is past), 'ended' (ended by either side, or
    -- declined before approval).
    status              TEXT NOT NULL,
    requested_roles     TEXT NOT NULL,
    granted_roles       TEXT NOT NULL DEFAULT '',
    requested_at        TEXT NOT NULL,
    requested_by        TEXT NOT NULL,
    approved_at         TEXT,
    approved_by         TEXT,
    ends_at             TEXT,
    ended_at            TEXT,
    ended_by            TEXT,
    CHECK (partner_tenant_id <> customer_tenant_id)
);
CREATE INDEX delegated_admin_relationships_by_partner
    ON delegated_admin_relationships (partner_tenant_id, customer_tenant_id);
CREATE INDEX delegated_admin_relationships_by_customer
    ON delegated_admin_relationships (customer_tenant_id);

-- Who acted for whom: on an event a partner's user or app caused in a customer tenant, the partner's tenant
-- (actor_tenant_id); on the copy of that event in the partner's own log, the customer (on_behalf_of_tenant_id).
ALTER TABLE audit_events ADD COLUMN actor_tenant_id TEXT;
ALTER TABLE audit_events ADD COLUMN on_behalf_of_tenant_id TEXT;

-- A relationship that changes (approved, ended, or edited by hand) is announced like a change of an account, so
-- that the tokens it backs stop within a poll of the change feed.
CREATE TRIGGER delegated_admin_relationships_changed AFTER UPDATE ON delegated_admin_relationships BEGIN
    INSERT INTO directory_changes (kind, id, changed_at)
    VALUES ('relationship', OLD.id, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
END;

CREATE TRIGGER delegated_admin_relationships_deleted AFTER DELETE ON delegated_admin_relationships BEGIN
    INSERT INTO directory_changes (kind, id, changed_at)
    VALUES ('relationship', OLD.id, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
END;
