/* SPDX-License-Identifier: GPL-3.0-or-later */
/* /dev/kvm and the VM file descriptor: the machine-wide KVM state. */
#pragma once

#include <glib.h>
#include <linux/kvm.h>
#include <stddef.h>

#include "memory.h"

/* Above this the VMM's own tables (MADT, CPUID topology) are not sized. */
#define KVM_VMM_MAX_CPUS 64

/* Where KVM keeps the real-mode TSS and identity page table (VT-x needs
 * them); three and one pages just below the BIOS, inside the 32-bit hole. */
#define KVM_TSS_ADDR          0xFFFBD000ull
#define KVM_IDENTITY_MAP_ADDR 0xFFFBC000ull

typedef struct
{
  int sys_fd;
  int vm_fd;
  size_t vcpu_mmap_size;
  unsigned max_vcpus;
  struct kvm_cpuid2 *supported_cpuid;
  GuestMemory mem;
  /* Interrupt controller and PIT state right after creation, for resets. */
  struct kvm_irqchip irqchip0[3];
  struct kvm_pit_state2 pit0;
} Kvm;

/* Opens /dev/kvm and reads its limits; the errors say what the user can do. */
gboolean kvm_open (Kvm *kvm, GError **error);
/* Creates the VM with in-kernel irqchip and PIT, and MEMORY_MIB of RAM. */
gboolean kvm_create_vm (Kvm *kvm, uint64_t memory_mib, GError **error);
/* Puts the PIC, IOAPIC and PIT back into their power-on state. */
gboolean kvm_reset_irqchip (Kvm *kvm, GError **error);
void kvm_close (Kvm *kvm);

/* Drives the level of IRQ on the PIC and IOAPIC. Thread-safe. */
void kvm_irq_line (Kvm *kvm, unsigned irq, int level);
/* Checks the host can give MEMORY_MIB to a guest. */
gboolean kvm_check_host_memory (uint64_t memory_mib, GError **error);
