// sim-cascade-sandbox: the two trusted steps around `unshare` that put a candidate executable in
// its sandbox, as one small program instead of a chain of shells and tools (each exec costs
// milliseconds on every evaluation).
//
//   sim-cascade-sandbox outer CGROUP_PROCS|- -- COMMAND...
//       joins the memory cgroup (when given) and executes COMMAND (util-linux `unshare …`);
//   sim-cascade-sandbox inner ROOT UID SCRATCH_BYTES SCRATCH_FILES CPU_S AS_BYTES FSIZE NOFILE NPROC
//       runs as root inside the new namespaces: mounts a private tmpfs on ROOT/tmp, sets the
//       rlimits, chroots into ROOT, drops to UID/UID with no supplementary groups, sets
//       no-new-privileges, and executes /candidate with an empty environment.
//
// Any failure prints one line and exits 125, before any candidate code has run.
#define _GNU_SOURCE
#include <errno.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

static void fail(const char *what) {
    fprintf(stderr, "sim-cascade-sandbox: %s: %s\n", what, strerror(errno));
    exit(125);
}

static unsigned long long number(const char *text, const char *what) {
    char *end = NULL;
    errno = 0;
    unsigned long long value = strtoull(text, &end, 10);
    if (errno != 0 || end == text || *end != '\0') {
        errno = EINVAL;
        fail(what);
    }
    return value;
}

static void limit(int resource, unsigned long long value, const char *what) {
    struct rlimit r = {value, value};
    if (setrlimit(resource, &r) != 0) fail(what);
}

static int outer(int argc, char **argv) {
    // argv: outer CGROUP_PROCS|- -- COMMAND...
    if (argc < 5 || strcmp(argv[3], "--") != 0) {
        errno = EINVAL;
        fail("usage: outer CGROUP_PROCS|- -- COMMAND...");
    }
    if (strcmp(argv[2], "-") != 0) {
        FILE *procs = fopen(argv[2], "w");
        if (!procs) fail("open cgroup.procs");
        if (fprintf(procs, "%d\n", (int)getpid()) < 0 || fclose(procs) != 0) fail("join cgroup");
    }
    execv(argv[4], &argv[4]);
    fail("exec unshare");
    return 125;
}

static int inner(int argc, char **argv) {
    if (argc != 11) {
        errno = EINVAL;
        fail("usage: inner ROOT UID SCRATCH_BYTES SCRATCH_FILES CPU AS FSIZE NOFILE NPROC");
    }
    const char *root = argv[2];
    uid_t id = (uid_t)number(argv[3], "uid");
    char scratch[4096], options[256];
    if (snprintf(scratch, sizeof scratch, "%s/tmp", root) >= (int)sizeof scratch) fail("root path");
    snprintf(options, sizeof options, "size=%llu,nr_inodes=%llu,mode=0700,uid=%u,gid=%u",
             number(argv[4], "scratch bytes"), number(argv[5], "scratch files"), (unsigned)id, (unsigned)id);
    if (mount("tmpfs", scratch, "tmpfs", MS_NOSUID | MS_NODEV, options) != 0) fail("mount tmpfs");

    limit(RLIMIT_CPU, number(argv[6], "cpu"), "RLIMIT_CPU");
    limit(RLIMIT_AS, number(argv[7], "address space"), "RLIMIT_AS");
    limit(RLIMIT_FSIZE, number(argv[8], "file size"), "RLIMIT_FSIZE");
    limit(RLIMIT_NOFILE, number(argv[9], "open files"), "RLIMIT_NOFILE");
    limit(RLIMIT_NPROC, number(argv[10], "processes"), "RLIMIT_NPROC");
    limit(RLIMIT_CORE, 0, "RLIMIT_CORE");

    if (chroot(root) != 0) fail("chroot");
    if (chdir("/") != 0) fail("chdir");
    gid_t gid = (gid_t)id;
    if (setgroups(1, &gid) != 0) fail("setgroups");
    if (setresgid(gid, gid, gid) != 0) fail("setresgid");
    if (setresuid(id, id, id) != 0) fail("setresuid");
    if (setuid(0) == 0) {  // must be impossible now
        errno = EPERM;
        fail("privileges kept");
    }
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) fail("no_new_privs");

    char *const candidateArgv[] = {"candidate", NULL};
    char *const noEnvironment[] = {NULL};
    execve("/candidate", candidateArgv, noEnvironment);
    fail("exec /candidate");
    return 125;
}

int main(int argc, char **argv) {
    if (argc >= 2 && strcmp(argv[1], "outer") == 0) return outer(argc, argv);
    if (argc >= 2 && strcmp(argv[1], "inner") == 0) return inner(argc, argv);
    errno = EINVAL;
    fail("usage: sim-cascade-sandbox outer|inner ...");
    return 125;
}
