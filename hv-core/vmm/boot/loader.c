/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "boot.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n-lib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bzimage.h"
#include "layout.h"
#include "pvh.h"
#include "vmm.h"

/* Bigger than any kernel; a guard against being handed a disk image. */
#define BOOT_KERNEL_MAX_SIZE (256ull << 20)

typedef enum
{
  BOOT_KIND_BZIMAGE,
  BOOT_KIND_PVH,
} BootKind;

struct boot_loader
{
  char *kernel_path;
  char *kernel_name; /* for messages */
  char *initrd_path;
  char *cmdline;
  GBytes *kernel; /* the file mapped, only while it is parsed and loaded */
  uint64_t initrd_size;
  BootKind kind;
  BzImageInfo bz;
  PvhImage pvh;
  uint64_t kernel_end; /* the initrd goes above this */
  uint64_t initrd_max; /* ... and no byte of it above this */
  uint64_t cmdline_max;
};

void
boot_loader_free (BootLoader *loader)
{
  if (loader == NULL)
    return;
  g_free (loader->kernel_path);
  g_free (loader->kernel_name);
  g_free (loader->initrd_path);
  g_free (loader->cmdline);
  g_clear_pointer (&loader->kernel, g_bytes_unref);
  g_free (loader);
}

/* Maps the kernel file. It is mapped again at every boot and unmapped
 * after, as the initrd is read again: a copy kept for reboots would hold a
 * real kernel's megabytes in every hv-vmm for the guest's whole life. */
static gboolean
boot_map_kernel (BootLoader *loader, GError **error)
{
  g_autoptr (GError) local = NULL;
  g_autoptr (GMappedFile) file = g_mapped_file_new (loader->kernel_path, FALSE, &local);
  gsize len;

  if (file == NULL)
    {
      g_set_error (error, HV_VMM_ERROR, HV_VMM_ERROR_BAD_KERNEL,
                   _ ("The kernel %s cannot be read: %s. Check the machine's kernel setting."),
                   loader->kernel_name, local->message);
      return FALSE;
    }
  len = g_mapped_file_get_length (file);
  if (len > BOOT_KERNEL_MAX_SIZE)
    {
      g_set_error (error, HV_VMM_ERROR, HV_VMM_ERROR_BAD_KERNEL,
                   _ ("%s is not a Linux kernel (bzImage or ELF with a PVH entry): it is far too "
                      "big. Check the machine's kernel setting."),
                   loader->kernel_name);
      return FALSE;
    }
  loader->kernel = g_mapped_file_get_bytes (file);
  return TRUE;
}

static gboolean
boot_parse_kernel (BootLoader *loader, uint64_t low_size, GError **error)
{
  gsize len;
  const uint8_t *data = g_bytes_get_data (loader->kernel, &len);

  if (data != NULL && bzimage_probe (data, len))
    {
      if (!bzimage_parse (data, len, loader->kernel_name, &loader->bz, error))
        return FALSE;
      loader->kind = BOOT_KIND_BZIMAGE;
      loader->kernel_end = loader->bz.load_addr + loader->bz.init_size;
      loader->initrd_max = MIN (loader->bz.initrd_max, low_size - 1);
      loader->cmdline_max = MIN (loader->bz.cmdline_max, BOOT_CMDLINE_MAX - 1);
      return TRUE;
    }
  if (data != NULL && pvh_probe (data, len))
    {
      if (!pvh_parse (data, len, loader->kernel_name, low_size, &loader->pvh, error))
        return FALSE;
      loader->kind = BOOT_KIND_PVH;
      loader->kernel_end = loader->pvh.end;
      loader->initrd_max = low_size - 1;
      loader->cmdline_max = BOOT_CMDLINE_MAX - 1;
      return TRUE;
    }
  g_set_error (error, HV_VMM_ERROR, HV_VMM_ERROR_BAD_KERNEL,
               _ ("%s is not a Linux kernel (bzImage or ELF with a PVH entry). Choose a kernel "
                  "image such as /boot/vmlinuz-…"),
               loader->kernel_name);
  return FALSE;
}

static gboolean
boot_check_kernel_fits (BootLoader *loader, uint64_t low_size, GError **error)
{
  g_autofree char *need = NULL;

  if (loader->kernel_end <= low_size)
    return TRUE;
  need = g_format_size_full (loader->kernel_end, G_FORMAT_SIZE_IEC_UNITS);
  g_set_error (error, HV_VMM_ERROR, HV_VMM_ERROR_NO_MEMORY,
               _ ("The kernel %s needs at least %s of memory. Give the machine more memory."),
               loader->kernel_name, need);
  return FALSE;
}

static gboolean
boot_initrd_too_big (BootLoader *loader, uint64_t room, GError **error)
{
  g_autofree char *size = g_format_size_full (loader->initrd_size, G_FORMAT_SIZE_IEC_UNITS);
  g_autofree char *have = g_format_size_full (room, G_FORMAT_SIZE_IEC_UNITS);

  g_set_error (error, HV_VMM_ERROR, HV_VMM_ERROR_BAD_INITRD,
               _ ("The initrd %s (%s) does not fit in the %s of guest memory left for it. Give "
                  "the machine more memory, or use a smaller initrd."),
               loader->initrd_path, size, have);
  return FALSE;
}

static gboolean
boot_stat_initrd (BootLoader *loader, GError **error)
{
  struct stat st;

  if (stat (loader->initrd_path, &st) < 0)
    {
      g_set_error (error, HV_VMM_ERROR, HV_VMM_ERROR_BAD_INITRD,
                   _ ("The initrd %s cannot be read: %s. Check the machine's initrd setting."),
                   loader->initrd_path, g_strerror (errno));
      return FALSE;
    }
  if (!S_ISREG (st.st_mode))
    {
      g_set_error (error, HV_VMM_ERROR, HV_VMM_ERROR_BAD_INITRD,
                   _ ("The initrd %s is not a regular file. Check the machine's initrd setting."),
                   loader->initrd_path);
      return FALSE;
    }
  loader->initrd_size = st.st_size;
  return TRUE;
}

/* The initrd goes as high as allowed, page aligned, above the kernel. */
static gboolean
boot_place_initrd (BootLoader *loader, uint64_t *addr, GError **error)
{
  uint64_t top = loader->initrd_max + 1;
  uint64_t room = top > loader->kernel_end ? top - loader->kernel_end : 0;

  if (loader->initrd_size > room)
    return boot_initrd_too_big (loader, room, error);
  *addr = (top - loader->initrd_size) & ~0xfffull;
  if (*addr < loader->kernel_end)
    return boot_initrd_too_big (loader, room, error);
  return TRUE;
}

BootLoader *
boot_loader_new (const char *kernel_path, const char *initrd_path, const char *cmdline,
                 uint64_t memory_size, GError **error)
{
  g_autoptr (BootLoader) loader = g_new0 (BootLoader, 1);
  uint64_t low_size, high_size, unused;

  guest_memory_layout (memory_size, &low_size, &high_size);
  loader->kernel_path = g_strdup (kernel_path);
  loader->kernel_name = g_filename_display_name (kernel_path);
  loader->cmdline = g_strdup (cmdline != NULL ? cmdline : "");
  if (!boot_map_kernel (loader, error) || !boot_parse_kernel (loader, low_size, error) ||
      !boot_check_kernel_fits (loader, low_size, error))
    return NULL;
  g_clear_pointer (&loader->kernel, g_bytes_unref);

  if (strlen (loader->cmdline) > loader->cmdline_max)
    {
      g_set_error (error, HV_VMM_ERROR, HV_VMM_ERROR_BAD_KERNEL,
                   _ ("The kernel command line is %zu bytes long, but the kernel accepts at most "
                      "%llu. Shorten it."),
                   strlen (loader->cmdline), (unsigned long long) loader->cmdline_max);
      return NULL;
    }

  if (initrd_path != NULL)
    {
      loader->initrd_path = g_strdup (initrd_path);
      if (!boot_stat_initrd (loader, error))
        return NULL;
      if (loader->initrd_size > memory_size)
        {
          g_autofree char *size = g_format_size_full (loader->initrd_size, G_FORMAT_SIZE_IEC_UNITS);
          g_autofree char *ram = g_format_size_full (memory_size, G_FORMAT_SIZE_IEC_UNITS);

          g_set_error (error, HV_VMM_ERROR, HV_VMM_ERROR_BAD_INITRD,
                       _ ("The initrd %s (%s) is bigger than the machine's memory (%s). Give the "
                          "machine more memory."),
                       initrd_path, size, ram);
          return NULL;
        }
      if (!boot_place_initrd (loader, &unused, error))
        return NULL;
    }
  return g_steal_pointer (&loader);
}

/* Reads the whole initrd into guest memory; a short file is an error. */
static gboolean
boot_read_initrd (BootLoader *loader, uint8_t *dst, GError **error)
{
  int fd = open (loader->initrd_path, O_RDONLY | O_CLOEXEC);
  uint64_t done = 0;

  while (fd >= 0 && done < loader->initrd_size)
    {
      ssize_t n = pread (fd, dst + done, MIN (loader->initrd_size - done, 1u << 30), done);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        break;
      done += n;
    }
  if (fd >= 0)
    close (fd);
  if (done == loader->initrd_size)
    return TRUE;
  g_set_error (error, HV_VMM_ERROR, HV_VMM_ERROR_BAD_INITRD,
               _ ("The initrd %s could not be read completely. Check that the file is intact."),
               loader->initrd_path);
  return FALSE;
}

static gboolean
boot_load_initrd (BootLoader *loader, GuestMemory *mem, BootInfo *info, GError **error)
{
  uint8_t *dst;
  struct stat st;

  if (loader->initrd_path == NULL)
    return TRUE;
  /* It is read again at every boot: it may have changed since. */
  if (stat (loader->initrd_path, &st) == 0 && (uint64_t) st.st_size != loader->initrd_size)
    loader->initrd_size = st.st_size;
  if (!boot_place_initrd (loader, &info->initrd_addr, error))
    return FALSE;
  dst = guest_memory_ptr (mem, info->initrd_addr, loader->initrd_size);
  if (dst == NULL)
    return boot_initrd_too_big (loader, 0, error);
  info->initrd_size = loader->initrd_size;
  return boot_read_initrd (loader, dst, error);
}

static gboolean
boot_write_cmdline (BootLoader *loader, GuestMemory *mem, BootInfo *info)
{
  size_t len = strlen (loader->cmdline);
  char *dst = guest_memory_ptr (mem, BOOT_CMDLINE_ADDR, len + 1);

  if (dst == NULL)
    return FALSE;
  memcpy (dst, loader->cmdline, len + 1);
  info->cmdline_addr = BOOT_CMDLINE_ADDR;
  info->cmdline_len = len;
  return TRUE;
}

/* The e820 map, the command line and the initrd. */
static gboolean
boot_load_boot_data (BootLoader *loader, GuestMemory *mem, BootInfo *info, GError **error)
{
  info->n_e820 = e820_build (mem->low_size, mem->high_size, info->e820);
  if (!boot_write_cmdline (loader, mem, info))
    {
      g_set_error (error, HV_VMM_ERROR, HV_VMM_ERROR_NO_MEMORY,
                   _ ("The machine has too little memory to boot. Give it more memory."));
      return FALSE;
    }
  return boot_load_initrd (loader, mem, info, error);
}

static gboolean
boot_load_kernel (BootLoader *loader, GuestMemory *mem, BootInfo *info, BootEntry *entry,
                  GError **error)
{
  gsize len;
  const uint8_t *data = g_bytes_get_data (loader->kernel, &len);

  switch (loader->kind)
    {
      case BOOT_KIND_BZIMAGE:
        return bzimage_load (data, len, &loader->bz, info, mem, entry, error);
      case BOOT_KIND_PVH:
        return pvh_load (data, len, &loader->pvh, info, mem, entry, error);
      default:
        g_assert_not_reached ();
    }
}

gboolean
boot_loader_load (BootLoader *loader, GuestMemory *mem, uint64_t rsdp_addr, BootEntry *entry,
                  GError **error)
{
  BootInfo info = { .rsdp_addr = rsdp_addr };
  gboolean ok;

  /* Parsed again: the file may have changed since the last boot, and where
   * the kernel ends decides where the initrd may go. */
  if (!boot_map_kernel (loader, error))
    return FALSE;
  ok = boot_parse_kernel (loader, mem->low_size, error) &&
       boot_check_kernel_fits (loader, mem->low_size, error) &&
       boot_load_boot_data (loader, mem, &info, error) &&
       boot_load_kernel (loader, mem, &info, entry, error);
  g_clear_pointer (&loader->kernel, g_bytes_unref);
  return ok;
}
