/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The Add Connection dialog's choices, as libvirt URIs. */
#include "config.h"

#include <gio/gio.h>

#include "hangar-libvirt-uri.h"

static void
test_build (void)
{
  static const struct
  {
    HangarLibvirtPreset preset;
    const char *user, *host, *custom, *expected;
  } cases[] = {
    { HANGAR_LIBVIRT_PRESET_QEMU_SYSTEM, NULL, NULL, NULL, "qemu:///system" },
    { HANGAR_LIBVIRT_PRESET_QEMU_SESSION, NULL, "", NULL, "qemu:///session" },
    { HANGAR_LIBVIRT_PRESET_XEN, NULL, NULL, NULL, "xen:///system" },
    { HANGAR_LIBVIRT_PRESET_LXC, NULL, NULL, NULL, "lxc:///system" },
    { HANGAR_LIBVIRT_PRESET_QEMU_SYSTEM, "ana", "lab-server", NULL,
      "qemu+ssh://ana@lab-server/system" },
    { HANGAR_LIBVIRT_PRESET_QEMU_SYSTEM, "", "10.0.0.5", NULL, "qemu+ssh://10.0.0.5/system" },
    { HANGAR_LIBVIRT_PRESET_XEN, "root", "dom0.lab", NULL, "xen+ssh://root@dom0.lab/system" },
    { HANGAR_LIBVIRT_PRESET_CUSTOM, NULL, NULL, "test:///default", "test:///default" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autofree char *uri = hangar_libvirt_uri_build (cases[i].preset, cases[i].user,
                                                       cases[i].host, cases[i].custom, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (uri, ==, cases[i].expected);
    }
}

static void
test_build_refuses (void)
{
  static const struct
  {
    HangarLibvirtPreset preset;
    const char *user, *host, *custom;
  } cases[] = {
    { HANGAR_LIBVIRT_PRESET_QEMU_SYSTEM, "ana", "lab/server", NULL },
    { HANGAR_LIBVIRT_PRESET_QEMU_SYSTEM, "ana@x", "lab", NULL },
    { HANGAR_LIBVIRT_PRESET_QEMU_SYSTEM, NULL, "host?x=1", NULL },
    { HANGAR_LIBVIRT_PRESET_CUSTOM, NULL, NULL, "not a uri" },
    { HANGAR_LIBVIRT_PRESET_CUSTOM, NULL, NULL, NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autofree char *uri = hangar_libvirt_uri_build (cases[i].preset, cases[i].user,
                                                       cases[i].host, cases[i].custom, &error);
      g_assert_null (uri);
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
    }
}

static void
test_describe (void)
{
  static const char *cases[][2] = {
    { "qemu:///system", "QEMU/KVM" },
    { "qemu:///session", "QEMU/KVM user session" },
    { "qemu+ssh://ana@lab-server/system", "QEMU/KVM on lab-server" },
    { "xen:///system", "Xen" },
    { "weird://thing", "weird://thing" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *text = hangar_libvirt_uri_describe (cases[i][0]);
      g_assert_cmpstr (text, ==, cases[i][1]);
    }
}

static void
test_passes_fds (void)
{
  static const struct
  {
    const char *uri;
    gboolean passes_fds;
  } cases[] = {
    { "qemu:///system", TRUE },
    { "qemu:///session", TRUE },
    { "qemu+unix:///system", TRUE },
    { "qemu://localhost/system", TRUE },
    { "qemu+ssh://ana@lab-server/system", FALSE },
    { "qemu+ssh://localhost/system", FALSE },
    { "qemu+tcp://127.0.0.1/system", FALSE },
    { "qemu+tls://lab-server/system", FALSE },
    { "not a uri", FALSE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_test_message ("%s", cases[i].uri);
      g_assert_cmpint (hangar_libvirt_uri_passes_fds (cases[i].uri), ==, cases[i].passes_fds);
    }
}

int
main (int argc, char *argv[])
{
  g_setenv ("LANGUAGE", "C", TRUE);
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/Hangar/libvirt-uri/build", test_build);
  g_test_add_func ("/Hangar/libvirt-uri/build-refuses", test_build_refuses);
  g_test_add_func ("/Hangar/libvirt-uri/describe", test_describe);
  g_test_add_func ("/Hangar/libvirt-uri/passes-fds", test_passes_fds);

  return g_test_run ();
}
