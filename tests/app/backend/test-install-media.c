/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Installer discs and trees: small ISOs built here with xorriso, carrying the
 * markers libosinfo's database matches (volume ID, system ID) and the files
 * of real installers (.disk/info, .treeinfo, casper/, install.amd/ ...), then
 * recognized, their kernel found and copied out.
 */
#include "config.h"

#include <glib/gstdio.h>

#include "hangar-embedded-install.h"
#include "hangar-osinfo.h"

#include "test-loop.h"

typedef struct
{
  const char *path;
  const char *contents; /* NULL: a large file of pseudo-random bytes */
} File;

typedef struct
{
  const char *name;
  const char *volume_id;
  const char *system_id; /* NULL: none */
  gboolean rock_ridge;
  File files[6];
  const char *os_short_id; /* NULL: not recognized */
  const char *kernel;      /* NULL: no kernel found */
  const char *initrd;
  const char *cmdline; /* a part of it */
} IsoCase;

#define BIG_SIZE (3 * 1024 * 1024 + 123)

static const IsoCase iso_cases[] = {
  { "debian-11-netinst",
    "Debian 11.5.0 amd64 n",
    NULL,
    TRUE,
    { { ".disk/info", "Debian GNU/Linux 11.5.0 \"Bullseye\" - Official amd64 NETINST" },
      { "install.amd/vmlinuz", "debian kernel" },
      { "install.amd/initrd.gz", NULL },
      { "install.amd/gtk/vmlinuz", "debian graphical kernel" } },
    "debian11",
    "install.amd/vmlinuz",
    "install.amd/initrd.gz",
    "console=ttyS0" },
  { "ubuntu-22.04-server",
    "Ubuntu-Server 22.04.1 LTS amd64",
    NULL,
    TRUE,
    { { ".disk/info", "Ubuntu-Server 22.04.1 LTS \"Jammy Jellyfish\" - Release amd64" },
      { "casper/vmlinuz", "ubuntu kernel" },
      { "casper/initrd", NULL } },
    "ubuntu22.04",
    "casper/vmlinuz",
    "casper/initrd",
    "boot=casper" },
  /* libosinfo says isolinux/; this disc has only images/pxeboot/. */
  { "fedora-37-server",
    "Fedora-S-dvd-x86_64-37",
    "LINUX",
    TRUE,
    { { ".treeinfo", "[general]\nfamily = Fedora\nversion = 37\narch = x86_64\n" },
      { "images/pxeboot/vmlinuz", "fedora kernel" },
      { "images/pxeboot/initrd.img", NULL } },
    "fedora37",
    "images/pxeboot/vmlinuz",
    "images/pxeboot/initrd.img",
    "inst.stage2=hd:LABEL=Fedora-S-dvd-x86_64-37" },
  { "alpine-3.17-standard",
    "alpine-std 3.17.0 x86_64",
    NULL,
    TRUE,
    { { ".alpine-release", "3.17.0" },
      { "boot/vmlinuz-lts", "alpine kernel" },
      { "boot/initramfs-lts", NULL } },
    "alpinelinux3.17",
    "boot/vmlinuz-lts",
    "boot/initramfs-lts",
    "modules=loop,squashfs" },
  /* Plain ISO 9660 names, upper case and mangled, without Rock Ridge. */
  { "debian-plain-iso9660",
    "Debian 11.5.0 amd64 n",
    NULL,
    FALSE,
    { { "install.amd/vmlinuz", "debian kernel" }, { "install.amd/initrd.gz", NULL } },
    "debian11",
    "install.amd/vmlinuz",
    "install.amd/initrd.gz",
    "console=ttyS0" },
  /* Recognized by neither libosinfo nor the known layouts. */
  { "unknown",
    "MY_RESCUE_DISC",
    NULL,
    TRUE,
    { { "readme.txt", "hello" } },
    NULL,
    NULL,
    NULL,
    NULL },
};

static char *work_dir;

static GBytes *
big_contents (void)
{
  guint8 *data = g_malloc (BIG_SIZE);
  guint32 x = 2463534242u;

  for (gsize i = 0; i < BIG_SIZE; i++)
    {
      x ^= x << 13;
      x ^= x >> 17;
      x ^= x << 5;
      data[i] = x;
    }
  return g_bytes_new_take (data, BIG_SIZE);
}

static void
write_tree_file (const char *root, const File *file)
{
  g_autofree char *path = g_build_filename (root, file->path, NULL);
  g_autofree char *dir = g_path_get_dirname (path);
  g_autoptr (GBytes) big = file->contents == NULL ? big_contents () : NULL;
  g_autoptr (GError) error = NULL;

  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  if (big != NULL)
    g_file_set_contents (path, g_bytes_get_data (big, NULL), g_bytes_get_size (big), &error);
  else
    g_file_set_contents (path, file->contents, -1, &error);
  g_assert_no_error (error);
}

static char *
make_tree (const char *name, const File *files, guint n_files)
{
  char *root = g_build_filename (work_dir, name, NULL);

  for (guint i = 0; i < n_files && files[i].path != NULL; i++)
    write_tree_file (root, &files[i]);
  return root;
}

/* An El Torito boot image: libosinfo takes only bootable discs for installers. */
static char *
build_iso (const IsoCase *c)
{
  g_autofree char *root = make_tree (c->name, c->files, G_N_ELEMENTS (c->files));
  g_autofree char *iso = g_strconcat (root, ".iso", NULL);
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_autofree char *output = NULL;
  File boot = { "isolinux/isolinux.bin", "boot loader" };
  int status = 0;
  g_autoptr (GError) error = NULL;

  write_tree_file (root, &boot);
  g_ptr_array_add (argv, (char *) "xorriso");
  g_ptr_array_add (argv, (char *) "-as");
  g_ptr_array_add (argv, (char *) "mkisofs");
  g_ptr_array_add (argv, (char *) "-quiet");
  if (c->rock_ridge)
    g_ptr_array_add (argv, (char *) "-r");
  g_ptr_array_add (argv, (char *) "-V");
  g_ptr_array_add (argv, (char *) c->volume_id);
  if (c->system_id != NULL)
    {
      g_ptr_array_add (argv, (char *) "-sysid");
      g_ptr_array_add (argv, (char *) c->system_id);
    }
  g_ptr_array_add (argv, (char *) "-b");
  g_ptr_array_add (argv, (char *) "isolinux/isolinux.bin");
  g_ptr_array_add (argv, (char *) "-no-emul-boot");
  g_ptr_array_add (argv, (char *) "-o");
  g_ptr_array_add (argv, iso);
  g_ptr_array_add (argv, root);
  g_ptr_array_add (argv, NULL);
  g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, &output,
                &status, &error);
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, NULL))
    g_error ("xorriso failed: %s", output);
  return g_steal_pointer (&iso);
}

static HangarInstallInspection *
inspect (const char *location, HangarInstallKind kind, GError **error)
{
  GAsyncResult *result = NULL;
  HangarInstallInspection *inspection;

  hangar_install_inspect_async (location, kind, NULL, test_store_result, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  inspection = hangar_install_inspect_finish (result, error);
  g_object_unref (result);
  return inspection;
}

static void
count_progress (guint64 done, guint64 total, gpointer user_data)
{
  guint64 *last = user_data;

  g_assert_cmpuint (done, >=, *last);
  g_assert_cmpuint (done, <=, total);
  *last = done;
}

static void
assert_same_file (const char *path, const char *root, const char *original)
{
  g_autofree char *original_path = g_build_filename (root, original, NULL);
  g_autofree char *a = NULL;
  g_autofree char *b = NULL;
  gsize a_len, b_len;

  g_assert_true (g_file_get_contents (path, &a, &a_len, NULL));
  g_assert_true (g_file_get_contents (original_path, &b, &b_len, NULL));
  g_assert_cmpmem (a, a_len, b, b_len);
}

static void
test_iso (gconstpointer data)
{
  const IsoCase *c = data;
  g_autofree char *iso = build_iso (c);
  g_autofree char *root = g_build_filename (work_dir, c->name, NULL);
  g_autofree char *boot_dir = g_build_filename (work_dir, c->name, "boot-out", NULL);
  g_autoptr (HangarInstallInspection) inspection = NULL;
  g_autoptr (HangarMachineSpec) spec = hangar_machine_spec_new ();
  g_autoptr (GError) error = NULL;
  guint64 progress = 0;
  HangarDiskSpec *cdrom;

  inspection = inspect (iso, HANGAR_INSTALL_ISO, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (inspection->volume_id, ==, c->volume_id);
  if (c->os_short_id == NULL)
    g_assert_null (inspection->os);
  else
    {
      g_assert_nonnull (inspection->os);
      g_assert_cmpstr (inspection->os->short_id, ==, c->os_short_id);
      g_assert_cmpuint (inspection->os->memory_mib, >=, 128);
      g_assert_cmpuint (inspection->os->storage_bytes, >, 0);
    }

  spec->name = g_strdup ("test");
  if (c->kernel == NULL)
    {
      g_assert_null (inspection->kernel);
      g_assert_nonnull (strstr (inspection->kernel_error, "libvirt"));
      g_assert_false (
          hangar_embedded_install_prepare (spec, inspection, boot_dir, NULL, NULL, NULL, &error));
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED);
      return;
    }
  g_assert_nonnull (inspection->kernel);
  g_assert_cmpstr (inspection->kernel->kernel, ==, c->kernel);
  g_assert_cmpstr (inspection->kernel->initrd, ==, c->initrd);
  g_assert_nonnull (strstr (inspection->kernel->cmdline, c->cmdline));
  g_assert_cmpuint (inspection->kernel->initrd_size, ==, BIG_SIZE);

  /* The embedded back end's part: the files copied out, the disc attached. */
  g_assert_true (hangar_embedded_install_prepare (spec, inspection, boot_dir, NULL, count_progress,
                                                  &progress, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (progress, ==, inspection->kernel->kernel_size + BIG_SIZE);
  assert_same_file (spec->kernel, root, c->kernel);
  assert_same_file (spec->initrd, root, c->initrd);
  g_assert_cmpstr (spec->cmdline, ==, inspection->kernel->cmdline);
  g_assert_cmpuint (spec->disks->len, ==, 1);
  cdrom = g_ptr_array_index (spec->disks, 0);
  g_assert_cmpstr (cdrom->path, ==, iso);
  g_assert_true (cdrom->cdrom && cdrom->readonly);
}

static void
test_iso_reader (void)
{
  const IsoCase *debian = &iso_cases[0];
  g_autofree char *iso = build_iso (debian);
  g_autofree char *not_iso = g_build_filename (work_dir, "not-an.iso", NULL);
  g_autoptr (HangarIsoImage) image = NULL;
  g_autoptr (GBytes) info = NULL;
  g_autoptr (GError) error = NULL;
  guint64 size = 0;

  image = hangar_iso_image_open (iso, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (hangar_iso_image_get_volume_id (image), ==, "Debian 11.5.0 amd64 n");
  g_assert_true (hangar_iso_image_find (image, "/install.amd/vmlinuz", &size));
  g_assert_cmpuint (size, ==, strlen ("debian kernel"));
  g_assert_true (hangar_iso_image_find (image, "install.amd/gtk/vmlinuz", NULL));
  g_assert_false (hangar_iso_image_find (image, "install.amd", NULL)); /* a directory */
  g_assert_false (hangar_iso_image_find (image, "install.amd/vmlinuz/x", NULL));
  g_assert_false (hangar_iso_image_find (image, "casper/vmlinuz", NULL));
  info = hangar_iso_image_read (image, ".disk/info", 4096, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (g_bytes_get_data (info, NULL), "Debian GNU/Linux 11.5.0"));
  g_assert_null (hangar_iso_image_read (image, "install.amd/initrd.gz", 4096, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  g_clear_error (&error);

  g_assert_true (g_file_set_contents (not_iso, "just text", -1, NULL));
  g_assert_null (hangar_iso_image_open (not_iso, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  g_clear_error (&error);
  g_assert_null (hangar_iso_image_open ("/nonexistent.iso", &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
}

static void
test_cancel (void)
{
  g_autofree char *iso = build_iso (&iso_cases[1]);
  g_autofree char *dest = g_build_filename (work_dir, "cancelled-initrd", NULL);
  g_autofree char *partial = g_strconcat (dest, ".part", NULL);
  g_autoptr (HangarIsoImage) image = hangar_iso_image_open (iso, NULL);
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  g_autoptr (GError) error = NULL;

  g_cancellable_cancel (cancellable);
  g_assert_false (
      hangar_iso_image_extract (image, "casper/initrd", dest, cancellable, NULL, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_false (g_file_test (dest, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (partial, G_FILE_TEST_EXISTS));
}

/* virt-install --location: a Fedora install tree, here a directory. */
static void
test_tree (void)
{
  static const File files[] = {
    { ".treeinfo", "[general]\nfamily = Fedora\nversion = 37\narch = x86_64\nvariant = Server\n"
                   "[tree]\narch = x86_64\nplatforms = x86_64\nvariants = Server\n"
                   "[images-x86_64]\nkernel = images/pxeboot/vmlinuz\n"
                   "initrd = images/pxeboot/initrd.img\n"
                   "[header]\ntype = productmd.treeinfo\nversion = 1.2\n"
                   "[release]\nname = Fedora\nshort = Fedora\nversion = 37\n" },
    { "images/pxeboot/vmlinuz", "fedora tree kernel" },
    { "images/pxeboot/initrd.img", NULL },
  };
  g_autofree char *root = make_tree ("fedora-tree", files, G_N_ELEMENTS (files));
  g_autofree char *uri = g_filename_to_uri (root, NULL, NULL);
  g_autofree char *repo = g_strconcat ("inst.repo=", uri, NULL);
  g_autofree char *boot_dir = g_build_filename (root, "boot-out", NULL);
  g_autoptr (HangarInstallInspection) inspection = NULL;
  g_autoptr (HangarMachineSpec) spec = hangar_machine_spec_new ();
  g_autoptr (GError) error = NULL;

  inspection = inspect (root, HANGAR_INSTALL_TREE, &error);
  g_assert_no_error (error);
  g_assert_nonnull (inspection->os);
  g_assert_cmpstr (inspection->os->short_id, ==, "fedora37");
  g_assert_nonnull (inspection->kernel);
  g_assert_cmpstr (inspection->kernel->kernel, ==, "images/pxeboot/vmlinuz");
  g_assert_nonnull (strstr (inspection->kernel->cmdline, repo));

  /* A tree here is used where it is: nothing is copied. */
  spec->name = g_strdup ("demofedora");
  g_assert_true (
      hangar_embedded_install_prepare (spec, inspection, boot_dir, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  assert_same_file (spec->kernel, root, "images/pxeboot/vmlinuz");
  g_assert_true (g_str_has_prefix (spec->kernel, root));
  g_assert_cmpuint (spec->disks->len, ==, 0);
}

static void
test_os_list (void)
{
  GAsyncResult *result = NULL;
  g_autoptr (GPtrArray) list = NULL;
  g_autoptr (HangarOsInfo) debian = NULL;
  gboolean found = FALSE;

  hangar_os_list_async (NULL, test_store_result, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  list = hangar_os_list_finish (result, NULL);
  g_object_unref (result);
  g_assert_cmpuint (list->len, >, 100);
  for (guint i = 0; i < list->len; i++)
    found |= g_strcmp0 (((HangarOsInfo *) g_ptr_array_index (list, i))->short_id, "debian11") == 0;
  g_assert_true (found);

  debian = hangar_osinfo_lookup ("debian11");
  g_assert_nonnull (debian);
  g_assert_cmpstr (debian->id, ==, "http://debian.org/debian/11");
  g_assert_cmpstr (debian->name, ==, "Debian 11");
  g_assert_cmpuint (debian->memory_mib, ==, 1024);
  g_assert_cmpuint (debian->storage_bytes, ==, 20ull << 30);
  g_assert_null (hangar_osinfo_lookup ("no-such-os"));
}

static gboolean
remove_all (const char *path)
{
  g_autoptr (GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);
      if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        remove_all (child);
      else
        g_unlink (child);
    }
  return g_rmdir (path) == 0;
}

int
main (int argc, char *argv[])
{
  g_autofree char *xorriso = g_find_program_in_path ("xorriso");
  int status;

  g_test_init (&argc, &argv, NULL);
  if (xorriso == NULL)
    {
      g_printerr ("xorriso is not installed: install the Debian package 'xorriso'\n");
      return 1;
    }
  if (!g_file_test ("/usr/share/osinfo/os", G_FILE_TEST_IS_DIR))
    {
      g_printerr ("libosinfo's database is not installed: install the Debian package "
                  "'osinfo-db'\n");
      return 1;
    }
  work_dir = g_dir_make_tmp ("hangar-media-XXXXXX", NULL);

  for (guint i = 0; i < G_N_ELEMENTS (iso_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/Hangar/install-media/iso/%s", iso_cases[i].name);
      g_test_add_data_func (path, &iso_cases[i], test_iso);
    }
  g_test_add_func ("/Hangar/install-media/iso-reader", test_iso_reader);
  g_test_add_func ("/Hangar/install-media/cancel", test_cancel);
  g_test_add_func ("/Hangar/install-media/tree", test_tree);
  g_test_add_func ("/Hangar/install-media/os-list", test_os_list);

  status = g_test_run ();
  remove_all (work_dir);
  g_free (work_dir);
  return status;
}
