/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "hangar-machine.h"

G_BEGIN_DECLS

#define HANGAR_TYPE_MACHINE_PAGE (hangar_machine_page_get_type ())

G_DECLARE_FINAL_TYPE (HangarMachinePage, hangar_machine_page, HANGAR, MACHINE_PAGE, GtkBox)

GtkWidget *hangar_machine_page_new (void);
HangarMachine *hangar_machine_page_get_machine (HangarMachinePage *self);
void hangar_machine_page_set_machine (HangarMachinePage *self, HangarMachine *machine);
/* Shows the Console tab (the lab page's tiles lead there). */
void hangar_machine_page_show_console (HangarMachinePage *self);
/* The limits the settings are checked against (0: unknown). */
void hangar_machine_page_set_host_limits (HangarMachinePage *self, guint cpus, guint64 memory_mib);

G_END_DECLS
