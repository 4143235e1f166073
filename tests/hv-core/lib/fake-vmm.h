/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * A test-only stand-in for the vmm.h interface, so that control.c and
 * console.c can be exercised without /dev/kvm. It keeps the state machine
 * (running, paused, shutdown), emits events the way the real one does
 * (synchronously, on the main thread) and records console input.
 */
#pragma once

#include "vmm.h"

/* Everything vmm_console_input () got so far. */
GByteArray *fake_vmm_get_input (Vmm *vmm);
guint fake_vmm_get_powerdowns (Vmm *vmm);
/* Stops the guest as after a fatal error: SHUTDOWN "internal-error". */
void fake_vmm_fail (Vmm *vmm, const char *message);
/* Writes LEN bytes of output from a new thread, as a vCPU would, in
 * CHUNK-sized calls; returns once that thread is done. */
void fake_vmm_output_from_thread (Vmm *vmm, const char *bytes, gsize len, gsize chunk);
