/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The wizard's operating system step: what libosinfo recognized on the
 * installer, or a choice from its list. */
#pragma once

#include <adwaita.h>

#include "hangar-os-detect.h"

G_BEGIN_DECLS

#define HANGAR_TYPE_WIZARD_OS_PAGE (hangar_wizard_os_page_get_type ())

G_DECLARE_FINAL_TYPE (HangarWizardOsPage, hangar_wizard_os_page, HANGAR, WIZARD_OS_PAGE, AdwBin)

/* INSPECTION may be NULL (nothing was inspected). NEEDS_KERNEL: the
 * connection boots Linux kernels only, so a missing kernel is shown. */
void hangar_wizard_os_page_set_inspection (HangarWizardOsPage *self,
                                           const HangarInstallInspection *inspection,
                                           gboolean needs_kernel);
/* The chosen or recognized system; NULL: unknown. */
const HangarOsInfo *hangar_wizard_os_page_get_os (HangarWizardOsPage *self);
/* Chooses the system with libosinfo short id SHORT_ID, as a click in the
 * list does; FALSE when the list has none such. */
gboolean hangar_wizard_os_page_choose (HangarWizardOsPage *self, const char *short_id);
/* Whether the installer can start on the connection (its kernel was found,
 * or the connection does not need it). */
gboolean hangar_wizard_os_page_is_complete (HangarWizardOsPage *self);

G_END_DECLS
