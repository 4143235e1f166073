/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The host requirement checks over hosts described by files of the test's own. */
#include "config.h"

#include <glib/gstdio.h>

#include "hangar-host.h"

typedef struct
{
  char *dir;
  HangarHostSources sources;
} Host;

static char *
write_file (Host *host, const char *name, const char *contents)
{
  char *path = g_build_filename (host->dir, name, NULL);

  g_assert_true (g_file_set_contents (path, contents, -1, NULL));
  return path;
}

static void
host_init (Host *host, guint cores, const char *flags, guint64 mem_kib, const char *machine,
           const char *nested)
{
  g_autoptr (GString) cpuinfo = g_string_new (NULL);
  g_autofree char *meminfo = g_strdup_printf ("MemTotal:       %" G_GUINT64_FORMAT " kB\n"
                                              "MemFree:        1000 kB\n",
                                              mem_kib);

  for (guint i = 0; i < cores; i++)
    g_string_append_printf (
        cpuinfo, "processor\t: %u\nvendor_id\t: Test\nflags\t\t: fpu %s sse2\n\n", i, flags);
  host->dir = g_dir_make_tmp ("hangar-host-XXXXXX", NULL);
  host->sources.cpuinfo_path = write_file (host, "cpuinfo", cpuinfo->str);
  host->sources.meminfo_path = write_file (host, "meminfo", meminfo);
  host->sources.kvm_path = g_build_filename (host->dir, "no-kvm", NULL);
  host->sources.nested_path = nested != NULL ? write_file (host, "nested", nested)
                                             : g_build_filename (host->dir, "no-nested", NULL);
  host->sources.storage_path = host->dir;
  host->sources.machine = machine;
}

static void
host_clear (Host *host)
{
  g_unlink (host->sources.cpuinfo_path);
  g_unlink (host->sources.meminfo_path);
  g_unlink (host->sources.nested_path);
  g_free ((char *) host->sources.cpuinfo_path);
  g_free ((char *) host->sources.meminfo_path);
  g_free ((char *) host->sources.kvm_path);
  g_free ((char *) host->sources.nested_path);
  g_rmdir (host->dir);
  g_free (host->dir);
}

static const HangarHostCheck *
find (GPtrArray *checks, const char *title)
{
  for (guint i = 0; i < checks->len; i++)
    {
      const HangarHostCheck *check = g_ptr_array_index (checks, i);
      if (g_str_equal (check->title, title))
        return check;
    }
  g_assert_not_reached ();
}

static void
test_capable_host (void)
{
  Host host;
  g_autoptr (GPtrArray) checks = NULL;

  host_init (&host, 8, "vmx", 16 * 1024 * 1024, "x86_64", "Y\n");
  checks = hangar_host_check_all (&host.sources);
  g_assert_cmpuint (checks->len, ==, 7);
  g_assert_cmpint (find (checks, "Processor cores")->status, ==, HANGAR_CHECK_OK);
  g_assert_cmpstr (find (checks, "Processor cores")->value, ==, "8 cores");
  g_assert_cmpint (find (checks, "Hardware virtualization")->status, ==, HANGAR_CHECK_OK);
  g_assert_cmpstr (find (checks, "Hardware virtualization")->value, ==, "Intel VT-x");
  g_assert_cmpint (find (checks, "Memory")->status, ==, HANGAR_CHECK_OK);
  g_assert_cmpint (find (checks, "64-bit host")->status, ==, HANGAR_CHECK_OK);
  g_assert_cmpint (find (checks, "Nested virtualization")->status, ==, HANGAR_CHECK_OK);
  /* No /dev/kvm at the path given. */
  g_assert_cmpint (find (checks, "KVM")->status, ==, HANGAR_CHECK_FAILED);
  g_assert_nonnull (strstr (find (checks, "KVM")->explanation, "does not exist"));
  g_assert_cmpuint (hangar_host_count_cpus (host.sources.cpuinfo_path), ==, 8);
  g_assert_cmpuint (hangar_host_memory_mib (host.sources.meminfo_path), ==, 16384);
  host_clear (&host);
}

static void
test_weak_host (void)
{
  Host host;
  g_autoptr (GPtrArray) checks = NULL;

  host_init (&host, 1, "pae", 1536 * 1024, "i686", "0\n");
  checks = hangar_host_check_all (&host.sources);
  g_assert_cmpint (find (checks, "Processor cores")->status, ==, HANGAR_CHECK_WARNING);
  g_assert_cmpstr (find (checks, "Processor cores")->value, ==, "1 core");
  g_assert_cmpint (find (checks, "Hardware virtualization")->status, ==, HANGAR_CHECK_FAILED);
  g_assert_cmpint (find (checks, "Memory")->status, ==, HANGAR_CHECK_FAILED);
  g_assert_cmpint (find (checks, "64-bit host")->status, ==, HANGAR_CHECK_WARNING);
  g_assert_nonnull (strstr (find (checks, "64-bit host")->explanation, "4 GiB"));
  g_assert_cmpint (find (checks, "Nested virtualization")->status, ==, HANGAR_CHECK_WARNING);
  host_clear (&host);
}

static void
test_amd_desktop_host (void)
{
  Host host;
  g_autoptr (GPtrArray) checks = NULL;

  host_init (&host, 2, "svm", 3 * 1024 * 1024, "x86_64", NULL);
  checks = hangar_host_check_all (&host.sources);
  g_assert_cmpstr (find (checks, "Hardware virtualization")->value, ==, "AMD-V");
  /* 3 GiB: a desktop guest fits, a server guest does not. */
  g_assert_cmpint (find (checks, "Memory")->status, ==, HANGAR_CHECK_WARNING);
  g_assert_cmpint (find (checks, "Nested virtualization")->status, ==, HANGAR_CHECK_WARNING);
  g_assert_cmpstr (find (checks, "Nested virtualization")->value, ==, "Unknown");
  host_clear (&host);
}

static void
test_kvm_not_kvm (void)
{
  Host host;
  g_autoptr (GPtrArray) checks = NULL;

  /* A device that opens but is not KVM answers no API version. */
  host_init (&host, 2, "vmx", 8 * 1024 * 1024, "x86_64", NULL);
  g_free ((char *) host.sources.kvm_path);
  host.sources.kvm_path = g_strdup ("/dev/null");
  checks = hangar_host_check_all (&host.sources);
  g_assert_cmpint (find (checks, "KVM")->status, ==, HANGAR_CHECK_FAILED);
  host_clear (&host);
}

int
main (int argc, char *argv[])
{
  g_setenv ("LANGUAGE", "C", TRUE);
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/Hangar/host/capable", test_capable_host);
  g_test_add_func ("/Hangar/host/weak", test_weak_host);
  g_test_add_func ("/Hangar/host/amd-desktop", test_amd_desktop_host);
  g_test_add_func ("/Hangar/host/not-kvm", test_kvm_not_kvm);

  return g_test_run ();
}
