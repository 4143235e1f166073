/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#if !defined(HV_INSIDE) && !defined(HV_COMPILATION)
#error "Only <hv/hv.h> can be included directly."
#endif

#include <glib.h>

G_BEGIN_DECLS

#define HV_ERROR (hv_error_quark ())

/* Every failure of libhvcore is a GError in this domain, with a message
 * fit to show to users as it is. */
typedef enum
{
  HV_ERROR_FAILED,
  HV_ERROR_INVALID_ARGUMENT, /* a bad size, name or option */
  HV_ERROR_RUNTIME_DIR,      /* $XDG_RUNTIME_DIR/hangar/vms cannot be used */
  HV_ERROR_NOT_FOUND,        /* no running guest by that name */
  HV_ERROR_NAME_IN_USE,      /* a guest by that name runs already */
  HV_ERROR_VMM_MISSING,      /* the hv-vmm program cannot be run */
  HV_ERROR_VMM_FAILED,       /* hv-vmm refused to start, or died */
  HV_ERROR_TIMED_OUT,        /* hv-vmm did not answer in time */
  HV_ERROR_DISCONNECTED,     /* the connection to hv-vmm closed */
  HV_ERROR_PROTOCOL,         /* hv-vmm sent something that is not the protocol */
  /* The error classes of the control protocol: */
  HV_ERROR_GENERIC,           /* GenericError */
  HV_ERROR_COMMAND_NOT_FOUND, /* CommandNotFound */
  HV_ERROR_INVALID_PARAMETER, /* InvalidParameter */
  HV_ERROR_INVALID_STATE,     /* InvalidState */
} HvError;

GQuark hv_error_quark (void);

G_END_DECLS
