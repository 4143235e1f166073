/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "hangar-lab.h"

G_BEGIN_DECLS

#define HANGAR_TYPE_LAB_MEMBER_TILE (hangar_lab_member_tile_get_type ())

/* One member of a lab on the lab page: a live picture of its screen while
 * it runs and the tile is shown, its name, state and address. */
G_DECLARE_FINAL_TYPE (HangarLabMemberTile, hangar_lab_member_tile, HANGAR, LAB_MEMBER_TILE,
                      GtkFlowBoxChild)

GtkWidget *hangar_lab_member_tile_new (HangarLab *lab, HangarMachine *machine);
HangarMachine *hangar_lab_member_tile_get_machine (HangarLabMemberTile *self);
/* The latest picture of the member's screen, or NULL (not running, or none yet). */
GdkTexture *hangar_lab_member_tile_get_thumbnail (HangarLabMemberTile *self);

G_END_DECLS
