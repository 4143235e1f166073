/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The wizard's processors and memory step, bounded by the host, with a
 * warning when the machines running at once would ask for more than it has. */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define HANGAR_TYPE_WIZARD_RESOURCES_PAGE (hangar_wizard_resources_page_get_type ())

G_DECLARE_FINAL_TYPE (HangarWizardResourcesPage, hangar_wizard_resources_page, HANGAR,
                      WIZARD_RESOURCES_PAGE, AdwBin)

/* The host's processors and memory (0: not known) and what the machines
 * running now use of them. */
void hangar_wizard_resources_page_set_host (HangarWizardResourcesPage *self, guint host_cpus,
                                            guint64 host_memory_mib, guint running_cpus,
                                            guint64 running_memory_mib);
/* OS_NAME's recommendation (0: none) becomes the values. */
void hangar_wizard_resources_page_set_recommended (HangarWizardResourcesPage *self,
                                                   const char *os_name, guint cpus,
                                                   guint64 memory_mib);
guint hangar_wizard_resources_page_get_cpus (HangarWizardResourcesPage *self);
guint64 hangar_wizard_resources_page_get_memory_mib (HangarWizardResourcesPage *self);
void hangar_wizard_resources_page_set_values (HangarWizardResourcesPage *self, guint cpus,
                                              guint64 memory_mib);

G_END_DECLS
