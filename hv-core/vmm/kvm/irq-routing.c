/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "irq-routing.h"

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <linux/kvm.h>
#include <sys/ioctl.h>

#include "vmm.h"

/* GSIs 0-23 are the IOAPIC's (and 0-15 the PICs'); MSIs come after. */
#define IRQ_ROUTING_FIRST_MSI 24
#define IRQ_ROUTING_MAX       (IRQ_ROUTING_FIRST_MSI + 256)

struct irq_routing
{
  int vm_fd;
  GMutex lock;
  GArray *msi; /* struct kvm_irq_routing_entry, GSI order */
};

IrqRouting *
irq_routing_new (int vm_fd)
{
  IrqRouting *r = g_new0 (IrqRouting, 1);

  r->vm_fd = vm_fd;
  g_mutex_init (&r->lock);
  r->msi = g_array_new (FALSE, TRUE, sizeof (struct kvm_irq_routing_entry));
  return r;
}

void
irq_routing_free (IrqRouting *r)
{
  if (r == NULL)
    return;
  g_array_unref (r->msi);
  g_mutex_clear (&r->lock);
  g_free (r);
}

static gboolean
irq_routing_fail (GError **error, const char *what)
{
  g_set_error (error, HV_VMM_ERROR, HV_VMM_ERROR_FAILED,
               _ ("KVM could not set up the machine's interrupts (%s failed: %s)."), what,
               g_strerror (errno));
  return FALSE;
}

static void
irq_routing_add_chip (struct kvm_irq_routing *t, unsigned gsi, unsigned chip, unsigned pin)
{
  struct kvm_irq_routing_entry *e = &t->entries[t->nr++];

  e->gsi = gsi;
  e->type = KVM_IRQ_ROUTING_IRQCHIP;
  e->u.irqchip.irqchip = chip;
  e->u.irqchip.pin = pin;
}

/* KVM_SET_GSI_ROUTING replaces the whole table, so it restates the wiring
 * of a PC: ISA IRQs on the PICs (2 is the cascade) and on the IOAPIC, IRQ 0
 * on IOAPIC input 2 as the MADT's override says; then the MSIs. */
static gboolean
irq_routing_commit (IrqRouting *r, GError **error)
{
  g_autofree struct kvm_irq_routing *t =
      g_malloc0 (sizeof *t + (16 + 24 + r->msi->len) * sizeof (struct kvm_irq_routing_entry));

  for (unsigned i = 0; i < 16; i++)
    {
      if (i != 2)
        irq_routing_add_chip (t, i, i < 8 ? KVM_IRQCHIP_PIC_MASTER : KVM_IRQCHIP_PIC_SLAVE, i % 8);
    }
  for (unsigned i = 0; i < 24; i++)
    {
      if (i != 2)
        irq_routing_add_chip (t, i, KVM_IRQCHIP_IOAPIC, i == 0 ? 2 : i);
    }
  for (unsigned i = 0; i < r->msi->len; i++)
    t->entries[t->nr++] = g_array_index (r->msi, struct kvm_irq_routing_entry, i);
  if (ioctl (r->vm_fd, KVM_SET_GSI_ROUTING, t) < 0)
    return irq_routing_fail (error, "KVM_SET_GSI_ROUTING");
  return TRUE;
}

int
irq_routing_add_msi (IrqRouting *r, int eventfd, GError **error)
{
  struct kvm_irq_routing_entry e = { .type = KVM_IRQ_ROUTING_MSI };
  struct kvm_irqfd irqfd = { .fd = eventfd };
  int gsi = -1;

  g_mutex_lock (&r->lock);
  if (r->msi->len >= IRQ_ROUTING_MAX - IRQ_ROUTING_FIRST_MSI)
    {
      g_set_error (error, HV_VMM_ERROR, HV_VMM_ERROR_FAILED,
                   _ ("The machine's devices need more interrupts than KVM can route."));
      goto out;
    }
  e.gsi = IRQ_ROUTING_FIRST_MSI + r->msi->len;
  /* Until the guest programs the vector: the LAPIC of CPU 0, vector 0,
   * never sent because the vector starts masked. */
  e.u.msi.address_lo = 0xfee00000u;
  g_array_append_val (r->msi, e);
  if (!irq_routing_commit (r, error))
    {
      g_array_set_size (r->msi, r->msi->len - 1);
      goto out;
    }
  irqfd.gsi = e.gsi;
  if (ioctl (r->vm_fd, KVM_IRQFD, &irqfd) < 0)
    {
      irq_routing_fail (error, "KVM_IRQFD");
      goto out;
    }
  gsi = e.gsi;
out:
  g_mutex_unlock (&r->lock);
  return gsi;
}

gboolean
irq_routing_set_msi (IrqRouting *r, unsigned gsi, uint64_t addr, uint32_t data, GError **error)
{
  struct kvm_irq_routing_entry *e;
  gboolean ok;

  g_mutex_lock (&r->lock);
  g_assert (gsi >= IRQ_ROUTING_FIRST_MSI && gsi - IRQ_ROUTING_FIRST_MSI < r->msi->len);
  e = &g_array_index (r->msi, struct kvm_irq_routing_entry, gsi - IRQ_ROUTING_FIRST_MSI);
  e->u.msi.address_lo = (uint32_t) addr;
  e->u.msi.address_hi = addr >> 32;
  e->u.msi.data = data;
  ok = irq_routing_commit (r, error);
  g_mutex_unlock (&r->lock);
  return ok;
}

gboolean
kvm_ioeventfd (int vm_fd, uint64_t addr, int eventfd, bool assign, GError **error)
{
  struct kvm_ioeventfd io = {
    .addr = addr,
    .len = 2,
    .fd = eventfd,
    .flags = assign ? 0 : KVM_IOEVENTFD_FLAG_DEASSIGN,
  };

  if (ioctl (vm_fd, KVM_IOEVENTFD, &io) < 0)
    return irq_routing_fail (error, "KVM_IOEVENTFD");
  return TRUE;
}
