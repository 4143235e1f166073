/* SPDX-License-Identifier: GPL-3.0-or-later */
/* hv-vmm's --nic specs. */
#include <glib.h>
#include <string.h>

#include "nic-config.h"

static void
test_parse (void)
{
  const char *specs[] = { "mac=52:54:00:ab:cd:ef,backend=switch:/run/x/switch.sock",
                          "backend=user:10.0.3.0/24", NULL };
  static const uint8_t mac0[6] = { 0x52, 0x54, 0x00, 0xab, 0xcd, 0xef };
  static const uint8_t mac1[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x57 };
  g_autoptr (GError) error = NULL;
  g_autoptr (GArray) nics = nic_config_parse (specs, &error);
  const VmmNicConfig *n;

  g_assert_no_error (error);
  g_assert_cmpuint (nics->len, ==, 2);
  n = &g_array_index (nics, VmmNicConfig, 0);
  g_assert_cmpmem (n->mac, 6, mac0, 6);
  g_assert_cmpstr (n->backend, ==, "switch:/run/x/switch.sock");
  /* No mac=: the default, counted from the card's index. */
  n = &g_array_index (nics, VmmNicConfig, 1);
  g_assert_cmpmem (n->mac, 6, mac1, 6);
  g_assert_cmpstr (n->backend, ==, "user:10.0.3.0/24");
}

static void
test_none (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GArray) nics = nic_config_parse (NULL, &error);

  g_assert_no_error (error);
  g_assert_cmpuint (nics->len, ==, 0);
}

static void
test_errors (void)
{
  static const struct
  {
    const char *spec, *message;
  } cases[] = {
    { "mac=52:54:00:12:34", "six hexadecimal pairs" },
    { "mac=01:00:5e:00:00:01,backend=user", "multicast" },
    { "mac=52:54:00:12:34:56", "backend=SPEC" },
    { "backend=", "unknown setting" },
    { "backend=user,colour=red", "unknown setting “colour=red”" },
  };

  for (unsigned i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const char *specs[] = { cases[i].spec, NULL };
      g_autoptr (GError) error = NULL;
      g_autoptr (GArray) nics = nic_config_parse (specs, &error);

      g_assert_null (nics);
      g_assert_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE);
      if (strstr (error->message, cases[i].message) == NULL)
        g_error ("“%s”: “%s” lacks “%s”", cases[i].spec, error->message, cases[i].message);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/vmm/nic-config/parse", test_parse);
  g_test_add_func ("/vmm/nic-config/none", test_none);
  g_test_add_func ("/vmm/nic-config/errors", test_errors);
  return g_test_run ();
}
