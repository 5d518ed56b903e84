/* Errors and argument validation: nothing from JS reaches an ioctl unchecked. */
#define _GNU_SOURCE
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "common.h"

const napi_type_tag FD_TAG = {0x7473766d6b766d01ULL, 0x6664686e646c6501ULL};
const napi_type_tag VCPU_TAG = {0x7473766d6b766d02ULL, 0x76637075686e6401ULL};

static void set_str(napi_env env, napi_value obj, const char *key, const char *val) {
  napi_value v;
  napi_create_string_utf8(env, val, NAPI_AUTO_LENGTH, &v);
  napi_set_named_property(env, obj, key, v);
}

napi_value throw_errno(napi_env env, const char *op, int err, const char *detail) {
  const char *name = strerrorname_np(err);
  char msg[512];
  snprintf(msg, sizeof msg, "%s failed: %s (errno %d, %s)%s%s", op, name ? name : "E?", err, strerror(err),
           detail ? ": " : "", detail ? detail : "");
  napi_value m, code, error;
  napi_create_string_utf8(env, msg, NAPI_AUTO_LENGTH, &m);
  napi_create_string_utf8(env, name ? name : "EUNKNOWN", NAPI_AUTO_LENGTH, &code);
  napi_create_error(env, code, m, &error);
  napi_value e;
  napi_create_int32(env, err, &e);
  napi_set_named_property(env, error, "errno", e);
  set_str(env, error, "ioctl", op);
  napi_throw(env, error);
  return NULL;
}

static napi_value throw_kind(napi_env env, bool range, const char *op, const char *fmt, va_list ap) {
  char detail[400], msg[512];
  vsnprintf(detail, sizeof detail, fmt, ap);
  snprintf(msg, sizeof msg, "%s: %s", op, detail);
  if (range)
    napi_throw_range_error(env, "ERR_KVM_ARGUMENT", msg);
  else
    napi_throw_type_error(env, "ERR_KVM_ARGUMENT", msg);
  return NULL;
}

napi_value throw_type(napi_env env, const char *op, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  throw_kind(env, false, op, fmt, ap);
  va_end(ap);
  return NULL;
}

napi_value throw_range(napi_env env, const char *op, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  throw_kind(env, true, op, fmt, ap);
  va_end(ap);
  return NULL;
}

napi_value throw_msr(napi_env env, const char *op, uint32_t index, uint32_t position, uint32_t count) {
  char msg[256];
  snprintf(msg, sizeof msg, "%s failed at MSR 0x%x (entry %u of %u): the kernel refused it", op, index, position, count);
  napi_value m, code, error, v;
  napi_create_string_utf8(env, msg, NAPI_AUTO_LENGTH, &m);
  napi_create_string_utf8(env, "ERR_KVM_MSR", NAPI_AUTO_LENGTH, &code);
  napi_create_error(env, code, m, &error);
  set_str(env, error, "ioctl", op);
  napi_create_uint32(env, index, &v);
  napi_set_named_property(env, error, "msr", v);
  napi_throw(env, error);
  return NULL;
}

bool args(napi_env env, napi_callback_info info, const char *op, size_t want, napi_value *argv) {
  size_t argc = want;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok) {
    throw_type(env, op, "cannot read arguments");
    return false;
  }
  if (argc < want) {
    throw_type(env, op, "expected %zu argument(s), got %zu", want, argc);
    return false;
  }
  return true;
}

static bool arg_number(napi_env env, napi_value v, const char *op, const char *what, double *out) {
  napi_valuetype t;
  napi_typeof(env, v, &t);
  if (t != napi_number) {
    throw_type(env, op, "%s must be a number", what);
    return false;
  }
  napi_get_value_double(env, v, out);
  if (!isfinite(*out) || floor(*out) != *out) {
    throw_range(env, op, "%s must be an integer, got %g", what, *out);
    return false;
  }
  return true;
}

bool arg_u32(napi_env env, napi_value v, const char *op, const char *what, uint32_t *out) {
  double d;
  if (!arg_number(env, v, op, what, &d)) return false;
  if (d < 0 || d > 4294967295.0) {
    throw_range(env, op, "%s must be in 0..0xffffffff, got %.0f", what, d);
    return false;
  }
  *out = (uint32_t)d;
  return true;
}

bool arg_i32(napi_env env, napi_value v, const char *op, const char *what, int32_t *out) {
  double d;
  if (!arg_number(env, v, op, what, &d)) return false;
  if (d < -2147483648.0 || d > 2147483647.0) {
    throw_range(env, op, "%s must fit in 32 signed bits, got %.0f", what, d);
    return false;
  }
  *out = (int32_t)d;
  return true;
}

/* A 64-bit unsigned value: a non-negative safe integer number or a bigint. */
bool arg_u64(napi_env env, napi_value v, const char *op, const char *what, uint64_t *out) {
  napi_valuetype t;
  napi_typeof(env, v, &t);
  if (t == napi_bigint) {
    bool lossless;
    napi_get_value_bigint_uint64(env, v, out, &lossless);
    if (!lossless) {
      throw_range(env, op, "%s must be a bigint in 0..2^64-1", what);
      return false;
    }
    return true;
  }
  double d;
  if (!arg_number(env, v, op, what, &d)) return false;
  if (d < 0 || d > 9007199254740991.0) {
    throw_range(env, op, "%s must be a non-negative safe integer, got %g", what, d);
    return false;
  }
  *out = (uint64_t)d;
  return true;
}

bool arg_bool(napi_env env, napi_value v, const char *op, const char *what, bool *out) {
  napi_valuetype t;
  napi_typeof(env, v, &t);
  if (t != napi_boolean) {
    throw_type(env, op, "%s must be a boolean", what);
    return false;
  }
  napi_get_value_bool(env, v, out);
  return true;
}

static bool arg_tagged(napi_env env, napi_value v, const napi_type_tag *tag, void **out) {
  napi_valuetype t;
  napi_typeof(env, v, &t);
  if (t != napi_external) return false;
  bool ok = false;
  if (napi_check_object_type_tag(env, v, tag, &ok) != napi_ok || !ok) return false;
  napi_get_value_external(env, v, out);
  return true;
}

bool arg_fd(napi_env env, napi_value v, const char *op, const char *kind, fd_handle **out) {
  void *p;
  if (!arg_tagged(env, v, &FD_TAG, &p) || strcmp(((fd_handle *)p)->kind, kind) != 0) {
    throw_type(env, op, "expected a %s handle", kind);
    return false;
  }
  *out = p;
  if ((*out)->fd < 0) {
    throw_errno(env, op, EBADF, "the handle is closed");
    return false;
  }
  return true;
}

bool arg_vcpu(napi_env env, napi_value v, const char *op, vcpu_handle **out) {
  void *p;
  if (!arg_tagged(env, v, &VCPU_TAG, &p)) {
    throw_type(env, op, "expected a vCPU handle");
    return false;
  }
  *out = p;
  if ((*out)->fd < 0) {
    throw_errno(env, op, EBADF, "the vCPU handle is closed");
    return false;
  }
  return true;
}

/* A Uint8Array of exactly `want` bytes (want == 0: any length). */
bool arg_bytes(napi_env env, napi_value v, const char *op, const char *what, size_t want, uint8_t **out) {
  bool is_ta = false;
  napi_is_typedarray(env, v, &is_ta);
  napi_typedarray_type type;
  size_t length = 0;
  void *data = NULL;
  if (is_ta) napi_get_typedarray_info(env, v, &type, &length, &data, NULL, NULL);
  if (!is_ta || type != napi_uint8_array) {
    throw_type(env, op, "%s must be a Uint8Array", what);
    return false;
  }
  if (want && length != want) {
    throw_range(env, op, "%s must be exactly %zu bytes, got %zu", what, want, length);
    return false;
  }
  *out = data;
  return true;
}

napi_value make_u32(napi_env env, uint32_t v) {
  napi_value r;
  napi_create_uint32(env, v, &r);
  return r;
}

napi_value make_i32(napi_env env, int32_t v) {
  napi_value r;
  napi_create_int32(env, v, &r);
  return r;
}

napi_value make_bytes(napi_env env, const void *src, size_t len) {
  void *data;
  napi_value ab, arr;
  napi_create_arraybuffer(env, len, &data, &ab);
  memcpy(data, src, len);
  napi_create_typedarray(env, napi_uint8_array, len, ab, 0, &arr);
  return arr;
}

napi_value undefined(napi_env env) {
  napi_value u;
  napi_get_undefined(env, &u);
  return u;
}
