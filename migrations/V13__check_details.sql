-- What a check of a kind other than HTTP saw beyond its status (a DNS answer, ping loss and
-- round trips, a certificate), as JSON: kept with each raw result and the monitor's last one.
-- Rows written before have none (NULL).
ALTER TABLE check_results ADD COLUMN details TEXT;
ALTER TABLE monitors ADD COLUMN last_check_details TEXT;

-- Response times now mean an answer came back (a timeout measures nothing). Rows written before
-- kept the time a failed HTTP check took; the last day's are cleared, since the 24 h chart reads
-- raw results (older rows are read through rollups, which never counted them).
UPDATE check_results SET response_time_ms = NULL
WHERE http_code IS NULL AND checked_at >= (CAST(strftime('%s', 'now') AS INTEGER) - 86400) * 1000;
