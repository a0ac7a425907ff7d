-- Schedules beyond cron: a period counted from the last ping, or systemd OnCalendar lines. At
-- most one of cron_schedule, period_seconds and on_calendar is set (the API refuses two).

ALTER TABLE tasks ADD COLUMN period_seconds INTEGER
    CHECK (period_seconds IS NULL OR period_seconds BETWEEN 60 AND 31536000);
ALTER TABLE tasks ADD COLUMN on_calendar TEXT;
