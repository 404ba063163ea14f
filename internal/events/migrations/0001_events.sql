-- Event and facility categories (事件、部件分类): a tree with codes, the
-- handling unit each usually goes to, the limit of each stage in working
-- time (minutes, or days for handling) and the share of a limit at which the
-- yellow warning comes.
CREATE TABLE event_categories (
    id {{ID}},
    parent_id BIGINT REFERENCES event_categories(id),
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    name_en TEXT NOT NULL DEFAULT '',
    kind TEXT NOT NULL,
    handling_unit_id BIGINT REFERENCES units(id),
    accept_minutes INTEGER NOT NULL,
    dispatch_minutes INTEGER NOT NULL,
    sign_minutes INTEGER NOT NULL,
    handle_minutes INTEGER NOT NULL,
    handle_days INTEGER NOT NULL,
    verify_minutes INTEGER NOT NULL,
    warn_percent INTEGER NOT NULL,
    public BOOLEAN NOT NULL DEFAULT TRUE,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    created_at {{TS}} NOT NULL,
    updated_at {{TS}} NOT NULL
);
CREATE INDEX event_categories_parent ON event_categories (parent_id, code);

-- Events. unit_path is a copy of the grid's path and handling_path of the
-- handling unit's, so that "a street's events" and "a department's events"
-- are index range scans; org.Store.OnMove keeps both right. Times are UTC.
-- stage_due_at is the deadline of the stage the event is in (NULL when its
-- clock stands: deferred, closed); due_at the handling deadline that
-- on-time closing is measured against. next_check_at is when the deadline
-- sweep must look at the event again (the next warning), NULL if never.
CREATE TABLE events (
    id {{ID}},
    category_id BIGINT NOT NULL REFERENCES event_categories(id),
    grid_id BIGINT NOT NULL REFERENCES units(id),
    unit_path {{PATH}} NOT NULL,
    handling_unit_id BIGINT REFERENCES units(id),
    handling_path {{PATH}},
    state TEXT NOT NULL,
    is_open BOOLEAN NOT NULL,
    whistle TEXT NOT NULL DEFAULT '',
    source TEXT NOT NULL,
    description TEXT NOT NULL,
    address TEXT NOT NULL DEFAULT '',
    lon DOUBLE PRECISION,
    lat DOUBLE PRECISION,
    reporter_id BIGINT,
    reporter_name TEXT NOT NULL DEFAULT '',
    reporter_phone_sealed TEXT NOT NULL DEFAULT '',
    reporter_phone_masked TEXT NOT NULL DEFAULT '',
    idem_key TEXT UNIQUE,
    open311_token TEXT UNIQUE,
    reported_at {{TS}} NOT NULL,
    accepted_at {{TS}},
    dispatched_at {{TS}},
    signed_at {{TS}},
    handled_at {{TS}},
    closed_at {{TS}},
    stage_started_at {{TS}},
    stage_due_at {{TS}},
    warn_at {{TS}},
    due_at {{TS}},
    next_check_at {{TS}},
    warn_level INTEGER NOT NULL DEFAULT 0,
    stage_seq INTEGER NOT NULL DEFAULT 0,
    signed_on_time BOOLEAN,
    closed_on_time BOOLEAN,
    reworks INTEGER NOT NULL DEFAULT 0,
    extensions INTEGER NOT NULL DEFAULT 0,
    returns INTEGER NOT NULL DEFAULT 0,
    escalations INTEGER NOT NULL DEFAULT 0,
    escalated_unit_id BIGINT REFERENCES units(id),
    supervised BOOLEAN NOT NULL DEFAULT FALSE,
    deferred_from TEXT NOT NULL DEFAULT '',
    pending TEXT NOT NULL DEFAULT '',
    pending_days INTEGER NOT NULL DEFAULT 0,
    pending_reason TEXT NOT NULL DEFAULT '',
    duplicate_of BIGINT REFERENCES events(id),
    rating INTEGER,
    updated_at {{TS}} NOT NULL
);
-- The indicator indexes carry the columns the indicators count, so that a
-- street's or a department's month is counted from the index alone.
CREATE INDEX events_path_reported ON events (unit_path, reported_at, accepted_at, dispatched_at);
CREATE INDEX events_path_due ON events (unit_path, due_at, closed_at, closed_on_time, reworks, extensions, signed_on_time, rating);
CREATE INDEX events_handling_reported ON events (handling_path, reported_at, accepted_at, dispatched_at);
CREATE INDEX events_handling_due ON events (handling_path, due_at, closed_at, closed_on_time, reworks, extensions, signed_on_time, rating);
CREATE INDEX events_open_path ON events (unit_path, stage_due_at) WHERE is_open;
CREATE INDEX events_open_handling ON events (handling_path, stage_due_at) WHERE is_open;
CREATE INDEX events_open_category ON events (category_id, lat, lon) WHERE is_open;
CREATE INDEX events_next_check ON events (next_check_at) WHERE next_check_at IS NOT NULL;
CREATE INDEX events_reporter ON events (reporter_id, reported_at);

-- Every step of an event: who did what, when, from which state to which,
-- with a note and details (the unit dispatched to, days asked, a rating).
CREATE TABLE event_steps (
    id {{ID}},
    event_id BIGINT NOT NULL REFERENCES events(id),
    action TEXT NOT NULL,
    from_state TEXT NOT NULL,
    to_state TEXT NOT NULL,
    actor_id BIGINT,
    actor_name TEXT NOT NULL,
    at {{TS}} NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    detail TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX event_steps_event ON event_steps (event_id, id);

-- Photos live in the database, beside the event they show: every instance
-- serves them, a backup holds them, and reading one goes through the
-- event's scope like any other row.
CREATE TABLE event_photos (
    id {{ID}},
    event_id BIGINT NOT NULL REFERENCES events(id),
    step_id BIGINT REFERENCES event_steps(id),
    content_type TEXT NOT NULL,
    size INTEGER NOT NULL,
    width INTEGER NOT NULL,
    height INTEGER NOT NULL,
    data {{BYTES}} NOT NULL,
    created_at {{TS}} NOT NULL
);
CREATE INDEX event_photos_event ON event_photos (event_id, step_id);

-- In-app notifications; a notifier job passes each on to SMS or messaging
-- when one is configured.
CREATE TABLE notifications (
    id {{ID}},
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    event_id BIGINT REFERENCES events(id),
    kind TEXT NOT NULL,
    message TEXT NOT NULL,
    created_at {{TS}} NOT NULL,
    read_at {{TS}}
);
CREATE INDEX notifications_user ON notifications (user_id, id);
