-- The in-app notifications move to the platform's table (notify), which
-- names their subject by type and id, so that every module sends through
-- one inbox. The rows keep their order, text and read times.
INSERT INTO notify_messages (user_id, subject_type, subject_id, kind, message, created_at, read_at)
SELECT user_id, 'event', COALESCE(event_id, 0), kind, message, created_at, read_at FROM notifications ORDER BY id;
DROP TABLE notifications;
