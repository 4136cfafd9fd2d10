-- The dead-letter console shows each letter's latest action: looked up by target, newest
-- first (docs/spec.md#dead-letters-console-and-redrive).
CREATE INDEX operator_actions_target_at_idx ON operator_actions (target, at DESC);
-- The action log is listed newest first.
CREATE INDEX operator_actions_at_idx ON operator_actions (at DESC);
