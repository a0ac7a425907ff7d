-- When a restart last gave a running run a fresh heartbeat timeout. A run is given one only once
-- per silence (until it sends a heartbeat again), so a server that keeps crashing still declares
-- dead the runs whose jobs are gone.
ALTER TABLE task_runs ADD COLUMN restart_grace_at INTEGER;
