/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <asm/bootparam.h>
#include <glib.h>
#include <string.h>

#include "boot/bzimage.h"
#include "boot/layout.h"
#include "vmm.h"

#define KERNEL_LEN  4096
#define SETUP_SECTS 1
#define IMAGE_LEN   ((SETUP_SECTS + 1) * 512 + KERNEL_LEN)

static void
put16 (uint8_t *p, uint16_t v)
{
  memcpy (p, &v, 2);
}

static void
put32 (uint8_t *p, uint32_t v)
{
  memcpy (p, &v, 4);
}

static void
put64 (uint8_t *p, uint64_t v)
{
  memcpy (p, &v, 8);
}

/* A bzImage with protocol 2.15 header and KERNEL_LEN bytes of 0xf4. */
static uint8_t *
make_image (void)
{
  uint8_t *img = g_malloc0 (IMAGE_LEN);

  img[0x1f1] = SETUP_SECTS;
  put16 (img + 0x1fe, 0xaa55);
  img[0x200] = 0xeb;
  img[0x201] = 0x66; /* header ends at 0x268 */
  put32 (img + 0x202, 0x53726448);
  put16 (img + 0x206, 0x020f);
  img[0x211] = LOADED_HIGH;
  put32 (img + 0x214, 0x100000);
  put32 (img + 0x22c, 0x7fffffff);
  put32 (img + 0x230, 0x200000);
  img[0x234] = 1;
  put16 (img + 0x236, XLF_KERNEL_64);
  put32 (img + 0x238, 2047);
  put64 (img + 0x258, 0x1000000);
  put32 (img + 0x260, 0x800000);
  memset (img + (SETUP_SECTS + 1) * 512, 0xf4, KERNEL_LEN);
  return img;
}

static void
test_good (void)
{
  g_autofree uint8_t *img = make_image ();
  g_autoptr (GError) error = NULL;
  BzImageInfo info;

  g_assert_true (bzimage_probe (img, IMAGE_LEN));
  g_assert_true (bzimage_parse (img, IMAGE_LEN, "k", &info, &error));
  g_assert_no_error (error);
  g_assert_cmphex (info.version, ==, 0x020f);
  g_assert_cmpuint (info.setup_size, ==, 1024);
  g_assert_cmphex (info.load_addr, ==, 0x1000000);
  g_assert_cmpuint (info.init_size, ==, 0x800000);
  g_assert_cmpuint (info.cmdline_max, ==, 2047);
  g_assert_cmpuint (info.header_len, ==, 0x268 - 0x1f1);
}

static void
test_bad_magic (void)
{
  g_autofree uint8_t *img = make_image ();
  g_autoptr (GError) error = NULL;
  BzImageInfo info;

  img[0x202] = 'X';
  g_assert_false (bzimage_probe (img, IMAGE_LEN));
  g_assert_false (bzimage_parse (img, IMAGE_LEN, "k", &info, &error));
  g_assert_error (error, HV_VMM_ERROR, HV_VMM_ERROR_BAD_KERNEL);
  g_clear_error (&error);
  img[0x202] = 'H';
  put16 (img + 0x1fe, 0x1234);
  g_assert_false (bzimage_probe (img, IMAGE_LEN));
}

static void
test_too_old (void)
{
  g_autofree uint8_t *img = make_image ();
  g_autoptr (GError) error = NULL;
  BzImageInfo info;

  put16 (img + 0x206, 0x020b);
  g_assert_true (bzimage_probe (img, IMAGE_LEN));
  g_assert_false (bzimage_parse (img, IMAGE_LEN, "k", &info, &error));
  g_assert_error (error, HV_VMM_ERROR, HV_VMM_ERROR_BAD_KERNEL);
  g_assert_nonnull (strstr (error->message, "too old"));
  g_assert_nonnull (strstr (error->message, "2.11"));
}

static void
test_not_64bit (void)
{
  g_autofree uint8_t *img = make_image ();
  g_autoptr (GError) error = NULL;
  BzImageInfo info;

  put16 (img + 0x236, 0);
  g_assert_false (bzimage_parse (img, IMAGE_LEN, "k", &info, &error));
  g_assert_error (error, HV_VMM_ERROR, HV_VMM_ERROR_BAD_KERNEL);
  g_assert_nonnull (strstr (error->message, "64-bit"));
}

static void
test_truncated (void)
{
  g_autofree uint8_t *img = make_image ();
  g_autoptr (GError) error = NULL;
  BzImageInfo info;

  /* The setup code claims more sectors than the file has. */
  img[0x1f1] = 40;
  g_assert_false (bzimage_parse (img, IMAGE_LEN, "k", &info, &error));
  g_assert_error (error, HV_VMM_ERROR, HV_VMM_ERROR_BAD_KERNEL);
  g_clear_error (&error);
  g_assert_false (bzimage_parse (img, 0x210, "k", &info, &error));
  g_assert_error (error, HV_VMM_ERROR, HV_VMM_ERROR_BAD_KERNEL);
}

static void
test_load_addr (void)
{
  g_autofree uint8_t *img = make_image ();
  g_autoptr (GError) error = NULL;
  BzImageInfo info;

  /* A preferred address is rounded up to the kernel's alignment. */
  put64 (img + 0x258, 0x1100000);
  g_assert_true (bzimage_parse (img, IMAGE_LEN, "k", &info, &error));
  g_assert_cmphex (info.load_addr, ==, 0x1200000);
  /* A kernel that cannot move goes to code32_start. */
  img[0x234] = 0;
  g_assert_true (bzimage_parse (img, IMAGE_LEN, "k", &info, &error));
  g_assert_cmphex (info.load_addr, ==, 0x100000);
}

static void
test_zero_page (void)
{
  g_autofree uint8_t *img = make_image ();
  g_autoptr (GError) error = NULL;
  GuestMemory mem;
  BzImageInfo info;
  BootEntry entry;
  BootInfo boot = {
    .cmdline_addr = BOOT_CMDLINE_ADDR,
    .cmdline_len = 3,
    .initrd_addr = 0x2000000,
    .initrd_size = 0x1234,
    .rsdp_addr = BOOT_ACPI_ADDR,
    .e820 = { { 0, 0x9fc00, 1 }, { 0x100000, 0x3f00000, 1 } },
    .n_e820 = 2,
  };
  const struct boot_params *zp;
  const uint8_t *kernel;

  g_assert_true (guest_memory_init (&mem, 64ull << 20, &error));
  g_assert_true (bzimage_parse (img, IMAGE_LEN, "k", &info, &error));
  g_assert_true (bzimage_load (img, IMAGE_LEN, &info, &boot, &mem, &entry, &error));
  g_assert_no_error (error);

  g_assert_true (entry.long_mode);
  g_assert_cmphex (entry.rip, ==, 0x1000000 + 0x200);
  g_assert_cmphex (entry.rsi, ==, BOOT_ZERO_PAGE_ADDR);
  zp = guest_memory_ptr (&mem, BOOT_ZERO_PAGE_ADDR, sizeof *zp);
  g_assert_cmphex (zp->hdr.header, ==, 0x53726448);
  g_assert_cmphex (zp->hdr.type_of_loader, ==, 0xff);
  g_assert_cmphex (zp->hdr.cmd_line_ptr, ==, BOOT_CMDLINE_ADDR);
  g_assert_cmphex (zp->hdr.ramdisk_image, ==, 0x2000000);
  g_assert_cmphex (zp->hdr.ramdisk_size, ==, 0x1234);
  g_assert_cmphex (zp->acpi_rsdp_addr, ==, BOOT_ACPI_ADDR);
  g_assert_cmpuint (zp->e820_entries, ==, 2);
  g_assert_cmphex (zp->e820_table[1].addr, ==, 0x100000);
  g_assert_cmphex (zp->e820_table[1].size, ==, 0x3f00000);
  kernel = guest_memory_ptr (&mem, 0x1000000, KERNEL_LEN);
  g_assert_cmphex (kernel[0], ==, 0xf4);
  g_assert_cmphex (kernel[KERNEL_LEN - 1], ==, 0xf4);
  /* The identity map covers the kernel: PML4[0] -> PDPT -> 2 MiB pages. */
  g_assert_cmphex (*(uint64_t *) guest_memory_ptr (&mem, BOOT_PML4_ADDR, 8) & ~0xfffull, ==,
                   BOOT_PDPT_ADDR);
  g_assert_cmphex (((uint64_t *) guest_memory_ptr (&mem, BOOT_PD_ADDR, 4096))[8], ==,
                   0x1000000 | 0x83);
  guest_memory_fini (&mem);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/hv-core/boot/bzimage-header-good", test_good);
  g_test_add_func ("/hv-core/boot/bzimage-header-bad-magic", test_bad_magic);
  g_test_add_func ("/hv-core/boot/bzimage-header-too-old", test_too_old);
  g_test_add_func ("/hv-core/boot/bzimage-header-not-64bit", test_not_64bit);
  g_test_add_func ("/hv-core/boot/bzimage-truncated", test_truncated);
  g_test_add_func ("/hv-core/boot/bzimage-load-address", test_load_addr);
  g_test_add_func ("/hv-core/boot/bzimage-zero-page", test_zero_page);
  return g_test_run ();
}
