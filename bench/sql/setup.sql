-- bench/notify-cost: the one user every benchmark order belongs to (orders.user_id is a
-- foreign key), on a database migrated with orderflow's migrations.
INSERT INTO users (id, email, password_hash, role)
VALUES ('00000000-0000-7000-8000-000000000001', 'bench@example.com', 'x', 'user')
ON CONFLICT DO NOTHING;
