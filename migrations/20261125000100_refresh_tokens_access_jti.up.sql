-- The access token issued together with each refresh token, so revoking a token family
-- (logout, detected reuse) can also denylist the access tokens that are still alive.
ALTER TABLE refresh_tokens
    ADD COLUMN access_jti uuid NULL,
    ADD COLUMN access_expires_at timestamptz NULL;

CREATE INDEX refresh_tokens_family_id_idx ON refresh_tokens (family_id);
