/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "vcpu.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n-lib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "boot/layout.h"
#include "cpuid.h"
#include "vmm.h"

#define CR0_PE   0x00000001ull
#define CR0_ET   0x00000010ull
#define CR0_PG   0x80000000ull
#define CR4_PAE  0x00000020ull
#define EFER_LME 0x00000100ull
#define EFER_LMA 0x00000400ull

#define MSR_IA32_TSC            0x00000010
#define MSR_IA32_SYSENTER_CS    0x00000174
#define MSR_IA32_SYSENTER_ESP   0x00000175
#define MSR_IA32_SYSENTER_EIP   0x00000176
#define MSR_IA32_MISC_ENABLE    0x000001a0
#define MSR_MTRR_PHYS_BASE0     0x00000200
#define MSR_MTRR_PHYS_MASK0     0x00000201
#define MSR_IA32_CR_PAT         0x00000277
#define MSR_MTRR_DEF_TYPE       0x000002ff
#define MSR_STAR                0xc0000081
#define MSR_LSTAR               0xc0000082
#define MSR_CSTAR               0xc0000083
#define MSR_SYSCALL_MASK        0xc0000084
#define MSR_KERNEL_GS_BASE      0xc0000102
#define MSR_KVM_WALL_CLOCK_NEW  0x4b564d00
#define MSR_KVM_SYSTEM_TIME_NEW 0x4b564d01
#define MSR_KVM_ASYNC_PF_EN     0x4b564d02
#define MSR_KVM_STEAL_TIME      0x4b564d03
#define MSR_KVM_PV_EOI_EN       0x4b564d04

#define MISC_ENABLE_FAST_STRING 0x1ull
#define MTRR_ENABLE             0x800ull
#define MTRR_TYPE_UC            0x0ull
#define MTRR_TYPE_WB            0x6ull
#define MTRR_VALID              0x800ull
#define PAT_POWER_ON            0x0007040600070406ull

#define APIC_LVT0        0x350
#define APIC_LVT1        0x360
#define APIC_LVT_MASKED  0x10000u
#define APIC_MODE_MASK   0x700u
#define APIC_MODE_NMI    0x400u
#define APIC_MODE_EXTINT 0x700u

static gboolean
vcpu_fail (GError **error, unsigned index, const char *what)
{
  int saved = errno;

  g_set_error (error, HV_VMM_ERROR, HV_VMM_ERROR_FAILED,
               _ ("KVM could not set up virtual CPU %u (%s failed: %s)."), index, what,
               g_strerror (saved));
  return FALSE;
}

static uint32_t
vcpu_lapic_reg (const struct kvm_lapic_state *l, unsigned off)
{
  uint32_t v;

  memcpy (&v, l->regs + off, 4);
  return v;
}

static void
vcpu_lapic_set (struct kvm_lapic_state *l, unsigned off, uint32_t v)
{
  memcpy (l->regs + off, &v, 4);
}

/* Virtual-wire mode, as firmware leaves every CPU before the OS takes over:
 * the PIC's interrupts come in through LINT0, NMIs through LINT1. */
static void
vcpu_lapic_virtual_wire (struct kvm_lapic_state *l)
{
  uint32_t lvt0 = vcpu_lapic_reg (l, APIC_LVT0);
  uint32_t lvt1 = vcpu_lapic_reg (l, APIC_LVT1);

  vcpu_lapic_set (l, APIC_LVT0, (lvt0 & ~(APIC_MODE_MASK | APIC_LVT_MASKED)) | APIC_MODE_EXTINT);
  vcpu_lapic_set (l, APIC_LVT1, (lvt1 & ~(APIC_MODE_MASK | APIC_LVT_MASKED)) | APIC_MODE_NMI);
}

static gboolean
vcpu_set_cpuid (Vcpu *vcpu, Kvm *kvm, unsigned n_cpus, GError **error)
{
  g_autofree struct kvm_cpuid2 *cpuid = cpuid_for_vcpu (kvm->supported_cpuid, vcpu->index, n_cpus);
  struct kvm_cpuid_entry2 *e = cpuid_find (cpuid, 0x80000008, 0);

  /* The guest's physical address width sizes the MTRR masks. */
  vcpu->phys_bits = e != NULL && (e->eax & 0xff) != 0 ? e->eax & 0xff : 36;
  if (ioctl (vcpu->fd, KVM_SET_CPUID2, cpuid) < 0)
    return vcpu_fail (error, vcpu->index, "KVM_SET_CPUID2");
  return TRUE;
}

gboolean
vcpu_init (Vcpu *vcpu, Kvm *kvm, unsigned index, unsigned n_cpus, GError **error)
{
  void *run;

  memset (vcpu, 0, sizeof *vcpu);
  vcpu->index = index;
  vcpu->fd = ioctl (kvm->vm_fd, KVM_CREATE_VCPU, (unsigned long) index);
  if (vcpu->fd < 0)
    return vcpu_fail (error, index, "KVM_CREATE_VCPU");
  fcntl (vcpu->fd, F_SETFD, FD_CLOEXEC);

  run = mmap (NULL, kvm->vcpu_mmap_size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu->fd, 0);
  if (run == MAP_FAILED)
    return vcpu_fail (error, index, "mmap");
  vcpu->run = run;
  vcpu->run_size = kvm->vcpu_mmap_size;

  if (!vcpu_set_cpuid (vcpu, kvm, n_cpus, error))
    return FALSE;
  if (ioctl (vcpu->fd, KVM_GET_LAPIC, &vcpu->lapic0) < 0)
    return vcpu_fail (error, index, "KVM_GET_LAPIC");
  vcpu_lapic_virtual_wire (&vcpu->lapic0);
  return TRUE;
}

void
vcpu_fini (Vcpu *vcpu)
{
  if (vcpu->run != NULL)
    munmap (vcpu->run, vcpu->run_size);
  if (vcpu->fd > 0)
    close (vcpu->fd);
  memset (vcpu, 0, sizeof *vcpu);
  vcpu->fd = -1;
}

#define VCPU_MAX_RESET_MSRS 24

/* Sets the MSRs in one call; KVM stops at the first it does not know (older
 * kernels, other vendors), and a missing one is no reason not to boot: that
 * one is skipped and the rest set. */
static void
vcpu_set_msrs (Vcpu *vcpu, const struct kvm_msr_entry *entries, unsigned n)
{
  struct
  {
    struct kvm_msrs head;
    struct kvm_msr_entry entries[VCPU_MAX_RESET_MSRS];
  } msrs;
  unsigned done = 0;

  g_assert (n <= VCPU_MAX_RESET_MSRS);
  while (done < n)
    {
      int set;

      memset (&msrs.head, 0, sizeof msrs.head);
      msrs.head.nmsrs = n - done;
      memcpy (msrs.entries, entries + done, (n - done) * sizeof *entries);
      set = ioctl (vcpu->fd, KVM_SET_MSRS, &msrs);
      if (set < 0)
        set = 0;
      done += set;
      if (done < n)
        {
          g_debug ("vCPU %u: MSR %#x not set", vcpu->index, entries[done].index);
          done++;
        }
    }
}

static void
vcpu_reset_msrs (Vcpu *vcpu)
{
  static const uint32_t zeroed[] = {
    MSR_IA32_TSC,
    MSR_IA32_SYSENTER_CS,
    MSR_IA32_SYSENTER_ESP,
    MSR_IA32_SYSENTER_EIP,
    MSR_STAR,
    MSR_LSTAR,
    MSR_CSTAR,
    MSR_SYSCALL_MASK,
    MSR_KERNEL_GS_BASE,
    /* The paravirtual areas of the previous boot must not be written to. */
    MSR_KVM_SYSTEM_TIME_NEW,
    MSR_KVM_WALL_CLOCK_NEW,
    MSR_KVM_ASYNC_PF_EN,
    MSR_KVM_STEAL_TIME,
    MSR_KVM_PV_EOI_EN,
  };
  uint64_t addr_mask = ((1ull << vcpu->phys_bits) - 1) & ~0xfffull;
  struct kvm_msr_entry entries[VCPU_MAX_RESET_MSRS] = { 0 };
  unsigned n = 0;

  for (unsigned i = 0; i < G_N_ELEMENTS (zeroed); i++)
    entries[n++] = (struct kvm_msr_entry){ .index = zeroed[i] };
  entries[n++] =
      (struct kvm_msr_entry){ .index = MSR_IA32_MISC_ENABLE, .data = MISC_ENABLE_FAST_STRING };
  entries[n++] = (struct kvm_msr_entry){ .index = MSR_IA32_CR_PAT, .data = PAT_POWER_ON };
  /* Memory is write-back, except the 1 GiB hole below 4 GiB (MMIO). */
  entries[n++] = (struct kvm_msr_entry){ .index = MSR_MTRR_PHYS_BASE0,
                                         .data = GUEST_MEM_HOLE_START | MTRR_TYPE_UC };
  entries[n++] = (struct kvm_msr_entry){
    .index = MSR_MTRR_PHYS_MASK0,
    .data = (addr_mask & ~(GUEST_MEM_HIGH_START - GUEST_MEM_HOLE_START - 1)) | MTRR_VALID
  };
  entries[n++] =
      (struct kvm_msr_entry){ .index = MSR_MTRR_DEF_TYPE, .data = MTRR_ENABLE | MTRR_TYPE_WB };
  vcpu_set_msrs (vcpu, entries, n);
}

static void
vcpu_flat_segment (struct kvm_segment *s, uint16_t selector, uint8_t type, bool code64)
{
  memset (s, 0, sizeof *s);
  s->base = 0;
  s->limit = 0xffffffff;
  s->selector = selector;
  s->type = type;
  s->present = 1;
  s->s = 1;
  s->g = 1;
  s->l = code64;
  s->db = !code64;
}

static void
vcpu_boot_sregs (struct kvm_sregs *sregs, const BootEntry *entry)
{
  struct kvm_segment data;

  vcpu_flat_segment (&sregs->cs, entry->long_mode ? BOOT_CS64 : BOOT_CS32, 0xb, entry->long_mode);
  vcpu_flat_segment (&data, BOOT_DS, 0x3, false);
  sregs->ds = sregs->es = sregs->fs = sregs->gs = sregs->ss = data;
  /* A busy 32-bit TSS, as VT-x insists on a usable TR. */
  sregs->tr.type = 0xb;
  sregs->tr.present = 1;
  sregs->tr.limit = 0x67;
  sregs->tr.base = 0;
  sregs->gdt.base = BOOT_GDT_ADDR;
  sregs->gdt.limit = 4 * 8 - 1;
  sregs->idt.base = 0;
  sregs->idt.limit = 0;
  sregs->cr0 = CR0_PE | CR0_ET;
  sregs->cr4 = 0;
  sregs->efer = 0;
  if (entry->long_mode)
    {
      sregs->cr0 |= CR0_PG;
      sregs->cr3 = BOOT_PML4_ADDR;
      sregs->cr4 = CR4_PAE;
      sregs->efer = EFER_LME | EFER_LMA;
    }
}

static gboolean
vcpu_reset_bsp_regs (Vcpu *vcpu, const BootEntry *entry, GError **error)
{
  struct kvm_sregs sregs;
  struct kvm_regs regs = { 0 };

  if (ioctl (vcpu->fd, KVM_GET_SREGS, &sregs) < 0)
    return vcpu_fail (error, vcpu->index, "KVM_GET_SREGS");
  /* Only the fields set below matter; the APIC base stays KVM's. */
  memset (&sregs.interrupt_bitmap, 0, sizeof sregs.interrupt_bitmap);
  sregs.cr2 = 0;
  vcpu_boot_sregs (&sregs, entry);
  if (ioctl (vcpu->fd, KVM_SET_SREGS, &sregs) < 0)
    return vcpu_fail (error, vcpu->index, "KVM_SET_SREGS");

  regs.rflags = 0x2;
  regs.rip = entry->rip;
  regs.rsi = entry->rsi;
  regs.rbx = entry->rbx;
  regs.rsp = BOOT_STACK_TOP;
  if (ioctl (vcpu->fd, KVM_SET_REGS, &regs) < 0)
    return vcpu_fail (error, vcpu->index, "KVM_SET_REGS");
  return TRUE;
}

static gboolean
vcpu_reset_fpu (Vcpu *vcpu, GError **error)
{
  struct kvm_fpu fpu = { .fcw = 0x37f, .mxcsr = 0x1f80 };
  struct kvm_vcpu_events events = { 0 };

  if (ioctl (vcpu->fd, KVM_SET_FPU, &fpu) < 0)
    return vcpu_fail (error, vcpu->index, "KVM_SET_FPU");
  /* Drop exceptions, NMIs and interrupts still pending from before. */
  if (ioctl (vcpu->fd, KVM_SET_VCPU_EVENTS, &events) < 0)
    g_debug ("vCPU %u: KVM_SET_VCPU_EVENTS: %s", vcpu->index, g_strerror (errno));
  return TRUE;
}

gboolean
vcpu_reset (Vcpu *vcpu, const BootEntry *entry, GError **error)
{
  struct kvm_mp_state mp = { .mp_state = KVM_MP_STATE_RUNNABLE };

  if (ioctl (vcpu->fd, KVM_SET_LAPIC, &vcpu->lapic0) < 0)
    return vcpu_fail (error, vcpu->index, "KVM_SET_LAPIC");
  vcpu_reset_msrs (vcpu);
  if (!vcpu_reset_fpu (vcpu, error))
    return FALSE;
  if (vcpu->index == 0 && !vcpu_reset_bsp_regs (vcpu, entry, error))
    return FALSE;
  /* Application processors sleep until vCPU 0 sends INIT and SIPI. */
  if (vcpu->index != 0)
    mp.mp_state = KVM_MP_STATE_UNINITIALIZED;
  if (ioctl (vcpu->fd, KVM_SET_MP_STATE, &mp) < 0)
    return vcpu_fail (error, vcpu->index, "KVM_SET_MP_STATE");
  return TRUE;
}

static VcpuExitAction
vcpu_handle_io (Vcpu *vcpu, IoBus *bus, char **message)
{
  struct kvm_run *run = vcpu->run;
  unsigned size = run->io.size;
  uint64_t bytes = (uint64_t) size * run->io.count;

  /* KVM fills these, but a broken value must not make us touch memory
   * outside the shared page. */
  if ((size != 1 && size != 2 && size != 4) || run->io.data_offset > vcpu->run_size ||
      bytes > vcpu->run_size - run->io.data_offset)
    {
      *message = g_strdup_printf (_ ("Virtual CPU %u made a port access that KVM reported "
                                     "inconsistently (port %#x, size %u)."),
                                  vcpu->index, run->io.port, size);
      return VCPU_EXIT_FATAL;
    }
  for (uint32_t i = 0; i < run->io.count; i++)
    {
      uint8_t *data = (uint8_t *) run + run->io.data_offset + (uint64_t) i * size;

      io_bus_access (bus, IO_SPACE_PIO, run->io.port, data, size,
                     run->io.direction == KVM_EXIT_IO_OUT);
    }
  return VCPU_EXIT_CONTINUE;
}

static VcpuExitAction
vcpu_handle_mmio (Vcpu *vcpu, IoBus *bus)
{
  struct kvm_run *run = vcpu->run;

  /* Lengths other than 1..8 cannot come from one instruction: ignore. */
  if (run->mmio.len == 0 || run->mmio.len > sizeof run->mmio.data)
    return VCPU_EXIT_CONTINUE;
  io_bus_access (bus, IO_SPACE_MMIO, run->mmio.phys_addr, run->mmio.data, run->mmio.len,
                 run->mmio.is_write);
  return VCPU_EXIT_CONTINUE;
}

static uint64_t
vcpu_rip (Vcpu *vcpu)
{
  struct kvm_regs regs;

  if (ioctl (vcpu->fd, KVM_GET_REGS, &regs) < 0)
    return 0;
  return regs.rip;
}

static VcpuExitAction
vcpu_handle_system_event (Vcpu *vcpu, char **message)
{
  switch (vcpu->run->system_event.type)
    {
      case KVM_SYSTEM_EVENT_SHUTDOWN:
        return VCPU_EXIT_SHUTDOWN;
      case KVM_SYSTEM_EVENT_RESET:
        return VCPU_EXIT_RESET;
      default:
        *message = g_strdup_printf (_ ("The guest crashed (virtual CPU %u reported system event "
                                       "%u)."),
                                    vcpu->index, vcpu->run->system_event.type);
        return VCPU_EXIT_FATAL;
    }
}

static VcpuExitAction
vcpu_handle_exit (Vcpu *vcpu, IoBus *bus, char **message)
{
  struct kvm_run *run = vcpu->run;

  switch (run->exit_reason)
    {
      case KVM_EXIT_IO:
        return vcpu_handle_io (vcpu, bus, message);
      case KVM_EXIT_MMIO:
        return vcpu_handle_mmio (vcpu, bus);
      case KVM_EXIT_SHUTDOWN:
        /* A triple fault: the CPU resets, as on a PC. Debug output only:
         * a guest may do this as often as it likes. */
        g_debug ("vCPU %u: triple fault at rip %#" G_GINT64_MODIFIER "x; resetting", vcpu->index,
                 vcpu_rip (vcpu));
        return VCPU_EXIT_RESET;
      case KVM_EXIT_SYSTEM_EVENT:
        return vcpu_handle_system_event (vcpu, message);
      case KVM_EXIT_FAIL_ENTRY:
        *message = g_strdup_printf (
            _ ("KVM could not enter virtual CPU %u (hardware reason "
               "%#llx). The guest was stopped."),
            vcpu->index, (unsigned long long) run->fail_entry.hardware_entry_failure_reason);
        return VCPU_EXIT_FATAL;
      case KVM_EXIT_INTERNAL_ERROR:
        *message = g_strdup_printf (_ ("KVM hit an internal error on virtual CPU %u (suberror %u, "
                                       "at rip %#llx). The guest was stopped."),
                                    vcpu->index, run->internal.suberror,
                                    (unsigned long long) vcpu_rip (vcpu));
        return VCPU_EXIT_FATAL;
      case KVM_EXIT_HLT:
      case KVM_EXIT_INTR:
      case KVM_EXIT_IRQ_WINDOW_OPEN:
      case KVM_EXIT_DEBUG:
        return VCPU_EXIT_CONTINUE;
      default:
        *message = g_strdup_printf (_ ("Virtual CPU %u stopped for a reason Hangar does not "
                                       "handle (KVM exit %u). The guest was stopped."),
                                    vcpu->index, run->exit_reason);
        return VCPU_EXIT_FATAL;
    }
}

VcpuExitAction
vcpu_run (Vcpu *vcpu, IoBus *bus, char **message)
{
  if (ioctl (vcpu->fd, KVM_RUN, 0) < 0)
    {
      if (errno == EINTR || errno == EAGAIN)
        return VCPU_EXIT_CONTINUE;
      *message = g_strdup_printf (_ ("KVM stopped running virtual CPU %u: %s."), vcpu->index,
                                  g_strerror (errno));
      return VCPU_EXIT_FATAL;
    }
  return vcpu_handle_exit (vcpu, bus, message);
}
