/* The set-ioctl trace: proof of which substates a writeback level actually wrote. */
#include <stdlib.h>
#include <string.h>

#include "common.h"

#define IA32_TSC 0x10u

void trace_record(trace_log *t, const char *ioctl, const uint32_t *msrs, uint32_t nmsrs, const uint64_t *values,
                  bool has_flags, uint32_t flags) {
  if (!t->enabled) return;
  if (t->len == t->cap) {
    size_t cap = t->cap ? t->cap * 2 : 64;
    trace_entry *grown = realloc(t->entries, cap * sizeof *grown);
    if (!grown) return; /* out of memory: the trace is a debug aid, drop the entry */
    t->entries = grown;
    t->cap = cap;
  }
  trace_entry *e = &t->entries[t->len++];
  memset(e, 0, sizeof *e);
  e->ioctl = ioctl;
  e->has_flags = has_flags;
  e->flags = flags;
  if (nmsrs) {
    e->msrs = malloc(nmsrs * sizeof *msrs);
    if (e->msrs) {
      memcpy(e->msrs, msrs, nmsrs * sizeof *msrs);
      e->nmsrs = nmsrs;
    }
    for (uint32_t i = 0; i < nmsrs; i++) {
      if (msrs[i] == IA32_TSC) {
        e->has_tsc = true;
        e->tsc = values[i];
      }
    }
  }
}

void trace_clear(trace_log *t) {
  for (size_t i = 0; i < t->len; i++) free(t->entries[i].msrs);
  t->len = 0;
}

napi_value trace_take(napi_env env, trace_log *t) {
  napi_value list;
  napi_create_array_with_length(env, t->len, &list);
  for (size_t i = 0; i < t->len; i++) {
    trace_entry *e = &t->entries[i];
    napi_value obj, v;
    napi_create_object(env, &obj);
    napi_create_string_utf8(env, e->ioctl, NAPI_AUTO_LENGTH, &v);
    napi_set_named_property(env, obj, "ioctl", v);
    if (e->msrs) {
      napi_value arr;
      napi_create_array_with_length(env, e->nmsrs, &arr);
      for (uint32_t k = 0; k < e->nmsrs; k++) napi_set_element(env, arr, k, make_u32(env, e->msrs[k]));
      napi_set_named_property(env, obj, "msrs", arr);
    }
    if (e->has_tsc) {
      napi_create_bigint_uint64(env, e->tsc, &v);
      napi_set_named_property(env, obj, "tsc", v);
    }
    if (e->has_flags) napi_set_named_property(env, obj, "flags", make_u32(env, e->flags));
    napi_set_element(env, list, (uint32_t)i, obj);
  }
  trace_clear(t);
  return list;
}
