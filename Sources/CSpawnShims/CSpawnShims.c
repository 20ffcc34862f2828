#define _GNU_SOURCE
#include "CSpawnShims.h"
#include <fcntl.h>
#include <sched.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <signal.h>

int sim_cascade_spawn_addclosefrom(posix_spawn_file_actions_t *actions, int lowest) {
    return posix_spawn_file_actions_addclosefrom_np(actions, lowest);
}

int sim_cascade_spawn_addchdir(posix_spawn_file_actions_t *actions, const char *path) {
    return posix_spawn_file_actions_addchdir_np(actions, path);
}

int sim_cascade_pipe_cloexec(int fds[2]) {
    return pipe2(fds, O_CLOEXEC);
}

int sim_cascade_set_pipe_size(int fd, int bytes) {
    return fcntl(fd, F_SETPIPE_SZ, bytes);
}

int sim_cascade_affinity_size(void) {
    return (int)sizeof(cpu_set_t);
}

int sim_cascade_pin_current_thread(void *saved) {
    if (sched_getaffinity(0, sizeof(cpu_set_t), (cpu_set_t *)saved) != 0) return -1;
    int cpu = sched_getcpu();
    if (cpu < 0) return -1;
    cpu_set_t one;
    CPU_ZERO(&one);
    CPU_SET(cpu, &one);
    return sched_setaffinity(0, sizeof(cpu_set_t), &one) == 0 ? cpu : -1;
}

int sim_cascade_restore_thread_affinity(const void *saved) {
    return sched_setaffinity(0, sizeof(cpu_set_t), (const cpu_set_t *)saved);
}

int sim_cascade_pidfd_open(int pid) {
    return (int)syscall(SYS_pidfd_open, pid, 0);
}

int sim_cascade_pidfd_send_signal(int pidfd, int signal) {
    return (int)syscall(SYS_pidfd_send_signal, pidfd, signal, NULL, 0);
}

int sim_cascade_set_parent_death_signal(int signal) {
    return prctl(PR_SET_PDEATHSIG, (unsigned long)signal, 0, 0, 0);
}
