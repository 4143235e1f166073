/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The modules (hangar-module.h) from the build tree, loaded by a program
 * that, like the app, does not link them in.
 */
#include "config.h"

#include <gio/gio.h>

#include "hangar-connection.h"
#include "hangar-module.h"
#include "hangar-os-detect.h"

static void
store_result (GObject *source, GAsyncResult *result, gpointer user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static GAsyncResult *
wait_for_result (GAsyncResult **result)
{
  while (*result == NULL)
    g_main_context_iteration (NULL, TRUE);
  return *result;
}

/* What the program has, it is given, without loading anything. */
static void
test_program_first (void)
{
  g_autoptr (GError) error = NULL;
  gpointer address =
      hangar_module_symbol (HANGAR_MODULE_LIBVIRT, "hangar_connection_get_type", &error);

  g_assert_no_error (error);
  g_assert_true (address == (gpointer) hangar_connection_get_type);
}

static void
test_libvirt (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (HangarConnection) connection = NULL;
  HangarConnection *(*connection_new) (const char *uri, const char *title);
  GType type =
      hangar_module_get_type (HANGAR_MODULE_LIBVIRT, "hangar_libvirt_connection_get_type", &error);

  g_assert_no_error (error);
  g_assert_cmpstr (g_type_name (type), ==, "HangarLibvirtConnection");
  g_assert_true (g_type_is_a (type, HANGAR_TYPE_CONNECTION));

  connection_new =
      hangar_module_symbol (HANGAR_MODULE_LIBVIRT, "hangar_libvirt_connection_new", &error);
  g_assert_no_error (error);
  connection = connection_new ("test:///default", NULL);
  g_assert_true (G_TYPE_CHECK_INSTANCE_TYPE (connection, type));
  g_assert_cmpstr (hangar_connection_get_uri (connection), ==, "test:///default");
}

static void
test_osinfo (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GPtrArray) list = NULL;

  hangar_os_list_async (NULL, store_result, &result);
  list = hangar_os_list_finish (wait_for_result (&result), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (list->len, >, 100);
}

/* The console module needs the app's resources to make its widgets: here
 * only its entry point is looked up. */
static void
test_console (void)
{
  g_autoptr (GError) error = NULL;

  g_assert_nonnull (
      hangar_module_symbol (HANGAR_MODULE_CONSOLE, "hangar_console_page_get_type", &error));
  g_assert_no_error (error);
}

static void
test_missing_symbol (void)
{
  g_autoptr (GError) error = NULL;

  g_assert_null (hangar_module_symbol (HANGAR_MODULE_LIBVIRT, "hangar_no_such_function", &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "hangar-libvirt"));
  g_assert_nonnull (strstr (error->message, "Reinstall Hangar"));
}

/* A broken installation: the error reaches whoever asked, and says what to do. */
static void
test_missing_module (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GAsyncResult) result = NULL;

  if (g_test_subprocess ())
    {
      g_setenv ("HANGAR_MODULEDIR", "/nonexistent", TRUE);
      hangar_os_list_async (NULL, store_result, &result);
      g_assert_null (hangar_os_list_finish (wait_for_result (&result), &error));
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
      g_assert_nonnull (strstr (error->message, "/nonexistent/hangar-osinfo.so"));
      g_assert_nonnull (strstr (error->message, "Reinstall Hangar"));
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_setenv ("LANGUAGE", "C", TRUE);
  if (g_getenv ("HANGAR_MODULEDIR") == NULL)
    g_error ("HANGAR_MODULEDIR is not set: run this test through meson");

  g_test_add_func ("/module/program-first", test_program_first);
  g_test_add_func ("/module/libvirt", test_libvirt);
  g_test_add_func ("/module/osinfo", test_osinfo);
  g_test_add_func ("/module/console", test_console);
  g_test_add_func ("/module/missing-symbol", test_missing_symbol);
  g_test_add_func ("/module/missing-module", test_missing_module);
  return g_test_run ();
}
