/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "input.h"

#include <glib.h>
#include <string.h>

#define INPUT_EVENTQ  0
#define INPUT_STATUSQ 1

/* struct virtio_input_event (5.8.6), little-endian like every x86 guest. */
typedef struct __attribute__ ((packed))
{
  uint16_t type;
  uint16_t code;
  uint32_t value;
} InputEvent;

G_STATIC_ASSERT (sizeof (InputEvent) == 8);

/* struct virtio_input_config (5.8.4): select, subsel, size, then the
 * answer. */
#define CFG_SELECT 0
#define CFG_SUBSEL 1
#define CFG_SIZE   2
#define CFG_U      8
#define CFG_U_SIZE 128

G_STATIC_ASSERT (CFG_U + CFG_U_SIZE == VIRTIO_INPUT_CONFIG_SIZE);

#define BUS_VIRTUAL 0x06

struct virtio_input
{
  VirtioInputKind kind;
  VqChain chain;

  /* The configuration space, rebuilt when the driver selects (transport
   * lock held). */
  uint8_t config[VIRTIO_INPUT_CONFIG_SIZE];

  GMutex lock; /* the pending events */
  InputEvent pending[VIRTIO_INPUT_MAX_PENDING];
  unsigned head, count;
  uint64_t dropped;

  VirtioInputNotifyFunc notify;
  void *notify_data;
  VirtioInputActiveFunc active_func;
  void *active_data;
  bool active;    /* the driver took the event queue */
  uint8_t prefix; /* 0xE0 or 0xE1 seen before the next scancode byte, or 0 */
};

VirtioInput *
virtio_input_new (VirtioInputKind kind)
{
  VirtioInput *input = g_new0 (VirtioInput, 1);

  input->kind = kind;
  g_mutex_init (&input->lock);
  return input;
}

void
virtio_input_free (VirtioInput *input)
{
  if (input == NULL)
    return;
  g_mutex_clear (&input->lock);
  g_free (input);
}

void
virtio_input_set_notify_func (VirtioInput *input, VirtioInputNotifyFunc func, void *data)
{
  g_return_if_fail (input != NULL);
  input->notify = func;
  input->notify_data = data;
}

void
virtio_input_set_active_func (VirtioInput *input, VirtioInputActiveFunc func, void *data)
{
  g_return_if_fail (input != NULL);
  g_mutex_lock (&input->lock);
  input->active_func = func;
  input->active_data = data;
  g_mutex_unlock (&input->lock);
}

bool
virtio_input_is_active (VirtioInput *input)
{
  bool active;

  g_return_val_if_fail (input != NULL, false);
  g_mutex_lock (&input->lock);
  active = input->active;
  g_mutex_unlock (&input->lock);
  return active;
}

static void
input_set_active (VirtioInput *input, bool active)
{
  g_mutex_lock (&input->lock);
  if (input->active != active)
    {
      input->active = active;
      if (input->active_func != NULL)
        input->active_func (active, input->active_data);
    }
  g_mutex_unlock (&input->lock);
}

/* With the lock held: full, the oldest event makes room. */
static void
input_push_locked (VirtioInput *input, uint16_t type, uint16_t code, uint32_t value)
{
  InputEvent ev = { GUINT16_TO_LE (type), GUINT16_TO_LE (code), GUINT32_TO_LE (value) };

  if (input->count == VIRTIO_INPUT_MAX_PENDING)
    {
      input->head = (input->head + 1) % VIRTIO_INPUT_MAX_PENDING;
      input->count--;
      input->dropped++;
    }
  input->pending[(input->head + input->count) % VIRTIO_INPUT_MAX_PENDING] = ev;
  input->count++;
}

static void
input_notify (VirtioInput *input)
{
  if (input->notify != NULL)
    input->notify (input->notify_data, INPUT_EVENTQ);
}

void
virtio_input_send (VirtioInput *input, uint16_t type, uint16_t code, uint32_t value)
{
  g_return_if_fail (input != NULL);
  g_mutex_lock (&input->lock);
  input_push_locked (input, type, code, value);
  g_mutex_unlock (&input->lock);
  input_notify (input);
}

void
virtio_input_tablet_position (VirtioInput *input, uint32_t x, uint32_t y)
{
  g_return_if_fail (input != NULL);
  g_mutex_lock (&input->lock);
  input_push_locked (input, VIRTIO_INPUT_EV_ABS, VIRTIO_INPUT_ABS_X, MIN (x, VIRTIO_INPUT_ABS_MAX));
  input_push_locked (input, VIRTIO_INPUT_EV_ABS, VIRTIO_INPUT_ABS_Y, MIN (y, VIRTIO_INPUT_ABS_MAX));
  input_push_locked (input, VIRTIO_INPUT_EV_SYN, 0, 0);
  g_mutex_unlock (&input->lock);
  input_notify (input);
}

void
virtio_input_key (VirtioInput *input, uint16_t code, bool pressed)
{
  g_return_if_fail (input != NULL);
  g_mutex_lock (&input->lock);
  input_push_locked (input, VIRTIO_INPUT_EV_KEY, code, pressed ? 1 : 0);
  input_push_locked (input, VIRTIO_INPUT_EV_SYN, 0, 0);
  g_mutex_unlock (&input->lock);
  input_notify (input);
}

void
virtio_input_wheel (VirtioInput *input, int steps)
{
  g_return_if_fail (input != NULL);
  g_mutex_lock (&input->lock);
  input_push_locked (input, VIRTIO_INPUT_EV_REL, VIRTIO_INPUT_REL_WHEEL, (uint32_t) steps);
  input_push_locked (input, VIRTIO_INPUT_EV_SYN, 0, 0);
  g_mutex_unlock (&input->lock);
  input_notify (input);
}

/* Set-1 scancodes after 0xE0 and their evdev key codes. Plain ones up to
 * 0x58 are the evdev codes themselves. */
static const struct
{
  uint8_t scancode;
  uint8_t code;
} extended_keys[] = {
  { 0x1c, 96 },  /* keypad enter */
  { 0x1d, 97 },  /* right ctrl */
  { 0x35, 98 },  /* keypad slash */
  { 0x37, 99 },  /* print screen */
  { 0x38, 100 }, /* right alt */
  { 0x47, 102 }, /* home */
  { 0x48, 103 }, /* up */
  { 0x49, 104 }, /* page up */
  { 0x4b, 105 }, /* left */
  { 0x4d, 106 }, /* right */
  { 0x4f, 107 }, /* end */
  { 0x50, 108 }, /* down */
  { 0x51, 109 }, /* page down */
  { 0x52, 110 }, /* insert */
  { 0x53, 111 }, /* delete */
  { 0x5b, 125 }, /* left meta */
  { 0x5c, 126 }, /* right meta */
  { 0x5d, 127 }, /* menu */
};

static unsigned
scancode_to_key (uint8_t prefix, uint8_t scancode)
{
  if (prefix == 0)
    return scancode >= 1 && scancode <= 0x58 ? scancode : 0;
  if (prefix != 0xe0)
    return 0;
  for (unsigned i = 0; i < G_N_ELEMENTS (extended_keys); i++)
    {
      if (extended_keys[i].scancode == scancode)
        return extended_keys[i].code;
    }
  return 0;
}

void
virtio_input_scancode (VirtioInput *input, uint8_t byte)
{
  unsigned key;

  g_return_if_fail (input != NULL);
  g_mutex_lock (&input->lock);
  if (byte == 0xe0 || byte == 0xe1)
    {
      input->prefix = byte;
      g_mutex_unlock (&input->lock);
      return;
    }
  key = scancode_to_key (input->prefix, byte & 0x7f);
  /* Pause's 0xE1 sequence and the fake shifts around some extended keys
   * (0xE0 0x2A) have no key of their own. */
  if (input->prefix == 0xe1 && (byte & 0x7f) == 0x1d)
    {
      g_mutex_unlock (&input->lock);
      return;
    }
  input->prefix = 0;
  if (key != 0)
    {
      input_push_locked (input, VIRTIO_INPUT_EV_KEY, key, (byte & 0x80) ? 0 : 1);
      input_push_locked (input, VIRTIO_INPUT_EV_SYN, 0, 0);
    }
  g_mutex_unlock (&input->lock);
  if (key != 0)
    input_notify (input);
}

uint64_t
virtio_input_get_dropped (VirtioInput *input)
{
  uint64_t dropped;

  g_return_val_if_fail (input != NULL, 0);
  g_mutex_lock (&input->lock);
  dropped = input->dropped;
  g_mutex_unlock (&input->lock);
  return dropped;
}

/* Configuration answers. */

static const char *
input_name (VirtioInput *input)
{
  return input->kind == VIRTIO_INPUT_KEYBOARD ? "Hangar virtio keyboard" : "Hangar virtio tablet";
}

static void
set_bit (uint8_t *bitmap, unsigned bit, unsigned *size)
{
  bitmap[bit / 8] |= 1u << (bit % 8);
  *size = MAX (*size, bit / 8 + 1);
}

/* The bitmap of codes of event type TYPE; its size in bytes, 0 for a
 * type the device does not have. */
static unsigned
input_ev_bits (VirtioInput *input, uint8_t type, uint8_t *bitmap)
{
  unsigned size = 0;

  if (input->kind == VIRTIO_INPUT_KEYBOARD)
    {
      switch (type)
        {
          case VIRTIO_INPUT_EV_KEY:
            /* Every keyboard key evdev numbers below the buttons. */
            for (unsigned code = 1; code < 0x100; code++)
              set_bit (bitmap, code, &size);
            break;
          case VIRTIO_INPUT_EV_LED:
            for (unsigned led = 0; led < 3; led++) /* num, caps, scroll lock */
              set_bit (bitmap, led, &size);
            break;
          case VIRTIO_INPUT_EV_REP:
            size = 1; /* autorepeat: the guest's own */
            break;
          default:
            break;
        }
      return size;
    }
  switch (type)
    {
      case VIRTIO_INPUT_EV_KEY:
        set_bit (bitmap, VIRTIO_INPUT_BTN_LEFT, &size);
        set_bit (bitmap, VIRTIO_INPUT_BTN_RIGHT, &size);
        set_bit (bitmap, VIRTIO_INPUT_BTN_MIDDLE, &size);
        break;
      case VIRTIO_INPUT_EV_REL:
        set_bit (bitmap, VIRTIO_INPUT_REL_WHEEL, &size);
        break;
      case VIRTIO_INPUT_EV_ABS:
        set_bit (bitmap, VIRTIO_INPUT_ABS_X, &size);
        set_bit (bitmap, VIRTIO_INPUT_ABS_Y, &size);
        break;
      default:
        break;
    }
  return size;
}

/* struct virtio_input_absinfo: min, max, fuzz, flat, res. */
static unsigned
input_abs_info (VirtioInput *input, uint8_t axis, uint8_t *u)
{
  uint32_t info[5] = { 0, GUINT32_TO_LE (VIRTIO_INPUT_ABS_MAX), 0, 0, 0 };

  if (input->kind != VIRTIO_INPUT_TABLET ||
      (axis != VIRTIO_INPUT_ABS_X && axis != VIRTIO_INPUT_ABS_Y))
    return 0;
  memcpy (u, info, sizeof info);
  return sizeof info;
}

/* struct virtio_input_devids: bustype, vendor, product, version. */
static unsigned
input_devids (VirtioInput *input, uint8_t *u)
{
  uint16_t ids[4] = {
    GUINT16_TO_LE (BUS_VIRTUAL),
    GUINT16_TO_LE (0x1af4),
    GUINT16_TO_LE (input->kind == VIRTIO_INPUT_KEYBOARD ? 1 : 2),
    GUINT16_TO_LE (1),
  };

  memcpy (u, ids, sizeof ids);
  return sizeof ids;
}

static unsigned
input_string (const char *s, uint8_t *u)
{
  unsigned len = MIN (strlen (s), CFG_U_SIZE);

  memcpy (u, s, len);
  return len;
}

/* Rebuilds the answer to the selected query (5.8.5.2: size 0 for what the
 * device does not have). */
static void
input_select (VirtioInput *input)
{
  uint8_t *u = input->config + CFG_U;
  uint8_t subsel = input->config[CFG_SUBSEL];
  unsigned size = 0;

  memset (u, 0, CFG_U_SIZE);
  switch (input->config[CFG_SELECT])
    {
      case VIRTIO_INPUT_CFG_ID_NAME:
        size = subsel == 0 ? input_string (input_name (input), u) : 0;
        break;
      case VIRTIO_INPUT_CFG_ID_SERIAL:
        size =
            subsel == 0
                ? input_string (input->kind == VIRTIO_INPUT_KEYBOARD ? "keyboard0" : "tablet0", u)
                : 0;
        break;
      case VIRTIO_INPUT_CFG_ID_DEVIDS:
        size = subsel == 0 ? input_devids (input, u) : 0;
        break;
      case VIRTIO_INPUT_CFG_PROP_BITS:
        size = 0; /* no INPUT_PROP_* */
        break;
      case VIRTIO_INPUT_CFG_EV_BITS:
        size = input_ev_bits (input, subsel, u);
        break;
      case VIRTIO_INPUT_CFG_ABS_INFO:
        size = input_abs_info (input, subsel, u);
        break;
      default:
        break;
    }
  input->config[CFG_SIZE] = size;
}

static uint64_t
virtio_input_get_features (void *dev)
{
  return 0;
}

static void
virtio_input_read_config (void *dev, uint64_t offset, uint8_t *data, unsigned size)
{
  VirtioInput *input = dev;

  memcpy (data, input->config + offset, size);
}

/* Only select and subsel are the driver's (5.8.5.1). */
static void
virtio_input_write_config (void *dev, uint64_t offset, const uint8_t *data, unsigned size)
{
  VirtioInput *input = dev;
  bool changed = false;

  for (unsigned i = 0; i < size; i++)
    {
      if (offset + i == CFG_SELECT || offset + i == CFG_SUBSEL)
        {
          input->config[offset + i] = data[i];
          changed = true;
        }
    }
  if (changed)
    input_select (input);
}

/* Moves pending events into the driver's buffers; false if the queue
 * broke. */
static bool
input_fill_events (VirtioInput *input, Virtqueue *vq)
{
  g_mutex_lock (&input->lock);
  while (input->count > 0)
    {
      VqPopResult r = vq_pop (vq, &input->chain);

      if (r != VQ_POP_OK)
        break;
      if (!vq_chain_write (&input->chain, 0, &input->pending[input->head], sizeof (InputEvent)))
        {
          vq->broken = true;
          vq->error = "virtio-input: an event buffer is shorter than an event";
          break;
        }
      vq_push (vq, input->chain.head, sizeof (InputEvent));
      input->head = (input->head + 1) % VIRTIO_INPUT_MAX_PENDING;
      input->count--;
    }
  g_mutex_unlock (&input->lock);
  return !vq->broken;
}

static bool
input_has_pending (VirtioInput *input)
{
  bool any;

  g_mutex_lock (&input->lock);
  any = input->count > 0;
  g_mutex_unlock (&input->lock);
  return any;
}

/* LED and other status events: the host has nothing to light. */
static void
input_drain_status (VirtioInput *input, Virtqueue *vq)
{
  do
    {
      while (vq_pop (vq, &input->chain) == VQ_POP_OK)
        vq_push (vq, input->chain.head, 0);
    }
  while (vq_enable_notify (vq));
}

static void
virtio_input_handle_queue (void *dev, Virtqueue *vq, unsigned index)
{
  VirtioInput *input = dev;

  if (index == INPUT_STATUSQ)
    {
      input_drain_status (input, vq);
      return;
    }
  input_set_active (input, true);
  /* Buffers the driver adds later must kick us while events wait. */
  while (input_fill_events (input, vq) && input_has_pending (input) && vq_enable_notify (vq))
    ;
}

static void
virtio_input_reset (void *dev)
{
  VirtioInput *input = dev;

  memset (input->config, 0, sizeof input->config);
  g_mutex_lock (&input->lock);
  input->head = input->count = 0;
  g_mutex_unlock (&input->lock);
  input_set_active (input, false);
}

const VirtioDeviceOps virtio_input_ops = {
  .device_id = VIRTIO_ID_INPUT,
  .pci_class = 0x098000, /* input device, other */
  .n_queues = 2,
  .queue_size = 64,
  .get_features = virtio_input_get_features,
  .config_size = VIRTIO_INPUT_CONFIG_SIZE,
  .read_config = virtio_input_read_config,
  .handle_queue = virtio_input_handle_queue,
  .reset = virtio_input_reset,
  .write_config = virtio_input_write_config,
};
