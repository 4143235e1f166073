/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * libFuzzer target: virtio-input (event and status queues, configuration
 * selects) and virtio-console (transmit and receive queues) on the split
 * virtqueue, fed guest memory that the fuzzer writes. AddressSanitizer
 * catches any access outside that memory.
 *
 * The first input byte: bit 0 indirect descriptors, bit 1 event index,
 * bit 3 fold descriptor addresses into RAM, bits 4-5 the queue (input
 * events, input status, console transmit, console receive). The second
 * and third bytes are an input configuration select and subsel.
 */
#include <glib.h>
#include <string.h>

#include "virtio/console.h"
#include "virtio/input.h"

#define MEM_SIZE  (16 * 1024)
#define QSIZE     4
#define DESC_GPA  0x00
#define AVAIL_GPA 0x40
#define USED_GPA  0x50

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static void
on_output (const uint8_t *bytes, size_t len, void *data)
{
  size_t *total = data;
  volatile uint8_t sum = 0;

  for (size_t i = 0; i < len; i++)
    sum += bytes[i]; /* every byte handed out must be readable */
  *total += len;
}

static void
query_config (VirtioInput *input, uint8_t select, uint8_t subsel)
{
  uint8_t config[VIRTIO_INPUT_CONFIG_SIZE];

  virtio_input_ops.write_config (input, 0, &select, 1);
  virtio_input_ops.write_config (input, 1, &subsel, 1);
  virtio_input_ops.read_config (input, 0, config, sizeof config);
  g_assert (config[2] <= 128);
}

static void
run_queue (GuestMemory *mem, uint8_t flags, uint8_t select, uint8_t subsel)
{
  unsigned which = (flags >> 4) & 3;
  VirtioInput *input =
      virtio_input_new ((flags & 0x40) ? VIRTIO_INPUT_KEYBOARD : VIRTIO_INPUT_TABLET);
  VirtioConsole *console = virtio_console_new ();
  size_t total = 0;
  Virtqueue vq;

  query_config (input, select, subsel);
  virtio_console_set_output_func (console, on_output, &total);
  vq_reset (&vq, mem, QSIZE);
  vq.desc_gpa = DESC_GPA;
  vq.avail_gpa = AVAIL_GPA;
  vq.used_gpa = USED_GPA;
  vq.indirect = (flags & 1) != 0;
  vq.event_idx = (flags & 2) != 0;
  g_assert (vq_start (&vq));
  switch (which)
    {
      case 0:
        for (unsigned i = 0; i < 3; i++)
          virtio_input_tablet_position (input, i * 1000, i * 2000);
        virtio_input_ops.handle_queue (input, &vq, 0);
        break;
      case 1:
        virtio_input_ops.handle_queue (input, &vq, 1);
        break;
      case 2:
        virtio_console_ops.handle_queue (console, &vq, 1);
        break;
      default:
        virtio_console_input (console, mem->host, 300);
        virtio_console_ops.handle_queue (console, &vq, 0);
        break;
    }
  vq_should_notify (&vq);
  virtio_console_free (console);
  virtio_input_free (input);
}

static void
fold_addresses (GuestMemory *mem)
{
  for (unsigned i = 0; i < QSIZE; i++)
    {
      uint64_t addr;

      memcpy (&addr, mem->host + DESC_GPA + 16 * i, 8);
      addr &= MEM_SIZE - 1;
      memcpy (mem->host + DESC_GPA + 16 * i, &addr, 8);
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  GuestMemory mem = { g_malloc0 (MEM_SIZE), MEM_SIZE, MEM_SIZE, 0 };

  if (size > 3)
    {
      memcpy (mem.host, data + 3, MIN (size - 3, MEM_SIZE));
      if ((data[0] & 8) != 0)
        fold_addresses (&mem);
      run_queue (&mem, data[0], data[1], data[2]);
    }
  g_free (mem.host);
  return 0;
}
