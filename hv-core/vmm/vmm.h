/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The virtual machine as the rest of hv-vmm sees it: built from a
 * configuration, started, and then steered from the main thread by the
 * control server. Guest-side work (vCPU threads, devices) stays behind this
 * interface.
 *
 * Threads: every function here is called on the main thread, which runs the
 * GLib main loop; vmm_console_input() too. Events are delivered on the main
 * thread (through the default GMainContext). Console output is delivered on
 * whichever vCPU thread wrote the UART, so its callback must be thread-safe.
 */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct vmm Vmm;

typedef struct
{
  const char *name;
  const char *uuid;
  const char *kernel_path;
  const char *initrd_path; /* NULL: none */
  const char *cmdline;     /* NULL: empty */
  uint64_t memory_mib;
  unsigned cpus;
  bool no_reboot; /* a guest reset ends the VMM instead of restarting */
} VmmConfig;

typedef enum
{
  VMM_EVENT_SHUTDOWN,
  VMM_EVENT_RESET,
  VMM_EVENT_STOP,
  VMM_EVENT_RESUME,
} VmmEventKind;

typedef struct
{
  VmmEventKind kind;
  /* "guest-shutdown", "host-quit", "guest-reset", "host-reset",
   * "internal-error" (SHUTDOWN after a fatal error), or NULL */
  const char *reason;
} VmmEvent;

typedef enum
{
  VMM_STATUS_RUNNING,
  VMM_STATUS_PAUSED,
  VMM_STATUS_SHUTDOWN,
} VmmStatus;

typedef void (*VmmEventFunc) (const VmmEvent *event, void *user_data);
typedef void (*VmmConsoleOutputFunc) (const uint8_t *bytes, size_t len, void *user_data);

/* Opens /dev/kvm, creates the VM, its memory and vCPUs, and loads the kernel.
 * Every failure is a GError (domain HV_VMM_ERROR) with a message for users. */
Vmm *vmm_new (const VmmConfig *config, GError **error);
void vmm_free (Vmm *vmm);

void vmm_set_event_func (Vmm *vmm, VmmEventFunc func, void *user_data);
void vmm_set_console_output_func (Vmm *vmm, VmmConsoleOutputFunc func, void *user_data);

/* Starts the vCPU threads. */
gboolean vmm_start (Vmm *vmm, GError **error);

VmmStatus vmm_get_status (Vmm *vmm);
const VmmConfig *vmm_get_config (Vmm *vmm);

/* Each fails with HV_VMM_ERROR_INVALID_STATE where it does not apply. */
gboolean vmm_pause (Vmm *vmm, GError **error);
gboolean vmm_resume (Vmm *vmm, GError **error);
gboolean vmm_powerdown (Vmm *vmm, GError **error);
gboolean vmm_reset (Vmm *vmm, GError **error);
/* Stops the vCPUs for good and emits SHUTDOWN ("host-quit"). */
void vmm_quit (Vmm *vmm);

/* Set when the guest was stopped because it could not go on (a KVM
 * internal error, a failed entry, a reset that could not reload the kernel):
 * the vmm then emits SHUTDOWN with reason "internal-error", and main exits
 * with status 2 after printing this message. NULL otherwise. */
const GError *vmm_get_fatal_error (Vmm *vmm);

/* Bytes typed at the serial console, queued into COM1's receiver. */
void vmm_console_input (Vmm *vmm, const uint8_t *bytes, size_t len);

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
} HvVmmError;
