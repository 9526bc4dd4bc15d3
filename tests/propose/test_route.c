/* test_route.c: who gets a proposal (route.h): assigned staff, area +
 * product line, area only for an unknown line, fallback, nobody. */
#include "../tap.h"
#include "../../propose/route.h"

static struct hr_staff staff[] = {
    { "a1", "Admin", "admin@example.com", "", "", "admin" },
    { "s1", "Sato", "sato@example.com", "03 04", "arrays", "sales" },
    { "s2", "Suzuki", "suzuki@example.com", "03", "nas", "sales" },
    { "s3", "Tanaka", "tanaka@example.com", "06", "", "sales" },
    { "s4", "NoMail", "", "03", "arrays", "sales" },
};
#define NSTAFF (sizeof staff / sizeof staff[0])

static const char *pick(const char *assigned, const char *area, const char *line,
                        const char *fallback, enum hr_route_how *how)
{
    struct hr_route_in in = { assigned, area, line, fallback };
    struct hr_route r;

    hr_route_pick(staff, NSTAFF, &in, &r);
    *how = r.how;
    return r.email ? r.email : "(none)";
}

int main(void)
{
    enum hr_route_how how;

    TAP_OK(hr_route_word_in("03 04", "04"), "word in list");
    TAP_OK(!hr_route_word_in("030 4", "03"), "no prefix match");
    TAP_OK(!hr_route_word_in("", "03"), "empty list");
    TAP_OK(!hr_route_word_in("03", ""), "empty word");
    TAP_OK(hr_route_word_in("\t03\t", "03"), "tabs separate too");

    TAP_STR(pick("s2", "06", "arrays", NULL, &how), "suzuki@example.com", "assigned wins");
    TAP_INT(how, HR_ROUTE_ASSIGNED, "how: assigned");
    TAP_STR(pick("a1", "03", "arrays", NULL, &how), "admin@example.com",
            "an assignment to any role counts");
    TAP_STR(pick("s4", "03", "arrays", NULL, &how), "sato@example.com",
            "assigned without an address: area + line");
    TAP_INT(how, HR_ROUTE_AREA_LINE, "how: area+line");
    TAP_STR(pick("ghost", "03", "nas", NULL, &how), "suzuki@example.com",
            "unknown assigned id: area + line (nas)");
    TAP_STR(pick("", "04", "arrays", NULL, &how), "sato@example.com", "second area code");
    TAP_STR(pick("", "06", "arrays", NULL, &how), "tanaka@example.com",
            "empty product_lines serves every line");
    TAP_STR(pick("", "04", "nas", "fb@example.com", &how), "fb@example.com",
            "area without the line: fallback");
    TAP_INT(how, HR_ROUTE_FALLBACK, "how: fallback");
    TAP_STR(pick("", "03", NULL, NULL, &how), "sato@example.com",
            "unknown line: area only, lowest id");
    TAP_INT(how, HR_ROUTE_AREA, "how: area");
    TAP_STR(pick("", "03", "", NULL, &how), "sato@example.com", "empty line = unknown");
    TAP_STR(pick("", "", "arrays", NULL, &how), "(none)", "no area, no fallback: nobody");
    TAP_INT(how, HR_ROUTE_NONE, "how: none");
    TAP_STR(pick("", "99", "arrays", "", &how), "(none)", "empty fallback is none");
    TAP_STR(hr_route_how_name(HR_ROUTE_AREA_LINE), "area+line", "names");
    return TAP_DONE();
}
