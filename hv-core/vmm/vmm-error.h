/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * hv-vmm's error domain, for everything it reports that is not an errno (those
 * are G_FILE_ERROR, GLib's errno domain). Not GIO's G_IO_ERROR: hv-vmm links
 * neither GIO nor GObject, which would cost every guest memory and start-up
 * time. The control socket maps the codes onto its error classes (control.h).
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define HV_VMM_ERROR (hv_vmm_error_quark ())
GQuark hv_vmm_error_quark (void);

typedef enum
{
  HV_VMM_ERROR_FAILED,
  HV_VMM_ERROR_NO_KVM,
  HV_VMM_ERROR_KVM_PERMISSION,
  HV_VMM_ERROR_BAD_KERNEL,
  HV_VMM_ERROR_BAD_INITRD,
  HV_VMM_ERROR_NO_MEMORY,
  HV_VMM_ERROR_TOO_MANY_CPUS,
  HV_VMM_ERROR_INVALID_STATE,
  HV_VMM_ERROR_INVALID_ARGUMENT,
  HV_VMM_ERROR_NOT_FOUND,
  HV_VMM_ERROR_PERMISSION_DENIED,
  HV_VMM_ERROR_BUSY,
} HvVmmError;

G_END_DECLS
