/* SPDX-License-Identifier: GPL-3.0-or-later */
/* libhvcore: start, find and steer the hv-vmm processes that run guests. */
#pragma once

#define HV_INSIDE
#include "hv-error.h"
#include "hv-size.h"
#include "hv-disk.h"
#include "hv-guest-info.h"
#include "hv-launch-options.h"
#include "hv-client.h"
#include "hv-runtime.h"
#include "hv-machine-config.h"
#include "hv-network-config.h"
#include "hv-network.h"
#include "hv-store.h"
#include "hv-lab.h"
#undef HV_INSIDE
