/* signals.c - SIGTERM (what Slurm and other batch systems send before SIGKILL) and SIGINT
 * (Ctrl-C) for the long commands, run and study. The handler only records the signal in a
 * flag that the library polls through its options (gmd_run_options.stop,
 * gmd_study_run_options.stop): the run finishes its step, writes a checkpoint and returns
 * GMD_ERR_INTERRUPTED, and the command exits with 128 + the signal's number, as a shell
 * reports a process killed by it. The handlers are installed with SA_RESETHAND, so a
 * second Ctrl-C kills at once (the last checkpoint stays valid: runs survive kill -9).
 * This is the one place with process-wide state: a signal handler can reach nothing else. */
#define _POSIX_C_SOURCE 200809L
#include <signal.h>
#include <string.h>

#include "commands.h"

static volatile sig_atomic_t caught_signal;

static void on_stop_signal(int signo)
{
    caught_signal = signo;
}

const volatile sig_atomic_t *gmd_cli_catch_stop_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESETHAND;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    return &caught_signal;
}

int gmd_cli_stop_status(void)
{
    return 128 + (caught_signal ? (int)caught_signal : SIGTERM);
}

const char *gmd_cli_stop_signal_name(void)
{
    return caught_signal == SIGINT ? "SIGINT" : "SIGTERM";
}
