# liandan audit: every anomaly kind produced at least once, on the manifest it
# belongs to, and absent where it is not due. Deadlines cross the 2026 Spring
# Festival (off 02-15..02-23, make-up working Saturdays 02-14 and 02-28) and
# the National Day holiday (off 10-01..10-07, make-up Saturday 10-10), and run
# into 2027, which data/cn-holidays.csv does not cover (provisional).
. "$(dirname "$0")/lib.sh"
setup_ledger
at() { export LIANDAN_NOW="$1"; }
at 2026-02-01T01:00:00Z
PROD=91210213MA0U8XKX3M CARR=91210200MA0QD6W09B
R1=9121020400000005X8 R2=9121021100000006XD R3=9121028300000007XP
for p in "$PROD prod producer 210213" "$CARR carr carrier 210204" "$R1 r1 receiver 210204" \
         "$R2 r2 receiver 210211" "$R3 r3 receiver 210283"; do
    set -- $p
    keyed_party "$1" "$2" "$3" "$4" "N$2"
done
licence() { # ID NUMBER UNTIL [CAPACITY-JSON]
    cat > lic.json <<J
{"id":"$1","kind":"disposal","number":"$2","valid_from":"2026-01-01","valid_until":"$3",
 "codes":["HW08"],"methods":["R9","D10"]${4:+,\"capacity_g\":$4}}
J
    expect_exit 0 ld party licence --key reg.key --body lic.json
}
licence "$R1" 辽危废经许可证2102001号 2027-12-31
licence "$R2" 辽危废经许可证2102002号 2026-02-20
licence "$R3" 辽危废经许可证2102003号 2027-12-31 '{"HW08":1000000}'
cat > permit.json <<J
{"id":"$CARR","number":"辽交运管许可大字210200001号","valid_from":"2026-01-01",
 "valid_until":"2028-12-31","vehicles":["辽B12345"]}
J
expect_exit 0 ld party permit --key reg.key --body permit.json
# file RECEIVER [PAPER-JSON]: file an 800 kg waste-oil manifest.
file() {
    sed -e "s/PRODUCER/$PROD/; s/RECEIVER/$1/; s/CARRIER/$CARR/" \
        "$LIANDAN_ROOT/tests/cli/data/manifest-oil.json" > m.json
    if [ -n "${2:-}" ]; then
        sed -i "s/\"consignor\"/\"paper\": $2, \"consignor\"/" m.json
    fi
    expect_exit 0 ld file --key prod.key --body m.json
}
pickup() { # NUMBER [PLATE]
    expect_exit 0 ld pickup --key carr.key --manifest "$1" --vehicle "${2:-辽B12345}" \
        --driver 张三:210200123456 --escort 李四:210200654321 --start 金州 --packages 4
}
arrive() { expect_exit 0 ld arrive --key carr.key --manifest "$1" --place 大连; }
receive() { expect_exit 0 ld receive --key "$1" --manifest "$2" ${3:+--line "$3"}; }
N=202621020000
A=${N}01 C=${N}02 D=${N}03 E=${N}04 F=${N}05 G=${N}06 B=${N}07 H=${N}08
PAPER_OK=${N}09 PAPER_LATE=${N}10 Q=${N}11

# Thursday 2026-02-12, 09:00 CST: six filings and pickups.
at 2026-02-12T01:00:00Z
file "$R1"; file "$R1"; file "$R1"; file "$R2"; file "$R3"; file "$R3"
at 2026-02-12T02:00:00Z
for m in $A $C $D $E $F $G; do pickup $m; done
# Friday 02-13: two more loads leave (B in a truck outside the permit); six arrive.
at 2026-02-13T01:00:00Z
file "$R1"; file "$R1"
at 2026-02-13T01:30:00Z
pickup $B 辽B54321
pickup $H
at 2026-02-13T02:00:00Z
for m in $A $C $D $E $F $G; do arrive $m; done
# R3 accepts 800 kg twice against an annual capacity of 1 t: G crosses it.
at 2026-02-13T03:00:00Z
receive r3.key $F
at 2026-02-13T03:01:00Z
receive r3.key $G
# Tuesday 02-24 (first working day after the festival): R2, whose licence ended
# 02-20, receives E, 795 kg of 800 (0.625% short).
at 2026-02-24T02:00:00Z
receive r2.key $E 1:795000
# Thursday 02-26: H arrives, after 3 working days on the road (deadline 02-25).
at 2026-02-26T02:00:00Z
arrive $H
receive r1.key $H
# Friday 02-27, the 5th working day after Friday 02-13's arrival: D in time,
# accepted in part (a discrepancy).
at 2026-02-27T02:00:00Z
receive r1.key $D 1:800000:600000
# Saturday 02-28 (a make-up working day): C late, and 700 kg of 800 (-12.5%).
at 2026-02-28T02:00:00Z
receive r1.key $C 1:700000
# Paper manifests of a transfer completed Wednesday 09-30: the 10th working day
# after it is Tuesday 10-20 (10-01..10-07 off, Saturday 10-10 worked).
at 2026-10-20T02:00:00Z
file "$R1" '{"transferred_on": "2026-09-29", "completed_on": "2026-09-30"}'
at 2026-10-21T02:00:00Z
file "$R1" '{"transferred_on": "2026-09-29", "completed_on": "2026-09-30"}'
# Monday 2026-12-28: Q arrives; its deadline runs into 2027, not in the calendar.
at 2026-12-28T02:00:00Z
file "$R1"
pickup $Q
arrive $Q

# only RULE NOW [OPTIONS]: the manifests reported for RULE, one per line.
only() {
    rule=$1 now=$2; shift 2
    expect_exit 0 ld audit --now "$now" --rule "$rule" "$@"
    grep -v ' as of ' "$T/out" | awk '{print $2}' | tr '\n' ' ' | sed 's/ $//'
}
END=2027-01-10T00:00:00Z
# Receipt overdue: A's deadline is the end of 02-27 (not 02-20: the festival
# does not count, make-up Saturday 02-14 does).
[ "$(only receipt.overdue 2026-02-27T15:59:59Z)" = "" ] || fail "receipt overdue before the deadline"
[ "$(only receipt.overdue 2026-02-27T16:00:00Z)" = "$A" ] || fail "A's receipt is overdue at 24:00 CST 02-27"
expect_out "^receipt.overdue +$A $R1 +2026-02-27 arrived 2026-02-13 10:00 CST"
[ "$(only receipt.overdue $END)" = "$A $Q" ] || fail "receipt overdue at $END: $(cat "$T/out")"
expect_out "^receipt.overdue +$Q $R1 +2027-01-04\? "
# Receipt late: C on Saturday 02-28; D on the last day (02-27) is in time.
[ "$(only receipt.late $END)" = "$C" ] || fail "receipt late: $(cat "$T/out")"
expect_out "receipt confirmed 2026-02-28 10:00 CST"
# Transit: B (picked up Friday 02-13) is overdue from 24:00 CST 02-25; H arrived late.
[ "$(only transit.overdue 2026-02-25T15:59:59Z)" = "" ] || fail "transit overdue too early"
[ "$(only transit.overdue 2026-02-25T16:00:00Z)" = "$B" ] || fail "B is overdue in transit"
expect_out "^transit.overdue +$B $CARR +2026-02-25 "
[ "$(only transit.late $END)" = "$H" ] || fail "transit late: $(cat "$T/out")"
[ "$(only transit.late $END --transit-days 5)" = "" ] || fail "--transit-days 5 still reports H late"
# Discrepancy, quantity, licence, capacity, fleet.
[ "$(only discrepancy.flagged $END)" = "$D" ] || fail "discrepancy: $(cat "$T/out")"
[ "$(only quantity.mismatch $END)" = "$C" ] || fail "quantity: $(cat "$T/out")"
expect_out "$C-01: filed 800000 g, received 700000 g \(-12.50%, tolerance 5.00%\)"
[ "$(only quantity.mismatch $END --tolerance 0.5)" = "$C $E" ] || fail "tolerance 0.5%: $(cat "$T/out")"
[ "$(only licence.expired $END)" = "$E" ] || fail "licence: $(cat "$T/out")"
expect_out "not licensed on the receipt day 2026-02-24: disposal licence 辽危废经许可证2102002号 is valid 2026-01-01 to 2026-02-20"
[ "$(only capacity.exceeded $END)" = "$G" ] || fail "capacity: $(cat "$T/out")"
expect_out "HW08 accepted in 2026: 1600000 g, over the licensed 1000000 g a year"
[ "$(only vehicle.not_in_fleet $END)" = "$B" ] || fail "fleet: $(cat "$T/out")"
expect_out "leg 1: vehicle 辽B54321 not in the carrier's transport permit"
[ "$(only paper.late $END)" = "$PAPER_LATE" ] || fail "paper: $(cat "$T/out")"
expect_out "^paper.late +$PAPER_LATE $PROD +2026-10-20 "
[ "$(only balance.broken $END)" = "" ] || fail "a balanced ledger has a broken balance"

# All together, in manifest order, one JSON object per line.
expect_exit 0 ld audit --now $END
expect_out "^11 anomalies as of $END$"
expect_exit 0 ld audit --now $END --json
[ "$(wc -l < "$T/out")" -eq 11 ] || fail "11 JSON lines expected"
expect_out "^\{\"batch\":null,\"deadline\":\"2026-02-27T16:00:00Z\",\"deadline_day\":\"2026-02-27\",\"detail\":\"arrived 2026-02-13 10:00 CST, receipt not confirmed within 5 working days\",\"manifest\":$A,\"party\":\"$R1\",\"provisional\":false,\"rule\":\"receipt.overdue\"\}$"
expect_out "\"deadline\":\"2027-01-04T16:00:00Z\",.*\"manifest\":$Q,.*\"provisional\":true"
expect_out "\"batch\":\"$C-01\",\"deadline\":null,\"deadline_day\":null,.*\"rule\":\"quantity.mismatch\""
# Before anything was due, only the rules without deadlines report.
expect_exit 0 ld audit --now 2026-02-13T00:00:00Z
if grep -q overdue "$T/out"; then cat "$T/out" >&2; fail "overdue before any deadline"; fi

# A damaged derived table: the receiver disposed of more than it accepted.
sqlite3 "$LIANDAN_DB" "UPDATE lines SET disposed_g = 900000 WHERE batch = '$H-01'"
[ "$(only balance.broken $END)" = "$H" ] || fail "balance: $(cat "$T/out")"
expect_out "disposed of 900000 g of 800000 g accepted"
expect_exit 0 ld reindex
[ "$(only balance.broken $END)" = "" ] || fail "reindex did not repair the balance"

# Usage.
expect_exit 0 ld audit --help
expect_out "^usage: liandan audit"
expect_exit 2 ld audit --tolerance abc
expect_err "tolerance"
expect_exit 2 ld audit --tolerance 101
expect_exit 2 ld audit --rule nope
expect_err "'nope' is not a rule id"
expect_exit 2 ld audit --now yesterday
expect_exit 2 ld audit --transit-days 0
expect_exit 2 ld audit extra
expect_exit 2 ld audit --json --now $END --now $END
