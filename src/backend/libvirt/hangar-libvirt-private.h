/* SPDX-License-Identifier: GPL-3.0-or-later */
/* What the libvirt connection and its machines share. */
#pragma once

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include "hangar-libvirt-connection.h"
#include "hangar-libvirt-machine.h"

G_BEGIN_DECLS

/* A domain's state as read in a worker thread, applied on the main thread. */
typedef struct
{
  virDomainPtr domain;
  char *uuid;
  HangarMachineState state;
  gboolean autostart;
  HangarMachineSpec *spec;
} HangarLibvirtDomainInfo;

void _hangar_libvirt_domain_info_free (HangarLibvirtDomainInfo *info);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (HangarLibvirtDomainInfo, _hangar_libvirt_domain_info_free)

/* Blocking: call from worker threads. */
HangarLibvirtDomainInfo *_hangar_libvirt_read_domain (virDomainPtr domain, GError **error);
/* Sets ERROR with FORMAT ("...“%s”...: %s": NAME, then libvirt's reason). A
 * macro, so that the compiler checks each literal format. Worker threads. */
#define _hangar_libvirt_set_error(error, format, name) \
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, format, name, virGetLastErrorMessage ())

virConnectPtr _hangar_libvirt_connection_get_handle (HangarLibvirtConnection *self);
gboolean _hangar_libvirt_connection_is_local (HangarLibvirtConnection *self);
/* Adds, updates or removes the machine of INFO's domain. Main thread. */
void _hangar_libvirt_connection_forget (HangarLibvirtConnection *self, const char *uuid);
HangarMachine *_hangar_libvirt_connection_apply (HangarLibvirtConnection *self,
                                                 HangarLibvirtDomainInfo *info);

HangarLibvirtMachine *_hangar_libvirt_machine_new (HangarLibvirtConnection *connection,
                                                   HangarLibvirtDomainInfo *info);
void _hangar_libvirt_machine_apply (HangarLibvirtMachine *self, HangarLibvirtDomainInfo *info);
virDomainPtr _hangar_libvirt_machine_get_domain (HangarLibvirtMachine *self);

G_END_DECLS
