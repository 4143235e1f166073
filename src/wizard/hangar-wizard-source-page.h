/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The wizard's first step: the connection the machine is made on, and where
 * its operating system comes from. */
#pragma once

#include <adwaita.h>

#include "hangar-connection.h"

G_BEGIN_DECLS

typedef enum
{
  HANGAR_SOURCE_ISO,    /* an installer disc image */
  HANGAR_SOURCE_TREE,   /* an install tree: virt-install --location */
  HANGAR_SOURCE_KERNEL, /* a Linux kernel and initrd */
  HANGAR_SOURCE_IMPORT, /* an existing disk image or device */
  HANGAR_SOURCE_EMPTY,  /* nothing: a manual install later */
} HangarSourceKind;

#define HANGAR_TYPE_WIZARD_SOURCE_PAGE (hangar_wizard_source_page_get_type ())

G_DECLARE_FINAL_TYPE (HangarWizardSourcePage, hangar_wizard_source_page, HANGAR, WIZARD_SOURCE_PAGE,
                      AdwBin)

/* CONNECTIONS: a GListModel of HangarConnection; only connected ones are offered. */
void hangar_wizard_source_page_set_connections (HangarWizardSourcePage *self,
                                                GListModel *connections,
                                                HangarConnection *selected);
HangarConnection *hangar_wizard_source_page_get_connection (HangarWizardSourcePage *self);
/* Offers the first libvirt connection instead; FALSE when there is none. */
gboolean hangar_wizard_source_page_select_libvirt (HangarWizardSourcePage *self);

HangarSourceKind hangar_wizard_source_page_get_kind (HangarWizardSourcePage *self);
/* The ISO, the tree, or the disk to import; NULL for the other kinds. */
const char *hangar_wizard_source_page_get_location (HangarWizardSourcePage *self);
const char *hangar_wizard_source_page_get_kernel (HangarWizardSourcePage *self);
const char *hangar_wizard_source_page_get_initrd (HangarWizardSourcePage *self);
const char *hangar_wizard_source_page_get_cmdline (HangarWizardSourcePage *self);
/* Whether the chosen kind has what it needs to go on. */
gboolean hangar_wizard_source_page_is_complete (HangarWizardSourcePage *self);

G_END_DECLS
