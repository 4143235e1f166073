/* SPDX-License-Identifier: GPL-3.0-or-later */
/* One virtual CPU: its KVM file descriptor, reset state and KVM_RUN exits. */
#pragma once

#include <glib.h>
#include <linux/kvm.h>

#include "boot/boot.h"
#include "bus/io.h"
#include "kvm.h"

typedef struct
{
  int fd;
  unsigned index; /* = its APIC id */
  void *owner;    /* the Vmm, for its thread */
  struct kvm_run *run;
  size_t run_size;
  unsigned phys_bits;
  /* The local APIC as a BIOS leaves it (LINT0 ExtINT, LINT1 NMI). */
  struct kvm_lapic_state lapic0;
} Vcpu;

typedef enum
{
  VCPU_EXIT_CONTINUE, /* run again (also after a signal) */
  VCPU_EXIT_RESET,    /* triple fault or a reset request */
  VCPU_EXIT_SHUTDOWN, /* the guest powered off through KVM */
  VCPU_EXIT_FATAL,    /* KVM cannot go on; see the message */
} VcpuExitAction;

gboolean vcpu_init (Vcpu *vcpu, Kvm *kvm, unsigned index, unsigned n_cpus, GError **error);
void vcpu_fini (Vcpu *vcpu);
/* Power-on state: vCPU 0 enters the kernel as ENTRY says, the others wait
 * for INIT/SIPI from it. */
gboolean vcpu_reset (Vcpu *vcpu, const BootEntry *entry, GError **error);
/* One KVM_RUN and the handling of its exit. On VCPU_EXIT_FATAL, MESSAGE
 * gets what happened, for the user. */
VcpuExitAction vcpu_run (Vcpu *vcpu, IoBus *bus, char **message);
