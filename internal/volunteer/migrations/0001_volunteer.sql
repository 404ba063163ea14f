-- Volunteer service (志愿服务) and the love bank (爱心银行).
--
-- Rows that belong to a place carry their unit's id and a copy of its path
-- (unit_path), indexed, so that scope is an index range on the table alone;
-- org.Store.OnMove keeps the copies right. The ledger's transfers and
-- movements are append-only and carry no path: they are reached through
-- their accounts.

-- Teams: party-member service teams, youth volunteer teams, love help
-- groups, the volunteer police association, the volunteer federation's
-- professional teams (field says which) and others.
CREATE TABLE vol_teams (
    id {{ID}},
    unit_id BIGINT NOT NULL REFERENCES units(id),
    unit_path {{PATH}} NOT NULL,
    type TEXT NOT NULL,
    field TEXT NOT NULL DEFAULT '',
    name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    founded_on DATE,
    status TEXT NOT NULL DEFAULT 'active',
    created_at {{TS}} NOT NULL,
    updated_at {{TS}} NOT NULL
);
CREATE INDEX vol_teams_path ON vol_teams (unit_path, type);
CREATE INDEX vol_teams_unit ON vol_teams (unit_id);

-- Volunteers, registered at a community. A volunteer who is a resident
-- links to the resident (resident_id) and keeps no copy of what people
-- holds; others keep their identity number and phone sealed by the pii
-- vault (ciphertext, blind index, masked form). user_id links the account
-- a volunteer signs in with for their phone page.
CREATE TABLE vol_volunteers (
    id {{ID}},
    unit_id BIGINT NOT NULL REFERENCES units(id),
    unit_path {{PATH}} NOT NULL,
    number TEXT NOT NULL UNIQUE,
    resident_id BIGINT UNIQUE REFERENCES residents(id),
    user_id BIGINT UNIQUE REFERENCES users(id) ON DELETE SET NULL,
    name TEXT NOT NULL,
    gender TEXT NOT NULL DEFAULT '',
    birth_date DATE,
    id_number_sealed TEXT NOT NULL DEFAULT '',
    id_number_index TEXT NOT NULL DEFAULT '',
    id_number_masked TEXT NOT NULL DEFAULT '',
    phone_sealed TEXT NOT NULL DEFAULT '',
    phone_index TEXT NOT NULL DEFAULT '',
    phone_masked TEXT NOT NULL DEFAULT '',
    skills TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL DEFAULT 'active',
    registered_on DATE NOT NULL,
    created_at {{TS}} NOT NULL,
    updated_at {{TS}} NOT NULL
);
CREATE INDEX vol_volunteers_path ON vol_volunteers (unit_path, status);
CREATE INDEX vol_volunteers_id_number ON vol_volunteers (id_number_index);
CREATE INDEX vol_volunteers_phone ON vol_volunteers (phone_index);
CREATE INDEX vol_volunteers_name ON vol_volunteers (name);

-- Membership of teams, with the days a volunteer joined and left.
-- unit_path is the team's.
CREATE TABLE vol_team_members (
    id {{ID}},
    team_id BIGINT NOT NULL REFERENCES vol_teams(id),
    volunteer_id BIGINT NOT NULL REFERENCES vol_volunteers(id),
    unit_path {{PATH}} NOT NULL,
    role TEXT NOT NULL DEFAULT 'member',
    joined_on DATE NOT NULL,
    left_on DATE,
    created_at {{TS}} NOT NULL
);
CREATE UNIQUE INDEX vol_team_members_active ON vol_team_members (team_id, volunteer_id) WHERE left_on IS NULL;
CREATE INDEX vol_team_members_volunteer ON vol_team_members (volunteer_id, left_on);
CREATE INDEX vol_team_members_path ON vol_team_members (unit_path, left_on);

-- Activities, published by a team or a community; starts_at and ends_at
-- span their shifts. Times are UTC.
CREATE TABLE vol_activities (
    id {{ID}},
    unit_id BIGINT NOT NULL REFERENCES units(id),
    unit_path {{PATH}} NOT NULL,
    team_id BIGINT REFERENCES vol_teams(id),
    title TEXT NOT NULL,
    category TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    place TEXT NOT NULL DEFAULT '',
    lon DOUBLE PRECISION,
    lat DOUBLE PRECISION,
    needs_approval BOOLEAN NOT NULL DEFAULT FALSE,
    team_only BOOLEAN NOT NULL DEFAULT FALSE,
    status TEXT NOT NULL DEFAULT 'published',
    starts_at {{TS}} NOT NULL,
    ends_at {{TS}} NOT NULL,
    created_by BIGINT,
    created_at {{TS}} NOT NULL,
    updated_at {{TS}} NOT NULL
);
CREATE INDEX vol_activities_path ON vol_activities (unit_path, starts_at);
CREATE INDEX vol_activities_starts ON vol_activities (starts_at);
CREATE INDEX vol_activities_team ON vol_activities (team_id, starts_at);

-- Shifts of an activity, each with its own capacity, the skills it needs
-- and the two codes (check-in, check-out) its QR codes carry.
CREATE TABLE vol_shifts (
    id {{ID}},
    activity_id BIGINT NOT NULL REFERENCES vol_activities(id),
    unit_path {{PATH}} NOT NULL,
    starts_at {{TS}} NOT NULL,
    ends_at {{TS}} NOT NULL,
    capacity INTEGER NOT NULL,
    skills TEXT NOT NULL DEFAULT '',
    in_code TEXT NOT NULL UNIQUE,
    out_code TEXT NOT NULL UNIQUE,
    created_at {{TS}} NOT NULL
);
CREATE INDEX vol_shifts_activity ON vol_shifts (activity_id, starts_at);

-- A volunteer on a shift: the sign-up (pending approval, approved,
-- rejected, cancelled), the check-in and check-out, the minutes served
-- (capped by the shift) and their verification (pending, verified,
-- rejected; revoked when the points were reversed). starts_at, ends_at and
-- period (YYYYMM in Shanghai) copy the shift's, for the overlap check and
-- the rankings; team_id copies the activity's, unit_path its path.
CREATE TABLE vol_signups (
    id {{ID}},
    shift_id BIGINT NOT NULL REFERENCES vol_shifts(id),
    activity_id BIGINT NOT NULL REFERENCES vol_activities(id),
    team_id BIGINT REFERENCES vol_teams(id),
    volunteer_id BIGINT NOT NULL REFERENCES vol_volunteers(id),
    unit_path {{PATH}} NOT NULL,
    starts_at {{TS}} NOT NULL,
    ends_at {{TS}} NOT NULL,
    period INTEGER NOT NULL,
    status TEXT NOT NULL,
    check_in_at {{TS}},
    check_in_how TEXT NOT NULL DEFAULT '',
    check_out_at {{TS}},
    check_out_how TEXT NOT NULL DEFAULT '',
    minutes INTEGER NOT NULL DEFAULT 0,
    hours_status TEXT NOT NULL DEFAULT '',
    reason TEXT NOT NULL DEFAULT '',
    points BIGINT NOT NULL DEFAULT 0,
    transfer_seq BIGINT,
    verified_by BIGINT,
    verified_at {{TS}},
    created_at {{TS}} NOT NULL,
    updated_at {{TS}} NOT NULL
);
CREATE UNIQUE INDEX vol_signups_once ON vol_signups (shift_id, volunteer_id);
CREATE INDEX vol_signups_volunteer ON vol_signups (volunteer_id, starts_at);
CREATE INDEX vol_signups_path ON vol_signups (unit_path, hours_status, period);
CREATE INDEX vol_signups_team ON vol_signups (team_id, hours_status, period);

-- The volunteer record besides services (national volunteer-record rules):
-- training, awards and evaluations.
CREATE TABLE vol_record_entries (
    id {{ID}},
    volunteer_id BIGINT NOT NULL REFERENCES vol_volunteers(id),
    kind TEXT NOT NULL,
    on_date DATE NOT NULL,
    title TEXT NOT NULL,
    issuer TEXT NOT NULL DEFAULT '',
    minutes INTEGER NOT NULL DEFAULT 0,
    grade TEXT NOT NULL DEFAULT '',
    note TEXT NOT NULL DEFAULT '',
    recorded_by TEXT NOT NULL,
    created_at {{TS}} NOT NULL
);
CREATE INDEX vol_record_entries_volunteer ON vol_record_entries (volunteer_id, kind, on_date);

-- Certificates (志愿服务证明): a snapshot of what was certified, under a
-- unique number anyone may check.
CREATE TABLE vol_certificates (
    id {{ID}},
    number TEXT NOT NULL UNIQUE,
    volunteer_id BIGINT NOT NULL REFERENCES vol_volunteers(id),
    id_number_masked TEXT NOT NULL DEFAULT '',
    unit_id BIGINT NOT NULL REFERENCES units(id),
    unit_path {{PATH}} NOT NULL,
    issuer TEXT NOT NULL,
    issued_on DATE NOT NULL,
    from_on DATE NOT NULL,
    to_on DATE NOT NULL,
    minutes INTEGER NOT NULL,
    services INTEGER NOT NULL,
    content TEXT NOT NULL,
    issued_by TEXT NOT NULL,
    created_at {{TS}} NOT NULL
);
CREATE INDEX vol_certificates_volunteer ON vol_certificates (volunteer_id);

-- Settings per district: the points a verified hour earns, the money a
-- point is settled for.
CREATE TABLE vol_settings (
    unit_id BIGINT NOT NULL REFERENCES units(id),
    name TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (unit_id, name)
);

-- The love bank ledger. Amounts are in hundredths of a point. An account
-- belongs to the bank of a district (owner_id: the district), a volunteer
-- or a merchant; its balance is kept current in the transaction that moves
-- it and can be rebuilt from its movements. Only the bank may go below
-- zero (its negative balance is the points in circulation).
CREATE TABLE lb_accounts (
    id {{ID}},
    kind TEXT NOT NULL,
    owner_id BIGINT NOT NULL,
    unit_path {{PATH}} NOT NULL,
    balance BIGINT NOT NULL DEFAULT 0,
    allow_negative BOOLEAN NOT NULL DEFAULT FALSE,
    created_at {{TS}} NOT NULL,
    UNIQUE (kind, owner_id),
    CHECK (allow_negative OR balance >= 0)
);
CREATE INDEX lb_accounts_path ON lb_accounts (unit_path, kind);

-- Transfers: each writes movements that sum to zero. seq numbers them
-- without gaps and each row's hash covers its fields, its movements and
-- the hash before it; lb_head holds the last. A mistake is undone by a
-- reversing transfer (reverses), at most one per transfer.
CREATE TABLE lb_transfers (
    seq BIGINT PRIMARY KEY,
    kind TEXT NOT NULL,
    reverses BIGINT REFERENCES lb_transfers(seq),
    idem_key TEXT,
    memo TEXT NOT NULL,
    actor_id BIGINT,
    actor TEXT NOT NULL,
    at {{TS}} NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
-- Most transfers have neither; partial indexes keep them small.
CREATE UNIQUE INDEX lb_transfers_reverses ON lb_transfers (reverses) WHERE reverses IS NOT NULL;
CREATE UNIQUE INDEX lb_transfers_idem_key ON lb_transfers (idem_key) WHERE idem_key IS NOT NULL;

CREATE TABLE lb_movements (
    id {{ID}},
    transfer_seq BIGINT NOT NULL REFERENCES lb_transfers(seq),
    account_id BIGINT NOT NULL REFERENCES lb_accounts(id),
    amount BIGINT NOT NULL,
    balance_after BIGINT NOT NULL
);
CREATE INDEX lb_movements_account ON lb_movements (account_id, id);
CREATE INDEX lb_movements_transfer ON lb_movements (transfer_seq);

CREATE TABLE lb_head (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    seq BIGINT NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO lb_head (id, seq, hash) VALUES (1, 0, '');

-- Partner merchants, their staff accounts and what they offer.
CREATE TABLE lb_merchants (
    id {{ID}},
    unit_id BIGINT NOT NULL REFERENCES units(id),
    unit_path {{PATH}} NOT NULL,
    name TEXT NOT NULL,
    address TEXT NOT NULL DEFAULT '',
    contact TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL DEFAULT 'active',
    created_at {{TS}} NOT NULL,
    updated_at {{TS}} NOT NULL
);
CREATE INDEX lb_merchants_path ON lb_merchants (unit_path);

CREATE TABLE lb_merchant_staff (
    merchant_id BIGINT NOT NULL REFERENCES lb_merchants(id),
    user_id BIGINT NOT NULL UNIQUE REFERENCES users(id) ON DELETE CASCADE,
    created_at {{TS}} NOT NULL,
    PRIMARY KEY (merchant_id, user_id)
);

CREATE TABLE lb_items (
    id {{ID}},
    merchant_id BIGINT NOT NULL REFERENCES lb_merchants(id),
    name TEXT NOT NULL,
    price BIGINT NOT NULL,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    created_at {{TS}} NOT NULL
);
CREATE INDEX lb_items_merchant ON lb_items (merchant_id);

-- One-time codes a volunteer shows a merchant: only a hash of the code is
-- kept; a code works once, before it expires.
CREATE TABLE lb_passes (
    id {{ID}},
    volunteer_id BIGINT NOT NULL REFERENCES vol_volunteers(id),
    code_hash TEXT NOT NULL UNIQUE,
    expires_at {{TS}} NOT NULL,
    used_at {{TS}},
    created_at {{TS}} NOT NULL
);
CREATE INDEX lb_passes_volunteer ON lb_passes (volunteer_id, created_at);

-- Redemptions at merchants; idem_key (the merchant's id and the key its
-- page or client sent) makes a retried request find the first one.
CREATE TABLE lb_redemptions (
    id {{ID}},
    merchant_id BIGINT NOT NULL REFERENCES lb_merchants(id),
    unit_path {{PATH}} NOT NULL,
    volunteer_id BIGINT NOT NULL REFERENCES vol_volunteers(id),
    item_id BIGINT REFERENCES lb_items(id),
    quantity INTEGER NOT NULL DEFAULT 1,
    amount BIGINT NOT NULL,
    transfer_seq BIGINT NOT NULL REFERENCES lb_transfers(seq),
    idem_key TEXT NOT NULL UNIQUE,
    staff_user_id BIGINT,
    status TEXT NOT NULL DEFAULT 'done',
    settlement_id BIGINT,
    created_at {{TS}} NOT NULL
);
CREATE INDEX lb_redemptions_merchant ON lb_redemptions (merchant_id, created_at);
CREATE INDEX lb_redemptions_volunteer ON lb_redemptions (volunteer_id, created_at);
CREATE INDEX lb_redemptions_path ON lb_redemptions (unit_path, status);

-- Settlements: a merchant hands the points it took back to the bank and
-- is paid for them (outside the system) at the district's rate.
CREATE TABLE lb_settlements (
    id {{ID}},
    merchant_id BIGINT NOT NULL REFERENCES lb_merchants(id),
    unit_path {{PATH}} NOT NULL,
    period_from DATE NOT NULL,
    period_to DATE NOT NULL,
    redemptions INTEGER NOT NULL,
    amount BIGINT NOT NULL,
    fen BIGINT NOT NULL,
    transfer_seq BIGINT NOT NULL REFERENCES lb_transfers(seq),
    reversed_by BIGINT REFERENCES lb_transfers(seq),
    created_by TEXT NOT NULL,
    created_at {{TS}} NOT NULL
);
CREATE INDEX lb_settlements_merchant ON lb_settlements (merchant_id, created_at);
