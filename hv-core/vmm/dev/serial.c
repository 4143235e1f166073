/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "serial.h"

#include <glib.h>
#include <string.h>

/* Registers (offsets from the base) */
#define UART_RBR_THR 0 /* DLL with LCR.DLAB */
#define UART_IER     1 /* DLM with LCR.DLAB */
#define UART_IIR_FCR 2
#define UART_LCR     3
#define UART_MCR     4
#define UART_LSR     5
#define UART_MSR     6
#define UART_SCR     7

#define IER_RDI  0x01 /* received data available */
#define IER_THRI 0x02 /* transmitter holding register empty */
#define IER_RLSI 0x04 /* receiver line status */
#define IER_MSI  0x08 /* modem status */

#define IIR_NO_INT    0x01
#define IIR_MSI       0x00
#define IIR_THRI      0x02
#define IIR_RDI       0x04
#define IIR_RLSI      0x06
#define IIR_FIFO_BITS 0xc0

#define FCR_ENABLE   0x01
#define FCR_CLEAR_RX 0x02
#define FCR_CLEAR_TX 0x04

#define LCR_DLAB 0x80

#define MCR_DTR  0x01
#define MCR_RTS  0x02
#define MCR_OUT1 0x04
#define MCR_OUT2 0x08
#define MCR_LOOP 0x10
#define MCR_MASK 0x1f

#define LSR_DR     0x01
#define LSR_OE     0x02
#define LSR_BI     0x10
#define LSR_THRE   0x20
#define LSR_TEMT   0x40
#define LSR_ERRORS (LSR_OE | LSR_BI)

#define MSR_DCTS   0x01
#define MSR_DDSR   0x02
#define MSR_TERI   0x04
#define MSR_DDCD   0x08
#define MSR_CTS    0x10
#define MSR_DSR    0x20
#define MSR_RI     0x40
#define MSR_DCD    0x80
#define MSR_DELTAS 0x0f

struct serial
{
  GMutex lock;
  IrqLine irq;
  unsigned irq_number;
  int irq_level;
  SerialOutputFunc output;
  void *output_data;

  uint8_t ier, lcr, mcr, lsr, msr, scr, fcr;
  uint8_t dll, dlm;
  bool thr_pending; /* THRE interrupt not yet acknowledged */
  /* Receiver: a ring, as large as the console may need. */
  uint8_t rx[SERIAL_INPUT_QUEUE];
  size_t rx_head, rx_count;
};

static void
serial_reset_locked (Serial *s)
{
  s->ier = 0;
  s->lcr = 0x03; /* 8N1 */
  s->mcr = MCR_OUT2;
  s->lsr = LSR_THRE | LSR_TEMT;
  s->msr = MSR_DCD | MSR_DSR | MSR_CTS;
  s->scr = 0;
  s->fcr = 0;
  s->dll = 0x0c; /* 9600 baud */
  s->dlm = 0;
  s->thr_pending = false;
  s->rx_head = 0;
  s->rx_count = 0;
}

Serial *
serial_new (IrqLine irq, unsigned irq_number)
{
  Serial *s = g_new0 (Serial, 1);

  g_mutex_init (&s->lock);
  s->irq = irq;
  s->irq_number = irq_number;
  serial_reset_locked (s);
  return s;
}

void
serial_free (Serial *serial)
{
  if (serial == NULL)
    return;
  g_mutex_clear (&serial->lock);
  g_free (serial);
}

void
serial_set_output_func (Serial *serial, SerialOutputFunc func, void *user_data)
{
  g_mutex_lock (&serial->lock);
  serial->output = func;
  serial->output_data = user_data;
  g_mutex_unlock (&serial->lock);
}

/* The highest-priority pending interrupt, as IIR reports it. */
static uint8_t
serial_iir_locked (Serial *s)
{
  if ((s->ier & IER_RLSI) && (s->lsr & LSR_ERRORS))
    return IIR_RLSI;
  if ((s->ier & IER_RDI) && (s->lsr & LSR_DR))
    return IIR_RDI;
  if ((s->ier & IER_THRI) && s->thr_pending)
    return IIR_THRI;
  if ((s->ier & IER_MSI) && (s->msr & MSR_DELTAS))
    return IIR_MSI;
  return IIR_NO_INT;
}

/* The PC wires OUT2 as the interrupt enable of the UART's IRQ line. */
static void
serial_update_irq_locked (Serial *s)
{
  int level = serial_iir_locked (s) != IIR_NO_INT && (s->mcr & MCR_OUT2);

  if (level == s->irq_level)
    return;
  s->irq_level = level;
  s->irq.set_level (s->irq.opaque, s->irq_number, level);
}

static void
serial_rx_push_locked (Serial *s, uint8_t byte)
{
  if (s->rx_count == SERIAL_INPUT_QUEUE)
    {
      s->lsr |= LSR_OE;
      return;
    }
  s->rx[(s->rx_head + s->rx_count) % SERIAL_INPUT_QUEUE] = byte;
  s->rx_count++;
  s->lsr |= LSR_DR;
}

static uint8_t
serial_rx_pop_locked (Serial *s)
{
  uint8_t byte;

  if (s->rx_count == 0)
    return 0;
  byte = s->rx[s->rx_head];
  s->rx_head = (s->rx_head + 1) % SERIAL_INPUT_QUEUE;
  s->rx_count--;
  if (s->rx_count == 0)
    s->lsr &= ~LSR_DR;
  return byte;
}

/* In loopback the modem outputs come back as its inputs. */
static uint8_t
serial_loopback_msr (uint8_t mcr)
{
  uint8_t msr = 0;

  if (mcr & MCR_DTR)
    msr |= MSR_DSR;
  if (mcr & MCR_RTS)
    msr |= MSR_CTS;
  if (mcr & MCR_OUT1)
    msr |= MSR_RI;
  if (mcr & MCR_OUT2)
    msr |= MSR_DCD;
  return msr;
}

static void
serial_write_mcr_locked (Serial *s, uint8_t value)
{
  uint8_t old_inputs = s->msr & 0xf0;
  uint8_t inputs;

  s->mcr = value & MCR_MASK;
  inputs = (s->mcr & MCR_LOOP) ? serial_loopback_msr (s->mcr) : MSR_DCD | MSR_DSR | MSR_CTS;
  /* Record which modem inputs changed, as the delta bits do. */
  if ((inputs ^ old_inputs) & MSR_CTS)
    s->msr |= MSR_DCTS;
  if ((inputs ^ old_inputs) & MSR_DSR)
    s->msr |= MSR_DDSR;
  if ((inputs ^ old_inputs) & MSR_DCD)
    s->msr |= MSR_DDCD;
  if ((old_inputs & MSR_RI) && !(inputs & MSR_RI))
    s->msr |= MSR_TERI;
  s->msr = (s->msr & MSR_DELTAS) | inputs;
}

static void
serial_write_fcr_locked (Serial *s, uint8_t value)
{
  if (value & FCR_CLEAR_RX)
    {
      s->rx_head = 0;
      s->rx_count = 0;
      s->lsr &= ~LSR_DR;
    }
  s->fcr = value & (FCR_ENABLE | 0xc0);
}

/* Returns the byte to send to the console, or -1. */
static int
serial_write_thr_locked (Serial *s, uint8_t value)
{
  /* The byte leaves at once: the transmitter is always empty again. */
  s->thr_pending = true;
  s->lsr |= LSR_THRE | LSR_TEMT;
  if (s->mcr & MCR_LOOP)
    {
      serial_rx_push_locked (s, value);
      return -1;
    }
  return value;
}

static int
serial_write_locked (Serial *s, unsigned reg, uint8_t value)
{
  bool dlab = s->lcr & LCR_DLAB;

  switch (reg)
    {
      case UART_RBR_THR:
        if (dlab)
          s->dll = value;
        else
          return serial_write_thr_locked (s, value);
        break;
      case UART_IER:
        if (dlab)
          s->dlm = value;
        else
          {
            /* Enabling THRI with the transmitter empty raises it at once. */
            if (!(s->ier & IER_THRI) && (value & IER_THRI))
              s->thr_pending = true;
            s->ier = value & 0x0f;
          }
        break;
      case UART_IIR_FCR:
        serial_write_fcr_locked (s, value);
        break;
      case UART_LCR:
        s->lcr = value;
        break;
      case UART_MCR:
        serial_write_mcr_locked (s, value);
        break;
      case UART_SCR:
        s->scr = value;
        break;
      default: /* LSR and MSR are read-only */
        break;
    }
  return -1;
}

static uint8_t
serial_read_iir_locked (Serial *s)
{
  uint8_t iir = serial_iir_locked (s);

  /* Reading IIR acknowledges a THRE interrupt. */
  if (iir == IIR_THRI)
    s->thr_pending = false;
  return iir | ((s->fcr & FCR_ENABLE) ? IIR_FIFO_BITS : 0);
}

static uint8_t
serial_read_locked (Serial *s, unsigned reg)
{
  bool dlab = s->lcr & LCR_DLAB;
  uint8_t value;

  switch (reg)
    {
      case UART_RBR_THR:
        return dlab ? s->dll : serial_rx_pop_locked (s);
      case UART_IER:
        return dlab ? s->dlm : s->ier;
      case UART_IIR_FCR:
        return serial_read_iir_locked (s);
      case UART_LCR:
        return s->lcr;
      case UART_MCR:
        return s->mcr;
      case UART_LSR:
        value = s->lsr;
        s->lsr &= ~LSR_ERRORS;
        return value;
      case UART_MSR:
        value = s->msr;
        s->msr &= ~MSR_DELTAS;
        return value;
      case UART_SCR:
        return s->scr;
      default:
        return 0xff;
    }
}

static uint64_t
serial_io_read (void *opaque, uint64_t offset, unsigned size)
{
  Serial *s = opaque;
  uint8_t value;

  /* The UART decodes bytes; wider accesses see one byte and ones above. */
  g_mutex_lock (&s->lock);
  value = serial_read_locked (s, offset);
  serial_update_irq_locked (s);
  g_mutex_unlock (&s->lock);
  return (UINT64_MAX << 8) | value;
}

static void
serial_io_write (void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
  Serial *s = opaque;
  SerialOutputFunc output;
  void *output_data;
  int byte;

  g_mutex_lock (&s->lock);
  byte = serial_write_locked (s, offset, value & 0xff);
  serial_update_irq_locked (s);
  output = s->output;
  output_data = s->output_data;
  g_mutex_unlock (&s->lock);

  if (byte >= 0 && output != NULL)
    {
      uint8_t b = byte;

      output (&b, 1, output_data);
    }
}

const IoOps serial_io_ops = {
  .read = serial_io_read,
  .write = serial_io_write,
};

void
serial_input (Serial *serial, const uint8_t *bytes, size_t len)
{
  g_mutex_lock (&serial->lock);
  /* In loopback the line from outside is disconnected. */
  if (!(serial->mcr & MCR_LOOP))
    {
      for (size_t i = 0; i < len; i++)
        serial_rx_push_locked (serial, bytes[i]);
    }
  serial_update_irq_locked (serial);
  g_mutex_unlock (&serial->lock);
}

void
serial_reset (Serial *serial)
{
  g_mutex_lock (&serial->lock);
  serial_reset_locked (serial);
  serial_update_irq_locked (serial);
  g_mutex_unlock (&serial->lock);
}
