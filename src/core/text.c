/* text.c - strict number reading, whole lines, trimming and splitting (text.h). */
#define _POSIX_C_SOURCE 200809L /* fileno */
#include "glassmd/text.h"

#include <ctype.h>
#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* The exact fast path of decimal reading (W. D. Clinger, "How to read floating point numbers
 * accurately", PLDI 1990): a number [+-]digits[.digits][(e|E)[+-]digits] whose digits, the
 * point dropped, make an integer m <= 2^53 and whose decimal exponent e is within 22 of 0
 * is m * 10^e or m / 10^-e: both factors are exact doubles and one operation rounds
 * correctly, so the result is strtod's to the bit. Trajectories are millions of such
 * numbers, and strtod's general algorithm costs several times more. Returns 0 with *out set,
 * or -1 where the text is anything else (strtod then decides). Needs operations rounded
 * to double (FLT_EVAL_METHOD 0: x86-64, AArch64); elsewhere strtod always. */
static int decimal_fast_path(const char *s, double *out)
{
#if FLT_EVAL_METHOD == 0
    static const double pow10[23] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                     1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                     1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
    const uint64_t limit = (uint64_t)1 << 53;
    const int negative = *s == '-';
    if (*s == '-' || *s == '+') s++;
    uint64_t m = 0;
    int digits = 0, exp10 = 0;
    for (; *s >= '0' && *s <= '9'; s++, digits++) {
        m = m * 10 + (uint64_t)(*s - '0');
        if (m > limit) return -1;
    }
    if (*s == '.')
        for (s++; *s >= '0' && *s <= '9'; s++, digits++, exp10--) {
            m = m * 10 + (uint64_t)(*s - '0');
            if (m > limit) return -1;
        }
    if (digits == 0) return -1;
    if (*s == 'e' || *s == 'E') {
        s++;
        const int eneg = *s == '-';
        if (*s == '-' || *s == '+') s++;
        int e = 0, edigits = 0;
        for (; *s >= '0' && *s <= '9' && edigits < 4; s++, edigits++)
            e = e * 10 + (*s - '0');
        if (edigits == 0 || (*s >= '0' && *s <= '9')) return -1;
        exp10 += eneg ? -e : e;
    }
    if (*s != '\0' || exp10 < -22 || exp10 > 22) return -1;
    const double v = exp10 < 0 ? (double)m / pow10[-exp10] : (double)m * pow10[exp10];
    *out = negative ? -v : v;
    return 0;
#else
    (void)s;
    (void)out;
    return -1;
#endif
}

int gmd_text_to_double(const char *text, double *out)
{
    if (decimal_fast_path(text, out) == 0) return 0;
    char *end;
    errno = 0;
    double v = strtod(text, &end);
    if (end == text || *end != '\0' || errno == ERANGE || !isfinite(v)) return -1;
    *out = v;
    return 0;
}

int gmd_text_to_long(const char *text, long *out)
{
    /* fast path: [+-]digits, at most 18 of them (no overflow), strtol's value exactly */
    const char *s = text;
    const int negative = *s == '-';
    if (*s == '-' || *s == '+') s++;
    long fast = 0;
    int digits = 0;
    for (; *s >= '0' && *s <= '9' && digits < 18; s++, digits++)
        fast = fast * 10 + (*s - '0');
    if (*s == '\0' && digits > 0) { /* a 19th digit leaves *s on it: strtol below */
        *out = negative ? -fast : fast;
        return 0;
    }
    char *end;
    errno = 0;
    long v = strtol(text, &end, 10);
    if (end == text || *end != '\0' || errno == ERANGE) return -1;
    *out = v;
    return 0;
}

int gmd_text_next_line(gmd_line_reader *r, gmd_error *err)
{
    if (!fgets(r->buf, sizeof r->buf, r->fp)) {
        if (ferror(r->fp)) {
            r->status =
                gmd_fail(err, GMD_ERR_IO, "%s:%d: read error; check the file", r->path, r->line);
            return -1;
        }
        return 0;
    }
    r->line++;
    size_t n = strlen(r->buf);
    if (n == sizeof r->buf - 1 && r->buf[n - 1] != '\n' && !feof(r->fp)) {
        r->status = gmd_fail(err, GMD_ERR_PARSE, "%s:%d: line longer than %d characters", r->path,
                             r->line, GMD_TEXT_LINE_LEN - 2);
        return -1;
    }
    while (n > 0 && (r->buf[n - 1] == '\n' || r->buf[n - 1] == '\r'))
        r->buf[--n] = '\0';
    return 1;
}

int gmd_text_lines_fit(const gmd_line_reader *r, long n)
{
    struct stat sb;
    long pos = ftell(r->fp);
    if (pos < 0 || fstat(fileno(r->fp), &sb) != 0 || !S_ISREG(sb.st_mode)) return 1;
    long long left = (long long)sb.st_size - pos;
    return n <= (left + 1) / 2; /* the last line may lack its newline */
}

char *gmd_text_trim(char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    size_t n = strlen(s);
    while (n > 0 && isspace((unsigned char)s[n - 1]))
        s[--n] = '\0';
    return s;
}

int gmd_text_split(char *s, char **cols, int max)
{
    int n = 0;
    while (*s) {
        while (isspace((unsigned char)*s))
            *s++ = '\0';
        if (!*s) break;
        if (n == max) return max + 1;
        cols[n++] = s;
        while (*s && !isspace((unsigned char)*s))
            s++;
    }
    return n;
}
