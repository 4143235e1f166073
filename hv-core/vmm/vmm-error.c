/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "vmm-error.h"

G_DEFINE_QUARK (hv - vmm - error - quark, hv_vmm_error)
