/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The wizard's disk step: a new image, an existing file or device, or none. */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

typedef enum
{
  HANGAR_DISK_NEW,
  HANGAR_DISK_EXISTING,
  HANGAR_DISK_NONE,
} HangarDiskChoice;

#define HANGAR_TYPE_WIZARD_DISK_PAGE (hangar_wizard_disk_page_get_type ())

G_DECLARE_FINAL_TYPE (HangarWizardDiskPage, hangar_wizard_disk_page, HANGAR, WIZARD_DISK_PAGE,
                      AdwBin)

/* Where new disks are made, and the free space there (0: not known). */
void hangar_wizard_disk_page_set_storage (HangarWizardDiskPage *self, const char *dir,
                                          guint64 free_bytes);
void hangar_wizard_disk_page_set_recommended_size (HangarWizardDiskPage *self, guint64 bytes);
/* An imported disk (the source step's) is the machine's disk: the other
 * choices are closed. NULL opens them again. */
void hangar_wizard_disk_page_set_import (HangarWizardDiskPage *self, const char *path);

HangarDiskChoice hangar_wizard_disk_page_get_choice (HangarWizardDiskPage *self);
guint64 hangar_wizard_disk_page_get_size_bytes (HangarWizardDiskPage *self);
const char *hangar_wizard_disk_page_get_existing_path (HangarWizardDiskPage *self);
const char *hangar_wizard_disk_page_get_storage_dir (HangarWizardDiskPage *self);
gboolean hangar_wizard_disk_page_is_complete (HangarWizardDiskPage *self);

G_END_DECLS
