/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The vCPU threads. Each loops on KVM_RUN; the main thread parks them (to
 * pause, reset or quit) by setting the run state, then kicking each out of
 * KVM_RUN with immediate_exit and a signal.
 */
#include "config.h"

#include "vmm-private.h"

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <signal.h>
#include <string.h>

/* Only interrupts KVM_RUN; its handler does nothing. */
#define VMM_KICK_SIGNAL SIGUSR1

gboolean
vmm_cpus_create (Vmm *vmm, GError **error)
{
  vmm->vcpus = g_new0 (Vcpu, vmm->n_vcpus);
  vmm->threads = g_new0 (pthread_t, vmm->n_vcpus);
  for (unsigned i = 0; i < vmm->n_vcpus; i++)
    vmm->vcpus[i].fd = -1;
  for (unsigned i = 0; i < vmm->n_vcpus; i++)
    {
      if (!vcpu_init (&vmm->vcpus[i], &vmm->kvm, i, vmm->n_vcpus, error))
        return FALSE;
    }
  return TRUE;
}

void
vmm_cpus_destroy (Vmm *vmm)
{
  vmm_cpus_exit (vmm);
  for (unsigned i = 0; vmm->vcpus != NULL && i < vmm->n_vcpus; i++)
    vcpu_fini (&vmm->vcpus[i]);
  g_clear_pointer (&vmm->vcpus, g_free);
  g_clear_pointer (&vmm->threads, g_free);
}

static void
vmm_kick_handler (int signo)
{
}

/* Must hold the lock. */
static void
vmm_cpus_kick_locked (Vmm *vmm)
{
  for (unsigned i = 0; i < vmm->n_threads; i++)
    {
      /* immediate_exit covers a thread that is just about to enter KVM_RUN
       * and would miss the signal. */
      vmm->vcpus[i].run->immediate_exit = 1;
      pthread_kill (vmm->threads[i], VMM_KICK_SIGNAL);
    }
}

/* Blocks until the vCPU may run guest code; FALSE: the thread must end. */
static gboolean
vmm_vcpu_wait (Vmm *vmm, Vcpu *vcpu)
{
  gboolean run;

  g_mutex_lock (&vmm->lock);
  while (vmm->run_state == VMM_RUN_STATE_PARK)
    {
      vmm->parked++;
      g_cond_broadcast (&vmm->cond);
      g_cond_wait (&vmm->cond, &vmm->lock);
      vmm->parked--;
    }
  run = vmm->run_state == VMM_RUN_STATE_RUN;
  if (run)
    vcpu->run->immediate_exit = 0;
  g_mutex_unlock (&vmm->lock);
  return run;
}

static void
vmm_vcpu_block_signals (void)
{
  sigset_t set;

  /* Process signals (SIGTERM, SIGINT, SIGCHLD ...) belong to the main
   * thread; a vCPU only takes its kick. */
  sigfillset (&set);
  sigdelset (&set, VMM_KICK_SIGNAL);
  pthread_sigmask (SIG_SETMASK, &set, NULL);
}

static void
vmm_vcpu_handle (Vmm *vmm, Vcpu *vcpu, VcpuExitAction action, char *message)
{
  switch (action)
    {
      case VCPU_EXIT_CONTINUE:
        break;
      case VCPU_EXIT_RESET:
        vmm_request (vmm, VMM_REQUEST_RESET, NULL);
        break;
      case VCPU_EXIT_SHUTDOWN:
        vmm_request (vmm, VMM_REQUEST_SHUTDOWN, NULL);
        break;
      case VCPU_EXIT_FATAL:
        vmm_request (vmm, VMM_REQUEST_FATAL, g_steal_pointer (&message));
        break;
      default:
        g_assert_not_reached ();
    }
  g_free (message);
}

static void *
vmm_vcpu_thread (void *data)
{
  Vcpu *vcpu = data;
  Vmm *vmm = vcpu->owner;

  vmm_vcpu_block_signals ();
  while (vmm_vcpu_wait (vmm, vcpu))
    {
      char *message = NULL;
      VcpuExitAction action = vcpu_run (vcpu, vmm->bus, &message);

      vmm_vcpu_handle (vmm, vcpu, action, message);
    }

  g_mutex_lock (&vmm->lock);
  vmm->exited++;
  g_cond_broadcast (&vmm->cond);
  g_mutex_unlock (&vmm->lock);
  return NULL;
}

static gboolean
vmm_install_kick_handler (GError **error)
{
  struct sigaction sa;

  memset (&sa, 0, sizeof sa);
  /* No SA_RESTART: KVM_RUN must return with EINTR. */
  sa.sa_handler = vmm_kick_handler;
  sigemptyset (&sa.sa_mask);
  if (sigaction (VMM_KICK_SIGNAL, &sa, NULL) < 0)
    {
      g_set_error (error, HV_VMM_ERROR, HV_VMM_ERROR_FAILED,
                   _ ("Could not prepare the virtual CPUs (%s)."), g_strerror (errno));
      return FALSE;
    }
  return TRUE;
}

gboolean
vmm_cpus_start (Vmm *vmm, GError **error)
{
  if (!vmm_install_kick_handler (error))
    return FALSE;
  /* Threads start parked; vmm_cpus_run() lets them go together. */
  g_mutex_lock (&vmm->lock);
  vmm->run_state = VMM_RUN_STATE_PARK;
  g_mutex_unlock (&vmm->lock);

  for (unsigned i = 0; i < vmm->n_vcpus; i++)
    {
      int err;

      vmm->vcpus[i].owner = vmm;
      err = pthread_create (&vmm->threads[i], NULL, vmm_vcpu_thread, &vmm->vcpus[i]);
      if (err != 0)
        {
          g_set_error (error, HV_VMM_ERROR, HV_VMM_ERROR_FAILED,
                       _ ("Could not start virtual CPU %u (%s)."), i, g_strerror (err));
          return FALSE;
        }
      g_mutex_lock (&vmm->lock);
      vmm->n_threads++;
      g_mutex_unlock (&vmm->lock);
    }
  return TRUE;
}

void
vmm_cpus_park (Vmm *vmm)
{
  g_mutex_lock (&vmm->lock);
  if (vmm->run_state == VMM_RUN_STATE_RUN)
    vmm->run_state = VMM_RUN_STATE_PARK;
  vmm_cpus_kick_locked (vmm);
  while (vmm->parked + vmm->exited < vmm->n_threads)
    g_cond_wait (&vmm->cond, &vmm->lock);
  g_mutex_unlock (&vmm->lock);
}

void
vmm_cpus_run (Vmm *vmm)
{
  g_mutex_lock (&vmm->lock);
  if (vmm->run_state == VMM_RUN_STATE_PARK)
    vmm->run_state = VMM_RUN_STATE_RUN;
  g_cond_broadcast (&vmm->cond);
  g_mutex_unlock (&vmm->lock);
}

void
vmm_cpus_exit (Vmm *vmm)
{
  unsigned n;

  g_mutex_lock (&vmm->lock);
  vmm->run_state = VMM_RUN_STATE_EXIT;
  vmm_cpus_kick_locked (vmm);
  g_cond_broadcast (&vmm->cond);
  n = vmm->n_threads;
  vmm->n_threads = 0;
  g_mutex_unlock (&vmm->lock);

  for (unsigned i = 0; i < n; i++)
    pthread_join (vmm->threads[i], NULL);
}

static gboolean
vmm_request_dispatch (gpointer data)
{
  Vmm *vmm = data;
  VmmRequest request;
  g_autofree char *message = NULL;

  g_mutex_lock (&vmm->lock);
  request = vmm->request;
  message = g_steal_pointer (&vmm->request_message);
  g_clear_pointer (&vmm->request_source, g_source_unref);
  g_mutex_unlock (&vmm->lock);

  vmm_handle_request (vmm, request, message);
  return G_SOURCE_REMOVE;
}

void
vmm_request (Vmm *vmm, VmmRequest request, char *message)
{
  g_mutex_lock (&vmm->lock);
  if (vmm->request != VMM_REQUEST_NONE || vmm->run_state == VMM_RUN_STATE_EXIT)
    {
      g_mutex_unlock (&vmm->lock);
      g_free (message);
      return;
    }
  vmm->request = request;
  vmm->request_message = message;
  /* Stop guest code now; the main thread decides what happens next. */
  vmm->run_state = VMM_RUN_STATE_PARK;
  vmm_cpus_kick_locked (vmm);
  /* Like g_main_context_invoke() on the default context, but cancellable
   * by vmm_free(). */
  vmm->request_source = g_idle_source_new ();
  g_source_set_priority (vmm->request_source, G_PRIORITY_DEFAULT);
  g_source_set_callback (vmm->request_source, vmm_request_dispatch, vmm, NULL);
  g_source_attach (vmm->request_source, NULL);
  g_mutex_unlock (&vmm->lock);
}
