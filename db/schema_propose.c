/* schema_propose.c: the proposal module's migration steps (propose/:
 * catalog.c, stock.c, propose.c; docs/proposals.md).  The order is
 * db/schema.c's list; NEVER edit a step that has shipped. */
#include "schema.h"

/* Step 4: the product and firmware catalogues and the stock per SKU and
 * store (seed 000, 0050-0054).  rules/facts_db.c reads rated_load,
 * max_capacity and latest_firmware by these names.  SKU lists are
 * blank-separated, like staff.area_codes. */
const char hr_schema_propose_4[] =
    "CREATE TABLE catalog_products ("
    " model_number TEXT PRIMARY KEY NOT NULL CHECK (length(model_number) BETWEEN 1 AND 64),"
    " name TEXT NOT NULL DEFAULT '',"
    " product_line TEXT NOT NULL DEFAULT '',"
    " rated_load REAL,"               /* peak writes per window the model is rated for */
    " rated_window INTEGER,"          /* that window, seconds */
    " max_capacity INTEGER,"          /* bytes the model can be expanded to */
    " options TEXT NOT NULL DEFAULT '',"
    " supplies TEXT NOT NULL DEFAULT '',"
    " latest_firmware TEXT"
    ");"
    "CREATE TABLE catalog_firmware ("
    " model_number TEXT NOT NULL,"
    " version TEXT NOT NULL,"
    " release_date INTEGER NOT NULL,"  /* Unix time, UTC midnight */
    " PRIMARY KEY (model_number, version)"
    ");"
    "CREATE TABLE stock ("
    " sku TEXT NOT NULL,"
    " store_id TEXT NOT NULL,"
    " store_name TEXT NOT NULL DEFAULT '',"
    " quantity INTEGER NOT NULL CHECK (quantity >= 0),"
    " lead_time_days INTEGER NOT NULL CHECK (lead_time_days >= 0),"
    " transit_days INTEGER NOT NULL CHECK (transit_days >= 0),"
    " PRIMARY KEY (sku, store_id)"
    ");";

/* Step 5: proposals, their stock answers, the flap state per (device,
 * rule), and a trigger that keeps a proposal's state in step with its
 * outbox message whoever flushes the outbox (`headroom propose` or
 * `headroom mail flush`). */
const char hr_schema_propose_5[] =
    "CREATE TABLE rule_state ("
    " device_id INTEGER NOT NULL REFERENCES devices(id) ON DELETE CASCADE,"
    " rule TEXT NOT NULL,"
    " armed INTEGER NOT NULL DEFAULT 1,"
    " last_fired INTEGER NOT NULL DEFAULT 0,"
    " last_decision TEXT,"
    " last_eval INTEGER,"
    " PRIMARY KEY (device_id, rule)"
    ") WITHOUT ROWID;"
    "CREATE TABLE proposals ("
    " id INTEGER PRIMARY KEY,"
    " created INTEGER NOT NULL,"
    " device_id INTEGER REFERENCES devices(id) ON DELETE SET NULL,"
    " serial TEXT NOT NULL DEFAULT '',"
    " customer TEXT NOT NULL,"
    " rule TEXT NOT NULL,"
    " family TEXT NOT NULL DEFAULT '',"
    " severity TEXT NOT NULL DEFAULT '',"
    " why TEXT NOT NULL DEFAULT '',"
    " subject TEXT NOT NULL DEFAULT '',"
    " proposal TEXT NOT NULL DEFAULT '',"
    " skus TEXT NOT NULL DEFAULT '',"       /* blank-separated */
    " full_time INTEGER,"                   /* forecast full date, NULL none */
    " state TEXT NOT NULL DEFAULT 'new'"
    "   CHECK (state IN ('new', 'queued', 'sent', 'failed', 'suppressed')),"
    " reason TEXT,"                         /* why suppressed */
    " staff_id TEXT,"
    " recipient TEXT,"
    " route TEXT,"                          /* assigned, area+line, area, fallback */
    " cc TEXT,"
    " outbox_id INTEGER,"
    " sent_at INTEGER"
    ");"
    "CREATE INDEX proposals_customer ON proposals(customer, created);"
    "CREATE INDEX proposals_outbox ON proposals(outbox_id);"
    "CREATE TABLE proposal_stock ("
    " proposal_id INTEGER NOT NULL REFERENCES proposals(id) ON DELETE CASCADE,"
    " sku TEXT NOT NULL,"
    " rank INTEGER NOT NULL,"               /* 0 = best */
    " store_id TEXT,"                       /* NULL: no store lists the SKU */
    " store_name TEXT,"
    " quantity INTEGER,"
    " in_stock INTEGER,"
    " delivery_date TEXT,"                  /* YYYY-MM-DD */
    " PRIMARY KEY (proposal_id, sku, rank)"
    ");"
    "CREATE TRIGGER proposals_outbox_sync AFTER UPDATE OF state ON outbox"
    " WHEN NEW.state IN ('sent', 'failed', 'queued') BEGIN"
    " UPDATE proposals SET state = NEW.state,"
    "  sent_at = CASE NEW.state WHEN 'sent' THEN NEW.sent_at ELSE sent_at END"
    "  WHERE outbox_id = NEW.id AND state IN ('queued', 'failed');"
    " END;";
