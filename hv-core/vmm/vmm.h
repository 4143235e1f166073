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

#include "vmm-error.h"

typedef struct vmm Vmm;

/* A virtio-blk disk (vmm-pci.c). */
typedef struct
{
  const char *path;   /* raw image file, block device or partition */
  const char *serial; /* NULL: none; at most 20 bytes are shown */
  bool readonly;
} VmmDiskConfig;

/* A virtio-net NIC (vmm-pci.c). */
typedef struct
{
  uint8_t mac[6];
  const char *backend; /* as net_backend_new_for_spec() takes it */
} VmmNicConfig;

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
  /* The linear framebuffer (display/framebuffer.h); 0 x 0: none. */
  unsigned display_width, display_height;
  const char *display_fb_file; /* benchmarks only; NULL: private memory */
  const VmmDiskConfig *disks;  /* n_disks virtio-blk disks, copied by vmm_new() */
  unsigned n_disks;
  const VmmNicConfig *nics; /* n_nics virtio-net NICs, read by vmm_new() only */
  unsigned n_nics;
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

/* What query-block reports about one disk. */
typedef struct
{
  char *id; /* "disk0", "disk1" ... in command-line order */
  char *path;
  bool readonly;
  uint64_t size; /* bytes */
  uint64_t requests, read_bytes, written_bytes, flushes, discards, errors;
} VmmBlockInfo;

/* Every disk, in order; free with g_array_unref(). */
GArray *vmm_query_block (Vmm *vmm);

/* What query-nics reports about one NIC. */
typedef struct
{
  char *id;      /* "net0", "net1" ... in command-line order */
  char *mac;     /* "52:54:00:12:34:56" */
  char *backend; /* the back end's SPEC */
  uint64_t rx_frames, rx_bytes, tx_frames, tx_bytes, rx_dropped, tx_dropped;
} VmmNicInfo;

/* Every NIC, in order; free with g_array_unref(). */
GArray *vmm_query_nics (Vmm *vmm);

/* Bytes typed at the serial console, queued into COM1's receiver. */
void vmm_console_input (Vmm *vmm, const uint8_t *bytes, size_t len);

/* The display's framebuffer (NULL without one) and the keyboard and mouse
 * controller, for the display server and the control socket. */
struct framebuffer *vmm_get_framebuffer (Vmm *vmm);
struct i8042 *vmm_get_i8042 (Vmm *vmm);
/* The virtio tablet and keyboard (virtio/input.h), NULL without a display. */
struct virtio_input *vmm_get_virtio_tablet (Vmm *vmm);
struct virtio_input *vmm_get_virtio_keyboard (Vmm *vmm);

/* The second console, virtio-console's one port (/dev/hvc0 in Linux).
 * Output is delivered on the device's I/O thread: FUNC must be
 * thread-safe; set it before vmm_start (). Input is queued (bounded) until
 * the guest reads. */
void vmm_set_console2_output_func (Vmm *vmm, VmmConsoleOutputFunc func, void *user_data);
void vmm_console2_input (Vmm *vmm, const uint8_t *bytes, size_t len);
