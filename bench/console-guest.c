/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The console benchmark's guest: a multiboot kernel (QEMU's -kernel loads it)
 * that sets the Bochs VGA to 1920x1080x32 and changes its framebuffer when the
 * benchmark asks on the serial port:
 *   's'  a 64x64 square in a new colour, then answers 'k'
 *   'f'  the whole screen in a new colour, then answers 'k'
 *   'a'  whole-screen frames in new colours until 'x'; answers the count
 *   'p'  a 480x270 square moving over the screen until 'x'; answers the count
 * Freestanding 32-bit code: no libc, general-purpose registers only.
 */
#define WIDTH  1920
#define HEIGHT 1080

__attribute__ ((section (".multiboot"), used,
                aligned (4))) static const unsigned int multiboot_header[3] = { 0x1BADB002u, 0,
                                                                                -(0x1BADB002u) };

unsigned char guest_stack[16384] __attribute__ ((aligned (16)));

void guest_main (void);

__asm__(".globl _start\n"
        "_start:\n"
        "  mov $guest_stack + 16384, %esp\n"
        "  call guest_main\n"
        "1: hlt\n"
        "  jmp 1b\n");

static inline void
outb (unsigned short port, unsigned char value)
{
  __asm__ volatile("outb %0, %1" : : "a"(value), "Nd"(port));
}

static inline unsigned char
inb (unsigned short port)
{
  unsigned char value;
  __asm__ volatile("inb %1, %0" : "=a"(value) : "Nd"(port));
  return value;
}

static inline void
outw (unsigned short port, unsigned short value)
{
  __asm__ volatile("outw %0, %1" : : "a"(value), "Nd"(port));
}

static inline void
outl (unsigned short port, unsigned int value)
{
  __asm__ volatile("outl %0, %1" : : "a"(value), "Nd"(port));
}

static inline unsigned int
inl (unsigned short port)
{
  unsigned int value;
  __asm__ volatile("inl %1, %0" : "=a"(value) : "Nd"(port));
  return value;
}

#define COM1 0x3f8

static int
serial_ready (void)
{
  return inb (COM1 + 5) & 1;
}

static unsigned char
serial_read (void)
{
  while (!serial_ready ())
    ;
  return inb (COM1);
}

static void
serial_write (unsigned char c)
{
  while (!(inb (COM1 + 5) & 0x20))
    ;
  outb (COM1, c);
}

static void
serial_write_number (unsigned int n)
{
  char digits[12];
  int i = 0;

  do
    digits[i++] = '0' + n % 10;
  while ((n /= 10) != 0);
  while (i > 0)
    serial_write (digits[--i]);
  serial_write ('\n');
}

/* BAR 0 of the Bochs/QEMU standard VGA (1234:1111): its linear framebuffer. */
static volatile unsigned int *
find_framebuffer (void)
{
  for (unsigned int device = 0; device < 32; device++)
    {
      unsigned int address = 0x80000000u | (device << 11);
      outl (0xcf8, address);
      if (inl (0xcfc) == 0x11111234u)
        {
          outl (0xcf8, address | 0x10);
          return (volatile unsigned int *) (inl (0xcfc) & ~0xfu);
        }
    }
  return 0;
}

static void
set_mode (void)
{
  static const unsigned short settings[][2] = {
    { 4, 0 }, { 1, WIDTH }, { 2, HEIGHT }, { 3, 32 }, { 4, 0x41 },
  };

  for (unsigned int i = 0; i < sizeof settings / sizeof settings[0]; i++)
    {
      outw (0x1ce, settings[i][0]);
      outw (0x1cf, settings[i][1]);
    }
}

static void
fill (volatile unsigned int *fb, int x, int y, int w, int h, unsigned int colour)
{
  for (int row = y; row < y + h; row++)
    for (int column = x; column < x + w; column++)
      fb[row * WIDTH + column] = colour;
}

static unsigned int colour = 0x00204080u;

static unsigned int
next_colour (void)
{
  colour = colour * 1103515245u + 12345u;
  return colour & 0x00ffffffu;
}

static void
animate (volatile unsigned int *fb, int partial)
{
  unsigned int frames = 0;
  int x = 0, y = 0, dx = 24, dy = 16;

  while (!(serial_ready () && serial_read () == 'x'))
    {
      if (!partial)
        fill (fb, 0, 0, WIDTH, HEIGHT, next_colour ());
      else
        {
          fill (fb, x, y, 480, 270, 0);
          x += dx, y += dy;
          if (x < 0 || x + 480 > WIDTH)
            dx = -dx, x += 2 * dx;
          if (y < 0 || y + 270 > HEIGHT)
            dy = -dy, y += 2 * dy;
          fill (fb, x, y, 480, 270, next_colour ());
        }
      frames++;
    }
  serial_write_number (frames);
}

void
guest_main (void)
{
  volatile unsigned int *fb = find_framebuffer ();
  int square = 0;

  if (fb == 0)
    {
      serial_write ('?');
      return;
    }
  set_mode ();
  fill (fb, 0, 0, WIDTH, HEIGHT, 0x00303030u);
  serial_write ('R');
  for (;;)
    {
      switch (serial_read ())
        {
          case 's':
            fill (fb, 64 + (square++ % 20) * 80, 500, 64, 64, next_colour ());
            serial_write ('k');
            break;
          case 'f':
            fill (fb, 0, 0, WIDTH, HEIGHT, next_colour ());
            serial_write ('k');
            break;
          case 'a':
            animate (fb, 0);
            break;
          case 'p':
            animate (fb, 1);
            break;
          default:
            break;
        }
    }
}
