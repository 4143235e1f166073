/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The machine's devices, created and reset in the order of one table. */
#include "config.h"

#include "vmm-private.h"

#include "acpi/acpi.h"

typedef struct
{
  const char *name;
  gboolean (*init) (Vmm *vmm, GError **error);
  void (*reset) (Vmm *vmm);
  void (*fini) (Vmm *vmm);
} VmmDevice;

static void
vmm_irq_set_level (void *opaque, unsigned irq, int level)
{
  kvm_irq_line (opaque, irq, level);
}

static IrqLine
vmm_irq_line (Vmm *vmm)
{
  return (IrqLine){ vmm_irq_set_level, &vmm->kvm };
}

static gboolean
vmm_pio (Vmm *vmm, uint64_t base, uint64_t len, const IoOps *ops, void *opaque, GError **error)
{
  return io_bus_register (vmm->bus, IO_SPACE_PIO, base, len, ops, opaque, error);
}

/* COM1 */

static gboolean
serial_dev_init (Vmm *vmm, GError **error)
{
  vmm->serial = serial_new (vmm_irq_line (vmm), SERIAL_COM1_IRQ);
  return vmm_pio (vmm, SERIAL_COM1_BASE, SERIAL_NR_PORTS, &serial_io_ops, vmm->serial, error);
}

static void
serial_dev_reset (Vmm *vmm)
{
  serial_reset (vmm->serial);
}

static void
serial_dev_fini (Vmm *vmm)
{
  g_clear_pointer (&vmm->serial, serial_free);
}

/* i8042 */

static void
i8042_dev_reset_request (void *user_data)
{
  g_debug ("i8042: the guest pulsed the reset line");
  vmm_request (user_data, VMM_REQUEST_RESET, NULL);
}

static gboolean
i8042_dev_init (Vmm *vmm, GError **error)
{
  vmm->i8042 = i8042_new (vmm_irq_line (vmm), i8042_dev_reset_request, vmm);
  return vmm_pio (vmm, I8042_DATA_PORT, 1, &i8042_data_ops, vmm->i8042, error) &&
         vmm_pio (vmm, I8042_COMMAND_PORT, 1, &i8042_command_ops, vmm->i8042, error);
}

static void
i8042_dev_reset (Vmm *vmm)
{
  i8042_reset (vmm->i8042);
}

static void
i8042_dev_fini (Vmm *vmm)
{
  g_clear_pointer (&vmm->i8042, i8042_free);
}

/* CMOS RTC */

static gboolean
rtc_dev_init (Vmm *vmm, GError **error)
{
  vmm->rtc = rtc_new (NULL, NULL);
  return vmm_pio (vmm, RTC_INDEX_PORT, RTC_NR_PORTS, &rtc_io_ops, vmm->rtc, error);
}

static void
rtc_dev_reset (Vmm *vmm)
{
  rtc_reset (vmm->rtc);
}

static void
rtc_dev_fini (Vmm *vmm)
{
  g_clear_pointer (&vmm->rtc, rtc_free);
}

/* ACPI PM registers */

static void
acpi_pm_dev_request (AcpiPmRequest request, void *user_data)
{
  switch (request)
    {
      case ACPI_PM_REQUEST_POWEROFF:
        vmm_request (user_data, VMM_REQUEST_SHUTDOWN, NULL);
        break;
      case ACPI_PM_REQUEST_RESET:
        g_debug ("ACPI: the guest wrote the reset register");
        vmm_request (user_data, VMM_REQUEST_RESET, NULL);
        break;
      default:
        g_assert_not_reached ();
    }
}

static gboolean
acpi_pm_dev_init (Vmm *vmm, GError **error)
{
  vmm->pm = acpi_pm_new (vmm_irq_line (vmm), acpi_pm_dev_request, vmm, NULL, NULL);
  return vmm_pio (vmm, ACPI_PM_BASE, ACPI_PM_SIZE, &acpi_pm_io_ops, vmm->pm, error);
}

static void
acpi_pm_dev_reset (Vmm *vmm)
{
  acpi_pm_reset (vmm->pm);
}

static void
acpi_pm_dev_fini (Vmm *vmm)
{
  g_clear_pointer (&vmm->pm, acpi_pm_free);
}

/* Ports no device decodes (POST codes at 0x80, probes of absent
 * hardware) need no entry: the bus reads them as 0xff and drops writes.
 * The PIC, PIT, speaker port 0x61 and ELCR live in KVM. */
static const VmmDevice vmm_devices[] = {
  { "serial", serial_dev_init, serial_dev_reset, serial_dev_fini },
  { "i8042", i8042_dev_init, i8042_dev_reset, i8042_dev_fini },
  { "rtc", rtc_dev_init, rtc_dev_reset, rtc_dev_fini },
  { "acpi-pm", acpi_pm_dev_init, acpi_pm_dev_reset, acpi_pm_dev_fini },
  { "pci", vmm_pci_init, vmm_pci_reset, vmm_pci_fini },
};

gboolean
vmm_devices_init (Vmm *vmm, GError **error)
{
  vmm->bus = io_bus_new ();
  for (unsigned i = 0; i < G_N_ELEMENTS (vmm_devices); i++)
    {
      if (!vmm_devices[i].init (vmm, error))
        {
          g_prefix_error (error, "%s: ", vmm_devices[i].name);
          return FALSE;
        }
    }
  return TRUE;
}

void
vmm_devices_reset (Vmm *vmm)
{
  for (unsigned i = 0; i < G_N_ELEMENTS (vmm_devices); i++)
    vmm_devices[i].reset (vmm);
}

void
vmm_devices_fini (Vmm *vmm)
{
  /* The bus first: no vCPU may reach a device that is going away. */
  g_clear_pointer (&vmm->bus, io_bus_free);
  for (unsigned i = G_N_ELEMENTS (vmm_devices); i-- > 0;)
    vmm_devices[i].fini (vmm);
}
