-- Dependencies: which monitors a monitor or a task depends on (its upstreams). Owned by
-- `monitors` (every upstream is a monitor); tasks write their rows through its functions.
CREATE TABLE upstreams (
    organization_id TEXT    NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    dependent_type  TEXT    NOT NULL CHECK (dependent_type IN ('monitor', 'task')),
    dependent_id    TEXT    NOT NULL,
    upstream_id     TEXT    NOT NULL REFERENCES monitors (id) ON DELETE CASCADE,
    position        INTEGER NOT NULL,   -- the order the user gave
    PRIMARY KEY (organization_id, dependent_type, dependent_id, upstream_id)
) WITHOUT ROWID;
-- "What depends on monitor X": dependents' lists, suppression and re-evaluation.
CREATE INDEX upstreams_by_upstream ON upstreams (upstream_id);

-- "Is this dependent already named on the upstream's incident?", asked at each failing check of
-- a quiet dependent (`incidents::store::note_dependent`): one indexed lookup, however long the
-- timeline.
CREATE INDEX incident_events_dependents ON incident_events (incident_id, json_extract(payload, '$.sourceId'))
    WHERE event_type = 'dependentsuppressed';
