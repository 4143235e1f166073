/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The wizard's last step: the machine's name and every choice, the domain
 * XML to review on libvirt, and why the machine cannot be made yet. */
#pragma once

#include <adwaita.h>

#include "hangar-machine-spec.h"

G_BEGIN_DECLS

#define HANGAR_TYPE_WIZARD_SUMMARY_PAGE (hangar_wizard_summary_page_get_type ())

G_DECLARE_FINAL_TYPE (HangarWizardSummaryPage, hangar_wizard_summary_page, HANGAR,
                      WIZARD_SUMMARY_PAGE, AdwBin)

const char *hangar_wizard_summary_page_get_name (HangarWizardSummaryPage *self);
void hangar_wizard_summary_page_set_name (HangarWizardSummaryPage *self, const char *name);
gboolean hangar_wizard_summary_page_get_customize (HangarWizardSummaryPage *self);

/* Shows SPEC's choices; SOURCE says where the system comes from; XML (may be
 * NULL) is the domain XML to review; PROBLEM (may be NULL) why the machine
 * cannot be made. */
void hangar_wizard_summary_page_show (HangarWizardSummaryPage *self, const HangarMachineSpec *spec,
                                      const char *connection, const char *source, const char *xml,
                                      const char *problem);

G_END_DECLS
