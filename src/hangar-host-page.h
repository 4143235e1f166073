/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define HANGAR_TYPE_HOST_PAGE (hangar_host_page_get_type ())

G_DECLARE_FINAL_TYPE (HangarHostPage, hangar_host_page, HANGAR, HOST_PAGE, GtkBox)

GtkWidget *hangar_host_page_new (void);
/* Checks the host again (its facts change: memory, /dev/kvm permission...). */
void hangar_host_page_refresh (HangarHostPage *self);

G_END_DECLS
