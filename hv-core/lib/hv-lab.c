/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Labs: a template, its member clones and their network (lab-conf.md). */
#include "config.h"

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hv-client.h"
#include "hv-disk.h"
#include "hv-error.h"
#include "hv-keyfile-private.h"
#include "hv-lab.h"
#include "hv-network.h"

/* How long force-off waits for a member's hv-vmm to answer, then to go. */
#define FORCE_OFF_TIMEOUT_MS 3000

char *
hv_lab_get_directory (HvStore *store)
{
  return g_build_filename (hv_store_get_directory (store), "labs", NULL);
}

static char *
lab_path (HvStore *store, const char *name)
{
  g_autofree char *directory = hv_lab_get_directory (store);
  g_autofree char *file = g_strconcat (name, ".conf", NULL);

  return g_build_filename (directory, file, NULL);
}

GStrv
hv_lab_list (HvStore *store, GError **error)
{
  g_autofree char *directory = hv_lab_get_directory (store);
  g_autoptr (GStrvBuilder) names = g_strv_builder_new ();
  g_autoptr (GError) local_error = NULL;
  g_autoptr (GDir) dir = g_dir_open (directory, 0, &local_error);
  const char *entry;
  GStrv list;

  if (dir == NULL && !g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
    {
      g_set_error (error, HV_ERROR, HV_ERROR_FAILED, _ ("Could not read %s: %s"), directory,
                   local_error->message);
      return NULL;
    }
  while (dir != NULL && (entry = g_dir_read_name (dir)) != NULL)
    if (g_str_has_suffix (entry, ".conf") && entry[0] != '.')
      {
        g_autofree char *name = g_strndup (entry, strlen (entry) - strlen (".conf"));
        g_strv_builder_add (names, name);
      }
  list = g_strv_builder_end (names);
  qsort (list, g_strv_length (list), sizeof *list, (GCompareFunc) g_strcmp0);
  return list;
}

HvLabConfig *
hv_lab_load (HvStore *store, const char *name, GError **error)
{
  g_autofree char *path = NULL;
  g_autoptr (HvLabConfig) config = NULL;
  g_autoptr (GError) local_error = NULL;

  if (!hv_name_is_valid (name, error))
    return NULL;
  path = lab_path (store, name);
  config = hv_lab_config_load_file (path, &local_error);
  if (config == NULL && g_error_matches (local_error, HV_ERROR, HV_ERROR_NOT_FOUND))
    {
      g_set_error (error, HV_ERROR, HV_ERROR_NOT_FOUND, _ ("There is no lab called “%s”"), name);
      return NULL;
    }
  if (config == NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  if (g_strcmp0 (config->name, name) != 0)
    {
      g_set_error (error, HV_ERROR, HV_ERROR_INVALID_ARGUMENT,
                   _ ("%s names the lab “%s”: a lab’s file must be named after it"), path,
                   config->name);
      return NULL;
    }
  return g_steal_pointer (&config);
}

char *
hv_lab_find_for_member (HvStore *store, const char *machine)
{
  g_auto (GStrv) labs = hv_lab_list (store, NULL);

  for (guint i = 0; labs != NULL && labs[i] != NULL; i++)
    {
      g_autoptr (HvLabConfig) config = hv_lab_load (store, labs[i], NULL);

      for (guint m = 0; config != NULL && m < config->count; m++)
        {
          g_autofree char *member = hv_lab_config_member_name (config, m);

          if (g_str_equal (member, machine))
            return g_strdup (labs[i]);
        }
    }
  return NULL;
}

/* ---- Progress ---- */

/* Spreads one disk copy's progress over the whole lab's work. */
typedef struct
{
  HvLabProgress progress;
  gpointer user_data;
  const char *member;
  guint64 bytes_before; /* copied in the earlier steps */
  guint64 bytes_total;  /* of every step */
} LabProgress;

static void
lab_progress_report (LabProgress *self, guint64 done)
{
  if (self->progress != NULL && self->bytes_total > 0)
    self->progress ((double) (self->bytes_before + done) / self->bytes_total, self->member,
                    self->user_data);
}

static void
lab_progress_disk (guint64 done, guint64 total, gpointer user_data)
{
  lab_progress_report (user_data, done);
}

static void
lab_progress_done (LabProgress *self)
{
  if (self->progress != NULL)
    self->progress (1.0, NULL, self->user_data);
}

static guint64
file_size (const char *path)
{
  GStatBuf st;

  return g_stat (path, &st) == 0 ? (guint64) st.st_size : 0;
}

/* Readonly disks and CD-ROMs are shared by the members; the others are
 * each member's own copy. */
static gboolean
disk_is_copied (const HvDiskConfig *disk)
{
  return !disk->readonly && !disk->cdrom;
}

/* What one member's copies weigh; 1 for a member without disks, so that
 * progress still moves. */
static guint64
member_weight (const HvMachineConfig *template)
{
  guint64 bytes = 1;

  for (guint i = 0; i < template->disks->len; i++)
    {
      const HvDiskConfig *disk = g_ptr_array_index (template->disks, i);

      if (disk_is_copied (disk))
        bytes += file_size (disk->path);
    }
  return bytes;
}

/* ---- Creating ---- */

/* The template's disks are copied: nothing may write to them meanwhile. */
static gboolean
refuse_running_template (HvStore *store, const char *template, GError **error)
{
  if (!hv_store_machine_is_running (store, template))
    return TRUE;
  g_set_error (error, HV_ERROR, HV_ERROR_INVALID_STATE,
               _ ("Shut down the template “%s” first: its disks are copied while nothing writes "
                  "to them"),
               template);
  return FALSE;
}

/* Refuses a lab whose name, network or members' names are taken. */
static gboolean
check_names_free (HvStore *store, const HvLabConfig *config, GError **error)
{
  g_autofree char *path = lab_path (store, config->name);
  g_autoptr (HvNetworkConfig) network = NULL;

  if (g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, HV_ERROR, HV_ERROR_NAME_IN_USE,
                   _ ("A lab called “%s” exists already: choose another name"), config->name);
      return FALSE;
    }
  network = hv_store_load_network (store, config->name, NULL);
  if (network != NULL)
    {
      g_set_error (error, HV_ERROR, HV_ERROR_NAME_IN_USE,
                   _ ("A network called “%s” exists already, and a lab’s network is named "
                      "after it: choose another name for the lab"),
                   config->name);
      return FALSE;
    }
  for (guint i = 0; i < config->count; i++)
    {
      g_autofree char *member = hv_lab_config_member_name (config, i);
      g_autofree char *directory = hv_store_get_machine_directory (store, member);

      g_autofree char *conf = g_build_filename (directory, "machine.conf", NULL);

      if (g_file_test (conf, G_FILE_TEST_EXISTS))
        {
          g_set_error (error, HV_ERROR, HV_ERROR_NAME_IN_USE,
                       _ ("A machine called “%s” exists already: choose another name prefix "
                          "for the lab’s members"),
                       member);
          return FALSE;
        }
      /* Never touch the disks that a deleted machine left behind. */
      if (g_file_test (directory, G_FILE_TEST_EXISTS))
        {
          g_set_error (error, HV_ERROR, HV_ERROR_NAME_IN_USE,
                       _ ("%s holds the disks of a deleted machine called “%s”: move them away, "
                          "or choose another name prefix for the lab’s members"),
                       directory, member);
          return FALSE;
        }
    }
  return TRUE;
}

/* Puts "systemd.hostname=MEMBER" on CMDLINE, in place of one it had. */
static char *
cmdline_with_hostname (const char *cmdline, const char *member)
{
  g_auto (GStrv) words = g_strsplit (cmdline != NULL ? cmdline : "", " ", -1);
  g_autoptr (GStrvBuilder) kept = g_strv_builder_new ();
  g_auto (GStrv) joined = NULL;
  g_autofree char *hostname = g_strconcat ("systemd.hostname=", member, NULL);

  for (guint i = 0; words[i] != NULL; i++)
    if (words[i][0] != '\0' && !g_str_has_prefix (words[i], "systemd.hostname="))
      g_strv_builder_add (kept, words[i]);
  g_strv_builder_add (kept, hostname);
  joined = g_strv_builder_end (kept);
  return g_strjoinv (" ", joined);
}

/* The member's configuration: the template's, with its own name, its
 * first card on the lab's network and new UUID and MACs (given by the
 * store). Its disks are set by copy_member_disks (). */
static HvMachineConfig *
member_config (const HvLabConfig *lab, const HvMachineConfig *template, const char *member)
{
  HvMachineConfig *config = hv_machine_config_copy (template);
  HvNicConfig *nic;

  g_free (config->name);
  config->name = g_strdup (member);
  g_clear_pointer (&config->uuid, g_free);
  config->autostart = FALSE;
  if (config->nics->len == 0)
    hv_machine_config_add_nic (config, HV_NIC_MODE_NAT, NULL);
  for (guint i = 0; i < config->nics->len; i++)
    g_clear_pointer (&((HvNicConfig *) g_ptr_array_index (config->nics, i))->mac, g_free);
  nic = g_ptr_array_index (config->nics, 0);
  nic->mode =
      lab->network_mode == HV_NETWORK_MODE_ISOLATED ? HV_NIC_MODE_ISOLATED : HV_NIC_MODE_NAT;
  g_free (nic->network);
  nic->network = g_strdup (lab->name);
  if (config->kernel != NULL)
    {
      char *cmdline = cmdline_with_hostname (config->cmdline, member);

      g_free (config->cmdline);
      config->cmdline = cmdline;
    }
  return config;
}

/* Copies the template's disks into the member's directory as diskN.img. */
static gboolean
copy_member_disks (HvMachineConfig *config, const char *directory, LabProgress *progress,
                   GCancellable *cancellable, GError **error)
{
  for (guint i = 0; i < config->disks->len; i++)
    {
      HvDiskConfig *disk = g_ptr_array_index (config->disks, i);
      g_autofree char *file = g_strdup_printf ("disk%u.img", i);
      char *copy;

      if (!disk_is_copied (disk))
        continue;
      copy = g_build_filename (directory, file, NULL);
      if (!hv_disk_copy (disk->path, copy, cancellable, lab_progress_disk, progress, error))
        {
          g_free (copy);
          return FALSE;
        }
      progress->bytes_before += file_size (disk->path);
      g_free (disk->path);
      disk->path = copy;
      disk->size_bytes = 0;
    }
  return TRUE;
}

/* Removes what a member's failed creation made: its copies and directory. */
static void
remove_member_leftovers (HvStore *store, const char *member)
{
  g_autofree char *directory = hv_store_get_machine_directory (store, member);
  g_autoptr (GDir) dir = g_dir_open (directory, 0, NULL);
  const char *entry;

  while (dir != NULL && (entry = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (directory, entry, NULL);
      g_unlink (path);
    }
  g_rmdir (directory);
}

static gboolean
create_member (HvStore *store, const HvLabConfig *lab, const HvMachineConfig *template, guint index,
               LabProgress *progress, GCancellable *cancellable, GError **error)
{
  g_autofree char *member = hv_lab_config_member_name (lab, index);
  g_autofree char *directory = hv_store_get_machine_directory (store, member);
  g_autoptr (HvMachineConfig) config = member_config (lab, template, member);
  g_autofree char *machines = g_path_get_dirname (directory);

  progress->member = member;
  lab_progress_report (progress, 0);
  /* A directory of our own making: on failure, all in it is ours to remove. */
  if (g_mkdir_with_parents (machines, 0700) < 0 || g_mkdir (directory, 0700) < 0)
    {
      g_set_error (error, HV_ERROR, HV_ERROR_FAILED, _ ("Could not create %s: %s"), directory,
                   g_strerror (errno));
      return FALSE;
    }
  if (copy_member_disks (config, directory, progress, cancellable, error) &&
      !g_cancellable_set_error_if_cancelled (cancellable, error) &&
      hv_store_create_machine (store, config, cancellable, error))
    {
      progress->bytes_before += 1;
      progress->member = NULL;
      return TRUE;
    }
  remove_member_leftovers (store, member);
  progress->member = NULL;
  return FALSE;
}

static gboolean
create_network (HvStore *store, HvLabConfig *config, GError **error)
{
  g_autoptr (HvNetworkConfig) network = hv_network_config_new (config->name, config->network_mode);

  network->subnet = g_strdup (config->subnet);
  if (!hv_store_create_network (store, network, error))
    return FALSE;
  g_free (config->subnet);
  config->subnet = g_strdup (network->subnet);
  return TRUE;
}

static gboolean
write_definition (HvStore *store, const HvLabConfig *config, GError **error)
{
  g_autofree char *directory = hv_lab_get_directory (store);
  g_autofree char *path = lab_path (store, config->name);
  g_autofree char *data = hv_lab_config_to_data (config);

  if (g_mkdir_with_parents (directory, 0700) < 0)
    {
      g_set_error (error, HV_ERROR, HV_ERROR_FAILED, _ ("Could not create %s: %s"), directory,
                   g_strerror (errno));
      return FALSE;
    }
  return _hv_write_file (path, data, error);
}

/* Removes the labs and networks directories once nothing is left in them. */
static void
remove_empty_directories (HvStore *store)
{
  g_autofree char *labs = hv_lab_get_directory (store);
  g_autofree char *networks = g_build_filename (hv_store_get_directory (store), "networks", NULL);

  g_rmdir (labs);
  g_rmdir (networks);
}

/* Takes back a creation that failed: MADE members, then the network. */
static void
undo_create (HvStore *store, const HvLabConfig *config, guint made)
{
  for (guint i = 0; i < made; i++)
    {
      g_autofree char *member = hv_lab_config_member_name (config, i);

      hv_store_delete_machine (store, member, TRUE, NULL);
    }
  hv_store_delete_network (store, config->name, NULL);
  remove_empty_directories (store);
}

static HvMachineConfig *
load_template (HvStore *store, const char *name, GError **error)
{
  g_autoptr (GError) local_error = NULL;
  HvMachineConfig *template = hv_store_load_machine (store, name, &local_error);

  if (template == NULL)
    {
      g_set_error (error, HV_ERROR, local_error->code,
                   _ ("The lab’s template machine “%s” cannot be used: %s"), name,
                   local_error->message);
      return NULL;
    }
  return template;
}

gboolean
hv_lab_create (HvStore *store, HvLabConfig *config, GCancellable *cancellable,
               HvLabProgress progress, gpointer user_data, GError **error)
{
  g_autoptr (HvMachineConfig) template = NULL;
  LabProgress lab_progress = { progress, user_data };
  guint made = 0;

  g_return_val_if_fail (HV_IS_STORE (store), FALSE);

  if (!hv_lab_config_validate (config, error) || !check_names_free (store, config, error))
    return FALSE;
  template = load_template (store, config->template_name, error);
  if (template == NULL || !refuse_running_template (store, config->template_name, error) ||
      !create_network (store, config, error))
    return FALSE;
  lab_progress.bytes_total = member_weight (template) * config->count;
  for (; made < config->count; made++)
    if (!create_member (store, config, template, made, &lab_progress, cancellable, error))
      break;
  if (made == config->count && write_definition (store, config, error))
    {
      lab_progress_done (&lab_progress);
      return TRUE;
    }
  undo_create (store, config, made);
  return FALSE;
}

/* ---- Members ---- */

/* What an action on every member knows. */
typedef struct
{
  GHashTable *running; /* name to HvGuestInfo: the guests running as it began */
  GCancellable *cancellable;
  gboolean with_disks;
} MemberAction;

typedef gboolean (*MemberFunc) (HvStore *store, const char *member, MemberAction *action,
                                GError **error);

/* Calls FUNC on each member; goes on past failures, and ERROR then lists
 * each failed member with its reason, a line each. */
static gboolean
for_each_member (HvStore *store, const HvLabConfig *config, MemberFunc func, MemberAction *action,
                 GError **error)
{
  g_autoptr (GString) failures = g_string_new (NULL);
  guint failed = 0;

  for (guint i = 0; i < config->count; i++)
    {
      g_autofree char *member = hv_lab_config_member_name (config, i);
      g_autoptr (GError) local_error = NULL;

      if (func (store, member, action, &local_error))
        continue;
      g_string_append_printf (failures, "%s%s: %s", failed > 0 ? "\n" : "", member,
                              local_error->message);
      failed++;
    }
  if (failed == 0)
    return TRUE;
  g_set_error (error, HV_ERROR, HV_ERROR_FAILED, "%s", failures->str);
  return FALSE;
}

/* Refuses, naming the first running member: the lab's disks are in use. */
static gboolean
refuse_running_members (HvStore *store, const HvLabConfig *config, GError **error)
{
  g_autoptr (GHashTable) running = hv_store_list_running (store, error);

  for (guint i = 0; running != NULL && i < config->count; i++)
    {
      g_autofree char *member = hv_lab_config_member_name (config, i);

      if (g_hash_table_contains (running, member))
        {
          g_set_error (error, HV_ERROR, HV_ERROR_INVALID_STATE,
                       _ ("“%s” is running: shut down the lab’s machines first"), member);
          return FALSE;
        }
    }
  return running != NULL;
}

/* Runs FUNC on every member of the lab NAME, knowing which guests run. */
static gboolean
act_on_members (HvStore *store, const char *name, MemberFunc func, MemberAction *action,
                GError **error)
{
  g_autoptr (HvLabConfig) config = hv_lab_load (store, name, error);
  g_autoptr (GHashTable) running = NULL;

  if (config == NULL || (running = hv_store_list_running (store, error)) == NULL)
    return FALSE;
  action->running = running;
  return for_each_member (store, config, func, action, error);
}

static gboolean
start_member (HvStore *store, const char *member, MemberAction *action, GError **error)
{
  g_autoptr (HvLaunchOptions) options = NULL;
  g_autoptr (HvGuestInfo) info = NULL;
  g_autoptr (GError) local_error = NULL;

  if (g_hash_table_contains (action->running, member))
    return TRUE;
  options = hv_store_prepare_start (store, member, action->cancellable, error);
  if (options == NULL)
    return FALSE;
  info = hv_runtime_launch (hv_store_get_runtime (store), options, NULL, NULL, action->cancellable,
                            &local_error);
  /* Started meanwhile by someone else: as good as started here. */
  if (info != NULL || g_error_matches (local_error, HV_ERROR, HV_ERROR_NAME_IN_USE))
    return TRUE;
  g_propagate_error (error, g_steal_pointer (&local_error));
  return FALSE;
}

gboolean
hv_lab_start (HvStore *store, const char *name, GCancellable *cancellable, GError **error)
{
  MemberAction action = { .cancellable = cancellable };

  return act_on_members (store, name, start_member, &action, error);
}

static gboolean
press_power_button (HvStore *store, const char *member, MemberAction *action, GError **error)
{
  HvGuestInfo *info = g_hash_table_lookup (action->running, member);
  g_autoptr (GMainContext) context = NULL;
  g_autoptr (HvClient) client = NULL;
  g_autoptr (JsonObject) reply = NULL;

  if (info == NULL)
    return TRUE;
  /* Sync client calls run the thread-default context: one of our own. */
  context = g_main_context_new ();
  g_main_context_push_thread_default (context);
  client = hv_client_new_for_guest_sync (info, NULL, error);
  if (client != NULL)
    reply = hv_client_execute_sync (client, "powerdown", NULL, NULL, error);
  g_clear_object (&client);
  g_main_context_pop_thread_default (context);
  return reply != NULL;
}

gboolean
hv_lab_shutdown (HvStore *store, const char *name, GError **error)
{
  MemberAction action = { 0 };

  return act_on_members (store, name, press_power_button, &action, error);
}

static gboolean
force_off_member (HvStore *store, const char *member, MemberAction *action, GError **error)
{
  HvGuestInfo *info = g_hash_table_lookup (action->running, member);

  return info == NULL ||
         hv_runtime_force_off (hv_store_get_runtime (store), info, FORCE_OFF_TIMEOUT_MS, error);
}

gboolean
hv_lab_force_off (HvStore *store, const char *name, GError **error)
{
  MemberAction action = { 0 };

  return act_on_members (store, name, force_off_member, &action, error);
}

/* ---- Reset ---- */

static gboolean
is_inside (const char *path, const char *directory)
{
  g_autofree char *parent = g_path_get_dirname (path);

  return g_strcmp0 (parent, directory) == 0;
}

/* Replaces each of the member's own disks (those in its directory) by a
 * fresh copy of the template's disk of the same place. *REPLACED: how many
 * were, even on failure. */
static gboolean
reset_member (HvStore *store, const HvMachineConfig *template, const char *member,
              LabProgress *progress, guint *replaced, GCancellable *cancellable, GError **error)
{
  g_autoptr (HvMachineConfig) config = hv_store_load_machine (store, member, error);
  g_autofree char *directory = hv_store_get_machine_directory (store, member);

  if (config == NULL)
    return FALSE;
  progress->member = member;
  lab_progress_report (progress, 0);
  for (guint i = 0; i < config->disks->len && i < template->disks->len; i++)
    {
      const HvDiskConfig *disk = g_ptr_array_index (config->disks, i);
      const HvDiskConfig *source = g_ptr_array_index (template->disks, i);

      if (!disk_is_copied (disk) || !disk_is_copied (source) || !is_inside (disk->path, directory))
        continue;
      if (!hv_disk_replace (source->path, disk->path, cancellable, lab_progress_disk, progress,
                            error))
        return FALSE;
      (*replaced)++;
      progress->bytes_before += file_size (source->path);
    }
  progress->bytes_before += 1;
  progress->member = NULL;
  return TRUE;
}

/* A reset is not undone when cancelled: says what was reset and what was
 * not. RESET: the members reset; PARTLY: whether the next one had some of
 * its disks replaced. */
static void
explain_cancelled_reset (const HvLabConfig *config, guint reset, gboolean partly, GError **error)
{
  g_autofree char *next = hv_lab_config_member_name (config, reset);
  g_autoptr (GString) message = g_string_new (NULL);

  if (reset == 0)
    g_string_append (message, _ ("Cancelled before any machine of the lab was reset"));
  else
    g_string_append_printf (
        message,
        g_dngettext (GETTEXT_PACKAGE, "Cancelled after resetting %u of the lab’s %u machines",
                     "Cancelled after resetting %u of the lab’s %u machines", reset),
        reset, config->count);
  if (partly)
    g_string_append_printf (message, _ ("; “%s” has only some of its disks reset"), next);
  g_string_append (message, _ ("; the others keep their disks. Reset the lab again to give every "
                               "machine fresh disks"));
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CANCELLED, message->str);
}

gboolean
hv_lab_reset (HvStore *store, const char *name, GCancellable *cancellable, HvLabProgress progress,
              gpointer user_data, GError **error)
{
  g_autoptr (HvLabConfig) config = hv_lab_load (store, name, error);
  g_autoptr (HvMachineConfig) template = NULL;
  LabProgress lab_progress = { progress, user_data };

  if (config == NULL || !refuse_running_members (store, config, error))
    return FALSE;
  template = load_template (store, config->template_name, error);
  if (template == NULL || !refuse_running_template (store, config->template_name, error))
    return FALSE;
  lab_progress.bytes_total = member_weight (template) * config->count;
  for (guint i = 0; i < config->count; i++)
    {
      g_autofree char *member = hv_lab_config_member_name (config, i);
      g_autoptr (GError) local_error = NULL;
      guint replaced = 0;

      if (reset_member (store, template, member, &lab_progress, &replaced, cancellable,
                        &local_error))
        continue;
      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        explain_cancelled_reset (config, i, replaced > 0, error);
      else
        g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  lab_progress_done (&lab_progress);
  return TRUE;
}

/* ---- Deleting ---- */

static gboolean
delete_member (HvStore *store, const char *member, MemberAction *action, GError **error)
{
  g_autoptr (GError) local_error = NULL;

  /* A member deleted by hand earlier is already what we want. */
  if (hv_store_delete_machine (store, member, action->with_disks, &local_error) ||
      g_error_matches (local_error, HV_ERROR, HV_ERROR_NOT_FOUND))
    return TRUE;
  g_propagate_error (error, g_steal_pointer (&local_error));
  return FALSE;
}

/* Stops the network if it runs (no member does), then deletes it. */
static gboolean
delete_network (HvStore *store, const char *name, GError **error)
{
  HvRuntime *runtime = hv_store_get_runtime (store);
  g_autoptr (HvNetworkInfo) running = hv_network_lookup (runtime, name, NULL);
  g_autoptr (GError) local_error = NULL;

  if (running != NULL && !hv_network_stop (runtime, running, FORCE_OFF_TIMEOUT_MS, error))
    return FALSE;
  if (hv_store_delete_network (store, name, &local_error) ||
      g_error_matches (local_error, HV_ERROR, HV_ERROR_NOT_FOUND))
    return TRUE;
  g_propagate_error (error, g_steal_pointer (&local_error));
  return FALSE;
}

gboolean
hv_lab_delete (HvStore *store, const char *name, gboolean with_disks, GError **error)
{
  g_autoptr (HvLabConfig) config = hv_lab_load (store, name, error);
  MemberAction action = { .with_disks = with_disks };
  g_autofree char *path = NULL;

  if (config == NULL || !refuse_running_members (store, config, error) ||
      !for_each_member (store, config, delete_member, &action, error) ||
      !delete_network (store, name, error))
    return FALSE;
  /* The definition goes last: a delete that failed half-way can be run again. */
  path = lab_path (store, name);
  if (g_unlink (path) < 0)
    {
      g_set_error (error, HV_ERROR, HV_ERROR_FAILED, _ ("Could not delete %s: %s"), path,
                   g_strerror (errno));
      return FALSE;
    }
  remove_empty_directories (store);
  return TRUE;
}

/* ---- Resources ---- */

/* MemTotal and MemAvailable from /proc/meminfo, in MiB. */
static gboolean
read_host_memory (guint64 *total_mib, guint64 *available_mib, GError **error)
{
  g_autofree char *data = NULL;
  g_auto (GStrv) lines = NULL;
  guint found = 0;

  if (!g_file_get_contents ("/proc/meminfo", &data, NULL, error))
    return FALSE;
  lines = g_strsplit (data, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      guint64 kib;

      if (sscanf (lines[i], "MemTotal: %" G_GUINT64_FORMAT " kB", &kib) == 1)
        *total_mib = kib / 1024, found++;
      else if (sscanf (lines[i], "MemAvailable: %" G_GUINT64_FORMAT " kB", &kib) == 1)
        *available_mib = kib / 1024, found++;
    }
  if (found == 2)
    return TRUE;
  g_set_error_literal (error, HV_ERROR, HV_ERROR_FAILED,
                       _ ("Could not read the host’s memory from /proc/meminfo"));
  return FALSE;
}

gboolean
hv_lab_get_resources (HvStore *store, const char *name, HvLabResources *resources, GError **error)
{
  g_autoptr (HvLabConfig) config = hv_lab_load (store, name, error);
  g_autoptr (GHashTable) running = NULL;

  if (config == NULL || (running = hv_store_list_running (store, error)) == NULL)
    return FALSE;
  memset (resources, 0, sizeof *resources);
  resources->host_cpus = g_get_num_processors ();
  if (!read_host_memory (&resources->host_memory_mib, &resources->available_mib, error))
    return FALSE;
  for (guint i = 0; i < config->count; i++)
    {
      g_autofree char *member = hv_lab_config_member_name (config, i);
      g_autoptr (HvMachineConfig) machine = hv_store_load_machine (store, member, error);

      if (machine == NULL)
        return FALSE;
      resources->memory_mib += machine->memory_mib;
      resources->cpus += machine->cpus;
      /* What a running member holds is not available, but is its own. */
      if (g_hash_table_contains (running, member))
        resources->available_mib += machine->memory_mib;
    }
  return TRUE;
}

gboolean
hv_lab_resources_memory_overcommitted (const HvLabResources *resources)
{
  return resources->memory_mib > resources->available_mib;
}

gboolean
hv_lab_resources_cpus_overcommitted (const HvLabResources *resources)
{
  return resources->cpus > resources->host_cpus;
}

/* ---- Export and import ---- */

gboolean
hv_lab_export (HvStore *store, const char *name, const char *filename, GError **error)
{
  g_autoptr (HvLabConfig) config = hv_lab_load (store, name, error);
  g_autofree char *data = NULL;
  g_autoptr (GError) local_error = NULL;

  if (config == NULL)
    return FALSE;
  data = hv_lab_config_to_data (config);
  if (g_file_set_contents_full (filename, data, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0644,
                                &local_error))
    return TRUE;
  g_set_error (error, HV_ERROR, HV_ERROR_FAILED, _ ("Could not write %s: %s"), filename,
               local_error->message);
  return FALSE;
}

HvLabConfig *
hv_lab_import (HvStore *store, const char *filename, const char *new_name,
               GCancellable *cancellable, HvLabProgress progress, gpointer user_data,
               GError **error)
{
  g_autoptr (HvLabConfig) config = hv_lab_config_load_file (filename, error);

  if (config == NULL)
    return NULL;
  if (new_name != NULL && g_strcmp0 (new_name, config->name) != 0)
    {
      g_autofree char *old_default = g_strdup_printf ("%s-pc", config->name);

      /* A renamed lab gets members named after it, unless its prefix was chosen. */
      if (g_strcmp0 (config->prefix, old_default) == 0)
        g_clear_pointer (&config->prefix, g_free);
      g_free (config->name);
      config->name = g_strdup (new_name);
    }
  /* The subnet was free on the computer that exported the lab; here a free
   * one is picked when it is not, as for a new lab. */
  if (config->subnet != NULL && !hv_store_subnet_is_free (store, config->subnet))
    g_clear_pointer (&config->subnet, g_free);
  if (!hv_lab_create (store, config, cancellable, progress, user_data, error))
    return NULL;
  return g_steal_pointer (&config);
}
