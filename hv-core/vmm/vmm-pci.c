/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The PCI side of the machine: host bridge, virtio-blk disks, virtio-net
 * NICs, virtio-rng. */
#include "config.h"

#include "vmm-private.h"

#include "bus/pci.h"
#include "dev/pci-host.h"
#include "kvm/irq-routing.h"
#include "virtio/blk.h"
#include "virtio/console.h"
#include "virtio/input.h"
#include "virtio/net.h"
#include "virtio/pci.h"
#include "virtio/rng.h"

struct vmm_pci
{
  PciBus *bus;
  PciHost *host;
  IrqRouting *routing;
  GPtrArray *transports; /* VirtioPci */
  GPtrArray *disks;      /* VirtioBlk, in command-line order */
  GPtrArray *nics;       /* VirtioNet, in command-line order */
  GPtrArray *nic_specs;  /* their back ends' SPECs */
  VirtioRng *rng;
  VirtioConsole *console2;        /* console2.sock */
  VirtioInput *keyboard, *tablet; /* with a display only */
  VmmDiskConfig *disk_configs;    /* vmm->config.disks, ours */
  GStrv disk_strings;             /* what disk_configs point to */
};

static void
vmm_pci_set_irq (void *opaque, unsigned irq, int level)
{
  kvm_irq_line (opaque, irq, level);
}

static gboolean
vmm_pci_add_virtio (Vmm *vmm, const VirtioDeviceOps *ops, void *dev, GError **error)
{
  VmmPci *p = vmm->pci;
  VirtioPci *vp = virtio_pci_new (ops, dev, &vmm->kvm.mem, vmm->kvm.vm_fd, p->routing, error);

  if (vp == NULL)
    return FALSE;
  g_ptr_array_add (p->transports, vp);
  return pci_bus_add (p->bus, virtio_pci_get_pci_device (vp), error);
}

static gboolean
vmm_pci_add_disk (Vmm *vmm, const VmmDiskConfig *disk, GError **error)
{
  BlockImage *image = block_image_open (disk->path, disk->readonly, error);
  VirtioBlk *blk;

  if (image == NULL)
    return FALSE;
  blk = virtio_blk_new (image, disk->serial);
  g_ptr_array_add (vmm->pci->disks, blk);
  return vmm_pci_add_virtio (vmm, &virtio_blk_ops, blk, error);
}

/* Host-side input for a device's queue: its I/O thread takes it. */
static void
vmm_pci_notify_queue (void *data, unsigned queue)
{
  virtio_pci_notify (data, queue);
}

/* The back end delivers frames on the default main context, the main
 * thread's; the device hands them to its I/O thread. */
static gboolean
vmm_pci_add_nic (Vmm *vmm, const VmmNicConfig *nic, GError **error)
{
  VmmPci *p = vmm->pci;
  NetBackend *backend = net_backend_new_for_spec (nic->backend, nic->mac, NULL, error);
  VirtioNet *net;

  if (backend == NULL)
    return FALSE;
  net = virtio_net_new (backend, nic->mac);
  g_ptr_array_add (p->nics, net);
  g_ptr_array_add (p->nic_specs, g_strdup (nic->backend));
  if (!vmm_pci_add_virtio (vmm, &virtio_net_ops, net, error))
    return FALSE;
  virtio_net_set_kick (net, vmm_pci_notify_queue,
                       g_ptr_array_index (p->transports, p->transports->len - 1));
  return TRUE;
}

static VirtioPci *
vmm_pci_last_transport (Vmm *vmm)
{
  return g_ptr_array_index (vmm->pci->transports, vmm->pci->transports->len - 1);
}

static gboolean
vmm_pci_add_console2 (Vmm *vmm, GError **error)
{
  VmmPci *p = vmm->pci;

  p->console2 = virtio_console_new ();
  if (!vmm_pci_add_virtio (vmm, &virtio_console_ops, p->console2, error))
    return FALSE;
  virtio_console_set_notify_func (p->console2, vmm_pci_notify_queue, vmm_pci_last_transport (vmm));
  return TRUE;
}

static gboolean
vmm_pci_add_input (Vmm *vmm, VirtioInput *input, GError **error)
{
  if (!vmm_pci_add_virtio (vmm, &virtio_input_ops, input, error))
    return FALSE;
  virtio_input_set_notify_func (input, vmm_pci_notify_queue, vmm_pci_last_transport (vmm));
  return TRUE;
}

/* A virtio keyboard and tablet where a display gives them input: the
 * tablet lets SPICE clients use absolute (client) mouse mode. */
static gboolean
vmm_pci_add_inputs (Vmm *vmm, GError **error)
{
  VmmPci *p = vmm->pci;

  if (vmm->config.display_width == 0)
    return TRUE;
  p->keyboard = virtio_input_new (VIRTIO_INPUT_KEYBOARD);
  p->tablet = virtio_input_new (VIRTIO_INPUT_TABLET);
  return vmm_pci_add_input (vmm, p->keyboard, error) && vmm_pci_add_input (vmm, p->tablet, error);
}

static uint64_t
vmm_pci_ram_end (Vmm *vmm)
{
  const GuestMemory *mem = &vmm->kvm.mem;

  return mem->high_size > 0 ? GUEST_MEM_HIGH_START + mem->high_size : mem->low_size;
}

static gboolean
vmm_pci_register (Vmm *vmm, GError **error)
{
  VmmPci *p = vmm->pci;

  return io_bus_register (vmm->bus, IO_SPACE_PIO, PCI_HOST_CONFIG_ADDR_PORT, 4, &pci_host_addr_ops,
                          p->host, error) &&
         io_bus_register (vmm->bus, IO_SPACE_PIO, PCI_HOST_CONFIG_DATA_PORT, 4, &pci_host_data_ops,
                          p->host, error) &&
         io_bus_register (vmm->bus, IO_SPACE_MMIO, PCI_ECAM_BASE, PCI_ECAM_SIZE, &pci_host_ecam_ops,
                          p->host, error) &&
         pci_bus_register_windows (p->bus, vmm->bus, error);
}

/* The configuration points at the caller's strings: keep copies. */
static void
vmm_pci_copy_disks (Vmm *vmm)
{
  VmmPci *p = vmm->pci;
  unsigned n = vmm->config.n_disks;
  g_autoptr (GStrvBuilder) strings = g_strv_builder_new ();

  for (unsigned i = 0; i < n; i++)
    {
      g_strv_builder_add (strings, vmm->config.disks[i].path);
      g_strv_builder_add (strings,
                          vmm->config.disks[i].serial != NULL ? vmm->config.disks[i].serial : "");
    }
  p->disk_strings = g_strv_builder_end (strings);
  p->disk_configs = g_new0 (VmmDiskConfig, MAX (n, 1));
  for (unsigned i = 0; i < n; i++)
    {
      p->disk_configs[i] = vmm->config.disks[i];
      p->disk_configs[i].path = p->disk_strings[2 * i];
      if (vmm->config.disks[i].serial != NULL)
        p->disk_configs[i].serial = p->disk_strings[2 * i + 1];
    }
  vmm->config.disks = p->disk_configs;
}

gboolean
vmm_pci_init (Vmm *vmm, GError **error)
{
  VmmPci *p = g_new0 (VmmPci, 1);

  vmm->pci = p;
  vmm_pci_copy_disks (vmm);
  p->bus = pci_bus_new ((IrqLine){ vmm_pci_set_irq, &vmm->kvm }, vmm_pci_ram_end (vmm));
  p->routing = irq_routing_new (vmm->kvm.vm_fd);
  p->transports = g_ptr_array_new_with_free_func ((GDestroyNotify) virtio_pci_free);
  p->disks = g_ptr_array_new_with_free_func ((GDestroyNotify) virtio_blk_free);
  p->nics = g_ptr_array_new_with_free_func ((GDestroyNotify) virtio_net_free);
  p->nic_specs = g_ptr_array_new_with_free_func (g_free);
  p->host = pci_host_new (p->bus, error);
  if (p->host == NULL || !vmm_pci_register (vmm, error))
    return FALSE;
  for (unsigned i = 0; i < vmm->config.n_disks; i++)
    {
      if (!vmm_pci_add_disk (vmm, &vmm->config.disks[i], error))
        return FALSE;
    }
  for (unsigned i = 0; i < vmm->config.n_nics; i++)
    {
      if (!vmm_pci_add_nic (vmm, &vmm->config.nics[i], error))
        return FALSE;
    }
  vmm->config.nics = NULL;
  vmm->config.n_nics = 0;
  if (!vmm_pci_add_console2 (vmm, error) || !vmm_pci_add_inputs (vmm, error))
    return FALSE;
  p->rng = virtio_rng_new ();
  return vmm_pci_add_virtio (vmm, &virtio_rng_ops, p->rng, error);
}

void
vmm_pci_reset (Vmm *vmm)
{
  VmmPci *p = vmm->pci;

  for (unsigned i = 0; i < p->transports->len; i++)
    virtio_pci_reset (g_ptr_array_index (p->transports, i));
  pci_host_reset (p->host);
  pci_bus_reset (p->bus);
}

void
vmm_pci_fini (Vmm *vmm)
{
  VmmPci *p = vmm->pci;

  if (p == NULL)
    return;
  /* The transports first: their I/O threads use the device models. */
  g_clear_pointer (&p->transports, g_ptr_array_unref);
  g_clear_pointer (&p->disks, g_ptr_array_unref);
  g_clear_pointer (&p->nics, g_ptr_array_unref);
  g_clear_pointer (&p->nic_specs, g_ptr_array_unref);
  g_clear_pointer (&p->rng, virtio_rng_free);
  g_clear_pointer (&p->console2, virtio_console_free);
  g_clear_pointer (&p->keyboard, virtio_input_free);
  g_clear_pointer (&p->tablet, virtio_input_free);
  g_clear_pointer (&p->host, pci_host_free);
  g_clear_pointer (&p->bus, pci_bus_free);
  g_clear_pointer (&p->routing, irq_routing_free);
  vmm->config.disks = NULL;
  vmm->config.n_disks = 0;
  g_free (p->disk_configs);
  g_strfreev (p->disk_strings);
  g_clear_pointer (&vmm->pci, g_free);
}

uint64_t
vmm_pci_get_mmio64_base (Vmm *vmm)
{
  return pci_bus_get_mmio64_base (vmm->pci->bus);
}

static void
vmm_block_info_clear (gpointer data)
{
  VmmBlockInfo *info = data;

  g_free (info->id);
  g_free (info->path);
}

GArray *
vmm_query_block (Vmm *vmm)
{
  GArray *list = g_array_new (FALSE, TRUE, sizeof (VmmBlockInfo));

  g_array_set_clear_func (list, vmm_block_info_clear);
  for (unsigned i = 0; vmm->pci != NULL && i < vmm->pci->disks->len; i++)
    {
      BlockImage *image = virtio_blk_get_image (g_ptr_array_index (vmm->pci->disks, i));
      VmmBlockInfo info = { 0 };
      BlockStats stats;

      block_image_get_stats (image, &stats);
      info.id = g_strdup_printf ("disk%u", i);
      info.path = g_strdup (block_image_get_path (image));
      info.readonly = block_image_is_readonly (image);
      info.size = block_image_get_size (image);
      info.requests = stats.requests;
      info.read_bytes = stats.read_bytes;
      info.written_bytes = stats.written_bytes;
      info.flushes = stats.flushes;
      info.discards = stats.discards;
      info.errors = stats.errors;
      g_array_append_val (list, info);
    }
  return list;
}

static void
vmm_nic_info_clear (gpointer data)
{
  VmmNicInfo *info = data;

  g_free (info->id);
  g_free (info->mac);
  g_free (info->backend);
}

GArray *
vmm_query_nics (Vmm *vmm)
{
  GArray *list = g_array_new (FALSE, TRUE, sizeof (VmmNicInfo));

  g_array_set_clear_func (list, vmm_nic_info_clear);
  for (unsigned i = 0; vmm->pci != NULL && i < vmm->pci->nics->len; i++)
    {
      VirtioNet *net = g_ptr_array_index (vmm->pci->nics, i);
      VmmNicInfo info = { 0 };
      VirtioNetStats stats;
      uint8_t m[6];

      virtio_net_get_stats (net, &stats);
      virtio_net_get_mac (net, m);
      info.id = g_strdup_printf ("net%u", i);
      info.mac =
          g_strdup_printf ("%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
      info.backend = g_strdup (g_ptr_array_index (vmm->pci->nic_specs, i));
      info.rx_frames = stats.rx_frames;
      info.rx_bytes = stats.rx_bytes;
      info.tx_frames = stats.tx_frames;
      info.tx_bytes = stats.tx_bytes;
      info.rx_dropped = stats.rx_dropped;
      info.tx_dropped = stats.tx_dropped;
      g_array_append_val (list, info);
    }
  return list;
}

void
vmm_set_console2_output_func (Vmm *vmm, VmmConsoleOutputFunc func, void *user_data)
{
  g_return_if_fail (vmm != NULL && vmm->pci != NULL);
  virtio_console_set_output_func (vmm->pci->console2, func, user_data);
}

void
vmm_console2_input (Vmm *vmm, const uint8_t *bytes, size_t len)
{
  g_return_if_fail (vmm != NULL && vmm->pci != NULL);
  virtio_console_input (vmm->pci->console2, bytes, len);
}

struct virtio_input *
vmm_get_virtio_tablet (Vmm *vmm)
{
  g_return_val_if_fail (vmm != NULL, NULL);
  return vmm->pci != NULL ? vmm->pci->tablet : NULL;
}

struct virtio_input *
vmm_get_virtio_keyboard (Vmm *vmm)
{
  g_return_val_if_fail (vmm != NULL, NULL);
  return vmm->pci != NULL ? vmm->pci->keyboard : NULL;
}

PciBus *
vmm_pci_get_bus (Vmm *vmm)
{
  return vmm->pci->bus;
}
