#ifndef SIM_CASCADE_CSPAWNSHIMS_H
#define SIM_CASCADE_CSPAWNSHIMS_H

#include <spawn.h>

/// glibc's posix_spawn_file_actions_addclosefrom_np (2.34+), which Swift's Glibc module hides.
int sim_cascade_spawn_addclosefrom(posix_spawn_file_actions_t *actions, int lowest);

/// glibc's posix_spawn_file_actions_addchdir_np (2.29+).
int sim_cascade_spawn_addchdir(posix_spawn_file_actions_t *actions, const char *path);

/// pipe2(fds, O_CLOEXEC).
int sim_cascade_pipe_cloexec(int fds[2]);

/// fcntl(fd, F_SETPIPE_SZ, bytes): a larger pipe means fewer wake-ups per batched query.
int sim_cascade_set_pipe_size(int fd, int bytes);

/// Size of the buffer that `sim_cascade_pin_current_thread` saves the old affinity into.
int sim_cascade_affinity_size(void);

/// Pins the calling thread to the CPU it is running on, saving its previous affinity mask into
/// `saved` (`sim_cascade_affinity_size()` bytes). Returns the CPU, or -1.
int sim_cascade_pin_current_thread(void *saved);

/// Restores an affinity mask saved by `sim_cascade_pin_current_thread`.
int sim_cascade_restore_thread_affinity(const void *saved);

/// pidfd_open(2): a descriptor that names one process for good (no pid reuse races), or -1.
int sim_cascade_pidfd_open(int pid);

/// pidfd_send_signal(2).
int sim_cascade_pidfd_send_signal(int pidfd, int signal);

/// prctl(PR_SET_PDEATHSIG, signal): `signal` arrives when the thread that spawned this process
/// ends. 0, or -1 with errno.
int sim_cascade_set_parent_death_signal(int signal);

#endif
