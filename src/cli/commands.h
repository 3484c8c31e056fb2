/* commands.h - the subcommands of the glassmd front end. Each takes the argument vector
 * starting at its own name and returns the process exit status. Only src/cli prints. */
#ifndef GLASSMD_CLI_COMMANDS_H
#define GLASSMD_CLI_COMMANDS_H

#include <signal.h>

#include "glassmd/text.h" /* gmd_text_to_double / _long for option values */

int gmd_cmd_build(int argc, char **argv);
int gmd_cmd_eval(int argc, char **argv);
int gmd_cmd_run(int argc, char **argv);
int gmd_cmd_analyze(int argc, char **argv);
/* `glassmd analyze --arrhenius DIR... [--out OUT]` (cmd_arrhenius.c) */
int gmd_cmd_analyze_arrhenius(int argc, char **argv);
int gmd_cmd_study(int argc, char **argv);

/* signals.c: catches SIGTERM and SIGINT into the returned flag (for the library's stop
 * options); after GMD_ERR_INTERRUPTED, the exit status (128 + the signal) and its name. */
const volatile sig_atomic_t *gmd_cli_catch_stop_signals(void);
int gmd_cli_stop_status(void);
const char *gmd_cli_stop_signal_name(void);

/* Monotonic seconds, for the progress lines' intervals. */
double gmd_cli_now_s(void);

/* Prints "glassmd CMD: error: MESSAGE" on stderr and returns 1. */
int gmd_cli_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
