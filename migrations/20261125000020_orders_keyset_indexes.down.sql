DROP INDEX orders_keyset_idx;
DROP INDEX orders_user_keyset_idx;
