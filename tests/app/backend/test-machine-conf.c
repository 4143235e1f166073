/* SPDX-License-Identifier: GPL-3.0-or-later */
/* machine.conf out of the wizard's specs, as the embedded back end writes it
 * through libhvcore: table-driven over golden files in data/conf/, in the
 * format of hv-core/docs/machine-conf.md. */
#include "config.h"

#include <glib/gstdio.h>

#include "hangar-embedded-private.h"

typedef struct
{
  const char *golden;
  void (*fill) (HangarMachineSpec *spec);
} Case;

/* The course's virt-install example on the embedded back end: the installer's
 * kernel from the disc, a new 6 GiB disk, the disc read-only, NAT. */
static void
fill_iso_install (HangarMachineSpec *spec)
{
  spec->name = g_strdup ("demofedora");
  spec->os_id = g_strdup ("http://fedoraproject.org/fedora/37");
  spec->cpus = 1;
  spec->memory_mib = 512;
  spec->kernel = g_strdup ("/home/ana/.cache/hangar/boot/demofedora/vmlinuz");
  spec->initrd = g_strdup ("/home/ana/.cache/hangar/boot/demofedora/initrd");
  spec->cmdline =
      g_strdup ("inst.stage2=hd:LABEL=Fedora-S-dvd-x86_64-37 console=ttyS0 console=tty0");
  hangar_machine_spec_add_new_disk (
      spec, "/home/ana/.local/share/hangar/machines/demofedora/demofedora.img", 6ull << 30);
  hangar_machine_spec_add_disk (spec, "/home/ana/isos/Fedora-Server-dvd-x86_64-37-1.7.iso", 0, TRUE,
                                TRUE);
  hangar_machine_spec_add_nic (spec, HANGAR_NETWORK_NAT, NULL, "52:54:00:20:00:01");
}

/* Two lab machines' worth of networking on a partition of its own. */
static void
fill_import_lab (HangarMachineSpec *spec)
{
  spec->name = g_strdup ("router");
  spec->cpus = 2;
  spec->memory_mib = 256;
  hangar_machine_spec_add_disk (spec, "/dev/sdb2", 0, FALSE, FALSE);
  hangar_machine_spec_add_nic (spec, HANGAR_NETWORK_BRIDGE, "br0", "52:54:00:20:00:02");
  hangar_machine_spec_add_nic (spec, HANGAR_NETWORK_NONE, NULL, NULL);
  hangar_machine_spec_add_nic (spec, HANGAR_NETWORK_ISOLATED, "lab", "52:54:00:20:00:03");
  spec->graphics = FALSE;
}

/* An empty machine: nothing to boot yet, no network. */
static void
fill_empty (HangarMachineSpec *spec)
{
  spec->name = g_strdup ("blank");
  spec->cpus = 1;
  spec->memory_mib = 1024;
}

static const Case cases[] = {
  { "iso-install.conf", fill_iso_install },
  { "import-lab.conf", fill_import_lab },
  { "empty.conf", fill_empty },
};

static char *
read_golden (const char *name)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "data", "conf", name, NULL);
  g_autoptr (GError) error = NULL;
  char *contents = NULL;

  g_file_get_contents (path, &contents, NULL, &error);
  g_assert_no_error (error);
  return contents;
}

static void
test_write (gconstpointer data)
{
  const Case *c = data;
  g_autoptr (HangarMachineSpec) spec = hangar_machine_spec_new ();
  g_autoptr (HangarMachineSpec) back = NULL;
  g_autofree char *expected = g_getenv ("HANGAR_UPDATE_GOLDEN") ? NULL : read_golden (c->golden);
  g_autoptr (HvMachineConfig) config = NULL;
  g_autoptr (HvMachineConfig) back_config = NULL;
  g_autofree char *text = NULL;
  g_autoptr (GError) error = NULL;
  guint n_nics = 0;

  c->fill (spec);
  config = _hangar_embedded_config_from_spec (spec, NULL);
  /* The store gives a new machine its UUID; a fixed one keeps the file stable. */
  config->uuid = g_strdup ("0b7e2c1a-5d3f-4e8a-9c6b-2f1d0e9a8b7c");
  text = hv_machine_config_to_data (config, NULL);
  /* HANGAR_UPDATE_GOLDEN=1 rewrites the golden file: review the diff before committing. */
  if (g_getenv ("HANGAR_UPDATE_GOLDEN") != NULL)
    {
      g_autofree char *path = g_test_build_filename (G_TEST_DIST, "data", "conf", c->golden, NULL);
      g_assert_true (g_file_set_contents (path, text, -1, NULL));
      g_free (expected);
      expected = g_strdup (text);
    }
  g_assert_cmpstr (text, ==, expected);

  /* It reads back as the same machine (cards in mode "none" are no cards). */
  back_config = hv_machine_config_load_data (text, "machine.conf", NULL, &error);
  g_assert_no_error (error);
  back = _hangar_embedded_spec_from_config (back_config);
  g_assert_cmpstr (back->name, ==, spec->name);
  g_assert_cmpstr (back->os_id, ==, spec->os_id);
  g_assert_cmpuint (back->cpus, ==, spec->cpus);
  g_assert_cmpuint (back->memory_mib, ==, spec->memory_mib);
  g_assert_cmpstr (back->kernel, ==, spec->kernel);
  g_assert_cmpstr (back->initrd, ==, spec->initrd);
  g_assert_cmpstr (back->cmdline, ==, spec->cmdline);
  g_assert_cmpint (back->graphics, ==, spec->graphics);
  g_assert_cmpuint (back->disks->len, ==, spec->disks->len);
  for (guint i = 0; i < spec->disks->len; i++)
    {
      HangarDiskSpec *a = g_ptr_array_index (spec->disks, i);
      HangarDiskSpec *b = g_ptr_array_index (back->disks, i);

      g_assert_cmpstr (a->path, ==, b->path);
      g_assert_cmpint (a->cdrom, ==, b->cdrom);
      g_assert_cmpint (a->readonly, ==, b->readonly);
    }
  for (guint i = 0, j = 0; i < spec->nics->len; i++)
    {
      HangarNicSpec *a = g_ptr_array_index (spec->nics, i);
      HangarNicSpec *b;

      if (a->mode == HANGAR_NETWORK_NONE)
        continue;
      while (j < back->nics->len &&
             ((HangarNicSpec *) g_ptr_array_index (back->nics, j))->mode == HANGAR_NETWORK_NONE)
        j++;
      g_assert_cmpuint (j, <, back->nics->len);
      b = g_ptr_array_index (back->nics, j++);
      g_assert_cmpint (a->mode, ==, b->mode);
      g_assert_cmpstr (a->mac, ==, b->mac);
      n_nics++;
    }
  for (guint j = 0; j < back->nics->len; j++)
    {
      if (((HangarNicSpec *) g_ptr_array_index (back->nics, j))->mode != HANGAR_NETWORK_NONE)
        n_nics--;
    }
  g_assert_cmpuint (n_nics, ==, 0);
}

static void
test_save (void)
{
  g_autoptr (HangarMachineSpec) spec = hangar_machine_spec_new ();
  g_autofree char *dir = g_dir_make_tmp ("hangar-conf-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "machine.conf", NULL);
  g_autofree char *contents = NULL;
  g_autoptr (HvMachineConfig) config = NULL;
  g_autoptr (GError) error = NULL;

  fill_empty (spec);
  config = _hangar_embedded_config_from_spec (spec, NULL);
  g_assert_true (hv_machine_config_save_file (config, path, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  g_assert_true (g_str_has_prefix (contents, "[machine]\nname=blank\n"));
  g_unlink (path);
  g_rmdir (dir);
}

static void
test_read_bad (void)
{
  static const char *inputs[] = {
    "not a key file",
    "[boot]\nkernel=/vmlinuz\n",
    "[machine]\nname=x\ncpus=1\nmemory=64\n[nic0]\nmode=wifi\n",
  };

  for (guint i = 0; i < G_N_ELEMENTS (inputs); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (HvMachineConfig) config =
          hv_machine_config_load_data (inputs[i], "machine.conf", NULL, &error);

      g_assert_null (config);
      g_assert_nonnull (error);
    }
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/Hangar/machine-conf/write/%s", cases[i].golden);
      g_test_add_data_func (path, &cases[i], test_write);
    }
  g_test_add_func ("/Hangar/machine-conf/save", test_save);
  g_test_add_func ("/Hangar/machine-conf/read-bad", test_read_bad);
  return g_test_run ();
}
