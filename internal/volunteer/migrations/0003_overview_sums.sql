-- The overview and the rankings sum verified minutes and points (by
-- volunteer, by team, the volunteer police's share) over a scope's whole
-- subtree: an index that carries them answers from the index alone instead
-- of visiting every row. It starts with vol_signups_path's columns, which
-- it replaces.
CREATE INDEX vol_signups_sums ON vol_signups (unit_path, hours_status, period, volunteer_id, team_id, minutes, points);
DROP INDEX vol_signups_path;
