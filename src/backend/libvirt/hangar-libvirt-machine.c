/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>
#include <errno.h>
#include <glib/gstdio.h>
#include <hv/hv.h>
#include <libvirt/virterror.h>
#include <sys/socket.h>
#include <unistd.h>

#include "hangar-libvirt-private.h"
#include "hangar-libvirt-stream.h"
#include "hangar-libvirt-uri.h"
#include "hangar-libvirt-xml.h"

struct _HangarLibvirtMachine
{
  HangarMachine parent_instance;

  HangarLibvirtConnection *connection; /* weak: the connection owns its machines */
  virDomainPtr domain;
};

G_DEFINE_FINAL_TYPE (HangarLibvirtMachine, hangar_libvirt_machine, HANGAR_TYPE_MACHINE)

/* What a worker thread needs; the machine itself stays on the main thread. */
typedef struct
{
  virDomainPtr domain;
  char *name;
  gboolean local;
  HangarMachineAction action;
  gboolean flag; /* with_disks, autostart */
  char *new_name;
  HangarMachineSpec *spec;
  char *uri; /* the connection's */
} Job;

static void
job_free (Job *job)
{
  virDomainFree (job->domain);
  g_free (job->name);
  g_free (job->new_name);
  g_free (job->uri);
  hangar_machine_spec_free (job->spec);
  g_free (job);
}

static Job *
job_new (HangarLibvirtMachine *self)
{
  Job *job = g_new0 (Job, 1);

  virDomainRef (self->domain);
  job->domain = self->domain;
  job->name = g_strdup (hangar_machine_get_name (HANGAR_MACHINE (self)));
  job->local = self->connection != NULL && _hangar_libvirt_connection_is_local (self->connection);
  if (self->connection != NULL)
    job->uri = g_strdup (hangar_connection_get_uri (HANGAR_CONNECTION (self->connection)));
  return job;
}

static void hangar_libvirt_machine_delete_async (HangarMachine *machine, gboolean with_disks,
                                                 GCancellable *cancellable,
                                                 GAsyncReadyCallback callback, gpointer user_data);

/* Runs FUNC in a worker thread; its result, a HangarLibvirtDomainInfo, is
 * applied to the connection before CALLBACK sees the outcome. */
static void run_job (HangarLibvirtMachine *self, Job *job, GTaskThreadFunc func,
                     GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data,
                     gpointer source_tag);

static void
job_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  HangarLibvirtMachine *self = HANGAR_LIBVIRT_MACHINE (source);
  g_autoptr (GTask) outer = user_data;
  g_autoptr (HangarLibvirtDomainInfo) info = NULL;
  GError *error = NULL;

  info = g_task_propagate_pointer (G_TASK (result), &error);
  if (error != NULL)
    {
      g_task_return_error (outer, error);
      return;
    }
  if (info != NULL && self->connection != NULL)
    {
      HangarMachine *machine = _hangar_libvirt_connection_apply (self->connection, info);
      g_task_return_pointer (outer, g_object_ref (machine), g_object_unref);
      return;
    }
  /* A deleted machine leaves the list now, not when libvirt's event comes. */
  if (g_task_get_source_tag (outer) == hangar_libvirt_machine_delete_async &&
      self->connection != NULL)
    _hangar_libvirt_connection_forget (self->connection,
                                       hangar_machine_get_uuid (HANGAR_MACHINE (self)));
  g_task_return_pointer (outer, NULL, NULL);
}

static void
run_job (HangarLibvirtMachine *self, Job *job, GTaskThreadFunc func, GCancellable *cancellable,
         GAsyncReadyCallback callback, gpointer user_data, gpointer source_tag)
{
  GTask *outer = g_task_new (self, cancellable, callback, user_data);
  g_autoptr (GTask) inner = g_task_new (self, cancellable, job_done, outer);

  g_task_set_source_tag (outer, source_tag);
  g_task_set_task_data (inner, job, (GDestroyNotify) job_free);
  g_task_run_in_thread (inner, func);
}

static void
return_domain_info (GTask *task, virDomainPtr domain)
{
  GError *error = NULL;
  HangarLibvirtDomainInfo *info = _hangar_libvirt_read_domain (domain, &error);

  if (info == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, info, (GDestroyNotify) _hangar_libvirt_domain_info_free);
}

static gboolean
finish_job (GAsyncResult *result, GError **error)
{
  g_autoptr (GObject) machine = NULL;
  GError *local_error = NULL;

  machine = g_task_propagate_pointer (G_TASK (result), &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, local_error);
      return FALSE;
    }
  return TRUE;
}

/* ---- Lifecycle ---- */

/* Runs the action; on failure sets ERROR with a message naming the action. */
static gboolean
run_action (Job *job, GError **error)
{
  switch (job->action)
    {
      case HANGAR_MACHINE_ACTION_START:
        if (virDomainCreate (job->domain) == 0)
          return TRUE;
        _hangar_libvirt_set_error (error, _ ("Could not start “%s”: %s"), job->name);
        return FALSE;
      case HANGAR_MACHINE_ACTION_PAUSE:
        if (virDomainSuspend (job->domain) == 0)
          return TRUE;
        _hangar_libvirt_set_error (error, _ ("Could not pause “%s”: %s"), job->name);
        return FALSE;
      case HANGAR_MACHINE_ACTION_RESUME:
        if (virDomainResume (job->domain) == 0)
          return TRUE;
        _hangar_libvirt_set_error (error, _ ("Could not resume “%s”: %s"), job->name);
        return FALSE;
      case HANGAR_MACHINE_ACTION_SHUTDOWN:
        if (virDomainShutdown (job->domain) == 0)
          return TRUE;
        _hangar_libvirt_set_error (error, _ ("Could not shut down “%s”: %s"), job->name);
        return FALSE;
      case HANGAR_MACHINE_ACTION_REBOOT:
        if (virDomainReboot (job->domain, 0) == 0)
          return TRUE;
        _hangar_libvirt_set_error (error, _ ("Could not restart “%s”: %s"), job->name);
        return FALSE;
      case HANGAR_MACHINE_ACTION_FORCE_OFF:
        if (virDomainDestroy (job->domain) == 0)
          return TRUE;
        _hangar_libvirt_set_error (error, _ ("Could not force off “%s”: %s"), job->name);
        return FALSE;
      case HANGAR_MACHINE_ACTION_DELETE:
      case HANGAR_MACHINE_ACTION_CLONE:
      case HANGAR_MACHINE_ACTION_EDIT:
      default:
        g_assert_not_reached ();
    }
}

static void
action_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  Job *job = task_data;
  GError *error = NULL;

  if (!run_action (job, &error))
    g_task_return_error (task, error);
  else
    return_domain_info (task, job->domain);
}

static void
hangar_libvirt_machine_run_action_async (HangarMachine *machine, HangarMachineAction action,
                                         GCancellable *cancellable, GAsyncReadyCallback callback,
                                         gpointer user_data)
{
  HangarLibvirtMachine *self = HANGAR_LIBVIRT_MACHINE (machine);
  Job *job = job_new (self);

  job->action = action;
  run_job (self, job, action_thread, cancellable, callback, user_data,
           hangar_libvirt_machine_run_action_async);
}

static gboolean
hangar_libvirt_machine_run_action_finish (HangarMachine *machine, GAsyncResult *result,
                                          GError **error)
{
  return finish_job (result, error);
}

/* ---- Disks ---- */

/* A disk path as the spec holds it: a file or device path, or "pool/volume". */
static virStorageVolPtr
lookup_volume (virConnectPtr conn, const char *path)
{
  virStorageVolPtr volume;
  const char *slash;

  if (g_path_is_absolute (path))
    {
      volume = virStorageVolLookupByPath (conn, path);
      virResetLastError ();
      return volume;
    }
  slash = strchr (path, '/');
  if (slash != NULL)
    {
      g_autofree char *pool_name = g_strndup (path, slash - path);
      virStoragePoolPtr pool = virStoragePoolLookupByName (conn, pool_name);

      if (pool != NULL)
        {
          volume = virStorageVolLookupByName (pool, slash + 1);
          virStoragePoolFree (pool);
          virResetLastError ();
          return volume;
        }
    }
  virResetLastError ();
  return NULL;
}

static gboolean
disk_is_copied (const HangarDiskSpec *disk)
{
  return !disk->readonly && !disk->cdrom && disk->path != NULL;
}

static gboolean
delete_disk (virConnectPtr conn, const char *path, gboolean local, GError **error)
{
  virStorageVolPtr volume = lookup_volume (conn, path);

  if (volume != NULL)
    {
      int status = virStorageVolDelete (volume, 0);
      virStorageVolFree (volume);
      if (status < 0)
        {
          _hangar_libvirt_set_error (error, _ ("Could not delete the disk %s: %s"), path);
          return FALSE;
        }
      return TRUE;
    }
  if (local && g_path_is_absolute (path) && !g_str_has_prefix (path, "/dev/"))
    {
      if (g_unlink (path) == 0 || errno == ENOENT)
        return TRUE;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno),
                   _ ("Could not delete the disk %s: %s"), path, g_strerror (errno));
      return FALSE;
    }
  /* Block devices and remote files are the user's to reuse, not ours to wipe. */
  return TRUE;
}

static void
delete_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  Job *job = task_data;
  virConnectPtr conn = virDomainGetConnect (job->domain);
  unsigned int flags = VIR_DOMAIN_UNDEFINE_MANAGED_SAVE | VIR_DOMAIN_UNDEFINE_SNAPSHOTS_METADATA |
                       VIR_DOMAIN_UNDEFINE_NVRAM;
  GError *error = NULL;

  if (virDomainUndefineFlags (job->domain, flags) < 0 && virDomainUndefine (job->domain) < 0)
    {
      _hangar_libvirt_set_error (&error, _ ("Could not delete “%s”: %s"), job->name);
      g_task_return_error (task, error);
      return;
    }

  for (guint i = 0; job->flag && i < job->spec->disks->len; i++)
    {
      const HangarDiskSpec *disk = g_ptr_array_index (job->spec->disks, i);

      if (disk_is_copied (disk) && !delete_disk (conn, disk->path, job->local, &error))
        {
          g_prefix_error (&error, _ ("“%s” was deleted, but not all of its disks: "), job->name);
          g_task_return_error (task, error);
          return;
        }
    }
  g_task_return_pointer (task, NULL, NULL);
}

static void
hangar_libvirt_machine_delete_async (HangarMachine *machine, gboolean with_disks,
                                     GCancellable *cancellable, GAsyncReadyCallback callback,
                                     gpointer user_data)
{
  HangarLibvirtMachine *self = HANGAR_LIBVIRT_MACHINE (machine);
  Job *job = job_new (self);

  job->flag = with_disks;
  job->spec = hangar_machine_spec_copy (hangar_machine_get_spec (machine));
  run_job (self, job, delete_thread, cancellable, callback, user_data,
           hangar_libvirt_machine_delete_async);
}

static gboolean
hangar_libvirt_machine_delete_finish (HangarMachine *machine, GAsyncResult *result, GError **error)
{
  return finish_job (result, error);
}

/* ---- Cloning ---- */

/* The clone's disk beside the original: NEW_NAME.img, NEW_NAME-2.img, ... */
static char *
clone_disk_name (const char *original, const char *new_name, guint index)
{
  g_autofree char *base = g_path_get_basename (original);
  const char *dot = strrchr (base, '.');
  const char *extension = dot != NULL && dot != base ? dot : ".img";

  if (index == 0)
    return g_strconcat (new_name, extension, NULL);
  return g_strdup_printf ("%s-%u%s", new_name, index + 1, extension);
}

static char *
clone_volume (virStorageVolPtr volume, const char *new_volume_name, GError **error)
{
  virStoragePoolPtr pool = virStoragePoolLookupByVolume (volume);
  virStorageVolInfo info;
  virStorageVolPtr copy = NULL;
  g_autofree char *xml = NULL;
  char *path = NULL;

  if (pool != NULL && virStorageVolGetInfo (volume, &info) == 0)
    {
      xml = g_markup_printf_escaped ("<volume><name>%s</name>"
                                     "<capacity unit='bytes'>%llu</capacity></volume>",
                                     new_volume_name, info.capacity);
      copy = virStorageVolCreateXMLFrom (pool, xml, volume, 0);
    }
  if (copy != NULL)
    path = virStorageVolGetPath (copy);
  if (path == NULL)
    _hangar_libvirt_set_error (error, _ ("Could not copy the disk %s: %s"),
                               virStorageVolGetName (volume));
  if (copy != NULL)
    virStorageVolFree (copy);
  if (pool != NULL)
    virStoragePoolFree (pool);
  return path;
}

static char *
copy_disk (virConnectPtr conn, const char *path, const char *new_name, guint index, gboolean local,
           GCancellable *cancellable, GError **error)
{
  g_autofree char *file_name = clone_disk_name (path, new_name, index);
  virStorageVolPtr volume = lookup_volume (conn, path);
  char *new_path;

  if (volume != NULL)
    {
      new_path = clone_volume (volume, file_name, error);
      virStorageVolFree (volume);
      return new_path;
    }
  if (local && g_path_is_absolute (path) && !g_str_has_prefix (path, "/dev/"))
    {
      g_autofree char *dir = g_path_get_dirname (path);

      new_path = g_build_filename (dir, file_name, NULL);
      if (!hv_disk_copy (path, new_path, cancellable, NULL, NULL, error))
        g_clear_pointer (&new_path, g_free);
      return new_path;
    }
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
               _ ("Hangar cannot copy the disk %s: it is neither a file on this computer nor a "
                  "volume of a libvirt storage pool. Copy it by hand, then attach the copy."),
               path);
  return NULL;
}

static void
undo_copies (virConnectPtr conn, GPtrArray *copies, gboolean local)
{
  for (guint i = 0; i < copies->len; i++)
    {
      const char *path = g_ptr_array_index (copies, i);
      if (*path != '\0')
        delete_disk (conn, path, local, NULL);
    }
}

static char *
define_clone (virConnectPtr conn, Job *job, GPtrArray *copies, GError **error)
{
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();
  g_auto (GStrv) new_paths = NULL;
  g_autofree char *xml = NULL;
  char *clone_xml;

  for (guint i = 0; i < copies->len; i++)
    g_strv_builder_add (builder, g_ptr_array_index (copies, i));
  new_paths = g_strv_builder_end (builder);

  xml = virDomainGetXMLDesc (job->domain, VIR_DOMAIN_XML_INACTIVE | VIR_DOMAIN_XML_SECURE);
  if (xml == NULL)
    {
      _hangar_libvirt_set_error (error, _ ("Could not read the settings of “%s”: %s"), job->name);
      return NULL;
    }
  clone_xml =
      hangar_libvirt_xml_for_clone (xml, job->new_name, (const char *const *) new_paths, error);
  return clone_xml;
}

static void
clone_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  Job *job = task_data;
  virConnectPtr conn = virDomainGetConnect (job->domain);
  g_autoptr (GPtrArray) copies = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *clone_xml = NULL;
  virDomainPtr clone;
  GError *error = NULL;

  clone = virDomainLookupByName (conn, job->new_name);
  virResetLastError ();
  if (clone != NULL)
    {
      virDomainFree (clone);
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_EXISTS,
                               _ ("A machine named “%s” exists already: choose another name."),
                               job->new_name);
      return;
    }

  for (guint i = 0; i < job->spec->disks->len; i++)
    {
      const HangarDiskSpec *disk = g_ptr_array_index (job->spec->disks, i);
      char *copy;

      if (!disk_is_copied (disk))
        continue;
      copy =
          copy_disk (conn, disk->path, job->new_name, copies->len, job->local, cancellable, &error);
      if (copy == NULL)
        goto failed;
      g_ptr_array_add (copies, copy);
    }

  clone_xml = define_clone (conn, job, copies, &error);
  if (clone_xml == NULL)
    goto failed;
  clone = virDomainDefineXML (conn, clone_xml);
  if (clone == NULL)
    {
      _hangar_libvirt_set_error (&error, _ ("Could not create “%s”: %s"), job->new_name);
      goto failed;
    }
  return_domain_info (task, clone);
  virDomainFree (clone);
  return;

failed:
  /* Leave nothing half-made behind. */
  undo_copies (conn, copies, job->local);
  g_task_return_error (task, error);
}

static void
hangar_libvirt_machine_clone_async (HangarMachine *machine, const char *new_name,
                                    GCancellable *cancellable, GAsyncReadyCallback callback,
                                    gpointer user_data)
{
  HangarLibvirtMachine *self = HANGAR_LIBVIRT_MACHINE (machine);
  Job *job = job_new (self);

  job->new_name = g_strdup (new_name);
  job->spec = hangar_machine_spec_copy (hangar_machine_get_spec (machine));
  run_job (self, job, clone_thread, cancellable, callback, user_data,
           hangar_libvirt_machine_clone_async);
}

static HangarMachine *
hangar_libvirt_machine_clone_finish (HangarMachine *machine, GAsyncResult *result, GError **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- Settings ---- */

static void
update_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  Job *job = task_data;
  virConnectPtr conn = virDomainGetConnect (job->domain);
  g_autofree char *xml = NULL;
  g_autofree char *new_xml = NULL;
  virDomainPtr domain;
  GError *error = NULL;

  xml = virDomainGetXMLDesc (job->domain, VIR_DOMAIN_XML_INACTIVE | VIR_DOMAIN_XML_SECURE);
  if (xml == NULL)
    {
      _hangar_libvirt_set_error (&error, _ ("Could not read the settings of “%s”: %s"), job->name);
      g_task_return_error (task, error);
      return;
    }
  new_xml = hangar_libvirt_xml_update (xml, job->spec, &error);
  if (new_xml == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  domain = virDomainDefineXML (conn, new_xml);
  if (domain == NULL)
    {
      _hangar_libvirt_set_error (&error, _ ("Could not change the settings of “%s”: %s"),
                                 job->name);
      g_task_return_error (task, error);
      return;
    }
  return_domain_info (task, domain);
  virDomainFree (domain);
}

static void
hangar_libvirt_machine_update_async (HangarMachine *machine, const HangarMachineSpec *spec,
                                     GCancellable *cancellable, GAsyncReadyCallback callback,
                                     gpointer user_data)
{
  HangarLibvirtMachine *self = HANGAR_LIBVIRT_MACHINE (machine);
  Job *job = job_new (self);

  job->spec = hangar_machine_spec_copy (spec);
  run_job (self, job, update_thread, cancellable, callback, user_data,
           hangar_libvirt_machine_update_async);
}

static gboolean
hangar_libvirt_machine_update_finish (HangarMachine *machine, GAsyncResult *result, GError **error)
{
  return finish_job (result, error);
}

static void
autostart_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  Job *job = task_data;
  GError *error = NULL;

  if (virDomainSetAutostart (job->domain, job->flag) < 0)
    {
      _hangar_libvirt_set_error (
          &error, _ ("Could not change whether “%s” starts with the host: %s"), job->name);
      g_task_return_error (task, error);
      return;
    }
  return_domain_info (task, job->domain);
}

static void
hangar_libvirt_machine_set_autostart_async (HangarMachine *machine, gboolean autostart,
                                            GCancellable *cancellable, GAsyncReadyCallback callback,
                                            gpointer user_data)
{
  HangarLibvirtMachine *self = HANGAR_LIBVIRT_MACHINE (machine);
  Job *job = job_new (self);

  job->flag = autostart;
  run_job (self, job, autostart_thread, cancellable, callback, user_data,
           hangar_libvirt_machine_set_autostart_async);
}

static gboolean
hangar_libvirt_machine_set_autostart_finish (HangarMachine *machine, GAsyncResult *result,
                                             GError **error)
{
  return finish_job (result, error);
}

/* ---- Consoles ---- */

/* A socket pair whose one end becomes `ssh -W HOST:PORT`'s standard input and
 * output, so that the SPICE client talks through SSH as if it were connected
 * to the port itself: the way to a display that listens on a remote host. */
static int
open_ssh_tunnel (const char *uri_text, const char *host, guint port, GError **error)
{
  g_autoptr (GUri) uri = g_uri_parse (uri_text, G_URI_FLAGS_NONE, error);
  g_autoptr (GSubprocessLauncher) launcher = NULL;
  g_autoptr (GSubprocess) ssh = NULL;
  g_autoptr (GStrvBuilder) argv = g_strv_builder_new ();
  g_auto (GStrv) args = NULL;
  g_autofree char *target = NULL;
  int fds[2];

  if (uri == NULL)
    return -1;
  if (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) < 0)
    {
      int saved = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   _ ("Could not reach the machine’s display: %s"), g_strerror (saved));
      return -1;
    }
  target = g_strdup_printf ("%s:%u", host, port);
  g_strv_builder_add_many (argv, "ssh", "-o", "BatchMode=yes", "-W", target, NULL);
  if (g_uri_get_port (uri) > 0)
    {
      g_autofree char *ssh_port = g_strdup_printf ("%d", g_uri_get_port (uri));
      g_strv_builder_add_many (argv, "-p", ssh_port, NULL);
    }
  if (g_uri_get_user (uri) != NULL)
    g_strv_builder_add_many (argv, "-l", g_uri_get_user (uri), NULL);
  g_strv_builder_add_many (argv, "--", g_uri_get_host (uri), NULL);
  args = g_strv_builder_end (argv);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
  g_subprocess_launcher_take_stdin_fd (launcher, dup (fds[1]));
  g_subprocess_launcher_take_stdout_fd (launcher, fds[1]);
  ssh = g_subprocess_launcher_spawnv (launcher, (const char *const *) args, error);
  if (ssh == NULL)
    {
      close (fds[0]);
      g_prefix_error (error, _ ("Could not start ssh to reach the machine’s display: "));
      return -1;
    }
  /* ssh ends when the client closes its end; reap it then. */
  g_subprocess_wait_async (ssh, NULL, NULL, NULL);
  return fds[0];
}

/* The fd travels boxed, so that a result nobody takes still closes it. */
static void
close_boxed_fd (gpointer data)
{
  int *fd = data;

  if (*fd >= 0)
    close (*fd);
  g_free (fd);
}

static void
return_fd (GTask *task, int fd)
{
  g_task_return_pointer (task, g_memdup2 (&fd, sizeof fd), close_boxed_fd);
}

static void
graphics_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  Job *job = task_data;
  g_autofree char *xml = NULL;
  g_autofree char *host = NULL;
  GError *error = NULL;
  guint port = 0;
  int fd;

  /* The display's own socket where the daemon can hand it over; otherwise
   * its TCP port, through SSH. */
  if (hangar_libvirt_uri_passes_fds (job->uri))
    {
      fd = virDomainOpenGraphicsFD (job->domain, 0, VIR_DOMAIN_OPEN_GRAPHICS_SKIPAUTH);
      if (fd < 0)
        {
          _hangar_libvirt_set_error (&error, _ ("Could not open the display of “%s”: %s"),
                                     job->name);
          return g_task_return_error (task, error);
        }
      return return_fd (task, fd);
    }
  xml = virDomainGetXMLDesc (job->domain, 0);
  if (xml == NULL)
    {
      _hangar_libvirt_set_error (&error, _ ("Could not read the settings of “%s”: %s"), job->name);
      return g_task_return_error (task, error);
    }
  if (!hangar_libvirt_xml_spice_address (xml, &host, &port, &error))
    return g_task_return_error (task, error);
  fd = open_ssh_tunnel (job->uri, host, port, &error);
  if (fd < 0)
    return g_task_return_error (task, error);
  return_fd (task, fd);
}

static void
hangar_libvirt_machine_open_graphics_async (HangarMachine *machine, GCancellable *cancellable,
                                            GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr (GTask) task = g_task_new (machine, cancellable, callback, user_data);

  g_task_set_source_tag (task, hangar_libvirt_machine_open_graphics_async);
  g_task_set_task_data (task, job_new (HANGAR_LIBVIRT_MACHINE (machine)),
                        (GDestroyNotify) job_free);
  g_task_run_in_thread (task, graphics_thread);
}

static int
hangar_libvirt_machine_open_graphics_finish (HangarMachine *machine, GAsyncResult *result,
                                             char **unix_path, GError **error)
{
  int *boxed = g_task_propagate_pointer (G_TASK (result), error);
  int fd;

  if (boxed == NULL)
    return -1;
  fd = *boxed;
  *boxed = -1;
  close_boxed_fd (boxed);
  return fd;
}

static void
free_stream (gpointer stream)
{
  virStreamAbort (stream);
  virResetLastError ();
  virStreamFree (stream);
}

static void
serial_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  Job *job = task_data;
  virStreamPtr stream = virStreamNew (virDomainGetConnect (job->domain), VIR_STREAM_NONBLOCK);
  GError *error = NULL;

  /* FORCE: a console left open elsewhere (a crashed client) must not lock
   * the user out. */
  if (stream == NULL ||
      virDomainOpenConsole (job->domain, NULL, stream, VIR_DOMAIN_CONSOLE_FORCE) < 0)
    {
      _hangar_libvirt_set_error (&error, _ ("Could not open the serial console of “%s”: %s"),
                                 job->name);
      if (stream != NULL)
        virStreamFree (stream);
      return g_task_return_error (task, error);
    }
  g_task_return_pointer (task, stream, free_stream);
}

static void
hangar_libvirt_machine_open_serial_async (HangarMachine *machine, GCancellable *cancellable,
                                          GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr (GTask) task = g_task_new (machine, cancellable, callback, user_data);

  g_task_set_source_tag (task, hangar_libvirt_machine_open_serial_async);
  g_task_set_task_data (task, job_new (HANGAR_LIBVIRT_MACHINE (machine)),
                        (GDestroyNotify) job_free);
  g_task_run_in_thread (task, serial_thread);
}

static GIOStream *
hangar_libvirt_machine_open_serial_finish (HangarMachine *machine, GAsyncResult *result,
                                           GError **error)
{
  virStreamPtr stream = g_task_propagate_pointer (G_TASK (result), error);

  if (stream == NULL)
    return NULL;
  /* The pump lives in the main loop, where libvirt's events are dispatched. */
  return _hangar_libvirt_stream_bridge (stream, error);
}

/* ---- GObject ---- */

static void
hangar_libvirt_machine_finalize (GObject *object)
{
  HangarLibvirtMachine *self = HANGAR_LIBVIRT_MACHINE (object);

  g_clear_weak_pointer (&self->connection);
  virDomainFree (self->domain);

  G_OBJECT_CLASS (hangar_libvirt_machine_parent_class)->finalize (object);
}

static void
hangar_libvirt_machine_class_init (HangarLibvirtMachineClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  HangarMachineClass *machine_class = HANGAR_MACHINE_CLASS (klass);

  object_class->finalize = hangar_libvirt_machine_finalize;

  machine_class->run_action_async = hangar_libvirt_machine_run_action_async;
  machine_class->run_action_finish = hangar_libvirt_machine_run_action_finish;
  machine_class->delete_async = hangar_libvirt_machine_delete_async;
  machine_class->delete_finish = hangar_libvirt_machine_delete_finish;
  machine_class->clone_async = hangar_libvirt_machine_clone_async;
  machine_class->clone_finish = hangar_libvirt_machine_clone_finish;
  machine_class->update_async = hangar_libvirt_machine_update_async;
  machine_class->update_finish = hangar_libvirt_machine_update_finish;
  machine_class->set_autostart_async = hangar_libvirt_machine_set_autostart_async;
  machine_class->set_autostart_finish = hangar_libvirt_machine_set_autostart_finish;
  machine_class->open_graphics_async = hangar_libvirt_machine_open_graphics_async;
  machine_class->open_graphics_finish = hangar_libvirt_machine_open_graphics_finish;
  machine_class->open_serial_async = hangar_libvirt_machine_open_serial_async;
  machine_class->open_serial_finish = hangar_libvirt_machine_open_serial_finish;
}

static void
hangar_libvirt_machine_init (HangarLibvirtMachine *self)
{
}

HangarLibvirtMachine *
_hangar_libvirt_machine_new (HangarLibvirtConnection *connection, HangarLibvirtDomainInfo *info)
{
  HangarLibvirtMachine *self = g_object_new (HANGAR_TYPE_LIBVIRT_MACHINE, "name", info->spec->name,
                                             "uuid", info->uuid, NULL);

  g_set_weak_pointer (&self->connection, connection);
  virDomainRef (info->domain);
  self->domain = info->domain;
  _hangar_libvirt_machine_apply (self, info);
  return self;
}

void
_hangar_libvirt_machine_apply (HangarLibvirtMachine *self, HangarLibvirtDomainInfo *info)
{
  HangarMachine *machine = HANGAR_MACHINE (self);

  _hangar_machine_set_spec (machine, info->spec);
  _hangar_machine_set_state (machine, info->state);
  _hangar_machine_set_autostart (machine, info->autostart);
}

virDomainPtr
_hangar_libvirt_machine_get_domain (HangarLibvirtMachine *self)
{
  return self->domain;
}
