-- One row the watchdog rewrites while the database refuses writes, to learn when it stores
-- changes again even if nothing else is being written.
CREATE TABLE instance_probe (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    written_at INTEGER NOT NULL
);
