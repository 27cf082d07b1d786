# The working-day calendar: built-in years are covered; the regulator adds a
# year with a signed calendar.load event; contradictions and malformed rows are
# refused; reindex and verify keep it.
. "$(dirname "$0")/lib.sh"
setup_ledger
export LIANDAN_NOW=2026-11-01T00:00:00Z
expect_exit 0 ld calendar show --year 2026
expect_out '^2026: covered'
expect_out '^2026-02-14 work '
expect_out '^2026-10-01 off '
expect_exit 0 ld calendar show --year 2027
expect_out 'NOT covered'
cat > y2027.csv <<'C'
date,kind,name
2027-01-01,off,元旦
2027-02-06,off,春节
2027-02-07,off,春节
2027-02-20,work,春节
C
expect_exit 0 ld calendar load --key reg.key --csv y2027.csv --source '国办发明电〔2026〕测试号'
expect_exit 0 ld calendar show --year 2027
expect_out '^2027: covered'
expect_out '^2027-02-20 work 春节'
# A row contradicting the built-in calendar (2026-10-01 is a holiday).
printf 'date,kind,name\n2026-10-01,work,国庆节\n' > bad1.csv
expect_exit 1 ld calendar load --key reg.key --csv bad1.csv --source x
expect_err 'event.body.rows'
# A "work" row on a weekday, and a malformed date.
printf 'date,kind,name\n2027-03-03,work,x\n' > bad2.csv
expect_exit 1 ld calendar load --key reg.key --csv bad2.csv --source x
printf 'date,kind,name\n2027-13-01,off,x\n' > bad3.csv
expect_exit 1 ld calendar load --key reg.key --csv bad3.csv --source x
printf 'when,what\n' > bad4.csv
expect_exit 1 ld calendar load --key reg.key --csv bad4.csv --source x
# Only the regulator.
ld keygen --name other --no-passphrase -o other.key >/dev/null
expect_exit 1 ld calendar load --key other.key --csv y2027.csv --source x
expect_exit 0 ld reindex
expect_exit 0 ld calendar show --year 2027
expect_out '^2027-02-20 work 春节'
expect_exit 0 ld verify
