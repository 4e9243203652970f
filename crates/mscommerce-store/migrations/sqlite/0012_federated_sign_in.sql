-- What the service needs as a trusted provider's relying party, so that people sign in on the built-in page with
-- the provider: the service's client ID there (NULL: the trust offers no sign-in), its client secret sealed with
-- the key encryption key as signing keys are (NULL: a public client), and the sign-in button's provider name.
ALTER TABLE trusted_issuers ADD COLUMN sign_in_client_id TEXT;
ALTER TABLE trusted_issuers ADD COLUMN sign_in_client_secret TEXT;
ALTER TABLE trusted_issuers ADD COLUMN sign_in_button TEXT;
