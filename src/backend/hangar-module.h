/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The parts of Hangar that bring large libraries with them: the libvirt back
 * end, the consoles (SPICE, VTE) and the operating system database
 * (libosinfo). Each is a module loaded the first time it is needed, so that
 * the window comes up without loading them. A program that links a part in
 * (the tests do) is given its own copy instead.
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

typedef enum
{
  HANGAR_MODULE_LIBVIRT,
  HANGAR_MODULE_CONSOLE,
  HANGAR_MODULE_OSINFO,
} HangarModule;

/* The address of SYMBOL in MODULE, loading it the first time. */
gpointer hangar_module_symbol (HangarModule module, const char *symbol, GError **error);

/* The type whose get_type function is GET_TYPE_SYMBOL in MODULE, or 0. */
GType hangar_module_get_type (HangarModule module, const char *get_type_symbol, GError **error);

G_END_DECLS
