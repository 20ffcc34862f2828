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
//     privileges, a seccomp filter, and execve of /candidate with an empty environment.
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

/// System calls a policy never needs, refused with EPERM: kernel keyrings (a channel between
/// sandboxes), SysV IPC (memory outside RLIMIT_AS), io_uring, tracing and other processes'
/// memory, BPF, perf, userfaultfd, mounts and namespaces, modules, reboot and the like; and
/// everything that touches state outliving a sandbox (the page cache, kernel-wide counters).
static const char *const denied[] = {
    "add_key", "keyctl", "request_key",
    "shmget", "shmat", "shmdt", "shmctl", "msgget", "msgsnd", "msgrcv", "msgctl",
    "semget", "semop", "semtimedop", "semctl",
    "io_uring_setup", "io_uring_enter", "io_uring_register",
    "ptrace", "process_vm_readv", "process_vm_writev", "process_madvise", "kcmp", "pidfd_getfd",
    "bpf", "perf_event_open", "userfaultfd", "fanotify_init",
    "mount", "umount2", "pivot_root", "chroot", "unshare", "setns", "fsopen", "fsconfig", "fsmount",
    "fspick", "move_mount", "open_tree", "mount_setattr", "open_by_handle_at", "name_to_handle_at",
    "kexec_load", "kexec_file_load", "init_module", "finit_module", "delete_module", "reboot",
    "swapon", "swapoff", "acct", "quotactl", "syslog", "sethostname", "setdomainname", "vhangup",
    "iopl", "ioperm", "settimeofday", "clock_settime", "clock_adjtime", "adjtimex", "memfd_secret",
    // Page-cache state outlives a sandbox: no advice about, or probe of, cached file pages.
    "fadvise64", "readahead", "cachestat",
    // Kernel-wide counters outlive a sandbox too, and a sandbox that can advance one can signal
    // the next: pipes, sockets and memfds take inode numbers from a counter the whole kernel
    // shares (and sockets have cookies from another), pidfds expose process-creation counts.
    // A policy needs none of them. No moving off the CPU the parent pinned it to, either.
    "pipe", "pipe2", "socket", "socketpair", "memfd_create", "pidfd_open", "sched_setaffinity",
    // The machine's process count, load and free memory: nothing a policy decides on.
    "sysinfo",
    // inotify instances and watches are charged up the user namespaces to root's own quota.
    "inotify_init", "inotify_init1", "inotify_add_watch",
    // Legacy AIO (aio-nr is one machine-wide count; each context takes a kernel-wide inode
    // number) and POSIX message queues (mq_open takes an inode number before it fails).
    "io_setup", "io_destroy", "io_submit", "io_cancel", "io_getevents", "io_pgetevents",
    "mq_open", "mq_unlink", "mq_timedsend", "mq_timedreceive", "mq_notify", "mq_getsetattr",
    // Host file systems' sizes and free space, by path or by any device number; file locks
    // (fd 0 is the host's /dev/null).
    "ustat", "statfs", "fstatfs", "flock",
};

#if defined(__x86_64__)
/// Calls newer than the libseccomp this is built with knows by name (2.5.4 skips them), by
/// x86_64 number: cachestat, statmount, listmount (the host's mount ids), the lsm_* calls,
/// mseal, the *xattrat calls, open_tree_attr, file_getattr and file_setattr.
static const int denied_numbers[] = {451, 457, 458, 459, 460, 461, 462, 463, 464, 465, 466, 467, 468, 469};
#endif

/// fcntl commands refused: record locks (on the host's /dev/null too), leases, directory
/// notification, and pipe resizing (charged to root, who made the protocol pipes).
static const unsigned long long denied_fcntl[] = {
    5 /* F_GETLK */, 6 /* F_SETLK */, 7 /* F_SETLKW */, 36 /* F_OFD_GETLK */, 37 /* F_OFD_SETLK */,
    38 /* F_OFD_SETLKW */, 1024 /* F_SETLEASE */, 1026 /* F_NOTIFY */, 1031 /* F_SETPIPE_SZ */,
};

/// madvise advice that evicts or ages file pages in the page cache (MADV_COLD, MADV_PAGEOUT).
static const unsigned long long denied_advice[] = {20, 21};

/// Clone flags that would create namespaces or a pidfd.
static const unsigned long long namespace_flags[] = {
    CLONE_NEWUSER, CLONE_NEWNS, CLONE_NEWPID, CLONE_NEWNET, CLONE_NEWIPC, CLONE_NEWUTS, CLONE_NEWCGROUP,
    0x00000080ULL /* CLONE_NEWTIME */, 0x00001000ULL /* CLONE_PIDFD */,
};

static scmp_filter_ctx build_filter(void) {
    scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
    if (!ctx) {
        errno = ENOMEM;
        fail("seccomp_init");
    }
    int rc = 0;
    for (size_t i = 0; i < sizeof denied / sizeof *denied && rc == 0; i++) {
        int nr = seccomp_syscall_resolve_name(denied[i]);
        if (nr != __NR_SCMP_ERROR) rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), nr, 0);
    }
#if defined(__x86_64__)
    for (size_t i = 0; i < sizeof denied_numbers / sizeof *denied_numbers && rc == 0; i++) {
        rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), denied_numbers[i], 0);
    }
#endif
    for (size_t i = 0; i < sizeof denied_fcntl / sizeof *denied_fcntl && rc == 0; i++) {
        rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(fcntl), 1, SCMP_A1(SCMP_CMP_EQ, denied_fcntl[i]));
    }
    // Huge-page mappings: a hugetlbfs inode (kernel-wide number) is made before they fail.
    if (rc == 0) rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(mmap), 1,
                                       SCMP_A3(SCMP_CMP_MASKED_EQ, 0x40000 /* MAP_HUGETLB */, 0x40000));
    for (size_t i = 0; i < sizeof denied_advice / sizeof *denied_advice && rc == 0; i++) {
        rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(madvise), 1, SCMP_A2(SCMP_CMP_EQ, denied_advice[i]));
    }
    // Threads and forks, yes; new namespaces or pidfds, no. clone3 passes its flags in memory, which a
    // filter cannot read: ENOSYS makes glibc fall back to clone.
    for (size_t i = 0; i < sizeof namespace_flags / sizeof *namespace_flags && rc == 0; i++) {
        rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(clone), 1,
                              SCMP_A0(SCMP_CMP_MASKED_EQ, namespace_flags[i], namespace_flags[i]));
    }
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
    // allocates an inode number from a counter the whole kernel shares (see `denied`).
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
    char map[64];
    snprintf(map, sizeof map, "0 %u 1\n", s.uid);
    write_map(init, "uid_map", map);
    write_map(init, "setgroups", "deny");
    write_map(init, "gid_map", map);
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
    write_map(child, "uid_map", "0 1999999 1\n");
    write_map(child, "setgroups", "deny");
    write_map(child, "gid_map", "0 1999999 1\n");
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
