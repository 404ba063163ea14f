-- The unit tree: district, street, community, area, grid, building, and the
-- district's functional departments. path is the materialised path of ids,
-- delimited at both ends (/1/7/73/), so a subtree is one index range.
CREATE TABLE units (
    id {{ID}},
    parent_id BIGINT REFERENCES units(id),
    type TEXT NOT NULL,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    path {{PATH}} NOT NULL UNIQUE,
    depth INTEGER NOT NULL,
    boundary TEXT,
    min_lon DOUBLE PRECISION,
    min_lat DOUBLE PRECISION,
    max_lon DOUBLE PRECISION,
    max_lat DOUBLE PRECISION,
    created_at {{TS}} NOT NULL,
    updated_at {{TS}} NOT NULL
);
CREATE INDEX units_parent ON units (parent_id, type, code);
CREATE INDEX units_type_path ON units (type, path);

-- Party organisations on the tree: the district committee, street working
-- committees, community party organisations, area branches, grid party
-- groups, and grassroots organisations of the eight checklist types.
CREATE TABLE party_orgs (
    id {{ID}},
    unit_id BIGINT NOT NULL REFERENCES units(id),
    parent_id BIGINT REFERENCES party_orgs(id),
    type TEXT NOT NULL,
    name TEXT NOT NULL,
    secretary TEXT NOT NULL DEFAULT '',
    founded_on DATE,
    member_count INTEGER NOT NULL DEFAULT 0,
    created_at {{TS}} NOT NULL,
    updated_at {{TS}} NOT NULL
);
CREATE INDEX party_orgs_unit ON party_orgs (unit_id, type);
CREATE INDEX party_orgs_parent ON party_orgs (parent_id);

-- Co-building units (共驻共建单位) and their agreements with communities.
CREATE TABLE co_building_units (
    id {{ID}},
    community_id BIGINT NOT NULL REFERENCES units(id),
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    address TEXT NOT NULL DEFAULT '',
    contact TEXT NOT NULL DEFAULT '',
    created_at {{TS}} NOT NULL,
    updated_at {{TS}} NOT NULL
);
CREATE INDEX co_building_units_community ON co_building_units (community_id);

CREATE TABLE co_building_agreements (
    id {{ID}},
    co_building_unit_id BIGINT NOT NULL REFERENCES co_building_units(id) ON DELETE CASCADE,
    community_id BIGINT NOT NULL REFERENCES units(id),
    signed_on DATE NOT NULL,
    expires_on DATE,
    content TEXT NOT NULL,
    created_at {{TS}} NOT NULL
);
CREATE INDEX co_building_agreements_unit ON co_building_agreements (co_building_unit_id);
CREATE INDEX co_building_agreements_community ON co_building_agreements (community_id);

-- Part-time members (兼职委员) that large units send to street committees.
CREATE TABLE part_time_members (
    id {{ID}},
    street_id BIGINT NOT NULL REFERENCES units(id),
    co_building_unit_id BIGINT REFERENCES co_building_units(id),
    name TEXT NOT NULL,
    employer TEXT NOT NULL,
    position TEXT NOT NULL,
    term_start DATE,
    term_end DATE,
    created_at {{TS}} NOT NULL,
    updated_at {{TS}} NOT NULL
);
CREATE INDEX part_time_members_street ON part_time_members (street_id);
