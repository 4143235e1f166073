/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "kvm.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n-lib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "vmm.h"

#define KVM_DEVICE "/dev/kvm"

static gboolean
kvm_fail (GError **error, const char *what)
{
  int saved = errno;

  g_set_error (error, HV_VMM_ERROR, HV_VMM_ERROR_FAILED,
               _ ("KVM could not set up the machine (%s failed: %s). Check that the kvm module "
                  "is loaded and up to date."),
               what, g_strerror (saved));
  return FALSE;
}

static gboolean
kvm_open_device (Kvm *kvm, GError **error)
{
  kvm->sys_fd = open (KVM_DEVICE, O_RDWR | O_CLOEXEC);
  if (kvm->sys_fd >= 0)
    return TRUE;

  switch (errno)
    {
      case ENOENT:
      case ENODEV:
      case ENXIO:
        g_set_error (error, HV_VMM_ERROR, HV_VMM_ERROR_NO_KVM,
                     _ ("/dev/kvm does not exist: this computer has no KVM. Enable virtualization "
                        "(VT-x/AMD-V) in the firmware settings and load the kvm module."));
        break;
      case EACCES:
      case EPERM:
        g_set_error (error, HV_VMM_ERROR, HV_VMM_ERROR_KVM_PERMISSION,
                     _ ("You are not allowed to use /dev/kvm. Add yourself to the 'kvm' group "
                        "(for example: sudo adduser $USER kvm), then log out and back in."));
        break;
      default:
        g_set_error (error, HV_VMM_ERROR, HV_VMM_ERROR_NO_KVM,
                     _ ("/dev/kvm could not be opened (%s). Check that the kvm module is loaded."),
                     g_strerror (errno));
        break;
    }
  return FALSE;
}

/* The in-kernel LAPIC emulates the TSC-deadline timer, but kernels before 6.13
 * leave its CPUID bit out of KVM_GET_SUPPORTED_CPUID: the VMM sets it where
 * KVM says the timer works, or Linux falls back to the costlier one-shot mode. */
static void
kvm_add_tsc_deadline (Kvm *kvm)
{
  struct kvm_cpuid2 *cpuid = kvm->supported_cpuid;

  if (ioctl (kvm->sys_fd, KVM_CHECK_EXTENSION, KVM_CAP_TSC_DEADLINE_TIMER) <= 0)
    return;
  for (unsigned i = 0; i < cpuid->nent; i++)
    {
      if (cpuid->entries[i].function == 1)
        cpuid->entries[i].ecx |= 1u << 24;
    }
}

static struct kvm_cpuid2 *
kvm_get_supported_cpuid (int sys_fd)
{
  /* The kernel says E2BIG until the buffer is big enough; today's x86 CPUs
   * need about 80 entries, so the first try is usually enough. */
  for (unsigned n = 256; n <= 4096; n *= 2)
    {
      struct kvm_cpuid2 *cpuid = g_malloc0 (sizeof *cpuid + n * sizeof (struct kvm_cpuid_entry2));

      cpuid->nent = n;
      if (ioctl (sys_fd, KVM_GET_SUPPORTED_CPUID, cpuid) == 0)
        return cpuid;
      g_free (cpuid);
      if (errno != E2BIG)
        return NULL;
    }
  return NULL;
}

gboolean
kvm_open (Kvm *kvm, GError **error)
{
  int n;

  memset (kvm, 0, sizeof *kvm);
  kvm->vm_fd = -1;
  if (!kvm_open_device (kvm, error))
    return FALSE;

  if (ioctl (kvm->sys_fd, KVM_GET_API_VERSION, 0) != KVM_API_VERSION)
    {
      g_set_error (error, HV_VMM_ERROR, HV_VMM_ERROR_NO_KVM,
                   _ ("/dev/kvm speaks an unknown KVM API version. Update the kernel."));
      return FALSE;
    }

  n = ioctl (kvm->sys_fd, KVM_CHECK_EXTENSION, KVM_CAP_MAX_VCPUS);
  if (n <= 0)
    n = ioctl (kvm->sys_fd, KVM_CHECK_EXTENSION, KVM_CAP_NR_VCPUS);
  /* The API promises at least 4 when neither capability answers. */
  kvm->max_vcpus = n > 0 ? (unsigned) n : 4;

  n = ioctl (kvm->sys_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
  if (n <= 0)
    return kvm_fail (error, "KVM_GET_VCPU_MMAP_SIZE");
  kvm->vcpu_mmap_size = n;

  kvm->supported_cpuid = kvm_get_supported_cpuid (kvm->sys_fd);
  if (kvm->supported_cpuid == NULL)
    return kvm_fail (error, "KVM_GET_SUPPORTED_CPUID");
  kvm_add_tsc_deadline (kvm);
  return TRUE;
}

static gboolean
kvm_snapshot_irqchip (Kvm *kvm, GError **error)
{
  for (unsigned i = 0; i < G_N_ELEMENTS (kvm->irqchip0); i++)
    {
      kvm->irqchip0[i].chip_id = i; /* PIC master, PIC slave, IOAPIC */
      if (ioctl (kvm->vm_fd, KVM_GET_IRQCHIP, &kvm->irqchip0[i]) < 0)
        return kvm_fail (error, "KVM_GET_IRQCHIP");
    }
  if (ioctl (kvm->vm_fd, KVM_GET_PIT2, &kvm->pit0) < 0)
    return kvm_fail (error, "KVM_GET_PIT2");
  return TRUE;
}

static gboolean
kvm_create_devices (Kvm *kvm, GError **error)
{
  struct kvm_pit_config pit = { .flags = KVM_PIT_SPEAKER_DUMMY };
  uint64_t identity = KVM_IDENTITY_MAP_ADDR;

  if (ioctl (kvm->vm_fd, KVM_SET_TSS_ADDR, (unsigned long) KVM_TSS_ADDR) < 0)
    return kvm_fail (error, "KVM_SET_TSS_ADDR");
  if (ioctl (kvm->vm_fd, KVM_SET_IDENTITY_MAP_ADDR, &identity) < 0)
    return kvm_fail (error, "KVM_SET_IDENTITY_MAP_ADDR");
  if (ioctl (kvm->vm_fd, KVM_CREATE_IRQCHIP, 0) < 0)
    return kvm_fail (error, "KVM_CREATE_IRQCHIP");
  if (ioctl (kvm->vm_fd, KVM_CREATE_PIT2, &pit) < 0)
    return kvm_fail (error, "KVM_CREATE_PIT2");
  return kvm_snapshot_irqchip (kvm, error);
}

gboolean
kvm_create_vm (Kvm *kvm, uint64_t memory_mib, GError **error)
{
  kvm->vm_fd = ioctl (kvm->sys_fd, KVM_CREATE_VM, 0);
  if (kvm->vm_fd < 0)
    return kvm_fail (error, "KVM_CREATE_VM");
  fcntl (kvm->vm_fd, F_SETFD, FD_CLOEXEC);

  /* Guest RAM before the in-kernel devices: a memory slot added once the
   * irqchip exists waits for the kernel's read-side grace period, which cost
   * several milliseconds of every start (bench/vmm-startup). */
  if (!guest_memory_init (&kvm->mem, memory_mib << 20, error) ||
      !guest_memory_register (&kvm->mem, kvm->vm_fd, error))
    return FALSE;
  return kvm_create_devices (kvm, error);
}

gboolean
kvm_reset_irqchip (Kvm *kvm, GError **error)
{
  for (unsigned i = 0; i < G_N_ELEMENTS (kvm->irqchip0); i++)
    {
      if (ioctl (kvm->vm_fd, KVM_SET_IRQCHIP, &kvm->irqchip0[i]) < 0)
        return kvm_fail (error, "KVM_SET_IRQCHIP");
    }
  if (ioctl (kvm->vm_fd, KVM_SET_PIT2, &kvm->pit0) < 0)
    return kvm_fail (error, "KVM_SET_PIT2");
  return TRUE;
}

void
kvm_close (Kvm *kvm)
{
  guest_memory_fini (&kvm->mem);
  if (kvm->vm_fd >= 0)
    close (kvm->vm_fd);
  if (kvm->sys_fd >= 0)
    close (kvm->sys_fd);
  g_clear_pointer (&kvm->supported_cpuid, g_free);
  kvm->vm_fd = -1;
  kvm->sys_fd = -1;
}

void
kvm_irq_line (Kvm *kvm, unsigned irq, int level)
{
  struct kvm_irq_level line = { .irq = irq, .level = level };

  if (ioctl (kvm->vm_fd, KVM_IRQ_LINE, &line) < 0)
    g_warning ("KVM_IRQ_LINE %u: %s", irq, g_strerror (errno));
}

/* A value from /proc/meminfo in bytes, or 0 if absent. */
static uint64_t
kvm_meminfo_bytes (const char *meminfo, const char *key)
{
  const char *line = strstr (meminfo, key);

  if (line == NULL)
    return 0;
  return g_ascii_strtoull (line + strlen (key), NULL, 10) * 1024;
}

gboolean
kvm_check_host_memory (uint64_t memory_mib, GError **error)
{
  g_autofree char *meminfo = NULL;
  uint64_t available;

  /* Without /proc/meminfo the mmap of guest RAM is the only check left. */
  if (!g_file_get_contents ("/proc/meminfo", &meminfo, NULL, NULL))
    return TRUE;
  available =
      kvm_meminfo_bytes (meminfo, "\nMemAvailable:") + kvm_meminfo_bytes (meminfo, "\nSwapFree:");
  if (available == 0 || (memory_mib << 20) <= available)
    return TRUE;

  {
    g_autofree char *want = g_format_size_full (memory_mib << 20, G_FORMAT_SIZE_IEC_UNITS);
    g_autofree char *have = g_format_size_full (available, G_FORMAT_SIZE_IEC_UNITS);

    g_set_error (error, HV_VMM_ERROR, HV_VMM_ERROR_NO_MEMORY,
                 _ ("The machine needs %s of memory but this computer has only %s available. "
                    "Give the machine less memory, or close other programs."),
                 want, have);
  }
  return FALSE;
}
