/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "hangar-lab.h"

G_BEGIN_DECLS

#define HANGAR_TYPE_LAB_PAGE (hangar_lab_page_get_type ())

/* A lab: its members' screens side by side, and what is done to all of them
 * at once. ::member-activated (HangarMachine) when a member's tile is chosen. */
G_DECLARE_FINAL_TYPE (HangarLabPage, hangar_lab_page, HANGAR, LAB_PAGE, GtkBox)

GtkWidget *hangar_lab_page_new (void);
HangarLab *hangar_lab_page_get_lab (HangarLabPage *self);
void hangar_lab_page_set_lab (HangarLabPage *self, HangarLab *lab);

G_END_DECLS
