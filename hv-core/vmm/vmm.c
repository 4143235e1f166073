/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The machine's lifecycle (vmm.h): creation, boot, pause, reset, quit. */
#include "config.h"

#include "vmm-private.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "acpi/acpi.h"
#include "boot/layout.h"
#include "display/framebuffer.h"

/* Below this even the boot structures under 1 MiB do not fit. */
#define VMM_MIN_MEMORY_MIB 2
/* Far above any host, and low enough that MiB to bytes cannot overflow. */
#define VMM_MAX_MEMORY_MIB (1ull << 26)

static void
vmm_copy_config (Vmm *vmm, const VmmConfig *config)
{
  vmm->name = g_strdup (config->name);
  vmm->uuid = g_strdup (config->uuid);
  vmm->kernel_path = g_strdup (config->kernel_path);
  vmm->initrd_path = g_strdup (config->initrd_path);
  vmm->cmdline = g_strdup (config->cmdline);
  vmm->config = *config;
  vmm->config.name = vmm->name;
  vmm->config.uuid = vmm->uuid;
  vmm->config.kernel_path = vmm->kernel_path;
  vmm->config.initrd_path = vmm->initrd_path;
  vmm->config.cmdline = vmm->cmdline;
}

static gboolean
vmm_check_cpus (Vmm *vmm, GError **error)
{
  unsigned limit = MIN (vmm->kvm.max_vcpus, KVM_VMM_MAX_CPUS);

  if (vmm->config.cpus == 0)
    {
      g_set_error (error, HV_VMM_ERROR, HV_VMM_ERROR_TOO_MANY_CPUS,
                   _ ("The machine has no virtual CPUs. Give it at least one."));
      return FALSE;
    }
  if (vmm->config.cpus > limit)
    {
      g_set_error (error, HV_VMM_ERROR, HV_VMM_ERROR_TOO_MANY_CPUS,
                   _ ("The machine has %u virtual CPUs, but at most %u are possible here (KVM "
                      "allows %u, Hangar %u). Give the machine fewer CPUs."),
                   vmm->config.cpus, limit, vmm->kvm.max_vcpus, KVM_VMM_MAX_CPUS);
      return FALSE;
    }
  vmm->n_vcpus = vmm->config.cpus;
  return TRUE;
}

static gboolean
vmm_check_memory (Vmm *vmm, GError **error)
{
  if (vmm->config.memory_mib < VMM_MIN_MEMORY_MIB)
    {
      g_set_error (error, HV_VMM_ERROR, HV_VMM_ERROR_NO_MEMORY,
                   _ ("The machine has %llu MiB of memory; it needs at least "
                      "%u MiB. Give it more memory."),
                   (unsigned long long) vmm->config.memory_mib, VMM_MIN_MEMORY_MIB);
      return FALSE;
    }
  if (vmm->config.memory_mib > VMM_MAX_MEMORY_MIB)
    {
      g_set_error (error, HV_VMM_ERROR, HV_VMM_ERROR_NO_MEMORY,
                   _ ("The machine has more memory (%llu MiB) than any computer "
                      "could give it. Give it less memory."),
                   (unsigned long long) vmm->config.memory_mib);
      return FALSE;
    }
  return kvm_check_host_memory (vmm->config.memory_mib, error);
}

static gboolean
vmm_write_acpi (Vmm *vmm, GError **error)
{
  uint8_t *buf = guest_memory_ptr (&vmm->kvm.mem, BOOT_ACPI_ADDR, BOOT_ACPI_SIZE);

  if (buf == NULL || acpi_build_tables_pci (buf, BOOT_ACPI_SIZE, BOOT_ACPI_ADDR, vmm->n_vcpus,
                                            vmm_pci_get_mmio64_base (vmm)) == 0)
    {
      g_set_error (error, HV_VMM_ERROR, HV_VMM_ERROR_FAILED,
                   _ ("The ACPI tables do not fit in the BIOS area."));
      return FALSE;
    }
  return TRUE;
}

static gboolean
vmm_create_display (Vmm *vmm, GError **error)
{
  const VmmConfig *config = &vmm->config;

  if (config->display_width == 0 || config->display_height == 0)
    return TRUE;
  vmm->fb = framebuffer_new (config->display_width, config->display_height, config->display_fb_file,
                             error);
  return vmm->fb != NULL && framebuffer_register (vmm->fb, vmm->kvm.vm_fd, error);
}

/* The framebuffer also as a PCI display's BAR 0; before the first reset,
 * which gives the BAR its address. */
static gboolean
vmm_add_pci_display (Vmm *vmm, GError **error)
{
  if (vmm->fb == NULL)
    return TRUE;
  vmm->pci_display = pci_display_new (vmm->fb);
  return pci_bus_add (vmm_pci_get_bus (vmm), pci_display_get_device (vmm->pci_display), error);
}

/* Only the bzImage protocol has a screen_info: PVH kernels find no display. */
static void
vmm_announce_display (Vmm *vmm, const BootEntry *entry)
{
  void *zero_page;

  if (vmm->fb == NULL)
    return;
  framebuffer_reset (vmm->fb);
  if (entry->rsi == 0)
    return;
  zero_page = guest_memory_ptr (&vmm->kvm.mem, entry->rsi, 4096); /* struct boot_params */
  if (zero_page != NULL)
    framebuffer_announce (vmm->fb, zero_page, FRAMEBUFFER_ANNOUNCE_EFI);
}

gboolean
vmm_reboot (Vmm *vmm, GError **error)
{
  BootEntry entry;

  vmm_devices_reset (vmm);
  if (!kvm_reset_irqchip (&vmm->kvm, error))
    return FALSE;
  /* Fresh zeroed RAM, so nothing of the last boot can confuse the next. */
  guest_memory_clear (&vmm->kvm.mem);
  if (!vmm_write_acpi (vmm, error) ||
      !boot_loader_load (vmm->loader, &vmm->kvm.mem, BOOT_ACPI_ADDR, &entry, error))
    return FALSE;
  vmm_announce_display (vmm, &entry);
  for (unsigned i = 0; i < vmm->n_vcpus; i++)
    {
      if (!vcpu_reset (&vmm->vcpus[i], &entry, error))
        return FALSE;
    }
  return TRUE;
}

Vmm *
vmm_new (const VmmConfig *config, GError **error)
{
  Vmm *vmm;

  g_return_val_if_fail (config != NULL, NULL);
  g_return_val_if_fail (config->kernel_path != NULL, NULL);

  vmm = g_new0 (Vmm, 1);
  g_mutex_init (&vmm->lock);
  g_cond_init (&vmm->cond);
  vmm->kvm.sys_fd = vmm->kvm.vm_fd = -1;
  vmm->status = VMM_STATUS_PAUSED; /* until vmm_start() */
  vmm_copy_config (vmm, config);

  /* Cheap checks first, so the user hears about all of them quickly. */
  if (!kvm_open (&vmm->kvm, error) || !vmm_check_cpus (vmm, error) ||
      !vmm_check_memory (vmm, error))
    goto fail;
  vmm->loader = boot_loader_new (config->kernel_path, config->initrd_path, config->cmdline,
                                 config->memory_mib << 20, error);
  if (vmm->loader == NULL || !kvm_create_vm (&vmm->kvm, config->memory_mib, error) ||
      !vmm_create_display (vmm, error) || !vmm_devices_init (vmm, error) ||
      !vmm_add_pci_display (vmm, error) || !vmm_cpus_create (vmm, error) ||
      !vmm_reboot (vmm, error))
    goto fail;
  return vmm;

fail:
  vmm_free (vmm);
  return NULL;
}

void
vmm_free (Vmm *vmm)
{
  if (vmm == NULL)
    return;
  vmm_cpus_destroy (vmm);
  g_mutex_lock (&vmm->lock);
  if (vmm->request_source != NULL)
    g_source_destroy (vmm->request_source);
  g_clear_pointer (&vmm->request_source, g_source_unref);
  g_clear_pointer (&vmm->request_message, g_free);
  g_mutex_unlock (&vmm->lock);
  vmm_devices_fini (vmm);
  g_clear_pointer (&vmm->loader, boot_loader_free);
  kvm_close (&vmm->kvm);
  /* After the bus (devices fini) that pointed at it. */
  g_clear_pointer (&vmm->pci_display, pci_display_free);
  g_clear_pointer (&vmm->fb, framebuffer_free);
  g_clear_error (&vmm->fatal_error);
  g_free (vmm->name);
  g_free (vmm->uuid);
  g_free (vmm->kernel_path);
  g_free (vmm->initrd_path);
  g_free (vmm->cmdline);
  g_mutex_clear (&vmm->lock);
  g_cond_clear (&vmm->cond);
  g_free (vmm);
}

void
vmm_set_event_func (Vmm *vmm, VmmEventFunc func, void *user_data)
{
  vmm->event_func = func;
  vmm->event_data = user_data;
}

void
vmm_set_console_output_func (Vmm *vmm, VmmConsoleOutputFunc func, void *user_data)
{
  /* Same shape as the UART's own output hook: no trampoline needed. */
  serial_set_output_func (vmm->serial, func, user_data);
}

void
vmm_emit (Vmm *vmm, VmmEventKind kind, const char *reason)
{
  VmmEvent event = { kind, reason };

  if (vmm->event_func != NULL)
    vmm->event_func (&event, vmm->event_data);
}

gboolean
vmm_start (Vmm *vmm, GError **error)
{
  if (vmm->started)
    {
      g_set_error (error, HV_VMM_ERROR, HV_VMM_ERROR_INVALID_STATE,
                   _ ("The machine is already running."));
      return FALSE;
    }
  if (!vmm_cpus_start (vmm, error))
    return FALSE;
  vmm->started = TRUE;
  vmm->status = VMM_STATUS_RUNNING;
  vmm_cpus_run (vmm);
  return TRUE;
}

VmmStatus
vmm_get_status (Vmm *vmm)
{
  return vmm->status;
}

const VmmConfig *
vmm_get_config (Vmm *vmm)
{
  return &vmm->config;
}

const GError *
vmm_get_fatal_error (Vmm *vmm)
{
  return vmm->fatal_error;
}

static gboolean
vmm_invalid_state (GError **error, const char *message)
{
  g_set_error_literal (error, HV_VMM_ERROR, HV_VMM_ERROR_INVALID_STATE, message);
  return FALSE;
}

gboolean
vmm_pause (Vmm *vmm, GError **error)
{
  if (vmm->status != VMM_STATUS_RUNNING || !vmm->started)
    return vmm_invalid_state (error, _ ("The machine is not running."));
  vmm_cpus_park (vmm);
  vmm->status = VMM_STATUS_PAUSED;
  vmm_emit (vmm, VMM_EVENT_STOP, NULL);
  return TRUE;
}

gboolean
vmm_resume (Vmm *vmm, GError **error)
{
  gboolean busy;

  if (vmm->status != VMM_STATUS_PAUSED || !vmm->started)
    return vmm_invalid_state (error, _ ("The machine is not paused."));
  vmm->status = VMM_STATUS_RUNNING;
  g_mutex_lock (&vmm->lock);
  busy = vmm->request != VMM_REQUEST_NONE;
  g_mutex_unlock (&vmm->lock);
  /* With a guest request pending, its handler lets the vCPUs go. */
  if (!busy)
    vmm_cpus_run (vmm);
  vmm_emit (vmm, VMM_EVENT_RESUME, NULL);
  return TRUE;
}

gboolean
vmm_powerdown (Vmm *vmm, GError **error)
{
  if (vmm->status == VMM_STATUS_SHUTDOWN)
    return vmm_invalid_state (error, _ ("The machine is already off."));
  acpi_pm_power_button (vmm->pm);
  return TRUE;
}

/* Stops the guest for good after a fatal error: SHUTDOWN, then main exits. */
static void
vmm_fail (Vmm *vmm, const char *message)
{
  vmm_cpus_exit (vmm);
  vmm->status = VMM_STATUS_SHUTDOWN;
  g_clear_error (&vmm->fatal_error);
  g_set_error_literal (&vmm->fatal_error, HV_VMM_ERROR, HV_VMM_ERROR_FAILED, message);
  vmm_emit (vmm, VMM_EVENT_SHUTDOWN, "internal-error");
}

/* Parks the vCPUs, restarts the machine and lets it go unless paused. */
static gboolean
vmm_restart (Vmm *vmm, const char *reason)
{
  g_autoptr (GError) error = NULL;

  vmm_cpus_park (vmm);
  if (!vmm_reboot (vmm, &error))
    {
      vmm_fail (vmm, error->message);
      return FALSE;
    }
  vmm_emit (vmm, VMM_EVENT_RESET, reason);
  return TRUE;
}

gboolean
vmm_reset (Vmm *vmm, GError **error)
{
  if (vmm->status == VMM_STATUS_SHUTDOWN || !vmm->started)
    return vmm_invalid_state (error, _ ("The machine is not running."));
  if (vmm_restart (vmm, "host-reset") && vmm->status == VMM_STATUS_RUNNING)
    {
      g_mutex_lock (&vmm->lock);
      /* A guest request still queued is handled by its own dispatch. */
      if (vmm->request == VMM_REQUEST_NONE)
        vmm->run_state = VMM_RUN_STATE_RUN;
      g_cond_broadcast (&vmm->cond);
      g_mutex_unlock (&vmm->lock);
    }
  return TRUE;
}

void
vmm_quit (Vmm *vmm)
{
  if (vmm->status == VMM_STATUS_SHUTDOWN)
    return;
  vmm_cpus_exit (vmm);
  vmm->status = VMM_STATUS_SHUTDOWN;
  vmm_emit (vmm, VMM_EVENT_SHUTDOWN, "host-quit");
}

static void
vmm_shutdown (Vmm *vmm, const char *reason)
{
  vmm_cpus_exit (vmm);
  vmm->status = VMM_STATUS_SHUTDOWN;
  vmm_emit (vmm, VMM_EVENT_SHUTDOWN, reason);
}

static void
vmm_guest_reset (Vmm *vmm)
{
  if (vmm->config.no_reboot)
    {
      vmm_cpus_exit (vmm);
      vmm->status = VMM_STATUS_SHUTDOWN;
      vmm_emit (vmm, VMM_EVENT_RESET, "guest-reset");
      vmm_emit (vmm, VMM_EVENT_SHUTDOWN, "guest-shutdown");
      return;
    }
  if (!vmm_restart (vmm, "guest-reset"))
    return;
  g_mutex_lock (&vmm->lock);
  vmm->request = VMM_REQUEST_NONE;
  g_mutex_unlock (&vmm->lock);
  if (vmm->status == VMM_STATUS_RUNNING)
    vmm_cpus_run (vmm);
}

void
vmm_handle_request (Vmm *vmm, VmmRequest request, const char *message)
{
  /* quit may have come first; then there is nothing left to do. */
  if (vmm->status == VMM_STATUS_SHUTDOWN)
    return;
  switch (request)
    {
      case VMM_REQUEST_SHUTDOWN:
        vmm_shutdown (vmm, "guest-shutdown");
        break;
      case VMM_REQUEST_RESET:
        vmm_guest_reset (vmm);
        break;
      case VMM_REQUEST_FATAL:
        vmm_fail (vmm, message != NULL ? message : _ ("The guest stopped unexpectedly."));
        break;
      case VMM_REQUEST_NONE:
      default:
        break;
    }
}

void
vmm_console_input (Vmm *vmm, const uint8_t *bytes, size_t len)
{
  serial_input (vmm->serial, bytes, len);
}

Framebuffer *
vmm_get_framebuffer (Vmm *vmm)
{
  return vmm->fb;
}

I8042 *
vmm_get_i8042 (Vmm *vmm)
{
  return vmm->i8042;
}
