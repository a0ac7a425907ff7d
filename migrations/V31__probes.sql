-- Remote probes: other dutyduck processes that run checks from their own networks.
-- organization_id NULL: an instance-wide probe, registered by the instance's administrator with
-- the offline CLI, which checks every organization's monitors that select its labels.
-- labels: JSON object {"region": "eu-west"}. The token's secret is 32 random bytes; only their
-- SHA-256 digest is stored. last_seen_at and clock_skew_ms (the probe's clock minus ours, from
-- its X-Probe-Time header) are written at most every few seconds per probe.
CREATE TABLE probes (
    id              TEXT    PRIMARY KEY,
    organization_id TEXT    REFERENCES organizations (id) ON DELETE CASCADE,
    name            TEXT    NOT NULL,
    labels          TEXT    NOT NULL DEFAULT '{}',
    secret_digest   BLOB    NOT NULL,
    created_at      INTEGER NOT NULL,
    last_seen_at    INTEGER,
    clock_skew_ms   INTEGER
);
CREATE INDEX probes_by_organization ON probes (organization_id);
