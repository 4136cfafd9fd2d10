CREATE TABLE operator_actions (
    id          uuid PRIMARY KEY,
    action      text NOT NULL,
    actor_id    uuid NOT NULL,
    actor_email text NOT NULL,
    target      text NOT NULL,
    detail      text NOT NULL,
    at          timestamptz NOT NULL DEFAULT now()
);
