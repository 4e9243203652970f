-- Subscriptions, their license assignments, and the outbox of notification emails.

CREATE TABLE subscriptions (
    id                   TEXT PRIMARY KEY,
    tenant_id            TEXT NOT NULL REFERENCES tenants(id),
    -- Canonical catalog ID of a product or an offer type, and its name when bought.
    target_scope         TEXT NOT NULL CHECK (target_scope IN ('product', 'OfferType')),
    target_id            TEXT NOT NULL,
    target_name          TEXT NOT NULL,
    purchase_type        TEXT NOT NULL CHECK (purchase_type IN ('SelfService', 'Central')),
    acquisition_kind     TEXT NOT NULL,
    -- The user who bought it (self-service); NULL for central subscriptions.
    purchaser_id         TEXT REFERENCES users(id),
    quantity             BIGINT NOT NULL CHECK (quantity >= 1),
    -- Kept by every assignment change; the CHECK is the last guard against oversubscription.
    assigned_count       BIGINT NOT NULL DEFAULT 0 CHECK (assigned_count >= 0 AND assigned_count <= quantity),
    -- Price of one license for one billing period, in minor units (cents).
    unit_price_minor     BIGINT NOT NULL,
    currency             TEXT NOT NULL,
    billing_frequency    TEXT NOT NULL,
    created_at           TEXT NOT NULL,
    expires_at           TEXT NOT NULL,
    auto_renew           BOOLEAN NOT NULL,
    status               TEXT NOT NULL,
    cancellation_reason  TEXT,
    cancellation_comment TEXT,
    cancelled_at         TEXT,
    cancelled_by         TEXT,
    -- Bumped by every change: the ETag.
    version              BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX subscriptions_by_tenant ON subscriptions (tenant_id, created_at, id);
CREATE INDEX subscriptions_by_purchaser ON subscriptions (purchaser_id);

CREATE TABLE assignments (
    subscription_id  TEXT NOT NULL REFERENCES subscriptions(id),
    user_id          TEXT NOT NULL REFERENCES users(id),
    tenant_id        TEXT NOT NULL,
    assigned_at      TEXT NOT NULL,
    PRIMARY KEY (subscription_id, user_id)
);
CREATE INDEX assignments_by_user ON assignments (user_id);

-- Every email is written here in the same transaction as the change that causes it; a dispatcher delivers it.
CREATE TABLE outbox (
    id               BIGSERIAL PRIMARY KEY,
    -- The RFC 5322 Message-ID: stable across retries, so receivers can drop duplicates.
    message_id       TEXT NOT NULL UNIQUE,
    tenant_id        TEXT NOT NULL,
    kind             TEXT NOT NULL,
    recipient        TEXT NOT NULL,
    subject          TEXT NOT NULL,
    body_text        TEXT NOT NULL,
    body_html        TEXT NOT NULL,
    created_at       TEXT NOT NULL,
    attempts         BIGINT NOT NULL DEFAULT 0,
    next_attempt_at  TEXT NOT NULL,
    sent_at          TEXT,
    last_error       TEXT
);
CREATE INDEX outbox_pending ON outbox (sent_at, next_attempt_at);
