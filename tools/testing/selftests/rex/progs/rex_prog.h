/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the C-built Rex test programs share.
 */
#ifndef __REX_PROG_H
#define __REX_PROG_H

/* Head of the kernel's struct xdp_buff, the context of an XDP program. */
struct rex_xdp_buff {
	const unsigned char *data;
	const unsigned char *data_end;
};

enum { XDP_ABORTED, XDP_DROP, XDP_PASS };

/*
 * A function the kernel does not offer to Rex programs; an image that
 * calls it has an import the loader must refuse.
 */
unsigned long long bpf_ktime_get_ns(void);

#endif /* __REX_PROG_H */
