/* text.c - strict number reading, whole lines, trimming and splitting (text.h). */
#define _POSIX_C_SOURCE 200809L /* fileno */
#include "glassmd/text.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int gmd_text_to_double(const char *text, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(text, &end);
    if (end == text || *end != '\0' || errno == ERANGE || !isfinite(v)) return -1;
    *out = v;
    return 0;
}

int gmd_text_to_long(const char *text, long *out)
{
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
