/* fuzz_util.h - what the fuzz harnesses share: a per-process scratch folder holding the
 * input under test, and the reference force field.
 *
 * Most readers take a path, so each input is written to a file in
 * /tmp/glassmd-fuzz.PID/in/ (one process runs many inputs: libFuzzer, or the replay
 * driver) and unlinked after the call. The folder also holds
 * data/forcefields/na2s-sis2.ff, so that the run and study inputs of examples/ (which name
 * ../data/forcefields/na2s-sis2.ff) read unchanged as seeds. The source folder comes from
 * the build (GLASSMD_FUZZ_SOURCE_DIR). Harness state is static: it is test code, not the
 * library. */
#ifndef GLASSMD_FUZZ_UTIL_H
#define GLASSMD_FUZZ_UTIL_H

#include <stddef.h>
#include <stdint.h>

#include "glassmd/forcefield.h"

/* Writes data to the scratch folder's in/NAME and returns that path (static storage), or
 * NULL when the file cannot be written (the harness then skips the input). */
const char *fuzz_write_input(const char *name, const uint8_t *data, size_t size);
/* Removes in/NAME again. */
void fuzz_remove_input(const char *name);
/* The scratch folder's in/ (start configurations for run inputs go there). */
const char *fuzz_input_dir(void);
/* The reference force field (data/forcefields/na2s-sis2.ff), read once. */
const gmd_forcefield *fuzz_forcefield(void);

/* With GLASSMD_FUZZ_VERBOSE set in the environment, prints the reader's verdict on the
 * input (its error message, or "ok") on stderr: to check what a seed or regression input
 * reaches. */
void fuzz_verdict(gmd_status st, const gmd_error *err);

/* libFuzzer's entry point, defined by each harness; the replay driver calls it too. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
