/* schema_mail.c: the mail module's migration steps.  The SQL of step 3
 * is HR_OUTBOX_SCHEMA_V1 in schema_mail.h, a macro because mail/outbox.c
 * also runs it (CREATE ... IF NOT EXISTS) on databases it opens; frozen
 * once shipped (docs/mail.md). */
#include "schema.h"
#include "schema_mail.h"

/* Step 3: the outbox. */
const char hr_schema_mail_3[] = HR_OUTBOX_SCHEMA_V1;
