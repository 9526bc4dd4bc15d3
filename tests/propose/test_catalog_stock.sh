#!/bin/bash
# headroom catalog and stock: imports good and bad (FILE:LINE errors,
# nothing half-imported, exit 3), --replace, the stock check from the
# command line (in stock, to order, best first, month end), list output.
. "$(dirname "$0")/../lib.sh"
H="$B/headroom"
EX="$TOP/propose/examples"
export HEADROOM_DB="$T/hr.db"
q() { sqlite3 "$HEADROOM_DB" "$@"; }

"$H" db init > /dev/null
"$H" catalog bogus > /dev/null 2>&1; is "catalog: unknown subcommand exits 2" "$?" 2
"$H" stock check > /dev/null 2>&1; is "stock check without SKU exits 2" "$?" 2
"$H" stock check X --qty 0 > /dev/null 2>&1; is "stock --qty 0 exits 2" "$?" 2
"$H" stock check X --at 2026-02-30 > /dev/null 2>&1; is "stock --at bad date exits 2" "$?" 2

# ---- catalogue ----
out=$("$H" catalog import "$EX/catalog.csv"); is "catalog import" "$?" 0
is "says how many" "$out" "2 products imported from $EX/catalog.csv"
is "columns stored" "$(q "SELECT product_line, rated_load, rated_window, max_capacity, latest_firmware FROM catalog_products WHERE model_number = 'NS-20'")" \
   "nas|800.0|60|17592186044416|2.3"
"$H" catalog import "$EX/catalog.csv" > /dev/null; is "re-import harmless" "$(q 'SELECT count(*) FROM catalog_products')" 2

cat > "$T/badcat.csv" <<'EOF2'
model_number,name,product_line,rated_load,max_capacity,options
GOOD-1,Good,arrays,10,1TiB,OPT-1
BAD-2,Bad load,arrays,lots,1TiB,
BAD-3,Bad size,arrays,10,huge,
BAD-4,Bad sku,arrays,10,1TiB,"OPT,1"
BAD-5,Bad line,two words,10,1TiB,
EOF2
out=$("$H" catalog import "$T/badcat.csv" 2>&1); rc=$?
is "bad catalogue: exit 3" "$rc" 3
like "line 3: rated_load" "$out" "badcat.csv:3: rated_load: 'lots' is not a whole number"
like "line 4: max_capacity" "$out" "badcat.csv:4: max_capacity: 'huge' is not a size"
like "line 5: a SKU with a comma" "$out" "badcat.csv:5: options: 'OPT,1' is not a part number"
like "line 6: product line with a blank" "$out" "badcat.csv:6: product_line: 'two words' holds a blank"
is "nothing of the bad file imported" "$(q "SELECT count(*) FROM catalog_products WHERE model_number = 'GOOD-1'")" 0
printf 'model_number,colour\nX,red\n' > "$T/unknown.csv"
out=$("$H" catalog import "$T/unknown.csv" 2>&1); is "unknown column: exit 3" "$?" 3
like "unknown column named" "$out" "colour"

"$H" catalog import --firmware "$EX/firmware.csv" > /dev/null; is "firmware import" "$?" 0
is "release date as UTC midnight" "$(q "SELECT date(release_date, 'unixepoch') FROM catalog_firmware WHERE version = '2.3'")" 2025-09-01
printf 'model_number,version,release_date\nAR-100,2.0,2026-02-29\n' > "$T/badfw.csv"
out=$("$H" catalog import --firmware "$T/badfw.csv" 2>&1); is "bad release date: exit 3" "$?" 3
like "no Feb 29 in 2026" "$out" "badfw.csv:2: release_date: '2026-02-29' is not a date"
printf 'model_number,name\nONLY-1,Only\n' > "$T/one.csv"
"$H" catalog import --replace "$T/one.csv" > /dev/null; is "--replace" "$?" 0
is "--replace leaves only the new file" "$(q 'SELECT group_concat(model_number) FROM catalog_products')" ONLY-1
like "list" "$("$H" catalog list)" "ONLY-1  Only"

# ---- stock ----
"$H" stock import "$EX/stock.csv" > /dev/null; is "stock import" "$?" 0
is "six rows" "$(q 'SELECT count(*) FROM stock')" 6
cat > "$T/badstock.csv" <<'EOF2'
sku,store_id,store_name,quantity,lead_time_days,transit_days
P-1,S1,One,1,1,1
P-1,S1,Again,1,1,1
P 2,S1,Blank,1,1,1
P-3,S1,Negative,-1,1,1
EOF2
out=$("$H" stock import "$T/badstock.csv" 2>&1); is "bad stock file: exit 3" "$?" 3
like "line 3: duplicate" "$out" "badstock.csv:3: sku 'P-1' at store 'S1' given twice"
like "line 4: blank in SKU" "$out" "badstock.csv:4: sku: 'P 2' is not a part number"
like "line 5: negative quantity" "$out" "badstock.csv:5: quantity: '-1' is not a whole number"
is "the old stock is untouched" "$(q 'SELECT count(*) FROM stock')" 6

out=$("$H" stock check EXP-AR-100-SHELF --at 2026-11-30); is "check: exit 0" "$?" 0
like "in stock at S1, next day (month end)" "$(printf '%s\n' "$out" | sed -n 2p)" "^S1 +Tokyo Central +2 stock +2026-12-01$"
is "only stores that hold it" "$(printf '%s\n' "$out" | wc -l)" 2
out=$("$H" stock check EXP-AR-100-SHELF --qty 3 --at 2026-12-28)
like "qty 3: best lead time first" "$(printf '%s\n' "$out" | sed -n 2p)" "^S2 +Osaka Depot +0 order +2027-01-04$"
like "then the longer one" "$(printf '%s\n' "$out" | sed -n 3p)" "^S1 +Tokyo Central +2 order +2027-01-07$"
"$H" stock check NOPE > "$T/out" 2>&1; is "unknown part: exit 1" "$?" 1
like "unknown part: says so" "$(cat "$T/out")" "no store lists 'NOPE'"
like "list --sku" "$("$H" stock list --sku CACHE-AR-100)" "CACHE-AR-100 +S2 +Osaka Depot +4 +7 +2"

printf 'sku,store_id,quantity\nNEW-1,S9,5\n' > "$T/new.csv"
"$H" stock import "$T/new.csv" > /dev/null
is "import replaces the whole table" "$(q 'SELECT group_concat(sku) FROM stock')" NEW-1
printf 'sku,store_id,quantity\n' > "$T/empty.csv"
"$H" stock import "$T/empty.csv" > /dev/null; is "header only: exit 0" "$?" 0
is "header only: stock empty" "$(q 'SELECT count(*) FROM stock')" 0

done_testing
