/* SPDX-License-Identifier: GPL-3.0-or-later */
/* hv-vmm's --display option. */
#include <glib.h>

#include "display/display-config.h"

static void
test_none (void)
{
  DisplayConfig c;

  g_assert_true (display_config_parse (&c, NULL, NULL));
  g_assert_false (c.enabled);
  g_assert_true (display_config_parse (&c, "none", NULL));
  g_assert_false (c.enabled);
}

static void
test_spice_defaults (void)
{
  DisplayConfig c;

  g_assert_true (display_config_parse (&c, "spice", NULL));
  g_assert_true (c.enabled);
  g_assert_cmpuint (c.width, ==, 1280);
  g_assert_cmpuint (c.height, ==, 800);
  g_assert_cmpint (c.port, ==, 0);
  g_assert_null (c.password);
  display_config_clear (&c);
}

static void
test_spice_tcp (void)
{
  DisplayConfig c;

  g_assert_true (display_config_parse (
      &c, "spice,width=1920,height=1080,port=5930,addr=0.0.0.0,password=s3cret", NULL));
  g_assert_cmpuint (c.width, ==, 1920);
  g_assert_cmpuint (c.height, ==, 1080);
  g_assert_cmpint (c.port, ==, 5930);
  g_assert_cmpstr (c.addr, ==, "0.0.0.0");
  g_assert_cmpstr (c.password, ==, "s3cret");
  display_config_clear (&c);
}

static void
test_rejected (void)
{
  static const char *const bad[] = {
    "vnc",
    "spice,width=3841",
    "spice,height=199",
    "spice,width=abc",
    "spice,port=0,password=x",
    "spice,port=70000,password=x",
    "spice,port=5930",  /* TCP without a ticket */
    "spice,password=x", /* a ticket without TCP */
    "spice,addr=127.0.0.1",
    "spice,colour=blue",
    "spice,width",
    "spice,password=a,password=b,port=1",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr (GError) error = NULL;
      DisplayConfig c;

      g_test_message ("%s", bad[i]);
      g_assert_false (display_config_parse (&c, bad[i], &error));
      g_assert_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE);
      g_assert_false (c.enabled);
      g_assert_null (c.password);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/display-config/none", test_none);
  g_test_add_func ("/display-config/spice-defaults", test_spice_defaults);
  g_test_add_func ("/display-config/spice-tcp", test_spice_tcp);
  g_test_add_func ("/display-config/rejected", test_rejected);
  return g_test_run ();
}
