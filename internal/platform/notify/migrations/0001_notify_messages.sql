-- In-app notifications, for any module: one row per recipient, naming the
-- record it is about by its type and id ("event", 42). The message is its
-- catalog key and arguments as JSON, put into words in the reader's
-- language; a delivery job passes each on beyond the app.
CREATE TABLE notify_messages (
    id {{ID}},
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    subject_type TEXT NOT NULL,
    subject_id BIGINT NOT NULL,
    kind TEXT NOT NULL,
    message TEXT NOT NULL,
    created_at {{TS}} NOT NULL,
    read_at {{TS}}
);
CREATE INDEX notify_messages_user ON notify_messages (user_id, id);
CREATE INDEX notify_messages_unread ON notify_messages (user_id) WHERE read_at IS NULL;
CREATE INDEX notify_messages_subject ON notify_messages (subject_type, subject_id);
