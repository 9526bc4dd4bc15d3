/* hr_hash.c: keys that fit a column without colliding (libcrypto's
 * SHA-256; net-snmp links libcrypto already). */
#include "hr_hash.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>

/* The length of the longest prefix of S (LEN bytes of UTF-8) that is at
 * most MAX bytes and ends on a character boundary. */
static size_t cut_utf8(const char *s, size_t len, size_t max)
{
    size_t n = len < max ? len : max;

    while (n > 0 && n < len && ((unsigned char)s[n] & 0xC0) == 0x80)
        n--;
    return n;
}

int hr_hash_tag(const void *data, size_t len, char *out)
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned mdlen = 0;

    if (!EVP_Digest(data, len, md, &mdlen, EVP_sha256(), NULL) || mdlen < 16)
        return -1;
    out[0] = '~';
    for (unsigned i = 0; i < 16; i++)
        snprintf(out + 1 + 2 * i, 3, "%02x", md[i]);
    return 0;
}

int hr_key_fit(const char *s, size_t len, char *out, size_t sz)
{
    size_t keep;

    if (sz < HR_KEY_TAIL + 2)
        return -1;
    if (len < sz) {
        memcpy(out, s, len);
        out[len] = '\0';
        return 0;
    }
    keep = cut_utf8(s, len, sz - 1 - HR_KEY_TAIL);
    memcpy(out, s, keep);
    return hr_hash_tag(s, len, out + keep) < 0 ? -1 : 1;
}
