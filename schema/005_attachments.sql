-- 005_attachments.sql - content-addressed attachments (issue 3: a GPS track
-- as GeoJSON). An event names an attachment by its SHA-256 ("track"), so the
-- signature covers the content; the bytes live here, and `liandan verify`
-- re-hashes every one. Not derived: reindex leaves it alone. Append-only.
CREATE TABLE attachments (
    hash TEXT PRIMARY KEY,          -- lowercase hex SHA-256 of data
    media_type TEXT NOT NULL,       -- e.g. application/geo+json
    data BLOB NOT NULL,             -- the bytes
    stored_at INTEGER NOT NULL      -- seconds since the epoch (UTC)
) WITHOUT ROWID;
CREATE TRIGGER attachments_no_update BEFORE UPDATE ON attachments
BEGIN SELECT RAISE(ABORT, 'attachments are append-only'); END;
CREATE TRIGGER attachments_no_delete BEFORE DELETE ON attachments
BEGIN SELECT RAISE(ABORT, 'attachments are append-only'); END;
