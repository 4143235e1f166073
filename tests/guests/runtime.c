/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The guests' runtime: console on COM1, formatting, page mapping, exceptions. */
#include "guest.h"

#define COM1     0x3f8
#define UART_RBR 0
#define UART_THR 0
#define UART_IER 1
#define UART_FCR 2
#define UART_LCR 3
#define UART_MCR 4
#define UART_LSR 5
#define LSR_DR   0x01
#define LSR_THRE 0x20

#define PTE_PRESENT 0x001ULL
#define PTE_WRITE   0x002ULL
#define PTE_PWT     0x008ULL
#define PTE_PCD     0x010ULL
#define PTE_LARGE   0x080ULL
#define PTE_ADDR    0x000ffffffffff000ULL
#define PAGE_2M     0x200000ULL
#define FIRST_GIB   0x40000000ULL
/* Far beyond any test machine, and below every CPU's physical address width. */
#define PHYS_LIMIT (1ULL << 39)

#define SEL_CODE64 0x08
#define POOL_PAGES 8

extern uint64_t boot_pgt[];
extern const uint8_t exception_stubs[];

const GuestBoot *guest_boot;
static GuestBoot boot_info;
static uint64_t idt[64] __attribute__ ((aligned (16)));
/* Outside .bss, which boot.S clears before anything is printed: pages are cleared when
 * taken instead. */
static uint64_t table_pool[POOL_PAGES][512]
    __attribute__ ((aligned (4096), section (".boot.pool")));
static unsigned table_pool_used;

/* gcc may emit calls to these even in freestanding code. */

void *
memset (void *dst, int c, size_t n)
{
  uint8_t *d = dst;

  while (n--)
    *d++ = (uint8_t) c;
  return dst;
}

void *
memcpy (void *dst, const void *src, size_t n)
{
  uint8_t *d = dst;
  const uint8_t *s = src;

  while (n--)
    *d++ = *s++;
  return dst;
}

int
memcmp (const void *a, const void *b, size_t n)
{
  const uint8_t *x = a, *y = b;

  for (; n; n--, x++, y++)
    if (*x != *y)
      return *x - *y;
  return 0;
}

__attribute__ ((noreturn)) void
halt_forever (void)
{
  for (;;)
    __asm__ volatile("cli; hlt");
}

/* COM1, polled. 115200 8N1 for real UARTs; virtual ones ignore the divisor. */

void
con_init (void)
{
  outb (COM1 + UART_IER, 0x00);
  outb (COM1 + UART_LCR, 0x80);
  outb (COM1 + 0, 0x01);
  outb (COM1 + 1, 0x00);
  outb (COM1 + UART_LCR, 0x03);
  outb (COM1 + UART_FCR, 0x07);
  outb (COM1 + UART_MCR, 0x03);
}

void
con_put_raw (uint8_t c)
{
  /* Bounded: a missing UART reads 0xff (THRE set) anyway, a stuck one must not hang us. */
  for (unsigned i = 0; i < 1000000; i++)
    if (inb (COM1 + UART_LSR) & LSR_THRE)
      break;
  outb (COM1 + UART_THR, c);
}

void
con_putc (char c)
{
  if (c == '\n')
    con_put_raw ('\r');
  con_put_raw ((uint8_t) c);
}

bool
con_getc (uint8_t *c)
{
  if (!(inb (COM1 + UART_LSR) & LSR_DR))
    return false;
  *c = inb (COM1 + UART_RBR);
  return true;
}

static void
put_number (uint64_t value, unsigned base, unsigned width, char pad)
{
  char digits[24];
  unsigned n = 0;

  do
    {
      digits[n++] = "0123456789abcdef"[value % base];
      value /= base;
    }
  while (value);
  while (width > n && width--)
    con_putc (pad);
  while (n)
    con_putc (digits[--n]);
}

static void
put_string (const char *s)
{
  if (!s)
    s = "(null)";
  while (*s)
    con_putc (*s++);
}

/* printf with %c %s %d %u %x, optional '0' flag, width and l/ll; nothing more is used. */
void
con_printf (const char *fmt, ...)
{
  va_list ap;

  va_start (ap, fmt);
  for (; *fmt; fmt++)
    {
      char pad = ' ';
      unsigned width = 0;
      bool is_long = false;
      int64_t sval;

      if (*fmt != '%')
        {
          con_putc (*fmt);
          continue;
        }
      fmt++;
      if (*fmt == '0')
        pad = '0';
      while (*fmt >= '0' && *fmt <= '9')
        width = width * 10 + (unsigned) (*fmt++ - '0');
      while (*fmt == 'l')
        {
          is_long = true;
          fmt++;
        }
      switch (*fmt)
        {
          case 'c':
            con_putc ((char) va_arg (ap, int));
            break;
          case 's':
            put_string (va_arg (ap, const char *));
            break;
          case 'd':
            sval = is_long ? va_arg (ap, int64_t) : va_arg (ap, int);
            if (sval < 0)
              con_putc ('-');
            put_number (sval < 0 ? -(uint64_t) sval : (uint64_t) sval, 10, width, pad);
            break;
          case 'u':
            put_number (is_long ? va_arg (ap, uint64_t) : va_arg (ap, unsigned), 10, width, pad);
            break;
          case 'x':
            put_number (is_long ? va_arg (ap, uint64_t) : va_arg (ap, unsigned), 16, width, pad);
            break;
          case '\0':
            fmt--;
            break;
          default:
            con_putc (*fmt);
            break;
        }
    }
  va_end (ap);
}

/* Page mapping beyond the first GiB. */

static uint64_t *
next_table (uint64_t *table, unsigned index)
{
  if (!(table[index] & PTE_PRESENT))
    {
      uint64_t *page;

      if (table_pool_used == POOL_PAGES)
        return NULL;
      page = memset (table_pool[table_pool_used++], 0, sizeof table_pool[0]);
      table[index] = (uint64_t) (uintptr_t) page | PTE_PRESENT | PTE_WRITE;
    }
  if (table[index] & PTE_LARGE)
    return NULL;
  return (uint64_t *) (uintptr_t) (table[index] & PTE_ADDR);
}

void *
phys_map (uint64_t addr, uint64_t len, bool uncached)
{
  uint64_t end = addr + (len ? len : 1);

  if (end < addr || end > PHYS_LIMIT)
    return NULL;
  for (uint64_t page = addr & ~(PAGE_2M - 1); page < end; page += PAGE_2M)
    {
      uint64_t *pdpt, *pd, *pde;

      if (page < FIRST_GIB)
        continue;
      pdpt = next_table (boot_pgt, (page >> 39) & 511);
      pd = pdpt ? next_table (pdpt, (page >> 30) & 511) : NULL;
      if (!pd)
        return NULL;
      pde = &pd[(page >> 21) & 511];
      if (!(*pde & PTE_PRESENT))
        *pde = page | PTE_PRESENT | PTE_WRITE | PTE_LARGE | (uncached ? PTE_PCD | PTE_PWT : 0);
    }
  return (void *) (uintptr_t) addr;
}

/* Exceptions: report and stop, rather than triple-fault into a silent reset. */

static void
idt_init (void)
{
  struct __attribute__ ((packed))
  {
    uint16_t limit;
    uint64_t base;
  } desc = { sizeof idt - 1, (uintptr_t) idt };

  for (unsigned v = 0; v < 32; v++)
    {
      uint64_t stub = (uintptr_t) (exception_stubs + 16 * v);

      idt[2 * v] = (stub & 0xffff) | ((uint64_t) SEL_CODE64 << 16) | (0x8eULL << 40) |
                   (((stub >> 16) & 0xffff) << 48);
      idt[2 * v + 1] = stub >> 32;
    }
  __asm__ volatile("lidt %0" : : "m"(desc));
}

void
guest_exception (const uint64_t *frame)
{
  uint64_t cr2;

  __asm__ volatile("mov %%cr2, %0" : "=r"(cr2));
  con_printf ("\nFAIL exception %lu error 0x%lx rip 0x%lx cr2 0x%lx\n", frame[0], frame[1],
              frame[2], cr2);
  halt_forever ();
}

void
guest_start (uint32_t kind, uint64_t info)
{
  idt_init ();
  con_init ();
  boot_parse (kind, info, &boot_info);
  guest_boot = &boot_info;
  guest_main (&boot_info);
  acpi_poweroff ();
  con_printf ("POWEROFF FAILED\n");
  halt_forever ();
}
