/* SPDX-License-Identifier: GPL-3.0-or-later */
/* What vmm.c, vmm-cpus.c and vmm-devices.c share behind vmm.h. */
#pragma once

#include <pthread.h>

#include "boot/boot.h"
#include "bus/io.h"
#include "dev/acpi-pm.h"
#include "dev/i8042.h"
#include "dev/rtc.h"
#include "dev/serial.h"
#include "kvm/kvm.h"
#include "kvm/vcpu.h"
#include "vmm.h"

/* What the vCPU threads are told to do. */
typedef enum
{
  VMM_RUN_STATE_PARK, /* stop guest code and wait */
  VMM_RUN_STATE_RUN,
  VMM_RUN_STATE_EXIT, /* leave the thread */
} VmmRunState;

/* Something the guest asked for, handled on the main thread. */
typedef enum
{
  VMM_REQUEST_NONE,
  VMM_REQUEST_SHUTDOWN,
  VMM_REQUEST_RESET,
  VMM_REQUEST_FATAL,
} VmmRequest;

struct vmm
{
  VmmConfig config; /* strings owned below */
  char *name, *uuid, *kernel_path, *initrd_path, *cmdline;

  Kvm kvm;
  IoBus *bus;
  BootLoader *loader;
  Serial *serial;
  I8042 *i8042;
  Rtc *rtc;
  AcpiPm *pm;

  unsigned n_vcpus;
  Vcpu *vcpus;
  pthread_t *threads;
  unsigned n_threads; /* started so far */

  GMutex lock; /* guards everything below */
  GCond cond;
  VmmRunState run_state;
  unsigned parked;
  unsigned exited;
  VmmRequest request;
  char *request_message;
  GSource *request_source;

  /* Main thread only. */
  VmmStatus status;
  gboolean started;
  GError *fatal_error;
  VmmEventFunc event_func;
  void *event_data;
};

/* vmm.c */
void vmm_emit (Vmm *vmm, VmmEventKind kind, const char *reason);
/* Puts memory, devices and vCPUs into their power-on state and loads the
 * kernel again; every vCPU must be parked (or not yet started). */
gboolean vmm_reboot (Vmm *vmm, GError **error);
/* Main thread: acts on what vmm_request() recorded. */
void vmm_handle_request (Vmm *vmm, VmmRequest request, const char *message);

/* vmm-cpus.c */
gboolean vmm_cpus_create (Vmm *vmm, GError **error);
gboolean vmm_cpus_start (Vmm *vmm, GError **error);
/* Stops guest code on every vCPU and waits until all are parked. */
void vmm_cpus_park (Vmm *vmm);
void vmm_cpus_run (Vmm *vmm);
/* Ends the vCPU threads for good. */
void vmm_cpus_exit (Vmm *vmm);
void vmm_cpus_destroy (Vmm *vmm);
/* From any thread: the guest wants REQUEST; the first one wins.
 * Takes MESSAGE. */
void vmm_request (Vmm *vmm, VmmRequest request, char *message);

/* vmm-devices.c */
gboolean vmm_devices_init (Vmm *vmm, GError **error);
void vmm_devices_reset (Vmm *vmm);
void vmm_devices_fini (Vmm *vmm);
