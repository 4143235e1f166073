/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The persistent store: machine.conf and networks/<name>.conf round trips,
 * every validation and parse error, atomic writes, nothing left behind. */
#include "config.h"

#include <glib/gstdio.h>
#include <hv/hv.h>
#include <sys/stat.h>

#include "test-tree.h"

typedef struct
{
  char *root;
  HvStore *store;
} Fixture;

static void
fixture_set_up (Fixture *fixture, gconstpointer data)
{
  g_autofree char *run = NULL;
  g_autoptr (HvRuntime) runtime = NULL;

  fixture->root = g_dir_make_tmp ("hv-store-XXXXXX", NULL);
  g_assert_nonnull (fixture->root);
  run = g_build_filename (fixture->root, "run", NULL);
  runtime = hv_runtime_new_for_directory (run);
  fixture->store = hv_store_new_for_directory (fixture->root, runtime);
}

static void
fixture_tear_down (Fixture *fixture, gconstpointer data)
{
  g_clear_object (&fixture->store);
  test_remove_tree (fixture->root);
  g_free (fixture->root);
}

static HvMachineConfig *
demo_config (const char *name)
{
  HvMachineConfig *config = hv_machine_config_new (name);

  config->cpus = 2;
  config->memory_mib = 1024;
  config->kernel = g_strdup ("/boot/vmlinuz");
  config->cmdline = g_strdup ("console=ttyS0 quiet");
  config->os_id = g_strdup ("http://debian.org/debian/12");
  config->os_name = g_strdup ("Debian 12");
  config->display = HV_DISPLAY_SPICE;
  hv_machine_config_add_disk (config, NULL, 6ull << 30, FALSE)->serial = g_strdup ("root");
  hv_machine_config_add_nic (config, HV_NIC_MODE_NAT, NULL);
  hv_machine_config_add_nic (config, HV_NIC_MODE_USER, NULL);
  return config;
}

static void
test_machine_round_trip (Fixture *fixture, gconstpointer data)
{
  g_autoptr (HvMachineConfig) config = demo_config ("demo");
  g_autoptr (HvMachineConfig) loaded = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *directory = hv_store_get_machine_directory (fixture->store, "demo");
  g_autofree char *disk = g_build_filename (directory, "disk0.img", NULL);
  g_autofree char *conf = g_build_filename (directory, "machine.conf", NULL);
  g_autofree char *text = NULL;
  g_auto (GStrv) names = NULL;
  HvDiskConfig *loaded_disk;
  HvNicConfig *nic;
  GStatBuf st;

  g_assert_true (hv_store_create_machine (fixture->store, config, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_uuid_string_is_valid (config->uuid));

  names = hv_store_list_machines (fixture->store, &error);
  g_assert_no_error (error);
  g_assert_cmpstrv (names, ((const char *const[]){ "demo", NULL }));

  /* A sparse image of the size asked for, and a private file. */
  g_assert_cmpint (g_stat (disk, &st), ==, 0);
  g_assert_cmpint (st.st_size, ==, 6ll << 30);
  g_assert_cmpint (st.st_blocks, <, 64);
  g_assert_cmpint (g_stat (conf, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  /* Disks inside the machine's directory are written relative to it. */
  g_assert_true (g_file_get_contents (conf, &text, NULL, NULL));
  g_assert_nonnull (strstr (text, "\npath=disk0.img\n"));
  g_assert_nonnull (strstr (text, "\nmemory=1G\n"));

  loaded = hv_store_load_machine (fixture->store, "demo", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (loaded->name, ==, "demo");
  g_assert_cmpstr (loaded->uuid, ==, config->uuid);
  g_assert_cmpuint (loaded->cpus, ==, 2);
  g_assert_cmpuint (loaded->memory_mib, ==, 1024);
  g_assert_cmpstr (loaded->kernel, ==, "/boot/vmlinuz");
  g_assert_null (loaded->initrd);
  g_assert_cmpstr (loaded->cmdline, ==, "console=ttyS0 quiet");
  g_assert_cmpstr (loaded->os_id, ==, "http://debian.org/debian/12");
  g_assert_cmpstr (loaded->os_name, ==, "Debian 12");
  g_assert_cmpint (loaded->display, ==, HV_DISPLAY_SPICE);
  g_assert_false (loaded->autostart);
  g_assert_cmpuint (loaded->disks->len, ==, 1);
  loaded_disk = g_ptr_array_index (loaded->disks, 0);
  g_assert_cmpstr (loaded_disk->path, ==, disk);
  g_assert_cmpstr (loaded_disk->serial, ==, "root");
  g_assert_false (loaded_disk->readonly);
  g_assert_cmpuint (loaded->nics->len, ==, 2);
  nic = g_ptr_array_index (loaded->nics, 0);
  g_assert_cmpint (nic->mode, ==, HV_NIC_MODE_NAT);
  g_assert_true (g_str_has_prefix (nic->mac, "52:54:00:"));
  g_assert_true (hv_mac_is_valid (nic->mac));
  g_assert_cmpstr (nic->mac, ==, ((HvNicConfig *) g_ptr_array_index (config->nics, 0))->mac);
  g_assert_cmpint (((HvNicConfig *) g_ptr_array_index (loaded->nics, 1))->mode, ==,
                   HV_NIC_MODE_USER);
}

static void
test_machine_update_keeps (Fixture *fixture, gconstpointer data)
{
  g_autoptr (HvMachineConfig) config = demo_config ("keep");
  g_autoptr (HvMachineConfig) loaded = NULL;
  g_autoptr (HvMachineConfig) again = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *directory = hv_store_get_machine_directory (fixture->store, "keep");
  g_autofree char *conf = g_build_filename (directory, "machine.conf", NULL);
  g_autofree char *text = NULL;
  g_autofree char *extended = NULL;
  g_autofree char *mac = NULL;

  g_assert_true (hv_store_create_machine (fixture->store, config, NULL, &error));
  g_assert_no_error (error);
  /* Keys and groups of a later Hangar, or of the user, survive an update. */
  g_assert_true (g_file_get_contents (conf, &text, NULL, NULL));
  extended = g_strconcat (text, "\n[future]\nthing=1\n", NULL);
  g_assert_true (g_file_set_contents (conf, extended, -1, NULL));

  loaded = hv_store_load_machine (fixture->store, "keep", &error);
  g_assert_no_error (error);
  mac = g_strdup (((HvNicConfig *) g_ptr_array_index (loaded->nics, 0))->mac);
  loaded->cpus = 4;
  loaded->autostart = TRUE;
  g_clear_pointer (&loaded->uuid, g_free); /* the store keeps the one it had */
  hv_machine_config_add_nic (loaded, HV_NIC_MODE_NONE, NULL);
  g_assert_true (hv_store_update_machine (fixture->store, loaded, &error));
  g_assert_no_error (error);

  again = hv_store_load_machine (fixture->store, "keep", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (again->cpus, ==, 4);
  g_assert_true (again->autostart);
  g_assert_cmpstr (again->uuid, ==, config->uuid);
  g_assert_cmpstr (((HvNicConfig *) g_ptr_array_index (again->nics, 0))->mac, ==, mac);
  g_assert_cmpuint (again->nics->len, ==, 3);
  g_assert_true (g_key_file_has_key (again->key_file, "future", "thing", NULL));

  /* A UUID never changes. */
  g_free (again->uuid);
  again->uuid = g_uuid_string_random ();
  g_assert_false (hv_store_update_machine (fixture->store, again, &error));
  g_assert_error (error, HV_ERROR, HV_ERROR_INVALID_ARGUMENT);
}

/* A failed update leaves the file as it was, and no temporary file. */
static void
test_machine_atomic_update (Fixture *fixture, gconstpointer data)
{
  g_autoptr (HvMachineConfig) config = demo_config ("atomic");
  g_autoptr (GError) error = NULL;
  g_autofree char *directory = hv_store_get_machine_directory (fixture->store, "atomic");
  g_autofree char *conf = g_build_filename (directory, "machine.conf", NULL);
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autofree char *tree = NULL;

  g_assert_true (hv_store_create_machine (fixture->store, config, NULL, &error));
  g_assert_true (g_file_get_contents (conf, &before, NULL, NULL));
  config->cpus = 0;
  g_assert_false (hv_store_update_machine (fixture->store, config, &error));
  g_assert_error (error, HV_ERROR, HV_ERROR_INVALID_ARGUMENT);
  g_assert_true (g_file_get_contents (conf, &after, NULL, NULL));
  g_assert_cmpstr (before, ==, after);
  tree = test_list_tree (fixture->root, NULL);
  g_assert_cmpstr (tree, ==,
                   "machines machines/atomic machines/atomic/disk0.img "
                   "machines/atomic/machine.conf");
}

static void
test_machine_create_errors (Fixture *fixture, gconstpointer data)
{
  g_autoptr (HvMachineConfig) first = demo_config ("taken");
  g_autofree char *outside = g_build_filename (fixture->root, "mine.img", NULL);
  g_autofree char *tree = NULL;
  g_autofree char *tree_after = NULL;

  g_assert_true (hv_store_create_machine (fixture->store, first, NULL, NULL));
  g_assert_true (g_file_set_contents (outside, "precious", -1, NULL));
  tree = test_list_tree (fixture->root, NULL);

  {
    /* The name is taken. */
    g_autoptr (HvMachineConfig) config = demo_config ("taken");
    g_autoptr (GError) error = NULL;
    g_assert_false (hv_store_create_machine (fixture->store, config, NULL, &error));
    g_assert_error (error, HV_ERROR, HV_ERROR_NAME_IN_USE);
    g_assert_null (config->uuid);
  }
  {
    /* The second image would overwrite a file: the first goes again. */
    g_autoptr (HvMachineConfig) config = demo_config ("second");
    g_autoptr (GError) error = NULL;
    hv_machine_config_add_disk (config, outside, 1 << 20, FALSE);
    g_assert_false (hv_store_create_machine (fixture->store, config, NULL, &error));
    g_assert_error (error, HV_ERROR, HV_ERROR_INVALID_ARGUMENT);
    g_assert_nonnull (strstr (error->message, "does not overwrite"));
  }
  {
    /* An existing image that is not there. */
    g_autoptr (HvMachineConfig) config = demo_config ("third");
    g_autoptr (GError) error = NULL;
    hv_machine_config_add_disk (config, "/nonexistent/disk.img", 0, TRUE);
    g_assert_false (hv_store_create_machine (fixture->store, config, NULL, &error));
    g_assert_error (error, HV_ERROR, HV_ERROR_NOT_FOUND);
  }
  {
    /* A network that does not exist. */
    g_autoptr (HvMachineConfig) config = demo_config ("fourth");
    g_autoptr (GError) error = NULL;
    hv_machine_config_add_nic (config, HV_NIC_MODE_ISOLATED, "nowhere");
    g_assert_false (hv_store_create_machine (fixture->store, config, NULL, &error));
    g_assert_error (error, HV_ERROR, HV_ERROR_NOT_FOUND);
  }
  {
    /* A MAC another machine has. */
    g_autoptr (HvMachineConfig) config = demo_config ("fifth");
    g_autoptr (GError) error = NULL;
    HvNicConfig *taken_nic = g_ptr_array_index (first->nics, 0);
    hv_machine_config_add_nic (config, HV_NIC_MODE_USER, NULL)->mac =
        g_ascii_strup (taken_nic->mac, -1);
    g_assert_false (hv_store_create_machine (fixture->store, config, NULL, &error));
    g_assert_error (error, HV_ERROR, HV_ERROR_INVALID_ARGUMENT);
    g_assert_nonnull (strstr (error->message, "MAC"));
  }
  {
    g_autoptr (GError) error = NULL;
    g_autoptr (GCancellable) cancellable = g_cancellable_new ();
    g_autoptr (HvMachineConfig) config = demo_config ("cancelled");
    g_cancellable_cancel (cancellable);
    g_assert_false (hv_store_create_machine (fixture->store, config, cancellable, &error));
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  }
  tree_after = test_list_tree (fixture->root, NULL);
  g_assert_cmpstr (tree_after, ==, tree);
  g_assert_true (g_file_test (outside, G_FILE_TEST_EXISTS));
}

static void
test_machine_validation (void)
{
  static const struct
  {
    const char *what;
    const char *message;
  } cases[] = {
    { "name", "Invalid guest name" },
    { "cpus", "Invalid number of CPUs" },
    { "memory", "Too little memory" },
    { "uuid", "Invalid UUID" },
    { "disk", "neither a file nor a size" },
    { "cdrom", "CD-ROM" },
    { "mac", "not a unicast MAC" },
    { "isolated", "needs the name of a network" },
    { "bridge", "host bridge" },
    { "user", "takes no network name" },
    { "same-mac", "the same MAC address" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (HvMachineConfig) config = hv_machine_config_new ("valid");
      g_autoptr (GError) error = NULL;
      const char *what = cases[i].what;

      g_assert_true (hv_machine_config_validate (config, NULL));
      if (g_str_equal (what, "name"))
        g_free (config->name), config->name = g_strdup ("-bad name");
      else if (g_str_equal (what, "cpus"))
        config->cpus = 0;
      else if (g_str_equal (what, "memory"))
        config->memory_mib = 1;
      else if (g_str_equal (what, "uuid"))
        config->uuid = g_strdup ("not-a-uuid");
      else if (g_str_equal (what, "disk"))
        hv_machine_config_add_disk (config, NULL, 0, FALSE);
      else if (g_str_equal (what, "cdrom"))
        hv_machine_config_add_disk (config, NULL, 1 << 20, TRUE)->cdrom = TRUE;
      else if (g_str_equal (what, "mac"))
        hv_machine_config_add_nic (config, HV_NIC_MODE_NAT, NULL)->mac =
            g_strdup ("53:00:00:00:00:01");
      else if (g_str_equal (what, "isolated"))
        hv_machine_config_add_nic (config, HV_NIC_MODE_ISOLATED, NULL);
      else if (g_str_equal (what, "bridge"))
        hv_machine_config_add_nic (config, HV_NIC_MODE_BRIDGE, NULL);
      else if (g_str_equal (what, "user"))
        hv_machine_config_add_nic (config, HV_NIC_MODE_USER, "net");
      else if (g_str_equal (what, "same-mac"))
        {
          hv_machine_config_add_nic (config, HV_NIC_MODE_USER, NULL)->mac =
              g_strdup ("52:54:00:00:00:01");
          hv_machine_config_add_nic (config, HV_NIC_MODE_NAT, NULL)->mac =
              g_strdup ("52:54:00:00:00:01");
        }
      g_assert_false (hv_machine_config_validate (config, &error));
      g_assert_error (error, HV_ERROR, HV_ERROR_INVALID_ARGUMENT);
      if (strstr (error->message, cases[i].message) == NULL)
        g_error ("%s: “%s” lacks “%s”", what, error->message, cases[i].message);
    }
}

#define GOOD_MACHINE "[machine]\nname=x\nuuid=0f7c1d3e-2b4a-4c5d-8e9f-a0b1c2d3e4f5\n"

static void
test_machine_parse_errors (void)
{
  static const struct
  {
    const char *text;
    const char *message;
  } cases[] = {
    { "name=x\n[machine]\n", "m.conf, line 1: “name=x” comes before the first" },
    { GOOD_MACHINE "junk\n", "m.conf, line 4: “junk” is neither" },
    { GOOD_MACHINE "[broken\n", "m.conf, line 4: “[broken” is neither" },
    { "[machine]\nuuid=0f7c1d3e-2b4a-4c5d-8e9f-a0b1c2d3e4f5\n",
      "line 1: the [machine] group has no “name” key" },
    { "[boot]\nkernel=k\n", "m.conf: there is no [machine] group" },
    { "[machine]\nname=x\n", "line 1: the [machine] group has no “uuid”" },
    { "[machine]\nname=x\nuuid=1234\n", "line 3: “1234” is not a UUID" },
    { "[machine]\nname=.x\nuuid=0f7c1d3e-2b4a-4c5d-8e9f-a0b1c2d3e4f5\n",
      "line 2: Invalid guest name" },
    { GOOD_MACHINE "cpus=two\n", "line 4: cpus “two” is not a whole number from 1 to 255" },
    { GOOD_MACHINE "cpus=0\n", "line 4: cpus “0” is not a whole number" },
    { GOOD_MACHINE "memory=12X\n", "line 4: Invalid size" },
    { GOOD_MACHINE "autostart=yes\n", "line 4: autostart “yes” is neither “true” nor “false”" },
    { GOOD_MACHINE "[disk0]\nreadonly=true\n", "line 4: the [disk0] group has no “path” key" },
    { GOOD_MACHINE "[disk0]\npath=\n", "line 5: the disk’s path is empty" },
    { GOOD_MACHINE "[disk0]\npath=a\ncdrom=1\n", "line 6: cdrom “1” is neither" },
    { GOOD_MACHINE "[disk1]\npath=a\n", "line 4: [disk1] comes without [disk0]" },
    { GOOD_MACHINE "[nic0]\nmode=tap\n", "line 5: unknown network mode “tap”" },
    { GOOD_MACHINE "[nic0]\nmode=nat\nmac=01:00:5e:00:00:01\n",
      "line 4: Network card 0: “01:00:5e:00:00:01” is not a unicast" },
    { GOOD_MACHINE "[nic0]\nmode=isolated\n", "line 4: Network card 0: isolated mode needs" },
    { GOOD_MACHINE "[display]\ntype=vnc\n", "line 5: unknown display type “vnc”" },
    { GOOD_MACHINE "name=\\x\n", "m.conf, line 4: " },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (HvMachineConfig) config =
          hv_machine_config_load_data (cases[i].text, "/d/m.conf", "/d", &error);

      g_assert_null (config);
      g_assert_error (error, HV_ERROR, HV_ERROR_INVALID_ARGUMENT);
      if (strstr (error->message, cases[i].message) == NULL)
        g_error ("case %u: “%s” lacks “%s”", i, error->message, cases[i].message);
    }
}

static void
test_machine_delete (Fixture *fixture, gconstpointer data)
{
  g_autoptr (HvMachineConfig) keep = demo_config ("keep");
  g_autoptr (HvMachineConfig) wipe = demo_config ("wipe");
  g_autoptr (GError) error = NULL;
  g_autofree char *outside = g_build_filename (fixture->root, "shared.img", NULL);
  g_autofree char *tree = NULL;

  g_assert_true (g_file_set_contents (outside, "data", -1, NULL));
  hv_machine_config_add_disk (wipe, outside, 0, TRUE);
  g_assert_true (hv_store_create_machine (fixture->store, keep, NULL, &error));
  g_assert_true (hv_store_create_machine (fixture->store, wipe, NULL, &error));
  g_assert_no_error (error);

  g_assert_true (hv_store_delete_machine (fixture->store, "keep", FALSE, &error));
  g_assert_true (hv_store_delete_machine (fixture->store, "wipe", TRUE, &error));
  g_assert_no_error (error);
  /* Without disks the image stays; with disks only the machine's own go. */
  tree = test_list_tree (fixture->root, NULL);
  g_assert_cmpstr (tree, ==, "machines machines/keep machines/keep/disk0.img shared.img");
  g_assert_false (hv_store_delete_machine (fixture->store, "keep", FALSE, &error));
  g_assert_error (error, HV_ERROR, HV_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* A broken machine.conf can still be deleted; its image stays. */
  {
    g_autoptr (HvMachineConfig) broken = demo_config ("broken");
    g_autofree char *directory = hv_store_get_machine_directory (fixture->store, "broken");
    g_autofree char *conf = g_build_filename (directory, "machine.conf", NULL);
    g_autofree char *after = NULL;

    g_assert_true (hv_store_create_machine (fixture->store, broken, NULL, NULL));
    g_assert_true (g_file_set_contents (conf, "[machine]\ncpus=many\n", -1, NULL));
    g_assert_true (hv_store_delete_machine (fixture->store, "broken", TRUE, &error));
    g_assert_no_error (error);
    after = test_list_tree (fixture->root, NULL);
    g_assert_cmpstr (after, ==,
                     "machines machines/broken machines/broken/disk0.img machines/keep "
                     "machines/keep/disk0.img shared.img");
  }
}

static void
test_machine_rename (Fixture *fixture, gconstpointer data)
{
  g_autoptr (HvMachineConfig) config = demo_config ("old");
  g_autoptr (HvMachineConfig) other = demo_config ("other");
  g_autoptr (HvMachineConfig) renamed = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *directory = hv_store_get_machine_directory (fixture->store, "new");
  g_autofree char *disk = g_build_filename (directory, "disk0.img", NULL);

  g_assert_true (hv_store_create_machine (fixture->store, config, NULL, NULL));
  g_assert_true (hv_store_create_machine (fixture->store, other, NULL, NULL));
  g_assert_true (hv_store_rename_machine (fixture->store, "old", "new", &error));
  g_assert_no_error (error);
  renamed = hv_store_load_machine (fixture->store, "new", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (renamed->uuid, ==, config->uuid);
  g_assert_cmpstr (((HvDiskConfig *) g_ptr_array_index (renamed->disks, 0))->path, ==, disk);
  g_assert_true (g_file_test (disk, G_FILE_TEST_EXISTS));
  g_assert_false (hv_store_rename_machine (fixture->store, "new", "other", &error));
  g_assert_error (error, HV_ERROR, HV_ERROR_NAME_IN_USE);
}

/* The next random tail is taken by another machine: the store draws again. */
static void
test_mac_unique (Fixture *fixture, gconstpointer data)
{
  g_autoptr (HvMachineConfig) first = hv_machine_config_new ("first");
  g_autoptr (HvMachineConfig) second = hv_machine_config_new ("second");
  g_autoptr (GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  g_autofree char *predicted = NULL;
  HvNicConfig *nic;

  g_random_set_seed (42);
  predicted = hv_mac_generate ();
  hv_machine_config_add_nic (first, HV_NIC_MODE_USER, NULL)->mac = g_strdup (predicted);
  g_assert_true (hv_store_create_machine (fixture->store, first, NULL, NULL));

  g_random_set_seed (42);
  nic = hv_machine_config_add_nic (second, HV_NIC_MODE_USER, NULL);
  hv_machine_config_add_nic (second, HV_NIC_MODE_USER, NULL);
  g_assert_true (hv_store_create_machine (fixture->store, second, NULL, NULL));
  g_assert_cmpstr (nic->mac, !=, predicted);
  g_assert_true (hv_mac_is_valid (nic->mac));

  for (guint i = 0; i < 1000; i++)
    {
      char *mac = hv_mac_generate ();
      g_assert_true (hv_mac_is_valid (mac));
      g_assert_true (g_str_has_prefix (mac, "52:54:00:"));
      g_free (mac);
    }
  g_assert_false (hv_mac_is_valid ("52:54:00:12:34"));
  g_assert_false (hv_mac_is_valid ("52-54-00-12-34-56"));
  g_assert_false (hv_mac_is_valid ("52:54:00:12:34:5g"));
}

static void
test_network_round_trip (Fixture *fixture, gconstpointer data)
{
  g_autoptr (HvNetworkConfig) lab = hv_network_config_new ("lab", HV_NETWORK_MODE_NAT);
  g_autoptr (HvNetworkConfig) quiet = hv_network_config_new ("quiet", HV_NETWORK_MODE_ISOLATED);
  g_autoptr (HvNetworkConfig) loaded = NULL;
  g_autoptr (GError) error = NULL;
  g_auto (GStrv) names = NULL;
  HvPortForward *forward = g_new0 (HvPortForward, 1);

  forward->protocol = g_strdup ("tcp");
  forward->host_port = 2222;
  forward->guest_address = g_strdup ("10.0.2.15");
  forward->guest_port = 22;
  g_ptr_array_add (lab->forwards, forward);
  g_assert_true (hv_store_create_network (fixture->store, lab, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (lab->subnet, ==, "10.0.2.0/24");
  g_assert_true (hv_store_create_network (fixture->store, quiet, &error));
  g_assert_cmpstr (quiet->subnet, ==, "10.0.3.0/24");

  names = hv_store_list_networks (fixture->store, &error);
  g_assert_cmpstrv (names, ((const char *const[]){ "lab", "quiet", NULL }));
  loaded = hv_store_load_network (fixture->store, "lab", &error);
  g_assert_no_error (error);
  g_assert_cmpint (loaded->mode, ==, HV_NETWORK_MODE_NAT);
  g_assert_cmpstr (loaded->dhcp_start, ==, "10.0.2.100");
  g_assert_cmpstr (loaded->dhcp_end, ==, "10.0.2.199");
  g_assert_cmpuint (loaded->forwards->len, ==, 1);
  forward = g_ptr_array_index (loaded->forwards, 0);
  g_assert_cmpuint (forward->host_port, ==, 2222);
  g_assert_cmpstr (forward->guest_address, ==, "10.0.2.15");

  {
    /* In use by a machine: refused; unused: gone. */
    g_autoptr (HvMachineConfig) config = hv_machine_config_new ("user");
    hv_machine_config_add_nic (config, HV_NIC_MODE_ISOLATED, "quiet");
    g_assert_true (hv_store_create_machine (fixture->store, config, NULL, &error));
    g_assert_no_error (error);
    g_assert_false (hv_store_delete_network (fixture->store, "quiet", &error));
    g_assert_error (error, HV_ERROR, HV_ERROR_INVALID_STATE);
    g_clear_error (&error);
  }
  {
    /* A card of the wrong mode for the network. */
    g_autoptr (HvMachineConfig) config = hv_machine_config_new ("wrong");
    hv_machine_config_add_nic (config, HV_NIC_MODE_NAT, "quiet");
    g_assert_false (hv_store_create_machine (fixture->store, config, NULL, &error));
    g_assert_error (error, HV_ERROR, HV_ERROR_INVALID_ARGUMENT);
    g_clear_error (&error);
  }
  g_assert_true (hv_store_delete_network (fixture->store, "lab", &error));
  g_assert_no_error (error);
  g_assert_false (hv_store_delete_network (fixture->store, "lab", &error));
  g_assert_error (error, HV_ERROR, HV_ERROR_NOT_FOUND);
}

static void
test_network_errors (Fixture *fixture, gconstpointer data)
{
  static const struct
  {
    const char *subnet;
    const char *dhcp_start;
    const char *message;
  } cases[] = {
    { "10.0.2.0", NULL, "Invalid subnet “10.0.2.0”" },
    { "10.0.2/24", NULL, "Invalid subnet" },
    { "10.0.256.0/24", NULL, "Invalid subnet" },
    { "10.0.2.0/31", NULL, "prefix length from 8 to 30" },
    { "10.0.2.0/x", NULL, "Invalid subnet" },
    { "10.0.2.1/24", NULL, "bits set beyond the /24 prefix" },
    { "10.9.0.0/16", NULL, "overlaps 10.9.1.0/24 of the network “first”" },
    { "10.9.1.128/25", NULL, "overlaps 10.9.1.0/24" },
    { "10.7.0.0/24", "10.7.1.5", "not a host address" },
    { "10.7.0.0/24", "10.7.0.1", "not a host address" },
    { "10.7.0.0/24", "10.7.0.255", "not a host address" },
  };
  g_autoptr (HvNetworkConfig) first = hv_network_config_new ("first", HV_NETWORK_MODE_NAT);
  g_autoptr (GError) error = NULL;
  g_autofree char *tree = NULL;
  g_autofree char *tree_after = NULL;

  first->subnet = g_strdup ("10.9.1.0/24");
  g_assert_true (hv_store_create_network (fixture->store, first, &error));
  g_assert_no_error (error);
  tree = test_list_tree (fixture->root, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (HvNetworkConfig) config = hv_network_config_new ("next", HV_NETWORK_MODE_NAT);

      config->subnet = g_strdup (cases[i].subnet);
      config->dhcp_start = g_strdup (cases[i].dhcp_start);
      g_assert_false (hv_store_create_network (fixture->store, config, &error));
      g_assert_error (error, HV_ERROR, HV_ERROR_INVALID_ARGUMENT);
      if (strstr (error->message, cases[i].message) == NULL)
        g_error ("%s: “%s” lacks “%s”", cases[i].subnet, error->message, cases[i].message);
      g_clear_error (&error);
    }
  g_assert_false (hv_store_create_network (fixture->store, first, &error));
  g_assert_error (error, HV_ERROR, HV_ERROR_NAME_IN_USE);
  tree_after = test_list_tree (fixture->root, NULL);
  g_assert_cmpstr (tree_after, ==, tree);
}

static void
test_network_parse_errors (Fixture *fixture, gconstpointer data)
{
  static const struct
  {
    const char *text;
    const char *message;
  } cases[] = {
    { "[network]\nname=bad\nmode=bridge\nsubnet=10.0.2.0/24\n",
      "bad.conf, line 3: unknown network mode “bridge”" },
    { "[network]\nname=bad\nmode=nat\n", "bad.conf, line 1: the [network] group has no “subnet”" },
    { "[network]\nname=bad\nmode=nat\nsubnet=10.0.2.0/33\n", "bad.conf, line 1: Invalid subnet" },
    { "[network]\nname=bad\nmode=nat\nsubnet=10.0.2.0/24\n[forward0]\nprotocol=tcp\nhost-port=0\n",
      "bad.conf, line 7: host-port “0” is not a whole number from 1 to 65535" },
    { "[network]\nname=other\nmode=nat\nsubnet=10.0.2.0/24\n", "names the network “other”" },
  };
  g_autofree char *directory = g_build_filename (fixture->root, "networks", NULL);
  g_autofree char *path = g_build_filename (directory, "bad.conf", NULL);

  g_assert_cmpint (g_mkdir (directory, 0700), ==, 0);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (HvNetworkConfig) config = NULL;

      g_assert_true (g_file_set_contents (path, cases[i].text, -1, NULL));
      config = hv_store_load_network (fixture->store, "bad", &error);
      g_assert_null (config);
      g_assert_error (error, HV_ERROR, HV_ERROR_INVALID_ARGUMENT);
      if (strstr (error->message, cases[i].message) == NULL)
        g_error ("case %u: “%s” lacks “%s”", i, error->message, cases[i].message);
    }
}

static void
test_launch_options (void)
{
  g_autoptr (HvMachineConfig) config = demo_config ("boot");
  g_autoptr (HvLaunchOptions) options = NULL;

  config->initrd = g_strdup ("/boot/initrd.img");
  ((HvDiskConfig *) g_ptr_array_index (config->disks, 0))->path = g_strdup ("disk.img");
  options = hv_store_launch_options (config);
  g_assert_cmpstr (options->name, ==, "boot");
  g_assert_cmpstr (options->kernel, ==, "/boot/vmlinuz");
  g_assert_cmpstr (options->initrd, ==, "/boot/initrd.img");
  g_assert_cmpstr (options->cmdline, ==, "console=ttyS0 quiet");
  g_assert_cmpuint (options->memory_mib, ==, 1024);
  g_assert_cmpuint (options->cpus, ==, 2);
  g_assert_cmpstr (options->display, ==, "spice");
  g_assert_nonnull (options->disks);
  g_assert_cmpstr (options->disks[0], ==, "path=disk.img,serial=root");
  g_assert_null (options->disks[1]);
}

/* Cards that need no hv-net are in the launch options; nat and isolated
 * ones come with hv_store_connect_networks (). */
static void
test_launch_options_nics (void)
{
  g_autoptr (HvMachineConfig) config = demo_config ("boot");
  g_autoptr (HvLaunchOptions) options = NULL;
  g_autofree char *bridge = NULL;
  HvNicConfig *nic;

  ((HvDiskConfig *) g_ptr_array_index (config->disks, 0))->path = g_strdup ("disk.img");
  ((HvNicConfig *) g_ptr_array_index (config->nics, 1))->mac = g_strdup ("52:54:00:00:00:02");
  nic = hv_machine_config_add_nic (config, HV_NIC_MODE_BRIDGE, "br0");
  nic->mac = g_strdup ("52:54:00:00:00:03");
  options = hv_store_launch_options (config);
  bridge = g_strdup_printf ("mac=52:54:00:00:00:03,backend=%s:br0",
                            geteuid () == 0 ? "tap" : "bridge-helper");
  g_assert_nonnull (options->nics);
  g_assert_cmpstr (options->nics[0], ==, "mac=52:54:00:00:00:02,backend=user");
  g_assert_cmpstr (options->nics[1], ==, bridge);
  g_assert_null (options->nics[2]);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/hv/store/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("machine/round-trip", test_machine_round_trip);
  ADD ("machine/update-keeps", test_machine_update_keeps);
  ADD ("machine/atomic-update", test_machine_atomic_update);
  ADD ("machine/create-errors", test_machine_create_errors);
  ADD ("machine/delete", test_machine_delete);
  ADD ("machine/rename", test_machine_rename);
  ADD ("machine/mac-unique", test_mac_unique);
  ADD ("network/round-trip", test_network_round_trip);
  ADD ("network/errors", test_network_errors);
  ADD ("network/parse-errors", test_network_parse_errors);
#undef ADD
  g_test_add_func ("/hv/store/machine/validation", test_machine_validation);
  g_test_add_func ("/hv/store/launch-options-nics", test_launch_options_nics);
  g_test_add_func ("/hv/store/machine/parse-errors", test_machine_parse_errors);
  g_test_add_func ("/hv/store/launch-options", test_launch_options);
  return g_test_run ();
}
