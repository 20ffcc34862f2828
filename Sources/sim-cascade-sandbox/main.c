// sim-cascade-sandbox: the trusted launcher that puts one candidate executable in its sandbox.
//
//   sim-cascade-sandbox run ROOT UID SCRATCH_BYTES SCRATCH_FILES CPU_S AS_BYTES FSIZE NOFILE NPROC CGROUP_PROCS|-
//   sim-cascade-sandbox probe
//
// `run` expects these descriptors from sim-cascade:
//   0 /dev/null, 1 and 2 the candidate's log pipes, 3 requests, 4 answers,
//   5 the start pipe (write end), 6 the lifeline (read end; sim-cascade holds the write end).
//
// Three processes, each doing one job:
//   launcher (host root, outside the sandbox): joins the memory cgroup, clones `init` into new
//     user, mount, PID, network, IPC, UTS and cgroup namespaces, maps the user namespace's root
//     to the sandbox's own host uid, then holds nothing of the candidate's: it waits for the
//     candidate's wait status and exits with it (re-raising a fatal signal). When sim-cascade
//     dies — any thread of it, by any means — the lifeline reads end-of-file and the launcher
//     kills `init`, which tears the whole PID namespace down.
//   init (PID 1 of the new namespace, host uid UID): mounts a size- and inode-limited tmpfs on
//     ROOT/tmp (and no /proc), forks the candidate, closes every descriptor
//     of the protocol, reaps whatever is reparented to it, and reports the candidate's status.
//     When it ends, the kernel kills everything left in the namespace (threads whose leader
//     exited, forks that changed session: all of them).
//   candidate (PID 2): rlimits, chroot into ROOT, every capability dropped for good, no new
//     privileges, a seccomp allow list, and execve of /candidate with an empty environment.
//
// Every failure before that execve is written as one line to the start pipe, then exit 125.
// The candidate writes "E" to the start pipe just before its execve; the pipe is close-on-exec,
// so sim-cascade reads exactly "E" and then end-of-file when the execve succeeded. From then
// on, every failure is the candidate's. `probe` checks that this machine can do all of it.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <linux/securebits.h>
#include <poll.h>
#include <sched.h>
#include <seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

enum { FD_START = 5, FD_LIFELINE = 6 };

static const int namespaces = CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWIPC |
                              CLONE_NEWUTS | CLONE_NEWCGROUP;

/// Where failures are reported: the start pipe in `run`, stderr in `probe`.
static int report_fd = FD_START;

static void fail(const char *what) {
    char line[512];
    int n = snprintf(line, sizeof line, "sim-cascade-sandbox: %s: %s\n", what, strerror(errno));
    if (n > 0) (void)!write(report_fd, line, (size_t)(n < (int)sizeof line ? n : (int)sizeof line - 1));
    _exit(125);
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

static void write_file(const char *path, const char *text, const char *what) {
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0) fail(what);
    size_t length = strlen(text);
    if (write(fd, text, length) != (ssize_t)length) fail(what);
    if (close(fd) != 0) fail(what);
}

static void limit(int resource, unsigned long long value, const char *what) {
    struct rlimit r = {value, value};
    if (setrlimit(resource, &r) != 0) fail(what);
}

struct settings {
    const char *root;
    unsigned uid;
    unsigned long long scratch_bytes, scratch_files, cpu, address_space, file_size, open_files, processes;
    const char *cgroup_procs;
};

// MARK: - The candidate's last trusted steps

/// The system calls a policy may make, and nothing else (everything else is EPERM): reading and
/// writing its descriptors, files in its own tmpfs, memory, signals, time, threads, futexes and
/// its own identity. An allow list, because four red-team runs each found a new route through a
/// deny list: calls that change state outliving the sandbox (the page cache of the shared
/// executable, kernel-wide counters of inode numbers and socket cookies) or that charge quotas
/// counted up the user namespaces to root (queued signals, inotify, AIO), or that read the
/// host's figures. Left out on purpose, among others: sockets, pipes, memfds, SysV and POSIX
/// IPC, keyrings, io_uring and AIO, inotify and fanotify, ptrace and process_vm_*, pidfds,
/// bpf, perf, userfaultfd, mounts and namespaces, statfs/ustat/sysinfo, flock, fadvise,
/// readahead, cachestat, sched_setaffinity, and every call newer than this list.
static const char *const allowed[] = {
    // descriptors and files (the only writable files are the sandbox's tmpfs)
    "read", "write", "readv", "writev", "pread64", "pwrite64", "preadv", "pwritev", "preadv2", "pwritev2",
    "lseek", "close", "close_range", "dup", "dup2", "dup3", "ioctl", "open", "openat", "openat2", "creat",
    "stat", "fstat", "lstat", "newfstatat", "statx", "access", "faccessat", "faccessat2", "readlink",
    "readlinkat", "getcwd", "chdir", "fchdir", "mkdir", "mkdirat", "rmdir", "unlink", "unlinkat", "rename",
    "renameat", "renameat2", "link", "linkat", "symlink", "symlinkat", "truncate", "ftruncate", "fallocate",
    "fsync", "fdatasync", "getdents", "getdents64", "chmod", "fchmod", "fchmodat", "umask",
    "poll", "ppoll", "select", "pselect6", "epoll_create", "epoll_create1", "epoll_ctl", "epoll_wait",
    "epoll_pwait", "epoll_pwait2", "eventfd", "eventfd2", "timerfd_create", "timerfd_settime",
    "timerfd_gettime", "signalfd", "signalfd4",
    // memory (mmap and madvise below, with conditions)
    "mprotect", "munmap", "mremap", "brk", "msync", "mlock", "mlock2", "munlock", "mlockall",
    "munlockall", "membarrier", "pkey_alloc", "pkey_free", "pkey_mprotect",
    // signals and timers (queued ones capped by RLIMIT_SIGPENDING)
    "rt_sigaction", "rt_sigprocmask", "rt_sigreturn", "rt_sigpending", "rt_sigtimedwait", "rt_sigsuspend",
    "rt_sigqueueinfo", "rt_tgsigqueueinfo", "sigaltstack", "kill", "tkill", "tgkill", "pause", "alarm",
    "setitimer", "getitimer", "timer_create", "timer_settime", "timer_gettime", "timer_getoverrun",
    "timer_delete", "nanosleep", "clock_nanosleep", "clock_gettime", "clock_getres", "gettimeofday", "time",
    "times",
    // processes and threads (clone below, with conditions; execve only finds /candidate)
    "fork", "vfork", "execve", "exit", "exit_group", "wait4", "waitid", "futex", "set_robust_list",
    "get_robust_list", "set_tid_address", "rseq", "arch_prctl", "sched_yield", "sched_getaffinity",
    "sched_getparam", "sched_getscheduler", "sched_get_priority_max", "sched_get_priority_min",
    "sched_rr_get_interval", "getcpu", "getpriority", "seccomp",
    // identity and limits
    "getpid", "getppid", "gettid", "getuid", "geteuid", "getgid", "getegid", "getresuid", "getresgid",
    "getgroups", "getpgrp", "getpgid", "getsid", "setsid", "setpgid", "capget", "getrandom", "uname",
    "getrlimit", "setrlimit", "prlimit64", "getrusage",
};

/// madvise advice allowed: none that evicts or ages file pages in the shared page cache
/// (MADV_COLD, MADV_PAGEOUT) or reads ahead (MADV_WILLNEED, MADV_POPULATE_*).
static const unsigned long long allowed_advice[] = {
    0 /* NORMAL */, 1 /* RANDOM */, 2 /* SEQUENTIAL */, 4 /* DONTNEED */, 8 /* FREE */, 10 /* DONTFORK */,
    11 /* DOFORK */, 14 /* HUGEPAGE */, 15 /* NOHUGEPAGE */, 16 /* DONTDUMP */, 17 /* DODUMP */,
};

/// prctl options allowed: reading its own settings, naming threads and anonymous mappings.
/// Not, for instance, PR_SET_MEMORY_MERGE (KSM: page merging across processes).
static const unsigned long long allowed_prctl[] = {
    1 /* PR_SET_PDEATHSIG */, 2 /* PR_GET_PDEATHSIG */, 3 /* PR_GET_DUMPABLE */, 15 /* PR_SET_NAME */,
    16 /* PR_GET_NAME */, 23 /* PR_CAPBSET_READ */, 27 /* PR_GET_SECUREBITS */, 39 /* PR_GET_NO_NEW_PRIVS */,
    42 /* PR_GET_THP_DISABLE */, 0x53564d41 /* PR_SET_VMA */,
};

/// fcntl commands allowed: descriptor flags and duplication (no record locks on the host's
/// /dev/null at fd 0, no leases, no F_NOTIFY, no pipe resizing charged to root).
static const unsigned long long allowed_fcntl[] = {
    0 /* F_DUPFD */, 1 /* F_GETFD */, 2 /* F_SETFD */, 3 /* F_GETFL */, 4 /* F_SETFL */,
    1030 /* F_DUPFD_CLOEXEC */, 1032 /* F_GETPIPE_SZ */,
};

/// Clone flags that would create namespaces or a pidfd.
static const unsigned long long clone_forbidden = CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET |
                                                  CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWCGROUP |
                                                  0x00000080ULL /* CLONE_NEWTIME */ | 0x00001000ULL /* CLONE_PIDFD */;

static scmp_filter_ctx build_filter(void) {
    scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ERRNO(EPERM));
    if (!ctx) {
        errno = ENOMEM;
        fail("seccomp_init");
    }
    int rc = 0;
    for (size_t i = 0; i < sizeof allowed / sizeof *allowed && rc == 0; i++) {
        int nr = seccomp_syscall_resolve_name(allowed[i]);
        if (nr != __NR_SCMP_ERROR) rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 0);
    }
    for (size_t i = 0; i < sizeof allowed_advice / sizeof *allowed_advice && rc == 0; i++) {
        rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(madvise), 1, SCMP_A2(SCMP_CMP_EQ, allowed_advice[i]));
    }
    for (size_t i = 0; i < sizeof allowed_prctl / sizeof *allowed_prctl && rc == 0; i++) {
        rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(prctl), 1, SCMP_A0(SCMP_CMP_EQ, allowed_prctl[i]));
    }
    for (size_t i = 0; i < sizeof allowed_fcntl / sizeof *allowed_fcntl && rc == 0; i++) {
        rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(fcntl), 1, SCMP_A1(SCMP_CMP_EQ, allowed_fcntl[i]));
    }
    // Mappings, but no huge pages: a hugetlbfs inode (kernel-wide number) is made before they fail.
    if (rc == 0) rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(mmap), 1,
                                       SCMP_A3(SCMP_CMP_MASKED_EQ, 0x40000 /* MAP_HUGETLB */, 0));
    // Threads and forks, yes; new namespaces or pidfds, no. clone3 passes its flags in memory,
    // which a filter cannot read: ENOSYS makes glibc fall back to clone.
    if (rc == 0) rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(clone), 1,
                                       SCMP_A0(SCMP_CMP_MASKED_EQ, clone_forbidden, 0));
    int clone3 = seccomp_syscall_resolve_name("clone3");
    if (rc == 0 && clone3 != __NR_SCMP_ERROR) rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), clone3, 0);
    if (rc != 0) {
        errno = -rc;
        fail("seccomp rule");
    }
    return ctx;
}

/// Drops every capability for good: the bounding set (so no execve can grant any), the
/// ambient set, the effective, permitted and inheritable sets; and locks the securebits so
/// that being uid 0 of the user namespace means nothing.
static void drop_capabilities(void) {
    if (prctl(PR_SET_SECUREBITS, SECBIT_NOROOT | SECBIT_NOROOT_LOCKED | SECBIT_NO_SETUID_FIXUP |
                                     SECBIT_NO_SETUID_FIXUP_LOCKED | SECBIT_KEEP_CAPS_LOCKED |
                                     SECBIT_NO_CAP_AMBIENT_RAISE | SECBIT_NO_CAP_AMBIENT_RAISE_LOCKED,
              0, 0, 0) != 0)
        fail("securebits");
    for (int cap = 0; prctl(PR_CAPBSET_READ, cap, 0, 0, 0) >= 0; cap++) {
        if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0) fail("drop the bounding set");
    }
    if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0) fail("clear ambient capabilities");
    struct __user_cap_header_struct header = {_LINUX_CAPABILITY_VERSION_3, 0};
    struct __user_cap_data_struct data[2];
    memset(data, 0, sizeof data);
    if (syscall(SYS_capset, &header, data) != 0) fail("capset");
}

static void run_candidate(const struct settings *s, int status_write) {
    close(status_write);  // the candidate must not be able to write its own status
    if (syscall(SYS_close_range, FD_START + 1, ~0U, 0) != 0) fail("close descriptors");
    if (fcntl(FD_START, F_SETFD, FD_CLOEXEC) != 0) fail("start pipe");

    limit(RLIMIT_CPU, s->cpu, "RLIMIT_CPU");
    limit(RLIMIT_AS, s->address_space, "RLIMIT_AS");
    limit(RLIMIT_FSIZE, s->file_size, "RLIMIT_FSIZE");
    limit(RLIMIT_NOFILE, s->open_files, "RLIMIT_NOFILE");
    limit(RLIMIT_NPROC, s->processes, "RLIMIT_NPROC");
    limit(RLIMIT_CORE, 0, "RLIMIT_CORE");
    limit(RLIMIT_MEMLOCK, 0, "RLIMIT_MEMLOCK");
    limit(RLIMIT_MSGQUEUE, 0, "RLIMIT_MSGQUEUE");
    // Queued signals are charged up the user namespaces to root's own quota: a few only.
    limit(RLIMIT_SIGPENDING, 16, "RLIMIT_SIGPENDING");

    if (chroot(s->root) != 0) fail("chroot");
    if (chdir("/") != 0) fail("chdir");
    drop_capabilities();
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) fail("no_new_privs");
    scmp_filter_ctx filter = build_filter();
    if (seccomp_load(filter) != 0) fail("seccomp_load");
    seccomp_release(filter);

    if (write(FD_START, "E", 1) != 1) fail("start pipe");
    char *const candidateArgv[] = {"candidate", NULL};
    char *const noEnvironment[] = {NULL};
    execve("/candidate", candidateArgv, noEnvironment);
    fail("exec /candidate");
}

// MARK: - PID 1 of the sandbox

static void run_init(const struct settings *s, int sync_read, int status_write) {
    // The launcher is single-threaded, so its death (and only its death) sends this SIGKILL.
    if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) != 0) fail("parent-death signal");
    close(FD_LIFELINE);
    char go;
    if (read(sync_read, &go, 1) != 1) {
        errno = EPIPE;
        fail("wait for the user namespace's map");
    }
    close(sync_read);
    if (setresgid(0, 0, 0) != 0 || setresuid(0, 0, 0) != 0) fail("become the user namespace's root");

    if (sethostname("sandbox", 7) != 0) fail("hostname");  // the UTS namespace's: not the host's name
    if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0) fail("make mounts private");
    char path[4096], options[256];
    if (snprintf(path, sizeof path, "%s/tmp", s->root) >= (int)sizeof path) fail("root path");
    snprintf(options, sizeof options, "size=%llu,nr_inodes=%llu,mode=0700", s->scratch_bytes, s->scratch_files);
    if (mount("tmpfs", path, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, options) != 0) fail("mount tmpfs");
    // No /proc at all: besides the host's files (keys, kallsyms, cmdline, …), every lookup there
    // allocates an inode number from a counter the whole kernel shares (see `allowed`).

    // Candidates of the same uid cannot read this process's memory or attach to it.
    if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0) fail("not dumpable");

    pid_t candidate = fork();
    if (candidate < 0) fail("fork the candidate");
    if (candidate == 0) run_candidate(s, status_write);

    // Hold none of the candidate's descriptors: a closed answer pipe must read as closed.
    for (int fd = 0; fd <= FD_START; fd++) close(fd);
    for (;;) {
        int status = 0;
        pid_t pid = waitpid(-1, &status, __WALL);
        if (pid == candidate) {
            (void)!write(status_write, &status, sizeof status);
            _exit(0);  // the kernel kills whatever the candidate left in the namespace
        }
        if (pid < 0 && errno != EINTR) _exit(125);
    }
}

// MARK: - The launcher, outside

/// Ends this process the way the candidate ended: the same exit code, or the same signal.
static void exit_like(int status) {
    if (WIFEXITED(status)) _exit(WEXITSTATUS(status));
    if (WIFSIGNALED(status)) {
        struct rlimit none = {0, 0};
        setrlimit(RLIMIT_CORE, &none);
        int sig = WTERMSIG(status);
        signal(sig, SIG_DFL);
        sigset_t set;
        sigemptyset(&set);
        sigaddset(&set, sig);
        sigprocmask(SIG_UNBLOCK, &set, NULL);
        kill(getpid(), sig);
    }
    kill(getpid(), SIGKILL);
    _exit(125);
}

static void write_map(pid_t init, const char *file, const char *text) {
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/%s", (int)init, file);
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    size_t length = strlen(text);
    if (fd < 0 || write(fd, text, length) != (ssize_t)length) {
        int saved = errno;
        kill(init, SIGKILL);
        errno = saved;
        fail(file);
    }
    close(fd);
}

/// Maps the user namespace of `init` so that its uid and gid 0 are the host's `uid` (and
/// nothing else), with setgroups denied.
static void map_to(pid_t init, unsigned uid) {
    char map[64];
    snprintf(map, sizeof map, "0 %u 1\n", uid);
    write_map(init, "uid_map", map);
    write_map(init, "setgroups", "deny");
    write_map(init, "gid_map", map);
}

static int run(int argc, char **argv) {
    if (argc != 12) {
        errno = EINVAL;
        fail("usage: run ROOT UID SCRATCH_BYTES SCRATCH_FILES CPU AS FSIZE NOFILE NPROC CGROUP_PROCS|-");
    }
    struct settings s = {
        .root = argv[2],
        .uid = (unsigned)number(argv[3], "uid"),
        .scratch_bytes = number(argv[4], "scratch bytes"),
        .scratch_files = number(argv[5], "scratch files"),
        .cpu = number(argv[6], "cpu"),
        .address_space = number(argv[7], "address space"),
        .file_size = number(argv[8], "file size"),
        .open_files = number(argv[9], "open files"),
        .processes = number(argv[10], "processes"),
        .cgroup_procs = argv[11],
    };
    if (s.uid == 0) {
        errno = EINVAL;
        fail("the sandbox's uid must not be 0");
    }
    if (strcmp(s.cgroup_procs, "-") != 0) write_file(s.cgroup_procs, "0\n", "join the memory cgroup");
    // No supplementary group of root's may reach the sandbox (setgroups is denied inside).
    if (setgroups(0, NULL) != 0) fail("setgroups");

    int sync[2], status[2];
    if (pipe2(sync, O_CLOEXEC) != 0 || pipe2(status, O_CLOEXEC) != 0) fail("pipe");
    pid_t init = (pid_t)syscall(SYS_clone, namespaces | SIGCHLD, NULL, NULL, NULL, NULL);
    if (init < 0) fail("clone into new namespaces");
    if (init == 0) {
        close(sync[1]);
        close(status[0]);
        run_init(&s, sync[0], status[1]);
    }
    close(sync[0]);
    close(status[1]);

    // The namespace's uid 0 and gid 0 are the sandbox's own host uid and gid; nothing else is mapped.
    map_to(init, s.uid);
    if (write(sync[1], "g", 1) != 1) fail("release init");
    close(sync[1]);
    for (int fd = 0; fd <= FD_START; fd++) close(fd);

    struct pollfd fds[2] = {{.fd = FD_LIFELINE, .events = POLLIN}, {.fd = status[0], .events = POLLIN}};
    int candidate_status = 0;
    size_t got = 0;
    for (;;) {
        if (poll(fds, 2, -1) < 0) {
            if (errno == EINTR) continue;
            break;
        }
        if (fds[0].revents != 0) {  // sim-cascade is gone: so is the sandbox
            kill(init, SIGKILL);
            waitpid(init, NULL, 0);
            _exit(125);
        }
        if (fds[1].revents != 0) {
            ssize_t n = read(status[0], (char *)&candidate_status + got, sizeof candidate_status - got);
            if (n > 0) got += (size_t)n;
            if (n <= 0 || got == sizeof candidate_status) break;
        }
    }
    int init_status = 0;
    while (waitpid(init, &init_status, 0) < 0 && errno == EINTR) {}
    // init killed before the candidate ended (e.g. by the cgroup's OOM killer): report a kill.
    exit_like(got == sizeof candidate_status ? candidate_status : (WIFSIGNALED(init_status) ? init_status : SIGKILL));
    return 125;
}

/// Whether this machine can create the sandbox: namespaces, a user namespace mapped to a
/// sandbox uid, and a seccomp filter. Exits 0, or prints the first failure and exits 125.
static int probe(void) {
    report_fd = STDERR_FILENO;
    scmp_filter_ctx filter = build_filter();
    seccomp_release(filter);
    int sync[2];
    if (pipe2(sync, O_CLOEXEC) != 0) fail("pipe");
    pid_t child = (pid_t)syscall(SYS_clone, namespaces | SIGCHLD, NULL, NULL, NULL, NULL);
    if (child < 0) fail("clone into new namespaces");
    if (child == 0) {
        close(sync[1]);
        char go;
        if (read(sync[0], &go, 1) != 1) _exit(125);
        if (setresgid(0, 0, 0) != 0 || setresuid(0, 0, 0) != 0) _exit(124);
        _exit(0);
    }
    close(sync[0]);
    map_to(child, 1999999);
    (void)!write(sync[1], "g", 1);
    int status = 0;
    while (waitpid(child, &status, 0) < 0 && errno == EINTR) {}
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        errno = EPERM;
        fail("a process in the new user namespace could not take its mapped uid");
    }
    return 0;
}

int main(int argc, char **argv) {
    if (argc >= 2 && strcmp(argv[1], "run") == 0) return run(argc, argv);
    if (argc == 2 && strcmp(argv[1], "probe") == 0) return probe();
    report_fd = STDERR_FILENO;
    errno = EINVAL;
    fail("usage: sim-cascade-sandbox run ...|probe");
    return 125;
}
