-- The working calendar, per year: its working hours, and the dates that
-- differ from the weekday rule (public holidays on weekdays, and weekend
-- days worked instead, 调休).
CREATE TABLE work_calendar_years (
    year INTEGER PRIMARY KEY,
    hours TEXT NOT NULL,
    provisional BOOLEAN NOT NULL DEFAULT FALSE,
    updated_at {{TS}} NOT NULL
);

CREATE TABLE work_calendar_days (
    day TEXT PRIMARY KEY,
    year INTEGER NOT NULL REFERENCES work_calendar_years(year) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    name TEXT NOT NULL DEFAULT ''
);
CREATE INDEX work_calendar_days_year ON work_calendar_days (year);
