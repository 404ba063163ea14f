-- Households live in buildings; unit_path copies the building's path so
-- that scope is an index range on this table alone.
CREATE TABLE households (
    id {{ID}},
    building_id BIGINT NOT NULL REFERENCES units(id),
    unit_path {{PATH}} NOT NULL,
    room TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL DEFAULT 'active',
    created_at {{TS}} NOT NULL,
    updated_at {{TS}} NOT NULL
);
CREATE INDEX households_path ON households (unit_path, status);
CREATE INDEX households_building ON households (building_id);

-- Residents. Identity numbers and phones are sealed (AES-GCM) with their
-- blind indexes and masked forms beside them; the database never holds
-- them in plain text, and lists never need the key.
CREATE TABLE residents (
    id {{ID}},
    household_id BIGINT NOT NULL REFERENCES households(id),
    unit_path {{PATH}} NOT NULL,
    name TEXT NOT NULL,
    gender TEXT NOT NULL,
    birth_date DATE,
    id_type TEXT NOT NULL,
    id_number_sealed TEXT NOT NULL DEFAULT '',
    id_number_index TEXT NOT NULL DEFAULT '',
    id_number_masked TEXT NOT NULL DEFAULT '',
    phone_sealed TEXT NOT NULL DEFAULT '',
    phone_index TEXT NOT NULL DEFAULT '',
    phone_masked TEXT NOT NULL DEFAULT '',
    ethnicity TEXT NOT NULL DEFAULT '',
    residence TEXT NOT NULL,
    relation TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL DEFAULT 'living',
    status_on DATE,
    created_at {{TS}} NOT NULL,
    updated_at {{TS}} NOT NULL
);
CREATE INDEX residents_path ON residents (unit_path, status);
CREATE INDEX residents_household ON residents (household_id);
CREATE INDEX residents_id_number ON residents (id_number_index);
CREATE INDEX residents_phone ON residents (phone_index);
CREATE INDEX residents_name ON residents (name);

-- Tags for groups that need care (elderly living alone, disabled, ...).
CREATE TABLE resident_tags (
    resident_id BIGINT NOT NULL REFERENCES residents(id) ON DELETE CASCADE,
    tag TEXT NOT NULL,
    PRIMARY KEY (resident_id, tag)
);
CREATE INDEX resident_tags_tag ON resident_tags (tag, resident_id);

-- What happened to a household or resident over time: moves, deaths,
-- moving out; kept so that nothing is lost when a record changes.
CREATE TABLE people_history (
    id {{ID}},
    household_id BIGINT REFERENCES households(id),
    resident_id BIGINT REFERENCES residents(id),
    at {{TS}} NOT NULL,
    actor TEXT NOT NULL,
    kind TEXT NOT NULL,
    detail TEXT NOT NULL
);
CREATE INDEX people_history_household ON people_history (household_id, at);
CREATE INDEX people_history_resident ON people_history (resident_id, at);

-- Party members: residents who belong to a party organisation.
CREATE TABLE party_members (
    id {{ID}},
    resident_id BIGINT NOT NULL UNIQUE REFERENCES residents(id),
    unit_path {{PATH}} NOT NULL,
    party_org_id BIGINT NOT NULL REFERENCES party_orgs(id),
    joined_on DATE,
    status TEXT NOT NULL,
    in_service BOOLEAN NOT NULL DEFAULT FALSE,
    employer TEXT NOT NULL DEFAULT '',
    co_building_unit_id BIGINT REFERENCES co_building_units(id),
    created_at {{TS}} NOT NULL,
    updated_at {{TS}} NOT NULL
);
CREATE INDEX party_members_path ON party_members (unit_path);
CREATE INDEX party_members_org ON party_members (party_org_id);

-- In-service party members reporting to their residence community.
CREATE TABLE service_registrations (
    id {{ID}},
    party_member_id BIGINT NOT NULL REFERENCES party_members(id),
    community_id BIGINT NOT NULL REFERENCES units(id),
    unit_path {{PATH}} NOT NULL,
    registered_on DATE NOT NULL,
    ended_on DATE,
    created_at {{TS}} NOT NULL
);
CREATE UNIQUE INDEX service_registrations_active ON service_registrations (party_member_id, registered_on);
CREATE INDEX service_registrations_path ON service_registrations (unit_path);

-- A community's needs list: posts that in-service members claim.
CREATE TABLE service_posts (
    id {{ID}},
    community_id BIGINT NOT NULL REFERENCES units(id),
    unit_path {{PATH}} NOT NULL,
    category TEXT NOT NULL,
    title TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    slots INTEGER NOT NULL,
    status TEXT NOT NULL DEFAULT 'open',
    created_at {{TS}} NOT NULL
);
CREATE INDEX service_posts_path ON service_posts (unit_path, status);

CREATE TABLE service_claims (
    id {{ID}},
    post_id BIGINT NOT NULL REFERENCES service_posts(id),
    party_member_id BIGINT NOT NULL REFERENCES party_members(id),
    claimed_at {{TS}} NOT NULL,
    UNIQUE (post_id, party_member_id)
);
CREATE INDEX service_claims_member ON service_claims (party_member_id);

-- Service hours recorded for an in-service member at their community, in
-- minutes; verified volunteer hours from the volunteer module count too.
CREATE TABLE service_hours (
    id {{ID}},
    party_member_id BIGINT NOT NULL REFERENCES party_members(id),
    post_id BIGINT REFERENCES service_posts(id),
    served_on DATE NOT NULL,
    minutes INTEGER NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    recorded_by TEXT NOT NULL,
    created_at {{TS}} NOT NULL
);
CREATE INDEX service_hours_member ON service_hours (party_member_id, served_on);

-- Settings per unit (the yearly service target of a district, ...).
CREATE TABLE people_settings (
    unit_id BIGINT NOT NULL REFERENCES units(id),
    name TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (unit_id, name)
);

-- Community workers (社区工作者).
CREATE TABLE workers (
    id {{ID}},
    unit_id BIGINT NOT NULL REFERENCES units(id),
    unit_path {{PATH}} NOT NULL,
    name TEXT NOT NULL,
    gender TEXT NOT NULL,
    birth_date DATE,
    id_number_sealed TEXT NOT NULL DEFAULT '',
    id_number_index TEXT NOT NULL DEFAULT '',
    id_number_masked TEXT NOT NULL DEFAULT '',
    phone_sealed TEXT NOT NULL DEFAULT '',
    phone_index TEXT NOT NULL DEFAULT '',
    phone_masked TEXT NOT NULL DEFAULT '',
    position TEXT NOT NULL,
    education TEXT NOT NULL,
    pay_step INTEGER NOT NULL DEFAULT 1,
    hired_on DATE,
    created_at {{TS}} NOT NULL,
    updated_at {{TS}} NOT NULL
);
CREATE INDEX workers_path ON workers (unit_path, position);
CREATE INDEX workers_id_number ON workers (id_number_index);

-- Grid staff: each grid's instructor (a street cadre), leader (a community
-- committee member) and members (building heads, volunteers, retired party
-- members), with the buildings they look after.
CREATE TABLE grid_staff (
    id {{ID}},
    grid_id BIGINT NOT NULL REFERENCES units(id),
    unit_path {{PATH}} NOT NULL,
    role TEXT NOT NULL,
    kind TEXT NOT NULL DEFAULT '',
    name TEXT NOT NULL,
    phone_sealed TEXT NOT NULL DEFAULT '',
    phone_index TEXT NOT NULL DEFAULT '',
    phone_masked TEXT NOT NULL DEFAULT '',
    worker_id BIGINT REFERENCES workers(id),
    resident_id BIGINT REFERENCES residents(id),
    user_id BIGINT,
    since DATE,
    created_at {{TS}} NOT NULL,
    updated_at {{TS}} NOT NULL
);
CREATE INDEX grid_staff_path ON grid_staff (unit_path, role);
CREATE INDEX grid_staff_user ON grid_staff (user_id);

CREATE TABLE grid_staff_buildings (
    staff_id BIGINT NOT NULL REFERENCES grid_staff(id) ON DELETE CASCADE,
    building_id BIGINT NOT NULL REFERENCES units(id),
    PRIMARY KEY (staff_id, building_id)
);

-- Imports of spreadsheets: the file, its progress and its report.
CREATE TABLE imports (
    id {{ID}},
    kind TEXT NOT NULL,
    filename TEXT NOT NULL,
    data {{BYTES}},
    status TEXT NOT NULL,
    total_rows INTEGER NOT NULL DEFAULT 0,
    done_rows INTEGER NOT NULL DEFAULT 0,
    imported INTEGER NOT NULL DEFAULT 0,
    report TEXT NOT NULL DEFAULT '',
    message TEXT NOT NULL DEFAULT '',
    actor_id BIGINT NOT NULL,
    created_at {{TS}} NOT NULL,
    finished_at {{TS}}
);
CREATE INDEX imports_actor ON imports (actor_id, created_at);
