/* schema.h: inside db/ only: each module's migration steps, one file per
 * module (schema_collector.c, schema_mail.c, schema_propose.c), listed in
 * order by schema.c. */
#ifndef HR_DB_SCHEMA_H
#define HR_DB_SCHEMA_H

/* collector: inventory; history and poll state */
extern const char hr_schema_collector_1[];
extern const char hr_schema_collector_2[];
/* collector: devices read through profiles (step 6) */
extern const char hr_schema_collector_6[];
/* collector: daily records (step 7) */
extern const char hr_schema_collector_7[];
/* collector: the samples of a double registration (step 8) */
extern const char hr_schema_collector_8[];
/* collector: raw polls packed an hour at a time (step 9) */
extern const char hr_schema_collector_9[];
/* mail: the outbox */
extern const char hr_schema_mail_3[];
/* proposals: catalogues and stock; proposals and rule state */
extern const char hr_schema_propose_4[];
extern const char hr_schema_propose_5[];

#endif
