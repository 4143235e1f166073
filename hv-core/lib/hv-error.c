/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "hv-error.h"

G_DEFINE_QUARK (hv - error - quark, hv_error)
