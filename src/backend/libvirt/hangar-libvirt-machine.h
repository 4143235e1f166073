/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "hangar-machine.h"

G_BEGIN_DECLS

#define HANGAR_TYPE_LIBVIRT_MACHINE (hangar_libvirt_machine_get_type ())

G_DECLARE_FINAL_TYPE (HangarLibvirtMachine, hangar_libvirt_machine, HANGAR, LIBVIRT_MACHINE,
                      HangarMachine)

G_END_DECLS
