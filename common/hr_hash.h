/* hr_hash.h: a key that fits a fixed-size column without colliding. */
#ifndef HR_HASH_H
#define HR_HASH_H

#include <stddef.h>

/* "~" and 32 hex digits: what a cut key ends with. */
#define HR_KEY_TAIL 33

/* "~" and the first 128 bits of the SHA-256 of DATA (LEN bytes) in lower
 * case hex, into OUT (HR_KEY_TAIL + 1 bytes).  0, or -1 (no SHA-256). */
int hr_hash_tag(const void *data, size_t len, char *out);

/* S (LEN bytes of sanitized UTF-8) as a C string of at most SZ-1 bytes:
 * itself when it fits (0); else its first bytes, cut on a character
 * boundary, then "~" and the first 128 bits of the SHA-256 of all of S in
 * hex (1), so two long values that differ anywhere get different keys.
 * -1 (SZ too small, or no SHA-256). */
int hr_key_fit(const char *s, size_t len, char *out, size_t sz);

#endif
