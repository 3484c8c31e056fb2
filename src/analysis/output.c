/* output.c - what every analysis writes: CSV curves and gnuplot figures.
 *
 * CSV (gmd_csv_write): DIR/NAME.csv is
 *
 *   # glassmd VERSION: WHAT
 *   name_1,name_2,...            (units in the names: r_A, g_SiS, msd_A2, t_ps)
 *   v_11,v_21,...                (nrows rows, %.10g; non-finite values as nan/inf)
 *
 * so that numpy (np.genfromtxt(f, delimiter=",", names=True, comments="#")), pandas
 * (pd.read_csv(f, comment="#")), spreadsheets and gnuplot read it directly.
 *
 * Figures (gmd_plot_write): DIR/NAME.gp is a self-contained gnuplot script that reads the
 * CSV beside it and draws the same plot twice, as NAME.png (pngcairo) and NAME.svg; a
 * user restyles a figure by editing the script and running `gnuplot NAME.gp` in DIR. The
 * script is always written; gnuplot is run on it only when an executable `gnuplot` is on
 * PATH (looked up at each call: a handful of access() calls, and no global state). Without
 * it *skipped is set and nothing else happens: the caller decides whether to warn (the
 * library never prints). gnuplot runs in a child process (fork, chdir DIR, exec) with its
 * stderr captured, so a failure is reported with gnuplot's own first line of complaint.
 *
 * Strings go into the script single-quoted (gnuplot expands nothing there; a quote is
 * doubled) and with `noenhanced`, so labels such as g_SiS print as written. */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "glassmd/analysis.h"
#include "glassmd/version.h"

#define PATH_LEN 4096

static gmd_status join_path(char *buf, size_t len, const char *dir, const char *name,
                            const char *ext, gmd_error *err)
{
    int n = (dir && *dir) ? snprintf(buf, len, "%s/%s%s", dir, name, ext)
                          : snprintf(buf, len, "%s%s", name, ext);
    if (n < 0 || (size_t)n >= len)
        return gmd_fail(err, GMD_ERR_VALUE, "%s/%s%s: path too long", dir ? dir : "", name, ext);
    return GMD_OK;
}

/* ---- CSV ---------------------------------------------------------------------------- */

static gmd_status check_csv_args(const char *name, int ncols, const char *const *names,
                                 const double *const *columns, size_t nrows, gmd_error *err)
{
    if (ncols < 1 || !names || (!columns && nrows > 0))
        return gmd_fail(err, GMD_ERR_INTERNAL, "%s.csv: no columns to write", name);
    for (int c = 0; c < ncols; c++)
        if (!names[c] || !*names[c] || strpbrk(names[c], ",\n\r\"") || (nrows > 0 && !columns[c]))
            return gmd_fail(err, GMD_ERR_INTERNAL,
                            "%s.csv: column %d needs a name without commas, quotes or newlines "
                            "and its data",
                            name, c + 1);
    return GMD_OK;
}

gmd_status gmd_csv_write(const char *dir, const char *name, const char *what, int ncols,
                         const char *const *names, const double *const *columns, size_t nrows,
                         gmd_error *err)
{
    char path[PATH_LEN];
    gmd_status st = check_csv_args(name, ncols, names, columns, nrows, err);
    if (!st) st = join_path(path, sizeof path, dir, name, ".csv", err);
    if (st) return st;
    FILE *fp = fopen(path, "w");
    if (!fp)
        return gmd_fail(err, GMD_ERR_IO, "%s: cannot create (%s); check the output folder", path,
                        strerror(errno));
    fprintf(fp, "# glassmd %s: %s\n", GLASSMD_VERSION, what ? what : name);
    for (int c = 0; c < ncols; c++)
        fprintf(fp, "%s%c", names[c], c + 1 < ncols ? ',' : '\n');
    for (size_t row = 0; row < nrows; row++)
        for (int c = 0; c < ncols; c++)
            fprintf(fp, "%.10g%c", columns[c][row], c + 1 < ncols ? ',' : '\n');
    int bad = ferror(fp);
    if (fclose(fp) != 0 || bad)
        return gmd_fail(err, GMD_ERR_IO, "%s: write failed (disk full?)", path);
    return GMD_OK;
}

/* ---- the gnuplot script ------------------------------------------------------------- */

/* Writes s as a gnuplot single-quoted string. */
static void put_quoted(FILE *fp, const char *s)
{
    fputc('\'', fp);
    for (; s && *s; s++) {
        if (*s == '\'') fputc('\'', fp);
        fputc(*s == '\n' ? ' ' : *s, fp);
    }
    fputc('\'', fp);
}

static gmd_status check_plot(const char *name, const gmd_plot *p, gmd_error *err)
{
    int ok = p && p->xcol >= 1 && p->nseries >= 1 && p->nseries <= 16;
    for (int s = 0; ok && s < p->nseries; s++)
        ok = p->ycols[s] >= 1 && p->errcols[s] >= 0;
    if (!ok)
        return gmd_fail(err, GMD_ERR_INTERNAL,
                        "%s.gp: a figure needs xcol >= 1 and 1 to 16 series with ycols >= 1", name);
    return GMD_OK;
}

static void put_settings(FILE *fp, const char *name, const char *csv, const gmd_plot *p)
{
    fprintf(fp,
            "# glassmd %s: figure %s from %s.\n"
            "# Self-contained: run `gnuplot %s.gp` in this folder to redraw %s.png and %s.svg;\n"
            "# edit it freely to restyle the figure.\n",
            GLASSMD_VERSION, name, csv, name, name, name);
    fprintf(fp, "reset  # a figure drawn after another in one gnuplot inherits nothing\n"
                "set datafile separator comma\nset datafile commentschars '#'\n"
                "set key autotitle columnheader  # the CSV header line names the columns\n");
    fprintf(fp, "set title ");
    put_quoted(fp, p->title ? p->title : name);
    fprintf(fp, "\nset xlabel ");
    put_quoted(fp, p->xlabel ? p->xlabel : "");
    fprintf(fp, "\nset ylabel ");
    put_quoted(fp, p->ylabel ? p->ylabel : "");
    fprintf(fp, "\nset grid\nset key top right\n");
    if (p->logx) fprintf(fp, "set logscale x\n");
    if (p->logy) fprintf(fp, "set logscale y\n");
    if (p->extra && *p->extra) fprintf(fp, "%s\n", p->extra);
}

static void put_plot_command(FILE *fp, const char *csv, const gmd_plot *p)
{
    fprintf(fp, "plot ");
    for (int s = 0; s < p->nseries; s++) {
        put_quoted(fp, csv);
        if (p->errcols[s] > 0)
            fprintf(fp, " using %d:%d:%d with yerrorlines pointtype 7 pointsize 0.6", p->xcol,
                    p->ycols[s], p->errcols[s]);
        else
            fprintf(fp, " using %d:%d with lines linewidth 2", p->xcol, p->ycols[s]);
        if (p->labels[s]) {
            fprintf(fp, " title ");
            put_quoted(fp, p->labels[s]);
        }
        fprintf(fp, "%s", s + 1 < p->nseries ? ", \\\n     " : "\n");
    }
}

static gmd_status write_script(const char *path, const char *name, const char *csv,
                               const gmd_plot *p, gmd_error *err)
{
    FILE *fp = fopen(path, "w");
    if (!fp)
        return gmd_fail(err, GMD_ERR_IO, "%s: cannot create (%s); check the output folder", path,
                        strerror(errno));
    put_settings(fp, name, csv, p);
    fprintf(fp,
            "\nset terminal pngcairo size 900,600 noenhanced font 'sans,11'\n"
            "set output '%s.png'\n",
            name);
    put_plot_command(fp, csv, p);
    fprintf(fp,
            "\nset terminal svg size 900,600 noenhanced font 'sans,11'\n"
            "set output '%s.svg'\nreplot\nunset output\n",
            name);
    int bad = ferror(fp);
    if (fclose(fp) != 0 || bad)
        return gmd_fail(err, GMD_ERR_IO, "%s: write failed (disk full?)", path);
    return GMD_OK;
}

/* ---- running gnuplot ---------------------------------------------------------------- */

/* Full path of an executable gnuplot on PATH into buf; 0 when there is none. */
static int find_gnuplot(char *buf, size_t len)
{
    const char *path = getenv("PATH");
    if (!path || !*path) return 0;
    while (*path) {
        const char *end = strchr(path, ':');
        size_t n = end ? (size_t)(end - path) : strlen(path);
        int w = n ? snprintf(buf, len, "%.*s/gnuplot", (int)n, path)
                  : snprintf(buf, len, "./gnuplot"); /* an empty entry is the current folder */
        struct stat sb;
        if (w > 0 && (size_t)w < len && stat(buf, &sb) == 0 && S_ISREG(sb.st_mode) &&
            access(buf, X_OK) == 0)
            return 1;
        path += n;
        if (*path == ':') path++;
    }
    return 0;
}

/* In the child: only async-signal-safe calls between fork and exec. */
static void exec_gnuplot(const char *exe, const char *dir, char *const argv[], int errfd)
{
    int null = open("/dev/null", O_RDWR);
    if (null >= 0) {
        dup2(null, 0);
        dup2(null, 1);
    }
    dup2(errfd, 2);
    if (dir && *dir && chdir(dir) != 0) _exit(126);
    execv(exe, argv);
    _exit(127);
}

/* Reads the child's stderr (keeping the first len-1 bytes) until it closes. */
static void drain(int fd, char *buf, size_t len)
{
    size_t used = 0;
    char chunk[512];
    for (;;) {
        ssize_t n = read(fd, chunk, sizeof chunk);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        size_t take = used + (size_t)n < len - 1 ? (size_t)n : len - 1 - used;
        memcpy(buf + used, chunk, take);
        used += take;
    }
    buf[used] = '\0';
}

/* The first line of gnuplot's complaint, for the message. */
static const char *first_line(char *text)
{
    while (*text == '\n' || *text == ' ')
        text++;
    char *nl = strchr(text, '\n');
    if (nl) *nl = '\0';
    return *text ? text : "(no message)";
}

/* Runs gnuplot in dir on the scripts NAME.gp of names[0..n-1], one after another in one
 * process. */
static gmd_status run_gnuplot(const char *exe, const char *dir, const char (*names)[64], int n,
                              gmd_error *err)
{
    char scripts[GMD_FIGURE_BATCH_MAX][72], message[2048];
    char *argv[GMD_FIGURE_BATCH_MAX + 2];
    if (n < 1 || n > GMD_FIGURE_BATCH_MAX)
        return gmd_fail(err, GMD_ERR_INTERNAL, "gnuplot: %d scripts in one run", n);
    argv[0] = "gnuplot";
    for (int k = 0; k < n; k++) {
        snprintf(scripts[k], sizeof scripts[k], "%s.gp", names[k]);
        argv[k + 1] = scripts[k];
    }
    argv[n + 1] = NULL;
    int fds[2];
    if (pipe(fds) != 0)
        return gmd_fail(err, GMD_ERR_IO, "%s: cannot run gnuplot (pipe: %s)", scripts[0],
                        strerror(errno));
    pid_t pid = fork();
    if (pid == 0) {
        close(fds[0]);
        exec_gnuplot(exe, dir, argv, fds[1]);
    }
    close(fds[1]);
    if (pid < 0) {
        close(fds[0]);
        return gmd_fail(err, GMD_ERR_IO, "%s: cannot run gnuplot (fork: %s)", scripts[0],
                        strerror(errno));
    }
    drain(fds[0], message, sizeof message);
    close(fds[0]);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        return gmd_fail(err, GMD_ERR_IO, "%s/%s: gnuplot failed (exit %d): %s",
                        dir && *dir ? dir : ".", n == 1 ? scripts[0] : "(several scripts)",
                        WIFEXITED(status) ? WEXITSTATUS(status) : -1, first_line(message));
    return GMD_OK;
}

static gmd_status check_figures(const char *dir, const char *name, gmd_error *err)
{
    const char *ext[2] = {".png", ".svg"};
    for (int e = 0; e < 2; e++) {
        char path[PATH_LEN];
        struct stat sb;
        gmd_status st = join_path(path, sizeof path, dir, name, ext[e], err);
        if (st) return st;
        if (stat(path, &sb) != 0 || sb.st_size == 0)
            return gmd_fail(err, GMD_ERR_IO, "%s: gnuplot ran but wrote no figure", path);
    }
    return GMD_OK;
}

int gmd_plot_available(void)
{
    char exe[PATH_LEN];
    return find_gnuplot(exe, sizeof exe);
}

/* Checks the figure and writes DIR/NAME.gp. */
static gmd_status prepare_script(const char *dir, const char *name, const gmd_plot *plot,
                                 gmd_error *err)
{
    char path[PATH_LEN], csv[PATH_LEN];
    gmd_status st = check_plot(name, plot, err);
    if (!st) st = join_path(path, sizeof path, dir, name, ".gp", err);
    if (st) return st;
    snprintf(csv, sizeof csv, "%s", plot->csv ? plot->csv : "");
    if (!plot->csv && (st = join_path(csv, sizeof csv, NULL, name, ".csv", err))) return st;
    return write_script(path, name, csv, plot, err);
}

/* Figures of an earlier run must not pass for new ones. */
static void remove_old_figures(const char *dir, const char *name)
{
    for (int e = 0; e < 2; e++) {
        char old[PATH_LEN];
        gmd_error ignored;
        if (join_path(old, sizeof old, dir, name, e ? ".svg" : ".png", &ignored) == GMD_OK)
            unlink(old);
    }
}

/* Draws the figures names[0..n-1] of dir with one gnuplot; on failure each alone, so that
 * the error names the script at fault. */
static gmd_status draw_figures(const char *exe, const char *dir, const char (*names)[64], int n,
                               gmd_error *err)
{
    for (int k = 0; k < n; k++)
        remove_old_figures(dir, names[k]);
    gmd_status st = run_gnuplot(exe, dir, names, n, err);
    if (st && n > 1) { /* which one? (and the figures after it) */
        st = GMD_OK;
        for (int k = 0; k < n && !st; k++)
            st = run_gnuplot(exe, dir, &names[k], 1, err);
    }
    for (int k = 0; k < n && !st; k++)
        st = check_figures(dir, names[k], err);
    return st;
}

gmd_status gmd_plot_write(const char *dir, const char *name, const gmd_plot *plot, int *skipped,
                          gmd_error *err)
{
    char exe[PATH_LEN], one[1][64];
    if (skipped) *skipped = 0;
    gmd_status st = prepare_script(dir, name, plot, err);
    if (st) return st;
    if (!find_gnuplot(exe, sizeof exe)) {
        if (skipped) *skipped = 1;
        return GMD_OK;
    }
    if (strlen(name) >= sizeof one[0])
        return gmd_fail(err, GMD_ERR_INTERNAL, "figure name '%s' is too long", name);
    snprintf(one[0], sizeof one[0], "%s", name);
    return draw_figures(exe, dir, (const char(*)[64])one, 1, err);
}

gmd_status gmd_analysis_plot(const gmd_analysis_settings *s, const char *name, const gmd_plot *plot,
                             gmd_error *err)
{
    gmd_figure_batch *b = s->figures;
    if (!b || b->n >= GMD_FIGURE_BATCH_MAX || strlen(name) >= sizeof b->name[0]) {
        int skipped = 0;
        return gmd_plot_write(s->out_dir, name, plot, &skipped, err);
    }
    gmd_status st = prepare_script(s->out_dir, name, plot, err);
    if (st) return st;
    snprintf(b->name[b->n++], sizeof b->name[0], "%s", name);
    return GMD_OK;
}

gmd_status gmd_figure_batch_draw(const gmd_figure_batch *batch, const char *dir, gmd_error *err)
{
    char exe[PATH_LEN];
    if (!batch || batch->n == 0 || !find_gnuplot(exe, sizeof exe)) return GMD_OK;
    return draw_figures(exe, dir, (const char(*)[64])batch->name, batch->n, err);
}
