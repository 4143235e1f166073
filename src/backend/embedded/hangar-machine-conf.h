/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * machine.conf, the embedded back end's description of a machine: a GKeyFile
 * that people can read and edit.
 *
 *   [machine] name, cpus, memory (MiB), os (libosinfo id, optional)
 *   [boot]    kernel, initrd, cmdline (only for direct kernel boot)
 *   [diskN]   path, readonly, cdrom
 *   [nicN]    mode (nat, bridge, isolated, user), network, mac
 *   [display] spice
 */
#pragma once

#include "hangar-machine-spec.h"

G_BEGIN_DECLS

char *hangar_machine_conf_from_spec (const HangarMachineSpec *spec);
HangarMachineSpec *hangar_machine_conf_to_spec (const char *text, GError **error);

/* Writes SPEC to PATH atomically: a reader sees the old file or the new one. */
gboolean hangar_machine_conf_save (const HangarMachineSpec *spec, const char *path, GError **error);

G_END_DECLS
