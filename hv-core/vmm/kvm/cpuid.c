/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "cpuid.h"

#include <glib.h>
#include <string.h>

#define CPUID_1_ECX_HYPERVISOR (1u << 31)
#define CPUID_1_EDX_HTT        (1u << 28)
#define CPUID_TOPO_LEVEL_SMT   1u
#define CPUID_TOPO_LEVEL_CORE  2u

unsigned
cpuid_core_shift (unsigned n_cpus)
{
  unsigned shift = 0;

  while ((1u << shift) < n_cpus)
    shift++;
  return shift;
}

struct kvm_cpuid_entry2 *
cpuid_find (struct kvm_cpuid2 *cpuid, unsigned function, unsigned index)
{
  for (unsigned i = 0; i < cpuid->nent; i++)
    {
      struct kvm_cpuid_entry2 *e = &cpuid->entries[i];
      gboolean indexed = (e->flags & KVM_CPUID_FLAG_SIGNIFCANT_INDEX) != 0;

      if (e->function == function && (!indexed || e->index == index))
        return e;
    }
  return NULL;
}

static gboolean
cpuid_is_amd (struct kvm_cpuid2 *cpuid)
{
  struct kvm_cpuid_entry2 *e = cpuid_find (cpuid, 0, 0);
  char vendor[13] = { 0 };

  if (e == NULL)
    return FALSE;
  memcpy (vendor, &e->ebx, 4);
  memcpy (vendor + 4, &e->edx, 4);
  memcpy (vendor + 8, &e->ecx, 4);
  return strcmp (vendor, "AuthenticAMD") == 0 || strcmp (vendor, "HygonGenuine") == 0;
}

/* Drops every entry of FUNCTION so that it can be rebuilt from scratch. */
static void
cpuid_remove (struct kvm_cpuid2 *cpuid, unsigned function)
{
  unsigned out = 0;

  for (unsigned i = 0; i < cpuid->nent; i++)
    {
      if (cpuid->entries[i].function != function)
        cpuid->entries[out++] = cpuid->entries[i];
    }
  cpuid->nent = out;
}

static struct kvm_cpuid_entry2 *
cpuid_append (struct kvm_cpuid2 *cpuid, unsigned function, unsigned index, unsigned flags)
{
  struct kvm_cpuid_entry2 *e = &cpuid->entries[cpuid->nent++];

  memset (e, 0, sizeof *e);
  e->function = function;
  e->index = index;
  e->flags = flags;
  return e;
}

static void
cpuid_fix_leaf1 (struct kvm_cpuid2 *cpuid, unsigned index, unsigned n_cpus)
{
  struct kvm_cpuid_entry2 *e = cpuid_find (cpuid, 1, 0);
  unsigned logical = 1u << cpuid_core_shift (n_cpus);

  if (e == NULL)
    return;
  /* EBX: initial APIC id in 31:24, addressable logical processors in 23:16. */
  e->ebx = (e->ebx & 0xffffu) | (MIN (logical, 255u) << 16) | (index << 24);
  e->ecx |= CPUID_1_ECX_HYPERVISOR;
  if (n_cpus > 1)
    e->edx |= CPUID_1_EDX_HTT;
  else
    e->edx &= ~CPUID_1_EDX_HTT;
}

/* Intel's deterministic cache leaf (4), or AMD's (0x8000001D): the count of
 * cores in the package and of those sharing each cache. */
static void
cpuid_fix_cache_leaf (struct kvm_cpuid2 *cpuid, unsigned function, unsigned n_cpus,
                      gboolean set_cores)
{
  unsigned ids = (1u << cpuid_core_shift (n_cpus)) - 1;

  for (unsigned i = 0; i < cpuid->nent; i++)
    {
      struct kvm_cpuid_entry2 *e = &cpuid->entries[i];
      unsigned level = (e->eax >> 5) & 7;
      unsigned sharing;

      if (e->function != function || (e->eax & 0x1f) == 0)
        continue;
      /* L1 and L2 are per core; the last level is shared by all of them. */
      sharing = level >= 3 ? ids : 0;
      e->eax = (e->eax & ~(0xfffu << 14)) | (sharing << 14);
      if (set_cores)
        e->eax = (e->eax & ~(0x3fu << 26)) | (ids << 26);
    }
}

/* Leaves 0xB and 0x1F: an SMT level of one thread, then a core level. */
static void
cpuid_add_x2apic_topology (struct kvm_cpuid2 *cpuid, unsigned function, unsigned index,
                           unsigned n_cpus)
{
  struct kvm_cpuid_entry2 *e;

  cpuid_remove (cpuid, function);
  e = cpuid_append (cpuid, function, 0, KVM_CPUID_FLAG_SIGNIFCANT_INDEX);
  e->eax = 0;
  e->ebx = 1;
  e->ecx = (CPUID_TOPO_LEVEL_SMT << 8) | 0;
  e->edx = index;
  e = cpuid_append (cpuid, function, 1, KVM_CPUID_FLAG_SIGNIFCANT_INDEX);
  e->eax = cpuid_core_shift (n_cpus);
  e->ebx = n_cpus;
  e->ecx = (CPUID_TOPO_LEVEL_CORE << 8) | 1;
  e->edx = index;
  /* An invalid level ends the enumeration. */
  e = cpuid_append (cpuid, function, 2, KVM_CPUID_FLAG_SIGNIFCANT_INDEX);
  e->ecx = 2;
  e->edx = index;
}

static void
cpuid_fix_amd (struct kvm_cpuid2 *cpuid, unsigned index, unsigned n_cpus)
{
  struct kvm_cpuid_entry2 *e = cpuid_find (cpuid, 0x80000008, 0);

  /* ECX: cores in the package minus one, and the APIC id bits they use. */
  if (e != NULL)
    e->ecx = (e->ecx & ~0xf0ffu) | (cpuid_core_shift (n_cpus) << 12) | (n_cpus - 1);
  e = cpuid_find (cpuid, 0x8000001E, 0);
  if (e != NULL)
    {
      e->eax = index;        /* extended APIC id */
      e->ebx = index & 0xff; /* core id; one thread per core */
      e->ecx = 0;            /* node 0 of one node */
    }
  cpuid_fix_cache_leaf (cpuid, 0x8000001D, n_cpus, FALSE);
}

static void
cpuid_fix_kvm_leaves (struct kvm_cpuid2 *cpuid)
{
  struct kvm_cpuid_entry2 *e = cpuid_find (cpuid, CPUID_KVM_SIGNATURE_LEAF, 0);
  static const char signature[12] = "KVMKVMKVM\0\0";

  if (e == NULL)
    e = cpuid_append (cpuid, CPUID_KVM_SIGNATURE_LEAF, 0, 0);
  e->eax = MAX (e->eax, CPUID_KVM_FEATURES_LEAF);
  memcpy (&e->ebx, signature, 4);
  memcpy (&e->ecx, signature + 4, 4);
  memcpy (&e->edx, signature + 8, 4);
  /* The features leaf keeps what KVM offers (kvm-clock and friends). */
  if (cpuid_find (cpuid, CPUID_KVM_FEATURES_LEAF, 0) == NULL)
    cpuid_append (cpuid, CPUID_KVM_FEATURES_LEAF, 0, 0);
}

struct kvm_cpuid2 *
cpuid_for_vcpu (const struct kvm_cpuid2 *supported, unsigned index, unsigned n_cpus)
{
  /* Room for the entries rebuilt or added below. */
  unsigned room = supported->nent + 16;
  struct kvm_cpuid2 *cpuid = g_malloc0 (sizeof *cpuid + room * sizeof cpuid->entries[0]);
  struct kvm_cpuid_entry2 *leaf0;
  unsigned max_basic;

  memcpy (cpuid->entries, supported->entries, supported->nent * sizeof cpuid->entries[0]);
  cpuid->nent = supported->nent;
  leaf0 = cpuid_find (cpuid, 0, 0);
  max_basic = leaf0 != NULL ? leaf0->eax : 0;

  cpuid_fix_leaf1 (cpuid, index, n_cpus);
  if (cpuid_is_amd (cpuid))
    cpuid_fix_amd (cpuid, index, n_cpus);
  else
    cpuid_fix_cache_leaf (cpuid, 4, n_cpus, TRUE);
  if (max_basic >= 0xB)
    cpuid_add_x2apic_topology (cpuid, 0xB, index, n_cpus);
  if (max_basic >= 0x1F)
    cpuid_add_x2apic_topology (cpuid, 0x1F, index, n_cpus);
  cpuid_fix_kvm_leaves (cpuid);
  return cpuid;
}
