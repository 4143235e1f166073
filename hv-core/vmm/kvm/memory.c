/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "memory.h"

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <linux/kvm.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include "vmm.h"

void
guest_memory_layout (uint64_t size, uint64_t *low_size, uint64_t *high_size)
{
  *low_size = MIN (size, GUEST_MEM_HOLE_START);
  *high_size = size - *low_size;
}

/* Maps SIZE bytes at an address aligned to a huge page: a guest huge page
 * can only be backed by a host one when the two addresses agree modulo its
 * size. MAP_NORESERVE: the host commits pages only as the guest touches
 * them. */
static void *
guest_memory_reserve (uint64_t size)
{
  uint8_t *start = mmap (NULL, size + GUEST_HUGE_PAGE, PROT_READ | PROT_WRITE,
                         MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  uint8_t *aligned;
  size_t head;

  if (start == MAP_FAILED)
    return NULL;
  aligned = (uint8_t *) (((uintptr_t) start + GUEST_HUGE_PAGE - 1) & ~(GUEST_HUGE_PAGE - 1));
  head = aligned - start; /* less than a huge page: the tail is never empty */
  if (head > 0)
    munmap (start, head);
  munmap (aligned + size, GUEST_HUGE_PAGE - head);
  return aligned;
}

gboolean
guest_memory_init (GuestMemory *mem, uint64_t size, GError **error)
{
  void *host;

  memset (mem, 0, sizeof *mem);
  host = guest_memory_reserve (size);
  if (host == NULL)
    {
      g_autofree char *want = g_format_size_full (size, G_FORMAT_SIZE_IEC_UNITS);

      g_set_error (error, HV_VMM_ERROR, HV_VMM_ERROR_NO_MEMORY,
                   _ ("Could not reserve %s of memory for the machine: %s. "
                      "Give the machine less memory."),
                   want, g_strerror (errno));
      return FALSE;
    }
  /* Transparent huge pages make a big guest much cheaper to map; but not
   * the first one, which holds what hv-vmm writes before every boot (boot
   * parameters, ACPI tables, a PVH kernel): there a huge page would cost a
   * 2 MiB clear, and a compaction when the host has no free huge page, before
   * the guest's first instruction (bench/vmm-startup: 3 ms of 15). */
  if (size > GUEST_HUGE_PAGE)
    madvise ((uint8_t *) host + GUEST_HUGE_PAGE, size - GUEST_HUGE_PAGE, MADV_HUGEPAGE);
  mem->host = host;
  mem->size = size;
  guest_memory_layout (size, &mem->low_size, &mem->high_size);
  return TRUE;
}

static gboolean
guest_memory_set_slot (int vm_fd, uint32_t slot, uint64_t gpa, uint64_t size, void *host,
                       GError **error)
{
  struct kvm_userspace_memory_region region = {
    .slot = slot,
    .guest_phys_addr = gpa,
    .memory_size = size,
    .userspace_addr = (uintptr_t) host,
  };

  if (ioctl (vm_fd, KVM_SET_USER_MEMORY_REGION, &region) < 0)
    {
      g_set_error (error, HV_VMM_ERROR, HV_VMM_ERROR_FAILED,
                   _ ("KVM refused the machine's memory (%s)."), g_strerror (errno));
      return FALSE;
    }
  return TRUE;
}

gboolean
guest_memory_register (const GuestMemory *mem, int vm_fd, GError **error)
{
  if (!guest_memory_set_slot (vm_fd, 0, 0, mem->low_size, mem->host, error))
    return FALSE;
  if (mem->high_size == 0)
    return TRUE;
  return guest_memory_set_slot (vm_fd, 1, GUEST_MEM_HIGH_START, mem->high_size,
                                mem->host + mem->low_size, error);
}

void
guest_memory_clear (GuestMemory *mem)
{
  if (mem->host != NULL)
    madvise (mem->host, mem->size, MADV_DONTNEED);
}

void
guest_memory_fini (GuestMemory *mem)
{
  if (mem->host != NULL)
    munmap (mem->host, mem->size);
  memset (mem, 0, sizeof *mem);
}

void *
guest_memory_ptr (const GuestMemory *mem, uint64_t gpa, uint64_t len)
{
  if (mem->host == NULL)
    return NULL;
  /* Written as subtractions so that no sum can wrap around. */
  if (gpa < mem->low_size)
    {
      if (len > mem->low_size - gpa)
        return NULL;
      return mem->host + gpa;
    }
  if (gpa >= GUEST_MEM_HIGH_START && gpa - GUEST_MEM_HIGH_START < mem->high_size)
    {
      uint64_t off = gpa - GUEST_MEM_HIGH_START;

      if (len > mem->high_size - off)
        return NULL;
      return mem->host + mem->low_size + off;
    }
  return NULL;
}
