/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "console.h"

#include <glib.h>
#include <string.h>

#define CONSOLE_RXQ 0
#define CONSOLE_TXQ 1

struct virtio_console
{
  VqChain chain;
  struct iovec segs[VQ_MAX_SEGS];

  VirtioConsoleOutputFunc output;
  void *output_data;
  VirtioConsoleNotifyFunc notify;
  void *notify_data;

  GMutex lock; /* the pending input */
  GByteArray *pending;
};

VirtioConsole *
virtio_console_new (void)
{
  VirtioConsole *console = g_new0 (VirtioConsole, 1);

  g_mutex_init (&console->lock);
  console->pending = g_byte_array_new ();
  return console;
}

void
virtio_console_free (VirtioConsole *console)
{
  if (console == NULL)
    return;
  g_byte_array_unref (console->pending);
  g_mutex_clear (&console->lock);
  g_free (console);
}

void
virtio_console_set_output_func (VirtioConsole *console, VirtioConsoleOutputFunc func, void *data)
{
  g_return_if_fail (console != NULL);
  console->output = func;
  console->output_data = data;
}

void
virtio_console_set_notify_func (VirtioConsole *console, VirtioConsoleNotifyFunc func, void *data)
{
  g_return_if_fail (console != NULL);
  console->notify = func;
  console->notify_data = data;
}

size_t
virtio_console_input (VirtioConsole *console, const uint8_t *bytes, size_t len)
{
  size_t kept;

  g_return_val_if_fail (console != NULL, 0);
  g_mutex_lock (&console->lock);
  kept = MIN (len, VIRTIO_CONSOLE_MAX_PENDING - console->pending->len);
  g_byte_array_append (console->pending, bytes, kept);
  g_mutex_unlock (&console->lock);
  if (kept > 0 && console->notify != NULL)
    console->notify (console->notify_data, CONSOLE_RXQ);
  return kept;
}

static uint64_t
virtio_console_get_features (void *dev)
{
  return 0; /* no size, no multiport, no emergency write */
}

/* cols, rows, max_nr_ports, emerg_wr: meaningless without the features. */
static void
virtio_console_read_config (void *dev, uint64_t offset, uint8_t *data, unsigned size)
{
  memset (data, 0, size);
}

static void
console_transmit (VirtioConsole *console, Virtqueue *vq)
{
  while (vq_pop (vq, &console->chain) == VQ_POP_OK)
    {
      int n = vq_chain_slice (&console->chain, false, 0, console->chain.out_len, console->segs,
                              G_N_ELEMENTS (console->segs));

      for (int i = 0; i < n && console->output != NULL; i++)
        console->output (console->segs[i].iov_base, console->segs[i].iov_len, console->output_data);
      vq_push (vq, console->chain.head, 0);
    }
}

/* Pending input into receive buffers; true if input still waits. */
static bool
console_receive (VirtioConsole *console, Virtqueue *vq)
{
  bool waiting;

  g_mutex_lock (&console->lock);
  while (console->pending->len > 0 && vq_pop (vq, &console->chain) == VQ_POP_OK)
    {
      uint32_t len = MIN (console->chain.in_len, console->pending->len);

      if (!vq_chain_write (&console->chain, 0, console->pending->data, len))
        len = 0;
      g_byte_array_remove_range (console->pending, 0, len);
      vq_push (vq, console->chain.head, len);
    }
  waiting = console->pending->len > 0;
  g_mutex_unlock (&console->lock);
  return waiting;
}

static void
virtio_console_handle_queue (void *dev, Virtqueue *vq, unsigned index)
{
  VirtioConsole *console = dev;

  if (index == CONSOLE_TXQ)
    {
      do
        console_transmit (console, vq);
      while (vq_enable_notify (vq));
      return;
    }
  /* While input waits, buffers the driver adds must kick us. */
  while (console_receive (console, vq) && !vq->broken && vq_enable_notify (vq))
    ;
}

static void
virtio_console_reset (void *dev)
{
}

const VirtioDeviceOps virtio_console_ops = {
  .device_id = VIRTIO_ID_CONSOLE,
  .pci_class = 0x078000, /* communication controller, other */
  .n_queues = 2,
  .queue_size = 128,
  .get_features = virtio_console_get_features,
  .config_size = VIRTIO_CONSOLE_CONFIG_SIZE,
  .read_config = virtio_console_read_config,
  .handle_queue = virtio_console_handle_queue,
  .reset = virtio_console_reset,
};
