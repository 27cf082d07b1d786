-- 004_calendar.sql - DERIVED: holiday and make-up working days added after the
-- build by the regulator's calendar.load events (the years shipped in
-- data/cn-holidays.csv are built in). Deadlines in working days (Art. 18, 20)
-- count with the built-in rows plus these.
CREATE TABLE calendar_rows (
    date TEXT PRIMARY KEY,          -- YYYY-MM-DD
    kind TEXT NOT NULL,             -- 'off' (holiday) or 'work' (make-up working day)
    name TEXT NOT NULL,             -- holiday name, e.g. 春节
    idx INTEGER NOT NULL            -- events.idx of the calendar.load event
) WITHOUT ROWID;

UPDATE meta SET v = v || ',calendar_rows' WHERE k = 'derived_tables';
