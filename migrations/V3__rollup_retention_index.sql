-- The retention purge deletes rollups by resolution and age; without this index it scanned the
-- whole table inside the single writer.
CREATE INDEX check_rollups_by_age ON check_rollups (resolution, bucket_start);
