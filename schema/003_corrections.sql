-- 003_corrections.sql - DERIVED: corrections of closed manifests (issue 3,
-- "manifest.correct"): a party proposes a correction of its own part; it takes
-- effect once every other party on the manifest has approved it. The events
-- themselves are the versions; this table only tracks where each proposal stands.
CREATE TABLE corrections (
    id TEXT PRIMARY KEY,            -- event id (hex) of the manifest.correct proposal
    manifest INTEGER NOT NULL,      -- manifests.number
    proposer TEXT NOT NULL,         -- USCC of the proposing party
    part TEXT NOT NULL,             -- producer, carrier or receiver
    idx INTEGER NOT NULL,           -- events.idx of the proposal
    pending TEXT NOT NULL,          -- comma-separated USCCs still to approve ('' when none)
    effective_idx INTEGER           -- events.idx of the approval that completed it, NULL before
) WITHOUT ROWID;
CREATE INDEX corrections_manifest ON corrections(manifest);

-- Correction requests by the regulator: which party should correct which part.
CREATE TABLE correction_requests (
    manifest INTEGER NOT NULL,      -- manifests.number
    part TEXT NOT NULL,             -- part to be corrected
    idx INTEGER NOT NULL,           -- events.idx of the request
    PRIMARY KEY (manifest, idx)
) WITHOUT ROWID;

UPDATE meta SET v = v || ',corrections,correction_requests' WHERE k = 'derived_tables';
