/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The tiny test guests' runtime: freestanding, general-purpose registers only, everything
 * polled (interrupts stay off). A guest provides guest_main (); the runtime boots into it
 * and powers the machine off through ACPI S5 when it returns.
 */
#pragma once

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "guest-defs.h"

/* Port I/O */

static inline void
outb (uint16_t port, uint8_t value)
{
  __asm__ volatile("outb %0, %1" : : "a"(value), "Nd"(port));
}

static inline void
outw (uint16_t port, uint16_t value)
{
  __asm__ volatile("outw %0, %1" : : "a"(value), "Nd"(port));
}

static inline void
outl (uint16_t port, uint32_t value)
{
  __asm__ volatile("outl %0, %1" : : "a"(value), "Nd"(port));
}

static inline uint8_t
inb (uint16_t port)
{
  uint8_t value;

  __asm__ volatile("inb %1, %0" : "=a"(value) : "Nd"(port));
  return value;
}

static inline uint16_t
inw (uint16_t port)
{
  uint16_t value;

  __asm__ volatile("inw %1, %0" : "=a"(value) : "Nd"(port));
  return value;
}

static inline uint32_t
inl (uint16_t port)
{
  uint32_t value;

  __asm__ volatile("inl %1, %0" : "=a"(value) : "Nd"(port));
  return value;
}

/* Little-endian loads from possibly unaligned bytes. */
static inline uint16_t
get16 (const uint8_t *p)
{
  return (uint16_t) (p[0] | (p[1] << 8));
}

static inline uint32_t
get32 (const uint8_t *p)
{
  return (uint32_t) get16 (p) | ((uint32_t) get16 (p + 2) << 16);
}

static inline uint64_t
get64 (const uint8_t *p)
{
  return (uint64_t) get32 (p) | ((uint64_t) get32 (p + 4) << 32);
}

/* runtime.c */

void *memset (void *dst, int c, size_t n);
void *memcpy (void *dst, const void *src, size_t n);
int memcmp (const void *a, const void *b, size_t n);

void con_init (void);
void con_putc (char c);
bool con_getc (uint8_t *c); /* false: nothing received */
void con_printf (const char *fmt, ...) __attribute__ ((format (printf, 1, 2)));

/* Makes [addr, addr + len) reachable at the same virtual address. The first GiB always
 * is; above it 2 MiB pages are added on demand (uncached: for device registers).
 * Returns NULL when it cannot. */
void *phys_map (uint64_t addr, uint64_t len, bool uncached);

/* pci.c: configuration space of device DEV on bus 0 (mechanism #1), and a
 * mapping of OFFSET into a memory BAR (64-bit BARs included). */
uint32_t pci_read (unsigned dev, unsigned reg);
void pci_write (unsigned dev, unsigned reg, uint32_t value);
uint8_t pci_read8 (unsigned dev, unsigned reg);
volatile uint8_t *pci_bar_pointer (unsigned dev, unsigned bar, uint32_t offset);

__attribute__ ((noreturn)) void halt_forever (void);

/* bootinfo.c: what the loader told us, whichever protocol it used. */

#define GUEST_MAX_MEM 128

typedef struct
{
  uint64_t addr;
  uint64_t size;
  uint32_t type; /* 1 = RAM, as in e820 */
} GuestMemRange;

typedef struct
{
  unsigned kind; /* GUEST_BOOT_* */
  char cmdline[GUEST_CMDLINE_MAX + 1];
  bool has_cmdline;
  bool has_initrd;
  uint64_t initrd_addr;
  uint64_t initrd_size;
  uint64_t rsdp_addr; /* 0: unknown, scan the BIOS area */
  GuestMemRange mem[GUEST_MAX_MEM];
  unsigned n_mem;
  bool has_mem;
  const char *error; /* a problem with the boot information itself, or NULL */
} GuestBoot;

void boot_parse (unsigned kind, uint64_t info, GuestBoot *boot);
const char *boot_kind_name (unsigned kind);

/* acpi.c */

typedef enum
{
  ACPI_OK,
  ACPI_NOT_FOUND,
  ACPI_BAD_CHECKSUM,
  ACPI_BAD_TABLE,
} AcpiStatus;

const char *acpi_status_name (AcpiStatus status);
/* Finds and checks the RSDP, then the XSDT (or RSDT when the RSDP is revision 0). */
AcpiStatus acpi_init (const GuestBoot *boot);
AcpiStatus acpi_rsdp_status (void);
bool acpi_has_xsdt (void);
/* A table listed in the root table, checksum verified; NULL if absent or bad. */
const uint8_t *acpi_find_table (const char *signature, AcpiStatus *status);
AcpiStatus acpi_count_cpus (unsigned *cpus);
AcpiStatus acpi_check_fadt (void);
/* The DSDT's \_S5 package: SLP_TYPa and SLP_TYPb. */
AcpiStatus acpi_s5 (unsigned *slp_typa, unsigned *slp_typb);
unsigned acpi_rtc_century_index (void);
/* Each returns only if the machine ignored the request. */
void acpi_poweroff (void);
void acpi_reset (void);

/* rtc.c */

typedef struct
{
  unsigned year;
  unsigned month;
  unsigned day;
  unsigned hour;
  unsigned minute;
  unsigned second;
} RtcTime;

/* Each returns NULL, or what went wrong. */
const char *rtc_read (RtcTime *time);
const char *rtc_read_seconds (unsigned *second);

/* The guest program. */

void guest_main (const GuestBoot *boot);

/* Called from boot.S only. */
void guest_start (uint32_t kind, uint64_t info);
__attribute__ ((noreturn)) void guest_exception (const uint64_t *frame);

/* The boot information, for the runtime's own use (ACPI needs the RSDP hint). */
extern const GuestBoot *guest_boot;
/* What the loader passed: the zero page (bzImage) or hvm_start_info (PVH). */
extern uint64_t guest_boot_info;

/* Writes one byte as is ('\n' is not expanded). */
void con_put_raw (uint8_t c);
