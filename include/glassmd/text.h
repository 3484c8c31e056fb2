/* text.h - reading numbers from text, the one strict reader every parser shares (inputs,
 * force fields, configurations, trajectories, the command line), so that "1e-5", "2000"
 * and " 3.5" read the same everywhere and "1.5x", "nan", "inf" or an out-of-range value is
 * refused everywhere. Each caller adds its own message (file, line, the fix). */
#ifndef GLASSMD_TEXT_H
#define GLASSMD_TEXT_H

/* The whole of text (leading white space allowed) as a finite double: 0, or -1 with out
 * unchanged. */
int gmd_text_to_double(const char *text, double *out);
/* The whole of text as a base-10 long: 0, or -1 with out unchanged. */
int gmd_text_to_long(const char *text, long *out);

#endif
