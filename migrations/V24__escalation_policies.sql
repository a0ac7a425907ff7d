-- Escalation policies: ordered steps (channels and/or members, a wait for acknowledgement
-- before the next, an urgent flag) run `repeat` more times; at most one default per
-- organization. Notify owns these tables.
CREATE TABLE escalation_policies (
    id              TEXT    PRIMARY KEY,
    organization_id TEXT    NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    name            TEXT    NOT NULL,
    steps           TEXT    NOT NULL,  -- JSON: [{channels, members, afterMinutes, urgent}]
    repeat          INTEGER NOT NULL DEFAULT 0 CHECK (repeat BETWEEN 0 AND 10),
    is_default      INTEGER NOT NULL DEFAULT 0,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
);
CREATE INDEX escalation_policies_by_org ON escalation_policies (organization_id, name);
CREATE UNIQUE INDEX escalation_policies_one_default
    ON escalation_policies (organization_id) WHERE is_default = 1;

-- The policy a monitor or task picked (no row: the organization's default). Kept by notify,
-- keyed by the source, since notify does not write the monitors' and tasks' tables. `family`
-- is 'monitor' or 'task' (a monitor's incidents have several source types).
CREATE TABLE escalation_choices (
    organization_id TEXT    NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    family          TEXT    NOT NULL,
    source_id       TEXT    NOT NULL,
    policy_id       TEXT    NOT NULL REFERENCES escalation_policies (id) ON DELETE CASCADE,
    PRIMARY KEY (organization_id, family, source_id)
) WITHOUT ROWID;
CREATE INDEX escalation_choices_by_policy ON escalation_choices (policy_id);

-- An incident being escalated: the plan copied when it opened (a policy edited meanwhile
-- changes the next incidents, not this one), how many steps were fired (written in the same
-- write as their sends, so a restart never sends one twice) and when to decide again.
CREATE TABLE escalation_state (
    incident_id     TEXT    PRIMARY KEY REFERENCES incidents (id) ON DELETE CASCADE,
    organization_id TEXT    NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    policy_id       TEXT,              -- for the timeline; the policy may be gone since
    policy_name     TEXT    NOT NULL,
    plan            TEXT    NOT NULL,  -- JSON: {steps, repeat}
    opened_at       INTEGER NOT NULL,
    fired           INTEGER NOT NULL DEFAULT 0,
    wake_at         INTEGER            -- NULL: over (acknowledged, resolved or exhausted)
);
CREATE INDEX escalation_state_by_wake ON escalation_state (wake_at) WHERE wake_at IS NOT NULL;

-- A notification addressed to one member (a personal channel reaching only them).
ALTER TABLE notification_outbox ADD COLUMN user_id TEXT REFERENCES users (id) ON DELETE CASCADE;
