// sim-cascade-sandbox: the trusted launcher that puts one candidate executable in its sandbox.
//
//   sim-cascade-sandbox run ROOT UID SCRATCH_BYTES SCRATCH_FILES CPU_S AS_BYTES FSIZE NOFILE NPROC CGROUP_PROCS|-
//   sim-cascade-sandbox tool UID|- AS_BYTES FSIZE_BYTES TOOL [ARG...]   (see `tool`)
//   sim-cascade-sandbox probe
//
// `run` expects these descriptors from sim-cascade:
//   0 /dev/null, 1 and 2 the candidate's log pipes, 3 requests, 4 answers,
//   5 the start pipe (write end), 6 the lifeline (read end; sim-cascade holds the write end).
//
// Three processes, each doing one job:
//   launcher (host root, outside the sandbox): joins the memory cgroup, clones `init` into new
//     user, mount, PID, network, IPC, UTS and cgroup namespaces, maps the user namespace's root
//     to the sandbox's own host uid, traces init until it forks the candidate and the candidate
//     until its execve (to hide the clock from it: "Hiding the clock"), then holds nothing of
//     the candidate's: it waits for the candidate's wait status and exits with it (re-raising
//     a fatal signal). When sim-cascade dies — any thread of it, by any means — the lifeline
//     reads end-of-file and the launcher kills `init`, which tears the whole PID namespace down.
//   init (PID 1 of the new namespace, host uid UID): makes ROOT a read-only tmpfs of its own
//     holding the executable (bind-mounted), mounts a size- and inode-limited tmpfs on
//     ROOT/tmp (and no /proc), gives its children a time namespace with randomly offset clocks,
//     forks the candidate, closes every descriptor of the protocol, reaps whatever is
//     reparented to it, and reports the candidate's status. When it ends, the kernel kills
//     everything left in the namespace (threads whose leader exited, forks that changed
//     session: all of them).
//   candidate (PID 2): rlimits, chroot into ROOT, every capability dropped for good, no new
//     privileges, the time-stamp counter off, a seccomp allow list, and execve of /candidate
//     with an empty environment, stopped there until the launcher has hidden the clock.
//
// Every failure before that execve is written as one line to the start pipe, then exit 125.
// The candidate writes "E" to the start pipe just before its execve; the pipe is close-on-exec,
// and the launcher closes its end once the clock is hidden, so sim-cascade reads exactly "E"
// and then end-of-file when the execve succeeded. From then on, every failure is the
// candidate's. `probe` checks that this machine can do all of it.
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
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#if defined(__x86_64__)
#include <elf.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <sys/uio.h>
#include <sys/user.h>
#endif
#include <sys/ptrace.h>
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
/// writing its descriptors, files in its own tmpfs, memory, signals, relative time, threads,
/// futexes and its own identity. An allow list, because four red-team runs each found a new
/// route through a deny list: calls that change state outliving the sandbox (the page cache of
/// the shared executable, kernel-wide counters of inode numbers and socket cookies) or that
/// charge quotas counted up the user namespaces to root (queued signals, inotify, AIO), or that
/// read the host's figures. Left out on purpose, among others: sockets, pipes, memfds, SysV and
/// POSIX IPC, keyrings, io_uring and AIO, inotify and fanotify, ptrace and process_vm_*, pidfds,
/// bpf, perf, userfaultfd, mounts and namespaces, statfs/ustat/sysinfo, flock, fadvise,
/// readahead, cachestat, sched_setaffinity, and every call newer than this list. Calls that
/// tell the time of day are left out or narrowed below (see `hide_the_clock`): the `stat`
/// family (every inode's times, the protocol pipes' included, are the parent's clock), `time`,
/// `gettimeofday` and `times` (jiffies since boot).
static const char *const allowed[] = {
    // descriptors and files (the only writable files are the sandbox's tmpfs)
    "read", "write", "readv", "writev", "pread64", "pwrite64", "preadv", "pwritev", "preadv2", "pwritev2",
    "lseek", "close", "close_range", "dup", "dup2", "dup3", "open", "openat", "openat2", "creat", "access",
    "faccessat", "faccessat2", "readlink", "readlinkat", "getcwd", "chdir", "fchdir", "mkdir", "mkdirat",
    "rmdir", "unlink", "unlinkat", "rename", "renameat", "renameat2", "link", "linkat", "symlink",
    "symlinkat", "truncate", "ftruncate", "fallocate", "fsync", "fdatasync", "getdents", "getdents64",
    "chmod", "fchmod", "fchmodat", "umask",
    "poll", "ppoll", "select", "pselect6", "epoll_create", "epoll_create1", "epoll_ctl", "epoll_wait",
    "epoll_pwait", "epoll_pwait2", "eventfd", "eventfd2", "timerfd_settime", "timerfd_gettime", "signalfd",
    "signalfd4",
    // memory (mmap and madvise below, with conditions)
    "mprotect", "munmap", "mremap", "brk", "msync", "mlock", "mlock2", "munlock", "mlockall",
    "munlockall", "membarrier", "pkey_alloc", "pkey_free", "pkey_mprotect",
    // signals and relative timers (queued signals capped by RLIMIT_SIGPENDING; clocks below)
    "rt_sigaction", "rt_sigprocmask", "rt_sigreturn", "rt_sigpending", "rt_sigtimedwait", "rt_sigsuspend",
    "rt_sigqueueinfo", "rt_tgsigqueueinfo", "sigaltstack", "kill", "tkill", "tgkill", "pause", "alarm",
    "setitimer", "getitimer", "timer_settime", "timer_gettime", "timer_getoverrun", "timer_delete",
    "nanosleep",
    // processes and threads (clone and futex below, with conditions; execve only finds
    // /candidate, and only once: see `hide_the_clock`)
    "fork", "vfork", "execve", "exit", "exit_group", "wait4", "waitid", "set_robust_list",
    "get_robust_list", "set_tid_address", "rseq", "sched_yield", "sched_getaffinity",
    "sched_getparam", "sched_getscheduler", "sched_get_priority_max", "sched_get_priority_min",
    "sched_rr_get_interval", "getcpu", "getpriority", "seccomp", "restart_syscall",
    // identity and limits (prlimit64 below: its own only)
    "getpid", "getppid", "gettid", "getuid", "geteuid", "getgid", "getegid", "getresuid", "getresgid",
    "getgroups", "getpgrp", "getpgid", "getsid", "setsid", "setpgid", "capget", "getrandom", "uname",
    "getrlimit", "setrlimit", "getrusage",
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

/// Clocks a policy may read, wait on or arm timers on: the monotonic and boot-time clocks, which
/// the sandbox's time namespace offsets by a random amount (so they say how long since this
/// sandbox started, not when), and its own CPU time. Not CLOCK_REALTIME, _COARSE, TAI or the
/// alarm clocks: the time of day, which no namespace can hide, would let a sandbox read when the
/// one before it ended (a covert channel between evaluations and between the stages of one).
/// Not MONOTONIC_RAW either: the namespace offsets it like MONOTONIC, so their difference is the
/// host's NTP correction since boot, a function of the date wherever NTP runs (second red-team
/// pass).
static const unsigned long long allowed_clocks[] = {
    1 /* MONOTONIC */, 2 /* PROCESS_CPUTIME_ID */, 3 /* THREAD_CPUTIME_ID */, 6 /* MONOTONIC_COARSE */,
    7 /* BOOTTIME */,
};

/// futex operations allowed (with or without FUTEX_PRIVATE_FLAG, without FUTEX_CLOCK_REALTIME:
/// their timeouts are durations or monotonic times, which the namespace converts). FUTEX_LOCK_PI
/// (a time-of-day timeout, always) and FUTEX_CLOCK_REALTIME waits are handled below.
static const unsigned long long allowed_futex[] = {
    0 /* WAIT */, 1 /* WAKE */, 3 /* REQUEUE */, 4 /* CMP_REQUEUE */, 5 /* WAKE_OP */, 7 /* UNLOCK_PI */,
    8 /* TRYLOCK_PI */, 9 /* WAIT_BITSET */, 10 /* WAKE_BITSET */, 11 /* WAIT_REQUEUE_PI */, 12 /* CMP_REQUEUE_PI */,
    13 /* LOCK_PI2 */,
};

/// ioctl requests allowed: whether a descriptor is a terminal (isatty), its size, bytes ready,
/// non-blocking and close-on-exec. Not, for instance, FS_IOC_GETFSMAP on `/` (the host disk's
/// map) or the file-system uuid and sysfs path.
static const unsigned long long allowed_ioctl[] = {
    0x5401 /* TCGETS */, 0x5413 /* TIOCGWINSZ */, 0x541B /* FIONREAD */, 0x5421 /* FIONBIO */,
    0x5450 /* FIONCLEX */, 0x5451 /* FIOCLEX */,
};

/// arch_prctl codes allowed: the thread pointer (FS, GS), CPUID faulting's state, AMX state
/// permissions and shadow stacks. Not ARCH_MAP_VDSO_* (0x2001–0x2003): after unmapping what the
/// launcher left, it maps a fresh vDSO with the real clock data (red-team pass of the clock).
static const unsigned long long allowed_arch_prctl[] = {
    0x1001 /* SET_GS */, 0x1002 /* SET_FS */, 0x1003 /* GET_FS */, 0x1004 /* GET_GS */, 0x1011 /* GET_CPUID */,
    0x1021 /* GET_XCOMP_SUPP */, 0x1022 /* GET_XCOMP_PERM */, 0x1023 /* REQ_XCOMP_PERM */,
    0x5001 /* SHSTK_ENABLE */, 0x5002 /* SHSTK_DISABLE */, 0x5003 /* SHSTK_LOCK */, 0x5004 /* SHSTK_UNLOCK */,
    0x5005 /* SHSTK_STATUS */,
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
    static const char *const clock_calls[] = {"clock_gettime", "clock_getres", "clock_nanosleep", "timer_create",
                                               "timerfd_create"};
    for (size_t c = 0; c < sizeof clock_calls / sizeof *clock_calls && rc == 0; c++) {
        int nr = seccomp_syscall_resolve_name(clock_calls[c]);
        for (size_t i = 0; nr != __NR_SCMP_ERROR && i < sizeof allowed_clocks / sizeof *allowed_clocks && rc == 0; i++) {
            rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 1, SCMP_A0(SCMP_CMP_MASKED_EQ, 0xffffffffULL, allowed_clocks[i]));
        }
    }
    // glibc's nanosleep, sleep and usleep are clock_nanosleep(CLOCK_REALTIME) with a relative
    // time: a duration, allowed; TIMER_ABSTIME on the time of day is not.
    if (rc == 0) rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(clock_nanosleep), 2,
                                       SCMP_A0(SCMP_CMP_MASKED_EQ, 0xffffffffULL, 0 /* CLOCK_REALTIME */),
                                       SCMP_A1(SCMP_CMP_MASKED_EQ, 0xffffffffULL, 0));
    const unsigned long long futex_op = 0xffffffffULL & ~128ULL;  // all but FUTEX_PRIVATE_FLAG
    for (size_t i = 0; i < sizeof allowed_futex / sizeof *allowed_futex && rc == 0; i++) {
        rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(futex), 1, SCMP_A1(SCMP_CMP_MASKED_EQ, futex_op, allowed_futex[i]));
    }
    // Waits on the time of day: glibc's pthread_join and locks use FUTEX_WAIT_BITSET |
    // FUTEX_CLOCK_REALTIME with no timeout, Swift's Mutex FUTEX_LOCK_PI with none: no time
    // involved, allowed. With a timeout, the answer is ETIMEDOUT at once, whatever the time (a
    // real wait would let a candidate search for the date; EPERM made glibc abort honest
    // pthread_cond_timedwait, sem_timedwait and DispatchSemaphore waits).
    static const unsigned long long realtime_waits[] = {9 | 256 /* WAIT_BITSET, CLOCK_REALTIME */, 11 | 256, 6, 6 | 256};
    for (size_t i = 0; i < sizeof realtime_waits / sizeof *realtime_waits && rc == 0; i++) {
        rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(futex), 2, SCMP_A1(SCMP_CMP_MASKED_EQ, futex_op, realtime_waits[i]),
                              SCMP_A3(SCMP_CMP_EQ, 0));
        if (rc == 0) rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ETIMEDOUT), SCMP_SYS(futex), 2,
                                           SCMP_A1(SCMP_CMP_MASKED_EQ, futex_op, realtime_waits[i]), SCMP_A3(SCMP_CMP_NE, 0));
    }
    for (size_t i = 0; i < sizeof allowed_ioctl / sizeof *allowed_ioctl && rc == 0; i++) {
        rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(ioctl), 1, SCMP_A1(SCMP_CMP_MASKED_EQ, 0xffffffffULL, allowed_ioctl[i]));
    }
    int arch_prctl_nr = seccomp_syscall_resolve_name("arch_prctl");
    for (size_t i = 0; arch_prctl_nr != __NR_SCMP_ERROR && i < sizeof allowed_arch_prctl / sizeof *allowed_arch_prctl && rc == 0; i++) {
        rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, arch_prctl_nr, 1, SCMP_A0(SCMP_CMP_EQ, allowed_arch_prctl[i]));
    }
    // Its own limits only: not those of the sandbox's init (PID 1), which shares its uid.
    if (rc == 0) rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(prlimit64), 1, SCMP_A0(SCMP_CMP_EQ, 0));
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

// MARK: - Hiding the clock

// A sandbox must not learn the time of day: the previous sandbox chose when it ended (when it
// answered last, when it exited), so the time at which this one starts is a message from it —
// eight bits a hop were carried from stage to stage of one evaluation, between the per-scenario
// children of another, and a few between evaluations (hostile pass of issue 17). The clock a
// process can read without a system call is hidden three ways:
//   - the monotonic and boot-time clocks are offset by a random amount (a time namespace of
//     its own), so they tell how long since the sandbox began, never when;
//   - the time of day (CLOCK_REALTIME and kin, time, gettimeofday, file times through stat,
//     FUTEX_CLOCK_REALTIME) is refused by the seccomp filter above; the vDSO answers some of
//     them from its data pages ([vvar], [vvar_vclock]) without a system call, so, once the
//     candidate's `execve` has mapped them and before its first instruction, the launcher
//     unmaps the vDSO and its data pages, turns the auxiliary vector's entry for it into
//     AT_IGNORE (the C library then makes a system call for every clock), and adds a filter
//     that refuses a second `execve` (which would map them again); arch_prctl's
//     ARCH_MAP_VDSO_* (which maps a fresh one) is refused;
//   - the time-stamp counter (rdtsc, rdtscp) faults (PR_SET_TSC), kept across `execve`.
// What is left is relative time within one sandbox, which is the candidate's own business.

#if defined(__x86_64__)
enum { HIDES_THE_CLOCK = 1 };

/// The candidate's step before its `execve`: the time-stamp counter off (kept across `execve`).
static void disable_the_time_stamp_counter(void) {
    if (prctl(PR_SET_TSC, PR_TSC_SIGSEGV, 0, 0, 0) != 0) fail("disable the time-stamp counter");
}

/// One word of the stopped tracee's memory; `*ok` cleared on failure.
static unsigned long peek(pid_t pid, unsigned long address, int *ok) {
    errno = 0;
    long word = ptrace(PTRACE_PEEKDATA, pid, (void *)address, NULL);
    if (errno != 0) *ok = 0;
    return (unsigned long)word;
}

/// Makes the stopped tracee make one system call (at its current instruction, patched to
/// `syscall` for one step, then restored) and returns the call's result (-errno on failure).
static long call_in(pid_t pid, const struct user_regs_struct *saved, long nr, unsigned long a0, unsigned long a1,
                    unsigned long a2, unsigned long a3, unsigned long a4, unsigned long a5, int *ok) {
    unsigned long ip = saved->rip;
    unsigned long original = peek(pid, ip, ok);
    if (!*ok) return -EFAULT;
    struct user_regs_struct regs = *saved;
    regs.rax = (unsigned long)nr;
    regs.orig_rax = (unsigned long)-1;  // not in a system call: no restart logic applies
    regs.rdi = a0, regs.rsi = a1, regs.rdx = a2, regs.r10 = a3, regs.r8 = a4, regs.r9 = a5;
    int status = 0;
    if (ptrace(PTRACE_POKETEXT, pid, (void *)ip, (void *)((original & ~0xffffUL) | 0x050fUL)) != 0 ||
        ptrace(PTRACE_SETREGS, pid, NULL, &regs) != 0 || ptrace(PTRACE_SINGLESTEP, pid, NULL, NULL) != 0 ||
        waitpid(pid, &status, __WALL) != pid || !WIFSTOPPED(status) || ptrace(PTRACE_GETREGS, pid, NULL, &regs) != 0 ||
        ptrace(PTRACE_POKETEXT, pid, (void *)ip, (void *)original) != 0 ||
        ptrace(PTRACE_SETREGS, pid, NULL, saved) != 0) {
        if (errno == 0) errno = ECHILD;
        *ok = 0;
        return -errno;
    }
    return (long)regs.rax;
}

/// In the candidate, stopped at the end of its `execve` (the new image is mapped, not one of its
/// instructions has run): unmaps the vDSO and its data pages, removes it from the auxiliary
/// vector, and installs a filter refusing `execve`, then lets it run. 0, or -1 with errno set. The tracer is the launcher (host
/// root): the candidate's executable is not readable by the sandbox's uid, so only a tracer with
/// CAP_SYS_PTRACE of the host's user namespace may touch its memory.
static int hide_the_clock(pid_t pid) {
    struct user_regs_struct saved;
    if (ptrace(PTRACE_GETREGS, pid, NULL, &saved) != 0) return -1;
    int ok = 1;
    // The auxiliary vector, after argc, argv and the environment on the new stack.
    unsigned long at = saved.rsp, argc = peek(pid, at, &ok), vdso = 0, vdso_entry = 0, execfn = 0, page = 4096;
    at += 8 * (argc + 2);
    for (int n = 0; ok && n < 256 && peek(pid, at, &ok) != 0; n++) at += 8;
    at += 8;
    for (int n = 0; ok && n < 64; n++, at += 16) {
        unsigned long type = peek(pid, at, &ok), value = peek(pid, at + 8, &ok);
        if (type == AT_NULL) break;
        if (type == AT_SYSINFO_EHDR) vdso = value, vdso_entry = at;
        if (type == AT_EXECFN) execfn = value;
        if (type == AT_PAGESZ) page = value;
    }
    if (!ok || page == 0 || (page & (page - 1)) != 0) {
        errno = EFAULT;
        return -1;
    }
    // The vDSO's own length (its ELF program headers: the end of its last PT_LOAD).
    unsigned long vdso_end = vdso;
    if (vdso != 0) {
        unsigned long phoff = peek(pid, vdso + 0x20, &ok), sizes = peek(pid, vdso + 0x34, &ok);
        unsigned long entry_size = (sizes >> 16) & 0xffff, count = (sizes >> 32) & 0xffff;
        for (unsigned long i = 0; ok && i < count && i < 16 && entry_size >= 0x30; i++) {
            unsigned long header = vdso + phoff + i * entry_size;
            if ((peek(pid, header, &ok) & 0xffffffffUL) != PT_LOAD) continue;
            unsigned long end = vdso + peek(pid, header + 0x10, &ok) + peek(pid, header + 0x28, &ok);
            if (end > vdso_end) vdso_end = end;
        }
        vdso_end = (vdso_end + page - 1) & ~(page - 1);
        if (!ok || vdso_end <= vdso || vdso_end - vdso > 64 * page) {
            errno = EFAULT;
            return -1;
        }
    }
    // The data pages lie just below the vDSO's code (6 pages on Linux 6.x): take the page 16
    // below it for the filter, and unmap everything between. Nothing else is there at
    // the end of an execve of a static executable; where the vDSO sits just above the stack
    // (older kernels), or the page is taken, the first free page below the vDSO is searched for
    // instead, never going down into the stack.
    unsigned long floor = vdso > execfn ? (execfn + page) & ~(page - 1) : 0, scratch = 0;
    for (unsigned long attempt = 0; vdso != 0 && scratch == 0 && attempt <= 32; attempt++) {
        unsigned long k = attempt == 0 ? 16 : attempt, address = vdso - k * page;
        if (address < floor) {
            if (attempt == 0) continue;
            break;
        }
        long got = call_in(pid, &saved, SYS_mmap, address, page, PROT_READ | PROT_WRITE,
                           MAP_PRIVATE | MAP_ANONYMOUS | 0x100000 /* MAP_FIXED_NOREPLACE */, (unsigned long)-1, 0, &ok);
        if (!ok) return -1;
        if (got == (long)address) {
            scratch = address;
        } else if (got != -EEXIST) {
            errno = got < 0 ? (int)-got : EEXIST;
            return -1;
        }
    }
    if (vdso != 0) {
        if (scratch == 0) {
            errno = ERANGE;  // no free page below the data pages
            return -1;
        }
        // The data pages and the vDSO's code go; the auxiliary vector no longer names it, so
        // the C library makes a system call for every clock (the coarse ones included, which
        // zeroed data pages would have frozen at 0).
        unsigned long data = scratch + page;
        long unmapped = call_in(pid, &saved, SYS_munmap, data, vdso_end - data, 0, 0, 0, 0, &ok);
        if (!ok || unmapped != 0) {
            if (ok) errno = (int)-unmapped;
            return -1;
        }
        if (ptrace(PTRACE_POKEDATA, pid, (void *)vdso_entry, (void *)(unsigned long)AT_IGNORE) != 0) return -1;
    } else {
        long got = call_in(pid, &saved, SYS_mmap, 0, page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
                           (unsigned long)-1, 0, &ok);
        if (!ok || got < 0) return -1;
        scratch = (unsigned long)got;
    }
    // A second filter, stacked on the first: no further execve.
    struct sock_filter no_exec[] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_execve, 2, 0),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_execveat, 1, 0),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
    };
    unsigned long words[2 + sizeof no_exec / 8];
    words[0] = sizeof no_exec / sizeof *no_exec;  // struct sock_fprog: len (and padding), filter
    words[1] = scratch + 16;
    memcpy(&words[2], no_exec, sizeof no_exec);
    struct iovec local = {words, sizeof words}, remote = {(void *)scratch, sizeof words};
    if (process_vm_writev(pid, &local, 1, &remote, 1, 0) != (ssize_t)sizeof words) return -1;
    long installed = call_in(pid, &saved, SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, scratch, 0, 0, 0, &ok);
    if (!ok || installed != 0) {
        if (ok) errno = (int)-installed;
        return -1;
    }
    return ptrace(PTRACE_DETACH, pid, NULL, NULL) == 0 ? 0 : -1;
}
#else
// Elsewhere (aarch64: its virtual counter is readable by any instruction) the time of day
// cannot be hidden; docs/sandbox.md says so.
enum { HIDES_THE_CLOCK = 0 };
static void disable_the_time_stamp_counter(void) {}
static int hide_the_clock(pid_t pid) {
    (void)pid;
    return 0;
}
#endif

/// `init`'s own time namespace for its children: the monotonic and boot-time clocks start at a
/// random time (up to 68 years, to the nanosecond), unrelated to the host's or another sandbox's.
static int offset_the_clocks(void) {
    unsigned long long r[4];
    if (unshare(CLONE_NEWTIME) != 0) return -1;
    if (getrandom(r, sizeof r, 0) != (ssize_t)sizeof r) return -1;
    // Taking uid 0 made this process undumpable, and so its /proc files root's: dumpable for
    // this write (no candidate exists yet; `run_init` makes it undumpable again).
    if (prctl(PR_SET_DUMPABLE, 1, 0, 0, 0) != 0) return -1;
    char text[128];
    snprintf(text, sizeof text, "monotonic %llu %llu\nboottime %llu %llu\n", r[0] % (1ULL << 31), r[1] % 1000000000ULL,
             r[2] % (1ULL << 31), r[3] % 1000000000ULL);
    int fd = open("/proc/self/timens_offsets", O_WRONLY | O_CLOEXEC);
    if (fd < 0) return -1;
    ssize_t length = (ssize_t)strlen(text), n = write(fd, text, (size_t)length);
    close(fd);
    if (n != length) {
        if (n >= 0) errno = EIO;
        return -1;
    }
    return 0;
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
    disable_the_time_stamp_counter();
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

/// Makes ROOT a small tmpfs of the sandbox's own holding `candidate` (the host folder's hard
/// link, bind-mounted), `proc/self/exe` (a link to it: the Swift runtime reads it) and `tmp/`:
/// the host folder's directory entries carried the host file system's inode numbers (of the
/// folder, its parent, the executable), which `getdents64` shows.
static void build_root(const char *root) {
    char path[4096], source[64];
    if (snprintf(path, sizeof path, "%s/candidate", root) >= (int)sizeof path) fail("root path");
    int executable = open(path, O_PATH | O_CLOEXEC | O_NOFOLLOW);
    if (executable < 0) fail("open the candidate's executable");
    if (mount("tmpfs", root, "tmpfs", MS_NOSUID | MS_NODEV, "size=16k,nr_inodes=16,mode=0755") != 0) fail("mount the root");
    int file = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0111);
    if (file < 0 || close(file) != 0) fail("the executable's mount point");
    snprintf(source, sizeof source, "/proc/self/fd/%d", executable);
    if (mount(source, path, NULL, MS_BIND, NULL) != 0) fail("mount the executable");
    close(executable);
    // Its own mount read-only too (the root's remount does not cover it); its mode (root's,
    // 0111) already refuses writes.
    if (mount(NULL, path, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV, NULL) != 0) fail("executable read-only");
    const char *const folders[] = {"proc", "proc/self", "tmp"};
    for (size_t i = 0; i < sizeof folders / sizeof *folders; i++) {
        snprintf(path, sizeof path, "%s/%s", root, folders[i]);
        if (mkdir(path, 0755) != 0) fail("a folder of the root");
    }
    snprintf(path, sizeof path, "%s/proc/self/exe", root);
    if (symlink("/candidate", path) != 0) fail("proc/self/exe");
}

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
    build_root(s->root);
    char path[4096], options[256];
    if (snprintf(path, sizeof path, "%s/tmp", s->root) >= (int)sizeof path) fail("root path");
    snprintf(options, sizeof options, "size=%llu,nr_inodes=%llu,mode=0700", s->scratch_bytes, s->scratch_files);
    if (mount("tmpfs", path, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, options) != 0) fail("mount tmpfs");
    // The root read-only from here on (its tmp/ is a mount of its own, writable).
    if (mount(NULL, s->root, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV, NULL) != 0) fail("root read-only");
    // No /proc at all: besides the host's files (keys, kallsyms, cmdline, …), every lookup there
    // allocates an inode number from a counter the whole kernel shares (see `allowed`).

    if (offset_the_clocks() != 0) fail("offset the clocks (a time namespace)");
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

/// sim-cascade is gone (its lifeline read end-of-file): so are the sandbox or tool, with their
/// namespace's init.
static void end_with_sim_cascade(pid_t init) {
    kill(init, SIGKILL);
    waitpid(init, NULL, 0);
    _exit(125);
}

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

/// Follows init (traced since before it ran) to its fork of the candidate, and the candidate to
/// its `execve`, where the clock is hidden (`hide_the_clock`); detaches from both. A candidate
/// whose `execve` failed exits (it wrote why on the start pipe). Returns -1, or init's wait
/// status when init ended (and was reaped) before that; a failure here is the machine's.
static int hide_the_clock_at_exec(pid_t init) {
    pid_t candidate = 0;
    int init_traced = 1, candidate_done = 0;
    while (init_traced || !candidate_done) {
        int status = 0;
        pid_t pid = waitpid(-1, &status, __WALL);
        if (pid < 0) {
            if (errno == EINTR) continue;
            fail("follow the sandbox's start");
        }
        if (pid == init && !WIFSTOPPED(status)) return status;  // init died before its fork
        if (pid != init) candidate = pid;  // init's only child; its stops may come first
        if (!WIFSTOPPED(status)) {  // the candidate's execve failed, and it exited
            candidate_done = 1;
            continue;
        }
        int event = status >> 16;
        if (pid == init && event == PTRACE_EVENT_FORK) {
            if (ptrace(PTRACE_DETACH, init, NULL, NULL) != 0) fail("let init go");
            init_traced = 0;
        } else if (pid == candidate && event == PTRACE_EVENT_EXEC) {
            // Registers set now would be overwritten by execve's return value: on to the
            // execve's syscall-exit stop, still before the new image's first instruction.
            int exit_stop = 0;
            if (ptrace(PTRACE_SYSCALL, candidate, NULL, NULL) != 0 || waitpid(candidate, &exit_stop, __WALL) != candidate ||
                !WIFSTOPPED(exit_stop) || WSTOPSIG(exit_stop) != (SIGTRAP | 0x80) || hide_the_clock(candidate) != 0) {
                int saved = errno;
                kill(candidate, SIGKILL);
                errno = saved;
                fail("hide the clock from the candidate");
            }
            candidate_done = 1;
        } else {
            // A stop at attach (PTRACE_EVENT_STOP) or for a signal: on its way, with the signal.
            int signal = event == 0 ? WSTOPSIG(status) : 0;
            if (signal == SIGTRAP || signal == SIGSTOP) signal = 0;
            if (ptrace(PTRACE_CONT, pid, NULL, (void *)(long)signal) != 0) fail("follow the sandbox's start");
        }
    }
    return -1;
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

    // Traced from its first instruction on (and killed with this process): see `hide_the_clock_at_exec`.
    if (HIDES_THE_CLOCK && ptrace(PTRACE_SEIZE, init, NULL,
                                  (void *)(long)(PTRACE_O_TRACEFORK | PTRACE_O_TRACEEXEC | PTRACE_O_TRACESYSGOOD |
                                                         PTRACE_O_EXITKILL)) != 0) {
        int saved = errno;
        kill(init, SIGKILL);
        errno = saved;
        fail("trace init");
    }
    // The namespace's uid 0 and gid 0 are the sandbox's own host uid and gid; nothing else is mapped.
    map_to(init, s.uid);
    if (write(sync[1], "g", 1) != 1) fail("release init");
    close(sync[1]);
    for (int fd = 0; fd < FD_START; fd++) close(fd);
    // The start pipe stays open here until the clock is hidden: sim-cascade's wait for the
    // candidate's start includes it, and a failure on the way is the machine's.
    int early_init_status = HIDES_THE_CLOCK ? hide_the_clock_at_exec(init) : -1;
    close(FD_START);

    struct pollfd fds[2] = {{.fd = FD_LIFELINE, .events = POLLIN}, {.fd = status[0], .events = POLLIN}};
    int candidate_status = 0;
    size_t got = 0;
    for (;;) {
        if (poll(fds, 2, -1) < 0) {
            if (errno == EINTR) continue;
            break;
        }
        if (fds[0].revents != 0) end_with_sim_cascade(init);
        if (fds[1].revents != 0) {
            ssize_t n = read(status[0], (char *)&candidate_status + got, sizeof candidate_status - got);
            if (n > 0) got += (size_t)n;
            if (n <= 0 || got == sizeof candidate_status) break;
        }
    }
    int init_status = early_init_status;
    while (early_init_status == -1 && waitpid(init, &init_status, 0) < 0 && errno == EINTR) {}
    // init killed before the candidate ended (e.g. by the cgroup's OOM killer): report a kill.
    exit_like(got == sizeof candidate_status ? candidate_status : (WIFSIGNALED(init_status) ? init_status : SIGKILL));
    return 125;
}

// MARK: - A trusted tool, contained

/// `tool UID|- AS_BYTES FSIZE_BYTES TOOL [ARG…]`, with fd 3 the lifeline (the read end; sim-cascade
/// holds the write end): runs TOOL (the compiler, on a candidate's source) in a PID and mount
/// namespace of its own with /proc for it, as UID (no groups, no new privileges) when given,
/// with RLIMIT_AS, RLIMIT_FSIZE and no core files, and exits as it did (128 + the signal when a
/// signal ended it). Every process the tool starts dies with the namespace's init: when the tool
/// ends, when this launcher is killed (init's parent-death signal), and when sim-cascade dies
/// by any means (the lifeline reads end-of-file and the launcher kills init). util-linux's
/// `unshare --kill-child` did not do the last: nothing watched sim-cascade, and `setpriv`'s uid
/// change cleared the parent-death signal, so a compile outlived a `kill -9` of its eval.
static int tool(int argc, char **argv) {
    enum { FD_TOOL_LIFELINE = 3 };
    report_fd = STDERR_FILENO;
    if (argc < 6) {
        errno = EINVAL;
        fail("usage: tool UID|- AS_BYTES FSIZE_BYTES TOOL [ARG...]");
    }
    int as_user = strcmp(argv[2], "-") != 0;
    unsigned uid = as_user ? (unsigned)number(argv[2], "uid") : 0;
    unsigned long long address_space = number(argv[3], "address space"), file_size = number(argv[4], "file size");
    if (as_user && uid == 0) {
        errno = EINVAL;
        fail("the tool's uid must not be 0");
    }
    pid_t init = (pid_t)syscall(SYS_clone, CLONE_NEWPID | CLONE_NEWNS | SIGCHLD, NULL, NULL, NULL, NULL);
    if (init < 0) fail("clone into new namespaces");
    if (init == 0) {
        // The launcher is single-threaded: its death (and only its death) sends this SIGKILL.
        if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) != 0) fail("parent-death signal");
        close(FD_TOOL_LIFELINE);
        if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0) fail("make mounts private");
        if (mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) != 0) fail("mount /proc");
        pid_t child = fork();
        if (child < 0) fail("fork the tool");
        if (child == 0) {
            if (as_user && (setgroups(0, NULL) != 0 || setresgid(uid, uid, uid) != 0 || setresuid(uid, uid, uid) != 0)) {
                fail("take the tool's uid");
            }
            if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) fail("no_new_privs");
            limit(RLIMIT_AS, address_space, "RLIMIT_AS");
            limit(RLIMIT_FSIZE, file_size, "RLIMIT_FSIZE");
            limit(RLIMIT_CORE, 0, "RLIMIT_CORE");
            execv(argv[5], argv + 5);
            fail(argv[5]);
        }
        // The tool's end is the namespace's: whatever it left running dies with this process.
        for (;;) {
            int status = 0;
            pid_t pid = waitpid(-1, &status, 0);
            if (pid == child) _exit(WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
            if (pid < 0 && errno != EINTR) _exit(125);
        }
    }
    int exited = (int)syscall(SYS_pidfd_open, init, 0);
    if (exited < 0) {
        kill(init, SIGKILL);
        fail("pidfd_open");
    }
    struct pollfd fds[2] = {{.fd = FD_TOOL_LIFELINE, .events = POLLIN}, {.fd = exited, .events = POLLIN}};
    while (fds[1].revents == 0) {
        if (poll(fds, 2, -1) < 0 && errno != EINTR) break;
        if (fds[0].revents != 0) end_with_sim_cascade(init);
    }
    int status = 0;
    while (waitpid(init, &status, 0) < 0 && errno == EINTR) {}
    exit_like(status);
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
        _exit(offset_the_clocks() == 0 ? 0 : 123);
    }
    close(sync[0]);
    if (HIDES_THE_CLOCK && ptrace(PTRACE_SEIZE, child, NULL, (void *)(long)PTRACE_O_EXITKILL) != 0) {
        kill(child, SIGKILL);
        fail("trace a sandbox's process (to hide the clock from it)");
    }
    map_to(child, 1999999);
    (void)!write(sync[1], "g", 1);
    int status = 0;
    while (waitpid(child, &status, 0) < 0 && errno == EINTR) {}
    if (WIFEXITED(status) && WEXITSTATUS(status) == 123) {
        errno = EPERM;
        fail("a sandbox could not have clocks of its own (a time namespace; Linux 5.6 or later)");
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        errno = EPERM;
        fail("a process in the new user namespace could not take its mapped uid");
    }
    return 0;
}

/// Every signal at its default action and no alternate stack, before anything else. The Swift
/// runtime that swiftc's link brings in (see Package.swift) runs before `main` and installs crash
/// handlers when it finds a backtrace helper (beside the executable in some install layouts, or
/// named by `SWIFT_BACKTRACE`): inherited by the namespace's init, PID 1, they would let a
/// candidate's `kill(1, SIGSEGV)` run that helper there, outside the chroot and the filter.
/// Signals glibc keeps for itself (32, 33) refuse the change; they stay as they are.
static void default_signal_actions(void) {
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = SIG_DFL;
    sigemptyset(&action.sa_mask);
    for (int sig = 1; sig < NSIG; sig++) {
        if (sig != SIGKILL && sig != SIGSTOP) (void)sigaction(sig, &action, NULL);
    }
    stack_t none;
    memset(&none, 0, sizeof none);
    none.ss_flags = SS_DISABLE;
    (void)sigaltstack(&none, NULL);
}

int main(int argc, char **argv) {
    default_signal_actions();
    if (argc >= 2 && strcmp(argv[1], "run") == 0) return run(argc, argv);
    if (argc == 2 && strcmp(argv[1], "probe") == 0) return probe();
    if (argc >= 2 && strcmp(argv[1], "tool") == 0) return tool(argc, argv);
    report_fd = STDERR_FILENO;
    errno = EINVAL;
    fail("usage: sim-cascade-sandbox run ...|tool ...|probe");
    return 125;
}
