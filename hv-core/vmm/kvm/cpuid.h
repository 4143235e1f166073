/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The CPUID a vCPU shows: what KVM supports, with the topology of one
 * socket of N single-threaded cores (APIC id = vCPU index), the hypervisor
 * bit, and KVM's paravirtual leaves so guests pick kvm-clock.
 */
#pragma once

#include <linux/kvm.h>

#define CPUID_KVM_SIGNATURE_LEAF 0x40000000u
#define CPUID_KVM_FEATURES_LEAF  0x40000001u

/* A new table (g_free it) for vCPU INDEX of N_CPUS, built from SUPPORTED. */
struct kvm_cpuid2 *cpuid_for_vcpu (const struct kvm_cpuid2 *supported, unsigned index,
                                   unsigned n_cpus);
/* The entry for FUNCTION/INDEX, or NULL. */
struct kvm_cpuid_entry2 *cpuid_find (struct kvm_cpuid2 *cpuid, unsigned function, unsigned index);
/* Bits of the APIC id that number the cores of N_CPUS: ceil(log2(N_CPUS)). */
unsigned cpuid_core_shift (unsigned n_cpus);
