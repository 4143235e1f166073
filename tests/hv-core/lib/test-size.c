/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <hv/hv.h>

static void
test_parse_valid (void)
{
  static const struct
  {
    const char *text;
    guint64 mib;
  } cases[] = {
    { "1024", 1024 },  { "512M", 512 }, { "512m", 512 }, { "512MiB", 512 },
    { "512MB", 512 },  { "2G", 2048 },  { "2g", 2048 },  { "2GiB", 2048 },
    { "1T", 1048576 }, { "1", 1 },      { "007", 7 },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GError) error = NULL;
      guint64 mib = 0;

      g_assert_true (hv_parse_size_mib (cases[i].text, &mib, &error));
      g_assert_no_error (error);
      g_assert_cmpuint (mib, ==, cases[i].mib);
    }
}

static void
test_parse_invalid (void)
{
  static const char *const cases[] = {
    "",
    "M",
    "G2",
    "-1",
    "+5",
    " 5",
    "5 ",
    "1.5G",
    "12X",
    "5Gb2",
    "0",
    "0G",
    "99999999999999999999999",
    "18014398509481984T",
    "0x10",
    "2 G",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GError) error = NULL;
      guint64 mib = 42;

      g_assert_false (hv_parse_size_mib (cases[i], &mib, &error));
      g_assert_error (error, HV_ERROR, HV_ERROR_INVALID_ARGUMENT);
      /* The message quotes what was given, so that users see which one. */
      g_assert_nonnull (strstr (error->message, cases[i]));
      g_assert_cmpuint (mib, ==, 42);
    }
}

static void
test_format (void)
{
  static const struct
  {
    guint64 mib;
    const char *text;
  } cases[] = {
    { 512, "512M" }, { 1024, "1G" }, { 1536, "1536M" }, { 2048, "2G" }, { 1048576, "1T" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *text = hv_format_size_mib (cases[i].mib);
      guint64 back = 0;

      g_assert_cmpstr (text, ==, cases[i].text);
      g_assert_true (hv_parse_size_mib (text, &back, NULL));
      g_assert_cmpuint (back, ==, cases[i].mib);
    }
}

static void
test_names (void)
{
  static const char *const good[] = { "demo", "web-1", "a.b_c", "X", "0" };
  static const char *const bad[] = {
    "",    ".hidden", "-x",   "a b",
    "a/b", "é",       "a\nb", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
  };

  for (gsize i = 0; i < G_N_ELEMENTS (good); i++)
    g_assert_true (hv_name_is_valid (good[i], NULL));
  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr (GError) error = NULL;
      g_assert_false (hv_name_is_valid (bad[i], &error));
      g_assert_error (error, HV_ERROR, HV_ERROR_INVALID_ARGUMENT);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/hv-core/size/parse-valid", test_parse_valid);
  g_test_add_func ("/hv-core/size/parse-invalid", test_parse_invalid);
  g_test_add_func ("/hv-core/size/format", test_format);
  g_test_add_func ("/hv-core/names", test_names);

  return g_test_run ();
}
