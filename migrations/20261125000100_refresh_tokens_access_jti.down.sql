DROP INDEX refresh_tokens_family_id_idx;
ALTER TABLE refresh_tokens
    DROP COLUMN access_expires_at,
    DROP COLUMN access_jti;
