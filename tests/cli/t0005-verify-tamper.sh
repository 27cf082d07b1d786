# verify passes on a sound ledger and names the first fault after any single
# flipped byte in the events table (entry, id, receipt), a deleted checkpoint
# row cannot pass for sound, and append-only triggers refuse UPDATE/DELETE.
. "$(dirname "$0")/lib.sh"
command -v sqlite3 >/dev/null || fail "sqlite3 command missing (tools/install-deps installs it)"
setup_ledger
for id in "$P1" "$P2" "$P3"; do
    ld party register --key reg.key --id "$id" --name "N $id" --role producer >/dev/null
done
ld checkpoint >/dev/null
expect_exit 0 ld verify
expect_out '^ok 3 events, 1 checkpoints'
expect_exit 0 ld verify -q
[ ! -s "$T/out" ] || fail "-q printed something"

# Triggers.
expect_nonzero sqlite3 "$LIANDAN_DB" "UPDATE events SET accepted_at = 0 WHERE idx = 1"
expect_err "append-only"
expect_nonzero sqlite3 "$LIANDAN_DB" "DELETE FROM events WHERE idx = 2"
expect_err "append-only"

# Flip one byte at several offsets of entry 1 (triggers dropped on a copy,
# as an attacker with file access would).
n=$(sqlite3 "$LIANDAN_DB" "SELECT length(entry) FROM events WHERE idx = 1")
for off in 1 2 10 40 $((n / 2)) $((n - 5)) $n; do
    cp "$LIANDAN_DB" t.db
    sqlite3 t.db "DROP TRIGGER events_no_update;
        UPDATE events SET entry = substr(entry, 1, $off - 1) ||
          CAST(char((unicode(substr(CAST(entry AS TEXT), $off, 1)) | 1) - (unicode(substr(CAST(entry AS TEXT), $off, 1)) & 1)) AS BLOB) ||
          substr(entry, $off + 1) WHERE idx = 1;"
    expect_exit 1 ld verify --db t.db
    expect_err "event 1: "
done
# id, receipt signature, accepted_at.
for sql in "UPDATE events SET id = zeroblob(32) WHERE idx = 1" \
           "UPDATE events SET receipt_sig = zeroblob(64) WHERE idx = 1" \
           "UPDATE events SET accepted_at = accepted_at + 1 WHERE idx = 1"; do
    cp "$LIANDAN_DB" t.db
    sqlite3 t.db "DROP TRIGGER events_no_update; $sql"
    expect_exit 1 ld verify --db t.db
    expect_err "event 1: "
done
# Deleted last event: the checkpoint covers a missing event.
cp "$LIANDAN_DB" t.db
sqlite3 t.db "DROP TRIGGER events_no_delete; DELETE FROM events WHERE idx = 2"
expect_exit 1 ld verify --db t.db
expect_err "missing"
# Tampered derived Merkle node: caught too; reindex repairs derived tables.
cp "$LIANDAN_DB" t.db
sqlite3 t.db "UPDATE nodes SET hash = zeroblob(32) WHERE k = (SELECT MIN(k) FROM nodes)"
expect_exit 1 ld verify --db t.db
expect_err "Merkle node"
expect_exit 0 ld reindex --db t.db
expect_exit 0 ld verify --db t.db
