/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * hv-vmm's side of the SPICE module (display-module.h): finds and loads
 * hv-vmm-spice.so, and forwards display-server.h to it.
 */
#include "config.h"

#include "display-module.h"

#include <dlfcn.h>
#include <glib/gi18n-lib.h>

/* Set once, on the main thread, by display_server_load_module (). */
static const DisplayModule *display_module;

/* Where the module is: $HV_VMM_SPICE_MODULE alone when set (tests point it
 * at a file that is missing or broken); else next to the running
 * executable, which is the build tree's case (and a relocated install's);
 * else the directory it is installed in. */
static char *
display_module_path (void)
{
  const char *env = g_getenv (DISPLAY_MODULE_ENV);
  g_autofree char *exe = NULL;

  if (env != NULL && *env != '\0')
    return g_strdup (env);
  exe = g_file_read_link ("/proc/self/exe", NULL);
  if (exe != NULL)
    {
      g_autofree char *dir = g_path_get_dirname (exe);
      g_autofree char *path = g_build_filename (dir, DISPLAY_MODULE_NAME, NULL);

      if (g_file_test (path, G_FILE_TEST_EXISTS))
        return g_steal_pointer (&path);
    }
  return g_build_filename (HV_VMM_MODULEDIR, DISPLAY_MODULE_NAME, NULL);
}

gboolean
display_server_load_module (GError **error)
{
  g_autofree char *path = NULL;
  g_autofree char *reason = NULL;
  const DisplayModule *module;
  void *handle;

  if (display_module != NULL)
    return TRUE;
  path = display_module_path ();
  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, HV_VMM_ERROR, HV_VMM_ERROR_NOT_FOUND,
                   _ ("The SPICE display module %s is missing. Reinstall Hangar, or start the "
                      "machine without a display."),
                   path);
      return FALSE;
    }
  /* RTLD_NOW: a module that needs a function hv-vmm does not export fails
   * here, at start-up, rather than in the middle of a client's session. */
  handle = dlopen (path, RTLD_NOW | RTLD_LOCAL);
  if (handle == NULL)
    {
      /* The ready line is one line. */
      reason = g_strdelimit (g_strdup (dlerror ()), "\n", ' ');
      g_set_error (error, HV_VMM_ERROR, HV_VMM_ERROR_FAILED,
                   _ ("Could not load the SPICE display module %s (%s). Reinstall Hangar."), path,
                   reason);
      return FALSE;
    }
  module = dlsym (handle, DISPLAY_MODULE_SYMBOL);
  if (module == NULL || module->abi != DISPLAY_MODULE_ABI ||
      g_strcmp0 (module->version, PACKAGE_VERSION) != 0)
    {
      dlclose (handle);
      g_set_error (error, HV_VMM_ERROR, HV_VMM_ERROR_FAILED,
                   _ ("The SPICE display module %s does not belong to this hv-vmm (Hangar %s). "
                      "Reinstall Hangar."),
                   path, PACKAGE_VERSION);
      return FALSE;
    }
  /* Never closed: spice-server and its libraries keep threads, atexit
   * handlers and thread-local data that must not outlive their code. */
  display_module = module;
  return TRUE;
}

DisplayServer *
display_server_new (Vmm *vmm, const DisplayConfig *config, const char *socket_path, GError **error)
{
  if (!display_server_load_module (error))
    return NULL;
  return display_module->server_new (vmm, config, socket_path, error);
}

void
display_server_free (DisplayServer *server)
{
  /* A server exists only once the module does. */
  if (server != NULL)
    display_module->server_free (server);
}

unsigned
display_server_get_clients (DisplayServer *server)
{
  return display_module->get_clients (server);
}

void
display_server_get_stats (DisplayServer *server, guint64 *updates, guint64 *pixels)
{
  display_module->get_stats (server, updates, pixels);
}
