-- The overview sums verified minutes and points (and the volunteer police's
-- minutes, by team) over a scope's whole subtree: an index that carries
-- them answers from the index alone instead of visiting every row.
CREATE INDEX vol_signups_sums ON vol_signups (unit_path, hours_status, team_id, minutes, points);
