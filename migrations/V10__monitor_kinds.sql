-- Monitors of several kinds. What every monitor has (name, interval, thresholds, timeout, tags,
-- status, routing) keeps its column; what only its kind knows moves into `kind_settings`, the
-- kind's settings as JSON under their API names (see monitors::kinds). `url` stays: it now holds
-- the monitor's target as a URL (the HTTP URL itself), which the list searches and incidents
-- and notifications show.
ALTER TABLE monitors ADD COLUMN kind TEXT NOT NULL DEFAULT 'http';
ALTER TABLE monitors ADD COLUMN kind_settings TEXT NOT NULL DEFAULT '{}';

UPDATE monitors SET kind_settings = json_object(
    'url', url,
    'method', method,
    'requestHeaders', json(request_headers),
    'requestBody', request_body,
    'acceptedStatusCodes', accepted_status_codes,
    'followRedirects', json(CASE WHEN follow_redirects THEN 'true' ELSE 'false' END),
    'verifyTls', json(CASE WHEN verify_tls THEN 'true' ELSE 'false' END),
    'assertion', json(assertion),
    'responseTimeThresholdMs', response_time_threshold_ms
);

ALTER TABLE monitors DROP COLUMN method;
ALTER TABLE monitors DROP COLUMN request_headers;
ALTER TABLE monitors DROP COLUMN request_body;
ALTER TABLE monitors DROP COLUMN accepted_status_codes;
ALTER TABLE monitors DROP COLUMN follow_redirects;
ALTER TABLE monitors DROP COLUMN verify_tls;
ALTER TABLE monitors DROP COLUMN assertion;
ALTER TABLE monitors DROP COLUMN response_time_threshold_ms;
