-- The kinds of notification channels are the application's list (src/notify/channels/mod.rs,
-- checked when a row is read): the column stops repeating it, so adding a kind needs no
-- migration. Dropping a CHECK changes no stored byte, so the table's definition is edited in
-- place, SQLite's documented way for such a change ("ALTER TABLE", other schema changes); a
-- copy of the table would, with foreign keys on, cascade-delete its deliveries when dropped.
PRAGMA writable_schema = ON;
UPDATE sqlite_schema
   SET sql = replace(sql, ' CHECK (kind IN (''email'', ''webhook'', ''slack'', ''discord'', ''ntfy''))', '')
 WHERE type = 'table' AND name = 'notification_channels';
PRAGMA writable_schema = RESET;
