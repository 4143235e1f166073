/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The persistent store: machines/ and networks/ under $XDG_DATA_HOME/hangar
 * (hv-core/docs/machine-conf.md). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hv-disk.h"
#include "hv-error.h"
#include "hv-keyfile-private.h"
#include "hv-network.h"
#include "hv-store.h"

#define MACHINE_CONF "machine.conf"
/* Attempts at a MAC no other machine has: 2^24 tails make a clash rare. */
#define MAC_ATTEMPTS 1000

struct _HvStore
{
  GObject parent_instance;

  char *directory;
  char *machines_directory;
  char *networks_directory;
  HvRuntime *runtime;
};

G_DEFINE_FINAL_TYPE (HvStore, hv_store, G_TYPE_OBJECT)

static void
hv_store_finalize (GObject *object)
{
  HvStore *self = HV_STORE (object);

  g_free (self->directory);
  g_free (self->machines_directory);
  g_free (self->networks_directory);
  g_clear_object (&self->runtime);
  G_OBJECT_CLASS (hv_store_parent_class)->finalize (object);
}

static void
hv_store_class_init (HvStoreClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = hv_store_finalize;
}

static void
hv_store_init (HvStore *self)
{
}

HvStore *
hv_store_new_for_directory (const char *directory, HvRuntime *runtime)
{
  HvStore *self = g_object_new (HV_TYPE_STORE, NULL);

  g_return_val_if_fail (directory != NULL, NULL);

  self->directory = g_strdup (directory);
  self->machines_directory = g_build_filename (directory, "machines", NULL);
  self->networks_directory = g_build_filename (directory, "networks", NULL);
  self->runtime = runtime != NULL ? g_object_ref (runtime) : hv_runtime_new ();
  return self;
}

HvStore *
hv_store_new (void)
{
  g_autofree char *directory = g_build_filename (g_get_user_data_dir (), "hangar", NULL);

  return hv_store_new_for_directory (directory, NULL);
}

const char *
hv_store_get_directory (HvStore *self)
{
  g_return_val_if_fail (HV_IS_STORE (self), NULL);
  return self->directory;
}

const char *
hv_store_get_machines_directory (HvStore *self)
{
  g_return_val_if_fail (HV_IS_STORE (self), NULL);
  return self->machines_directory;
}

HvRuntime *
hv_store_get_runtime (HvStore *self)
{
  g_return_val_if_fail (HV_IS_STORE (self), NULL);
  return self->runtime;
}

char *
hv_store_get_machine_directory (HvStore *self, const char *name)
{
  g_return_val_if_fail (HV_IS_STORE (self), NULL);
  return g_build_filename (self->machines_directory, name, NULL);
}

/* A macro, so that the compiler checks each literal format ("...%s...: %s"). */
#define set_io_error(error, saved_errno, format, path) \
  (g_set_error (error, HV_ERROR, HV_ERROR_FAILED, format, path, g_strerror (saved_errno)), FALSE)

static int
compare_strings (const void *a, const void *b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

/* The names in DIRECTORY that ENTRY_NAME accepts, sorted; none if it is missing. */
static GStrv
list_entries (HvStore *self, const char *directory,
              char *(*entry_name) (HvStore *self, const char *entry), GError **error)
{
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();
  g_autoptr (GError) local_error = NULL;
  g_autoptr (GDir) dir = g_dir_open (directory, 0, &local_error);
  const char *entry;
  GStrv names;

  if (dir == NULL && !g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
    {
      g_set_error (error, HV_ERROR, HV_ERROR_FAILED, _ ("Could not read %s: %s"), directory,
                   local_error->message);
      return NULL;
    }
  while (dir != NULL && (entry = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *name = entry_name (self, entry);
      if (name != NULL)
        g_strv_builder_add (builder, name);
    }
  names = g_strv_builder_end (builder);
  qsort (names, g_strv_length (names), sizeof (char *), compare_strings);
  return names;
}

/* ---- Machines ---- */

static char *
machine_entry_name (HvStore *self, const char *entry)
{
  g_autofree char *conf = g_build_filename (self->machines_directory, entry, MACHINE_CONF, NULL);

  if (!hv_name_is_valid (entry, NULL) || !g_file_test (conf, G_FILE_TEST_IS_REGULAR))
    return NULL;
  return g_strdup (entry);
}

GStrv
hv_store_list_machines (HvStore *self, GError **error)
{
  g_return_val_if_fail (HV_IS_STORE (self), NULL);
  return list_entries (self, self->machines_directory, machine_entry_name, error);
}

static char *
machine_conf_path (HvStore *self, const char *name)
{
  return g_build_filename (self->machines_directory, name, MACHINE_CONF, NULL);
}

HvMachineConfig *
hv_store_load_machine (HvStore *self, const char *name, GError **error)
{
  g_autofree char *path = NULL;
  g_autoptr (HvMachineConfig) config = NULL;

  g_return_val_if_fail (HV_IS_STORE (self), NULL);

  if (!hv_name_is_valid (name, error))
    return NULL;
  path = machine_conf_path (self, name);
  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, HV_ERROR, HV_ERROR_NOT_FOUND, _ ("No machine is called “%s”"), name);
      return NULL;
    }
  config = hv_machine_config_load_file (path, error);
  if (config == NULL)
    return NULL;
  if (!g_str_equal (config->name, name))
    {
      g_set_error (error, HV_ERROR, HV_ERROR_INVALID_ARGUMENT,
                   _ ("%s names the machine “%s”, not “%s” as its directory does"), path,
                   config->name, name);
      return NULL;
    }
  return g_steal_pointer (&config);
}

gboolean
hv_store_machine_is_running (HvStore *self, const char *name)
{
  g_autoptr (HvGuestInfo) info = NULL;

  g_return_val_if_fail (HV_IS_STORE (self), FALSE);
  info = hv_runtime_lookup_guest (self->runtime, name, NULL, NULL);
  return info != NULL;
}

GHashTable *
hv_store_list_running (HvStore *self, GError **error)
{
  g_autoptr (GPtrArray) guests = NULL;
  GHashTable *running;

  g_return_val_if_fail (HV_IS_STORE (self), NULL);
  guests = hv_runtime_list_guests (self->runtime, NULL, error);
  if (guests == NULL)
    return NULL;
  running =
      g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) hv_guest_info_unref);
  for (guint i = 0; i < guests->len; i++)
    {
      HvGuestInfo *info = g_ptr_array_index (guests, i);

      /* A guest whose name cannot be told is no machine's. */
      if (hv_guest_info_get_name (info) != NULL)
        g_hash_table_insert (running, g_strdup (hv_guest_info_get_name (info)),
                             hv_guest_info_ref (info));
    }
  return running;
}

static gboolean
refuse_if_running (HvStore *self, const char *name, GError **error)
{
  if (!hv_store_machine_is_running (self, name))
    return TRUE;
  g_set_error (error, HV_ERROR, HV_ERROR_INVALID_STATE, _ ("“%s” is running: shut it down first"),
               name);
  return FALSE;
}

/* The MACs of every machine but EXCEPT (lower case). Machines whose file
 * cannot be read are skipped: they cannot start either. */
static GHashTable *
collect_macs (HvStore *self, const char *except)
{
  GHashTable *macs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_auto (GStrv) names = hv_store_list_machines (self, NULL);

  for (guint i = 0; names != NULL && names[i] != NULL; i++)
    {
      g_autoptr (HvMachineConfig) config = NULL;

      if (g_strcmp0 (names[i], except) == 0)
        continue;
      config = hv_store_load_machine (self, names[i], NULL);
      for (guint j = 0; config != NULL && j < config->nics->len; j++)
        {
          HvNicConfig *nic = g_ptr_array_index (config->nics, j);
          if (nic->mac != NULL)
            g_hash_table_add (macs, g_ascii_strdown (nic->mac, -1));
        }
    }
  return macs;
}

static char *
unique_mac (GHashTable *taken, GError **error)
{
  for (guint i = 0; i < MAC_ATTEMPTS; i++)
    {
      char *mac = hv_mac_generate ();

      if (!g_hash_table_contains (taken, mac))
        return mac;
      g_free (mac);
    }
  g_set_error_literal (error, HV_ERROR, HV_ERROR_FAILED,
                       _ ("Could not find a MAC address that no other machine uses"));
  return NULL;
}

char *
hv_store_new_mac (HvStore *self, GError **error)
{
  g_autoptr (GHashTable) taken = NULL;

  g_return_val_if_fail (HV_IS_STORE (self), NULL);
  taken = collect_macs (self, NULL);
  return unique_mac (taken, error);
}

/* Gives CONFIG's cards without a MAC one that no other machine (nor another
 * of its cards) has, and refuses a given MAC another machine has. */
static gboolean
assign_macs (HvStore *self, HvMachineConfig *config, const char *except, GError **error)
{
  g_autoptr (GHashTable) taken = collect_macs (self, except);

  for (guint i = 0; i < config->nics->len; i++)
    {
      HvNicConfig *nic = g_ptr_array_index (config->nics, i);
      g_autofree char *lower = nic->mac != NULL ? g_ascii_strdown (nic->mac, -1) : NULL;

      if (lower != NULL && g_hash_table_contains (taken, lower))
        {
          g_set_error (error, HV_ERROR, HV_ERROR_INVALID_ARGUMENT,
                       _ ("Another machine has the MAC address %s already"), nic->mac);
          return FALSE;
        }
      if (lower != NULL)
        g_hash_table_add (taken, g_steal_pointer (&lower));
    }
  for (guint i = 0; i < config->nics->len; i++)
    {
      HvNicConfig *nic = g_ptr_array_index (config->nics, i);

      if (nic->mac != NULL || nic->mode == HV_NIC_MODE_NONE)
        continue;
      nic->mac = unique_mac (taken, error);
      if (nic->mac == NULL)
        return FALSE;
      g_hash_table_add (taken, g_strdup (nic->mac));
    }
  return TRUE;
}

/* A card on a named network needs that network, of its own mode. */
static gboolean
check_networks (HvStore *self, const HvMachineConfig *config, GError **error)
{
  for (guint i = 0; i < config->nics->len; i++)
    {
      const HvNicConfig *nic = g_ptr_array_index (config->nics, i);
      g_autoptr (HvNetworkConfig) network = NULL;
      HvNetworkMode wanted =
          nic->mode == HV_NIC_MODE_ISOLATED ? HV_NETWORK_MODE_ISOLATED : HV_NETWORK_MODE_NAT;

      if ((nic->mode != HV_NIC_MODE_NAT && nic->mode != HV_NIC_MODE_ISOLATED) ||
          nic->network == NULL)
        continue;
      network = hv_store_load_network (self, nic->network, error);
      if (network == NULL)
        return FALSE;
      if (network->mode != wanted)
        {
          g_set_error (error, HV_ERROR, HV_ERROR_INVALID_ARGUMENT,
                       _ ("The network “%s” is %s, not %s: choose a network of that mode"),
                       nic->network, hv_network_mode_to_string (network->mode),
                       hv_network_mode_to_string (wanted));
          return FALSE;
        }
    }
  return TRUE;
}

/* New images get diskN.img in the machine's directory; relative paths are
 * relative to it. Existing images must be there. */
static gboolean
place_disks (HvMachineConfig *config, const char *directory, GError **error)
{
  for (guint i = 0; i < config->disks->len; i++)
    {
      HvDiskConfig *disk = g_ptr_array_index (config->disks, i);

      if (disk->path == NULL)
        disk->path = g_strdup_printf ("%s/disk%u.img", directory, i);
      else if (!g_path_is_absolute (disk->path))
        {
          char *absolute = g_build_filename (directory, disk->path, NULL);
          g_free (disk->path);
          disk->path = absolute;
        }
      if (disk->size_bytes == 0 && !g_file_test (disk->path, G_FILE_TEST_EXISTS))
        {
          g_set_error (error, HV_ERROR, HV_ERROR_NOT_FOUND,
                       _ ("The disk image %s does not exist: give its size to create it"),
                       disk->path);
          return FALSE;
        }
    }
  return TRUE;
}

static gboolean
create_images (const HvMachineConfig *config, GPtrArray *created, GCancellable *cancellable,
               GError **error)
{
  for (guint i = 0; i < config->disks->len; i++)
    {
      HvDiskConfig *disk = g_ptr_array_index (config->disks, i);

      if (disk->size_bytes == 0)
        continue;
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;
      if (!hv_disk_create (disk->path, disk->size_bytes, error))
        return FALSE;
      g_ptr_array_add (created, g_strdup (disk->path));
    }
  return TRUE;
}

static gboolean
refuse_existing (HvStore *self, const char *name, GError **error)
{
  g_autofree char *conf = machine_conf_path (self, name);

  if (!g_file_test (conf, G_FILE_TEST_EXISTS))
    return TRUE;
  g_set_error (error, HV_ERROR, HV_ERROR_NAME_IN_USE,
               _ ("A machine called “%s” exists already: choose another name"), name);
  return FALSE;
}

/* Makes the machine's directory; one left by a machine deleted without its
 * disks is used again, never one with a machine.conf. */
static gboolean
make_machine_directory (HvStore *self, const char *name, const char *directory, gboolean *made,
                        GError **error)
{
  g_autofree char *conf = machine_conf_path (self, name);

  *made = FALSE;
  if (g_mkdir_with_parents (self->machines_directory, 0700) < 0)
    return set_io_error (error, errno, _ ("Could not create %s: %s"), self->machines_directory);
  if (g_mkdir (directory, 0700) == 0)
    {
      *made = TRUE;
      return TRUE;
    }
  if (errno == EEXIST && !g_file_test (conf, G_FILE_TEST_EXISTS) &&
      g_file_test (directory, G_FILE_TEST_IS_DIR))
    return TRUE;
  if (errno == EEXIST)
    {
      g_set_error (error, HV_ERROR, HV_ERROR_NAME_IN_USE,
                   _ ("A machine called “%s” exists already: choose another name"), name);
      return FALSE;
    }
  return set_io_error (error, errno, _ ("Could not create %s: %s"), directory);
}

static gboolean
write_new_machine (HvStore *self, HvMachineConfig *config, GPtrArray *created,
                   GCancellable *cancellable, GError **error)
{
  g_autofree char *conf = machine_conf_path (self, config->name);

  if (!create_images (config, created, cancellable, error))
    return FALSE;
  g_free (config->uuid);
  config->uuid = g_uuid_string_random ();
  return hv_machine_config_save_file (config, conf, error);
}

/* Copies what the store chose (UUID, MACs, disk paths) into CONFIG's own
 * structs, which the caller may hold pointers into. */
static void
fill_in (HvMachineConfig *config, const HvMachineConfig *chosen)
{
  g_free (config->uuid);
  config->uuid = g_strdup (chosen->uuid);
  for (guint i = 0; i < config->disks->len; i++)
    {
      HvDiskConfig *disk = g_ptr_array_index (config->disks, i);

      g_free (disk->path);
      disk->path = g_strdup (((HvDiskConfig *) g_ptr_array_index (chosen->disks, i))->path);
    }
  for (guint i = 0; i < config->nics->len; i++)
    {
      HvNicConfig *nic = g_ptr_array_index (config->nics, i);

      g_free (nic->mac);
      nic->mac = g_strdup (((HvNicConfig *) g_ptr_array_index (chosen->nics, i))->mac);
    }
}

gboolean
hv_store_create_machine (HvStore *self, HvMachineConfig *config, GCancellable *cancellable,
                         GError **error)
{
  g_autofree char *directory = NULL;
  g_autoptr (GPtrArray) created = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (HvMachineConfig) original = NULL;
  gboolean had_store, had_machines, made;

  g_return_val_if_fail (HV_IS_STORE (self), FALSE);
  g_return_val_if_fail (config != NULL, FALSE);

  if (!hv_machine_config_validate (config, error))
    return FALSE;
  directory = hv_store_get_machine_directory (self, config->name);
  if (!refuse_existing (self, config->name, error))
    return FALSE;
  /* CONFIG is only filled in on success. Whatever can be refused is
   * refused before anything is made. */
  original = hv_machine_config_copy (config);
  if (!assign_macs (self, original, NULL, error) || !check_networks (self, original, error) ||
      !place_disks (original, directory, error))
    return FALSE;
  had_store = g_file_test (self->directory, G_FILE_TEST_IS_DIR);
  had_machines = g_file_test (self->machines_directory, G_FILE_TEST_IS_DIR);
  if (!make_machine_directory (self, config->name, directory, &made, error))
    return FALSE;
  if (write_new_machine (self, original, created, cancellable, error))
    {
      fill_in (config, original);
      return TRUE;
    }
  for (guint i = 0; i < created->len; i++)
    g_unlink (g_ptr_array_index (created, i));
  if (made)
    g_rmdir (directory);
  if (!had_machines)
    g_rmdir (self->machines_directory);
  if (!had_store)
    g_rmdir (self->directory);
  return FALSE;
}

gboolean
hv_store_update_machine (HvStore *self, HvMachineConfig *config, GError **error)
{
  g_autoptr (HvMachineConfig) old = NULL;
  g_autoptr (GPtrArray) created = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *conf = NULL;
  g_autofree char *directory = NULL;

  g_return_val_if_fail (HV_IS_STORE (self), FALSE);
  g_return_val_if_fail (config != NULL, FALSE);

  if (!hv_machine_config_validate (config, error))
    return FALSE;
  old = hv_store_load_machine (self, config->name, error);
  if (old == NULL)
    return FALSE;
  if (config->uuid == NULL)
    config->uuid = g_strdup (old->uuid);
  if (!g_str_equal (config->uuid, old->uuid))
    {
      g_set_error (error, HV_ERROR, HV_ERROR_INVALID_ARGUMENT,
                   _ ("A machine’s UUID cannot change (“%s” has %s)"), config->name, old->uuid);
      return FALSE;
    }
  if (config->key_file == NULL && old->key_file != NULL)
    config->key_file = g_key_file_ref (old->key_file);
  directory = hv_store_get_machine_directory (self, config->name);
  conf = machine_conf_path (self, config->name);
  if (!assign_macs (self, config, config->name, error) || !check_networks (self, config, error) ||
      !place_disks (config, directory, error))
    return FALSE;
  /* Disks that are there already are kept as they are; new ones are made. */
  for (guint i = 0; i < config->disks->len; i++)
    {
      HvDiskConfig *disk = g_ptr_array_index (config->disks, i);
      if (g_file_test (disk->path, G_FILE_TEST_EXISTS))
        disk->size_bytes = 0;
    }
  if (create_images (config, created, NULL, error) &&
      hv_machine_config_save_file (config, conf, error))
    return TRUE;
  for (guint i = 0; i < created->len; i++)
    g_unlink (g_ptr_array_index (created, i));
  return FALSE;
}

static gboolean
is_inside (const char *path, const char *directory)
{
  g_autofree char *parent = g_path_get_dirname (path);

  return g_str_equal (parent, directory);
}

gboolean
hv_store_delete_machine (HvStore *self, const char *name, gboolean with_disks, GError **error)
{
  g_autoptr (HvMachineConfig) config = NULL;
  g_autoptr (GError) local_error = NULL;
  g_autofree char *directory = NULL;
  g_autofree char *conf = NULL;

  g_return_val_if_fail (HV_IS_STORE (self), FALSE);

  config = hv_store_load_machine (self, name, &local_error);
  /* A machine whose file is broken can still be deleted, without its disks:
   * which files they are is what cannot be read. */
  if (config == NULL && !g_error_matches (local_error, HV_ERROR, HV_ERROR_INVALID_ARGUMENT))
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  if (!refuse_if_running (self, name, error))
    return FALSE;
  directory = hv_store_get_machine_directory (self, name);
  conf = machine_conf_path (self, name);
  /* The file goes first: the machine is gone even if a disk stays. */
  if (g_unlink (conf) < 0)
    return set_io_error (error, errno, _ ("Could not delete %s: %s"), conf);
  for (guint i = 0; config != NULL && with_disks && i < config->disks->len; i++)
    {
      const HvDiskConfig *disk = g_ptr_array_index (config->disks, i);

      if (is_inside (disk->path, directory) && g_unlink (disk->path) < 0 && errno != ENOENT)
        return set_io_error (error, errno, _ ("Could not delete the disk image %s: %s"),
                             disk->path);
    }
  /* Fails, and rightly, while images or the user's own files are left. */
  g_rmdir (directory);
  return TRUE;
}

static void
move_disk_paths (HvMachineConfig *config, const char *from, const char *to)
{
  for (guint i = 0; i < config->disks->len; i++)
    {
      HvDiskConfig *disk = g_ptr_array_index (config->disks, i);
      g_autofree char *base = g_path_get_basename (disk->path);

      if (!is_inside (disk->path, from))
        continue;
      g_free (disk->path);
      disk->path = g_build_filename (to, base, NULL);
    }
}

gboolean
hv_store_rename_machine (HvStore *self, const char *name, const char *new_name, GError **error)
{
  g_autoptr (HvMachineConfig) config = NULL;
  g_autofree char *from = NULL;
  g_autofree char *to = NULL;
  g_autofree char *conf = NULL;

  g_return_val_if_fail (HV_IS_STORE (self), FALSE);

  if (!hv_name_is_valid (new_name, error))
    return FALSE;
  config = hv_store_load_machine (self, name, error);
  if (config == NULL || !refuse_if_running (self, name, error) ||
      !refuse_if_running (self, new_name, error))
    return FALSE;
  from = hv_store_get_machine_directory (self, name);
  to = hv_store_get_machine_directory (self, new_name);
  if (g_file_test (to, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, HV_ERROR, HV_ERROR_NAME_IN_USE,
                   _ ("A machine called “%s” exists already: choose another name"), new_name);
      return FALSE;
    }
  if (g_rename (from, to) < 0)
    return set_io_error (error, errno, _ ("Could not rename %s: %s"), from);
  g_free (config->name);
  config->name = g_strdup (new_name);
  move_disk_paths (config, from, to);
  conf = machine_conf_path (self, new_name);
  if (hv_machine_config_save_file (config, conf, error))
    return TRUE;
  g_rename (to, from);
  return FALSE;
}

/* ---- Networks ---- */

static char *
network_entry_name (HvStore *self, const char *entry)
{
  g_autofree char *name = g_str_has_suffix (entry, ".conf")
                              ? g_strndup (entry, strlen (entry) - strlen (".conf"))
                              : NULL;

  if (name == NULL || !hv_name_is_valid (name, NULL))
    return NULL;
  return g_steal_pointer (&name);
}

GStrv
hv_store_list_networks (HvStore *self, GError **error)
{
  g_return_val_if_fail (HV_IS_STORE (self), NULL);
  return list_entries (self, self->networks_directory, network_entry_name, error);
}

static char *
network_path (HvStore *self, const char *name)
{
  g_autofree char *file = g_strconcat (name, ".conf", NULL);

  return g_build_filename (self->networks_directory, file, NULL);
}

HvNetworkConfig *
hv_store_load_network (HvStore *self, const char *name, GError **error)
{
  g_autofree char *path = NULL;
  g_autoptr (HvNetworkConfig) config = NULL;

  g_return_val_if_fail (HV_IS_STORE (self), NULL);

  if (!hv_name_is_valid (name, error))
    return NULL;
  path = network_path (self, name);
  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, HV_ERROR, HV_ERROR_NOT_FOUND, _ ("No network is called “%s”"), name);
      return NULL;
    }
  config = hv_network_config_load_file (path, error);
  if (config != NULL && !g_str_equal (config->name, name))
    {
      g_set_error (error, HV_ERROR, HV_ERROR_INVALID_ARGUMENT,
                   _ ("%s names the network “%s”, not “%s” as its file name does"), path,
                   config->name, name);
      return NULL;
    }
  return g_steal_pointer (&config);
}

static gboolean
subnets_overlap (const char *a, const char *b)
{
  guint32 address_a, address_b;
  guint prefix_a, prefix_b;
  guint32 mask;

  if (!hv_subnet_parse (a, &address_a, &prefix_a, NULL) ||
      !hv_subnet_parse (b, &address_b, &prefix_b, NULL))
    return FALSE;
  mask = G_MAXUINT32 << (32 - MIN (prefix_a, prefix_b));
  return (address_a & mask) == (address_b & mask);
}

/* The other networks' subnets; one that cannot be read is skipped. */
static GPtrArray *
other_subnets (HvStore *self, const char *except)
{
  GPtrArray *subnets = g_ptr_array_new_with_free_func ((GDestroyNotify) hv_network_config_free);
  g_auto (GStrv) names = hv_store_list_networks (self, NULL);

  for (guint i = 0; names != NULL && names[i] != NULL; i++)
    {
      HvNetworkConfig *network =
          g_strcmp0 (names[i], except) != 0 ? hv_store_load_network (self, names[i], NULL) : NULL;
      if (network != NULL)
        g_ptr_array_add (subnets, network);
    }
  return subnets;
}

static const HvNetworkConfig *
find_overlap (GPtrArray *others, const char *subnet)
{
  for (guint i = 0; i < others->len; i++)
    {
      const HvNetworkConfig *other = g_ptr_array_index (others, i);
      if (subnets_overlap (other->subnet, subnet))
        return other;
    }
  return NULL;
}

static char *
free_subnet (GPtrArray *others, GError **error)
{
  /* From 10.0.2.0/24, the one user-mode networking made familiar. */
  for (guint n = 2; n < 256; n++)
    {
      g_autofree char *subnet = g_strdup_printf ("10.0.%u.0/24", n);
      if (find_overlap (others, subnet) == NULL)
        return g_steal_pointer (&subnet);
    }
  g_set_error_literal (error, HV_ERROR, HV_ERROR_FAILED,
                       _ ("Every subnet from 10.0.2.0/24 to 10.0.255.0/24 is taken: give one "
                          "with --subnet"));
  return NULL;
}

gboolean
hv_store_subnet_is_free (HvStore *self, const char *subnet)
{
  g_autoptr (GPtrArray) others = NULL;

  g_return_val_if_fail (HV_IS_STORE (self), FALSE);
  g_return_val_if_fail (subnet != NULL, FALSE);

  others = other_subnets (self, NULL);
  return find_overlap (others, subnet) == NULL;
}

gboolean
hv_store_create_network (HvStore *self, HvNetworkConfig *config, GError **error)
{
  g_autoptr (GPtrArray) others = NULL;
  g_autofree char *path = NULL;
  g_autofree char *data = NULL;
  const HvNetworkConfig *overlap;

  g_return_val_if_fail (HV_IS_STORE (self), FALSE);
  g_return_val_if_fail (config != NULL, FALSE);

  if (!hv_name_is_valid (config->name, error))
    return FALSE;
  path = network_path (self, config->name);
  if (g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, HV_ERROR, HV_ERROR_NAME_IN_USE,
                   _ ("A network called “%s” exists already: choose another name"), config->name);
      return FALSE;
    }
  others = other_subnets (self, config->name);
  if (config->subnet == NULL && (config->subnet = free_subnet (others, error)) == NULL)
    return FALSE;
  if (!hv_network_config_validate (config, error))
    return FALSE;
  overlap = find_overlap (others, config->subnet);
  if (overlap != NULL)
    {
      g_set_error (error, HV_ERROR, HV_ERROR_INVALID_ARGUMENT,
                   _ ("The subnet %s overlaps %s of the network “%s”: choose another"),
                   config->subnet, overlap->subnet, overlap->name);
      return FALSE;
    }
  if (g_mkdir_with_parents (self->networks_directory, 0700) < 0)
    return set_io_error (error, errno, _ ("Could not create %s: %s"), self->networks_directory);
  data = hv_network_config_to_data (config);
  return _hv_write_file (path, data, error);
}

/* The first machine with a card on the network NAME, or NULL. */
static char *
network_user (HvStore *self, const char *name)
{
  g_auto (GStrv) machines = hv_store_list_machines (self, NULL);

  for (guint i = 0; machines != NULL && machines[i] != NULL; i++)
    {
      g_autoptr (HvMachineConfig) config = hv_store_load_machine (self, machines[i], NULL);

      for (guint j = 0; config != NULL && j < config->nics->len; j++)
        {
          const HvNicConfig *nic = g_ptr_array_index (config->nics, j);
          if (nic->mode != HV_NIC_MODE_BRIDGE && g_strcmp0 (nic->network, name) == 0)
            return g_strdup (machines[i]);
        }
    }
  return NULL;
}

gboolean
hv_store_delete_network (HvStore *self, const char *name, GError **error)
{
  g_autofree char *path = NULL;
  g_autofree char *user = NULL;

  g_return_val_if_fail (HV_IS_STORE (self), FALSE);

  if (!hv_name_is_valid (name, error))
    return FALSE;
  path = network_path (self, name);
  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, HV_ERROR, HV_ERROR_NOT_FOUND, _ ("No network is called “%s”"), name);
      return FALSE;
    }
  user = network_user (self, name);
  if (user != NULL)
    {
      g_set_error (error, HV_ERROR, HV_ERROR_INVALID_STATE,
                   _ ("The machine “%s” uses the network “%s”: change its network card first"),
                   user, name);
      return FALSE;
    }
  if (g_unlink (path) < 0)
    return set_io_error (error, errno, _ ("Could not delete %s: %s"), path);
  return TRUE;
}

/* ---- Launching ---- */

/* hv-vmm's --disk specs. Its parser splits at ',': a path with one cannot be
 * passed, and machine.conf cannot describe a CD-ROM to it yet (read-only). */
static char **
disk_specs (const HvMachineConfig *config)
{
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();

  if (config->disks->len == 0)
    return NULL;
  for (guint i = 0; i < config->disks->len; i++)
    {
      const HvDiskConfig *disk = g_ptr_array_index (config->disks, i);
      g_autoptr (GString) spec = g_string_new ("path=");

      g_string_append (spec, disk->path);
      if (disk->readonly || disk->cdrom)
        g_string_append (spec, ",readonly=on");
      if (disk->serial != NULL)
        g_string_append_printf (spec, ",serial=%s", disk->serial);
      g_strv_builder_add (builder, spec->str);
    }
  return g_strv_builder_end (builder);
}

#define HV_DEFAULT_NETWORK "default"
#define HV_DEFAULT_SUBNET  "10.0.2.0/24" /* as network.md has it */

/* The back end SPEC of a card that needs no network process, or NULL. */
static char *
nic_direct_backend (const HvNicConfig *nic)
{
  if (nic->mode == HV_NIC_MODE_USER)
    return g_strdup ("user");
  if (nic->mode == HV_NIC_MODE_BRIDGE && nic->network != NULL)
    /* Root makes its own tap; anyone else asks the bridge helper. */
    return g_strdup_printf ("%s:%s", geteuid () == 0 ? "tap" : "bridge-helper", nic->network);
  return NULL;
}

static char *
nic_spec (const HvNicConfig *nic, const char *backend)
{
  return nic->mac != NULL ? g_strdup_printf ("mac=%s,backend=%s", nic->mac, backend)
                          : g_strdup_printf ("backend=%s", backend);
}

/* --nic specs for the cards that need no hv-net (user, bridge). */
static char **
direct_nic_specs (const HvMachineConfig *config)
{
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();
  guint n = 0;

  for (guint i = 0; config->nics != NULL && i < config->nics->len; i++)
    {
      const HvNicConfig *nic = g_ptr_array_index (config->nics, i);
      g_autofree char *backend = nic_direct_backend (nic);
      g_autofree char *spec = NULL;

      if (backend == NULL)
        continue;
      spec = nic_spec (nic, backend);
      g_strv_builder_add (builder, spec);
      n++;
    }
  return n > 0 ? g_strv_builder_end (builder) : NULL;
}

/* The running network NAME, started from its definition if need be (the
 * default nat network even without one). */
static HvNetworkInfo *
ensure_network (HvStore *self, const char *name, GCancellable *cancellable, GError **error)
{
  HvRuntime *runtime = hv_store_get_runtime (self);
  g_autoptr (HvNetworkConfig) config = NULL;
  g_autoptr (GError) local_error = NULL;
  HvNetworkInfo *info = hv_network_lookup (runtime, name, NULL);

  if (info != NULL)
    return info;
  config = hv_store_load_network (self, name, &local_error);
  if (config == NULL && g_strcmp0 (name, HV_DEFAULT_NETWORK) == 0)
    {
      config = hv_network_config_new (HV_DEFAULT_NETWORK, HV_NETWORK_MODE_NAT);
      config->subnet = g_strdup (HV_DEFAULT_SUBNET);
      if (!hv_network_config_validate (config, error))
        return NULL;
    }
  else if (config == NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  return hv_network_launch (runtime, config, cancellable, error);
}

gboolean
hv_store_connect_networks (HvStore *self, const HvMachineConfig *config, HvLaunchOptions *options,
                           GCancellable *cancellable, GError **error)
{
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();
  guint n = 0;

  g_return_val_if_fail (HV_IS_STORE (self), FALSE);
  g_return_val_if_fail (config != NULL && options != NULL, FALSE);

  for (guint i = 0; config->nics != NULL && i < config->nics->len; i++)
    {
      const HvNicConfig *nic = g_ptr_array_index (config->nics, i);
      g_autofree char *backend = nic_direct_backend (nic);
      g_autofree char *spec = NULL;

      if (backend == NULL && (nic->mode == HV_NIC_MODE_NAT || nic->mode == HV_NIC_MODE_ISOLATED))
        {
          const char *name = nic->network != NULL ? nic->network : HV_DEFAULT_NETWORK;
          g_autoptr (HvNetworkInfo) info = ensure_network (self, name, cancellable, error);

          if (info == NULL)
            return FALSE;
          backend = g_strconcat ("switch:", hv_network_info_get_switch_path (info), NULL);
        }
      if (backend == NULL)
        continue;
      spec = nic_spec (nic, backend);
      g_strv_builder_add (builder, spec);
      n++;
    }
  g_strfreev (options->nics);
  options->nics = n > 0 ? g_strv_builder_end (builder) : NULL;
  return TRUE;
}

HvLaunchOptions *
hv_store_launch_options (const HvMachineConfig *config)
{
  HvLaunchOptions *options = hv_launch_options_new ();

  g_return_val_if_fail (config != NULL, NULL);

  options->name = g_strdup (config->name);
  options->kernel = g_strdup (config->kernel);
  options->initrd = g_strdup (config->initrd);
  options->cmdline = g_strdup (config->cmdline);
  options->memory_mib = config->memory_mib;
  options->cpus = config->cpus;
  options->display = config->display == HV_DISPLAY_SPICE ? g_strdup ("spice") : NULL;
  options->disks = disk_specs (config);
  options->nics = direct_nic_specs (config);
  return options;
}

HvLaunchOptions *
hv_store_prepare_start (HvStore *self, const char *name, GCancellable *cancellable, GError **error)
{
  g_autoptr (HvMachineConfig) config = hv_store_load_machine (self, name, error);
  g_autoptr (HvLaunchOptions) options = NULL;

  if (config == NULL)
    return NULL;
  if (config->kernel == NULL)
    {
      g_set_error (error, HV_ERROR, HV_ERROR_INVALID_ARGUMENT,
                   _ ("“%s” has no kernel to boot: hv-vmm boots Linux kernels only, for now"),
                   name);
      return NULL;
    }
  options = hv_store_launch_options (config);
  if (!hv_store_connect_networks (self, config, options, cancellable, error))
    return NULL;
  return g_steal_pointer (&options);
}
