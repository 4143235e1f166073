/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "i8042.h"

#include <glib.h>
#include <stdbool.h>

#define STATUS_OBF      0x01 /* output buffer full */
#define STATUS_SYS      0x04 /* self test passed */
#define STATUS_CMD      0x08 /* last write went to the command port */
#define STATUS_UNLOCKED 0x10 /* keyboard not inhibited by the key lock */
#define STATUS_AUXOBF   0x20 /* the output byte comes from the mouse */

#define CTR_KBDINT 0x01
#define CTR_AUXINT 0x02
#define CTR_SYS    0x04
#define CTR_KBDDIS 0x10
#define CTR_AUXDIS 0x20
#define CTR_XLATE  0x40

#define CMD_READ_CTR       0x20
#define CMD_WRITE_CTR      0x60
#define CMD_AUX_DISABLE    0xa7
#define CMD_AUX_ENABLE     0xa8
#define CMD_AUX_TEST       0xa9
#define CMD_SELF_TEST      0xaa
#define CMD_KBD_TEST       0xab
#define CMD_KBD_DISABLE    0xad
#define CMD_KBD_ENABLE     0xae
#define CMD_READ_OUTPUT    0xd0
#define CMD_WRITE_OUTPUT   0xd1
#define CMD_WRITE_KBD_OBUF 0xd2
#define CMD_WRITE_AUX_OBUF 0xd3
#define CMD_WRITE_AUX      0xd4
#define CMD_PULSE_RESET    0xfe

#define DEV_ACK         0xfa
#define DEV_RESET_OK    0xaa
#define DEV_SET_LEDS    0xed
#define DEV_IDENTIFY    0xf2
#define DEV_SET_RATE    0xf3
#define DEV_SET_SCANSET 0xf0
#define DEV_RESET       0xff
#define AUX_SET_RES     0xe8
#define AUX_SET_SAMPLE  0xf3

#define QUEUE_SIZE 16

typedef struct
{
  uint8_t byte;
  bool aux;
} I8042Byte;

struct i8042
{
  GMutex lock;
  IrqLine irq;
  I8042ResetFunc reset;
  void *reset_data;

  uint8_t ctr;
  uint8_t status;
  uint8_t pending_cmd;     /* a controller command waiting for its data byte */
  uint8_t kbd_pending_cmd; /* a keyboard command waiting for its parameter */
  uint8_t aux_pending_cmd;
  I8042Byte queue[QUEUE_SIZE];
  unsigned head, count;
};

static void
i8042_reset_locked (I8042 *dev)
{
  dev->ctr = CTR_KBDINT | CTR_SYS | CTR_XLATE | CTR_AUXDIS;
  dev->status = STATUS_SYS | STATUS_UNLOCKED;
  dev->pending_cmd = 0;
  dev->kbd_pending_cmd = 0;
  dev->aux_pending_cmd = 0;
  dev->head = 0;
  dev->count = 0;
}

I8042 *
i8042_new (IrqLine irq, I8042ResetFunc reset, void *reset_data)
{
  I8042 *dev = g_new0 (I8042, 1);

  g_mutex_init (&dev->lock);
  dev->irq = irq;
  dev->reset = reset;
  dev->reset_data = reset_data;
  i8042_reset_locked (dev);
  return dev;
}

void
i8042_free (I8042 *dev)
{
  if (dev == NULL)
    return;
  g_mutex_clear (&dev->lock);
  g_free (dev);
}

void
i8042_reset (I8042 *dev)
{
  g_mutex_lock (&dev->lock);
  i8042_reset_locked (dev);
  g_mutex_unlock (&dev->lock);
}

/* Shows the head of the queue in the output buffer and pulses its IRQ
 * (ISA interrupts are edge-triggered). */
static void
i8042_update_locked (I8042 *dev)
{
  const I8042Byte *b;
  unsigned irq;

  dev->status &= ~(STATUS_OBF | STATUS_AUXOBF);
  if (dev->count == 0)
    return;
  b = &dev->queue[dev->head];
  dev->status |= STATUS_OBF | (b->aux ? STATUS_AUXOBF : 0);
  if (b->aux ? !(dev->ctr & CTR_AUXINT) : !(dev->ctr & CTR_KBDINT))
    return;
  irq = b->aux ? I8042_AUX_IRQ : I8042_KBD_IRQ;
  dev->irq.set_level (dev->irq.opaque, irq, 1);
  dev->irq.set_level (dev->irq.opaque, irq, 0);
}

static void
i8042_queue_locked (I8042 *dev, uint8_t byte, bool aux)
{
  bool was_empty = dev->count == 0;

  if (dev->count == QUEUE_SIZE)
    return;
  dev->queue[(dev->head + dev->count) % QUEUE_SIZE] = (I8042Byte){ byte, aux };
  dev->count++;
  if (was_empty)
    i8042_update_locked (dev);
}

static uint8_t
i8042_read_data_locked (I8042 *dev)
{
  uint8_t byte;

  if (dev->count == 0)
    return dev->queue[(dev->head + QUEUE_SIZE - 1) % QUEUE_SIZE].byte;
  byte = dev->queue[dev->head].byte;
  dev->head = (dev->head + 1) % QUEUE_SIZE;
  dev->count--;
  i8042_update_locked (dev);
  return byte;
}

/* Keyboard commands: acknowledge everything, answer the few that reply. */
static void
i8042_kbd_command_locked (I8042 *dev, uint8_t byte)
{
  if (dev->kbd_pending_cmd != 0)
    {
      dev->kbd_pending_cmd = 0;
      i8042_queue_locked (dev, DEV_ACK, false);
      return;
    }
  i8042_queue_locked (dev, DEV_ACK, false);
  switch (byte)
    {
      case DEV_SET_LEDS:
      case DEV_SET_RATE:
      case DEV_SET_SCANSET:
        dev->kbd_pending_cmd = byte;
        break;
      case DEV_IDENTIFY:
        i8042_queue_locked (dev, 0xab, false);
        i8042_queue_locked (dev, 0x83, false);
        break;
      case DEV_RESET:
        i8042_queue_locked (dev, DEV_RESET_OK, false);
        break;
      default:
        break;
    }
}

static void
i8042_aux_command_locked (I8042 *dev, uint8_t byte)
{
  if (dev->aux_pending_cmd != 0)
    {
      dev->aux_pending_cmd = 0;
      i8042_queue_locked (dev, DEV_ACK, true);
      return;
    }
  i8042_queue_locked (dev, DEV_ACK, true);
  switch (byte)
    {
      case AUX_SET_RES:
      case AUX_SET_SAMPLE:
        dev->aux_pending_cmd = byte;
        break;
      case DEV_IDENTIFY:
        i8042_queue_locked (dev, 0x00, true); /* a standard PS/2 mouse */
        break;
      case DEV_RESET:
        i8042_queue_locked (dev, DEV_RESET_OK, true);
        i8042_queue_locked (dev, 0x00, true);
        break;
      default:
        break;
    }
}

/* Returns true if the guest asked for a CPU reset. */
static bool
i8042_write_data_locked (I8042 *dev, uint8_t byte)
{
  uint8_t cmd = dev->pending_cmd;

  dev->status &= ~STATUS_CMD;
  dev->pending_cmd = 0;
  switch (cmd)
    {
      case CMD_WRITE_CTR:
        dev->ctr = byte;
        break;
      case CMD_WRITE_OUTPUT:
        /* Bit 0 of the output port is the CPU's reset line, active low. */
        return !(byte & 0x01);
      case CMD_WRITE_KBD_OBUF:
        i8042_queue_locked (dev, byte, false);
        break;
      case CMD_WRITE_AUX_OBUF:
        i8042_queue_locked (dev, byte, true);
        break;
      case CMD_WRITE_AUX:
        i8042_aux_command_locked (dev, byte);
        break;
      default:
        i8042_kbd_command_locked (dev, byte);
        break;
    }
  return false;
}

static bool
i8042_write_command_locked (I8042 *dev, uint8_t cmd)
{
  dev->status |= STATUS_CMD;
  switch (cmd)
    {
      case CMD_READ_CTR:
        i8042_queue_locked (dev, dev->ctr, false);
        break;
      case CMD_WRITE_CTR:
      case CMD_WRITE_OUTPUT:
      case CMD_WRITE_KBD_OBUF:
      case CMD_WRITE_AUX_OBUF:
      case CMD_WRITE_AUX:
        dev->pending_cmd = cmd;
        break;
      case CMD_AUX_DISABLE:
        dev->ctr |= CTR_AUXDIS;
        break;
      case CMD_AUX_ENABLE:
        dev->ctr &= ~CTR_AUXDIS;
        break;
      case CMD_KBD_DISABLE:
        dev->ctr |= CTR_KBDDIS;
        break;
      case CMD_KBD_ENABLE:
        dev->ctr &= ~CTR_KBDDIS;
        break;
      case CMD_SELF_TEST:
        i8042_queue_locked (dev, 0x55, false);
        break;
      case CMD_AUX_TEST:
      case CMD_KBD_TEST:
        i8042_queue_locked (dev, 0x00, false); /* no error */
        break;
      case CMD_READ_OUTPUT:
        i8042_queue_locked (dev, 0x01 | (dev->count ? 0x10 : 0), false);
        break;
      case CMD_PULSE_RESET:
        return true;
      default:
        break;
    }
  return false;
}

static uint64_t
i8042_data_read (void *opaque, uint64_t offset, unsigned size)
{
  I8042 *dev = opaque;
  uint8_t byte;

  g_mutex_lock (&dev->lock);
  byte = i8042_read_data_locked (dev);
  g_mutex_unlock (&dev->lock);
  return byte;
}

static void
i8042_data_write (void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
  I8042 *dev = opaque;
  bool reset;

  g_mutex_lock (&dev->lock);
  reset = i8042_write_data_locked (dev, value);
  g_mutex_unlock (&dev->lock);
  if (reset && dev->reset != NULL)
    dev->reset (dev->reset_data);
}

static uint64_t
i8042_command_read (void *opaque, uint64_t offset, unsigned size)
{
  I8042 *dev = opaque;
  uint8_t status;

  g_mutex_lock (&dev->lock);
  status = dev->status;
  g_mutex_unlock (&dev->lock);
  return status;
}

static void
i8042_command_write (void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
  I8042 *dev = opaque;
  bool reset;

  g_mutex_lock (&dev->lock);
  reset = i8042_write_command_locked (dev, value);
  g_mutex_unlock (&dev->lock);
  if (reset && dev->reset != NULL)
    dev->reset (dev->reset_data);
}

const IoOps i8042_data_ops = {
  .read = i8042_data_read,
  .write = i8042_data_write,
};

const IoOps i8042_command_ops = {
  .read = i8042_command_read,
  .write = i8042_command_write,
};
