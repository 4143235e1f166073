/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "hangar-machine.h"

G_BEGIN_DECLS

#define HANGAR_TYPE_EMBEDDED_MACHINE (hangar_embedded_machine_get_type ())

G_DECLARE_FINAL_TYPE (HangarEmbeddedMachine, hangar_embedded_machine, HANGAR, EMBEDDED_MACHINE,
                      HangarMachine)

G_END_DECLS
