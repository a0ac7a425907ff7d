-- Old task runs and ping logs are purged by age (`--run-retention`); these keep the purge from
-- scanning the tables inside the single writer.
CREATE INDEX task_runs_by_start ON task_runs (started_at);
CREATE INDEX task_logs_by_time ON task_logs (created_at);
