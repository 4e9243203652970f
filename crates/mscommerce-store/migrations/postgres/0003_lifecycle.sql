-- The lifecycle round looks for subscriptions by status and the end of their term (compared in byte order).
CREATE INDEX subscriptions_lifecycle ON subscriptions (status, expires_at COLLATE "C");
-- The moment a subscription's billing periods count from, once a trial has become a purchase (a purchase bought as
-- such counts from its creation): renewals land on the same day of the month every time.
ALTER TABLE subscriptions ADD COLUMN billing_anchor TEXT;
