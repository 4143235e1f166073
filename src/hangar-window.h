/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "hangar-application.h"
#include "hangar-connection-list.h"
#include "hangar-lab.h"

G_BEGIN_DECLS

#define HANGAR_TYPE_WINDOW (hangar_window_get_type ())

G_DECLARE_FINAL_TYPE (HangarWindow, hangar_window, HANGAR, WINDOW, AdwApplicationWindow)

HangarWindow *hangar_window_new (HangarApplication *app, HangarConnectionList *connections);
/* Shows MACHINE's page, as selecting it in the list does. */
gboolean hangar_window_show_machine (HangarWindow *self, HangarMachine *machine);
gboolean hangar_window_show_lab (HangarWindow *self, HangarLab *lab);
/* Imports the lab FILE defines, as Import Lab… does once the file is
 * chosen: asking for another name when a lab has the file's. */
void hangar_window_import_lab (HangarWindow *self, GFile *file);

G_END_DECLS
