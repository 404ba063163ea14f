-- Which key of the keyring the data is encrypted and indexed with now.
CREATE TABLE pii_state (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    current_kid TEXT NOT NULL,
    rotated_at {{TS}}
);
