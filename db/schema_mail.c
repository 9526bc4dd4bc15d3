/* schema_mail.c: the mail module's migration steps (the outbox; columns
 * in docs/mail.md).  Once shipped, a step is frozen: a change to the
 * outbox table is a new step, never an edit here. */
#include "schema.h"

#define HR_OUTBOX_SCHEMA_V1 \
    "CREATE TABLE IF NOT EXISTS outbox (\n" \
    "  id INTEGER PRIMARY KEY,\n" \
    "  message_id TEXT NOT NULL UNIQUE,       -- with <>, kept on every resend\n" \
    "  created INTEGER NOT NULL,              -- unix time\n" \
    "  sender TEXT NOT NULL,                  -- the From address\n" \
    "  recipients TEXT NOT NULL,              -- envelope, one per line\n" \
    "  pending_rcpts TEXT NOT NULL,           -- still to try\n" \
    "  delivered_rcpts TEXT NOT NULL DEFAULT '',\n" \
    "  refused_rcpts TEXT NOT NULL DEFAULT '',-- 'addr: reply' per line\n" \
    "  subject TEXT NOT NULL DEFAULT '',      -- sanitized UTF-8, for listings\n" \
    "  message BLOB NOT NULL,                 -- the full RFC 5322 message\n" \
    "  state TEXT NOT NULL DEFAULT 'queued'\n" \
    "    CHECK (state IN ('queued','sending','sent','failed','held')),\n" \
    "  attempts INTEGER NOT NULL DEFAULT 0,\n" \
    "  next_attempt INTEGER NOT NULL,\n" \
    "  data_sent INTEGER NOT NULL DEFAULT 0,  -- end of data may have left\n" \
    "  last_error TEXT,\n" \
    "  sent_at INTEGER,\n" \
    "  transport TEXT,                        -- where it last went\n" \
    "  proposal_id INTEGER                    -- proposals.id, NULL for others\n" \
    ");\n" \
    "CREATE INDEX IF NOT EXISTS outbox_due ON outbox (state, next_attempt);\n" \
    "CREATE INDEX IF NOT EXISTS outbox_proposal ON outbox (proposal_id);\n"

/* Step 3: the outbox. */
const char hr_schema_mail_3[] = HR_OUTBOX_SCHEMA_V1;
