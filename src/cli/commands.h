/* commands.h - the subcommands of the glassmd front end. Each takes the argument vector
 * starting at its own name and returns the process exit status. Only src/cli prints. */
#ifndef GLASSMD_CLI_COMMANDS_H
#define GLASSMD_CLI_COMMANDS_H

int gmd_cmd_build(int argc, char **argv);
int gmd_cmd_eval(int argc, char **argv);
int gmd_cmd_run(int argc, char **argv);
int gmd_cmd_analyze(int argc, char **argv);
/* `glassmd analyze --arrhenius DIR... [--out OUT]` (cmd_arrhenius.c) */
int gmd_cmd_analyze_arrhenius(int argc, char **argv);
int gmd_cmd_study(int argc, char **argv);

/* Prints "glassmd CMD: error: MESSAGE" on stderr and returns 1. */
int gmd_cli_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Parses a whole string as a double / long; 0 on success. */
int gmd_cli_parse_double(const char *text, double *out);
int gmd_cli_parse_long(const char *text, long *out);

#endif
