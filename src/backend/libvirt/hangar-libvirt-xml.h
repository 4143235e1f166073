/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Between HangarMachineSpec and libvirt's domain XML: reading a domain's
 * description into a spec, writing the description of a new machine, and
 * rewriting a description for a clone.
 */
#pragma once

#include "hangar-machine-spec.h"

G_BEGIN_DECLS

HangarMachineSpec *hangar_libvirt_xml_to_spec (const char *xml, GError **error);

/* DOMAIN_TYPE is libvirt's <domain type=''>: "kvm", "qemu", "xen", "test". */
char *hangar_libvirt_xml_from_spec (const HangarMachineSpec *spec, const char *domain_type);

/* The description XML with NEW_NAME, no UUID (libvirt makes one), fresh MAC
 * addresses, and each writable disk's source replaced by the next path of
 * NEW_DISK_PATHS (in document order; an empty string keeps the original). */
char *hangar_libvirt_xml_for_clone (const char *xml, const char *new_name,
                                    const char *const *new_disk_paths, GError **error);

/* The description XML with SPEC's processors, memory, disks and NICs; other
 * devices and settings stay as they are. */
char *hangar_libvirt_xml_update (const char *xml, const HangarMachineSpec *spec, GError **error);

/* Where a running domain's SPICE server listens, as its live XML says: HOST
 * is as the domain's host sees it ("localhost" for any or loopback address).
 * FALSE with ERROR when the domain has no SPICE display on a TCP port. */
gboolean hangar_libvirt_xml_spice_address (const char *xml, char **host, guint *port,
                                           GError **error);

/* A random locally administered unicast MAC in QEMU/libvirt's 52:54:00 range. */
char *hangar_libvirt_random_mac (void);

G_END_DECLS
