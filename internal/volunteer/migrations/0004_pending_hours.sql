-- The hours waiting for verification (a few hundred among a year's
-- services) are counted and listed, oldest first, on every manager's
-- volunteer home: an index that starts with the status finds them
-- without reading the verified ones.
CREATE INDEX vol_signups_pending ON vol_signups (hours_status, unit_path, starts_at);
