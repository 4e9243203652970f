-- Key rotation: a rotated key is published when stored and signs only from its activation, a propagation delay
-- later. Keys stored before this migration have signed since they were created.
-- private_key now holds the key sealed with the key-encryption key (`sealed:v1:<kek id>:...`); rows in clear
-- (base64 PKCS#8) from older versions are sealed by the service's next start.
ALTER TABLE signing_keys ADD COLUMN activates_at TEXT;
UPDATE signing_keys SET activates_at = created_at;
ALTER TABLE signing_keys ALTER COLUMN activates_at SET NOT NULL;
