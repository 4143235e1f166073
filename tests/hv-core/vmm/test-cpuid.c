/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <glib.h>
#include <string.h>

#include "kvm/cpuid.h"

/* A small "supported" table: Intel, max basic leaf 0xB, leaf 4 caches. */
static struct kvm_cpuid2 *
make_supported (const char *vendor)
{
  struct kvm_cpuid2 *c = g_malloc0 (sizeof *c + 16 * sizeof c->entries[0]);
  struct kvm_cpuid_entry2 *e = c->entries;

  e[0] = (struct kvm_cpuid_entry2){ .function = 0, .eax = 0xb };
  memcpy (&e[0].ebx, vendor, 4);
  memcpy (&e[0].edx, vendor + 4, 4);
  memcpy (&e[0].ecx, vendor + 8, 4);
  e[1] = (struct kvm_cpuid_entry2){ .function = 1, .ebx = 0x0800, .ecx = 0, .edx = 0 };
  /* L1d (level 1) and L3 (level 3) */
  e[2] = (struct kvm_cpuid_entry2){ .function = 4,
                                    .index = 0,
                                    .flags = KVM_CPUID_FLAG_SIGNIFCANT_INDEX,
                                    .eax = 1 | (1 << 5) | (0xfffu << 14) | (0x3fu << 26) };
  e[3] = (struct kvm_cpuid_entry2){
    .function = 4, .index = 1, .flags = KVM_CPUID_FLAG_SIGNIFCANT_INDEX, .eax = 3 | (3 << 5)
  };
  e[4] = (struct kvm_cpuid_entry2){
    .function = 0xb, .index = 0, .flags = KVM_CPUID_FLAG_SIGNIFCANT_INDEX, .ebx = 99
  };
  e[5] = (struct kvm_cpuid_entry2){ .function = 0x40000001, .eax = 0x1234 };
  e[6] = (struct kvm_cpuid_entry2){ .function = 0x80000008, .eax = 0x3028 };
  c->nent = 7;
  return c;
}

static void
test_topology (void)
{
  g_autofree struct kvm_cpuid2 *sup = make_supported ("GenuineIntel");
  g_autofree struct kvm_cpuid2 *c = cpuid_for_vcpu (sup, 5, 6);
  struct kvm_cpuid_entry2 *e;

  g_assert_cmpuint (cpuid_core_shift (1), ==, 0);
  g_assert_cmpuint (cpuid_core_shift (6), ==, 3);
  g_assert_cmpuint (cpuid_core_shift (64), ==, 6);

  e = cpuid_find (c, 1, 0);
  g_assert_cmpuint (e->ebx >> 24, ==, 5);          /* APIC id */
  g_assert_cmpuint ((e->ebx >> 16) & 0xff, ==, 8); /* logical count */
  g_assert_cmphex (e->ebx & 0xffff, ==, 0x0800);   /* untouched */
  g_assert_cmphex (e->ecx & (1u << 31), !=, 0);    /* hypervisor */
  g_assert_cmphex (e->edx & (1u << 28), !=, 0);    /* HTT */

  e = cpuid_find (c, 4, 0);
  g_assert_cmpuint ((e->eax >> 26) & 0x3f, ==, 7);
  g_assert_cmpuint ((e->eax >> 14) & 0xfff, ==, 0); /* L1: one core */
  e = cpuid_find (c, 4, 1);
  g_assert_cmpuint ((e->eax >> 14) & 0xfff, ==, 7); /* L3: shared */

  e = cpuid_find (c, 0xb, 0);
  g_assert_cmpuint (e->ebx, ==, 1);
  g_assert_cmpuint ((e->ecx >> 8) & 0xff, ==, 1); /* SMT */
  g_assert_cmpuint (e->edx, ==, 5);
  e = cpuid_find (c, 0xb, 1);
  g_assert_cmpuint (e->eax & 0x1f, ==, 3);
  g_assert_cmpuint (e->ebx, ==, 6);
  g_assert_cmpuint ((e->ecx >> 8) & 0xff, ==, 2); /* core */
  e = cpuid_find (c, 0xb, 2);
  g_assert_cmpuint ((e->ecx >> 8) & 0xff, ==, 0); /* end */
}

static void
test_single_cpu (void)
{
  g_autofree struct kvm_cpuid2 *sup = make_supported ("GenuineIntel");
  g_autofree struct kvm_cpuid2 *c = cpuid_for_vcpu (sup, 0, 1);
  struct kvm_cpuid_entry2 *e = cpuid_find (c, 1, 0);

  g_assert_cmphex (e->edx & (1u << 28), ==, 0);
  g_assert_cmpuint ((e->ebx >> 16) & 0xff, ==, 1);
}

static void
test_kvm_leaves (void)
{
  g_autofree struct kvm_cpuid2 *sup = make_supported ("GenuineIntel");
  g_autofree struct kvm_cpuid2 *c = cpuid_for_vcpu (sup, 0, 2);
  struct kvm_cpuid_entry2 *e = cpuid_find (c, 0x40000000, 0);
  char sig[13] = { 0 };

  g_assert_nonnull (e);
  memcpy (sig, &e->ebx, 4);
  memcpy (sig + 4, &e->ecx, 4);
  memcpy (sig + 8, &e->edx, 4);
  g_assert_cmpstr (sig, ==, "KVMKVMKVM");
  g_assert_cmphex (e->eax, >=, 0x40000001);
  g_assert_cmphex (cpuid_find (c, 0x40000001, 0)->eax, ==, 0x1234);
}

static void
test_amd (void)
{
  g_autofree struct kvm_cpuid2 *sup = make_supported ("AuthenticAMD");
  g_autofree struct kvm_cpuid2 *c = cpuid_for_vcpu (sup, 2, 4);
  struct kvm_cpuid_entry2 *e = cpuid_find (c, 0x80000008, 0);

  g_assert_cmpuint (e->ecx & 0xff, ==, 3);        /* cores - 1 */
  g_assert_cmpuint ((e->ecx >> 12) & 0xf, ==, 2); /* APIC id bits */
  g_assert_cmphex (e->eax, ==, 0x3028);           /* address sizes kept */
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/hv-core/cpuid/topology", test_topology);
  g_test_add_func ("/hv-core/cpuid/single-cpu", test_single_cpu);
  g_test_add_func ("/hv-core/cpuid/kvm-leaves", test_kvm_leaves);
  g_test_add_func ("/hv-core/cpuid/amd", test_amd);
  return g_test_run ();
}
