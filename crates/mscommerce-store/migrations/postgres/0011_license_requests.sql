-- The organization's own request process: when on, members who may not buy a product are shown its message and
-- link instead of being offered a license request.
ALTER TABLE tenants ADD COLUMN request_process_enabled BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE tenants ADD COLUMN request_process_message TEXT;
ALTER TABLE tenants ADD COLUMN request_process_link TEXT;

-- A member's request for a license of a product the policy keeps them from buying, and its one answer.
CREATE TABLE license_requests (
    id               TEXT PRIMARY KEY,
    tenant_id        TEXT NOT NULL REFERENCES tenants(id),
    target_scope     TEXT NOT NULL CHECK (target_scope IN ('product', 'OfferType')),
    target_id        TEXT NOT NULL,
    target_name      TEXT NOT NULL,
    requester_id     TEXT NOT NULL REFERENCES users(id),
    message          TEXT,
    status           TEXT NOT NULL CHECK (status IN ('Pending', 'Approved', 'Denied')),
    created_at       TEXT NOT NULL,
    answered_at      TEXT,
    -- Who answered, as the audit trail names them.
    answered_by      TEXT,
    answer_message   TEXT,
    -- The central subscription whose licenses an approval gave.
    subscription_id  TEXT REFERENCES subscriptions(id)
);
CREATE INDEX license_requests_by_tenant ON license_requests (tenant_id, created_at, id);
-- One open request per user and product: a second one is refused by this index, whoever asks at the same time.
CREATE UNIQUE INDEX license_requests_one_open ON license_requests (tenant_id, requester_id, target_id)
    WHERE status = 'Pending';
-- The lifecycle round deletes answered requests after their retention, by answer time.
CREATE INDEX license_requests_by_answer ON license_requests (answered_at) WHERE answered_at IS NOT NULL;

-- The users a request is for (its requester first), and what the answer gave each.
CREATE TABLE license_request_users (
    request_id  TEXT NOT NULL REFERENCES license_requests(id),
    user_id     TEXT NOT NULL REFERENCES users(id),
    position    INTEGER NOT NULL,
    outcome     TEXT NOT NULL CHECK (outcome IN ('Pending', 'Approved', 'NotApproved', 'Denied')),
    PRIMARY KEY (request_id, user_id)
);
