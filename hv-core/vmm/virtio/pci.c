/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "pci.h"

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <poll.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "bus/pci-msix.h"
#include "vmm.h"

#define VIRTIO_PCI_VENDOR      0x1af4
#define VIRTIO_PCI_DEVICE_BASE 0x1040 /* + device id: modern only */
#define VIRTIO_PCI_MAX_QUEUES  8
#define VIRTIO_NO_VECTOR       0xffff

/* BAR 0 layout. */
#define VP_BAR_SIZE      0x8000
#define VP_COMMON_OFFSET 0x0000
#define VP_COMMON_SIZE   0x40
#define VP_ISR_OFFSET    0x1000
#define VP_DEVICE_OFFSET 0x2000
#define VP_NOTIFY_OFFSET 0x3000
#define VP_NOTIFY_MULT   4
#define VP_MSIX_TABLE    0x4000
#define VP_MSIX_PBA      0x5000
#define VP_REGION_SIZE   0x1000

/* Vendor capability types (4.1.4). */
#define PCI_CAP_ID_VENDOR      0x09
#define VIRTIO_PCI_CAP_COMMON  1
#define VIRTIO_PCI_CAP_NOTIFY  2
#define VIRTIO_PCI_CAP_ISR     3
#define VIRTIO_PCI_CAP_DEVICE  4
#define VIRTIO_PCI_CAP_PCI_CFG 5
/* In the PCI_CFG capability: the window's BAR, offset and length, then its
 * data (4.1.4.9). */
#define VP_CFG_BAR    4
#define VP_CFG_OFFSET 8
#define VP_CFG_LENGTH 12
#define VP_CFG_DATA   16

#define VIRTIO_ISR_QUEUE  1
#define VIRTIO_ISR_CONFIG 2

/* Common configuration (4.1.4.3). */
#define VC_DFSELECT  0x00
#define VC_DF        0x04
#define VC_GFSELECT  0x08
#define VC_GF        0x0c
#define VC_MSIX      0x10
#define VC_NUMQ      0x12
#define VC_STATUS    0x14
#define VC_CFGGEN    0x15
#define VC_Q_SELECT  0x16
#define VC_Q_SIZE    0x18
#define VC_Q_MSIX    0x1a
#define VC_Q_ENABLE  0x1c
#define VC_Q_NOFF    0x1e
#define VC_Q_DESCLO  0x20
#define VC_Q_DESCHI  0x24
#define VC_Q_AVAILLO 0x28
#define VC_Q_AVAILHI 0x2c
#define VC_Q_USEDLO  0x30
#define VC_Q_USEDHI  0x34

typedef struct
{
  Virtqueue vq;
  uint16_t vector;
  int kick_fd; /* the doorbell */
} VpQueue;

struct virtio_pci
{
  PciDevice pci;
  Msix msix;
  const VirtioDeviceOps *ops;
  void *dev;
  const GuestMemory *mem;
  int vm_fd;
  IrqRouting *routing;
  unsigned n_vectors;
  int irq_fds[VIRTIO_PCI_MAX_QUEUES + 1];
  int gsis[VIRTIO_PCI_MAX_QUEUES + 1];
  unsigned cfg_cap;        /* the PCI_CFG capability's offset */
  uint64_t ioeventfd_base; /* where doorbells are registered with KVM, or 0 */

  GMutex lock; /* everything below; held while the device handles a queue */
  uint32_t dfselect, gfselect;
  uint64_t driver_features;
  uint8_t status;
  uint8_t isr;
  uint16_t queue_select;
  uint16_t config_vector;
  VpQueue queues[VIRTIO_PCI_MAX_QUEUES];

  GThread *thread;
  int stop_fd;
};

static uint64_t
vp_device_features (VirtioPci *vp)
{
  return vp->ops->get_features (vp->dev) | VIRTIO_BIT (VIRTIO_F_VERSION_1) |
         VIRTIO_BIT (VIRTIO_F_INDIRECT_DESC) | VIRTIO_BIT (VIRTIO_F_EVENT_IDX);
}

/* Raises an interrupt for VECTOR (MSI-X) or the ISR bit (INTx); with the
 * lock held. */
static void
vp_interrupt (VirtioPci *vp, uint16_t vector, uint8_t isr_bit)
{
  if (msix_enabled (&vp->msix))
    {
      if (vector != VIRTIO_NO_VECTOR)
        msix_notify (&vp->msix, vector);
      return;
    }
  vp->isr |= isr_bit;
  pci_device_set_intx (&vp->pci, true);
}

/* The driver broke a queue: tell it to reset the device (2.1.2). */
static void
vp_needs_reset (VirtioPci *vp)
{
  if ((vp->status & VIRTIO_STATUS_NEEDS_RESET) != 0)
    return;
  vp->status |= VIRTIO_STATUS_NEEDS_RESET;
  if ((vp->status & VIRTIO_STATUS_DRIVER_OK) != 0)
    vp_interrupt (vp, vp->config_vector, VIRTIO_ISR_CONFIG);
}

static void
vp_handle_queue (VirtioPci *vp, unsigned q)
{
  VpQueue *queue = &vp->queues[q];

  if ((vp->status & VIRTIO_STATUS_DRIVER_OK) == 0 || !queue->vq.ready || queue->vq.broken)
    return;
  vp->ops->handle_queue (vp->dev, &queue->vq, q);
  if (queue->vq.broken)
    {
      g_warning ("virtio device %u, queue %u: %s", vp->ops->device_id, q, queue->vq.error);
      vp_needs_reset (vp);
    }
  else if (vq_should_notify (&queue->vq))
    vp_interrupt (vp, queue->vector, VIRTIO_ISR_QUEUE);
}

static gpointer
vp_io_thread (gpointer data)
{
  VirtioPci *vp = data;
  unsigned n = vp->ops->n_queues;
  struct pollfd fds[VIRTIO_PCI_MAX_QUEUES + 1];

  for (unsigned q = 0; q < n; q++)
    fds[q] = (struct pollfd){ vp->queues[q].kick_fd, POLLIN, 0 };
  fds[n] = (struct pollfd){ vp->stop_fd, POLLIN, 0 };
  for (;;)
    {
      uint64_t count;

      if (poll (fds, n + 1, -1) < 0)
        continue; /* EINTR */
      if (fds[n].revents != 0)
        return NULL;
      for (unsigned q = 0; q < n; q++)
        {
          if (fds[q].revents == 0 || read (fds[q].fd, &count, sizeof count) != sizeof count)
            continue;
          g_mutex_lock (&vp->lock);
          vp_handle_queue (vp, q);
          g_mutex_unlock (&vp->lock);
        }
    }
}

static void
vp_reset_locked (VirtioPci *vp)
{
  vp->dfselect = vp->gfselect = 0;
  vp->driver_features = 0;
  vp->status = 0;
  vp->isr = 0;
  vp->queue_select = 0;
  vp->config_vector = VIRTIO_NO_VECTOR;
  for (unsigned q = 0; q < vp->ops->n_queues; q++)
    {
      vq_reset (&vp->queues[q].vq, vp->mem, vp->ops->queue_size);
      vp->queues[q].vector = VIRTIO_NO_VECTOR;
    }
  vp->ops->reset (vp->dev);
  pci_device_set_intx (&vp->pci, false);
}

/* The common configuration structure as the driver sees it. */
typedef struct __attribute__ ((packed))
{
  uint32_t dfselect, df, gfselect, gf;
  uint16_t msix, numq;
  uint8_t status, cfggen;
  uint16_t q_select, q_size, q_msix, q_enable, q_noff;
  uint64_t q_desc, q_avail, q_used;
} VpCommon;

G_STATIC_ASSERT (sizeof (VpCommon) == 0x38);

static VpQueue *
vp_selected (VirtioPci *vp)
{
  return vp->queue_select < vp->ops->n_queues ? &vp->queues[vp->queue_select] : NULL;
}

static void
vp_common_snapshot (VirtioPci *vp, VpCommon *c)
{
  VpQueue *q = vp_selected (vp);
  uint64_t df = vp_device_features (vp);

  memset (c, 0, sizeof *c);
  c->dfselect = vp->dfselect;
  c->df = vp->dfselect < 2 ? (uint32_t) (df >> (32 * vp->dfselect)) : 0;
  c->gfselect = vp->gfselect;
  c->gf = vp->gfselect < 2 ? (uint32_t) (vp->driver_features >> (32 * vp->gfselect)) : 0;
  c->msix = vp->config_vector;
  c->numq = vp->ops->n_queues;
  c->status = vp->status;
  c->q_select = vp->queue_select;
  if (q == NULL)
    return; /* a queue that does not exist has size 0 */
  c->q_size = q->vq.size;
  c->q_msix = q->vector;
  c->q_enable = q->vq.ready;
  c->q_noff = vp->queue_select;
  c->q_desc = q->vq.desc_gpa;
  c->q_avail = q->vq.avail_gpa;
  c->q_used = q->vq.used_gpa;
}

static void
vp_write_features (VirtioPci *vp, uint32_t value)
{
  unsigned shift = 32 * vp->gfselect;

  /* Features are frozen once FEATURES_OK is set (3.1.1). */
  if (vp->gfselect >= 2 || (vp->status & VIRTIO_STATUS_FEATURES_OK) != 0)
    return;
  vp->driver_features &= ~(0xffffffffull << shift);
  vp->driver_features |= (uint64_t) value << shift;
}

static void
vp_write_status (VirtioPci *vp, uint8_t value)
{
  uint8_t added = value & ~vp->status;

  if (value == 0)
    {
      vp_reset_locked (vp);
      return;
    }
  /* FEATURES_OK only sticks for a subset of ours that includes VERSION_1. */
  if ((added & VIRTIO_STATUS_FEATURES_OK) != 0 &&
      ((vp->driver_features & ~vp_device_features (vp)) != 0 ||
       (vp->driver_features & VIRTIO_BIT (VIRTIO_F_VERSION_1)) == 0))
    value &= ~VIRTIO_STATUS_FEATURES_OK;
  /* The driver only adds bits; NEEDS_RESET is the device's. */
  vp->status |= value & ~VIRTIO_STATUS_NEEDS_RESET;
}

static uint16_t
vp_valid_vector (VirtioPci *vp, uint16_t vector)
{
  return vector < vp->n_vectors ? vector : VIRTIO_NO_VECTOR;
}

static void
vp_enable_queue (VirtioPci *vp, VpQueue *q)
{
  q->vq.indirect = (vp->driver_features & VIRTIO_BIT (VIRTIO_F_INDIRECT_DESC)) != 0;
  q->vq.event_idx = (vp->driver_features & VIRTIO_BIT (VIRTIO_F_EVENT_IDX)) != 0;
  if (!vq_start (&q->vq))
    vp_needs_reset (vp);
}

/* A queue field: ignored for a missing queue or one already enabled. */
static void
vp_write_queue_field (VirtioPci *vp, unsigned field, const VpCommon *c)
{
  VpQueue *q = vp_selected (vp);

  if (q == NULL)
    return;
  if (field == VC_Q_MSIX)
    {
      q->vector = vp_valid_vector (vp, c->q_msix);
      return;
    }
  if (q->vq.ready)
    return;
  switch (field)
    {
      case VC_Q_SIZE:
        q->vq.size = c->q_size;
        break;
      case VC_Q_ENABLE:
        if (c->q_enable == 1)
          vp_enable_queue (vp, q);
        break;
      case VC_Q_DESCLO:
        q->vq.desc_gpa = c->q_desc;
        break;
      case VC_Q_AVAILLO:
        q->vq.avail_gpa = c->q_avail;
        break;
      case VC_Q_USEDLO:
        q->vq.used_gpa = c->q_used;
        break;
      default:
        break;
    }
}

static void
vp_apply_field (VirtioPci *vp, unsigned field, const VpCommon *c)
{
  switch (field)
    {
      case VC_DFSELECT:
        vp->dfselect = c->dfselect;
        break;
      case VC_GFSELECT:
        vp->gfselect = c->gfselect;
        break;
      case VC_GF:
        vp_write_features (vp, c->gf);
        break;
      case VC_MSIX:
        vp->config_vector = vp_valid_vector (vp, c->msix);
        break;
      case VC_STATUS:
        vp_write_status (vp, c->status);
        break;
      case VC_Q_SELECT:
        vp->queue_select = c->q_select;
        break;
      default:
        vp_write_queue_field (vp, field, c);
        break;
    }
}

/* Field starts and widths, the 64-bit addresses as one field each. */
static const struct
{
  uint8_t offset, size;
} vp_common_fields[] = {
  { VC_DFSELECT, 4 }, { VC_DF, 4 },       { VC_GFSELECT, 4 },  { VC_GF, 4 },
  { VC_MSIX, 2 },     { VC_NUMQ, 2 },     { VC_STATUS, 1 },    { VC_CFGGEN, 1 },
  { VC_Q_SELECT, 2 }, { VC_Q_SIZE, 2 },   { VC_Q_MSIX, 2 },    { VC_Q_ENABLE, 2 },
  { VC_Q_NOFF, 2 },   { VC_Q_DESCLO, 8 }, { VC_Q_AVAILLO, 8 }, { VC_Q_USEDLO, 8 },
};

static void
vp_common_write (VirtioPci *vp, uint64_t offset, uint64_t value, unsigned size)
{
  VpCommon c;

  if (offset + size > sizeof c)
    return;
  vp_common_snapshot (vp, &c);
  memcpy ((uint8_t *) &c + offset, &value, size);
  for (unsigned i = 0; i < G_N_ELEMENTS (vp_common_fields); i++)
    {
      unsigned start = vp_common_fields[i].offset;

      if (offset < start + vp_common_fields[i].size && start < offset + size)
        vp_apply_field (vp, start, &c);
    }
}

static uint64_t
vp_common_read (VirtioPci *vp, uint64_t offset, unsigned size)
{
  VpCommon c;
  uint64_t value = 0;

  if (offset + size > sizeof c)
    return 0;
  vp_common_snapshot (vp, &c);
  memcpy (&value, (uint8_t *) &c + offset, size);
  return value;
}

/* Reading the ISR acknowledges it (4.1.4.5). */
static uint64_t
vp_isr_read (VirtioPci *vp)
{
  uint8_t isr = vp->isr;

  vp->isr = 0;
  pci_device_set_intx (&vp->pci, false);
  return isr;
}

static uint64_t
vp_device_read (VirtioPci *vp, uint64_t offset, unsigned size)
{
  uint8_t buf[8] = { 0 };
  uint64_t value;

  if (vp->ops->read_config == NULL || offset + size > vp->ops->config_size)
    return 0;
  vp->ops->read_config (vp->dev, offset, buf, size);
  memcpy (&value, buf, sizeof value);
  return value;
}

static void
vp_device_write (VirtioPci *vp, uint64_t offset, uint64_t value, unsigned size)
{
  uint8_t buf[8];

  if (vp->ops->write_config == NULL || offset + size > vp->ops->config_size)
    return;
  memcpy (buf, &value, sizeof buf);
  vp->ops->write_config (vp->dev, offset, buf, size);
}

static void
vp_kick (VirtioPci *vp, unsigned q)
{
  uint64_t one = 1;

  if (q < vp->ops->n_queues && write (vp->queues[q].kick_fd, &one, sizeof one) < 0)
    g_warning ("virtio doorbell: %s", g_strerror (errno));
}

static uint64_t
vp_bar_read (void *opaque, uint64_t offset, unsigned size)
{
  VirtioPci *vp = opaque;
  uint64_t region = offset & ~(uint64_t) (VP_REGION_SIZE - 1);
  uint64_t off = offset - region;
  uint64_t value = 0;

  if (region == VP_MSIX_TABLE)
    return msix_table_read (&vp->msix, off, size);
  if (region == VP_MSIX_PBA)
    return msix_pba_read (&vp->msix, off, size);
  g_mutex_lock (&vp->lock);
  if (region == VP_COMMON_OFFSET)
    value = vp_common_read (vp, off, size);
  else if (region == VP_ISR_OFFSET && off == 0)
    value = vp_isr_read (vp);
  else if (region == VP_DEVICE_OFFSET)
    value = vp_device_read (vp, off, size);
  g_mutex_unlock (&vp->lock);
  return value;
}

static void
vp_bar_write (void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
  VirtioPci *vp = opaque;
  uint64_t region = offset & ~(uint64_t) (VP_REGION_SIZE - 1);
  uint64_t off = offset - region;

  if (region == VP_MSIX_TABLE)
    msix_table_write (&vp->msix, off, value, size);
  else if (region == VP_NOTIFY_OFFSET)
    vp_kick (vp, off / VP_NOTIFY_MULT); /* no ioeventfd: the slow way */
  else if (region == VP_COMMON_OFFSET || region == VP_DEVICE_OFFSET)
    {
      g_mutex_lock (&vp->lock);
      if (region == VP_COMMON_OFFSET)
        vp_common_write (vp, off, value, size);
      else
        vp_device_write (vp, off, value, size);
      g_mutex_unlock (&vp->lock);
    }
}

static const IoOps vp_bar_ops = { vp_bar_read, vp_bar_write };

static void
vp_set_ioeventfds (VirtioPci *vp, uint64_t base, bool assign)
{
  for (unsigned q = 0; q < vp->ops->n_queues; q++)
    {
      g_autoptr (GError) error = NULL;

      if (!kvm_ioeventfd (vp->vm_fd, base + VP_NOTIFY_OFFSET + q * VP_NOTIFY_MULT,
                          vp->queues[q].kick_fd, assign, &error))
        g_warning ("%s", error->message); /* the MMIO path still works */
    }
}

/* The guest moved BAR 0: the doorbells go with it. */
static void
vp_bar_mapped (PciDevice *pci, unsigned bar, uint64_t addr)
{
  VirtioPci *vp = pci->opaque;

  if (bar != 0 || vp->vm_fd < 0)
    return;
  if (vp->ioeventfd_base != 0)
    vp_set_ioeventfds (vp, vp->ioeventfd_base, false);
  vp->ioeventfd_base = addr;
  if (addr != 0)
    vp_set_ioeventfds (vp, addr, true);
}

/* The PCI_CFG window: where in BAR 0 it points, if anywhere valid. */
static bool
vp_cfg_window (VirtioPci *vp, uint32_t *offset, unsigned *len)
{
  const uint8_t *c = vp->pci.config + vp->cfg_cap;

  *offset = c[VP_CFG_OFFSET] | c[VP_CFG_OFFSET + 1] << 8 | c[VP_CFG_OFFSET + 2] << 16 |
            (uint32_t) c[VP_CFG_OFFSET + 3] << 24;
  *len = c[VP_CFG_LENGTH];
  if (c[VP_CFG_BAR] != 0 || (*len != 1 && *len != 2 && *len != 4))
    return false;
  return (*offset & (*len - 1)) == 0 && *offset <= VP_BAR_SIZE - *len;
}

static bool
vp_touches_cfg_data (VirtioPci *vp, unsigned offset, unsigned size)
{
  unsigned data = vp->cfg_cap + VP_CFG_DATA;

  return offset < data + 4 && data < offset + size;
}

static void
vp_config_written (PciDevice *pci, unsigned offset, unsigned size)
{
  VirtioPci *vp = pci->opaque;
  uint32_t bar_offset, value;
  unsigned len;

  msix_config_written (&vp->msix, offset, size);
  if (!vp_touches_cfg_data (vp, offset, size) || !vp_cfg_window (vp, &bar_offset, &len))
    return;
  memcpy (&value, pci->config + vp->cfg_cap + VP_CFG_DATA, 4);
  vp_bar_write (vp, bar_offset, value, len);
}

static void
vp_config_read (PciDevice *pci, unsigned offset, unsigned size)
{
  VirtioPci *vp = pci->opaque;
  uint32_t bar_offset, value;
  unsigned len;

  if (!vp_touches_cfg_data (vp, offset, size) || !vp_cfg_window (vp, &bar_offset, &len))
    return;
  value = vp_bar_read (vp, bar_offset, len);
  memcpy (pci->config + vp->cfg_cap + VP_CFG_DATA, &value, 4);
}

static void
vp_msix_fire (void *opaque, unsigned vector)
{
  VirtioPci *vp = opaque;
  uint64_t one = 1;

  if (write (vp->irq_fds[vector], &one, sizeof one) < 0)
    g_warning ("virtio interrupt: %s", g_strerror (errno));
}

static void
vp_msix_route (void *opaque, unsigned vector, uint64_t addr, uint32_t data)
{
  VirtioPci *vp = opaque;
  g_autoptr (GError) error = NULL;

  if (vp->routing != NULL &&
      !irq_routing_set_msi (vp->routing, vp->gsis[vector], addr, data, &error))
    g_warning ("%s", error->message);
}

/* A virtio_pci_cap (4.1.4) pointing into BAR 0. */
static unsigned
vp_add_cap (VirtioPci *vp, uint8_t type, uint32_t offset, uint32_t length, unsigned extra)
{
  PciDevice *pci = &vp->pci;
  unsigned cap = pci_device_add_capability (pci, PCI_CAP_ID_VENDOR, 16 + extra);

  pci->config[cap + 2] = 16 + extra;
  pci->config[cap + 3] = type;
  pci->config[cap + 4] = 0; /* BAR 0 */
  pci_config_set32 (pci, cap + 8, offset);
  pci_config_set32 (pci, cap + 12, length);
  if (type == VIRTIO_PCI_CAP_NOTIFY)
    pci_config_set32 (pci, cap + 16, VP_NOTIFY_MULT);
  return cap;
}

static void
vp_init_pci (VirtioPci *vp)
{
  PciDevice *pci = &vp->pci;
  PciBarInfo bar = { VP_BAR_SIZE, true, false, &vp_bar_ops, vp };
  MsixSink sink = { vp_msix_fire, vp_msix_route, vp };

  pci_device_init (pci, VIRTIO_PCI_VENDOR, VIRTIO_PCI_DEVICE_BASE + vp->ops->device_id,
                   vp->ops->pci_class, 1);
  pci_config_set16 (pci, PCI_SUBSYSTEM_VID, VIRTIO_PCI_VENDOR);
  pci_config_set16 (pci, PCI_SUBSYSTEM_ID, 0x40);
  pci->config[PCI_INTERRUPT_PIN] = 1; /* INTA# */
  pci->opaque = vp;
  pci->bar_mapped = vp_bar_mapped;
  pci->config_written = vp_config_written;
  pci->config_read = vp_config_read;
  pci_device_set_bar (pci, 0, &bar);
  vp_add_cap (vp, VIRTIO_PCI_CAP_COMMON, VP_COMMON_OFFSET, VP_COMMON_SIZE, 0);
  vp_add_cap (vp, VIRTIO_PCI_CAP_ISR, VP_ISR_OFFSET, 1, 0);
  if (vp->ops->config_size > 0)
    vp_add_cap (vp, VIRTIO_PCI_CAP_DEVICE, VP_DEVICE_OFFSET, vp->ops->config_size, 0);
  vp_add_cap (vp, VIRTIO_PCI_CAP_NOTIFY, VP_NOTIFY_OFFSET, vp->ops->n_queues * VP_NOTIFY_MULT, 4);
  /* The window through configuration space: BAR, offset, length and data
   * are the driver's to write. */
  vp->cfg_cap = vp_add_cap (vp, VIRTIO_PCI_CAP_PCI_CFG, 0, 0, 4);
  memset (pci->wmask + vp->cfg_cap + VP_CFG_BAR, 0xff, 1);
  memset (pci->wmask + vp->cfg_cap + VP_CFG_OFFSET, 0xff, 8);
  memset (pci->wmask + vp->cfg_cap + VP_CFG_DATA, 0xff, 4);
  msix_init (&vp->msix, pci, vp->n_vectors, 0, VP_MSIX_TABLE, VP_MSIX_PBA, &sink);
}

static gboolean
vp_new_eventfd (int *fd, GError **error)
{
  *fd = eventfd (0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (*fd >= 0)
    return TRUE;
  g_set_error (error, HV_VMM_ERROR, HV_VMM_ERROR_FAILED,
               _ ("Could not create an event for a virtio device: %s."), g_strerror (errno));
  return FALSE;
}

static gboolean
vp_init_fds (VirtioPci *vp, GError **error)
{
  if (!vp_new_eventfd (&vp->stop_fd, error))
    return FALSE;
  for (unsigned q = 0; q < vp->ops->n_queues; q++)
    {
      if (!vp_new_eventfd (&vp->queues[q].kick_fd, error))
        return FALSE;
    }
  for (unsigned v = 0; v < vp->n_vectors; v++)
    {
      if (!vp_new_eventfd (&vp->irq_fds[v], error))
        return FALSE;
      if (vp->routing != NULL)
        {
          vp->gsis[v] = irq_routing_add_msi (vp->routing, vp->irq_fds[v], error);
          if (vp->gsis[v] < 0)
            return FALSE;
        }
    }
  return TRUE;
}

VirtioPci *
virtio_pci_new (const VirtioDeviceOps *ops, void *dev, const GuestMemory *mem, int vm_fd,
                IrqRouting *routing, GError **error)
{
  VirtioPci *vp = g_new0 (VirtioPci, 1);

  g_assert (ops->n_queues > 0 && ops->n_queues <= VIRTIO_PCI_MAX_QUEUES);
  vp->ops = ops;
  vp->dev = dev;
  vp->mem = mem;
  vp->vm_fd = vm_fd;
  vp->routing = routing;
  vp->n_vectors = ops->n_queues + 1; /* one a queue, one for configuration changes */
  vp->stop_fd = -1;
  for (unsigned i = 0; i < G_N_ELEMENTS (vp->irq_fds); i++)
    vp->irq_fds[i] = -1;
  for (unsigned q = 0; q < G_N_ELEMENTS (vp->queues); q++)
    vp->queues[q].kick_fd = -1;
  g_mutex_init (&vp->lock);
  vp_init_pci (vp);
  vp_reset_locked (vp);
  if (!vp_init_fds (vp, error))
    {
      virtio_pci_free (vp);
      return NULL;
    }
  vp->thread = g_thread_new ("virtio-io", vp_io_thread, vp);
  return vp;
}

static void
vp_close (int fd)
{
  if (fd >= 0)
    close (fd);
}

void
virtio_pci_free (VirtioPci *vp)
{
  uint64_t one = 1;

  if (vp == NULL)
    return;
  if (vp->thread != NULL)
    {
      if (write (vp->stop_fd, &one, sizeof one) < 0)
        g_warning ("virtio stop: %s", g_strerror (errno));
      g_thread_join (vp->thread);
    }
  if (vp->ioeventfd_base != 0)
    vp_set_ioeventfds (vp, vp->ioeventfd_base, false);
  vp_close (vp->stop_fd);
  for (unsigned q = 0; q < G_N_ELEMENTS (vp->queues); q++)
    vp_close (vp->queues[q].kick_fd);
  /* irqfds stay bound to their GSIs until the VM goes; the fds can close. */
  for (unsigned v = 0; v < G_N_ELEMENTS (vp->irq_fds); v++)
    vp_close (vp->irq_fds[v]);
  msix_clear (&vp->msix);
  g_mutex_clear (&vp->lock);
  g_free (vp);
}

PciDevice *
virtio_pci_get_pci_device (VirtioPci *vp)
{
  return &vp->pci;
}

void
virtio_pci_reset (VirtioPci *vp)
{
  g_mutex_lock (&vp->lock);
  vp_reset_locked (vp);
  g_mutex_unlock (&vp->lock);
  msix_reset (&vp->msix);
}

uint8_t
virtio_pci_get_status (VirtioPci *vp)
{
  uint8_t status;

  g_mutex_lock (&vp->lock);
  status = vp->status;
  g_mutex_unlock (&vp->lock);
  return status;
}

int
virtio_pci_get_irq_fd (VirtioPci *vp, unsigned vector)
{
  g_return_val_if_fail (vector < vp->n_vectors, -1);
  return vp->irq_fds[vector];
}

void
virtio_pci_notify (VirtioPci *vp, unsigned queue)
{
  g_return_if_fail (vp != NULL && queue < vp->ops->n_queues);
  /* The doorbell's eventfd: the I/O thread cannot tell it from a kick. */
  vp_kick (vp, queue);
}
