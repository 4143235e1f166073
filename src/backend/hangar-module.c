/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <gio/gio.h>
#include <glib/gi18n.h>
#include <gmodule.h>

#include "hangar-module.h"

static const char *const module_names[] = {
  [HANGAR_MODULE_LIBVIRT] = "hangar-libvirt",
  [HANGAR_MODULE_CONSOLE] = "hangar-console",
  [HANGAR_MODULE_OSINFO] = "hangar-osinfo",
};

/* The build tree's modules are not where an installed Hangar looks. */
static const char *
module_dir (void)
{
  const char *dir = g_getenv ("HANGAR_MODULEDIR");

  return dir != NULL ? dir : MODULEDIR;
}

static GModule *
open_module (HangarModule module, GError **error)
{
  g_autofree char *path = NULL;
  GModule *handle;

  path = g_strdup_printf ("%s/%s.%s", module_dir (), module_names[module], G_MODULE_SUFFIX);
  /* Never unloaded: its types stay registered with GObject. */
  handle = g_module_open (path, G_MODULE_BIND_LAZY | G_MODULE_BIND_LOCAL);
  if (handle == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   _ ("A part of Hangar could not be loaded (%s). Reinstall Hangar."),
                   g_module_error ());
      return NULL;
    }
  g_module_make_resident (handle);
  return handle;
}

gpointer
hangar_module_symbol (HangarModule module, const char *symbol, GError **error)
{
  static GMutex lock;
  static GModule *program;
  static GModule *loaded[G_N_ELEMENTS (module_names)];
  g_autoptr (GMutexLocker) locker = NULL;
  gpointer address = NULL;

  g_return_val_if_fail (module < G_N_ELEMENTS (module_names), NULL);

  locker = g_mutex_locker_new (&lock);
  if (program == NULL)
    program = g_module_open (NULL, 0);
  if (program != NULL && g_module_symbol (program, symbol, &address))
    return address;

  if (loaded[module] == NULL && (loaded[module] = open_module (module, error)) == NULL)
    return NULL;
  if (!g_module_symbol (loaded[module], symbol, &address))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   _ ("A part of Hangar is from another version (%s lacks %s). Reinstall Hangar."),
                   module_names[module], symbol);
      return NULL;
    }
  return address;
}

GType
hangar_module_get_type (HangarModule module, const char *get_type_symbol, GError **error)
{
  GType (*get_type) (void) = hangar_module_symbol (module, get_type_symbol, error);

  return get_type != NULL ? get_type () : 0;
}
