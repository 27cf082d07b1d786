-- 001_core.sql - the trust layer's tables (DESIGN.md §3, §4).
--
-- The ledger proper is the `events` table: append-only, one row per accepted
-- event, in Merkle leaf order. Everything marked DERIVED is rebuilt from the
-- events by `liandan reindex` and may be dropped at any time. Applied by
-- store_sqlite.c inside one transaction, then PRAGMA user_version = 1.

-- Ledger settings fixed at `liandan init`: origin, pinned regulator verifier
-- key, ledger verifier key, where the ledger's secret key file lives. Also
-- "ids_upto" (see ids below), kept by the store.
CREATE TABLE meta (
    k TEXT PRIMARY KEY,             -- setting name
    v TEXT NOT NULL                 -- setting value
) WITHOUT ROWID;

-- Accepted events. idx is the RFC 6962 leaf index (0-based, no gaps); entry is
-- JCS(signed) exactly as hashed into the leaf; id = SHA-256(0x00 || entry).
-- accepted_at and receipt_sig make up the signed receipt (DESIGN.md §4.4).
-- id has no index of its own: ids (below) finds events by id, and the store
-- refuses a second event with an id already stored.
CREATE TABLE events (
    idx INTEGER PRIMARY KEY,        -- leaf index
    id BLOB NOT NULL,               -- 32-byte leaf hash, the event id
    entry BLOB NOT NULL,            -- canonical signed envelope, the leaf data
    accepted_at INTEGER NOT NULL,   -- seconds since the epoch (UTC), as signed in the receipt
    receipt_sig BLOB NOT NULL       -- 64-byte ledger signature over the receipt
);

-- Append-only, enforced here as well as in code: no UPDATE, no DELETE.
CREATE TRIGGER events_no_update BEFORE UPDATE ON events
BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
CREATE TRIGGER events_no_delete BEFORE DELETE ON events
BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;

-- Signed checkpoints (C2SP tlog-checkpoint as a signed note), one per size
-- the ledger has signed. Append-only like events.
CREATE TABLE checkpoints (
    size INTEGER PRIMARY KEY,       -- tree size the checkpoint commits to
    note TEXT NOT NULL,             -- the whole signed note
    signed_at INTEGER NOT NULL      -- seconds since the epoch (UTC)
);
CREATE TRIGGER checkpoints_no_update BEFORE UPDATE ON checkpoints
BEGIN SELECT RAISE(ABORT, 'checkpoints are append-only'); END;
CREATE TRIGGER checkpoints_no_delete BEFORE DELETE ON checkpoints
BEGIN SELECT RAISE(ABORT, 'checkpoints are append-only'); END;

-- DERIVED. The Merkle tree's complete subtree hashes, stored as tiles (after
-- Go's sumdb/tlog tiles, but holding every level of the tile). Node (L, i)
-- covers leaves [i*2^L, (i+1)*2^L); level 0 is the leaf hash, events.id.
-- Tile (t, j) holds the nodes of levels 4t..4t+3 under node (4t+4, j): 16 + 8
-- + 4 + 2 = 30 hashes once complete, in the order the append emits them
-- (post-order: node (4t+r, m) with m = j*2^(4-r) + q is at position
-- 2*(q << r) - popcount(q << r) + 2^(r+1) - 2). The tile on the right edge of
-- each level is stored with the first n of them (1 <= n < 30) and rewritten
-- as it grows. Its key is the key of its first node, (4t << 56) | 16j, so a
-- proof reads about log2(size) / 4 rows. A row whose key is not a tile's may
-- hold one node of any level (32 bytes), read when no tile holds it.
CREATE TABLE nodes (
    k INTEGER PRIMARY KEY,          -- (level << 56) | index of the first node
    hash BLOB NOT NULL              -- its hashes, 32 bytes each, concatenated
);

-- DERIVED. Events by id: k is the first 8 bytes of events.id, and a reader
-- compares the whole id of the event it finds. Holds the events with idx <
-- meta "ids_upto"; the store finds later ones through a map in memory, built
-- from events.id, and moves them here in one sorted insert when there are
-- enough of them (size / 8, at least 64, at most 65536): a random-key index
-- updated per event would rewrite one page per event at every commit.
CREATE TABLE ids (
    k BLOB NOT NULL,                -- substr(events.id, 1, 8)
    idx INTEGER NOT NULL,           -- events.idx
    PRIMARY KEY (k, idx)
) WITHOUT ROWID;

-- DERIVED. Head of each hash chain: a manifest ("m:NUMBER") or a party's
-- registry history ("p:USCC"). The next event of the chain must name head as prev.
CREATE TABLE heads (
    chain TEXT PRIMARY KEY,         -- chain key
    head_idx INTEGER NOT NULL,      -- events.idx of the latest event of the chain
    head_id BLOB NOT NULL,          -- its id (so the chain check reads no event row)
    head_at INTEGER NOT NULL        -- its event.at: the next event may not be earlier
) WITHOUT ROWID;

-- DERIVED. Registered parties (party.register).
CREATE TABLE parties (
    id TEXT PRIMARY KEY,            -- USCC (GB 32100-2015), check character verified
    name TEXT NOT NULL,             -- registered name
    roles TEXT NOT NULL,            -- comma-separated roles: producer,carrier,receiver,collector
    district TEXT NOT NULL,         -- 6-digit GB/T 2260 district code
    reg_idx INTEGER NOT NULL        -- events.idx of the registration
) WITHOUT ROWID;

-- DERIVED. Certified keys (party.key) and their revocation (party.revoke).
-- A key may sign an event E iff cert_idx < E.idx, from_at <= E.at, E.at < until_at
-- (when set) and (revoked_idx IS NULL or E.idx < revoked_idx).
CREATE TABLE keys (
    keyid TEXT PRIMARY KEY,         -- DESIGN.md §4.2 key id
    party TEXT NOT NULL,            -- USCC of the holder
    vkey TEXT NOT NULL,             -- verifier key line
    pub BLOB NOT NULL,              -- raw 32-byte Ed25519 key
    from_at INTEGER NOT NULL,       -- valid from (the certifying event's at)
    until_at INTEGER,               -- valid until (exclusive), NULL for no end
    cert_idx INTEGER NOT NULL,      -- events.idx of party.key
    revoked_idx INTEGER,            -- events.idx of party.revoke, NULL if not revoked
    revoked_at INTEGER              -- at of the revocation
) WITHOUT ROWID;
CREATE INDEX keys_party ON keys(party);
