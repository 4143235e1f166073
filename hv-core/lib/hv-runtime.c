/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The runtime directory: finding running guests, telling live ones from
 * what a killed hv-vmm left behind, and cleaning up the latter.
 *
 * Liveness is the hv-vmm's exclusive flock on DIR/vmm.lock, never a pid:
 * the kernel drops the lock when the process dies, however it dies, and a
 * pid may have been reused by then.
 */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <gio/gunixsocketaddress.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "hv-client.h"
#include "hv-error.h"
#include "hv-runtime-private.h"

#define HV_POLL_INTERVAL_US (20 * 1000)

struct _HvRuntime
{
  GObject parent_instance;
  char *directory;
};

enum
{
  PROP_0,
  PROP_DIRECTORY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (HvRuntime, hv_runtime, G_TYPE_OBJECT)

static void
hv_runtime_finalize (GObject *object)
{
  HvRuntime *self = HV_RUNTIME (object);

  g_free (self->directory);
  G_OBJECT_CLASS (hv_runtime_parent_class)->finalize (object);
}

static void
hv_runtime_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  HvRuntime *self = HV_RUNTIME (object);

  switch (prop_id)
    {
      case PROP_DIRECTORY:
        g_value_set_string (value, self->directory);
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
hv_runtime_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  HvRuntime *self = HV_RUNTIME (object);

  switch (prop_id)
    {
      case PROP_DIRECTORY:
        self->directory = g_value_dup_string (value);
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
hv_runtime_class_init (HvRuntimeClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = hv_runtime_finalize;
  object_class->get_property = hv_runtime_get_property;
  object_class->set_property = hv_runtime_set_property;

  properties[PROP_DIRECTORY] =
      g_param_spec_string ("directory", NULL, NULL, NULL,
                           G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
hv_runtime_init (HvRuntime *self)
{
}

HvRuntime *
hv_runtime_new (void)
{
  g_autofree char *directory = g_build_filename (g_get_user_runtime_dir (), "hangar", "vms", NULL);

  return hv_runtime_new_for_directory (directory);
}

HvRuntime *
hv_runtime_new_for_directory (const char *directory)
{
  g_return_val_if_fail (directory != NULL, NULL);

  return g_object_new (HV_TYPE_RUNTIME, "directory", directory, NULL);
}

const char *
hv_runtime_get_directory (HvRuntime *self)
{
  g_return_val_if_fail (HV_IS_RUNTIME (self), NULL);

  return self->directory;
}

static gboolean
set_dir_error_reason (GError **error, const char *path, const char *reason)
{
  g_set_error (error, HV_ERROR, HV_ERROR_RUNTIME_DIR,
               _ ("Cannot use the runtime directory “%s”: %s. Make sure it is a directory you "
                  "can write to, or point XDG_RUNTIME_DIR to one."),
               path, reason);
  return FALSE;
}

static gboolean
set_dir_error (GError **error, const char *path, int saved_errno)
{
  return set_dir_error_reason (error, path, g_strerror (saved_errno));
}

/* Like g_mkdir_with_parents (), but names the very directory that failed. */
static gboolean
ensure_private_dir (const char *path, GError **error)
{
  g_autofree char *parent = NULL;
  struct stat st;

  if (stat (path, &st) == 0)
    return S_ISDIR (st.st_mode) ? TRUE : set_dir_error (error, path, ENOTDIR);
  /* ENOTDIR: some parent is a file; the recursion finds and names it. */
  if (errno != ENOENT && errno != ENOTDIR)
    return set_dir_error (error, path, errno);

  parent = g_path_get_dirname (path);
  if (!g_str_equal (parent, path) && !ensure_private_dir (parent, error))
    return FALSE;
  if (mkdir (path, 0700) != 0 && errno != EEXIST)
    {
      int saved_errno = errno;
      return set_dir_error (error, saved_errno == EACCES || saved_errno == EROFS ? parent : path,
                            saved_errno);
    }
  return TRUE;
}

gboolean
_hv_runtime_ensure_directory (HvRuntime *self, GError **error)
{
  if (!ensure_private_dir (self->directory, error))
    return FALSE;
  if (access (self->directory, W_OK | X_OK) != 0)
    return set_dir_error (error, self->directory, errno);
  return TRUE;
}

int
_hv_runtime_lock_launches (HvRuntime *self, gboolean wait, GError **error)
{
  g_autofree char *path = g_build_filename (self->directory, HV_LAUNCH_LOCK, NULL);
  int fd = open (path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOCTTY, 0600);

  if (fd < 0)
    {
      set_dir_error (error, self->directory, errno);
      return -1;
    }
  while (flock (fd, LOCK_EX | (wait ? 0 : LOCK_NB)) != 0)
    {
      if (errno == EINTR)
        continue;
      g_set_error_literal (error, HV_ERROR, HV_ERROR_FAILED,
                           _ ("Another guest is being started at the moment"));
      close (fd);
      return -1;
    }
  return fd;
}

gboolean
_hv_runtime_dir_is_live (const char *dir)
{
  g_autofree char *path = g_build_filename (dir, HV_LOCK_FILE, NULL);
  int fd = open (path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
  gboolean live;

  if (fd < 0)
    return errno != ENOENT; /* what cannot be opened cannot be judged dead */
  live = flock (fd, LOCK_SH | LOCK_NB) != 0 && errno == EWOULDBLOCK;
  close (fd);
  return live;
}

/* Removes DIR's files (a guest directory holds no subdirectories) and DIR. */
void
_hv_runtime_remove_dir (const char *dir)
{
  g_autoptr (GDir) handle = g_dir_open (dir, 0, NULL);
  const char *entry;

  while (handle != NULL && (entry = g_dir_read_name (handle)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, entry, NULL);
      if (g_unlink (path) != 0 && errno != ENOENT)
        g_debug ("cannot remove %s: %s", path, g_strerror (errno));
    }
  if (g_rmdir (dir) != 0 && errno != ENOENT)
    g_debug ("cannot remove %s: %s", dir, g_strerror (errno));
}

/* The pid holding DIR's vmm.lock, from /proc/locks, or 0: the way to find
 * an hv-vmm that does not answer on its socket. */
GPid
_hv_runtime_lock_holder (const char *dir)
{
  g_autofree char *path = g_build_filename (dir, HV_LOCK_FILE, NULL);
  g_autofree char *contents = NULL;
  g_autofree char *key = NULL;
  g_auto (GStrv) lines = NULL;
  struct stat st;

  if (stat (path, &st) != 0 || !g_file_get_contents ("/proc/locks", &contents, NULL, NULL))
    return 0;
  /* "1: FLOCK  ADVISORY  WRITE 4242 00:1f:1234 0 EOF"; waiters have a "->". */
  key = g_strdup_printf ("%02x:%02x:%lu", major (st.st_dev), minor (st.st_dev),
                         (unsigned long) st.st_ino);
  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_auto (GStrv) fields = g_strsplit_set (lines[i], " ", -1);
      g_autoptr (GPtrArray) words = g_ptr_array_new ();

      for (guint j = 0; fields[j] != NULL; j++)
        if (*fields[j] != '\0')
          g_ptr_array_add (words, fields[j]);
      if (words->len >= 6 && g_str_equal (words->pdata[1], "FLOCK") &&
          g_str_equal (words->pdata[5], key))
        return (GPid) g_ascii_strtoll (words->pdata[4], NULL, 10);
    }
  return 0;
}

/* Whether PID runs (a zombie does not: a double-forked hv-vmm is left to
 * whichever process reaps orphans here, maybe late). */
gboolean
_hv_process_is_running (GPid pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/stat", (int) pid);
  g_autofree char *stat = NULL;
  const char *paren;

  if (pid <= 0 || !g_file_get_contents (path, &stat, NULL, NULL))
    return FALSE;
  paren = strrchr (stat, ')');
  return paren != NULL && paren[1] == ' ' && paren[2] != 'Z' && paren[2] != 'X';
}

GSocketConnection *
_hv_connect_unix (const char *path, GCancellable *cancellable, GError **error)
{
  g_autoptr (GSocketClient) client = g_socket_client_new ();
  g_autoptr (GSocketAddress) address = g_unix_socket_address_new (path);
  g_autoptr (GError) local_error = NULL;
  GSocketConnection *connection;

  connection =
      g_socket_client_connect (client, G_SOCKET_CONNECTABLE (address), cancellable, &local_error);
  if (connection == NULL)
    g_set_error (error, HV_ERROR, HV_ERROR_DISCONNECTED, _ ("Cannot connect to “%s”: %s"), path,
                 local_error->message);
  return connection;
}

/* The value of OPTION in PID's command line, if PID is the hv-vmm of UUID:
 * how a guest that does not answer is still found by its name. */
static char *
vmm_cmdline_option (GPid pid, const char *uuid, const char *option)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/cmdline", (int) pid);
  g_autofree char *contents = NULL;
  const char *value = NULL;
  gboolean uuid_matches = FALSE;
  gsize len;

  if (pid <= 0 || !g_file_get_contents (path, &contents, &len, NULL) || len == 0)
    return NULL;
  /* NUL-separated arguments; the file ends with a NUL. */
  for (const char *arg = contents, *next; arg < contents + len; arg = next)
    {
      next = arg + strlen (arg) + 1;
      if (next >= contents + len)
        break;
      if (g_str_equal (arg, "--uuid"))
        uuid_matches = g_str_equal (next, uuid);
      else if (g_str_equal (arg, option))
        value = next;
    }
  return uuid_matches ? g_strdup (value) : NULL;
}

/* What the guest in DIR says about itself; one that does not answer
 * (starting, or hung) is still listed, named from its hv-vmm's arguments. */
static HvGuestInfo *
read_guest_info (const char *dir, const char *uuid, GCancellable *cancellable)
{
  g_autofree char *control = g_build_filename (dir, HV_CONTROL_SOCKET, NULL);
  g_autoptr (HvClient) client = hv_client_new_sync (control, cancellable, NULL);
  g_autofree char *name = NULL;
  GPid pid;

  if (client != NULL)
    return _hv_guest_info_new (dir, hv_client_get_name (client), hv_client_get_uuid (client),
                               hv_client_get_pid (client));
  pid = _hv_runtime_lock_holder (dir);
  name = vmm_cmdline_option (pid, uuid, "--name");
  return _hv_guest_info_new (dir, name, uuid, pid);
}

static int
compare_guests (gconstpointer a, gconstpointer b)
{
  const HvGuestInfo *x = *(HvGuestInfo *const *) a;
  const HvGuestInfo *y = *(HvGuestInfo *const *) b;
  const char *xn = hv_guest_info_get_name (x);
  const char *yn = hv_guest_info_get_name (y);

  if (xn == NULL || yn == NULL)
    return (xn == NULL) - (yn == NULL);
  return g_strcmp0 (xn, yn);
}

static gboolean
is_guest_dir (const char *path)
{
  struct stat st;

  return lstat (path, &st) == 0 && S_ISDIR (st.st_mode);
}

GPtrArray *
_hv_runtime_scan (HvRuntime *self, gboolean may_clean, GCancellable *cancellable, GError **error)
{
  g_autoptr (GPtrArray) guests =
      g_ptr_array_new_with_free_func ((GDestroyNotify) hv_guest_info_unref);
  g_autoptr (GError) local_error = NULL;
  g_autoptr (GDir) dir = g_dir_open (self->directory, 0, &local_error);
  const char *entry;

  if (dir == NULL && g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
    return g_steal_pointer (&guests); /* nothing ever ran */
  if (dir == NULL)
    {
      set_dir_error_reason (error, self->directory, local_error->message);
      return NULL;
    }

  while ((entry = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (self->directory, entry, NULL);

      if (entry[0] == '.' || !is_guest_dir (path))
        continue;
      if (!_hv_runtime_dir_is_live (path))
        {
          if (may_clean)
            _hv_runtime_remove_dir (path);
          continue;
        }
      g_ptr_array_add (guests, read_guest_info (path, entry, cancellable));
    }
  g_ptr_array_sort (guests, compare_guests);
  return g_steal_pointer (&guests);
}

GPtrArray *
hv_runtime_list_guests (HvRuntime *self, GCancellable *cancellable, GError **error)
{
  int lock_fd;
  GPtrArray *guests;

  g_return_val_if_fail (HV_IS_RUNTIME (self), NULL);

  /* Cleaning is only safe while no launch is under way; listing always is. */
  lock_fd = g_file_test (self->directory, G_FILE_TEST_IS_DIR)
                ? _hv_runtime_lock_launches (self, FALSE, NULL)
                : -1;
  guests = _hv_runtime_scan (self, lock_fd >= 0, cancellable, error);
  if (lock_fd >= 0)
    close (lock_fd);
  return guests;
}

HvGuestInfo *
hv_runtime_lookup_guest (HvRuntime *self, const char *name_or_uuid, GCancellable *cancellable,
                         GError **error)
{
  g_autoptr (GPtrArray) guests = NULL;

  g_return_val_if_fail (HV_IS_RUNTIME (self), NULL);
  g_return_val_if_fail (name_or_uuid != NULL, NULL);

  guests = hv_runtime_list_guests (self, cancellable, error);
  if (guests == NULL)
    return NULL;
  for (guint i = 0; i < guests->len; i++)
    {
      HvGuestInfo *info = g_ptr_array_index (guests, i);

      if (g_strcmp0 (hv_guest_info_get_name (info), name_or_uuid) == 0 ||
          g_strcmp0 (hv_guest_info_get_uuid (info), name_or_uuid) == 0)
        return hv_guest_info_ref (info);
    }
  g_set_error (error, HV_ERROR, HV_ERROR_NOT_FOUND, _ ("No running guest is called “%s”"),
               name_or_uuid);
  return NULL;
}

gboolean
hv_runtime_wait_for_exit (HvRuntime *self, const HvGuestInfo *info, guint timeout_ms,
                          GError **error)
{
  const char *dir;
  gint64 deadline;

  g_return_val_if_fail (HV_IS_RUNTIME (self), FALSE);
  g_return_val_if_fail (info != NULL, FALSE);

  dir = hv_guest_info_get_runtime_dir (info);
  deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;
  while (_hv_runtime_dir_is_live (dir))
    {
      if (g_get_monotonic_time () >= deadline)
        {
          g_set_error (error, HV_ERROR, HV_ERROR_TIMED_OUT,
                       _ ("The guest “%s” is still running after %u seconds"),
                       hv_guest_info_get_name (info) != NULL ? hv_guest_info_get_name (info)
                                                             : hv_guest_info_get_uuid (info),
                       (timeout_ms + 999) / 1000);
          return FALSE;
        }
      g_usleep (HV_POLL_INTERVAL_US);
    }
  /* hv-vmm cleans up after itself unless it was killed: whatever is left is stale. */
  if (g_file_test (dir, G_FILE_TEST_EXISTS))
    _hv_runtime_remove_dir (dir);
  return TRUE;
}

gboolean
hv_runtime_kill_guest (HvRuntime *self, const HvGuestInfo *info, GError **error)
{
  const char *dir;
  GPid pid;

  g_return_val_if_fail (HV_IS_RUNTIME (self), FALSE);
  g_return_val_if_fail (info != NULL, FALSE);

  dir = hv_guest_info_get_runtime_dir (info);
  /* The lock's holder is the process to kill: a pid from a greeting could
   * have been reused since. But the holder is whoever took the lock, which
   * may have passed it on to a child (flock(1) does) and ended. */
  pid = _hv_runtime_lock_holder (dir);
  if (!_hv_process_is_running (pid))
    pid = hv_guest_info_get_pid (info);
  if (pid <= 0 && _hv_runtime_dir_is_live (dir))
    {
      g_set_error (error, HV_ERROR, HV_ERROR_FAILED,
                   _ ("Cannot find the process of the guest “%s”"), hv_guest_info_get_uuid (info));
      return FALSE;
    }
  if (pid > 0 && kill (pid, SIGKILL) != 0 && errno != ESRCH)
    {
      int saved_errno = errno;
      g_set_error (error, HV_ERROR, HV_ERROR_FAILED, _ ("Cannot kill process %d: %s"), (int) pid,
                   g_strerror (saved_errno));
      return FALSE;
    }
  return hv_runtime_wait_for_exit (self, info, 5000, error);
}

gboolean
hv_runtime_force_off (HvRuntime *self, const HvGuestInfo *info, guint timeout_ms, GError **error)
{
  /* The sync client calls run a loop of the thread-default context: a
   * context of this call's own keeps a caller's main loop out of it. */
  g_autoptr (GMainContext) context = g_main_context_new ();
  g_autoptr (HvClient) client = NULL;
  g_autoptr (JsonObject) reply = NULL;

  g_return_val_if_fail (HV_IS_RUNTIME (self), FALSE);
  g_return_val_if_fail (info != NULL, FALSE);

  g_main_context_push_thread_default (context);
  client = hv_client_new_for_guest_sync (info, NULL, NULL);
  if (client != NULL)
    {
      hv_client_set_timeout (client, timeout_ms);
      reply = hv_client_execute_sync (client, "quit", NULL, NULL, NULL);
      g_clear_object (&client);
    }
  g_main_context_pop_thread_default (context);
  if (reply != NULL && hv_runtime_wait_for_exit (self, info, timeout_ms, NULL))
    return TRUE;
  return hv_runtime_kill_guest (self, info, error);
}
