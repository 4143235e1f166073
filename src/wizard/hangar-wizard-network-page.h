/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The wizard's network step: NAT, a host bridge, an isolated lab network, or
 * none, each explained in a line. */
#pragma once

#include <adwaita.h>

#include "hangar-connection.h"

G_BEGIN_DECLS

#define HANGAR_TYPE_WIZARD_NETWORK_PAGE (hangar_wizard_network_page_get_type ())

G_DECLARE_FINAL_TYPE (HangarWizardNetworkPage, hangar_wizard_network_page, HANGAR,
                      WIZARD_NETWORK_PAGE, AdwBin)

/* The host's bridges and the connection's networks (of HangarNetworkInfo). */
void hangar_wizard_network_page_set_networks (HangarWizardNetworkPage *self,
                                              const char *const *bridges, GPtrArray *networks);
HangarNetworkMode hangar_wizard_network_page_get_mode (HangarWizardNetworkPage *self);
/* The network or bridge the card joins; NULL for none. */
const char *hangar_wizard_network_page_get_source (HangarWizardNetworkPage *self);
gboolean hangar_wizard_network_page_is_complete (HangarWizardNetworkPage *self);

G_END_DECLS
