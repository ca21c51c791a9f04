// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of the resolution of Rex imports: the helper allowlist, the
 * names reserved for helpers, and rex_import_resolve() for called and data
 * imports, for program types that may and may not use a helper.
 *
 * Included at the end of helpers.c, so that the allowlist and the gates
 * are visible.  A test loads nothing: it resolves names for a bpf_prog of
 * its own, as the loader does for every undefined symbol of an image, and
 * checks the address, the state recorded in struct rex_prog for the gate,
 * and the line logged when a name is refused.
 */

#include <kunit/test.h>

/**
 * struct ri_load - a load whose imports a test resolves
 * @ld: the load
 * @log: captures the line logged
 * @prog: the program being loaded
 * @rex: its Rex state
 * @map: the map bound to the image's map "counts"
 * @slot: what the symbol "counts" stands for
 * @map_def: the image's description of "counts"
 */
struct ri_load {
	struct rex_load ld;
	struct bpf_verifier_log log;
	struct bpf_prog *prog;
	struct rex_prog rex;
	struct bpf_map *map;
	struct rex_map_slot slot;
	struct rex_map_def map_def;
};

static int ri_init(struct kunit *test)
{
	struct ri_load *l = kunit_kzalloc(test, sizeof(*l), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, l);
	l->prog = kunit_kzalloc(test, sizeof(*l->prog), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, l->prog);
	l->prog->aux = kunit_kzalloc(test, sizeof(*l->prog->aux), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, l->prog->aux);
	l->map = kunit_kzalloc(test, sizeof(*l->map), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, l->map);
	l->prog->type = BPF_PROG_TYPE_XDP;
	l->prog->gpl_compatible = 1;
	l->prog->aux->used_maps = &l->map;
	l->prog->aux->used_map_cnt = 1;
	l->slot.map = l->map;
	l->rex.maps = &l->slot;
	l->rex.nr_maps = 1;
	l->map_def.size = sizeof(l->map_def);
	strscpy(l->map_def.name, "counts");
	l->log.level = BPF_LOG_LEVEL1;
	l->ld.prog = l->prog;
	l->ld.rex = &l->rex;
	l->ld.log = &l->log;
	l->ld.map_defs = &l->map_def;
	l->ld.map_def_size = sizeof(l->map_def);
	l->ld.nr_maps = 1;
	test->priv = l;
	return 0;
}

/* Resolve @name for a program of @type; -ENOENT... as rex_import_resolve(). */
static int ri_resolve(struct ri_load *l, u32 type, const char *name,
		      enum rex_import_kind kind, u64 *addr)
{
	l->prog->type = type;
	l->log.end_pos = 0;
	*addr = 0;
	return rex_import_resolve(&l->ld, name, kind, addr);
}

/* Exactly one line was logged, and it contains @want. */
static void ri_expect_log(struct kunit *test, struct ri_load *l, const char *want)
{
	const char *line = l->log.kbuf;

	KUNIT_EXPECT_TRUE_MSG(test, str_has_prefix(line, "rex: ") && strstr(line, want),
			      "logged '%s', expected '%s'", line, want);
	KUNIT_EXPECT_EQ_MSG(test, l->log.end_pos, (u64)strlen(line),
			    "more than one line logged");
}

static void ri_expect_no_log(struct kunit *test, struct ri_load *l)
{
	KUNIT_EXPECT_EQ_MSG(test, l->log.end_pos, 0ULL, "logged '%s'", l->log.kbuf);
}

/* What the BPF policy of program type @type gives for helper @func_id. */
static const struct bpf_func_proto *ri_proto(struct ri_load *l, u32 type,
					     enum bpf_func_id func_id)
{
	l->prog->type = type;
	return verifier_ops(type)->get_func_proto(func_id, l->prog);
}

/* Skip a test that needs the BPF policy of program type @type. */
static void ri_need(struct kunit *test, u32 type)
{
	if (!verifier_ops(type))
		kunit_skip(test, "no %s programs in this kernel", rex_prog_type_name(type));
}

/* The allowlist index of @name; the test fails if it is not listed. */
static int ri_index(struct kunit *test, const char *name)
{
	int idx = find_helper(name);

	KUNIT_ASSERT_GE_MSG(test, idx, 0, "%s is not in the allowlist", name);
	return idx;
}

static void ri_reserved(struct kunit *test)
{
	KUNIT_EXPECT_TRUE(test, rex_import_reserved("bpf_map_lookup_elem"));
	KUNIT_EXPECT_TRUE(test, rex_import_reserved("rex_panic"));
	KUNIT_EXPECT_TRUE(test, rex_import_reserved("bpf_"));
	KUNIT_EXPECT_TRUE(test, rex_import_reserved("rex_"));
	KUNIT_EXPECT_FALSE(test, rex_import_reserved(""));
	KUNIT_EXPECT_FALSE(test, rex_import_reserved("bpf"));
	KUNIT_EXPECT_FALSE(test, rex_import_reserved("rex"));
	KUNIT_EXPECT_FALSE(test, rex_import_reserved("counts"));
	KUNIT_EXPECT_FALSE(test, rex_import_reserved("my_bpf_map"));
	KUNIT_EXPECT_FALSE(test, rex_import_reserved("BPF_map"));
	KUNIT_EXPECT_FALSE(test, rex_import_reserved("bpfmap"));
	KUNIT_EXPECT_FALSE(test, rex_import_reserved("__fentry__"));
}

/*
 * Every helper's name is reserved, so no map can take it, and the list is
 * sorted without duplicates (find_helper() would find only the first).
 */
static void ri_allowlist(struct kunit *test)
{
	unsigned int i;

	KUNIT_EXPECT_LE(test, ARRAY_SIZE(rex_helpers), ARRAY_SIZE(rex_gates));
	for (i = 0; i < ARRAY_SIZE(rex_helpers); i++) {
		const struct rex_helper *h = &rex_helpers[i];

		KUNIT_EXPECT_TRUE_MSG(test, rex_import_reserved(h->name), "%s", h->name);
		KUNIT_EXPECT_EQ_MSG(test, find_helper(h->name), (int)i, "%s", h->name);
		KUNIT_EXPECT_NOT_NULL_MSG(test, rex_gates[i], "gate %u", i);
		if (i)
			KUNIT_EXPECT_LT_MSG(test, strcmp(rex_helpers[i - 1].name, h->name), 0,
					    "%s before %s", rex_helpers[i - 1].name, h->name);
	}
}

static void ri_find_helper(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, find_helper("bpf_get_current_comm"), 0);
	KUNIT_EXPECT_EQ(test, find_helper("bpf_xdp_adjust_tail"),
			(int)ARRAY_SIZE(rex_helpers) - 1);
	KUNIT_EXPECT_STREQ(test, rex_helpers[ri_index(test, "bpf_ringbuf_reserve")].name,
			   "bpf_ringbuf_reserve");
	/* Exact names only: no prefixes, no longer names, no case folding. */
	KUNIT_EXPECT_EQ(test, find_helper("bpf_ktime_get"), -ENOENT);
	KUNIT_EXPECT_EQ(test, find_helper("bpf_ktime_get_ns2"), -ENOENT);
	KUNIT_EXPECT_EQ(test, find_helper("BPF_KTIME_GET_NS"), -ENOENT);
	KUNIT_EXPECT_EQ(test, find_helper("ktime_get_ns"), -ENOENT);
	KUNIT_EXPECT_EQ(test, find_helper(""), -ENOENT);
	/* Helpers that rely on the verifier are not on the list. */
	KUNIT_EXPECT_EQ(test, find_helper("bpf_tail_call"), -ENOENT);
	KUNIT_EXPECT_EQ(test, find_helper("bpf_loop"), -ENOENT);
	KUNIT_EXPECT_EQ(test, find_helper("bpf_spin_lock"), -ENOENT);
	KUNIT_EXPECT_EQ(test, find_helper("rex_panic"), -ENOENT);
}

/* A plain helper resolves to its gate, which calls the BPF function. */
static void ri_helper_allowed(struct kunit *test)
{
	struct ri_load *l = test->priv;
	int idx = ri_index(test, "bpf_xdp_adjust_head");
	u64 addr;

	ri_need(test, BPF_PROG_TYPE_XDP);
	ri_need(test, BPF_PROG_TYPE_SCHED_CLS);
	KUNIT_EXPECT_EQ(test, ri_resolve(l, BPF_PROG_TYPE_XDP, "bpf_xdp_adjust_head",
					 REX_IMPORT_FUNC, &addr), 0);
	ri_expect_no_log(test, l);
	KUNIT_EXPECT_EQ(test, addr, (u64)rex_gates[idx]);
	KUNIT_EXPECT_NOT_NULL(test, l->rex.helpers[idx]);
	KUNIT_EXPECT_PTR_EQ(test, l->rex.helpers[idx],
			    ri_proto(l, BPF_PROG_TYPE_XDP, BPF_FUNC_xdp_adjust_head)->func);
	KUNIT_EXPECT_EQ(test, l->rex.map_args[idx], 0);

	idx = ri_index(test, "bpf_skb_load_bytes");
	KUNIT_EXPECT_EQ(test, ri_resolve(l, BPF_PROG_TYPE_SCHED_CLS, "bpf_skb_load_bytes",
					 REX_IMPORT_FUNC, &addr), 0);
	KUNIT_EXPECT_EQ(test, addr, (u64)rex_gates[idx]);
	ri_expect_no_log(test, l);
}

/* A wrapped helper's gate calls the Rex wrapper; map arguments are noted. */
static void ri_helper_wrapped(struct kunit *test)
{
	struct ri_load *l = test->priv;
	int idx = ri_index(test, "bpf_map_update_elem");
	u64 addr;

	ri_need(test, BPF_PROG_TYPE_XDP);
	ri_need(test, BPF_PROG_TYPE_SCHED_CLS);
	KUNIT_EXPECT_EQ(test, ri_resolve(l, BPF_PROG_TYPE_SCHED_CLS, "bpf_map_update_elem",
					 REX_IMPORT_FUNC, &addr), 0);
	ri_expect_no_log(test, l);
	KUNIT_EXPECT_EQ(test, addr, (u64)rex_gates[idx]);
	KUNIT_EXPECT_PTR_EQ(test, l->rex.helpers[idx], (rex_helper_fn)rex_map_update_elem);
	KUNIT_EXPECT_EQ(test, l->rex.map_args[idx], BIT(0));

	idx = ri_index(test, "bpf_res_spin_lock");
	KUNIT_EXPECT_EQ(test, ri_resolve(l, BPF_PROG_TYPE_XDP, "bpf_res_spin_lock",
					 REX_IMPORT_FUNC, &addr), 0);
	ri_expect_no_log(test, l);
	KUNIT_EXPECT_EQ(test, addr, (u64)rex_gates[idx]);
	KUNIT_EXPECT_PTR_EQ(test, l->rex.helpers[idx], (rex_helper_fn)rex_res_spin_lock);
	KUNIT_EXPECT_EQ(test, l->rex.map_args[idx], 0);
}

/* Helpers of another program type are refused, and nothing is recorded. */
static void ri_helper_other_type(struct kunit *test)
{
	struct ri_load *l = test->priv;
	int idx = ri_index(test, "bpf_skb_load_bytes");
	u64 addr;

	ri_need(test, BPF_PROG_TYPE_XDP);
	ri_need(test, BPF_PROG_TYPE_SCHED_CLS);
	KUNIT_EXPECT_EQ(test, ri_resolve(l, BPF_PROG_TYPE_XDP, "bpf_skb_load_bytes",
					 REX_IMPORT_FUNC, &addr), -EINVAL);
	ri_expect_log(test, l, "helper 'bpf_skb_load_bytes' is not available to xdp programs");
	KUNIT_EXPECT_EQ(test, addr, 0ULL);
	KUNIT_EXPECT_NULL(test, l->rex.helpers[idx]);

	KUNIT_EXPECT_EQ(test, ri_resolve(l, BPF_PROG_TYPE_SCHED_CLS, "bpf_xdp_adjust_tail",
					 REX_IMPORT_FUNC, &addr), -EINVAL);
	ri_expect_log(test, l,
		      "helper 'bpf_xdp_adjust_tail' is not available to sched_cls programs");

	KUNIT_EXPECT_EQ(test, ri_resolve(l, BPF_PROG_TYPE_XDP, "bpf_override_return",
					 REX_IMPORT_FUNC, &addr), -EINVAL);
	ri_expect_log(test, l, "helper 'bpf_override_return' is not available to xdp programs");
	KUNIT_EXPECT_FALSE(test, l->prog->kprobe_override);

	/* A type Rex does not support gets no helper at all. */
	KUNIT_EXPECT_EQ(test, ri_resolve(l, BPF_PROG_TYPE_SOCKET_FILTER, "bpf_ktime_get_ns",
					 REX_IMPORT_FUNC, &addr), -EINVAL);
	ri_expect_log(test, l, "helper 'bpf_ktime_get_ns' is not available to unknown programs");
}

/* Tracing programs take no spin locks, as for eBPF. */
static void ri_helper_spin_lock_tracing(struct kunit *test)
{
	struct ri_load *l = test->priv;
	const struct bpf_func_proto *fn;
	u64 addr;

	ri_need(test, BPF_PROG_TYPE_KPROBE);
	/* The kprobe type's own policy would give them. */
	fn = ri_proto(l, BPF_PROG_TYPE_KPROBE, BPF_FUNC_spin_lock);
	KUNIT_EXPECT_NOT_NULL(test, fn);

	KUNIT_EXPECT_EQ(test, ri_resolve(l, BPF_PROG_TYPE_KPROBE, "bpf_res_spin_lock",
					 REX_IMPORT_FUNC, &addr), -EINVAL);
	ri_expect_log(test, l, "helper 'bpf_res_spin_lock' is not available to kprobe programs");
	KUNIT_EXPECT_EQ(test, ri_resolve(l, BPF_PROG_TYPE_TRACEPOINT, "bpf_res_spin_unlock",
					 REX_IMPORT_FUNC, &addr), -EINVAL);
	ri_expect_log(test, l,
		      "helper 'bpf_res_spin_unlock' is not available to tracepoint programs");
	KUNIT_EXPECT_EQ(test, ri_resolve(l, BPF_PROG_TYPE_PERF_EVENT, "bpf_res_spin_lock",
					 REX_IMPORT_FUNC, &addr), -EINVAL);
	ri_expect_log(test, l,
		      "helper 'bpf_res_spin_lock' is not available to perf_event programs");

	/* Other helpers are still theirs. */
	KUNIT_EXPECT_EQ(test, ri_resolve(l, BPF_PROG_TYPE_KPROBE, "bpf_ktime_get_ns",
					 REX_IMPORT_FUNC, &addr), 0);
	ri_expect_no_log(test, l);
}

/* What the verifier would have noted about a program that calls a helper. */
static void ri_helper_side_effects(struct kunit *test)
{
	struct ri_load *l = test->priv;
	u64 addr;

	ri_need(test, BPF_PROG_TYPE_KPROBE);

	KUNIT_EXPECT_EQ(test, ri_resolve(l, BPF_PROG_TYPE_KPROBE, "bpf_get_stackid",
					 REX_IMPORT_FUNC, &addr), 0);
	ri_expect_no_log(test, l);
	KUNIT_EXPECT_TRUE(test, l->prog->call_get_stack);
	KUNIT_EXPECT_EQ(test, l->rex.map_args[ri_index(test, "bpf_get_stackid")], BIT(1));

	if (!IS_ENABLED(CONFIG_BPF_KPROBE_OVERRIDE))
		return;
	KUNIT_EXPECT_EQ(test, ri_resolve(l, BPF_PROG_TYPE_KPROBE, "bpf_override_return",
					 REX_IMPORT_FUNC, &addr), 0);
	KUNIT_EXPECT_TRUE(test, l->prog->kprobe_override);
}

/* GPL-only helpers need a GPL-compatible license. */
static void ri_helper_gpl(struct kunit *test)
{
	struct ri_load *l = test->priv;
	const struct bpf_func_proto *fn;
	u64 addr;

	ri_need(test, BPF_PROG_TYPE_XDP);
	fn = ri_proto(l, BPF_PROG_TYPE_XDP, BPF_FUNC_probe_read_kernel);
	KUNIT_ASSERT_NOT_NULL(test, fn);
	KUNIT_ASSERT_TRUE(test, fn->gpl_only);

	l->prog->gpl_compatible = 0;
	KUNIT_EXPECT_EQ(test, ri_resolve(l, BPF_PROG_TYPE_XDP, "bpf_probe_read_kernel",
					 REX_IMPORT_FUNC, &addr), -EINVAL);
	ri_expect_log(test, l, "helper 'bpf_probe_read_kernel' needs a GPL-compatible license");
	KUNIT_EXPECT_NULL(test, l->rex.helpers[ri_index(test, "bpf_probe_read_kernel")]);

	/* Helpers that are not GPL-only are not refused. */
	KUNIT_EXPECT_EQ(test, ri_resolve(l, BPF_PROG_TYPE_XDP, "bpf_ktime_get_ns",
					 REX_IMPORT_FUNC, &addr), 0);
	ri_expect_no_log(test, l);

	l->prog->gpl_compatible = 1;
	KUNIT_EXPECT_EQ(test, ri_resolve(l, BPF_PROG_TYPE_XDP, "bpf_probe_read_kernel",
					 REX_IMPORT_FUNC, &addr), 0);
	ri_expect_no_log(test, l);
}

/* Names that are no helpers of the allowlist. */
static void ri_unknown(struct kunit *test)
{
	struct ri_load *l = test->priv;
	u64 addr;

	KUNIT_EXPECT_EQ(test, ri_resolve(l, BPF_PROG_TYPE_XDP, "bpf_nosuch_helper",
					 REX_IMPORT_FUNC, &addr), -ENOENT);
	ri_expect_log(test, l, "unknown import 'bpf_nosuch_helper': not a Rex helper");
	KUNIT_EXPECT_EQ(test, addr, 0ULL);

	KUNIT_EXPECT_EQ(test, ri_resolve(l, BPF_PROG_TYPE_XDP, "bpf_tail_call",
					 REX_IMPORT_FUNC, &addr), -ENOENT);
	ri_expect_log(test, l, "unknown import 'bpf_tail_call': not a Rex helper");

	/* A kernel symbol is not an import either. */
	KUNIT_EXPECT_EQ(test, ri_resolve(l, BPF_PROG_TYPE_XDP, "printk",
					 REX_IMPORT_FUNC, &addr), -ENOENT);
	ri_expect_log(test, l, "unknown import 'printk': not a Rex helper");

	/* Names are shown printable. */
	KUNIT_EXPECT_EQ(test, ri_resolve(l, BPF_PROG_TYPE_XDP, "bpf_\x1b[2J",
					 REX_IMPORT_FUNC, &addr), -ENOENT);
	ri_expect_log(test, l, "unknown import 'bpf_?[2J'");
}

/* The imports every program type gets, unguarded by the allowlist. */
static void ri_runtime_imports(struct kunit *test)
{
	struct ri_load *l = test->priv;
	u64 addr;

	KUNIT_EXPECT_EQ(test, ri_resolve(l, BPF_PROG_TYPE_KPROBE, "__fentry__",
					 REX_IMPORT_FUNC, &addr), 0);
	KUNIT_EXPECT_EQ(test, addr, (u64)rex_arch_stack_check);
	KUNIT_EXPECT_EQ(test, ri_resolve(l, BPF_PROG_TYPE_XDP, "mcount",
					 REX_IMPORT_FUNC, &addr), 0);
	KUNIT_EXPECT_EQ(test, addr, (u64)rex_arch_stack_check);
	KUNIT_EXPECT_EQ(test, ri_resolve(l, BPF_PROG_TYPE_SOCKET_FILTER, "rex_panic",
					 REX_IMPORT_FUNC, &addr), 0);
	KUNIT_EXPECT_EQ(test, addr, (u64)rex_panic);
	ri_expect_no_log(test, l);

	/* The return thunk, whether or not this CPU needs it. */
	KUNIT_EXPECT_FALSE(test, l->ld.rethunk);
	KUNIT_EXPECT_EQ(test, ri_resolve(l, BPF_PROG_TYPE_XDP, "__x86_return_thunk",
					 REX_IMPORT_FUNC, &addr), 0);
	KUNIT_EXPECT_TRUE(test, l->ld.rethunk);
	KUNIT_EXPECT_NE(test, addr, 0ULL);
	ri_expect_no_log(test, l);

	/* Only when called: their addresses are not data of the image. */
	KUNIT_EXPECT_EQ(test, ri_resolve(l, BPF_PROG_TYPE_XDP, "__fentry__",
					 REX_IMPORT_DATA, &addr), -ENOENT);
	ri_expect_log(test, l, "unknown import '__fentry__': not a map of the image");
	KUNIT_EXPECT_EQ(test, ri_resolve(l, BPF_PROG_TYPE_XDP, "rex_panic",
					 REX_IMPORT_DATA, &addr), -EINVAL);
	ri_expect_log(test, l, "import 'rex_panic' is a helper, used as data");
	l->ld.rethunk = false;
	KUNIT_EXPECT_EQ(test, ri_resolve(l, BPF_PROG_TYPE_XDP, "__x86_return_thunk",
					 REX_IMPORT_DATA, &addr), -ENOENT);
	KUNIT_EXPECT_FALSE(test, l->ld.rethunk);
}

/* Maps are data imports, helpers called imports, and never the reverse. */
static void ri_maps(struct kunit *test)
{
	struct ri_load *l = test->priv;
	u64 addr;

	KUNIT_EXPECT_EQ(test, ri_resolve(l, BPF_PROG_TYPE_XDP, "counts",
					 REX_IMPORT_DATA, &addr), 0);
	KUNIT_EXPECT_EQ(test, addr, (u64)&l->slot);
	ri_expect_no_log(test, l);

	KUNIT_EXPECT_EQ(test, ri_resolve(l, BPF_PROG_TYPE_XDP, "counts",
					 REX_IMPORT_FUNC, &addr), -EINVAL);
	ri_expect_log(test, l, "import 'counts' is a map, called as a function");

	KUNIT_EXPECT_EQ(test, ri_resolve(l, BPF_PROG_TYPE_XDP, "count",
					 REX_IMPORT_DATA, &addr), -ENOENT);
	ri_expect_log(test, l, "unknown import 'count': not a map of the image");

	KUNIT_EXPECT_EQ(test, ri_resolve(l, BPF_PROG_TYPE_XDP, "bpf_ktime_get_ns",
					 REX_IMPORT_DATA, &addr), -EINVAL);
	ri_expect_log(test, l, "import 'bpf_ktime_get_ns' is a helper, used as data");
	KUNIT_EXPECT_EQ(test, addr, 0ULL);

	/* Without maps bound, the name is unknown. */
	l->ld.nr_maps = 0;
	KUNIT_EXPECT_EQ(test, ri_resolve(l, BPF_PROG_TYPE_XDP, "counts",
					 REX_IMPORT_DATA, &addr), -ENOENT);
	ri_expect_log(test, l, "unknown import 'counts': not a map of the image");
	KUNIT_EXPECT_EQ(test, ri_resolve(l, BPF_PROG_TYPE_XDP, "counts",
					 REX_IMPORT_FUNC, &addr), -ENOENT);
	ri_expect_log(test, l, "unknown import 'counts': not a Rex helper");
}

/*
 * rex_map_arg() with a map of the program, of a type the helper takes; and
 * the helpers that take maps of each type.
 */
static void ri_map_arg_ok(struct kunit *test)
{
	struct ri_load *l = test->priv;
	int idx = ri_index(test, "bpf_map_lookup_elem");
	struct rex_map_slot slots[2] = {};
	u64 addr;

	ri_need(test, BPF_PROG_TYPE_XDP);
	KUNIT_ASSERT_EQ(test, ri_resolve(l, BPF_PROG_TYPE_XDP, "bpf_map_lookup_elem",
					 REX_IMPORT_FUNC, &addr), 0);
	KUNIT_ASSERT_EQ(test, l->rex.map_args[idx], BIT(0));
	slots[1].map = l->map;
	slots[1].helpers = rex_map_helpers(BPF_MAP_TYPE_HASH);
	l->rex.maps = slots;
	l->rex.nr_maps = ARRAY_SIZE(slots);
	/* Returns: a mismatch would leave the program, which no test runs. */
	KUNIT_EXPECT_EQ(test, rex_map_arg(&l->rex, idx, (u64)&slots[1]), (u64)l->map);
	KUNIT_EXPECT_TRUE(test, rex_map_helpers(BPF_MAP_TYPE_HASH) & BIT_ULL(idx));
	KUNIT_EXPECT_FALSE(test, rex_map_helpers(BPF_MAP_TYPE_RINGBUF) & BIT_ULL(idx));
	KUNIT_EXPECT_TRUE(test, rex_map_helpers(BPF_MAP_TYPE_LPM_TRIE) & BIT_ULL(idx));
	KUNIT_EXPECT_FALSE(test, rex_map_helpers(BPF_MAP_TYPE_QUEUE) & BIT_ULL(idx));
	idx = ri_index(test, "bpf_ringbuf_output");
	KUNIT_EXPECT_TRUE(test, rex_map_helpers(BPF_MAP_TYPE_RINGBUF) & BIT_ULL(idx));
	KUNIT_EXPECT_FALSE(test, rex_map_helpers(BPF_MAP_TYPE_ARRAY) & BIT_ULL(idx));
	/* Queues and stacks have no keys, and maps with keys no push. */
	idx = ri_index(test, "bpf_map_push_elem");
	KUNIT_EXPECT_TRUE(test, rex_map_helpers(BPF_MAP_TYPE_QUEUE) & BIT_ULL(idx));
	KUNIT_EXPECT_TRUE(test, rex_map_helpers(BPF_MAP_TYPE_STACK) & BIT_ULL(idx));
	KUNIT_EXPECT_FALSE(test, rex_map_helpers(BPF_MAP_TYPE_ARRAY) & BIT_ULL(idx));
	KUNIT_EXPECT_FALSE(test, rex_map_helpers(BPF_MAP_TYPE_HASH) & BIT_ULL(idx));
	/* Helpers that take no map have no bit. */
	idx = ri_index(test, "bpf_ktime_get_ns");
	KUNIT_EXPECT_FALSE(test, rex_map_helpers(BPF_MAP_TYPE_HASH) & BIT_ULL(idx));
}

static struct kunit_case rex_imports_test_cases[] = {
	KUNIT_CASE(ri_reserved),
	KUNIT_CASE(ri_allowlist),
	KUNIT_CASE(ri_find_helper),
	KUNIT_CASE(ri_helper_allowed),
	KUNIT_CASE(ri_helper_wrapped),
	KUNIT_CASE(ri_helper_other_type),
	KUNIT_CASE(ri_helper_spin_lock_tracing),
	KUNIT_CASE(ri_helper_side_effects),
	KUNIT_CASE(ri_helper_gpl),
	KUNIT_CASE(ri_unknown),
	KUNIT_CASE(ri_runtime_imports),
	KUNIT_CASE(ri_maps),
	KUNIT_CASE(ri_map_arg_ok),
	{}
};

static struct kunit_suite rex_imports_test_suite = {
	.name = "rex_imports",
	.init = ri_init,
	.test_cases = rex_imports_test_cases,
};

kunit_test_suites(&rex_imports_test_suite);
