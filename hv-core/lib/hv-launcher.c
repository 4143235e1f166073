/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Starting a guest: hv_runtime_launch () spawns hv-vmm (hv-core/docs/hv-vmm.md)
 * and waits for its ready line.
 *
 * hv-vmm must outlive whoever started it, so it is double-forked into a
 * session of its own: it is nobody's child, never a zombie of ours, and a
 * terminal hang-up does not reach it. Its liveness is its vmm.lock.
 */

#define _GNU_SOURCE /* pipe2 (), dup3 () */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n-lib.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hv-error.h"
#include "hv-launch-options.h"
#include "hv-runtime-private.h"

/* Start-up loads the kernel and sets up memory: generous, for slow hosts. */
#define HV_READY_TIMEOUT_US (60 * G_USEC_PER_SEC)
/* How often the early connections to the sockets are tried. */
#define HV_CONNECT_INTERVAL_MS 10
/* How long a failed hv-vmm gets to exit before it is killed. */
#define HV_EXIT_TIMEOUT_US (5 * G_USEC_PER_SEC)
/* The descriptor numbers the child gets: fixed, so argv can say --ready-fd 3. */
#define CHILD_READY_FD  3
#define CHILD_REPORT_FD 4

/* What the forked processes tell the launcher through the report pipe. */
typedef struct
{
  int kind;
  int value;
} ChildReport;

enum
{
  REPORT_PID,    /* value: the hv-vmm's pid */
  REPORT_FORK,   /* value: errno of the second fork () */
  REPORT_SETSID, /* value: errno of setsid () */
  REPORT_EXEC,   /* value: errno of execv () */
};

/* Everything the child needs, prepared before fork (): after it, only
 * async-signal-safe calls are allowed in a threaded program. */
typedef struct
{
  const char *path;
  char **argv;
  int null_fd;
  int log_fd;
  int ready_fd;
  int report_fd;
} ChildSetup;

static void
clear_fd (int *fd)
{
  if (*fd >= 0)
    close (*fd);
  *fd = -1;
}

static void
child_report (int fd, int kind, int value)
{
  ChildReport report = { kind, value };
  ssize_t unused G_GNUC_UNUSED = write (fd, &report, sizeof report);
}

static void
close_fds_from (int lowest)
{
#ifdef SYS_close_range
  if (syscall (SYS_close_range, lowest, ~0U, 0) == 0)
    return;
#endif
  for (int fd = lowest; fd < 65536; fd++)
    close (fd);
}

static void G_GNUC_NORETURN
run_child (const ChildSetup *setup)
{
  sigset_t none;
  pid_t pid;

  sigemptyset (&none);
  sigprocmask (SIG_SETMASK, &none, NULL);
  if (setsid () < 0)
    {
      child_report (setup->report_fd, REPORT_SETSID, errno);
      _exit (1);
    }
  pid = fork ();
  if (pid != 0)
    {
      child_report (setup->report_fd, pid > 0 ? REPORT_PID : REPORT_FORK, pid > 0 ? pid : errno);
      _exit (0);
    }

  /* The grandchild: becomes hv-vmm. The report pipe stays open only until
   * execv () succeeds, so its EOF says "exec done". */
  if (chdir ("/") != 0)
    _exit (1);
  if (dup2 (setup->null_fd, 0) < 0 || dup2 (setup->log_fd, 1) < 0 || dup2 (setup->log_fd, 2) < 0 ||
      dup2 (setup->ready_fd, CHILD_READY_FD) < 0 ||
      dup3 (setup->report_fd, CHILD_REPORT_FD, O_CLOEXEC) < 0)
    _exit (1);
  close_fds_from (CHILD_REPORT_FD + 1);
  execv (setup->path, setup->argv);
  child_report (CHILD_REPORT_FD, REPORT_EXEC, errno);
  _exit (127);
}

/* Moves FD above the numbers the child dup2 ()s onto, so that no dup2 ()
 * there overwrites a descriptor it still has to copy. */
static int
raise_fd (int fd)
{
  int raised;

  if (fd < 0 || fd > CHILD_REPORT_FD)
    return fd;
  raised = fcntl (fd, F_DUPFD_CLOEXEC, CHILD_REPORT_FD + 1);
  close (fd);
  return raised;
}

static gboolean
set_spawn_error (GError **error, int saved_errno, const char *path)
{
  g_set_error (error, HV_ERROR, HV_ERROR_VMM_MISSING,
               _ ("Cannot run the hypervisor process “%s”: %s"), path, g_strerror (saved_errno));
  return FALSE;
}

/* Reads the child's reports until the pipe closes: the pid of hv-vmm, or
 * why it could not be started. */
static gboolean
read_reports (int fd, const char *path, GPid *pid, GError **error)
{
  ChildReport report;
  ssize_t n;

  *pid = 0;
  while ((n = read (fd, &report, sizeof report)) != 0)
    {
      if (n < 0 && errno == EINTR)
        continue;
      if (n != sizeof report)
        break;
      if (report.kind == REPORT_PID)
        *pid = report.value;
      else
        return set_spawn_error (error, report.value, path);
    }
  if (*pid <= 0)
    return set_spawn_error (error, EIO, path);
  return TRUE;
}

static int
open_log (const char *log_path, GError **error)
{
  int fd = open (log_path != NULL ? log_path : "/dev/null",
                 O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOCTTY, 0600);

  if (fd < 0)
    {
      int saved_errno = errno;
      g_set_error (error, HV_ERROR, HV_ERROR_INVALID_ARGUMENT,
                   _ ("Cannot open the log file “%s”: %s"),
                   log_path != NULL ? log_path : "/dev/null", g_strerror (saved_errno));
    }
  return fd;
}

/* Starts PATH with ARGV as hv-vmm (or hv-net, which starts the same
 * way); returns the read end of its ready pipe. */
int
_hv_spawn_detached (const char *path, char **argv, const char *log_path, GPid *pid, GError **error)
{
  int ready[2] = { -1, -1 };
  int report[2] = { -1, -1 };
  ChildSetup setup = { path, argv, -1, -1, -1, -1 };
  pid_t intermediate;
  int status;
  gboolean ok = FALSE;

  setup.null_fd = raise_fd (open ("/dev/null", O_RDWR | O_CLOEXEC | O_NOCTTY));
  setup.log_fd = raise_fd (open_log (log_path, error));
  if (setup.null_fd < 0 || setup.log_fd < 0 || pipe2 (ready, O_CLOEXEC) != 0 ||
      pipe2 (report, O_CLOEXEC) != 0)
    {
      if (error == NULL || *error == NULL)
        set_spawn_error (error, errno, path);
      goto out;
    }
  setup.ready_fd = ready[1] = raise_fd (ready[1]);
  setup.report_fd = report[1] = raise_fd (report[1]);

  intermediate = fork ();
  if (intermediate < 0)
    {
      set_spawn_error (error, errno, path);
      goto out;
    }
  if (intermediate == 0)
    run_child (&setup);

  clear_fd (&report[1]);
  clear_fd (&ready[1]);
  while (waitpid (intermediate, &status, 0) < 0 && errno == EINTR)
    ;
  ok = read_reports (report[0], path, pid, error);

out:
  for (guint i = 0; i < 2; i++)
    {
      clear_fd (&report[i]);
      if (i == 1 || !ok)
        clear_fd (&ready[i]);
    }
  clear_fd (&setup.null_fd);
  clear_fd (&setup.log_fd);
  return ok ? ready[0] : -1;
}

/* After a failed start: lets hv-vmm end (or ends it) and removes its directory. */
static void
cleanup_failed_start (const char *dir, GPid pid)
{
  gint64 deadline = g_get_monotonic_time () + HV_EXIT_TIMEOUT_US;

  while (pid > 0 && _hv_process_is_running (pid) && g_get_monotonic_time () < deadline)
    g_usleep (10 * 1000);
  if (pid > 0 && _hv_process_is_running (pid))
    {
      kill (pid, SIGKILL);
      deadline = g_get_monotonic_time () + HV_EXIT_TIMEOUT_US;
      while (_hv_process_is_running (pid) && g_get_monotonic_time () < deadline)
        g_usleep (10 * 1000);
    }
  _hv_runtime_remove_dir (dir);
}

/* The sockets listen before the ready line and the guest runs only after
 * it: a connection made meanwhile misses no output and no event. */
typedef struct
{
  const char *dir;
  GSocketConnection **control;
  GSocketConnection **console;
} EarlyConnections;

static void
try_connect (const char *dir, const char *name, GSocketConnection **connection)
{
  g_autofree char *path = NULL;

  if (connection == NULL || *connection != NULL)
    return;
  path = g_build_filename (dir, name, NULL);
  *connection = _hv_connect_unix (path, NULL, NULL);
}

static gboolean
finish_connect (const char *dir, const char *name, GSocketConnection **connection, GError **error)
{
  g_autofree char *path = NULL;

  if (connection == NULL || *connection != NULL)
    return TRUE;
  path = g_build_filename (dir, name, NULL);
  *connection = _hv_connect_unix (path, NULL, error);
  return *connection != NULL;
}

static gboolean
parse_ready_line (const char *line, const char *log_path, GError **error)
{
  if (g_str_equal (line, "OK"))
    return TRUE;
  if (g_str_has_prefix (line, "ERROR "))
    {
      g_set_error_literal (error, HV_ERROR, HV_ERROR_VMM_FAILED, line + strlen ("ERROR "));
      return FALSE;
    }
  if (log_path != NULL)
    g_set_error (error, HV_ERROR, HV_ERROR_VMM_FAILED,
                 _ ("The hypervisor process ended while starting the guest; see “%s”"), log_path);
  else
    g_set_error_literal (error, HV_ERROR, HV_ERROR_VMM_FAILED,
                         _ ("The hypervisor process ended while starting the guest"));
  return FALSE;
}

/* Waits for hv-vmm's one line on FD, connecting early meanwhile. */
static gboolean
wait_ready (int fd, EarlyConnections *early, const char *log_path, GCancellable *cancellable,
            GError **error)
{
  g_autoptr (GString) line = g_string_new (NULL);
  gint64 deadline = g_get_monotonic_time () + HV_READY_TIMEOUT_US;
  GPollFD fds[2] = { { fd, G_IO_IN, 0 }, { -1, 0, 0 } };
  guint n_fds = g_cancellable_make_pollfd (cancellable, &fds[1]) ? 2 : 1;
  char buf[512];
  ssize_t n = 1;

  while (n > 0 && strchr (line->str, '\n') == NULL)
    {
      try_connect (early->dir, HV_CONTROL_SOCKET, early->control);
      try_connect (early->dir, HV_CONSOLE_SOCKET, early->console);
      g_poll (fds, n_fds, HV_CONNECT_INTERVAL_MS);
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        break;
      if (g_get_monotonic_time () > deadline)
        {
          g_set_error (error, HV_ERROR, HV_ERROR_TIMED_OUT,
                       _ ("The hypervisor process did not start the guest within %d seconds"),
                       (int) (HV_READY_TIMEOUT_US / G_USEC_PER_SEC));
          break;
        }
      if (fds[0].revents == 0)
        continue;
      n = read (fd, buf, sizeof buf);
      if (n < 0 && errno == EINTR)
        n = 1;
      else if (n > 0 && line->len < 4096)
        g_string_append_len (line, buf, n);
    }
  g_cancellable_release_fd (cancellable);
  if (error != NULL && *error != NULL)
    return FALSE;

  g_strdelimit (line->str, "\n", '\0');
  return parse_ready_line (line->str, log_path, error) &&
         finish_connect (early->dir, HV_CONTROL_SOCKET, early->control, error) &&
         finish_connect (early->dir, HV_CONSOLE_SOCKET, early->console, error);
}

static char *
absolute_path (const char *path)
{
  return path != NULL ? g_canonicalize_filename (path, NULL) : NULL;
}

/* A --disk spec with its path made absolute: hv-vmm runs from "/". */
static char *
absolute_disk_spec (const char *spec)
{
  g_auto (GStrv) items = g_strsplit (spec, ",", -1);

  for (guint i = 0; items[i] != NULL; i++)
    {
      gboolean bare = strchr (items[i], '=') == NULL;

      if (bare || g_str_has_prefix (items[i], "path="))
        {
          g_autofree char *path = absolute_path (bare ? items[i] : items[i] + 5);

          g_free (items[i]);
          items[i] = g_strconcat ("path=", path, NULL);
        }
    }
  return g_strjoinv (",", items);
}

static char **
build_argv (const char *program, const HvLaunchOptions *options, const char *name, const char *uuid,
            const char *dir)
{
  g_autoptr (GStrvBuilder) argv = g_strv_builder_new ();
  g_autofree char *kernel = absolute_path (options->kernel);
  g_autofree char *initrd = absolute_path (options->initrd);
  g_autofree char *console_log = absolute_path (options->console_log);
  g_autofree char *memory = g_strdup_printf ("%" G_GUINT64_FORMAT, options->memory_mib);
  g_autofree char *cpus = g_strdup_printf ("%u", options->cpus);
  g_autofree char *ready_fd = g_strdup_printf ("%d", CHILD_READY_FD);
  const char *pairs[][2] = {
    { "--name", name },         { "--uuid", uuid },     { "--runtime-dir", dir },
    { "--kernel", kernel },     { "--initrd", initrd }, { "--append", options->cmdline },
    { "--memory", memory },     { "--cpus", cpus },     { "--console-log", console_log },
    { "--ready-fd", ready_fd },
  };

  g_strv_builder_add (argv, program);
  for (gsize i = 0; i < G_N_ELEMENTS (pairs); i++)
    if (pairs[i][1] != NULL)
      g_strv_builder_add_many (argv, pairs[i][0], pairs[i][1], NULL);
  if (options->no_reboot)
    g_strv_builder_add (argv, "--no-reboot");
  if (options->display != NULL)
    g_strv_builder_add_many (argv, "--display", options->display, NULL);
  for (guint i = 0; options->disks != NULL && options->disks[i] != NULL; i++)
    {
      g_autofree char *spec = absolute_disk_spec (options->disks[i]);

      g_strv_builder_add_many (argv, "--disk", spec, NULL);
    }
  for (guint i = 0; options->nics != NULL && options->nics[i] != NULL; i++)
    g_strv_builder_add_many (argv, "--nic", options->nics[i], NULL);
  return g_strv_builder_end (argv);
}

/* Absolute: hv-vmm is started from "/". */
static char *
vmm_path (void)
{
  const char *path = g_getenv ("HV_VMM_PATH");

  return g_canonicalize_filename (path != NULL && *path != '\0' ? path : LIBEXECDIR "/hv-vmm",
                                  NULL);
}

static gboolean
check_options (const HvLaunchOptions *options, GError **error)
{
  g_autofree char *vmm = vmm_path ();

  if (options->kernel == NULL || *options->kernel == '\0')
    {
      g_set_error_literal (error, HV_ERROR, HV_ERROR_INVALID_ARGUMENT,
                           _ ("No kernel was given to boot"));
      return FALSE;
    }
  if (options->name != NULL && !hv_name_is_valid (options->name, error))
    return FALSE;
  if (options->cpus == 0 || options->memory_mib == 0)
    {
      g_set_error_literal (error, HV_ERROR, HV_ERROR_INVALID_ARGUMENT,
                           _ ("A guest needs at least one CPU and some memory"));
      return FALSE;
    }
  if (!g_file_test (vmm, G_FILE_TEST_IS_EXECUTABLE))
    {
      g_set_error (error, HV_ERROR, HV_ERROR_VMM_MISSING,
                   _ ("The hypervisor process “%s” is missing: reinstall Hangar, or set "
                      "HV_VMM_PATH to the hv-vmm program"),
                   vmm);
      return FALSE;
    }
  return TRUE;
}

static gboolean
check_name_free (HvRuntime *self, const char *name, GCancellable *cancellable, GError **error)
{
  g_autoptr (GPtrArray) guests = _hv_runtime_scan (self, TRUE, cancellable, error);

  if (guests == NULL)
    return FALSE;
  for (guint i = 0; i < guests->len; i++)
    if (g_strcmp0 (hv_guest_info_get_name (g_ptr_array_index (guests, i)), name) == 0)
      {
        g_set_error (error, HV_ERROR, HV_ERROR_NAME_IN_USE,
                     _ ("A guest called “%s” is running already: choose another name, or stop "
                        "that guest first"),
                     name);
        return FALSE;
      }
  return TRUE;
}

/* Runs with the launch lock held: makes the directory, starts hv-vmm, waits. */
static HvGuestInfo *
launch_locked (HvRuntime *self, const HvLaunchOptions *options, EarlyConnections *early,
               GCancellable *cancellable, GError **error)
{
  g_autofree char *uuid = g_uuid_string_random ();
  g_autofree char *name =
      options->name != NULL ? g_strdup (options->name) : g_strdup_printf ("vm-%.8s", uuid);
  g_autofree char *dir = g_build_filename (hv_runtime_get_directory (self), uuid, NULL);
  g_autofree char *log_path = absolute_path (options->vmm_log);
  g_autofree char *vmm = vmm_path ();
  g_auto (GStrv) argv = NULL;
  GPid pid = 0;
  int ready_fd;

  if (!check_name_free (self, name, cancellable, error))
    return NULL;
  if (mkdir (dir, 0700) != 0)
    {
      int saved_errno = errno;
      g_set_error (error, HV_ERROR, HV_ERROR_RUNTIME_DIR,
                   _ ("Cannot create the directory “%s”: %s"), dir, g_strerror (saved_errno));
      return NULL;
    }
  early->dir = dir;
  argv = build_argv (vmm, options, name, uuid, dir);
  ready_fd = _hv_spawn_detached (argv[0], argv, log_path, &pid, error);
  if (ready_fd < 0 || !wait_ready (ready_fd, early, log_path, cancellable, error))
    {
      if (early->control != NULL)
        g_clear_object (early->control);
      if (early->console != NULL)
        g_clear_object (early->console);
      if (ready_fd >= 0)
        close (ready_fd);
      cleanup_failed_start (dir, pid);
      return NULL;
    }
  close (ready_fd);
  return _hv_guest_info_new (dir, name, uuid, pid);
}

HvGuestInfo *
hv_runtime_launch (HvRuntime *self, const HvLaunchOptions *options, GSocketConnection **control,
                   GSocketConnection **console, GCancellable *cancellable, GError **error)
{
  EarlyConnections early = { NULL, control, console };
  HvGuestInfo *info;
  int lock_fd;

  g_return_val_if_fail (HV_IS_RUNTIME (self), NULL);
  g_return_val_if_fail (options != NULL, NULL);
  g_return_val_if_fail (control == NULL || *control == NULL, NULL);
  g_return_val_if_fail (console == NULL || *console == NULL, NULL);

  if (!check_options (options, error) || !_hv_runtime_ensure_directory (self, error))
    return NULL;
  /* One launch at a time: the name check and the start must not interleave
   * with another launcher's, nor a cleanup with a directory being born. */
  lock_fd = _hv_runtime_lock_launches (self, TRUE, error);
  if (lock_fd < 0)
    return NULL;
  info = launch_locked (self, options, &early, cancellable, error);
  close (lock_fd);
  return info;
}

static void
launch_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  GError *error = NULL;
  HvGuestInfo *info = hv_runtime_launch (source, task_data, NULL, NULL, cancellable, &error);

  if (info == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, info, (GDestroyNotify) hv_guest_info_unref);
}

void
hv_runtime_launch_async (HvRuntime *self, const HvLaunchOptions *options, GCancellable *cancellable,
                         GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr (GTask) task = NULL;

  g_return_if_fail (HV_IS_RUNTIME (self));
  g_return_if_fail (options != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, hv_runtime_launch_async);
  g_task_set_task_data (task, hv_launch_options_copy (options),
                        (GDestroyNotify) hv_launch_options_free);
  g_task_run_in_thread (task, launch_thread);
}

HvGuestInfo *
hv_runtime_launch_finish (HvRuntime *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
