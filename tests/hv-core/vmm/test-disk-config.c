/* SPDX-License-Identifier: GPL-3.0-or-later */
/* hv-vmm's --disk specs. */
#include <glib.h>
#include <string.h>

#include "disk-config.h"

static void
test_parse (void)
{
  const char *specs[] = { "path=/a.img", "/dev/sdb1,readonly=on,serial=SN-42",
                          "path=/c,readonly=off", NULL };
  g_autoptr (GError) error = NULL;
  g_autoptr (GArray) disks = disk_config_parse (specs, &error);
  const VmmDiskConfig *d;

  g_assert_no_error (error);
  g_assert_cmpuint (disks->len, ==, 3);
  d = &g_array_index (disks, VmmDiskConfig, 0);
  g_assert_cmpstr (d->path, ==, "/a.img");
  g_assert_false (d->readonly);
  g_assert_null (d->serial);
  d = &g_array_index (disks, VmmDiskConfig, 1);
  g_assert_cmpstr (d->path, ==, "/dev/sdb1");
  g_assert_true (d->readonly);
  g_assert_cmpstr (d->serial, ==, "SN-42");
  d = &g_array_index (disks, VmmDiskConfig, 2);
  g_assert_false (d->readonly);
}

static void
test_none (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GArray) disks = disk_config_parse (NULL, &error);

  g_assert_no_error (error);
  g_assert_cmpuint (disks->len, ==, 0);
}

static void
test_errors (void)
{
  const char *bad[][2] = {
    { "path=/a,color=red", "unknown setting color" },
    { "readonly=on", "path=FILE" },
    { "path=", "path=FILE" },
    { "path=/a,readonly=maybe", "readonly must be on or off" },
    { "path=/a,serial=123456789012345678901", "at most 20" },
    { "path=/a,serial=with space", "at most 20" },
  };

  for (unsigned i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      const char *specs[] = { "path=/ok", bad[i][0], NULL };
      g_autoptr (GError) error = NULL;
      g_autoptr (GArray) disks = disk_config_parse (specs, &error);

      g_assert_null (disks);
      g_assert_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE);
      g_assert_nonnull (strstr (error->message, bad[i][1]));
      g_assert_nonnull (strstr (error->message, bad[i][0]));
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/vmm/disk-config/parse", test_parse);
  g_test_add_func ("/vmm/disk-config/none", test_none);
  g_test_add_func ("/vmm/disk-config/errors", test_errors);
  return g_test_run ();
}
