-- What a check of a kind other than HTTP saw beyond its status (a DNS answer, ping loss and
-- round trips, a certificate), as JSON: kept with each raw result and the monitor's last one.
-- Rows written before have none (NULL).
ALTER TABLE check_results ADD COLUMN details TEXT;
ALTER TABLE monitors ADD COLUMN last_check_details TEXT;
