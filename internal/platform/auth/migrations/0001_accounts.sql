CREATE TABLE users (
    id {{ID}},
    username TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    disabled BOOLEAN NOT NULL DEFAULT FALSE,
    failed_logins INTEGER NOT NULL DEFAULT 0,
    locked_until {{TS}},
    created_at {{TS}} NOT NULL,
    password_changed_at {{TS}} NOT NULL
);

-- A role held at a unit of the tree. unit_id points into the unit tree, which
-- the platform does not know; the org module guards deletes of units in use.
CREATE TABLE user_roles (
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    role TEXT NOT NULL,
    unit_id BIGINT NOT NULL,
    PRIMARY KEY (user_id, role, unit_id)
);
CREATE INDEX user_roles_unit ON user_roles (unit_id);

CREATE TABLE sessions (
    token_hash {{BYTES}} PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at {{TS}} NOT NULL,
    last_seen_at {{TS}} NOT NULL,
    expires_at {{TS}} NOT NULL,
    ip TEXT NOT NULL,
    user_agent TEXT NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE api_tokens (
    id {{ID}},
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    token_hash {{BYTES}} NOT NULL UNIQUE,
    created_at {{TS}} NOT NULL,
    last_used_at {{TS}},
    revoked_at {{TS}}
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);
