/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "hangar-connection.h"
#include "hangar-lab.h"

G_BEGIN_DECLS

#define HANGAR_TYPE_CONNECTION_SECTION (hangar_connection_section_get_type ())

G_DECLARE_FINAL_TYPE (HangarConnectionSection, hangar_connection_section, HANGAR,
                      CONNECTION_SECTION, GtkBox)

GtkWidget *hangar_connection_section_new (HangarConnection *connection, gboolean removable);
HangarConnection *hangar_connection_section_get_connection (HangarConnectionSection *self);
/* Shows only machines whose name contains TEXT (case-insensitive); NULL shows all. */
void hangar_connection_section_set_search (HangarConnectionSection *self, const char *text);
gboolean hangar_connection_section_select (HangarConnectionSection *self, HangarMachine *machine);
/* This Computer's section lists its labs too (::lab-selected). */
gboolean hangar_connection_section_select_lab (HangarConnectionSection *self, HangarLab *lab);
void hangar_connection_section_unselect (HangarConnectionSection *self);

G_END_DECLS
