-- 002_manifest.sql - DERIVED tables of the manifest domain (DESIGN.md §5).
-- Every table here is rebuilt from the events by `liandan reindex`; none is
-- evidence. The rules in src/rules_*.c keep them in step with the events.

-- Licences and permits recorded by the regulator (party.licence, party.permit):
-- the latest of each kind per party wins (an earlier one stays in the events).
CREATE TABLE licences (
    party TEXT NOT NULL,            -- holder's USCC
    kind TEXT NOT NULL,             -- 'disposal' (经营许可证), 'collection', 'transport' (道路运输许可)
    number TEXT NOT NULL,           -- licence or permit number
    valid_from INTEGER NOT NULL,    -- first valid day, as a day number (days since 1970-01-01)
    valid_until INTEGER NOT NULL,   -- last valid day, day number, inclusive
    idx INTEGER NOT NULL,           -- events.idx of the recording event
    PRIMARY KEY (party, kind)
) WITHOUT ROWID;

-- What a disposal or collection licence covers: 8-digit codes or whole
-- categories (HWxx), and for disposal the method codes, with annual capacity.
CREATE TABLE licence_scope (
    party TEXT NOT NULL,            -- holder
    kind TEXT NOT NULL,             -- licence kind, as in licences
    item TEXT NOT NULL,             -- 'NNN-NNN-NN', 'HWxx' or a method code 'R9'
    capacity_g INTEGER,             -- annual capacity of a category in grams, NULL if none set
    licensed INTEGER NOT NULL,      -- 1: the licence covers item; 0: a capacity figure only
    PRIMARY KEY (party, kind, item)
) WITHOUT ROWID;

-- A carrier's vehicles (from its transport permit).
CREATE TABLE vehicles (
    party TEXT NOT NULL,            -- carrier's USCC
    plate TEXT NOT NULL,            -- validated plate, e.g. 辽B12345, 辽B1234挂
    PRIMARY KEY (party, plate)
) WITHOUT ROWID;

-- Serial counters of manifest numbers per city and year (Art. 15).
CREATE TABLE serials (
    prefix TEXT PRIMARY KEY,        -- YYYY + province(2) + city(2)
    last INTEGER NOT NULL           -- last serial issued
) WITHOUT ROWID;

-- One row per manifest: its parties and where its story stands.
CREATE TABLE manifests (
    number INTEGER PRIMARY KEY,     -- 14-digit manifest number
    producer TEXT NOT NULL,         -- filer (移出人): producer, or collector/receiver shipping on
    receiver TEXT NOT NULL,         -- receiver (接受人)
    carrier TEXT NOT NULL,          -- planned carrier of the first leg
    district TEXT NOT NULL,         -- filer's district code
    state TEXT NOT NULL,            -- filed, in_transit, arrived, received,
                                    -- received_with_discrepancy, rejected, closed, cancelled
    paper INTEGER NOT NULL,         -- 1 when entered after the fact from a paper manifest
    filed_at INTEGER NOT NULL,      -- event time of manifest.file
    picked_at INTEGER,              -- first pickup
    arrived_at INTEGER,             -- arrival at the receiver
    received_at INTEGER,            -- receipt decision
    closed_at INTEGER,              -- all accepted waste disposed of or shipped on
    completed_at INTEGER,           -- paper: when the paper transfer completed
    leg INTEGER NOT NULL,           -- current leg (0 before pickup)
    leg_carrier TEXT,               -- carrier holding the waste now
    discrepancy INTEGER NOT NULL,   -- 1 when the receiver flagged a significant discrepancy
    returned INTEGER NOT NULL DEFAULT 0 -- 1 when a rejected load goes back to its producer,
                                    -- who needs no disposal licence for it
);
CREATE INDEX manifests_producer ON manifests(producer);
CREATE INDEX manifests_receiver ON manifests(receiver);
CREATE INDEX manifests_carrier ON manifests(carrier);
CREATE INDEX manifests_state ON manifests(state);

-- Manifest lines; each is batch NUMBER-LL.
CREATE TABLE lines (
    batch TEXT PRIMARY KEY,         -- 'NUMBER-LL'
    manifest INTEGER NOT NULL,      -- manifests.number
    line INTEGER NOT NULL,          -- 1-based line number
    code TEXT NOT NULL,             -- 8-digit waste code
    category TEXT NOT NULL,         -- HWxx
    name TEXT NOT NULL,             -- waste name
    qty_g INTEGER NOT NULL,         -- filed quantity
    packages INTEGER NOT NULL,      -- filed package count
    received_g INTEGER,             -- weighed at the receiver
    accepted_g INTEGER,             -- accepted of it
    rejected_g INTEGER,             -- refused (received - accepted, or whole rejection)
    disposed_g INTEGER NOT NULL,    -- disposed of so far
    method TEXT                     -- last disposal method code
) WITHOUT ROWID;
CREATE INDEX lines_manifest ON lines(manifest, line);
CREATE INDEX lines_code ON lines(code);

-- Lineage: a line drew qty_g from an earlier batch (consolidation, residue,
-- re-shipping of a rejected load).
CREATE TABLE sources (
    batch TEXT NOT NULL,            -- drawing line's batch
    source TEXT NOT NULL,           -- batch drawn from ('NUMBER-LL' or rejected part 'NUMBER-LLR')
    qty_g INTEGER NOT NULL,         -- grams drawn
    PRIMARY KEY (batch, source)
) WITHOUT ROWID;
CREATE INDEX sources_source ON sources(source);

-- What each party holds and may draw from: accepted batches at a receiver or
-- collector, and rejected parts ('NUMBER-LLR') waiting to leave again.
CREATE TABLE holdings (
    batch TEXT NOT NULL,            -- batch id
    holder TEXT NOT NULL,           -- USCC of the holder
    qty_g INTEGER NOT NULL,         -- grams that came in
    drawn_g INTEGER NOT NULL,       -- grams shipped on under later manifests
    PRIMARY KEY (batch, holder)
) WITHOUT ROWID;

-- Transport legs.
CREATE TABLE legs (
    manifest INTEGER NOT NULL,      -- manifests.number
    leg INTEGER NOT NULL,           -- 1-based
    carrier TEXT NOT NULL,          -- carrier of this leg
    vehicle TEXT NOT NULL,          -- plate
    trailer TEXT,                   -- trailer plate
    in_fleet INTEGER NOT NULL,      -- 1 when vehicle (and trailer) are in the carrier's permit
    started_at INTEGER NOT NULL,    -- pickup or hand-over time
    PRIMARY KEY (manifest, leg)
) WITHOUT ROWID;

INSERT INTO meta(k, v) VALUES ('derived_tables',
    'licences,licence_scope,vehicles,serials,manifests,lines,sources,holdings,legs');
