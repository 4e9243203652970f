-- The lifecycle round looks for subscriptions by status and the end of their term (compared in byte order).
CREATE INDEX subscriptions_lifecycle ON subscriptions (status, expires_at COLLATE "C");
