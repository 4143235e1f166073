/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Domain XML in and out: table-driven over golden files in data/xml/. */
#include "config.h"

#include "hangar-libvirt-xml.h"

static char *
read_data (const char *name)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "data", "xml", name, NULL);
  g_autoptr (GError) error = NULL;
  char *contents = NULL;

  g_file_get_contents (path, &contents, NULL, &error);
  g_assert_no_error (error);
  return contents;
}

typedef struct
{
  const char *golden;
  const char *domain_type;
  void (*fill) (HangarMachineSpec *spec);
} WriteCase;

static void
fill_kernel_boot (HangarMachineSpec *spec)
{
  spec->name = g_strdup ("demo");
  spec->os_id = g_strdup ("http://debian.org/debian/12");
  spec->cpus = 2;
  spec->memory_mib = 512;
  spec->kernel = g_strdup ("/srv/boot/vmlinuz");
  spec->initrd = g_strdup ("/srv/boot/initrd.gz");
  spec->cmdline = g_strdup ("console=ttyS0 quiet");
  hangar_machine_spec_add_disk (spec, "/var/lib/libvirt/images/demo.img", 6ull << 30, FALSE, FALSE);
  hangar_machine_spec_add_nic (spec, HANGAR_NETWORK_NAT, NULL, "52:54:00:12:34:56");
  spec->graphics = FALSE;
}

static void
fill_iso_install (HangarMachineSpec *spec)
{
  spec->name = g_strdup ("lab-pc");
  spec->cpus = 1;
  spec->memory_mib = 2048;
  hangar_machine_spec_add_disk (spec, "/dev/sdb2", 0, FALSE, FALSE);
  hangar_machine_spec_add_disk (spec, "/isos/debian & co.iso", 0, TRUE, TRUE);
  hangar_machine_spec_add_nic (spec, HANGAR_NETWORK_BRIDGE, "br0", "52:54:00:00:00:01");
  hangar_machine_spec_add_nic (spec, HANGAR_NETWORK_ISOLATED, "lab", "52:54:00:00:00:02");
  hangar_machine_spec_add_nic (spec, HANGAR_NETWORK_NONE, NULL, NULL);
}

/* What the new-machine wizard makes: an ISO install on a new disk behind NAT. */
static void
fill_wizard_iso (HangarMachineSpec *spec)
{
  spec->name = g_strdup ("debian-lab");
  spec->os_id = g_strdup ("http://debian.org/debian/11");
  spec->cpus = 2;
  spec->memory_mib = 1024;
  hangar_machine_spec_add_new_disk (spec, "/var/lib/libvirt/images/debian-lab.img", 20ull << 30);
  hangar_machine_spec_add_disk (spec, "/isos/debian-11.5.0-amd64-netinst.iso", 0, TRUE, TRUE);
  hangar_machine_spec_add_nic (spec, HANGAR_NETWORK_NAT, "default", "52:54:00:10:00:01");
}

/* The wizard importing a partition of its own (as the course recommends) on
 * the host's bridge. */
static void
fill_wizard_import (HangarMachineSpec *spec)
{
  spec->name = g_strdup ("server1");
  spec->os_id = g_strdup ("http://ubuntu.com/ubuntu/22.04");
  spec->cpus = 4;
  spec->memory_mib = 4096;
  hangar_machine_spec_add_disk (spec, "/dev/vg0/server1", 0, FALSE, FALSE);
  hangar_machine_spec_add_nic (spec, HANGAR_NETWORK_BRIDGE, "br0", "52:54:00:10:00:02");
}

/* The wizard installing from a tree (virt-install --location): the kernel and
 * initrd fetched, a new disk, on an isolated lab network. */
static void
fill_wizard_tree (HangarMachineSpec *spec)
{
  spec->name = g_strdup ("demofedora");
  spec->os_id = g_strdup ("http://fedoraproject.org/fedora/37");
  spec->cpus = 1;
  spec->memory_mib = 512;
  spec->kernel = g_strdup ("/var/cache/hangar/boot/demofedora/vmlinuz");
  spec->initrd = g_strdup ("/var/cache/hangar/boot/demofedora/initrd");
  spec->cmdline = g_strdup ("inst.repo=http://repo.example.org/fedora/37/os");
  hangar_machine_spec_add_new_disk (spec, "/var/lib/xen/images/demofedora.img", 6ull << 30);
  hangar_machine_spec_add_nic (spec, HANGAR_NETWORK_ISOLATED, "lab", "52:54:00:10:00:03");
}

/* An empty machine for a manual install: no disk, no network. */
static void
fill_wizard_empty (HangarMachineSpec *spec)
{
  spec->name = g_strdup ("blank");
  spec->cpus = 1;
  spec->memory_mib = 256;
}

static const WriteCase write_cases[] = {
  { "kernel-boot.xml", "kvm", fill_kernel_boot },
  { "iso-install.xml", "test", fill_iso_install },
  { "wizard-iso-new-disk.xml", "kvm", fill_wizard_iso },
  { "wizard-import-bridge.xml", "kvm", fill_wizard_import },
  { "wizard-tree-isolated.xml", "kvm", fill_wizard_tree },
  { "wizard-empty.xml", "test", fill_wizard_empty },
};

static void
test_write (gconstpointer data)
{
  const WriteCase *c = data;
  g_autoptr (HangarMachineSpec) spec = hangar_machine_spec_new ();
  g_autofree char *expected = g_getenv ("HANGAR_UPDATE_GOLDEN") ? NULL : read_data (c->golden);
  g_autofree char *xml = NULL;
  g_autoptr (HangarMachineSpec) round_trip = NULL;
  g_autoptr (GError) error = NULL;

  c->fill (spec);
  xml = hangar_libvirt_xml_from_spec (spec, c->domain_type);
  /* HANGAR_UPDATE_GOLDEN=1 rewrites the golden file: review the diff before committing. */
  if (g_getenv ("HANGAR_UPDATE_GOLDEN") != NULL)
    {
      g_autofree char *path = g_test_build_filename (G_TEST_DIST, "data", "xml", c->golden, NULL);
      g_assert_true (g_file_set_contents (path, xml, -1, NULL));
      g_clear_pointer (&expected, g_free);
      expected = g_strdup (xml);
    }
  g_assert_cmpstr (xml, ==, expected);

  /* What is written reads back as the same machine. */
  round_trip = hangar_libvirt_xml_to_spec (xml, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (round_trip->name, ==, spec->name);
  g_assert_cmpstr (round_trip->os_id, ==, spec->os_id);
  g_assert_cmpuint (round_trip->cpus, ==, spec->cpus);
  g_assert_cmpuint (round_trip->memory_mib, ==, spec->memory_mib);
  g_assert_cmpstr (round_trip->kernel, ==, spec->kernel);
  g_assert_cmpstr (round_trip->cmdline, ==, spec->cmdline);
  g_assert_cmpuint (round_trip->disks->len, ==, spec->disks->len);
  for (guint i = 0; i < spec->disks->len; i++)
    {
      HangarDiskSpec *a = g_ptr_array_index (spec->disks, i);
      HangarDiskSpec *b = g_ptr_array_index (round_trip->disks, i);
      g_assert_cmpstr (a->path, ==, b->path);
      g_assert_cmpint (a->cdrom, ==, b->cdrom);
    }
  g_assert_cmpint (round_trip->graphics, ==, spec->graphics);
}

static void
test_read_memory_units (void)
{
  static const struct
  {
    const char *memory;
    guint64 mib;
  } cases[] = {
    { "<memory>1048576</memory>", 1024 },       { "<memory unit='KiB'>2097152</memory>", 2048 },
    { "<memory unit='MiB'>300</memory>", 300 }, { "<memory unit='G'>3</memory>", 3072 },
    { "<memory unit='GiB'>1</memory>", 1024 },  { "<memory unit='bytes'>536870912</memory>", 512 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *xml =
          g_strdup_printf ("<domain type='kvm'><name>m</name>%s</domain>", cases[i].memory);
      g_autoptr (GError) error = NULL;
      g_autoptr (HangarMachineSpec) spec = hangar_libvirt_xml_to_spec (xml, &error);

      g_assert_no_error (error);
      g_assert_cmpuint (spec->memory_mib, ==, cases[i].mib);
    }
}

static void
test_read_garbage (void)
{
  static const char *inputs[] = { "", "not xml", "<network><name>x</name></network>", "<domain" };

  for (guint i = 0; i < G_N_ELEMENTS (inputs); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (HangarMachineSpec) spec = hangar_libvirt_xml_to_spec (inputs[i], &error);

      g_assert_null (spec);
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
    }
}

static void
test_clone (void)
{
  g_autofree char *xml = read_data ("kernel-boot.xml");
  const char *new_paths[] = { "/var/lib/libvirt/images/demo2.img", NULL };
  g_autoptr (GError) error = NULL;
  g_autofree char *clone = NULL;
  g_autoptr (HangarMachineSpec) spec = NULL;
  g_autofree char *with_uuid = NULL;

  with_uuid = g_strjoin ("", "<domain type='kvm'><uuid>11111111-2222-3333-4444-555555555555</uuid>",
                         strstr (xml, "<name>"), NULL);
  clone = hangar_libvirt_xml_for_clone (with_uuid, "demo2", new_paths, &error);
  g_assert_no_error (error);
  g_assert_null (strstr (clone, "<uuid>"));
  g_assert_null (strstr (clone, "52:54:00:12:34:56"));

  spec = hangar_libvirt_xml_to_spec (clone, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (spec->name, ==, "demo2");
  g_assert_cmpstr (((HangarDiskSpec *) g_ptr_array_index (spec->disks, 0))->path, ==,
                   "/var/lib/libvirt/images/demo2.img");
  g_assert_true (
      g_str_has_prefix (((HangarNicSpec *) g_ptr_array_index (spec->nics, 0))->mac, "52:54:00:"));
  g_assert_cmpstr (spec->kernel, ==, "/srv/boot/vmlinuz");
}

static void
test_update (void)
{
  g_autofree char *xml = read_data ("iso-install.xml");
  g_autoptr (HangarMachineSpec) spec = NULL;
  g_autoptr (HangarMachineSpec) updated = NULL;
  g_autofree char *new_xml = NULL;
  g_autoptr (GError) error = NULL;

  spec = hangar_libvirt_xml_to_spec (xml, &error);
  g_assert_no_error (error);
  spec->cpus = 3;
  spec->memory_mib = 4096;
  g_ptr_array_remove_index (spec->disks, 1);
  g_ptr_array_remove_index (spec->nics, 0);

  new_xml = hangar_libvirt_xml_update (xml, spec, &error);
  g_assert_no_error (error);
  updated = hangar_libvirt_xml_to_spec (new_xml, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (updated->cpus, ==, 3);
  g_assert_cmpuint (updated->memory_mib, ==, 4096);
  g_assert_cmpuint (updated->disks->len, ==, 1);
  g_assert_cmpuint (updated->nics->len, ==, 1);
  g_assert_cmpstr (((HangarNicSpec *) g_ptr_array_index (updated->nics, 0))->source, ==, "lab");
  /* Devices Hangar does not edit stay. */
  g_assert_nonnull (strstr (new_xml, "<graphics type=\"spice\""));
  g_assert_nonnull (strstr (new_xml, "<serial type=\"pty\""));
}

static void
test_network_modes (void)
{
  for (HangarNetworkMode mode = HANGAR_NETWORK_NONE; mode <= HANGAR_NETWORK_USER; mode++)
    {
      HangarNetworkMode parsed;

      g_assert_true (
          hangar_network_mode_from_string (hangar_network_mode_to_string (mode), &parsed));
      g_assert_cmpint (parsed, ==, mode);
      g_assert_nonnull (hangar_network_mode_describe (mode));
    }
  g_assert_false (hangar_network_mode_from_string ("wifi", &(HangarNetworkMode){ 0 }));
}

static void
test_machine_names (void)
{
  static const char *good[] = { "demo", "pc01", "web-server_2.lab", "A" };
  static const char *bad[] = {
    "",
    "-x",
    ".hidden",
    "a/b",
    "con espacio",
    "ñandú",
    "0123456789012345678901234567890123456789012345678901234567890123456789"
  };

  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    g_assert_true (hangar_machine_name_is_valid (good[i], NULL));
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr (GError) error = NULL;
      g_assert_false (hangar_machine_name_is_valid (bad[i], &error));
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
    }
}

static void
test_validate (void)
{
  g_autoptr (HangarMachineSpec) spec = hangar_machine_spec_new ();
  static const char *bad_macs[] = { "52:54:00:12:34", "52-54-00-12-34-56", "52:54:00:12:34:5g",
                                    "52:54:00:12:34:567" };
  HangarNicSpec *nic;
  GError *error = NULL;

  spec->name = g_strdup ("lab");
  spec->cpus = 2;
  spec->memory_mib = 1024;
  g_assert_true (hangar_machine_spec_validate (spec, 4, 8192, &error));
  g_assert_no_error (error);

  spec->cpus = 5;
  g_assert_false (hangar_machine_spec_validate (spec, 4, 8192, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_true (hangar_machine_spec_validate (spec, 0, 0, NULL)); /* limits unknown */
  spec->cpus = 0;
  g_assert_false (hangar_machine_spec_validate (spec, 0, 0, NULL));
  spec->cpus = 2;

  spec->memory_mib = 16384;
  g_assert_false (hangar_machine_spec_validate (spec, 4, 8192, &error));
  g_assert_nonnull (strstr (error->message, "8192"));
  g_clear_error (&error);
  spec->memory_mib = 32;
  g_assert_false (hangar_machine_spec_validate (spec, 4, 8192, NULL));
  spec->memory_mib = 1024;

  hangar_machine_spec_add_nic (spec, HANGAR_NETWORK_BRIDGE, NULL, NULL);
  g_assert_false (hangar_machine_spec_validate (spec, 4, 8192, NULL));
  nic = g_ptr_array_index (spec->nics, 0);
  nic->source = g_strdup ("br0");
  g_assert_true (hangar_machine_spec_validate (spec, 4, 8192, NULL));
  for (guint i = 0; i < G_N_ELEMENTS (bad_macs); i++)
    {
      g_free (nic->mac);
      nic->mac = g_strdup (bad_macs[i]);
      g_assert_false (hangar_machine_spec_validate (spec, 4, 8192, NULL));
    }
  g_free (nic->mac);
  nic->mac = g_strdup ("52:54:00:AB:cd:09");
  g_assert_true (hangar_machine_spec_validate (spec, 4, 8192, NULL));

  hangar_machine_spec_add_disk (spec, "", 0, FALSE, FALSE);
  g_assert_false (hangar_machine_spec_validate (spec, 4, 8192, NULL));
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (write_cases); i++)
    {
      g_autofree char *path =
          g_strdup_printf ("/Hangar/libvirt-xml/write/%s", write_cases[i].golden);
      g_test_add_data_func (path, &write_cases[i], test_write);
    }
  g_test_add_func ("/Hangar/libvirt-xml/read-memory-units", test_read_memory_units);
  g_test_add_func ("/Hangar/libvirt-xml/read-garbage", test_read_garbage);
  g_test_add_func ("/Hangar/libvirt-xml/clone", test_clone);
  g_test_add_func ("/Hangar/libvirt-xml/update", test_update);
  g_test_add_func ("/Hangar/spec/network-modes", test_network_modes);
  g_test_add_func ("/Hangar/spec/machine-names", test_machine_names);
  g_test_add_func ("/Hangar/spec/validate", test_validate);

  return g_test_run ();
}
